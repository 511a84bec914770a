//! Escalations as leads act on them: the board of those still open, and the
//! acknowledgement ("I am on it") that every other lead sees and that stops further
//! reminders for it. The case page shows a case's own escalations to whoever sees the case.

use crate::access::{Capability, require};
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use chrono::NaiveDateTime;
use rempart_store::DbConn;
use rempart_store::escalation_board::{OpenEscalation, open_escalations};
use rempart_store::escalations::{Escalation, Notification};

/// The escalations still open at `at`, newest first (leads and administrators).
pub fn open(conn: &mut DbConn, actor: &Actor, at: NaiveDateTime) -> AppResult<Vec<OpenEscalation>> {
    require(actor, Capability::Supervise)?;
    Ok(open_escalations(conn, at)?)
}

/// `actor` (a lead or an administrator) takes escalation `id` on: recorded once, the
/// first to say it stays named; its notifications not yet sent are withdrawn.
pub fn acknowledge(conn: &mut DbConn, actor: &Actor, id: &str, at: NaiveDateTime) -> AppResult<Escalation> {
    require(actor, Capability::Supervise)?;
    let by = actor.id().ok_or_else(|| AppError::forbidden("an acknowledgement names the lead who gives it"))?;
    Ok(Escalation::acknowledge(conn, id, by, at)?)
}

/// The escalations of case `raw`, with whom each one notified.
pub fn of_case(conn: &mut DbConn, actor: &Actor, raw: &str) -> AppResult<Vec<(Escalation, Vec<Notification>)>> {
    let case = crate::cases::visible(conn, actor, raw, "escalations")?;
    let mut out = Vec::new();
    for escalation in Escalation::for_case(conn, &case.id)? {
        let notifications = Notification::for_escalation(conn, &escalation.id)?;
        out.push((escalation, notifications));
    }
    Ok(out)
}
