//! Replies: PGP/MIME (RFC 3156), signed and encrypted, with protected headers (the real
//! subject inside, "..." outside), and their delivery over SMTP with lettre.

use crate::error::MailError;
use crate::pgp::{self, Keyring};
use base64::Engine;
use lettre::message::header::{ContentDisposition, ContentType};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Address, SmtpTransport, Transport};
use sequoia_openpgp::Cert;
use serde::Deserialize;
use std::time::Duration;

/// One reply, in clear, before encryption.
#[derive(Debug, Clone)]
pub struct Reply<'a> {
    pub from: &'a Mailbox,
    pub to: &'a Mailbox,
    pub subject: &'a str,
    pub body: &'a str,
    /// Without angle brackets.
    pub message_id: &'a str,
    pub in_reply_to: Option<&'a str>,
}

/// RFC 2047 encoded word when the value is not plain ASCII.
fn encode_header_value(value: &str) -> String {
    let clean: String = value.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if clean.is_ascii() {
        clean
    } else {
        format!("=?utf-8?B?{}?=", base64::engine::general_purpose::STANDARD.encode(clean.as_bytes()))
    }
}

/// The inner MIME entity: the body with the protected headers (draft-autocrypt-lamps
/// protected headers v1, which Thunderbird, K-9/Thunderbird for Android and Delta Chat read).
fn inner_entity(reply: &Reply<'_>) -> Vec<u8> {
    let mut out = String::new();
    out.push_str("Content-Type: text/plain; charset=\"utf-8\"; protected-headers=\"v1\"\r\n");
    out.push_str("Content-Transfer-Encoding: base64\r\n");
    out.push_str(&format!("Subject: {}\r\n", encode_header_value(reply.subject)));
    out.push_str(&format!("From: {}\r\n", reply.from));
    out.push_str(&format!("To: {}\r\n", reply.to));
    out.push_str(&format!("Message-ID: <{}>\r\n", reply.message_id));
    if let Some(parent) = reply.in_reply_to {
        out.push_str(&format!("In-Reply-To: <{parent}>\r\nReferences: <{parent}>\r\n"));
    }
    out.push_str("\r\n");
    let body = reply.body.replace("\r\n", "\n").replace('\n', "\r\n");
    let encoded = base64::engine::general_purpose::STANDARD.encode(body.as_bytes());
    for chunk in encoded.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// Builds the message as sent: encrypted to the beneficiary and to the helpline's own key
/// (the sent copy stays readable), signed with the helpline key.
pub fn compose(reply: &Reply<'_>, recipient: &Cert, keyring: &Keyring) -> Result<lettre::Message, MailError> {
    let inner = inner_entity(reply);
    let armored = pgp::encrypt_and_sign(&inner, &[recipient, keyring.primary()], keyring)?;
    let armored = String::from_utf8(armored).map_err(|_| MailError::Pgp("armor is not UTF-8".into()))?;
    let control = SinglePart::builder()
        .header(ContentType::parse("application/pgp-encrypted").map_err(|e| MailError::Pgp(e.to_string()))?)
        .header(ContentDisposition::attachment("version.asc"))
        .body(String::from("Version: 1\r\n"));
    let payload = SinglePart::builder()
        .header(
            ContentType::parse("application/octet-stream; name=\"encrypted.asc\"")
                .map_err(|e| MailError::Pgp(e.to_string()))?,
        )
        .header(ContentDisposition::inline_with_name("encrypted.asc"))
        .body(armored);
    let mut builder = lettre::Message::builder()
        .from(reply.from.clone())
        .to(reply.to.clone())
        .subject("...")
        .message_id(Some(format!("<{}>", reply.message_id)))
        .date_now();
    if let Some(parent) = reply.in_reply_to {
        builder = builder.in_reply_to(format!("<{parent}>")).references(format!("<{parent}>"));
    }
    builder
        .multipart(
            MultiPart::encrypted(String::from("application/pgp-encrypted")).singlepart(control).singlepart(payload),
        )
        .map_err(|e| MailError::Malformed(format!("cannot build the reply: {e}")))
}

/// How to reach the SMTP server.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    /// `none` (loopback relays only), `starttls` or `tls` (implicit TLS, port 465).
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<String>,
    pub timeout_secs: u64,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    None,
    Starttls,
    Tls,
}

/// The outcome of handing a message to the SMTP server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// Try again later: connection refused, timeout, 4xx.
    Transient(String),
    /// The server refused for good (5xx).
    Permanent(String),
}

#[derive(Clone)]
pub struct SmtpSender {
    transport: SmtpTransport,
}

impl std::fmt::Debug for SmtpSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SmtpSender")
    }
}

impl SmtpSender {
    pub fn new(config: &SmtpConfig) -> Result<Self, MailError> {
        let tls = |host: &str| {
            TlsParameters::new(host.to_owned()).map_err(|e| MailError::Smtp(format!("TLS setup for {host}: {e}")))
        };
        let mut builder = SmtpTransport::builder_dangerous(config.host.clone()).port(config.port);
        builder = match config.tls {
            SmtpTls::None => builder.tls(Tls::None),
            SmtpTls::Starttls => builder.tls(Tls::Required(tls(&config.host)?)),
            SmtpTls::Tls => builder.tls(Tls::Wrapper(tls(&config.host)?)),
        };
        if let (Some(user), Some(password)) = (&config.username, &config.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        builder = builder.timeout(Some(Duration::from_secs(config.timeout_secs.max(1))));
        Ok(Self { transport: builder.build() })
    }

    /// Sends one message (blocking).
    pub fn send(&self, message: &lettre::Message) -> Result<(), SendError> {
        match self.transport.send(message) {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
            Err(e) => Err(SendError::Transient(e.to_string())),
        }
    }

    /// Sends raw bytes with an explicit envelope (the key-request notice, tests).
    pub fn send_raw(&self, from: &Address, to: &Address, bytes: &[u8]) -> Result<(), SendError> {
        let envelope = lettre::address::Envelope::new(Some(from.clone()), vec![to.clone()])
            .map_err(|e| SendError::Permanent(e.to_string()))?;
        match self.transport.send_raw(&envelope, bytes) {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
            Err(e) => Err(SendError::Transient(e.to_string())),
        }
    }
}
