//! The outbox worker: takes due replies (with a lease, so several processes can run it),
//! encrypts, signs and sends them, and records each outcome.

use crate::error::MailError;
use crate::outbound::{self, Reply, SendError, SmtpSender};
use crate::pgp::{self, Keyring};
use lettre::message::Mailbox;
use rempart_core::{DeliveryStatus, Direction};
use rempart_store::beneficiaries::Beneficiary;
use rempart_store::case_items::ThirdParty;
use rempart_store::cases::Case;
use rempart_store::messages::Message;
use rempart_store::messages::{Attempt, Outbox, SentAs};
use rempart_store::{DbConn, DbPool};

/// What to do with a reply to a beneficiary who has no usable key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoKeyPolicy {
    /// Hold the reply as `needs_key`; the case shows it. Nothing leaves in clear.
    #[default]
    Hold,
    /// Hold it, and send a short notice without any case content asking for the key.
    HoldAndAskForKey,
}

#[derive(Debug, Clone)]
pub struct OutboxWorker {
    pub pool: DbPool,
    pub keyring: Keyring,
    pub smtp: SmtpSender,
    /// The helpline's address (From of every reply).
    pub from: Mailbox,
    /// Identifies this process in the leases.
    pub worker_id: String,
    pub no_key: NoKeyPolicy,
    pub batch: i64,
    /// Replies handed to SMTP at the same time. SMTP clients wait on the network (lettre
    /// pays a delayed-ACK round trip per message), so a few in flight multiply throughput.
    pub concurrency: usize,
    /// How long a claimed reply stays this worker's: past it, another process (after a
    /// crash of this one) takes it over.
    pub lease: chrono::Duration,
}

impl OutboxWorker {
    /// Sends what is due. Returns how many replies were handled.
    pub fn run_once(&self) -> Result<usize, MailError> {
        let claimed = {
            let mut conn = self.pool.get()?;
            Outbox::claim(&mut conn, &self.worker_id, self.batch, self.lease)?
        };
        let count = claimed.len();
        let lanes = self.concurrency.clamp(1, 32);
        let ids: Vec<String> = claimed.into_iter().map(|e| e.message_row_id).collect();
        let chunk = ids.len().div_ceil(lanes).max(1);
        std::thread::scope(|scope| {
            let handles: Vec<_> = ids.chunks(chunk).map(|lane| scope.spawn(move || self.deliver_all(lane))).collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|_| Err(MailError::Smtp("a delivery thread panicked".into()))))
                .collect::<Result<Vec<()>, MailError>>()
        })?;
        Ok(count)
    }

    fn deliver_all(&self, ids: &[String]) -> Result<(), MailError> {
        let mut conn = self.pool.get()?;
        for id in ids {
            let attempt = self.attempt(&mut conn, id);
            let attempt = match attempt {
                Ok(a) => a,
                Err(e) if e.is_transient() => Attempt::Retry(e.to_string()),
                Err(e) => Attempt::Failed(e.to_string()),
            };
            match &attempt {
                Attempt::Sent(_) => tracing::info!(message = %id, "reply sent"),
                other => tracing::warn!(message = %id, outcome = ?other, "reply not sent"),
            }
            Outbox::finish(&mut conn, id, &self.worker_id, attempt)?;
        }
        Ok(())
    }

    fn attempt(&self, conn: &mut DbConn, message_row_id: &str) -> Result<Attempt, MailError> {
        let message = Message::get(conn, message_row_id)?;
        let (to_address, cert) = match &message.third_party_id {
            Some(party) => match self.third_party(conn, party)? {
                Ok(found) => found,
                Err(attempt) => return Ok(attempt),
            },
            None => match self.beneficiary(conn, &message)? {
                Ok(found) => found,
                Err(attempt) => return Ok(attempt),
            },
        };
        let to = Mailbox::new(None, to_address);
        let domain = self.from.email.domain().to_owned();
        let message_id =
            Outbox::ensure_message_id(conn, message_row_id, || format!("{}@{domain}", uuid::Uuid::new_v4()))?;
        let parent = last_inbound_message_id(conn, &message.case_id, message.third_party_id.as_deref())?;
        let reply = Reply {
            from: &self.from,
            to: &to,
            subject: &message.subject,
            body: &message.body,
            message_id: &message_id,
            in_reply_to: parent.as_deref(),
        };
        let email = outbound::compose(&reply, &cert, &self.keyring)?;
        Ok(match self.smtp.send(&email) {
            Ok(()) => Attempt::Sent(SentAs {
                encrypted: true,
                signer_fingerprint: Some(self.keyring.fingerprint()),
                in_reply_to: parent,
            }),
            Err(SendError::Transient(e)) => Attempt::Retry(e),
            Err(SendError::Permanent(e)) => Attempt::Failed(e),
        })
    }

    /// The beneficiary's address and key, or why the reply cannot leave now.
    fn beneficiary(
        &self,
        conn: &mut DbConn,
        message: &Message,
    ) -> Result<Result<(lettre::Address, sequoia_openpgp::Cert), Attempt>, MailError> {
        let case = Case::get(conn, &message.case_id)?;
        let beneficiary = Beneficiary::detail(conn, &case.beneficiary_id)?;
        let Some(address) = beneficiary
            .emails
            .iter()
            .find(|e| e.is_primary)
            .or_else(|| beneficiary.emails.first())
            .map(|e| e.address.as_str().to_owned())
        else {
            return Ok(Err(Attempt::Failed("the beneficiary has no e-mail address".into())));
        };
        let to_address = recipient(&address)?;
        let cert = beneficiary
            .beneficiary
            .pgp_certificate
            .as_deref()
            .map(|armored| pgp::parse_certificate(armored.as_bytes()));
        let cert = match cert {
            None => return Ok(Err(self.needs_key(&to_address, "no OpenPGP key is pinned for the beneficiary"))),
            Some(Err(e)) => {
                return Ok(Err(self.needs_key(&to_address, &format!("the pinned key cannot be read: {e}"))));
            }
            Some(Ok(cert)) => cert,
        };
        if let Some(problem) = pgp::encryption_problem(&cert) {
            return Ok(Err(self.needs_key(&to_address, &problem)));
        }
        if let Some(reason) = held(&beneficiary, message) {
            // A key exists: no key request, the case shows why the reply waits.
            return Ok(Err(Attempt::NeedsKey(reason)));
        }
        Ok(Ok((to_address, cert)))
    }

    /// A third party's address and key, or why the message waits: never in clear, and no
    /// key request (a third party is asked for their key by the handler, not by Rempart).
    fn third_party(
        &self,
        conn: &mut DbConn,
        id: &str,
    ) -> Result<Result<(lettre::Address, sequoia_openpgp::Cert), Attempt>, MailError> {
        let party = ThirdParty::get(conn, id)?;
        let Some(address) = party.email else {
            return Ok(Err(Attempt::Failed("the third party has no e-mail address".into())));
        };
        let to_address = recipient(address.as_str())?;
        let Some(armored) = party.pgp_certificate else {
            return Ok(Err(Attempt::NeedsKey("no OpenPGP key is known for this third party".into())));
        };
        let cert = match pgp::parse_certificate(armored.as_bytes()) {
            Ok(cert) => cert,
            Err(e) => return Ok(Err(Attempt::NeedsKey(format!("the third party's key cannot be read: {e}")))),
        };
        if let Some(problem) = pgp::encryption_problem(&cert) {
            return Ok(Err(Attempt::NeedsKey(problem)));
        }
        Ok(Ok((to_address, cert)))
    }

    fn needs_key(&self, to: &lettre::Address, reason: &str) -> Attempt {
        if self.no_key == NoKeyPolicy::HoldAndAskForKey {
            let notice = key_request_notice(&self.from, to, &self.keyring);
            match notice.map(|n| self.smtp.send_raw(&self.from.email, to, &n)) {
                Ok(Ok(())) => tracing::info!("sent a key request notice"),
                Ok(Err(e)) => tracing::warn!(error = ?e, "the key request notice was not sent"),
                Err(e) => tracing::warn!(error = %e, "the key request notice could not be built"),
            }
        }
        Attempt::NeedsKey(reason.to_owned())
    }
}

/// Why a reply to a beneficiary with a usable key must still wait, if it must:
/// - a key change is pending: the reply leaves once a handler accepts it (to the new key)
///   or rejects it (to the old one), never silently to the old key;
/// - the key was learned from mail after the reply was written and nobody has confirmed
///   it: whoever sent that mail may not be the beneficiary (From and Autocrypt headers are
///   forgeable), so a reply written for the beneficiary waits for a handler to compare the
///   fingerprint out of band.
fn held(beneficiary: &rempart_store::beneficiaries::BeneficiaryDetail, message: &Message) -> Option<String> {
    use rempart_core::{KeyChangeStatus, KeyTrust};
    if let Some(change) = beneficiary.key_changes.iter().find(|k| k.status == KeyChangeStatus::Pending) {
        return Some(format!("reply held: a key change to {} is pending; accept or reject it", change.new_fingerprint));
    }
    let b = &beneficiary.beneficiary;
    let unconfirmed = b.key_trust != Some(KeyTrust::Confirmed);
    let written_before_key = b.key_pinned_at.is_some_and(|pinned| message.created_at < pinned);
    if unconfirmed && written_before_key {
        let fingerprint = b.pgp_fingerprint.as_ref().map(ToString::to_string).unwrap_or_default();
        let provenance = b.key_provenance.as_deref().unwrap_or("unknown");
        return Some(format!("reply held: confirm the key {fingerprint} ({provenance})"));
    }
    None
}

fn recipient(address: &str) -> Result<lettre::Address, MailError> {
    address.parse::<lettre::Address>().map_err(|e| MailError::Malformed(format!("recipient address: {e}")))
}

/// The Message-ID of the most recent inbound message of the case from the same
/// correspondent (the beneficiary, or third party `third_party_id`), for In-Reply-To: one
/// correspondent never sees the identifier of another's mail.
fn last_inbound_message_id(
    conn: &mut DbConn,
    case_id: &str,
    third_party_id: Option<&str>,
) -> Result<Option<String>, MailError> {
    let messages = Message::for_case(conn, case_id)?;
    Ok(messages
        .into_iter()
        .rev()
        .find(|m| {
            m.direction == Direction::Inbound && m.message_id.is_some() && m.third_party_id.as_deref() == third_party_id
        })
        .and_then(|m| m.message_id))
}

/// A short notice that says nothing about the case: the helpline has a message and needs
/// the recipient's OpenPGP key to send it, and will check the key's fingerprint with them
/// through another channel before sending anything to it. Signed by the helpline (RFC 3156
/// multipart/signed) with its own Message-ID; the helpline's public key is attached.
pub fn key_request_notice(from: &Mailbox, to: &lettre::Address, keyring: &Keyring) -> Result<Vec<u8>, MailError> {
    use base64::Engine;
    let key = keyring.public_armored()?;
    let fingerprint = keyring.fingerprint();
    let text = format!(
        "Hello,\r\n\r\nWe have a reply for you, but we only send it encrypted and we do not have a \
         working OpenPGP key for this address. Please answer this message with your public key \
         attached (or from a mail client with Autocrypt enabled).\r\n\r\nBefore we send anything \
         to a key received by e-mail, we will check its fingerprint with you through another \
         channel (phone, Signal or in person): anyone can send an e-mail in your name.\r\n\r\n\
         Our own public key is attached; its fingerprint is {fingerprint}.\r\n"
    );
    let id = uuid::Uuid::new_v4();
    let boundary = format!("rempart-notice-{}", uuid::Uuid::new_v4().simple());
    let inner_boundary = format!("rempart-part-{}", uuid::Uuid::new_v4().simple());
    let b64 = |bytes: &[u8]| {
        let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
        encoded.as_bytes().chunks(76).map(|c| String::from_utf8_lossy(c).into_owned() + "\r\n").collect::<String>()
    };
    // The signed entity, exactly as it travels (CRLF, 7-bit): RFC 3156 section 5.
    let signed = format!(
        "Content-Type: multipart/mixed; boundary=\"{inner_boundary}\"\r\n\r\n\
         --{inner_boundary}\r\nContent-Type: text/plain; charset=\"utf-8\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\
         --{inner_boundary}\r\nContent-Type: application/pgp-keys; name=\"helpline-key.asc\"\r\n\
         Content-Disposition: attachment; filename=\"helpline-key.asc\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\
         --{inner_boundary}--\r\n",
        b64(text.as_bytes()),
        b64(key.as_bytes()),
    );
    let signature = pgp::sign_detached(signed.as_bytes(), keyring)?;
    let signature = String::from_utf8(signature).map_err(|_| MailError::Pgp("armor is not UTF-8".into()))?;
    let domain = from.email.domain();
    let date = chrono::Utc::now().to_rfc2822();
    let mut raw = format!(
        "From: {from}\r\nTo: {to}\r\nSubject: Please send us your OpenPGP key\r\nDate: {date}\r\n\
         Message-ID: <{id}@{domain}>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/signed; boundary=\"{boundary}\"; protocol=\"application/pgp-signature\"; \
         micalg=pgp-sha256\r\n\r\n--{boundary}\r\n"
    );
    raw.push_str(&signed);
    raw.push_str(&format!(
        "\r\n--{boundary}\r\nContent-Type: application/pgp-signature; name=\"signature.asc\"\r\n\
         Content-Disposition: attachment; filename=\"signature.asc\"\r\n\r\n{}\r\n--{boundary}--\r\n",
        signature.replace("\r\n", "\n").replace('\n', "\r\n").trim_end()
    ));
    Ok(raw.into_bytes())
}

/// Whether a message still waits in the outbox (for tests and the CLI).
pub fn delivery_status(conn: &mut DbConn, message_row_id: &str) -> Result<Option<DeliveryStatus>, MailError> {
    Ok(Message::get(conn, message_row_id)?.delivery_status)
}
