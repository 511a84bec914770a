//! Storage of the mail gateway: receipts (idempotent ingestion), the quarantine of messages
//! that could not be read, and the outbox of replies with leases for several workers.

use crate::audit::{Audit, AuditEvent};
use crate::case_items::Message;
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::evidence::{get_blob, put_blob};
use crate::lease::{AfterFailure, Lease, lease_free};
use crate::schema::{mail_quarantine, mail_receipts, messages, outbox};
use crate::util::{new_id, now};
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use rempart_core::DeliveryStatus;
use serde::Serialize;

// ----------------------------------------------------------------------------- receipts

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = mail_receipts)]
pub struct Receipt {
    pub id: String,
    pub message_id_header: String,
    pub body_sha256: String,
    pub raw_sha256: String,
    pub source: String,
    pub outcome: String,
    pub case_id: Option<String>,
    pub message_row_id: Option<String>,
    pub quarantine_id: Option<String>,
    #[serde(with = "rempart_core::utc")]
    pub received_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = mail_receipts)]
pub struct ReceiptInsertForm {
    pub id: String,
    pub message_id_header: String,
    pub body_sha256: String,
    pub raw_sha256: String,
    pub source: String,
    pub outcome: String,
    pub case_id: Option<String>,
    pub message_row_id: Option<String>,
    pub quarantine_id: Option<String>,
    pub received_at: NaiveDateTime,
}

impl Receipt {
    /// The receipt of an earlier delivery of the same message, if any.
    pub fn find(conn: &mut DbConn, message_id_header: &str, body_sha256: &str) -> StoreResult<Option<Receipt>> {
        Ok(mail_receipts::table
            .filter(mail_receipts::message_id_header.eq(message_id_header))
            .filter(mail_receipts::body_sha256.eq(body_sha256))
            .select(Receipt::as_select())
            .first(conn)
            .optional()?)
    }

    pub fn insert(conn: &mut DbConn, form: &ReceiptInsertForm) -> StoreResult<()> {
        diesel::insert_into(mail_receipts::table).values(form).execute(conn)?;
        Ok(())
    }

    /// Records what became of one delivery, inside the caller's transaction. The unique
    /// (Message-ID, body digest) makes a concurrent second delivery fail here and roll back.
    pub fn record(
        conn: &mut DbConn,
        delivery: &Delivery<'_>,
        raw_sha256: &str,
        outcome: ReceiptOutcome<'_>,
        at: NaiveDateTime,
    ) -> StoreResult<()> {
        let (name, case_id, message_row_id, quarantine_id) = match outcome {
            ReceiptOutcome::Stored { case_id, message_row_id } => ("stored", Some(case_id), Some(message_row_id), None),
            ReceiptOutcome::Quarantined { quarantine_id } => ("quarantined", None, None, Some(quarantine_id)),
        };
        Receipt::insert(
            conn,
            &ReceiptInsertForm {
                id: new_id(),
                message_id_header: delivery.message_id_header.to_owned(),
                body_sha256: delivery.body_sha256.to_owned(),
                raw_sha256: raw_sha256.to_owned(),
                source: delivery.source.to_owned(),
                outcome: name.to_owned(),
                case_id: case_id.map(str::to_owned),
                message_row_id: message_row_id.map(str::to_owned),
                quarantine_id: quarantine_id.map(str::to_owned),
                received_at: at,
            },
        )
    }
}

/// What identifies one delivery of a message.
#[derive(Debug, Clone, Copy)]
pub struct Delivery<'a> {
    /// The Message-ID header, empty when the message has none.
    pub message_id_header: &'a str,
    /// SHA-256 of the body (after the header block).
    pub body_sha256: &'a str,
    /// `mailgate` or `imap`.
    pub source: &'a str,
}

/// Where a delivery ended up.
#[derive(Debug, Clone, Copy)]
pub enum ReceiptOutcome<'a> {
    Stored { case_id: &'a str, message_row_id: &'a str },
    Quarantined { quarantine_id: &'a str },
}

// --------------------------------------------------------------------------- quarantine

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = mail_quarantine)]
pub struct QuarantinedMail {
    pub id: String,
    #[serde(with = "rempart_core::utc")]
    pub received_at: NaiveDateTime,
    /// `mailgate` or `imap`.
    pub source: String,
    /// Stable code: `malformed`, `undecryptable`, `too_large`, ...
    pub reason_code: String,
    /// The reason in words.
    pub reason: String,
    pub from_address: Option<String>,
    /// The outer subject, as received.
    pub subject: String,
    pub message_id_header: Option<String>,
    /// SHA-256 of the raw message, kept byte for byte.
    pub raw_sha256: String,
    pub size: i64,
    #[serde(with = "rempart_core::utc::option")]
    pub resolved_at: Option<NaiveDateTime>,
    pub resolved_by: Option<String>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = mail_quarantine)]
pub struct QuarantineInsertForm {
    pub id: String,
    pub received_at: NaiveDateTime,
    pub source: String,
    pub reason_code: String,
    pub reason: String,
    pub from_address: Option<String>,
    pub subject: String,
    pub message_id_header: Option<String>,
    pub raw_sha256: String,
    pub size: i64,
}

/// What the gateway knows about a message it could not read.
#[derive(Debug, Clone)]
pub struct NewQuarantine<'a> {
    pub source: &'a str,
    pub reason_code: &'a str,
    pub reason: &'a str,
    pub from_address: Option<&'a str>,
    pub subject: &'a str,
    pub message_id_header: Option<&'a str>,
    pub raw: &'a [u8],
}

impl QuarantinedMail {
    /// Stores the raw bytes and the reason. Runs inside the caller's transaction.
    pub fn insert(conn: &mut DbConn, new: NewQuarantine<'_>) -> StoreResult<QuarantinedMail> {
        let raw_sha256 = put_blob(conn, new.raw)?;
        let form = QuarantineInsertForm {
            id: new_id(),
            received_at: now(),
            source: new.source.to_owned(),
            reason_code: new.reason_code.to_owned(),
            reason: new.reason.chars().take(2000).collect(),
            from_address: new.from_address.map(str::to_owned),
            subject: new.subject.chars().take(998).collect(),
            message_id_header: new.message_id_header.map(str::to_owned),
            raw_sha256,
            size: i64::try_from(new.raw.len()).unwrap_or(i64::MAX),
        };
        diesel::insert_into(mail_quarantine::table).values(&form).execute(conn)?;
        AuditEvent::record(
            conn,
            Audit {
                actor: None,
                action: "mail.quarantined",
                case_id: None,
                target: Some(("quarantine", &form.id)),
                details: format!("reason={}", form.reason_code),
            },
        )?;
        QuarantinedMail::get(conn, &form.id)
    }

    pub fn get(conn: &mut DbConn, id: &str) -> StoreResult<QuarantinedMail> {
        mail_quarantine::table
            .find(id)
            .select(QuarantinedMail::as_select())
            .first(conn)
            .optional()?
            .ok_or_else(|| StoreError::not_found("quarantined mail", id))
    }

    /// Newest first; `unresolved_only` hides what a handler has dealt with.
    pub fn list(conn: &mut DbConn, unresolved_only: bool, limit: i64) -> StoreResult<Vec<QuarantinedMail>> {
        let mut query = mail_quarantine::table.select(QuarantinedMail::as_select()).into_boxed();
        if unresolved_only {
            query = query.filter(mail_quarantine::resolved_at.is_null());
        }
        Ok(query.order((mail_quarantine::received_at.desc(), mail_quarantine::id.desc())).limit(limit).load(conn)?)
    }

    pub fn raw(conn: &mut DbConn, id: &str) -> StoreResult<Vec<u8>> {
        let item = QuarantinedMail::get(conn, id)?;
        get_blob(conn, &item.raw_sha256)
    }

    /// Marks an item as dealt with (the raw bytes stay).
    pub fn resolve(conn: &mut DbConn, id: &str, actor: &str) -> StoreResult<QuarantinedMail> {
        conn.write(|conn| {
            QuarantinedMail::get(conn, id)?;
            diesel::update(mail_quarantine::table.find(id))
                .set((mail_quarantine::resolved_at.eq(Some(now())), mail_quarantine::resolved_by.eq(Some(actor))))
                .execute(conn)?;
            AuditEvent::record(
                conn,
                Audit {
                    actor: Some(actor),
                    action: "mail.quarantine_resolved",
                    case_id: None,
                    target: Some(("quarantine", id)),
                    details: String::new(),
                },
            )?;
            QuarantinedMail::get(conn, id)
        })
    }
}

// ------------------------------------------------------------------------------- outbox

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = outbox)]
pub struct OutboxEntry {
    pub message_row_id: String,
    pub attempts: i32,
    #[serde(with = "rempart_core::utc")]
    pub next_attempt_at: NaiveDateTime,
    #[serde(with = "rempart_core::utc::option")]
    pub locked_until: Option<NaiveDateTime>,
    pub locked_by: Option<String>,
    pub last_error: Option<String>,
    #[serde(with = "rempart_core::utc")]
    pub created_at: NaiveDateTime,
}

/// What became of one delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    Sent(SentAs),
    /// No usable certificate: held until a key arrives (never sent in clear).
    NeedsKey(String),
    /// Try again later (SMTP or network trouble).
    Retry(String),
    /// Give up (the SMTP server refused the message permanently, or too many attempts).
    Failed(String),
}

/// How a reply left: recorded on the message, so the case shows what was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentAs {
    pub encrypted: bool,
    /// Fingerprint of the helpline key that signed it.
    pub signer_fingerprint: Option<String>,
    /// The Message-ID it answered (In-Reply-To), without angle brackets.
    pub in_reply_to: Option<String>,
}

pub struct Outbox;

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Outbox")
    }
}

impl Outbox {
    /// Adds a reply to the outbox, inside the caller's transaction.
    pub fn enqueue(conn: &mut DbConn, message_row_id: &str, at: NaiveDateTime) -> StoreResult<()> {
        let row = (
            outbox::message_row_id.eq(message_row_id),
            outbox::attempts.eq(0),
            outbox::next_attempt_at.eq(at),
            outbox::created_at.eq(at),
        );
        match conn {
            DbConn::Sqlite(c) => diesel::insert_into(outbox::table).values(row).on_conflict_do_nothing().execute(c)?,
            DbConn::Postgres(c) => {
                diesel::insert_into(outbox::table).values(row).on_conflict_do_nothing().execute(c)?
            }
        };
        Ok(())
    }

    pub fn get(conn: &mut DbConn, message_row_id: &str) -> StoreResult<Option<OutboxEntry>> {
        Ok(outbox::table.find(message_row_id).select(OutboxEntry::as_select()).first(conn).optional()?)
    }

    pub fn pending(conn: &mut DbConn) -> StoreResult<i64> {
        Ok(outbox::table.count().get_result(conn)?)
    }

    /// Takes a lease on up to `limit` due replies for `worker` ([`crate::lease`]).
    pub fn claim(conn: &mut DbConn, worker: &str, limit: i64, lease: Duration) -> StoreResult<Vec<OutboxEntry>> {
        let lease = Lease::new(worker, lease);
        lease.take_each(
            conn,
            |conn| {
                Ok(outbox::table
                    .filter(outbox::next_attempt_at.le(lease.at))
                    .filter(lease_free!(outbox::locked_until, lease.at))
                    .order(outbox::next_attempt_at.asc())
                    .limit(limit)
                    .select(outbox::message_row_id)
                    .load(conn)?)
            },
            |conn, id| {
                Ok(diesel::update(outbox::table.find(id).filter(lease_free!(outbox::locked_until, lease.at)))
                    .set((outbox::locked_until.eq(Some(lease.until)), outbox::locked_by.eq(Some(lease.worker))))
                    .execute(conn)?)
            },
            Outbox::get,
        )
    }

    /// Sets the RFC 5322 Message-ID of a reply before its first sending, so that every retry
    /// carries the same one and the beneficiary's answer threads back.
    pub fn ensure_message_id(
        conn: &mut DbConn,
        message_row_id: &str,
        generate: impl FnOnce() -> String,
    ) -> StoreResult<String> {
        conn.write(|conn| {
            let message = Message::get(conn, message_row_id)?;
            if let Some(id) = message.message_id {
                return Ok(id);
            }
            let id = generate();
            diesel::update(messages::table.find(message_row_id))
                .set(messages::message_id.eq(Some(&id)))
                .execute(conn)?;
            Ok(id)
        })
    }

    /// Records the outcome of an attempt by `worker` (ignored if its lease was lost).
    pub fn finish(conn: &mut DbConn, message_row_id: &str, worker: &str, attempt: Attempt) -> StoreResult<()> {
        conn.write(|conn| {
            let Some(entry) = Outbox::get(conn, message_row_id)? else { return Ok(()) };
            if entry.locked_by.as_deref() != Some(worker) {
                return Ok(());
            }
            let attempts = entry.attempts + 1;
            let retry = match &attempt {
                Attempt::Retry(_) => crate::lease::after_failure(attempts, now()),
                _ => AfterFailure::GiveUp,
            };
            let (status, error) = match (&attempt, retry) {
                (Attempt::Sent(_), _) => (Some(DeliveryStatus::Sent), None),
                (Attempt::NeedsKey(reason), _) => (Some(DeliveryStatus::NeedsKey), Some(reason.clone())),
                (Attempt::Failed(reason), _) => (Some(DeliveryStatus::Failed), Some(reason.clone())),
                (Attempt::Retry(reason), AfterFailure::GiveUp) => {
                    (Some(DeliveryStatus::Failed), Some(format!("gave up after {attempts} attempts: {reason}")))
                }
                (Attempt::Retry(reason), AfterFailure::RetryAt(_)) => (None, Some(reason.clone())),
            };
            match retry {
                AfterFailure::RetryAt(next) if status.is_none() => {
                    diesel::update(outbox::table.find(message_row_id))
                        .set((
                            outbox::attempts.eq(attempts),
                            outbox::next_attempt_at.eq(next),
                            outbox::locked_until.eq(None::<NaiveDateTime>),
                            outbox::locked_by.eq(None::<String>),
                            outbox::last_error.eq(error.clone()),
                        ))
                        .execute(conn)?;
                }
                _ => {
                    diesel::delete(outbox::table.find(message_row_id)).execute(conn)?;
                }
            }
            if let Some(status) = status {
                let message = Message::get(conn, message_row_id)?;
                diesel::update(messages::table.find(message_row_id))
                    .set(messages::delivery_status.eq(Some(String::from(status))))
                    .execute(conn)?;
                if let Attempt::Sent(sent) = &attempt {
                    use rempart_core::SignatureStatus;
                    let signed =
                        if sent.signer_fingerprint.is_some() { SignatureStatus::Good } else { SignatureStatus::None };
                    diesel::update(messages::table.find(message_row_id))
                        .set((
                            messages::encrypted.eq(sent.encrypted),
                            messages::signature_status.eq(String::from(signed)),
                            messages::signer_fingerprint.eq(sent.signer_fingerprint.as_deref()),
                            messages::in_reply_to.eq(sent.in_reply_to.as_deref()),
                        ))
                        .execute(conn)?;
                }
                let mut details = format!("status={status} attempts={attempts}");
                if let Some(e) = &error {
                    details.push_str(&format!(" reason={}", e.chars().take(300).collect::<String>()));
                }
                AuditEvent::record(
                    conn,
                    Audit {
                        actor: None,
                        action: "message.delivery_status",
                        case_id: Some(&message.case_id),
                        target: Some(("message", message_row_id)),
                        details,
                    },
                )?;
            }
            Ok(())
        })
    }

    /// Exponential backoff: 1, 2, 4 ... minutes, at most 6 hours.
    pub fn backoff(attempts: i32) -> Duration {
        let exp = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
        Duration::minutes(2_i64.saturating_pow(exp).min(360))
    }

    /// Puts every reply to this beneficiary that was held for want of a key back in the
    /// outbox: a key was just pinned or refreshed. Runs inside the caller's transaction.
    pub fn release_held_for(conn: &mut DbConn, beneficiary_id: &str) -> StoreResult<usize> {
        use crate::schema::cases;
        let held: Vec<(String, String)> = messages::table
            .filter(messages::delivery_status.eq(String::from(DeliveryStatus::NeedsKey)))
            .filter(
                messages::case_id
                    .eq_any(cases::table.filter(cases::beneficiary_id.eq(beneficiary_id)).select(cases::id)),
            )
            .select((messages::id, messages::case_id))
            .load(conn)?;
        let at = now();
        for (id, case_id) in &held {
            diesel::update(messages::table.find(id))
                .set(messages::delivery_status.eq(Some(String::from(DeliveryStatus::Queued))))
                .execute(conn)?;
            Outbox::enqueue(conn, id, at)?;
            AuditEvent::record(
                conn,
                Audit {
                    actor: None,
                    action: "message.requeued",
                    case_id: Some(case_id),
                    target: Some(("message", id)),
                    details: "reason=key_available".into(),
                },
            )?;
        }
        Ok(held.len())
    }

    /// Puts a reply held for want of a key back in the outbox (a key has arrived).
    pub fn requeue(conn: &mut DbConn, message_row_id: &str, actor: Option<&str>) -> StoreResult<()> {
        conn.write(|conn| {
            let message = Message::get(conn, message_row_id)?;
            if !matches!(message.delivery_status, Some(DeliveryStatus::NeedsKey | DeliveryStatus::Failed)) {
                return Err(StoreError::Conflict("only replies held for a key or failed can be sent again".into()));
            }
            diesel::update(messages::table.find(message_row_id))
                .set(messages::delivery_status.eq(Some(String::from(DeliveryStatus::Queued))))
                .execute(conn)?;
            Outbox::enqueue(conn, message_row_id, now())?;
            AuditEvent::record(
                conn,
                Audit {
                    actor,
                    action: "message.requeued",
                    case_id: Some(&message.case_id),
                    target: Some(("message", message_row_id)),
                    details: String::new(),
                },
            )?;
            Ok(())
        })
    }
}
