//! The leads' board of escalations: which ones are still open, who was told, and the
//! acknowledgement a lead gives ("I am on it") that the other leads see and that stops
//! further reminders for it.

use crate::audit::{Audit, AuditEvent};
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::escalations::{Escalation, Notification};
use crate::lease::lease_free;
use crate::schema::{cases, escalations, notifications, shifts, users};
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use rempart_core::CaseStatus;
use serde::Serialize;
use std::collections::HashMap;

/// How far back the board looks: an escalation older than this is history (the case page
/// keeps it).
pub const BOARD_DAYS: i64 = 7;

/// An escalation still calling for someone, as the leads' board shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpenEscalation {
    #[serde(flatten)]
    pub escalation: Escalation,
    /// The case's reference, for a case escalation.
    pub case_reference: Option<String>,
    /// The display name of the lead who acknowledged it.
    pub acknowledged_by_name: Option<String>,
    /// Who was told, by which channel, and how that went.
    pub notifications: Vec<Notification>,
}

/// What decides whether a case escalation is still open.
struct CaseFacts {
    reference: String,
    status: String,
    first_response_at: Option<NaiveDateTime>,
    assignee_id: Option<String>,
}

impl CaseFacts {
    /// A case escalation stays open while what raised it holds: the case is active and,
    /// for an unassigned case, still nobody's; for the others, still unanswered.
    fn still_open(&self, kind: &str) -> bool {
        let active = CaseStatus::parse(&self.status).is_ok_and(|s| s.is_active());
        active
            && match kind {
                "unassigned" => self.assignee_id.is_none(),
                _ => self.first_response_at.is_none(),
            }
    }
}

/// The escalations still open at `at`, newest first: case escalations of the last
/// [`BOARD_DAYS`] whose cause holds, and check-in escalations of shifts not yet over.
/// Acknowledged ones stay on the board, marked, until their cause is gone.
pub fn open_escalations(conn: &mut DbConn, at: NaiveDateTime) -> StoreResult<Vec<OpenEscalation>> {
    let recent: Vec<Escalation> = escalations::table
        .filter(escalations::raised_at.ge(at - Duration::days(BOARD_DAYS)))
        .order((escalations::raised_at.desc(), escalations::id.asc()))
        .select(Escalation::as_select())
        .load(conn)?;
    let case_ids: Vec<&str> = recent.iter().filter_map(|e| e.case_id.as_deref()).collect();
    let facts: HashMap<String, CaseFacts> = cases::table
        .filter(cases::id.eq_any(&case_ids))
        .select((cases::id, cases::reference, cases::status, cases::first_response_at, cases::assignee_id))
        .load::<(String, String, String, Option<NaiveDateTime>, Option<String>)>(conn)?
        .into_iter()
        .map(|(id, reference, status, first_response_at, assignee_id)| {
            (id, CaseFacts { reference, status, first_response_at, assignee_id })
        })
        .collect();
    let shift_ids: Vec<&str> = recent.iter().filter_map(|e| e.shift_id.as_deref()).collect();
    let shift_ends: HashMap<String, NaiveDateTime> = shifts::table
        .filter(shifts::id.eq_any(&shift_ids))
        .select((shifts::id, shifts::ends_at))
        .load::<(String, NaiveDateTime)>(conn)?
        .into_iter()
        .collect();
    let mut open = Vec::new();
    for escalation in recent {
        let (still, reference) = match (&escalation.case_id, &escalation.shift_id) {
            (Some(case_id), _) => match facts.get(case_id) {
                Some(f) => (f.still_open(&escalation.kind), Some(f.reference.clone())),
                None => (false, None),
            },
            (None, Some(shift_id)) => (shift_ends.get(shift_id).is_some_and(|end| *end > at), None),
            (None, None) => (false, None),
        };
        if still {
            open.push((escalation, reference));
        }
    }
    let ids: Vec<&str> = open.iter().map(|(e, _)| e.id.as_str()).collect();
    let mut told: HashMap<String, Vec<Notification>> = HashMap::new();
    for n in notifications::table
        .filter(notifications::escalation_id.eq_any(&ids))
        .order((notifications::channel.asc(), notifications::recipient.asc()))
        .select(Notification::as_select())
        .load(conn)?
    {
        told.entry(n.escalation_id.clone()).or_default().push(n);
    }
    let leads: Vec<&str> = open.iter().filter_map(|(e, _)| e.acknowledged_by.as_deref()).collect();
    let names: HashMap<String, String> = users::table
        .filter(users::id.eq_any(&leads))
        .select((users::id, users::display_name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    Ok(open
        .into_iter()
        .map(|(escalation, case_reference)| OpenEscalation {
            acknowledged_by_name: escalation.acknowledged_by.as_ref().and_then(|id| names.get(id).cloned()),
            notifications: told.remove(&escalation.id).unwrap_or_default(),
            case_reference,
            escalation,
        })
        .collect())
}

impl Escalation {
    pub fn get(conn: &mut DbConn, id: &str) -> StoreResult<Escalation> {
        escalations::table
            .find(id)
            .select(Escalation::as_select())
            .first(conn)
            .optional()?
            .ok_or_else(|| StoreError::not_found("escalation", id))
    }

    /// `user` says "I am on it": recorded once (the first lead to say it stays named), the
    /// notifications not sent yet are withdrawn, and (in [`Escalation::raise_due`]) the case
    /// is not escalated to the administrators. Saying it again changes nothing.
    pub fn acknowledge(conn: &mut DbConn, id: &str, user: &str, at: NaiveDateTime) -> StoreResult<Escalation> {
        conn.write(|conn| {
            let escalation = Escalation::get(conn, id)?;
            if escalation.acknowledged_at.is_some() {
                return Ok(escalation);
            }
            diesel::update(escalations::table.find(id).filter(escalations::acknowledged_at.is_null()))
                .set((escalations::acknowledged_by.eq(Some(user)), escalations::acknowledged_at.eq(Some(at))))
                .execute(conn)?;
            let withdrawn = diesel::update(
                notifications::table
                    .filter(notifications::escalation_id.eq(id))
                    .filter(notifications::status.eq("queued"))
                    // One a notifier is sending now finishes as it goes.
                    .filter(lease_free!(notifications::locked_until, at)),
            )
            .set(notifications::status.eq("withdrawn"))
            .execute(conn)?;
            AuditEvent::record(
                conn,
                Audit {
                    actor: Some(user),
                    action: "escalation.acknowledged",
                    case_id: escalation.case_id.as_deref(),
                    target: Some(("escalation", id)),
                    details: format!("kind={} withdrawn_notifications={withdrawn}", escalation.kind),
                },
            )?;
            Escalation::get(conn, id)
        })
    }
}
