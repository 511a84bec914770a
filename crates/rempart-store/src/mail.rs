//! Storage of the mail gateway's intake: receipts (idempotent ingestion) and the quarantine
//! of messages that could not be read. Messages themselves and the outbox of replies live
//! in [`crate::messages`].

use crate::audit::{Audit, AuditEvent};
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::evidence::{get_blob, put_blob};
use crate::schema::{mail_quarantine, mail_receipts};
use crate::sealing::{Owner, Protected, Sealer, open_field, open_field_opt};
use crate::util::{new_id, now};
use chrono::NaiveDateTime;
use diesel::prelude::*;
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
        let token = receipt_token(conn, message_id_header)?;
        Ok(mail_receipts::table
            .filter(mail_receipts::message_id_header.eq(token))
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
        let message_id_header = receipt_token(conn, delivery.message_id_header)?;
        Receipt::insert(
            conn,
            &ReceiptInsertForm {
                id: new_id(),
                message_id_header,
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

/// What a receipt keeps of a Message-ID: its blind-index token (the deduplication compares
/// tokens); none stays none.
pub fn receipt_token(conn: &mut DbConn, message_id_header: &str) -> StoreResult<String> {
    if message_id_header.is_empty() {
        return Ok(String::new());
    }
    let index = crate::sealing::index_key(conn)?;
    Ok(crate::messages::message_id_token(&index, message_id_header))
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
    /// How it was dealt with: `attached` (to a case), `opened` (a case was opened from it),
    /// `discarded`, or `resolved` (marked dealt with, before resolutions were recorded).
    pub resolution: Option<String>,
    /// The reason given when it was discarded.
    pub resolution_note: Option<String>,
    /// The case it was attached to or opened.
    pub case_id: Option<String>,
}

/// How a quarantined message was dealt with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution<'a> {
    /// Kept with a case (attached to it, or a case opened from it).
    Attached { case_id: &'a str, opened: bool },
    /// Nothing to do with it, for this reason.
    Discarded { reason: &'a str },
    /// Only marked as dealt with.
    Resolved,
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
        let id = new_id();
        // What it says (sender, subject, why it could not be read) is sealed under a key of
        // its own.
        let key = crate::sealing::fresh_key(conn, Owner::Quarantine(&id))?;
        let reason: String = new.reason.chars().take(2000).collect();
        let subject: String = new.subject.chars().take(998).collect();
        let form = QuarantineInsertForm {
            received_at: now(),
            source: new.source.to_owned(),
            reason_code: new.reason_code.to_owned(),
            reason: key.seal("mail_quarantine", "reason", &id, &reason),
            from_address: key.seal_opt("mail_quarantine", "from_address", &id, new.from_address),
            subject: key.seal("mail_quarantine", "subject", &id, &subject),
            message_id_header: key.seal_opt("mail_quarantine", "message_id_header", &id, new.message_id_header),
            id,
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
        let row: QuarantinedMail = mail_quarantine::table
            .find(id)
            .select(QuarantinedMail::as_select())
            .first(conn)
            .optional()?
            .ok_or_else(|| StoreError::not_found("quarantined mail", id))?;
        let key = crate::sealing::existing_key(conn, Owner::Quarantine(id))?;
        row.open_with(key.as_ref())
    }

    /// Newest first; `unresolved_only` hides what a handler has dealt with.
    pub fn list(conn: &mut DbConn, unresolved_only: bool, limit: i64) -> StoreResult<Vec<QuarantinedMail>> {
        let mut query = mail_quarantine::table.select(QuarantinedMail::as_select()).into_boxed();
        if unresolved_only {
            query = query.filter(mail_quarantine::resolved_at.is_null());
        }
        let rows: Vec<QuarantinedMail> =
            query.order((mail_quarantine::received_at.desc(), mail_quarantine::id.desc())).limit(limit).load(conn)?;
        let owners: Vec<Owner<'_>> = rows.iter().map(|r| Owner::Quarantine(&r.id)).collect();
        let keys = crate::sealing::keys_of(conn, &owners)?;
        rows.into_iter()
            .map(|row| {
                let key = keys.get(&row.id).cloned();
                row.open_with(key.as_ref())
            })
            .collect()
    }

    pub fn raw(conn: &mut DbConn, id: &str) -> StoreResult<Vec<u8>> {
        let item = QuarantinedMail::get(conn, id)?;
        get_blob(conn, &item.raw_sha256)
    }

    /// Records how an open item was dealt with (the raw bytes stay): an item already dealt
    /// with is a conflict, so that two people never both act on it.
    pub fn resolve(
        conn: &mut DbConn,
        id: &str,
        actor: &str,
        resolution: Resolution<'_>,
    ) -> StoreResult<QuarantinedMail> {
        let (code, note, case_id) = match resolution {
            Resolution::Attached { case_id, opened } => {
                (if opened { "opened" } else { "attached" }, None, Some(case_id))
            }
            Resolution::Discarded { reason } => ("discarded", Some(reason), None),
            Resolution::Resolved => ("resolved", None, None),
        };
        conn.write(|conn| {
            QuarantinedMail::get(conn, id)?;
            let key = crate::sealing::key(conn, Owner::Quarantine(id))?;
            let note = key.seal_opt("mail_quarantine", "resolution_note", id, note);
            let changed =
                diesel::update(mail_quarantine::table.find(id).filter(mail_quarantine::resolved_at.is_null()))
                    .set((
                        mail_quarantine::resolved_at.eq(Some(now())),
                        mail_quarantine::resolved_by.eq(Some(actor)),
                        mail_quarantine::resolution.eq(Some(code)),
                        mail_quarantine::resolution_note.eq(note),
                        mail_quarantine::case_id.eq(case_id),
                    ))
                    .execute(conn)?;
            if changed == 0 {
                return Err(StoreError::Conflict("this quarantined message was already dealt with".into()));
            }
            AuditEvent::record(
                conn,
                Audit {
                    actor: Some(actor),
                    action: "mail.quarantine_resolved",
                    case_id,
                    target: Some(("quarantine", id)),
                    details: format!("resolution={code}"),
                },
            )?;
            QuarantinedMail::get(conn, id)
        })
    }
}

impl Protected for QuarantinedMail {
    fn open_with(mut self, key: Option<&Sealer>) -> StoreResult<Self> {
        let id = self.id.clone();
        open_field(key, "mail_quarantine", "reason", &id, &mut self.reason)?;
        open_field(key, "mail_quarantine", "subject", &id, &mut self.subject)?;
        open_field_opt(key, "mail_quarantine", "from_address", &id, &mut self.from_address)?;
        open_field_opt(key, "mail_quarantine", "resolution_note", &id, &mut self.resolution_note)?;
        open_field_opt(key, "mail_quarantine", "message_id_header", &id, &mut self.message_id_header)?;
        Ok(self)
    }
}
