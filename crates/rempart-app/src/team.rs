//! The team as leads see and plan it: who is on call now, the shifts and the intake
//! rotation, the workload and its rebalancing. Reading and planning the rota is
//! supervision (leads and administrators); a check-in's note is never part of it, nor is
//! the reason someone is not available.

use crate::access::{Capability, require};
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use chrono::{NaiveDate, NaiveDateTime};
use rempart_core::Urgency;
use rempart_rota::{CheckInState, NewCaseInfo, Period, Policy, Rotation, ShiftKind};
use rempart_store::DbConn;
use rempart_store::cases::Case;
use rempart_store::rota::{self as store, ShiftRow};

/// Whether someone on shift can take cases, as leads may know it: never why not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    /// Checked in fit.
    Available,
    /// Not checked in yet, within the grace period.
    AwaitingCheckIn,
    /// Checked in not fit, or missed the check-in: the two read the same.
    NotAvailable,
}

impl From<CheckInState> for Availability {
    fn from(state: CheckInState) -> Self {
        match state {
            CheckInState::Fit => Availability::Available,
            CheckInState::Pending => Availability::AwaitingCheckIn,
            CheckInState::NotFit | CheckInState::Missing => Availability::NotAvailable,
        }
    }
}

/// Someone on shift now.
#[derive(Debug, Clone)]
pub struct OnCall {
    pub user_id: String,
    pub name: String,
    pub kind: ShiftKind,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    /// Where their check-in stands (what the REST API gives leads); none for a viewer
    /// who does not supervise: colleagues' check-ins are the leads' business only.
    pub check_in: Option<CheckInState>,
    pub availability: Option<Availability>,
}

/// The team at one moment.
#[derive(Debug, Clone)]
pub struct TeamNow {
    /// `rotation week 47: intake is Ana`, or none without a rotation.
    pub period: Option<String>,
    /// The rotation's intake person for this period, if any: (id, name).
    pub rotation_intake: Option<(String, String)>,
    pub on_call: Vec<OnCall>,
    /// Who a new case would go to now, and whether through a standby shift; none when
    /// nobody can take one (the leads are alerted at each new case).
    pub next_case_to: Option<(String, String)>,
    pub via_standby: bool,
}

/// Who is on call at `at` and who takes the next case: every member of staff may know it
/// (whom to ask for help); how each one's check-in stands only leads and administrators.
pub fn now(conn: &mut DbConn, actor: &Actor, at: NaiveDateTime, policy: &Policy) -> AppResult<TeamNow> {
    let supervises = crate::access::may(actor, Capability::Supervise);
    let roster = store::roster_at(conn, at, policy)?;
    let name = |id: &str| roster.handler(id).map_or_else(|| id.to_owned(), |h| h.name.clone());
    let rotation_intake =
        roster.rotation.as_ref().and_then(|r| r.order_at(at).first().map(|id| ((*id).to_owned(), name(id))));
    let mut on_call: Vec<OnCall> = roster
        .shifts
        .iter()
        .filter(|s| s.covers(at))
        .map(|s| {
            let check_in = supervises.then(|| roster.check_in_state(s, at, policy));
            OnCall {
                user_id: s.handler_id.clone(),
                name: name(&s.handler_id),
                kind: s.kind,
                starts_at: s.start,
                ends_at: s.end,
                check_in,
                availability: check_in.map(Availability::from),
            }
        })
        .collect();
    on_call.sort_by(|a, b| (kind_rank(a.kind), &a.name).cmp(&(kind_rank(b.kind), &b.name)));
    // An ordinary case: what the rota would do with the next one.
    let ordinary = NewCaseInfo { urgency: Urgency::Medium, imminent_risk: false, language: None, restricted: false };
    let decision = rempart_rota::assign(&roster, policy, &ordinary, at);
    Ok(TeamNow {
        period: roster.rotation.as_ref().map(|r| r.label(at)),
        rotation_intake,
        next_case_to: decision.assignee.as_deref().map(|id| (id.to_owned(), name(id))),
        via_standby: decision.via_standby,
        on_call,
    })
}

fn kind_rank(kind: ShiftKind) -> u8 {
    match kind {
        ShiftKind::Intake => 0,
        ShiftKind::Standby => 1,
    }
}

/// The people who take cases (active handlers and leads), by name: the rows of the shift
/// planner and the choices of the rotation.
pub fn members(conn: &mut DbConn, actor: &Actor) -> AppResult<Vec<(String, String)>> {
    require(actor, Capability::Supervise)?;
    let mut people: Vec<(String, String)> = rempart_store::users::User::list(conn)?
        .into_iter()
        .filter(|u| u.active && matches!(u.role, rempart_core::Role::Handler | rempart_core::Role::Lead))
        .map(|u| (u.id, u.display_name))
        .collect();
    people.sort_by_key(|p| p.1.to_lowercase());
    Ok(people)
}

/// Shifts overlapping `from`..`to` (at most 92 days): everyone may read the rota (a
/// handler sees when they and their colleagues are on); only leads change it.
pub fn shifts(conn: &mut DbConn, from: NaiveDateTime, to: NaiveDateTime) -> AppResult<Vec<ShiftRow>> {
    if to <= from || to - from > chrono::Duration::days(92) {
        return Err(AppError::validation("to", "must follow `from`, at most 92 days later"));
    }
    Ok(store::shifts_between(conn, from, to)?)
}

/// One shift, to change it.
pub fn shift(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<ShiftRow> {
    require(actor, Capability::Supervise)?;
    Ok(store::get_shift(conn, id)?)
}

/// Plans a shift within the policy's longest shift.
pub fn plan_shift(
    conn: &mut DbConn,
    actor: &Actor,
    user_id: &str,
    kind: ShiftKind,
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    policy: &Policy,
) -> AppResult<ShiftRow> {
    require(actor, Capability::Supervise)?;
    Ok(store::add_shift(conn, user_id, kind, starts_at, ends_at, policy, actor.id())?)
}

/// Changes a shift's kind, start or end (shortening it, say).
pub fn change_shift(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    kind: Option<ShiftKind>,
    starts_at: Option<NaiveDateTime>,
    ends_at: Option<NaiveDateTime>,
    policy: &Policy,
) -> AppResult<ShiftRow> {
    require(actor, Capability::Supervise)?;
    Ok(store::update_shift(conn, id, kind, starts_at, ends_at, policy, actor.id())?)
}

/// Cancels a shift nobody checked in to (one with a check-in is history: a conflict).
pub fn cancel_shift(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<()> {
    require(actor, Capability::Supervise)?;
    Ok(store::delete_shift(conn, id, actor.id())?)
}

/// The intake rotations set: the one in force, then the one planned from a later date.
pub fn rotations(conn: &mut DbConn, actor: &Actor) -> AppResult<Vec<Rotation>> {
    require(actor, Capability::Supervise)?;
    Ok(store::rotations(conn)?)
}

/// Sets the intake rotation: members in order, each holding intake for one period from
/// `anchor` (a Monday for a weekly rotation). From a later date, it is planned and the
/// rotation in force stays until then.
pub fn set_rotation(
    conn: &mut DbConn,
    actor: &Actor,
    members: &[String],
    period: Period,
    anchor: NaiveDate,
) -> AppResult<()> {
    require(actor, Capability::Supervise)?;
    store::set_rotation(conn, members, period, anchor, actor.id())?;
    Ok(())
}

/// The team's workload over `weeks` weeks (1 to 104), the current one included.
pub fn workload(
    conn: &mut DbConn,
    actor: &Actor,
    at: NaiveDateTime,
    weeks: u32,
    policy: &Policy,
) -> AppResult<rempart_rota::workload::Workload> {
    require(actor, Capability::Supervise)?;
    if !(1..=104).contains(&weeks) {
        return Err(AppError::validation("weeks", "between 1 and 104"));
    }
    Ok(store::workload_at(conn, at, weeks, policy)?)
}

/// A rebalancing of the team's open cases, proposed or carried out.
#[derive(Debug, Clone)]
pub struct Rebalance {
    pub proposal: rempart_rota::rebalance::Proposal,
    pub applied: bool,
    /// The reference of each case a move names, by case id.
    pub references: std::collections::HashMap<String, String>,
}

/// Proposes at most `max_moves` (up to 200) moves of open cases from the most loaded to
/// the least loaded people available, and with `apply` carries them out at once, each
/// recorded as a reassignment (the REST API's one-call rebalance; the console shows the
/// proposal first and applies what was shown with [`apply_moves`]).
pub fn rebalance(
    conn: &mut DbConn,
    actor: &Actor,
    at: NaiveDateTime,
    policy: &Policy,
    max_moves: usize,
    apply: bool,
) -> AppResult<Rebalance> {
    require(actor, Capability::Supervise)?;
    if max_moves > 200 {
        return Err(AppError::validation("max_moves", "at most 200"));
    }
    let (available, held) = store::rebalance_inputs(conn, at, policy)?;
    let proposal = rempart_rota::rebalance::propose(&available, &held, &policy.weights, max_moves);
    if apply {
        conn.write(|conn| {
            for m in &proposal.moves {
                Case::assign(conn, &m.case_id, Some(&m.to), "rebalance of the team's load", actor.id())?;
            }
            Ok::<_, AppError>(())
        })?;
    }
    let mut references = std::collections::HashMap::new();
    for m in &proposal.moves {
        references.insert(m.case_id.clone(), Case::get(conn, &m.case_id)?.reference.to_string());
    }
    Ok(Rebalance { proposal, applied: apply, references })
}

/// A move a lead was shown and confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmedMove {
    pub case_id: String,
    pub from: String,
    pub to: String,
}

/// What came of confirmed moves: those carried out, and those left because the case
/// changed hands (or closed) since the proposal was shown.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    pub moved: Vec<ConfirmedMove>,
    pub left: Vec<ConfirmedMove>,
}

/// Carries out the moves of a proposal a lead confirmed, each only if its case is still
/// open and held by the person it was to move from; nothing else moves.
pub fn apply_moves(conn: &mut DbConn, actor: &Actor, moves: &[ConfirmedMove]) -> AppResult<Applied> {
    require(actor, Capability::Supervise)?;
    if moves.len() > 200 {
        return Err(AppError::validation("moves", "at most 200"));
    }
    conn.write(|conn| {
        let mut applied = Applied::default();
        for m in moves {
            let case = Case::get(conn, &m.case_id)?;
            if case.status.is_active() && case.assignee_id.as_deref() == Some(m.from.as_str()) {
                Case::assign(conn, &case.id, Some(&m.to), "rebalance of the team's load", actor.id())?;
                applied.moved.push(m.clone());
            } else {
                applied.left.push(m.clone());
            }
        }
        Ok::<_, AppError>(applied)
    })
}
