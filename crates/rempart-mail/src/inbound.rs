//! Reading an inbound message: MIME structure, PGP/MIME (RFC 3156), inline PGP in text and
//! HTML, encrypted attachments, protected headers, Autocrypt and attached keys. Pure: the
//! caller supplies the helpline keyring and the sender's pinned certificate.

use crate::error::MailError;
use crate::pgp::{self, Keyring, SignatureCheck};
use base64::Engine;
use mail_parser::{HeaderValue, MessageParser, MessagePart, MimeHeaders, PartType};
use rempart_core::{EmailAddress, SignatureStatus};
use sequoia_openpgp::Cert;

/// Size limits; everything beyond is quarantined rather than processed.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The raw message as received.
    pub max_message_bytes: usize,
    /// What decryption and decompression may produce (a compression bomb stops here).
    pub max_decrypted_bytes: usize,
    /// How deep MIME and encryption may nest.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_message_bytes: 25 * 1024 * 1024, max_decrypted_bytes: 50 * 1024 * 1024, max_depth: 8 }
    }
}

/// The outer headers: what is known before anything is decrypted.
#[derive(Debug, Clone, Default)]
pub struct Headers {
    pub from: Option<EmailAddress>,
    pub from_name: Option<String>,
    pub message_id: Option<String>,
    /// In-Reply-To then References, most recent first, without angle brackets.
    pub thread_ids: Vec<String>,
    /// The outer subject (`...` when the client protects it).
    pub subject: String,
    pub autocrypt: Option<Cert>,
}

/// Where a certificate offered by a message came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    Autocrypt,
    Attachment,
}

impl KeySource {
    pub fn as_str(self) -> &'static str {
        match self {
            KeySource::Autocrypt => "autocrypt",
            KeySource::Attachment => "attachment",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Attachment {
    pub name: String,
    pub media_type: String,
    pub content: Vec<u8>,
}

/// An inbound message, opened.
#[derive(Debug, Clone)]
pub struct Inbound {
    pub headers: Headers,
    /// The real subject: the protected one when the client protected it.
    pub subject: String,
    pub body: String,
    /// True when the body reached us encrypted.
    pub encrypted: bool,
    pub signature: SignatureCheck,
    pub attachments: Vec<Attachment>,
    pub offered_keys: Vec<(Cert, KeySource)>,
    /// What the gateway noticed and the handler should know (repairs, undecryptable parts,
    /// charset problems).
    pub notes: Vec<String>,
}

fn strip_angles(s: &str) -> String {
    s.trim().trim_start_matches('<').trim_end_matches('>').trim().to_owned()
}

fn header_ids(value: &HeaderValue<'_>) -> Vec<String> {
    match value {
        HeaderValue::Text(t) => vec![strip_angles(t)],
        HeaderValue::TextList(list) => list.iter().map(|t| strip_angles(t)).collect(),
        _ => Vec::new(),
    }
}

fn parse_failed() -> MailError {
    MailError::Malformed("not an RFC 5322 message (no header could be read)".into())
}

/// Reads the outer headers. Fails only when the message has no readable header at all.
pub fn read_headers(raw: &[u8]) -> Result<Headers, MailError> {
    let message = MessageParser::default().parse_headers(raw).ok_or_else(parse_failed)?;
    if message.headers().is_empty() {
        return Err(parse_failed());
    }
    let (from, from_name) = match message.from().and_then(|a| a.first()) {
        Some(addr) => (
            addr.address().and_then(|a| EmailAddress::parse(a).ok()),
            addr.name().map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()),
        ),
        None => (None, None),
    };
    let mut thread_ids = header_ids(message.in_reply_to());
    let mut references = header_ids(message.references());
    references.reverse();
    for id in references {
        if !thread_ids.contains(&id) {
            thread_ids.push(id);
        }
    }
    let autocrypt = message.header_raw("Autocrypt").and_then(|value| parse_autocrypt(value, from.as_ref()));
    Ok(Headers {
        from,
        from_name: from_name.map(|n| without_nul(&n)),
        message_id: message.message_id().map(|id| without_nul(&strip_angles(id))).filter(|s| !s.is_empty()),
        thread_ids: thread_ids.iter().map(|id| without_nul(id)).collect(),
        subject: without_nul(message.subject().unwrap_or_default().trim()),
        autocrypt,
    })
}

/// An Autocrypt header (Level 1): `addr` must be the From address, `keydata` a certificate.
fn parse_autocrypt(value: &str, from: Option<&EmailAddress>) -> Option<Cert> {
    let mut addr = None;
    let mut keydata = None;
    for attribute in value.split(';') {
        let (name, val) = attribute.split_once('=')?;
        match name.trim() {
            "addr" => addr = Some(val.trim().to_owned()),
            "keydata" => keydata = Some(val.split_whitespace().collect::<String>()),
            "prefer-encrypt" => {}
            // Unknown critical attributes make the header invalid (Level 1, section 2.1).
            other if !other.starts_with('_') => return None,
            _ => {}
        }
    }
    let addr = EmailAddress::parse(&addr?).ok()?;
    if Some(&addr) != from {
        return None;
    }
    let bytes = base64::engine::general_purpose::STANDARD.decode(keydata?).ok()?;
    pgp::parse_certificate(&bytes).ok()
}

/// The context of one opening: keys, limits and what has been found so far.
struct Opener<'a> {
    keyring: Option<&'a Keyring>,
    senders: &'a [Cert],
    limits: Limits,
    texts: Vec<String>,
    html: Vec<String>,
    attachments: Vec<Attachment>,
    offered: Vec<(Cert, KeySource)>,
    notes: Vec<String>,
    signatures: Vec<SignatureCheck>,
    encrypted: bool,
    protected_subject: Option<String>,
    decrypted_bytes: usize,
}

const PGP_MESSAGE: &str = "-----BEGIN PGP MESSAGE-----";
const PGP_MESSAGE_END: &str = "-----END PGP MESSAGE-----";
const PGP_SIGNED: &str = "-----BEGIN PGP SIGNED MESSAGE-----";
const PGP_SIGNATURE_END: &str = "-----END PGP SIGNATURE-----";
const PGP_PUBLIC_KEY: &str = "-----BEGIN PGP PUBLIC KEY BLOCK-----";

fn content_type(part: &MessagePart<'_>) -> (String, String) {
    match part.content_type() {
        Some(ct) => (ct.ctype().to_ascii_lowercase(), ct.subtype().map(str::to_ascii_lowercase).unwrap_or_default()),
        None => ("text".into(), "plain".into()),
    }
}

fn ct_attribute<'p>(part: &'p MessagePart<'_>, name: &str) -> Option<&'p str> {
    part.content_type().and_then(|ct| ct.attribute(name))
}

fn is_attachment(part: &MessagePart<'_>) -> bool {
    part.content_disposition().is_some_and(|d| d.ctype().eq_ignore_ascii_case("attachment"))
        || part.attachment_name().is_some() && !part.is_text()
}

/// Converts to canonical CRLF line endings (RFC 3156 signs the canonical form).
fn canonical_crlf(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 40);
    let mut previous = 0u8;
    for &b in data {
        if b == b'\n' && previous != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        previous = b;
    }
    out
}

/// Crude HTML to text: enough to find inline PGP armor and to read an HTML-only message.
fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    let mut tag = String::new();
    for c in html.chars() {
        match (in_tag, c) {
            (false, '<') => {
                in_tag = true;
                tag.clear();
            }
            (true, '>') => {
                in_tag = false;
                let name = tag.trim_start_matches('/').split_whitespace().next().unwrap_or("").to_ascii_lowercase();
                if matches!(name.as_str(), "br" | "br/" | "p" | "div" | "tr" | "li" | "pre" | "h1" | "h2" | "h3") {
                    out.push('\n');
                }
            }
            (true, c) => tag.push(c),
            (false, c) => out.push(c),
        }
    }
    out.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

impl<'a> Opener<'a> {
    fn new(keyring: Option<&'a Keyring>, senders: &'a [Cert], limits: Limits) -> Self {
        Self {
            keyring,
            senders,
            limits,
            texts: Vec::new(),
            html: Vec::new(),
            attachments: Vec::new(),
            offered: Vec::new(),
            notes: Vec::new(),
            signatures: Vec::new(),
            encrypted: false,
            protected_subject: None,
            decrypted_bytes: 0,
        }
    }

    fn open_pgp(&mut self, data: &[u8]) -> Result<pgp::Opened, MailError> {
        let left = self.limits.max_decrypted_bytes.saturating_sub(self.decrypted_bytes);
        let opened = pgp::open(data, self.keyring, self.senders, left).map_err(|e| match e {
            MailError::TooLarge { .. } => MailError::TooLarge {
                limit: self.limits.max_decrypted_bytes,
                what: "decrypted content (possible compression bomb)",
            },
            other => other,
        })?;
        self.decrypted_bytes += opened.plaintext.len();
        Ok(opened)
    }

    /// Opens a MIME entity (a whole message or a decrypted inner part).
    fn entity(&mut self, raw: &[u8], depth: usize) -> Result<(), MailError> {
        if depth > self.limits.max_depth {
            return Err(MailError::Malformed(format!(
                "MIME or encryption nested deeper than {}",
                self.limits.max_depth
            )));
        }
        let message = MessageParser::default().parse(raw).ok_or_else(parse_failed)?;
        self.part(&message, 0, depth, true)
    }

    fn part(&mut self, message: &mail_parser::Message<'_>, id: u32, depth: usize, root: bool) -> Result<(), MailError> {
        let Some(part) = message.part(id) else { return Ok(()) };
        if depth > self.limits.max_depth {
            return Err(MailError::Malformed(format!("MIME nested deeper than {}", self.limits.max_depth)));
        }
        let (ctype, subtype) = content_type(part);
        if part.is_encoding_problem {
            self.notes.push("a part had a broken transfer encoding or charset; shown as decoded as possible".into());
        }
        if root && (ct_attribute(part, "protected-headers").is_some() || ct_attribute(part, "hp").is_some()) {
            // Protected headers (draft-autocrypt / RFC 9788): the inner Subject is the real one.
            if let Some(subject) = message.subject() {
                self.protected_subject = Some(subject.trim().to_owned());
            }
        }
        match &part.body {
            PartType::Multipart(children) => {
                let children = children.clone();
                match (subtype.as_str(), ct_attribute(part, "protocol").map(str::to_ascii_lowercase)) {
                    ("encrypted", Some(p)) if p == "application/pgp-encrypted" => {
                        self.pgp_mime_encrypted(message, &children, depth)
                    }
                    ("signed", Some(p)) if p == "application/pgp-signature" => {
                        self.pgp_mime_signed(message, &children, depth)
                    }
                    ("mixed", _) if self.is_exchange_mangled(message, &children) => {
                        self.notes.push(
                            "repaired a PGP/MIME message that a mail server had rewritten as multipart/mixed".into(),
                        );
                        let payload: Vec<u32> = children
                            .iter()
                            .copied()
                            .filter(|c| message.part(*c).is_some_and(|p| content_type(p).1 != "plain"))
                            .collect();
                        self.pgp_mime_encrypted(message, &payload, depth)
                    }
                    ("alternative", _) => {
                        // The same content in several forms (Mailvelope and others encrypt
                        // both the text and the HTML form): the text form when it says
                        // anything, else the others. Never both.
                        let is_plain = |c: &u32| {
                            message.part(*c).is_some_and(|p| content_type(p) == ("text".into(), "plain".into()))
                        };
                        let before = self.texts.len();
                        for child in children.iter().copied().filter(is_plain) {
                            self.part(message, child, depth + 1, false)?;
                        }
                        if self.texts.len() == before {
                            for child in children.iter().copied().filter(|c| !is_plain(c)) {
                                self.part(message, child, depth + 1, false)?;
                            }
                        }
                        Ok(())
                    }
                    _ => {
                        for child in children {
                            self.part(message, child, depth + 1, false)?;
                        }
                        Ok(())
                    }
                }
            }
            PartType::Message(inner) => {
                // A forwarded message: its text joins the body, its raw form is kept.
                let name = inner.subject().map(|s| format!("{s}.eml")).unwrap_or_else(|| "forwarded.eml".into());
                self.attachments.push(Attachment {
                    name,
                    media_type: "message/rfc822".into(),
                    content: inner.raw_message().to_vec(),
                });
                Ok(())
            }
            PartType::Text(text) if !is_attachment(part) => {
                if root_legacy_display(part, &ctype, &subtype, root) {
                    return Ok(());
                }
                if subtype == "rfc822-headers" {
                    return Ok(());
                }
                let text = text.to_string();
                self.text(&text, depth)
            }
            PartType::Html(html) if !is_attachment(part) => {
                let text = html_to_text(html);
                if text.contains(PGP_MESSAGE) || text.contains(PGP_SIGNED) {
                    self.notes.push("inline PGP read from an HTML part".into());
                    self.text(&text, depth)
                } else {
                    self.html.push(text);
                    Ok(())
                }
            }
            _ => self.attachment(part, &ctype, &subtype, depth),
        }
    }

    /// Exchange and some gateways turn multipart/encrypted into multipart/mixed with an
    /// optional empty text part, the `application/pgp-encrypted` control part and the payload.
    fn is_exchange_mangled(&self, message: &mail_parser::Message<'_>, children: &[u32]) -> bool {
        let parts: Vec<_> = children.iter().filter_map(|c| message.part(*c)).collect();
        let control = parts.iter().position(|p| content_type(p) == ("application".into(), "pgp-encrypted".into()));
        match control {
            Some(i) => parts.get(i + 1).is_some_and(|p| {
                String::from_utf8_lossy(p.contents()).contains(PGP_MESSAGE) || content_type(p).1 == "octet-stream"
            }),
            None => false,
        }
    }

    fn pgp_mime_encrypted(
        &mut self,
        message: &mail_parser::Message<'_>,
        children: &[u32],
        depth: usize,
    ) -> Result<(), MailError> {
        let payload = children
            .iter()
            .filter_map(|c| message.part(*c))
            .find(|p| content_type(p) != ("application".into(), "pgp-encrypted".into()))
            .ok_or_else(|| MailError::Malformed("multipart/encrypted without an encrypted payload".into()))?;
        let opened = self.open_pgp(payload.contents())?;
        self.encrypted |= opened.encrypted;
        if opened.signature.status != SignatureStatus::None {
            self.signatures.push(opened.signature);
        }
        self.entity(&opened.plaintext, depth + 1)
    }

    fn pgp_mime_signed(
        &mut self,
        message: &mail_parser::Message<'_>,
        children: &[u32],
        depth: usize,
    ) -> Result<(), MailError> {
        let (Some(&signed_id), Some(&signature_id)) = (children.first(), children.get(1)) else {
            return Err(MailError::Malformed("multipart/signed needs two parts".into()));
        };
        let (Some(signed), Some(signature)) = (message.part(signed_id), message.part(signature_id)) else {
            return Err(MailError::Malformed("multipart/signed needs two parts".into()));
        };
        let raw = message.raw_message();
        let start = signed.raw_header_offset() as usize;
        let end = (signed.raw_end_offset() as usize).min(raw.len());
        // mail-parser ends the part before the CRLF that belongs to the boundary (RFC 2046),
        // which is exactly the signed data of RFC 3156.
        let signed_bytes = raw.get(start..end).unwrap_or_default();
        let check = pgp::verify_detached(&canonical_crlf(signed_bytes), signature.contents(), self.senders);
        self.signatures.push(check);
        let inner = signed_bytes.to_vec();
        self.entity(&inner, depth + 1)
    }

    /// A text part: inline PGP blocks are opened in place, the rest is kept as written.
    fn text(&mut self, text: &str, depth: usize) -> Result<(), MailError> {
        let mut out = String::new();
        let mut rest = text;
        loop {
            let next_message = rest.find(PGP_MESSAGE);
            let next_signed = rest.find(PGP_SIGNED);
            let (start, end_marker) = match (next_message, next_signed) {
                (Some(m), Some(s)) if s < m => (s, PGP_SIGNATURE_END),
                (Some(m), _) => (m, PGP_MESSAGE_END),
                (None, Some(s)) => (s, PGP_SIGNATURE_END),
                (None, None) => break,
            };
            let Some(end_rel) = rest[start..].find(end_marker) else {
                self.notes.push("an inline PGP block is truncated (no end line); kept as text".into());
                break;
            };
            let end = start + end_rel + end_marker.len();
            out.push_str(&rest[..start]);
            let block = &rest[start..end];
            let opened = self.open_pgp(block.as_bytes())?;
            self.encrypted |= opened.encrypted;
            if opened.signature.status != SignatureStatus::None || block.starts_with(PGP_SIGNED) {
                self.signatures.push(opened.signature);
            }
            let plain = String::from_utf8_lossy(&opened.plaintext).into_owned();
            if plain.starts_with("Content-Type:") || plain.starts_with("Content-type:") {
                // Some clients encrypt a whole MIME entity inline.
                self.entity(&opened.plaintext, depth + 1)?;
            } else {
                out.push_str(&plain);
            }
            rest = &rest[end..];
        }
        out.push_str(rest);
        let out = out.replace("\r\n", "\n");
        if !out.trim().is_empty() {
            self.texts.push(out.trim_end().to_owned());
        }
        Ok(())
    }

    fn attachment(
        &mut self,
        part: &MessagePart<'_>,
        ctype: &str,
        subtype: &str,
        depth: usize,
    ) -> Result<(), MailError> {
        let content = part.contents();
        let name = part.attachment_name().unwrap_or("attachment").to_owned();
        let media_type = format!("{ctype}/{subtype}");
        let lower = name.to_ascii_lowercase();
        let head = String::from_utf8_lossy(&content[..content.len().min(4096)]).into_owned();
        if media_type == "application/pgp-keys" || head.contains(PGP_PUBLIC_KEY) {
            match pgp::parse_certificate(content) {
                Ok(cert) => self.offered.push((cert, KeySource::Attachment)),
                Err(e) => self.notes.push(format!("attached key {name} could not be read: {e}")),
            }
            return Ok(());
        }
        if media_type == "application/pgp-signature" {
            // A detached signature outside multipart/signed: kept as a file.
            self.attachments.push(Attachment { name, media_type, content: content.to_vec() });
            return Ok(());
        }
        let pgp_name = [".gpg", ".pgp", ".asc"].iter().find(|ext| lower.ends_with(*ext));
        let looks_encrypted =
            head.contains(PGP_MESSAGE) || pgp_name.is_some() || media_type == "application/pgp-encrypted";
        if looks_encrypted {
            match self.open_pgp(content) {
                Ok(opened) => {
                    self.encrypted |= opened.encrypted;
                    let plain_name = match pgp_name {
                        Some(ext) => name[..name.len() - ext.len()].to_owned(),
                        None => name,
                    };
                    self.attachments.push(Attachment {
                        name: plain_name,
                        media_type: "application/octet-stream".into(),
                        content: opened.plaintext,
                    });
                    if opened.signature.status != SignatureStatus::None {
                        self.signatures.push(opened.signature);
                    }
                    return Ok(());
                }
                Err(e @ MailError::TooLarge { .. }) => return Err(e),
                Err(e) => {
                    self.notes.push(format!("attachment {name} could not be decrypted ({e}); kept as received"));
                }
            }
        }
        let _ = depth;
        self.attachments.push(Attachment { name, media_type, content: content.to_vec() });
        Ok(())
    }

    /// The message-level signature: any bad signature makes it bad, then an unknown key,
    /// then good; none when nothing was signed.
    fn signature(&self) -> SignatureCheck {
        let pick = |status| self.signatures.iter().find(|c| c.status == status).cloned();
        pick(SignatureStatus::Bad)
            .or_else(|| pick(SignatureStatus::UnknownKey))
            .or_else(|| pick(SignatureStatus::Good))
            .unwrap_or_else(SignatureCheck::unsigned)
    }
}

/// The "legacy display" part some clients add inside protected headers: not the body.
fn root_legacy_display(part: &MessagePart<'_>, ctype: &str, subtype: &str, root: bool) -> bool {
    !root && ctype == "text" && subtype == "plain" && ct_attribute(part, "protected-headers").is_some()
        || part.content_type().and_then(|ct| ct.attribute("hp-legacy-display")).is_some()
}

/// Opens a whole message: decrypts, verifies against `senders` (the sender's pinned
/// certificate, if any), and gathers text, attachments and offered keys.
pub fn open(raw: &[u8], keyring: Option<&Keyring>, senders: &[Cert], limits: Limits) -> Result<Inbound, MailError> {
    if raw.len() > limits.max_message_bytes {
        return Err(MailError::TooLarge { limit: limits.max_message_bytes, what: "the message" });
    }
    let headers = read_headers(raw)?;
    let mut opener = Opener::new(keyring, senders, limits);
    opener.entity(raw, 0)?;
    let mut offered = Vec::new();
    if let Some(cert) = &headers.autocrypt {
        offered.push((cert.clone(), KeySource::Autocrypt));
    }
    offered.append(&mut opener.offered);
    let body = if opener.texts.is_empty() { opener.html.join("\n\n") } else { opener.texts.join("\n\n") };
    let subject = opener.protected_subject.clone().unwrap_or_else(|| headers.subject.clone());
    let signature = opener.signature();
    let mut notes = opener.notes;
    if body.contains('\0') || subject.contains('\0') {
        notes.push(
            "the message contained NUL characters; they were left out of the text (the raw message keeps them)".into(),
        );
    }
    Ok(Inbound {
        subject: without_nul(&subject),
        body: without_nul(&body),
        encrypted: opener.encrypted,
        signature,
        attachments: opener.attachments,
        offered_keys: offered,
        notes,
        headers,
    })
}

/// Text as stored: without NUL characters, which PostgreSQL cannot hold in text (the raw
/// message is kept byte for byte as evidence). The same on both engines.
fn without_nul(text: &str) -> String {
    if text.contains('\0') { text.replace('\0', "") } else { text.to_owned() }
}

/// The digest that identifies a delivery of a message: the body (everything after the
/// header block), so that a second delivery with more `Received:` lines is the same message.
pub fn body_digest(raw: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let body_start = find(raw, b"\r\n\r\n").map(|i| i + 4).or_else(|| find(raw, b"\n\n").map(|i| i + 2)).unwrap_or(0);
    hex::encode(Sha256::digest(&raw[body_start..]))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
