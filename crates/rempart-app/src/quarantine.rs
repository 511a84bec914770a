//! The mail quarantine: messages the gateway could not read, kept byte for byte with the
//! reason. Everyone but analysts deals with it (it can hold anything anyone sent): read the
//! raw message (audited), keep it with a case (attached as an evidence file, to an existing
//! case or a case opened from it), or discard it with a reason. Each item is dealt with
//! once.

use crate::access::{Capability, require};
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use crate::intake::{CaseFields, Requester};
use rempart_rota::Policy;
use rempart_store::audit::{Audit, AuditEvent};
use rempart_store::cases::CaseDetail;
use rempart_store::mail::{QuarantinedMail, Resolution};
use rempart_store::{DbConn, StoreError};

/// Open items (or every item with `all`), newest first; `limit` 1 to 500.
pub fn list(conn: &mut DbConn, actor: &Actor, all: bool, limit: i64) -> AppResult<Vec<QuarantinedMail>> {
    require(actor, Capability::HandleQuarantine)?;
    if !(1..=500).contains(&limit) {
        return Err(AppError::validation("limit", "between 1 and 500"));
    }
    Ok(QuarantinedMail::list(conn, !all, limit)?)
}

pub fn get(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<QuarantinedMail> {
    require(actor, Capability::HandleQuarantine)?;
    Ok(QuarantinedMail::get(conn, id)?)
}

/// The raw message exactly as received; the read is audited.
pub fn raw(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<Vec<u8>> {
    require(actor, Capability::HandleQuarantine)?;
    let raw = QuarantinedMail::raw(conn, id)?;
    AuditEvent::record(
        conn,
        Audit {
            actor: actor.id(),
            action: "mail.quarantine_read",
            target: Some(("quarantine", id)),
            ..Default::default()
        },
    )?;
    Ok(raw)
}

/// Keeps the message with case `raw_case` (one the actor may see) as an evidence file.
pub fn attach(conn: &mut DbConn, actor: &Actor, id: &str, raw_case: &str) -> AppResult<QuarantinedMail> {
    require(actor, Capability::HandleQuarantine)?;
    let by = by(actor)?;
    conn.write(|conn| {
        let item = QuarantinedMail::get(conn, id)?;
        let case = crate::cases::visible(conn, actor, raw_case, "quarantine attach")?;
        keep(conn, actor, &item, &case.id)?;
        Ok::<_, AppError>(QuarantinedMail::resolve(
            conn,
            id,
            by,
            Resolution::Attached { case_id: &case.id, opened: false },
        )?)
    })
}

/// Opens a case from the message (for a known beneficiary or a new one) and keeps the
/// message with it.
pub fn open_case(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    requester: Requester,
    fields: CaseFields,
    policy: &Policy,
) -> AppResult<CaseDetail> {
    require(actor, Capability::HandleQuarantine)?;
    let by = by(actor)?;
    conn.write(|conn| {
        let item = QuarantinedMail::get(conn, id)?;
        if item.resolved_at.is_some() {
            return Err(already());
        }
        let detail = crate::intake::open_case(conn, actor, requester, fields, actor.id(), policy)?;
        keep(conn, actor, &item, &detail.case.id)?;
        QuarantinedMail::resolve(conn, id, by, Resolution::Attached { case_id: &detail.case.id, opened: true })?;
        Ok(detail)
    })
}

/// Discards the message, for `reason` (kept with the item; its bytes stay until retention
/// removes them).
pub fn discard(conn: &mut DbConn, actor: &Actor, id: &str, reason: &str) -> AppResult<QuarantinedMail> {
    require(actor, Capability::HandleQuarantine)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::validation("reason", "must not be empty"));
    }
    if reason.chars().count() > 2000 {
        return Err(AppError::validation("reason", "at most 2000 characters"));
    }
    Ok(QuarantinedMail::resolve(conn, id, by(actor)?, Resolution::Discarded { reason })?)
}

/// Marks the message as dealt with, saying no more (the REST API's first resolution).
pub fn mark_resolved(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<QuarantinedMail> {
    require(actor, Capability::HandleQuarantine)?;
    Ok(QuarantinedMail::resolve(conn, id, by(actor)?, Resolution::Resolved)?)
}

/// Dealing with an item names the person who did.
fn by(actor: &Actor) -> AppResult<&str> {
    actor.id().ok_or_else(|| AppError::forbidden("the quarantine is dealt with by a person"))
}

fn already() -> AppError {
    AppError::Store(StoreError::Conflict("this quarantined message was already dealt with".into()))
}

/// The raw message as an evidence file of the case.
fn keep(conn: &mut DbConn, actor: &Actor, item: &QuarantinedMail, case_id: &str) -> AppResult<()> {
    if item.resolved_at.is_some() {
        return Err(already());
    }
    let content = QuarantinedMail::raw(conn, &item.id)?;
    let name = format!("quarantined-{}.eml", item.received_at.format("%Y%m%d-%H%M%S"));
    let description = format!("Quarantined mail ({}): {}", item.reason_code, item.reason);
    let new = rempart_store::evidence::NewEvidence {
        case_id,
        content: &content,
        media_type: "message/rfc822",
        original_name: &name,
        description: Some(&description),
        message_id: None,
    };
    rempart_store::evidence::Evidence::add(conn, new, actor.id())?;
    Ok(())
}
