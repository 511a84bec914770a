//! Operations on a case that take more than one step, written once for every adapter.

use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use rempart_core::{CaseReference, CaseStatus, Channel, Direction, Sensitivity};
use rempart_rota::Policy;
use rempart_store::DbConn;
use rempart_store::case_items::Comment;
use rempart_store::cases::{Case, CaseChanges, CaseDetail};
use rempart_store::messages::{Message, NewMessage};

/// Assigns case `raw` to `to` (or nobody) as `actor`. A handler given a case by someone
/// else is protected by the rota's wellbeing rules (on shift, checked in fit, under
/// capacity): a refusal answers a conflict, unless a lead gives `override_reason`, which
/// is recorded as the assignment decision.
pub fn assign(
    conn: &mut DbConn,
    actor: &Actor,
    raw: &str,
    to: Option<&str>,
    reason: &str,
    override_reason: Option<&str>,
    policy: &Policy,
) -> AppResult<Case> {
    let case = crate::cases::visible(conn, actor, raw, "assignment")?;
    crate::cases::may_assign(actor, &case, to, override_reason.is_some())?;
    if let Some(target) = crate::cases::wellbeing_applies(conn, actor, to)? {
        let info = rempart_rota::NewCaseInfo {
            urgency: case.urgency,
            imminent_risk: case.imminent_risk,
            language: None,
            restricted: case.sensitivity == Sensitivity::Restricted,
        };
        let now = rempart_store::now();
        let roster = rempart_store::rota::roster_at(conn, now, policy)?;
        if let Some(why) = rempart_rota::manual_refusal(&roster, policy, &info, target, now) {
            let name = roster.handler(target).map_or(target, |h| h.name.as_str()).to_owned();
            return match (override_reason, actor.id()) {
                (Some(reason), Some(by)) => {
                    Ok(rempart_store::rota::assign_over_refusal(conn, &case.id, target, &why, reason, by)?)
                }
                (Some(_), None) => Err(AppError::forbidden("an override names the lead who gives it")),
                (None, _) => Err(crate::cases::assignee_unavailable(actor, &name, &why.to_string())),
            };
        }
    }
    Ok(Case::assign(conn, &case.id, to, reason, actor.id())?)
}

/// Queues an e-mail to the beneficiary of case `raw` (the mail gateway signs, encrypts and
/// sends it). Never an empty one: it goes to someone in danger. The subject defaults to
/// `Re: <summary>` and always carries the case reference, so that answers thread back.
pub fn reply(conn: &mut DbConn, actor: &Actor, raw: &str, body: String, subject: Option<String>) -> AppResult<Message> {
    if body.trim().is_empty() {
        return Err(AppError::validation("body", "must not be empty"));
    }
    if body.chars().count() > 100_000 {
        return Err(AppError::validation("body", "longer than 100000 characters"));
    }
    let case = crate::cases::visible(conn, actor, raw, "reply")?;
    let subject = subject.filter(|s| !s.trim().is_empty()).unwrap_or_else(|| {
        let first_line = case.summary.lines().next().unwrap_or_default();
        format!("Re: {}", first_line.chars().take(120).collect::<String>())
    });
    let subject = if CaseReference::find_in_subject(&subject) == Some(case.reference) {
        subject
    } else {
        format!("{subject} [{}]", case.reference)
    };
    let new =
        NewMessage { subject, ..NewMessage::with_beneficiary(&case.id, Direction::Outbound, Channel::Email, body) };
    Ok(Message::add(conn, new, actor.id())?)
}

/// Changes what case `raw` says of itself (summary, urgency, priority, types, imminent
/// risk, sensitivity) against the version `expected` it was read at (`None`: whatever it
/// is now). Restricting it is for its assignee, leads and admins.
pub fn update_case(
    conn: &mut DbConn,
    actor: &Actor,
    raw: &str,
    changes: CaseChanges,
    expected: Option<i32>,
) -> AppResult<CaseDetail> {
    let case = crate::cases::visible(conn, actor, raw, "update")?;
    crate::cases::may_restrict(actor, &case, changes.sensitivity)?;
    Case::update(conn, &case.id, changes, expected, actor.id())?;
    Ok(Case::detail(conn, &case.id)?)
}

/// Moves case `raw` through the state machine; an illegal move answers the allowed ones.
pub fn transition(conn: &mut DbConn, actor: &Actor, raw: &str, to: CaseStatus, note: Option<&str>) -> AppResult<Case> {
    let case = crate::cases::visible(conn, actor, raw, "transition")?;
    Ok(Case::transition(conn, &case.id, to, note, actor.id())?)
}

/// Records what the beneficiary said outside mail (a phone call, a Signal chat) on case
/// `raw`, as a message received through `channel`.
pub fn record_conversation(
    conn: &mut DbConn,
    actor: &Actor,
    raw: &str,
    channel: Channel,
    text: &str,
) -> AppResult<Message> {
    let case = crate::cases::visible(conn, actor, raw, "message")?;
    let new = NewMessage::with_beneficiary(&case.id, Direction::Inbound, channel, text.trim().to_owned());
    Ok(Message::add(conn, new, actor.id())?)
}

/// Adds an internal comment to case `raw`: a note of the people handling it, never sent.
pub fn comment(conn: &mut DbConn, actor: &Actor, raw: &str, text: &str) -> AppResult<Comment> {
    let case = crate::cases::visible(conn, actor, raw, "comment")?;
    Ok(Comment::add(conn, &case.id, text, actor.id())?)
}

/// Whether the leads must hear of a changed case now: it became critical or at imminent
/// risk (the notifier raises each escalation once).
pub fn alerts_leads_after_change(case: &Case) -> bool {
    case.urgency == rempart_core::Urgency::Critical || case.imminent_risk
}

/// Erases closed case `raw` at once on its beneficiary's request, as retention does after
/// its period: leads and administrators, in their own name (recorded). Cannot be undone.
pub fn erase_case(
    conn: &mut DbConn,
    actor: &Actor,
    raw: &str,
    reason: &str,
) -> AppResult<(Case, rempart_store::retention::Erased)> {
    crate::access::require(actor, crate::access::Capability::Supervise)?;
    let by = actor
        .id()
        .ok_or_else(|| AppError::forbidden("an erasure is carried out in the name of a lead or an administrator"))?;
    let case = crate::cases::visible(conn, actor, raw, "erasure")?;
    let erased = rempart_store::retention::erase_on_request(conn, &case.id, by, reason)?;
    Ok((case, erased))
}

/// What will become of a reply written now to a beneficiary (the composer says it before
/// sending; the mail gateway decides it at sending, by the same facts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyFate {
    /// Encrypted to the pinned key; `confirmed` when a handler checked it out of band.
    Encrypted { fingerprint: String, confirmed: bool },
    /// Held: a key change is pending (accept or reject it first).
    HeldKeyChange { new_fingerprint: String },
    /// Held: no key is pinned (a key request is sent, if the helpline asks for keys).
    HeldNoKey,
}

pub fn reply_fate(beneficiary: &rempart_store::beneficiaries::BeneficiaryDetail) -> ReplyFate {
    use rempart_core::{KeyChangeStatus, KeyTrust};
    if let Some(change) = beneficiary.key_changes.iter().find(|k| k.status == KeyChangeStatus::Pending) {
        return ReplyFate::HeldKeyChange { new_fingerprint: change.new_fingerprint.to_string() };
    }
    let b = &beneficiary.beneficiary;
    match (&b.pgp_certificate, &b.pgp_fingerprint) {
        (Some(_), Some(fingerprint)) => ReplyFate::Encrypted {
            fingerprint: fingerprint.to_string(),
            confirmed: b.key_trust == Some(KeyTrust::Confirmed),
        },
        _ => ReplyFate::HeldNoKey,
    }
}
