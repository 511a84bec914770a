//! The outbox worker: takes due replies (with a lease, so several processes can run it),
//! encrypts, signs and sends them, and records each outcome.

use crate::error::MailError;
use crate::outbound::{self, Reply, SendError, SmtpSender};
use crate::pgp::{self, Keyring};
use lettre::message::Mailbox;
use rempart_core::{DeliveryStatus, Direction};
use rempart_store::beneficiaries::Beneficiary;
use rempart_store::case_items::Message;
use rempart_store::cases::Case;
use rempart_store::mail::{Attempt, Outbox};
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
                Attempt::Sent => tracing::info!(message = %id, "reply sent"),
                other => tracing::warn!(message = %id, outcome = ?other, "reply not sent"),
            }
            Outbox::finish(&mut conn, id, &self.worker_id, attempt)?;
        }
        Ok(())
    }

    fn attempt(&self, conn: &mut DbConn, message_row_id: &str) -> Result<Attempt, MailError> {
        let message = Message::get(conn, message_row_id)?;
        let case = Case::get(conn, &message.case_id)?;
        let beneficiary = Beneficiary::detail(conn, &case.beneficiary_id)?;
        let Some(address) = beneficiary
            .emails
            .iter()
            .find(|e| e.is_primary)
            .or_else(|| beneficiary.emails.first())
            .map(|e| e.address.as_str().to_owned())
        else {
            return Ok(Attempt::Failed("the beneficiary has no e-mail address".into()));
        };
        let to_address: lettre::Address =
            address.parse::<lettre::Address>().map_err(|e| MailError::Malformed(format!("recipient address: {e}")))?;
        let to = Mailbox::new(None, to_address.clone());
        let cert = beneficiary
            .beneficiary
            .pgp_certificate
            .as_deref()
            .map(|armored| pgp::parse_certificate(armored.as_bytes()));
        let cert = match cert {
            None => return Ok(self.needs_key(&to_address, "no OpenPGP key is pinned for the beneficiary")),
            Some(Err(e)) => return Ok(self.needs_key(&to_address, &format!("the pinned key cannot be read: {e}"))),
            Some(Ok(cert)) => cert,
        };
        if let Some(problem) = pgp::encryption_problem(&cert) {
            return Ok(self.needs_key(&to_address, &problem));
        }
        let domain = self.from.email.domain().to_owned();
        let message_id =
            Outbox::ensure_message_id(conn, message_row_id, || format!("{}@{domain}", uuid::Uuid::new_v4()))?;
        let parent = last_inbound_message_id(conn, &message.case_id)?;
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
            Ok(()) => Attempt::Sent,
            Err(SendError::Transient(e)) => Attempt::Retry(e),
            Err(SendError::Permanent(e)) => Attempt::Failed(e),
        })
    }

    fn needs_key(&self, to: &lettre::Address, reason: &str) -> Attempt {
        if self.no_key == NoKeyPolicy::HoldAndAskForKey {
            let notice = key_request_notice(&self.from, to, &self.keyring);
            match notice.map(|n| self.smtp.send(&n)) {
                Ok(Ok(())) => tracing::info!("sent a key request notice"),
                Ok(Err(e)) => tracing::warn!(error = ?e, "the key request notice was not sent"),
                Err(e) => tracing::warn!(error = %e, "the key request notice could not be built"),
            }
        }
        Attempt::NeedsKey(reason.to_owned())
    }
}

/// The Message-ID of the most recent inbound message of the case, for In-Reply-To.
fn last_inbound_message_id(conn: &mut DbConn, case_id: &str) -> Result<Option<String>, MailError> {
    let messages = Message::for_case(conn, case_id)?;
    Ok(messages
        .into_iter()
        .rev()
        .find(|m| m.direction == Direction::Inbound && m.message_id.is_some())
        .and_then(|m| m.message_id))
}

/// A short notice that says nothing about the case: the helpline has a message and needs
/// the recipient's OpenPGP key to send it. The helpline's public key is attached.
fn key_request_notice(from: &Mailbox, to: &lettre::Address, keyring: &Keyring) -> Result<lettre::Message, MailError> {
    use lettre::message::header::ContentType;
    use lettre::message::{Attachment, MultiPart, SinglePart};
    let key = keyring.public_armored()?;
    let text = "Hello,\r\n\r\nWe have a reply for you, but we only send it encrypted and we do not have a \
                working OpenPGP key for this address. Please answer this message with your public key \
                attached (or from a mail client with Autocrypt enabled).\r\n\r\nOur own public key is \
                attached.\r\n";
    lettre::Message::builder()
        .from(from.clone())
        .to(Mailbox::new(None, to.clone()))
        .subject("Please send us your OpenPGP key")
        .multipart(
            MultiPart::mixed().singlepart(SinglePart::plain(String::from(text))).singlepart(
                Attachment::new(String::from("helpline-key.asc"))
                    .body(key, ContentType::parse("application/pgp-keys").map_err(|e| MailError::Pgp(e.to_string()))?),
            ),
        )
        .map_err(|e| MailError::Malformed(format!("cannot build the notice: {e}")))
}

/// Whether a message still waits in the outbox (for tests and the CLI).
pub fn delivery_status(conn: &mut DbConn, message_row_id: &str) -> Result<Option<DeliveryStatus>, MailError> {
    Ok(Message::get(conn, message_row_id)?.delivery_status)
}
