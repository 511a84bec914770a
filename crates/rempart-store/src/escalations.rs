//! Escalations and the notifications they cause. Timers are computed from the cases' stored
//! times at each tick, and an escalation is a unique row per case and kind: a restart loses
//! nothing and two processes never raise or notify the same thing twice.

use crate::audit::{Audit, AuditEvent};
use crate::db::DbConn;
use crate::error::StoreResult;
use crate::lease::{AfterFailure, Lease, lease_free};
use crate::schema::{cases, check_ins, escalations, notifications, shifts, users};
use crate::util::{new_id, now};
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use rempart_core::{CaseStatus, Urgency};
use rempart_rota::{CaseTimers, Policy, escalations_due};
use serde::Serialize;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = escalations)]
pub struct Escalation {
    pub id: String,
    /// The case, for case escalations.
    pub case_id: Option<String>,
    /// The intake shift, for check-in escalations.
    pub shift_id: Option<String>,
    /// `imminent_risk`, `unassigned`, `first_response_leads`, `first_response_admins`,
    /// `check_in_not_fit` or `check_in_missing`.
    pub kind: String,
    /// `leads` or `admins`.
    pub level: String,
    pub reason: String,
    #[serde(with = "rempart_core::utc")]
    pub due_at: NaiveDateTime,
    #[serde(with = "rempart_core::utc")]
    pub raised_at: NaiveDateTime,
    /// The lead who said "I am on it", if one did.
    pub acknowledged_by: Option<String>,
    #[serde(with = "rempart_core::utc::option")]
    pub acknowledged_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = notifications)]
pub struct Notification {
    pub id: String,
    pub escalation_id: String,
    /// `email` or `webhook`.
    pub channel: String,
    pub recipient: String,
    /// `queued`, `sent`, `failed`, or `withdrawn` (a lead acknowledged the escalation first).
    pub status: String,
    pub attempts: i32,
    #[serde(with = "rempart_core::utc")]
    pub next_attempt_at: NaiveDateTime,
    #[serde(with = "rempart_core::utc::option")]
    pub locked_until: Option<NaiveDateTime>,
    pub locked_by: Option<String>,
    pub last_error: Option<String>,
    #[serde(with = "rempart_core::utc")]
    pub created_at: NaiveDateTime,
    #[serde(with = "rempart_core::utc::option")]
    pub sent_at: Option<NaiveDateTime>,
}

/// A notification to deliver, with what its message may say (no case content).
#[derive(Debug, Clone, Serialize)]
pub struct Outgoing {
    pub notification: Notification,
    pub case_id: Option<String>,
    /// None for a check-in escalation.
    pub case_reference: Option<String>,
    pub kind: String,
    pub level: String,
    pub reason: String,
}

impl Escalation {
    /// Raises every escalation due at `at` that was not raised before, and queues its
    /// notifications: e-mail to every active lead (or admin) and the webhook if any.
    /// Returns the escalations raised by this call.
    pub fn raise_due(
        conn: &mut DbConn,
        at: NaiveDateTime,
        policy: &Policy,
        webhook: Option<&str>,
    ) -> StoreResult<Vec<Escalation>> {
        let active: Vec<&str> = CaseStatus::all().filter(|s| s.is_active()).map(|s| s.as_str()).collect();
        let waiting_since = at - policy.first_response_leads;
        let critical = cases::urgency.eq(Urgency::Critical.as_str()).or(cases::imminent_risk.eq(true));
        let orphan = cases::status.eq(CaseStatus::New.as_str()).and(cases::assignee_id.is_null());
        let waiting = cases::status
            .eq(CaseStatus::New.as_str())
            .and(cases::first_response_at.is_null())
            .and(cases::created_at.le(waiting_since));
        // Cases with every escalation they can have are skipped by the NOT EXISTS.
        // (id, status, urgency, imminent risk, created, first response, assignee)
        type Candidate = (String, String, String, bool, NaiveDateTime, Option<NaiveDateTime>, Option<String>);
        let candidates: Vec<Candidate> = cases::table
            .filter(cases::status.eq_any(&active))
            .filter(critical.or(waiting).or(orphan))
            .filter(diesel::dsl::not(diesel::dsl::exists(
                escalations::table
                    .filter(escalations::case_id.eq(cases::id.nullable()))
                    .filter(escalations::kind.eq("first_response_admins")),
            )))
            .select((
                cases::id,
                cases::status,
                cases::urgency,
                cases::imminent_risk,
                cases::created_at,
                cases::first_response_at,
                cases::assignee_id,
            ))
            .load(conn)?;
        // Skip what was raised before without a write transaction per case and tick.
        let ids: Vec<&str> = candidates.iter().map(|c| c.0.as_str()).collect();
        let known: std::collections::HashSet<(String, String)> = escalations::table
            .filter(escalations::case_id.eq_any(&ids))
            .select((escalations::case_id.assume_not_null(), escalations::kind))
            .load::<(String, String)>(conn)?
            .into_iter()
            .collect();
        // A case whose escalation a lead acknowledged ("I am on it") is not escalated further.
        let acknowledged: std::collections::HashSet<String> = escalations::table
            .filter(escalations::case_id.eq_any(&ids))
            .filter(escalations::acknowledged_at.is_not_null())
            .select(escalations::case_id.assume_not_null())
            .load::<String>(conn)?
            .into_iter()
            .collect();
        let mut raised = Vec::new();
        for (case_id, status, urgency, imminent, created_at, first_response_at, assignee) in candidates {
            let Ok(status) = CaseStatus::parse(&status) else { continue };
            let timers = CaseTimers {
                created_at,
                first_response_at,
                status,
                critical: imminent || urgency == Urgency::Critical.as_str(),
                unassigned: assignee.is_none(),
            };
            for (kind, alert) in escalations_due(timers, policy, at) {
                if known.contains(&(case_id.clone(), kind.as_str().to_owned())) {
                    continue;
                }
                if alert.level == rempart_rota::AlertLevel::Admins && acknowledged.contains(&case_id) {
                    continue;
                }
                let row = Escalation {
                    id: new_id(),
                    case_id: Some(case_id.clone()),
                    shift_id: None,
                    kind: kind.as_str().to_owned(),
                    level: alert.level.as_str().to_owned(),
                    reason: alert.reason,
                    due_at: alert.due_at,
                    raised_at: at,
                    acknowledged_by: None,
                    acknowledged_at: None,
                };
                if conn.write(|conn| insert_with_notifications(conn, &row, webhook))? {
                    raised.push(row);
                }
            }
        }
        raised.extend(Escalation::raise_check_ins(conn, at, policy, webhook)?);
        Ok(raised)
    }

    /// Intake shifts of the last day whose holder checked in not fit, or not at all past the
    /// grace period: the leads hear that the standby takes the intake. The reason names no
    /// one and never carries the private note; leads see who in the on-call view.
    fn raise_check_ins(
        conn: &mut DbConn,
        at: NaiveDateTime,
        policy: &Policy,
        webhook: Option<&str>,
    ) -> StoreResult<Vec<Escalation>> {
        let started: Vec<(String, NaiveDateTime, NaiveDateTime)> = shifts::table
            .filter(shifts::kind.eq("intake"))
            .filter(shifts::starts_at.le(at))
            .filter(shifts::ends_at.gt(at))
            .filter(shifts::starts_at.ge(at - Duration::days(1)))
            .select((shifts::id, shifts::starts_at, shifts::ends_at))
            .load(conn)?;
        let ids: Vec<&str> = started.iter().map(|(id, ..)| id.as_str()).collect();
        let fitness: std::collections::BTreeMap<String, bool> = check_ins::table
            .filter(check_ins::shift_id.eq_any(&ids))
            .select((check_ins::shift_id, check_ins::fit))
            .load::<(String, bool)>(conn)?
            .into_iter()
            .collect();
        let mut raised = Vec::new();
        for (id, start, end) in started {
            // The shift by its time (never by its holder: leads see who in the on-call view).
            let shift =
                format!("the intake shift of {} to {} UTC", start.format("%Y-%m-%d %H:%M"), end.format("%H:%M"));
            let (kind, reason, due_at) = match fitness.get(&id) {
                Some(true) => continue,
                Some(false) => {
                    ("check_in_not_fit", format!("{shift} checked in not fit: the standby takes its intake"), start)
                }
                None if at >= start + policy.check_in_grace => (
                    "check_in_missing",
                    format!(
                        "{shift} has no check-in {} minutes after it started: the standby takes its intake",
                        policy.check_in_grace.num_minutes()
                    ),
                    start + policy.check_in_grace,
                ),
                None => continue,
            };
            let row = Escalation {
                id: new_id(),
                case_id: None,
                shift_id: Some(id),
                kind: kind.to_owned(),
                level: "leads".to_owned(),
                reason,
                due_at,
                raised_at: at,
                acknowledged_by: None,
                acknowledged_at: None,
            };
            if conn.write(|conn| insert_with_notifications(conn, &row, webhook))? {
                raised.push(row);
            }
        }
        Ok(raised)
    }

    pub fn for_shift(conn: &mut DbConn, shift_id: &str) -> StoreResult<Vec<Escalation>> {
        Ok(escalations::table
            .filter(escalations::shift_id.eq(shift_id))
            .order(escalations::raised_at.asc())
            .select(Escalation::as_select())
            .load(conn)?)
    }

    pub fn for_case(conn: &mut DbConn, case_id: &str) -> StoreResult<Vec<Escalation>> {
        Ok(escalations::table
            .filter(escalations::case_id.eq(case_id))
            .order((escalations::raised_at.asc(), escalations::kind.asc()))
            .select(Escalation::as_select())
            .load(conn)?)
    }
}

/// Inserts the escalation unless one of its kind exists for the case; on success queues
/// its notifications and records it on the case. True when this call raised it.
fn insert_with_notifications(conn: &mut DbConn, row: &Escalation, webhook: Option<&str>) -> StoreResult<bool> {
    let values = (
        escalations::id.eq(&row.id),
        escalations::case_id.eq(&row.case_id),
        escalations::shift_id.eq(&row.shift_id),
        escalations::kind.eq(&row.kind),
        escalations::level.eq(&row.level),
        escalations::reason.eq(&row.reason),
        escalations::due_at.eq(row.due_at),
        escalations::raised_at.eq(row.raised_at),
    );
    let inserted = match conn {
        DbConn::Sqlite(c) => {
            diesel::insert_into(escalations::table).values(values).on_conflict_do_nothing().execute(c)?
        }
        DbConn::Postgres(c) => {
            diesel::insert_into(escalations::table).values(values).on_conflict_do_nothing().execute(c)?
        }
    };
    if inserted == 0 {
        return Ok(false);
    }
    let role = if row.level == "admins" { "admin" } else { "lead" };
    let mut recipients: Vec<(&str, String)> = users::table
        .filter(users::active.eq(true))
        .filter(users::role.eq(role))
        .select(users::email)
        .load::<String>(conn)?
        .into_iter()
        .map(|email| ("email", email))
        .collect();
    if let Some(url) = webhook.filter(|u| !u.is_empty()) {
        recipients.push(("webhook", url.to_owned()));
    }
    let at = now();
    for (channel, recipient) in &recipients {
        diesel::insert_into(notifications::table)
            .values((
                notifications::id.eq(new_id()),
                notifications::escalation_id.eq(&row.id),
                notifications::channel.eq(*channel),
                notifications::recipient.eq(recipient),
                notifications::status.eq("queued"),
                notifications::attempts.eq(0),
                notifications::next_attempt_at.eq(at),
                notifications::created_at.eq(at),
            ))
            .execute(conn)?;
    }
    AuditEvent::record(
        conn,
        Audit {
            actor: None,
            action: if row.case_id.is_some() { "case.escalated" } else { "shift.escalated" },
            case_id: row.case_id.as_deref(),
            target: Some(("escalation", &row.id)),
            details: format!("kind={} level={} notifications={}", row.kind, row.level, recipients.len()),
        },
    )?;
    tracing::warn!(kind = %row.kind, level = %row.level, "escalation raised");
    Ok(true)
}

impl Notification {
    pub fn for_escalation(conn: &mut DbConn, escalation_id: &str) -> StoreResult<Vec<Notification>> {
        Ok(notifications::table
            .filter(notifications::escalation_id.eq(escalation_id))
            .order(notifications::recipient.asc())
            .select(Notification::as_select())
            .load(conn)?)
    }

    /// Takes a lease on due notifications for `worker` ([`crate::lease`], as the outbox does).
    pub fn claim(conn: &mut DbConn, worker: &str, limit: i64, lease: Duration) -> StoreResult<Vec<Outgoing>> {
        let lease = Lease::new(worker, lease);
        lease.take_each(
            conn,
            |conn| {
                Ok(notifications::table
                    .filter(notifications::status.eq("queued"))
                    .filter(notifications::next_attempt_at.le(lease.at))
                    .filter(lease_free!(notifications::locked_until, lease.at))
                    .order(notifications::next_attempt_at.asc())
                    .limit(limit)
                    .select(notifications::id)
                    .load(conn)?)
            },
            |conn, id| {
                Ok(diesel::update(
                    notifications::table.find(id).filter(lease_free!(notifications::locked_until, lease.at)),
                )
                .set((
                    notifications::locked_until.eq(Some(lease.until)),
                    notifications::locked_by.eq(Some(lease.worker)),
                ))
                .execute(conn)?)
            },
            |conn, id| {
                let notification: Notification =
                    notifications::table.find(id).select(Notification::as_select()).first(conn)?;
                let escalation: Escalation =
                    escalations::table.find(&notification.escalation_id).select(Escalation::as_select()).first(conn)?;
                let reference: Option<String> = match &escalation.case_id {
                    Some(case_id) => Some(cases::table.find(case_id).select(cases::reference).first(conn)?),
                    None => None,
                };
                Ok(Some(Outgoing {
                    notification,
                    case_id: escalation.case_id,
                    case_reference: reference,
                    kind: escalation.kind,
                    level: escalation.level,
                    reason: escalation.reason,
                }))
            },
        )
    }

    /// Records an attempt: sent, or an error retried by the policy of [`crate::lease`].
    pub fn finish(conn: &mut DbConn, id: &str, worker: &str, error: Option<String>) -> StoreResult<()> {
        conn.write(|conn| {
            let Some(n) = notifications::table.find(id).select(Notification::as_select()).first(conn).optional()?
            else {
                return Ok(());
            };
            if n.locked_by.as_deref() != Some(worker) {
                return Ok(());
            }
            let attempts = n.attempts + 1;
            let at = now();
            let (status, next) = match &error {
                None => ("sent", at),
                Some(_) => match crate::lease::after_failure(attempts, at) {
                    AfterFailure::GiveUp => ("failed", at),
                    AfterFailure::RetryAt(next) => ("queued", next),
                },
            };
            diesel::update(notifications::table.find(id))
                .set((
                    notifications::status.eq(status),
                    notifications::attempts.eq(attempts),
                    notifications::next_attempt_at.eq(next),
                    notifications::locked_until.eq(None::<NaiveDateTime>),
                    notifications::locked_by.eq(None::<String>),
                    notifications::last_error.eq(error),
                    notifications::sent_at.eq((status == "sent").then_some(at)),
                ))
                .execute(conn)?;
            Ok(())
        })
    }
}
