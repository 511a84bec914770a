//! Shifts, check-ins, the intake rotation and assignment decisions, and the roster the
//! pure `rempart-rota` decision reads.

use crate::audit::{Audit, AuditEvent};
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::schema::{assignment_decisions, cases, check_ins, rotation, shifts, users};
use crate::util::{new_id, now};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use rempart_core::{CaseStatus, Languages, Urgency};
use rempart_rota::{CheckIn, Decision, Fitness, Handler, Load, Period, Policy, Roster, Rotation, Shift, ShiftKind};
use serde::Serialize;
use std::collections::BTreeMap;

pub use crate::check_ins::{OwnCheckIn, check_in, own_check_ins};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = shifts)]
pub struct ShiftRow {
    pub id: String,
    pub user_id: String,
    /// `intake` or `standby`.
    pub kind: String,
    #[serde(with = "rempart_core::utc")]
    pub starts_at: NaiveDateTime,
    #[serde(with = "rempart_core::utc")]
    pub ends_at: NaiveDateTime,
    pub created_by: Option<String>,
    #[serde(with = "rempart_core::utc")]
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = assignment_decisions)]
pub struct DecisionRow {
    pub id: String,
    pub case_id: String,
    pub assignee_id: Option<String>,
    pub via_standby: bool,
    pub alert_leads: bool,
    /// One reason per line.
    pub reasons: String,
    #[serde(with = "rempart_core::utc")]
    pub decided_at: NaiveDateTime,
}

/// The stored name of a shift kind.
pub fn kind_name(kind: ShiftKind) -> &'static str {
    match kind {
        ShiftKind::Intake => "intake",
        ShiftKind::Standby => "standby",
    }
}

fn shift_kind(name: &str) -> ShiftKind {
    if name == "standby" { ShiftKind::Standby } else { ShiftKind::Intake }
}

/// Plans a shift (leads). Shifts are short: at most `policy.max_shift`.
pub fn add_shift(
    conn: &mut DbConn,
    user_id: &str,
    kind: ShiftKind,
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    policy: &Policy,
    actor: Option<&str>,
) -> StoreResult<ShiftRow> {
    rempart_rota::validate_shift(starts_at, ends_at, policy).map_err(|e| StoreError::invalid("ends_at", e))?;
    conn.write(|conn| {
        let active: Option<bool> = users::table.find(user_id).select(users::active).first(conn).optional()?;
        if active != Some(true) {
            return Err(StoreError::invalid("user_id", "no active user with this id"));
        }
        let id = new_id();
        diesel::insert_into(shifts::table)
            .values((
                shifts::id.eq(&id),
                shifts::user_id.eq(user_id),
                shifts::kind.eq(kind_name(kind)),
                shifts::starts_at.eq(starts_at),
                shifts::ends_at.eq(ends_at),
                shifts::created_by.eq(actor),
                shifts::created_at.eq(now()),
            ))
            .execute(conn)?;
        AuditEvent::record(
            conn,
            Audit {
                actor,
                action: "shift.planned",
                target: Some(("user", user_id)),
                details: format!("kind={}", kind_name(kind)),
                ..Default::default()
            },
        )?;
        Ok(shifts::table.find(&id).select(ShiftRow::as_select()).first(conn)?)
    })
}

/// Changes a planned shift (leads): kind, start or end, within the maximum length.
pub fn update_shift(
    conn: &mut DbConn,
    id: &str,
    kind: Option<ShiftKind>,
    starts_at: Option<NaiveDateTime>,
    ends_at: Option<NaiveDateTime>,
    policy: &Policy,
    actor: Option<&str>,
) -> StoreResult<ShiftRow> {
    conn.write(|conn| {
        let current: ShiftRow = shifts::table
            .find(id)
            .select(ShiftRow::as_select())
            .first(conn)
            .optional()?
            .ok_or_else(|| StoreError::not_found("shift", id))?;
        let (start, end) = (starts_at.unwrap_or(current.starts_at), ends_at.unwrap_or(current.ends_at));
        rempart_rota::validate_shift(start, end, policy).map_err(|e| StoreError::invalid("ends_at", e))?;
        let kind_text = kind.map(kind_name).unwrap_or(current.kind.as_str()).to_owned();
        diesel::update(shifts::table.find(id))
            .set((shifts::kind.eq(&kind_text), shifts::starts_at.eq(start), shifts::ends_at.eq(end)))
            .execute(conn)?;
        AuditEvent::record(
            conn,
            Audit {
                actor,
                action: "shift.changed",
                target: Some(("user", &current.user_id)),
                details: format!("shift={id} kind={kind_text}"),
                ..Default::default()
            },
        )?;
        Ok(shifts::table.find(id).select(ShiftRow::as_select()).first(conn)?)
    })
}

pub fn get_shift(conn: &mut DbConn, id: &str) -> StoreResult<ShiftRow> {
    shifts::table
        .find(id)
        .select(ShiftRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::not_found("shift", id))
}

/// Cancels a shift nobody checked in to. A shift with a check-in is history (the team's
/// check-in figures count it): shorten it instead.
pub fn delete_shift(conn: &mut DbConn, id: &str, actor: Option<&str>) -> StoreResult<()> {
    conn.write(|conn| {
        let user_id: String = shifts::table
            .find(id)
            .select(shifts::user_id)
            .first(conn)
            .optional()?
            .ok_or_else(|| StoreError::not_found("shift", id))?;
        let checked: i64 = check_ins::table.filter(check_ins::shift_id.eq(id)).count().get_result(conn)?;
        if checked > 0 {
            return Err(StoreError::Conflict("this shift has a check-in: shorten it rather than delete it".into()));
        }
        diesel::delete(shifts::table.find(id)).execute(conn)?;
        AuditEvent::record(
            conn,
            Audit {
                actor,
                action: "shift.cancelled",
                target: Some(("user", &user_id)),
                details: format!("shift={id}"),
                ..Default::default()
            },
        )?;
        Ok(())
    })
}

/// Shifts overlapping [from, to).
pub fn shifts_between(conn: &mut DbConn, from: NaiveDateTime, to: NaiveDateTime) -> StoreResult<Vec<ShiftRow>> {
    Ok(shifts::table
        .filter(shifts::ends_at.gt(from).and(shifts::starts_at.lt(to)))
        .order((shifts::starts_at.asc(), shifts::id.asc()))
        .select(ShiftRow::as_select())
        .load(conn)?)
}

/// Sets the intake rotation (leads): from `anchor` on. A rotation whose anchor is today or
/// past replaces the one in force (and any planned); one from a later date is planned, and
/// the rotation in force stays until that day (a later plan replaces an earlier one).
pub fn set_rotation(
    conn: &mut DbConn,
    members: &[String],
    period: Period,
    anchor: NaiveDate,
    actor: Option<&str>,
) -> StoreResult<Rotation> {
    if members.is_empty() {
        return Err(StoreError::invalid("members", "at least one handler"));
    }
    conn.write(|conn| {
        for m in members {
            let active: Option<bool> = users::table.find(m).select(users::active).first(conn).optional()?;
            if active != Some(true) {
                return Err(StoreError::invalid("members", format!("no active user `{m}`")));
            }
        }
        let period_name = match period {
            Period::Weekly => "weekly",
            Period::Daily => "daily",
        };
        let today = now().date();
        // What stays: the rotation in force, when the new one only starts later.
        let in_force: Option<i32> = if anchor > today {
            rotation::table
                .filter(rotation::anchor.le(today))
                .order(rotation::anchor.desc())
                .select(rotation::id)
                .first(conn)
                .optional()?
        } else {
            None
        };
        diesel::delete(rotation::table.filter(rotation::id.ne(in_force.unwrap_or(0)))).execute(conn)?;
        let id = if in_force == Some(1) { 2 } else { 1 };
        diesel::insert_into(rotation::table)
            .values((
                rotation::id.eq(id),
                rotation::period.eq(period_name),
                rotation::anchor.eq(anchor),
                rotation::member_ids.eq(members.join(",")),
                rotation::updated_by.eq(actor),
                rotation::updated_at.eq(now()),
            ))
            .execute(conn)?;
        AuditEvent::record(
            conn,
            Audit {
                actor,
                action: "rotation.set",
                details: format!("members={} anchor={anchor}", members.len()),
                ..Default::default()
            },
        )?;
        Ok(Rotation { order: members.to_vec(), period, anchor })
    })
}

/// The rotations set, by anchor: the one in force, then the one planned, if any.
pub fn rotations(conn: &mut DbConn) -> StoreResult<Vec<Rotation>> {
    let rows: Vec<(String, NaiveDate, String)> = rotation::table
        .order(rotation::anchor.asc())
        .select((rotation::period, rotation::anchor, rotation::member_ids))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(period, anchor, members)| Rotation {
            order: members.split(',').filter(|m| !m.is_empty()).map(str::to_owned).collect(),
            period: if period == "daily" { Period::Daily } else { Period::Weekly },
            anchor,
        })
        .collect())
}

/// The rotation in force at `at`: the latest one anchored on or before that day, else (all
/// start later) the first to come.
pub fn rotation_at(conn: &mut DbConn, at: NaiveDateTime) -> StoreResult<Option<Rotation>> {
    let all = rotations(conn)?;
    let day = at.date();
    let in_force = all.iter().rposition(|r| r.anchor <= day).unwrap_or(0);
    Ok(all.into_iter().nth(in_force))
}

/// Decides who takes a new case without an assignee, under `policy`, now. Reads only: the
/// caller writes the case, its assignee and this decision in one transaction.
pub fn decide_for_new_case(
    conn: &mut DbConn,
    info: &rempart_rota::NewCaseInfo,
    policy: &Policy,
) -> StoreResult<Decision> {
    let at = now();
    let roster = roster_at(conn, at, policy)?;
    let decision = rempart_rota::assign(&roster, policy, info, at);
    if decision.alert_leads {
        tracing::warn!(assigned = decision.assignee.is_some(), "leads alerted for a new case");
    }
    Ok(decision)
}

/// The team as the decision sees it at `at`: people on shift or in the rotation, the
/// shifts covering `at`, their check-ins (fitness only: never the note), and loads.
pub fn roster_at(conn: &mut DbConn, at: NaiveDateTime, policy: &Policy) -> StoreResult<Roster> {
    let rotation = rotation_at(conn, at)?;
    // The shifts covering `at` with their check-ins, in one query.
    let joined: Vec<(ShiftRow, Option<(bool, NaiveDateTime)>)> = shifts::table
        .left_join(check_ins::table)
        .filter(shifts::ends_at.gt(at).and(shifts::starts_at.lt(at + Duration::seconds(1))))
        .order((shifts::starts_at.asc(), shifts::id.asc()))
        .select((ShiftRow::as_select(), (check_ins::fit, check_ins::checked_at).nullable()))
        .load(conn)?;
    let mut shift_rows: Vec<ShiftRow> = Vec::new();
    let mut check_rows: Vec<(String, bool, NaiveDateTime)> = Vec::new();
    for (shift, check_in) in joined {
        if let Some((fit, checked_at)) = check_in {
            check_rows.push((shift.id.clone(), fit, checked_at));
        }
        if shift_rows.last().is_none_or(|last| last.id != shift.id) {
            shift_rows.push(shift);
        }
    }
    let mut people: Vec<String> = shift_rows.iter().map(|s| s.user_id.clone()).collect();
    people.extend(rotation.iter().flat_map(|r| r.order.iter().cloned()));
    people.sort();
    people.dedup();
    if people.is_empty() {
        // Nobody on shift and no rotation: nothing else to read (three queries saved on
        // every new case of a helpline that does not plan shifts).
        return Ok(Roster {
            handlers: Vec::new(),
            shifts: Vec::new(),
            check_ins: Vec::new(),
            rotation,
            loads: BTreeMap::new(),
        });
    }
    let rows: Vec<(String, String, String, i32, bool, bool)> = users::table
        .filter(users::id.eq_any(&people))
        .select((
            users::id,
            users::display_name,
            users::languages,
            users::capacity,
            users::cleared_for_restricted,
            users::active,
        ))
        .load(conn)?;
    let handlers = rows
        .into_iter()
        .filter(|(.., active)| *active)
        .map(|(id, name, languages, capacity, cleared, _)| Handler {
            id,
            name,
            languages: Languages::parse(&languages).unwrap_or_default(),
            cleared_for_restricted: cleared,
            capacity: u32::try_from(capacity).unwrap_or(0),
        })
        .collect();
    let loads = loads_of(conn, &people, at, policy)?;
    Ok(Roster {
        handlers,
        shifts: shift_rows
            .into_iter()
            .map(|s| Shift {
                kind: shift_kind(&s.kind),
                id: s.id,
                handler_id: s.user_id,
                start: s.starts_at,
                end: s.ends_at,
            })
            .collect(),
        check_ins: check_rows
            .into_iter()
            .map(|(shift_id, fit, at)| CheckIn {
                shift_id,
                at,
                fitness: if fit { Fitness::Fit } else { Fitness::NotFit },
            })
            .collect(),
        rotation,
        loads,
    })
}

/// The loads of `people` at `at`: weighted open cases and critical cases received this week.
pub(crate) fn loads_of(
    conn: &mut DbConn,
    people: &[String],
    at: NaiveDateTime,
    policy: &Policy,
) -> StoreResult<BTreeMap<String, Load>> {
    let active: Vec<&str> = CaseStatus::all().filter(|s| s.is_active()).map(|s| s.as_str()).collect();
    // Counted by the database, not one row per open case: a creation must not slow down
    // as the team's open cases pile up (with every case read, 6 handlers holding 8,000
    // open cases brought creations down to 210/s).
    let open: Vec<(Option<String>, String, i64)> = cases::table
        .filter(cases::assignee_id.eq_any(people))
        .filter(cases::status.eq_any(&active))
        .group_by((cases::assignee_id, cases::urgency))
        .select((cases::assignee_id, cases::urgency, diesel::dsl::count_star()))
        .load(conn)?;
    let week_start = (at.date() - Duration::days(i64::from(at.date().weekday().num_days_from_monday())))
        .and_hms_opt(0, 0, 0)
        .unwrap_or(at);
    let critical: Vec<(Option<String>, i64)> = cases::table
        .filter(cases::assignee_id.eq_any(people))
        .filter(cases::created_at.ge(week_start))
        .filter(cases::urgency.eq(Urgency::Critical.as_str()).or(cases::imminent_risk.eq(true)))
        .group_by(cases::assignee_id)
        .select((cases::assignee_id, diesel::dsl::count_star()))
        .load(conn)?;
    let mut loads: BTreeMap<String, Load> = BTreeMap::new();
    for (assignee, urgency, count) in open {
        if let (Some(a), Ok(u)) = (assignee, Urgency::parse(&urgency)) {
            let count = u32::try_from(count).unwrap_or(u32::MAX);
            let load = loads.entry(a).or_default();
            load.weighted = load.weighted.saturating_add(policy.weights.of(u).saturating_mul(count));
        }
    }
    for (assignee, count) in critical {
        if let Some(a) = assignee {
            loads.entry(a).or_default().critical_this_week = u32::try_from(count).unwrap_or(u32::MAX);
        }
    }
    Ok(loads)
}

/// Keeps a decision with its reasons (in the transaction that creates or reassigns the
/// case, so the two never disagree).
fn insert_decision(conn: &mut DbConn, case_id: &str, decision: &Decision) -> StoreResult<()> {
    diesel::insert_into(assignment_decisions::table)
        .values(DecisionInsertForm::new(case_id, decision, now()))
        .execute(conn)?;
    Ok(())
}

/// The row that records why a case went to whom.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = assignment_decisions)]
pub(crate) struct DecisionInsertForm {
    pub id: String,
    pub case_id: String,
    pub assignee_id: Option<String>,
    pub via_standby: bool,
    pub alert_leads: bool,
    /// One reason per line.
    pub reasons: String,
    pub decided_at: NaiveDateTime,
}

impl DecisionInsertForm {
    pub(crate) fn new(case_id: &str, decision: &Decision, at: NaiveDateTime) -> Self {
        Self {
            id: new_id(),
            case_id: case_id.to_owned(),
            assignee_id: decision.assignee.clone(),
            via_standby: decision.via_standby,
            alert_leads: decision.alert_leads,
            reasons: decision.reasons.join("\n"),
            decided_at: at,
        }
    }
}

/// Keeps a decision about an existing case and applies it.
pub fn record_decision(conn: &mut DbConn, case_id: &str, decision: &Decision) -> StoreResult<()> {
    conn.write(|conn| {
        insert_decision(conn, case_id, decision)?;
        if let Some(assignee) = &decision.assignee {
            let reason = decision.reasons.join("; ");
            crate::cases::Case::assign(conn, case_id, Some(assignee), &reason, None)?;
        }
        Ok(())
    })
}

/// A case given by hand to `assignee` although the rota's rules say they should not take
/// it now (`over`): assigned by `actor` with their reason, and kept as an assignment
/// decision beside the rota's own.
pub fn assign_over_refusal(
    conn: &mut DbConn,
    case_id: &str,
    assignee: &str,
    over: &str,
    reason: &str,
    actor: &str,
) -> StoreResult<crate::cases::Case> {
    let reason = crate::util::required_text("override_reason", reason, 2000)?;
    conn.write(|conn| {
        let decision = Decision {
            assignee: Some(assignee.to_owned()),
            reasons: vec![format!("assigned by hand although {over}"), format!("override: {reason}")],
            via_standby: false,
            alert_leads: false,
        };
        insert_decision(conn, case_id, &decision)?;
        crate::cases::Case::assign(conn, case_id, Some(assignee), &decision.reasons.join("; "), Some(actor))
    })
}

pub fn decisions_for_case(conn: &mut DbConn, case_id: &str) -> StoreResult<Vec<DecisionRow>> {
    Ok(assignment_decisions::table
        .filter(assignment_decisions::case_id.eq(case_id))
        .order((assignment_decisions::decided_at.asc(), assignment_decisions::id.asc()))
        .select(DecisionRow::as_select())
        .load(conn)?)
}

/// The workload picture at `at` over `weeks` weeks: the team is every active handler and
/// everyone in the rotation. Reads the cases created in the window and every open case.
pub fn workload_at(
    conn: &mut DbConn,
    at: NaiveDateTime,
    weeks: u32,
    policy: &Policy,
) -> StoreResult<rempart_rota::workload::Workload> {
    use rempart_rota::workload::{CaseFacts, Member, ShiftFacts, week_start, workload};
    let in_rotation: Vec<String> = rotations(conn)?.into_iter().flat_map(|r| r.order).collect();
    let members: Vec<Member> = users::table
        .filter(users::active.eq(true))
        .filter(users::role.eq("handler").or(users::id.eq_any(&in_rotation)))
        .order(users::display_name.asc())
        .select((users::id, users::display_name, users::capacity))
        .load::<(String, String, i32)>(conn)?
        .into_iter()
        .map(|(id, name, capacity)| Member { id, name, capacity: u32::try_from(capacity).unwrap_or(0) })
        .collect();
    let weeks = weeks.clamp(1, 104);
    let month_start = at.date().with_day(1).and_then(|d| d.and_hms_opt(0, 0, 0)).unwrap_or(at);
    let from = (week_start(at) - Duration::weeks(i64::from(weeks) - 1)).min(month_start);
    let active: Vec<&str> = CaseStatus::all().filter(|s| s.is_active()).map(|s| s.as_str()).collect();
    // (assignee, urgency, status, first response, created)
    type CaseRow = (Option<String>, String, String, Option<NaiveDateTime>, NaiveDateTime);
    let rows: Vec<CaseRow> = cases::table
        .filter(cases::created_at.ge(from).or(cases::status.eq_any(&active)))
        .select((cases::assignee_id, cases::urgency, cases::status, cases::first_response_at, cases::created_at))
        .load(conn)?;
    let facts: Vec<CaseFacts> = rows
        .into_iter()
        .filter_map(|(assignee, urgency, status, first_response_at, created_at)| {
            let status = CaseStatus::parse(&status).ok()?;
            Some(CaseFacts {
                assignee,
                urgency: Urgency::parse(&urgency).ok()?,
                open: status.is_active(),
                awaiting_first_response: status == CaseStatus::New && first_response_at.is_none(),
                created_at,
            })
        })
        .collect();
    let shift_rows: Vec<(String, NaiveDateTime)> = shifts::table
        .filter(shifts::starts_at.ge(from))
        .filter(shifts::starts_at.le(at))
        .select((shifts::id, shifts::starts_at))
        .load(conn)?;
    let ids: Vec<&str> = shift_rows.iter().map(|(id, _)| id.as_str()).collect();
    let checked: std::collections::BTreeSet<String> = check_ins::table
        .filter(check_ins::shift_id.eq_any(&ids))
        .select(check_ins::shift_id)
        .load(conn)?
        .into_iter()
        .collect();
    let shift_facts: Vec<ShiftFacts> =
        shift_rows.iter().map(|(id, start)| ShiftFacts { start: *start, checked_in: checked.contains(id) }).collect();
    Ok(workload(&members, &facts, &shift_facts, &policy.weights, policy.first_response_leads, at, weeks))
}

/// What a rebalancing works on at `at`: the people on shift and checked in fit (who may
/// receive cases) and every open case someone holds, with its language and sensitivity.
pub fn rebalance_inputs(
    conn: &mut DbConn,
    at: NaiveDateTime,
    policy: &Policy,
) -> StoreResult<(Vec<Handler>, Vec<rempart_rota::rebalance::HeldCase>)> {
    use crate::schema::beneficiaries;
    let roster = roster_at(conn, at, policy)?;
    let fit: std::collections::BTreeSet<&str> = roster
        .shifts
        .iter()
        .filter(|s| roster.check_in_state(s, at, policy) == rempart_rota::CheckInState::Fit)
        .map(|s| s.handler_id.as_str())
        .collect();
    let available: Vec<Handler> = roster.handlers.iter().filter(|h| fit.contains(h.id.as_str())).cloned().collect();
    let active: Vec<&str> = CaseStatus::all().filter(|s| s.is_active()).map(|s| s.as_str()).collect();
    // (case, assignee, urgency, sensitivity, beneficiary's language, assignee's capacity)
    type HeldRow = (String, Option<String>, String, String, Option<String>, i32);
    let rows: Vec<HeldRow> = cases::table
        .inner_join(beneficiaries::table)
        .inner_join(users::table.on(cases::assignee_id.eq(users::id.nullable())))
        .filter(cases::status.eq_any(&active))
        .filter(cases::assignee_id.is_not_null())
        .select((
            cases::id,
            cases::assignee_id,
            cases::urgency,
            cases::sensitivity,
            beneficiaries::preferred_language,
            users::capacity,
        ))
        .load(conn)?;
    let held = rows
        .into_iter()
        .filter_map(|(id, assignee, urgency, sensitivity, language, capacity)| {
            Some(rempart_rota::rebalance::HeldCase {
                id,
                assignee: assignee?,
                holder_capacity: u32::try_from(capacity).unwrap_or(0),
                urgency: Urgency::parse(&urgency).ok()?,
                restricted: sensitivity == "restricted",
                language: language.and_then(|l| rempart_core::LanguageTag::parse(&l).ok()),
            })
        })
        .collect();
    Ok((available, held))
}
