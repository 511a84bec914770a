//! The inbound pipeline against the database: one message in, one committed outcome out
//! (stored on a case, recognised as a duplicate, or quarantined with its raw bytes).

use crate::error::MailError;
use crate::inbound::{self, Inbound, Limits};
use crate::pgp::{self, Keyring};
use rempart_core::{CaseReference, Channel, Direction, EmailAddress, Fingerprint, KeyTrust, Party, SignatureStatus};
use rempart_store::DbConn;
use rempart_store::beneficiaries::{Beneficiary, KeyOffer, KeyOrigin, NewBeneficiary};
use rempart_store::case_items::{CaseLink, ThirdParty};
use rempart_store::cases::Case;
use rempart_store::evidence::{Evidence, NewEvidence};
use rempart_store::mail::{Delivery, NewQuarantine, QuarantinedMail, Receipt, ReceiptOutcome};
use rempart_store::messages::{MAX_BODY_BYTES, Message, NewMessage};
use sequoia_openpgp::Cert;
use serde::Serialize;

/// What the gateway needs to open mail.
#[derive(Debug, Clone, Default)]
pub struct Gateway {
    /// The helpline's secret keys; without them encrypted mail is quarantined.
    pub keyring: Option<Keyring>,
    pub limits: Limits,
    /// The rota policy new cases are assigned under.
    pub policy: rempart_rota::Policy,
    /// The escalation notifier of this process (`serve`): a new case by mail may be one
    /// nobody can take, and the leads hear of it at once, not at the next poll.
    pub escalations: Option<crate::notify::Waker>,
}

/// The committed result of one message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Stored {
        case_id: String,
        reference: String,
        message_id: String,
        new_case: bool,
    },
    /// Delivered before (same Message-ID and body): nothing stored twice.
    Duplicate {
        case_id: Option<String>,
        quarantine_id: Option<String>,
    },
    Quarantined {
        quarantine_id: String,
        reason_code: String,
        reason: String,
    },
}

impl Gateway {
    /// Takes one raw message through the whole pipeline. Returns `Err` only when nothing
    /// could be committed (the database is unreachable): the caller must keep the message
    /// and retry (the MTA pipe exits 75, the IMAP fetcher leaves it unseen).
    #[tracing::instrument(skip_all, fields(source, size = raw.len()))]
    pub fn ingest(&self, conn: &mut DbConn, raw: &[u8], source: &str) -> Result<Outcome, MailError> {
        let digest = inbound::body_digest(raw);
        let headers = inbound::read_headers(raw).ok();
        let message_id = headers.as_ref().and_then(|h| h.message_id.clone()).unwrap_or_default();
        if let Some(outcome) = duplicate(conn, &message_id, &digest)? {
            return Ok(outcome);
        }
        let mut result = self.store(conn, raw, source, &message_id, &digest);
        if let Err(MailError::Store(rempart_store::StoreError::Conflict(why))) = &result {
            // Another delivery wrote the same new sender (their address is unique) in the
            // same moment: once more, they are found now.
            tracing::info!(conflict = %why, "concurrent delivery; filing again");
            if let Some(outcome) = duplicate(conn, &message_id, &digest)? {
                return Ok(outcome);
            }
            result = self.store(conn, raw, source, &message_id, &digest);
        }
        match result {
            Ok(outcome) => {
                if let (Outcome::Stored { new_case: true, .. }, Some(waker)) = (&outcome, &self.escalations) {
                    waker.wake();
                }
                Ok(outcome)
            }
            Err(e) if e.is_transient() => Err(e),
            Err(e) => {
                // A concurrent delivery of the same message may have won the race.
                if let Some(outcome) = duplicate(conn, &message_id, &digest)? {
                    return Ok(outcome);
                }
                self.quarantine(conn, raw, source, &message_id, &digest, &e)
            }
        }
    }

    fn quarantine(
        &self,
        conn: &mut DbConn,
        raw: &[u8],
        source: &str,
        message_id: &str,
        digest: &str,
        error: &MailError,
    ) -> Result<Outcome, MailError> {
        let headers = inbound::read_headers(raw).unwrap_or_default();
        let reason = error.to_string();
        tracing::warn!(reason_code = error.code(), "inbound mail quarantined");
        let item = conn.write(|conn| {
            let item = QuarantinedMail::insert(
                conn,
                NewQuarantine {
                    source,
                    reason_code: error.code(),
                    reason: &reason,
                    from_address: headers.from.as_ref().map(EmailAddress::as_str),
                    subject: &headers.subject,
                    message_id_header: headers.message_id.as_deref(),
                    raw,
                },
            )?;
            let delivery = Delivery { message_id_header: message_id, body_sha256: digest, source };
            let outcome = ReceiptOutcome::Quarantined { quarantine_id: &item.id };
            Receipt::record(conn, &delivery, &item.raw_sha256, outcome, item.received_at)?;
            Ok::<_, MailError>(item)
        })?;
        Ok(Outcome::Quarantined { quarantine_id: item.id, reason_code: item.reason_code, reason: item.reason })
    }

    fn open(&self, raw: &[u8], pinned: Option<&Cert>) -> Result<Inbound, MailError> {
        let senders: Vec<Cert> = pinned.into_iter().cloned().collect();
        let opened = inbound::open(raw, self.keyring.as_ref(), &senders, self.limits)?;
        if pinned.is_some() || opened.signature.status != SignatureStatus::UnknownKey {
            return Ok(opened);
        }
        // First contact: no key pinned yet. If the message carries the very key that signed
        // it, check the signature against it (trust on first use; the beneficiary stays
        // unverified until a handler verifies them).
        let signer = opened.signature.signer.clone();
        let offered = opened
            .offered_keys
            .iter()
            .find(|(cert, _)| {
                signer.as_deref().is_some_and(|s| {
                    cert.keys().any(|k| k.key().fingerprint().to_hex() == s || k.key().keyid().to_hex() == s)
                })
            })
            .map(|(cert, _)| cert.clone());
        match offered {
            Some(cert) => inbound::open(raw, self.keyring.as_ref(), &[cert], self.limits),
            None => Ok(opened),
        }
    }

    fn store(
        &self,
        conn: &mut DbConn,
        raw: &[u8],
        source: &str,
        message_id: &str,
        digest: &str,
    ) -> Result<Outcome, MailError> {
        let headers = inbound::read_headers(raw)?;
        let Some(from) = headers.from.clone() else {
            return Err(MailError::Malformed("no usable From address".into()));
        };
        // Reads before the write transaction: the pinned key decides how to verify.
        let known = Beneficiary::find_by_email(conn, &from)?;
        let pinned = known
            .as_ref()
            .and_then(|b| b.pgp_certificate.as_deref())
            .and_then(|armored| pgp::parse_certificate(armored.as_bytes()).ok());
        let mail = self.open(raw, pinned.as_ref())?;
        let thread = find_thread(conn, &mail, &from)?;
        let language = known.as_ref().and_then(|b| b.preferred_language.clone());

        let from_third_party = matches!(thread, Thread::Continues { third_party_id: Some(_), .. });
        conn.write(|conn| {
            // A third party of the case is not made a beneficiary by writing in.
            let beneficiary = match Beneficiary::find_by_email(conn, &from)? {
                _ if from_third_party => None,
                Some(b) => Some(b),
                None => Some(Beneficiary::create(
                    conn,
                    NewBeneficiary {
                        display_name: mail.headers.from_name.clone().unwrap_or_else(|| from.as_str().to_owned()),
                        emails: vec![from.clone()],
                        audience_type: None,
                        preferred_language: None,
                    },
                    None,
                )?),
            };
            let mut notes = mail.notes.clone();
            let (case_id, new_case) = match &thread {
                Thread::Continues { case_id, .. } => (case_id.clone(), false),
                Thread::New | Thread::Stranger { .. } => {
                    let summary = if mail.subject.trim().is_empty() || mail.subject.trim() == "..." {
                        "(no subject)".to_owned()
                    } else {
                        mail.subject.clone()
                    };
                    let beneficiary_id = beneficiary.as_ref().map(|b| b.id.clone()).unwrap_or_default();
                    // The same intake as a case opened by a handler: decided and inserted
                    // together, the chosen person's load read again under a lock of them.
                    let fields = rempart_app::intake::CaseFields::intake(summary);
                    let case = rempart_app::intake::file(
                        conn,
                        &rempart_app::Actor::System,
                        beneficiary_id,
                        fields,
                        None,
                        language.clone(),
                        &self.policy,
                    )?;
                    (case.id, true)
                }
            };
            if let Thread::Stranger { answered_case_id } = &thread {
                // Our Message-IDs travel in clear in every reply's headers: anyone can
                // answer one. Never filed on that case as its beneficiary.
                notes.push(format!(
                    "this message answers one of our messages on another case, but its sender ({from}) is \
                     neither that case's beneficiary nor one of its third parties: it was filed as a new \
                     case, linked to that one"
                ));
                CaseLink::add(
                    conn,
                    &case_id,
                    answered_case_id,
                    rempart_core::LinkKind::Related,
                    Some("the sender answered a message of the linked case"),
                    None,
                )?;
            }
            let (party, third_party_id) = match &thread {
                Thread::Continues { third_party_id: Some(id), .. } => (Party::ThirdParty, Some(id.clone())),
                _ => (Party::Beneficiary, None),
            };
            let signed_by = mail.signature.signer.clone().filter(|_| mail.signature.status == SignatureStatus::Good);
            if mail.signature.status == SignatureStatus::Bad
                && let Some(detail) = &mail.signature.detail
            {
                notes.push(format!("bad signature: {detail}"));
            }
            // A third party's key is not the beneficiary's.
            let offered = beneficiary.as_ref().map(|b| (b.id.as_str(), mail.offered_keys.as_slice()));
            for (cert, key_source) in offered.map(|(_, keys)| keys).unwrap_or_default() {
                let beneficiary = offered.map(|(id, _)| id).unwrap_or_default();
                let armored = pgp::armored_public(cert)?;
                let Ok(fingerprint) = Fingerprint::parse(&cert.fingerprint().to_hex()) else { continue };
                let self_signed = signed_by.as_deref().is_some_and(|s| {
                    cert.keys().any(|k| k.key().fingerprint().to_hex() == s || k.key().keyid().to_hex() == s)
                });
                let provenance = format!(
                    "{} in message <{}> from {from}, {}",
                    key_source.as_str(),
                    mail.headers.message_id.as_deref().unwrap_or("without Message-ID"),
                    if self_signed { "signed by this key" } else { "not signed by this key" }
                );
                let origin =
                    KeyOrigin { source: key_source.as_str(), provenance: &provenance, trust: KeyTrust::Unconfirmed };
                let offer = Beneficiary::offer_certificate(conn, beneficiary, &armored, &fingerprint, origin, None)?;
                if let KeyOffer::PendingChange { .. } = offer {
                    notes.push(format!(
                        "the sender offered a different key ({fingerprint}, from {}); a handler must accept it",
                        key_source.as_str()
                    ));
                }
            }
            let case = Case::get(conn, &case_id)?;
            let mut body = mail.body.clone();
            if body.len() > MAX_BODY_BYTES {
                let mut cut = MAX_BODY_BYTES;
                while !body.is_char_boundary(cut) {
                    cut -= 1;
                }
                body.truncate(cut);
                notes.push("the body was longer than 10 MiB; the full text is in the raw message evidence".into());
            }
            let message = Message::add(
                conn,
                NewMessage {
                    case_id: case_id.clone(),
                    direction: Direction::Inbound,
                    party,
                    third_party_id,
                    channel: Channel::Email,
                    subject: mail.subject.chars().take(998).collect(),
                    body,
                    message_id: mail.headers.message_id.clone(),
                    in_reply_to: mail.headers.thread_ids.first().cloned(),
                    encrypted: mail.encrypted,
                    signature_status: mail.signature.status,
                    signer_fingerprint: mail.signature.signer.as_deref().and_then(|s| Fingerprint::parse(s).ok()),
                    delivery_status: None,
                    gateway_notes: (!notes.is_empty()).then(|| notes.join("\n")),
                    sender_address: Some(from.to_string()),
                    sender_name: mail.headers.from_name.clone(),
                },
                None,
            )?;
            let raw_sha256 = rempart_store::evidence::sha256_hex(raw);
            Evidence::add(
                conn,
                NewEvidence {
                    case_id: &case_id,
                    content: raw,
                    media_type: "message/rfc822",
                    original_name: &format!("message-{}.eml", &raw_sha256[..12]),
                    description: Some("the message exactly as received"),
                    message_id: Some(&message.id),
                },
                None,
            )?;
            for attachment in &mail.attachments {
                let stored = Evidence::add(
                    conn,
                    NewEvidence {
                        case_id: &case_id,
                        content: &attachment.content,
                        media_type: &attachment.media_type,
                        original_name: &attachment.name,
                        description: Some("attachment of an inbound message"),
                        message_id: Some(&message.id),
                    },
                    None,
                );
                if stored.is_err() {
                    // An odd media type must not lose the file.
                    Evidence::add(
                        conn,
                        NewEvidence {
                            case_id: &case_id,
                            content: &attachment.content,
                            media_type: "application/octet-stream",
                            original_name: &attachment.name,
                            description: Some("attachment of an inbound message"),
                            message_id: Some(&message.id),
                        },
                        None,
                    )?;
                }
            }
            let delivery = Delivery { message_id_header: message_id, body_sha256: digest, source };
            let outcome = ReceiptOutcome::Stored { case_id: &case_id, message_row_id: &message.id };
            Receipt::record(conn, &delivery, &raw_sha256, outcome, message.created_at)?;
            Ok(Outcome::Stored { case_id, reference: case.reference.to_string(), message_id: message.id, new_case })
        })
    }
}

fn duplicate(conn: &mut DbConn, message_id: &str, digest: &str) -> Result<Option<Outcome>, MailError> {
    Ok(Receipt::find(conn, message_id, digest)?
        .map(|r| Outcome::Duplicate { case_id: r.case_id, quarantine_id: r.quarantine_id }))
}

/// Where an inbound message belongs.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Thread {
    /// It continues this case, from its beneficiary or (with an id) one of its third parties.
    Continues { case_id: String, third_party_id: Option<String> },
    /// It answers one of our messages on this case, but its sender is nobody of that case:
    /// a new case, linked to that one.
    Stranger { answered_case_id: String },
    /// A new case.
    New,
}

/// The case a message continues: one of our Message-IDs in In-Reply-To/References first,
/// then the case reference in the (protected) subject; either only when the sender is that
/// case's beneficiary or one of its third parties. Message-IDs travel in clear and a
/// reference is easy to guess: nobody else gets into a case by quoting them.
fn find_thread(conn: &mut DbConn, mail: &Inbound, from: &EmailAddress) -> Result<Thread, MailError> {
    let mut answered = None;
    for id in &mail.headers.thread_ids {
        if let Some(message) = Message::find_by_message_id(conn, id)? {
            answered = Some(message.case_id);
            break;
        }
    }
    if let Some(case_id) = answered {
        let case = Case::get(conn, &case_id)?;
        return Ok(match sender_of(conn, &case, from)? {
            Some(third_party_id) => Thread::Continues { case_id, third_party_id },
            None => Thread::Stranger { answered_case_id: case_id },
        });
    }
    let reference =
        CaseReference::find_in_subject(&mail.subject).or_else(|| CaseReference::find_in_subject(&mail.headers.subject));
    if let Some(reference) = reference {
        let case = match Case::get_by_reference(conn, &reference) {
            Ok(case) => case,
            Err(rempart_store::StoreError::NotFound { .. }) => return Ok(Thread::New),
            Err(e) => return Err(e.into()),
        };
        if let Some(third_party_id) = sender_of(conn, &case, from)? {
            return Ok(Thread::Continues { case_id: case.id, third_party_id });
        }
    }
    Ok(Thread::New)
}

/// Whether `from` belongs to this case: `Some(None)` for one of the beneficiary's
/// addresses, `Some(Some(id))` for a third party of the case, `None` for anyone else.
fn sender_of(conn: &mut DbConn, case: &Case, from: &EmailAddress) -> Result<Option<Option<String>>, MailError> {
    if let Some(sender) = Beneficiary::find_by_email(conn, from)?
        && sender.id == case.beneficiary_id
    {
        return Ok(Some(None));
    }
    Ok(ThirdParty::find_on_case_by_email(conn, &case.id, from)?.map(|t| Some(t.id)))
}
