//! The outbox: replies waiting to leave, leased by the mail worker, retried, held while
//! a key is missing or changing, and released. Split from [`crate::messages`], which
//! re-exports it.

use crate::audit::{Audit, AuditEvent};
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::lease::{AfterFailure, Lease, lease_free};
use crate::messages::{Message, message_id_token};
use crate::schema::{messages, outbox};
use crate::sealing::Owner;
use crate::util::now;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use rempart_core::{DeliveryStatus, Party};
use serde::Serialize;

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
    /// What kind of failure the last attempt met (`retry`, `needs_key`, ...); the mail
    /// server's words are on the message, sealed.
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
            let key = crate::sealing::key(conn, Owner::Case(&message.case_id))?;
            let token = message_id_token(&crate::sealing::index_key(conn)?, &id);
            diesel::update(messages::table.find(message_row_id))
                .set((
                    messages::message_id.eq(Some(key.seal("messages", "message_id", message_row_id, &id))),
                    messages::message_id_token.eq(Some(token)),
                ))
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
            // What the mail server said may quote the recipient's address: it is kept sealed,
            // on the message (its gateway notes), never in clear in the outbox or the audit
            // trail, which keep only what kind of failure it was.
            let kind = match &attempt {
                Attempt::Sent(_) => None,
                Attempt::NeedsKey(_) => Some("needs_key"),
                Attempt::Failed(_) => Some("refused"),
                Attempt::Retry(_) if status.is_some() => Some("gave_up"),
                Attempt::Retry(_) => Some("retry"),
            };
            let case_id: String = messages::table.find(message_row_id).select(messages::case_id).first(conn)?;
            let sealer = crate::sealing::key(conn, Owner::Case(&case_id))?;
            if let Some(e) = &error {
                let note = format!("delivery attempt {attempts}: {e}");
                diesel::update(messages::table.find(message_row_id))
                    .set(messages::gateway_notes.eq(Some(sealer.seal(
                        "messages",
                        "gateway_notes",
                        message_row_id,
                        &note,
                    ))))
                    .execute(conn)?;
            }
            let error = kind.map(str::to_owned).filter(|_| error.is_some());
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
                            messages::signer_fingerprint.eq(sent
                                .signer_fingerprint
                                .as_deref()
                                .map(|f| sealer.seal("messages", "signer_fingerprint", message_row_id, f))),
                            messages::in_reply_to.eq(sent
                                .in_reply_to
                                .as_deref()
                                .map(|r| sealer.seal("messages", "in_reply_to", message_row_id, r))),
                        ))
                        .execute(conn)?;
                }
                let mut details = format!("status={status} attempts={attempts}");
                if let Some(kind) = &error {
                    details.push_str(&format!(" reason={kind}"));
                }
                AuditEvent::record(
                    conn,
                    Audit {
                        actor: None,
                        action: "message.delivery_status",
                        case_id: Some(&case_id),
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
            .filter(messages::party.eq(Party::Beneficiary.as_str()))
            .filter(
                messages::case_id
                    .eq_any(cases::table.filter(cases::beneficiary_id.eq(beneficiary_id)).select(cases::id)),
            )
            .select((messages::id, messages::case_id))
            .load(conn)?;
        Self::release(conn, &held)
    }

    /// The same for the messages to one third party, when their key is entered.
    pub fn release_held_for_third_party(conn: &mut DbConn, third_party_id: &str) -> StoreResult<usize> {
        let held: Vec<(String, String)> = messages::table
            .filter(messages::delivery_status.eq(String::from(DeliveryStatus::NeedsKey)))
            .filter(messages::third_party_id.eq(third_party_id))
            .select((messages::id, messages::case_id))
            .load(conn)?;
        Self::release(conn, &held)
    }

    fn release(conn: &mut DbConn, held: &[(String, String)]) -> StoreResult<usize> {
        let at = now();
        for (id, case_id) in held {
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
