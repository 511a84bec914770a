//! Shifts, check-ins, the intake rotation, the on-call picture and assignment decisions.

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use crate::time::UtcTime;
use actix_web::{HttpResponse, web};
use chrono::{NaiveDate, NaiveDateTime};
use rempart_rota::{CheckInState, Period, ShiftKind};
use rempart_store::escalation_board::OpenEscalation;
use rempart_store::escalations::{Escalation, Notification};
use rempart_store::rota::{self as store, DecisionRow, ShiftRow};
use serde::{Deserialize, Serialize};

fn now() -> NaiveDateTime {
    rempart_store::now()
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShiftRequest {
    pub user_id: String,
    /// `intake` or `standby`.
    pub kind: String,
    pub starts_at: UtcTime,
    /// At most 8 hours after the start.
    pub ends_at: UtcTime,
}

/// Plans a shift (leads).
#[utoipa::path(post, path = "/api/v1/shifts", tag = "rota", request_body = ShiftRequest, security(("bearer" = [])), responses(
    (status = 201, body = ShiftRow),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn add_shift(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<ShiftRequest>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    let kind = parse_kind(&b.kind)?;
    let actor = user.actor();
    let policy = state.config.policy.clone();
    let shift = state
        .db(move |conn| {
            Ok(rempart_app::team::plan_shift(conn, &actor, &b.user_id, kind, b.starts_at.0, b.ends_at.0, &policy)?)
        })
        .await?;
    Ok(HttpResponse::Created().json(shift))
}

fn parse_kind(kind: &str) -> ApiResult<ShiftKind> {
    match kind {
        "intake" => Ok(ShiftKind::Intake),
        "standby" => Ok(ShiftKind::Standby),
        _ => Err(ApiError::validation("kind", "intake or standby")),
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShiftChange {
    /// `intake` or `standby`.
    pub kind: Option<String>,
    pub starts_at: Option<UtcTime>,
    /// At most 8 hours after the start.
    pub ends_at: Option<UtcTime>,
}

/// Changes a shift: its kind, start or end (leads).
#[utoipa::path(patch, path = "/api/v1/shifts/{id}", tag = "rota", request_body = ShiftChange, security(("bearer" = [])),
    params(("id" = String, Path)), responses(
    (status = 200, body = ShiftRow),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn update_shift(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: web::Json<ShiftChange>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    let kind = b.kind.as_deref().map(parse_kind).transpose()?;
    let (id, actor) = (path.into_inner(), user.actor());
    let policy = state.config.policy.clone();
    let (starts_at, ends_at) = (b.starts_at.map(|t| t.0), b.ends_at.map(|t| t.0));
    let shift = state
        .db(move |conn| Ok(rempart_app::team::change_shift(conn, &actor, &id, kind, starts_at, ends_at, &policy)?))
        .await?;
    Ok(HttpResponse::Ok().json(shift))
}

/// Cancels a shift nobody checked in to (leads); one with a check-in is history (409).
#[utoipa::path(delete, path = "/api/v1/shifts/{id}", tag = "rota", security(("bearer" = [])),
    params(("id" = String, Path)), responses(
    (status = 204),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
pub async fn delete_shift(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let (id, actor) = (path.into_inner(), user.actor());
    state.db(move |conn| Ok(rempart_app::team::cancel_shift(conn, &actor, &id)?)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ShiftQuery {
    /// RFC 3339 (`Z` or an offset); default now.
    #[param(value_type = Option<String>, format = DateTime)]
    pub from: Option<UtcTime>,
    /// RFC 3339 (`Z` or an offset); default a week after `from`.
    #[param(value_type = Option<String>, format = DateTime)]
    pub to: Option<UtcTime>,
}

/// A shift with its times also in the time zone of the person looking at it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ShiftView {
    #[serde(flatten)]
    pub shift: ShiftRow,
    /// The viewer's time zone (their account's `time_zone`, UTC by default).
    pub time_zone: rempart_core::TimeZoneName,
    /// `starts_at` in that zone, RFC 3339 with offset.
    pub starts_at_local: String,
    pub ends_at_local: String,
}

/// Shifts overlapping a period, with local times in the viewer's time zone.
#[utoipa::path(get, path = "/api/v1/shifts", tag = "rota", params(ShiftQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<ShiftView>)))]
pub async fn list_shifts(
    state: web::Data<AppState>,
    user: AuthUser,
    q: web::Query<ShiftQuery>,
) -> ApiResult<web::Json<Vec<ShiftView>>> {
    let zone = user.0.time_zone;
    let from = q.from.map_or_else(now, |t| t.0);
    let to = q.to.map_or(from + chrono::Duration::days(7), |t| t.0);
    let shifts = state.db(move |conn| Ok(rempart_app::team::shifts(conn, from, to)?)).await?;
    Ok(web::Json(
        shifts
            .into_iter()
            .map(|shift| ShiftView {
                time_zone: zone,
                starts_at_local: zone.local_rfc3339(shift.starts_at),
                ends_at_local: zone.local_rfc3339(shift.ends_at),
                shift,
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckInRequest {
    /// Do you feel well and able to help on this shift?
    pub fit: bool,
    /// Only you can read it; leads see fit / not fit only.
    pub note: Option<String>,
}

/// Checks in for your current shift. Until you do, you receive no new case; "not fit"
/// hands your intake to the standby person.
#[utoipa::path(post, path = "/api/v1/check-ins", tag = "rota", request_body = CheckInRequest, security(("bearer" = [])), responses(
    (status = 201, body = ShiftRow),
    (status = 409, body = Problem, content_type = "application/problem+json", description = "no current shift"),
))]
pub async fn check_in(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<CheckInRequest>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    let actor = user.actor();
    let shift = state
        .db(move |conn| Ok(rempart_app::wellbeing::check_in(conn, &actor, b.fit, b.note.as_deref(), now())?))
        .await?;
    Ok(HttpResponse::Created().json(shift))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OwnCheckInsQuery {
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

/// Your own check-ins, newest first, with the private notes only you can read. Nobody
/// else's: leads see fit or not fit on the rota, never a note.
#[utoipa::path(get, path = "/api/v1/check-ins/mine", tag = "rota", params(OwnCheckInsQuery), security(("bearer" = [])),
    responses(
    (status = 200, body = Vec<store::OwnCheckIn>),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn own_check_ins(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<OwnCheckInsQuery>,
) -> ApiResult<web::Json<Vec<store::OwnCheckIn>>> {
    let limit = query.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::validation("limit", "1 to 200"));
    }
    let actor = user.actor();
    Ok(web::Json(state.db(move |conn| Ok(rempart_app::wellbeing::own_check_ins(conn, &actor, limit)?)).await?))
}

#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotationRequest {
    /// User ids, in rotation order.
    pub members: Vec<String>,
    /// `weekly` (default) or `daily`.
    pub period: Option<String>,
    /// First day of period 0 (a Monday for a weekly rotation).
    pub anchor: NaiveDate,
}

/// Sets the intake rotation (leads).
#[utoipa::path(put, path = "/api/v1/rota/rotation", tag = "rota", request_body = RotationRequest, security(("bearer" = [])), responses(
    (status = 200, body = RotationRequest),
    (status = 403, body = Problem, content_type = "application/problem+json"),
))]
pub async fn set_rotation(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<RotationRequest>,
) -> ApiResult<web::Json<RotationRequest>> {
    let b = body.into_inner();
    let period = match b.period.as_deref().unwrap_or("weekly") {
        "weekly" => Period::Weekly,
        "daily" => Period::Daily,
        _ => return Err(ApiError::validation("period", "weekly or daily")),
    };
    let actor = user.actor();
    let members = b.members.clone();
    state.db(move |conn| Ok(rempart_app::team::set_rotation(conn, &actor, &members, period, b.anchor)?)).await?;
    Ok(web::Json(RotationRequest {
        members: b.members,
        period: Some(b.period.unwrap_or_else(|| "weekly".into())),
        anchor: b.anchor,
    }))
}

/// Someone on shift now, as leads may see them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OnShift {
    pub user_id: String,
    pub display_name: String,
    /// `intake` or `standby`.
    pub kind: String,
    #[serde(with = "rempart_core::utc")]
    pub starts_at: NaiveDateTime,
    #[serde(with = "rempart_core::utc")]
    pub ends_at: NaiveDateTime,
    /// The same times in the viewer's time zone, RFC 3339 with offset.
    pub starts_at_local: String,
    pub ends_at_local: String,
    /// `fit`, `not_fit`, `pending` (within the grace period) or `missing`, for leads and
    /// administrators; null for anyone else. Never the note.
    #[schema(value_type = Option<String>)]
    pub check_in: Option<CheckInState>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RotaNow {
    /// `rotation week 47: intake is Ana`, or null without a rotation.
    pub period: Option<String>,
    pub intake_user_id: Option<String>,
    pub on_shift: Vec<OnShift>,
}

/// Who is on call now; for leads and administrators also how their check-ins stand (never
/// the private notes).
#[utoipa::path(get, path = "/api/v1/rota/now", tag = "rota", security(("bearer" = [])), responses((status = 200, body = RotaNow)))]
pub async fn rota_now(state: web::Data<AppState>, user: AuthUser) -> ApiResult<web::Json<RotaNow>> {
    let zone = user.0.time_zone;
    let policy = state.config.policy.clone();
    let actor = user.actor();
    let team = state.db(move |conn| Ok(rempart_app::team::now(conn, &actor, now(), &policy)?)).await?;
    Ok(web::Json(RotaNow {
        period: team.period,
        intake_user_id: team.rotation_intake.map(|(id, _)| id),
        on_shift: team
            .on_call
            .into_iter()
            .map(|s| OnShift {
                user_id: s.user_id,
                display_name: s.name,
                kind: store::kind_name(s.kind).to_owned(),
                starts_at: s.starts_at,
                ends_at: s.ends_at,
                starts_at_local: zone.local_rfc3339(s.starts_at),
                ends_at_local: zone.local_rfc3339(s.ends_at),
                check_in: s.check_in,
            })
            .collect(),
    }))
}

/// The assignment decisions of a case, with their reasons.
#[utoipa::path(get, path = "/api/v1/cases/{id}/assignment-decisions", tag = "rota", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Vec<DecisionRow>)))]
pub async fn decisions(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<Vec<DecisionRow>>> {
    let raw = path.into_inner();
    Ok(web::Json(state.db(move |conn| Ok(rempart_app::items::assignment_decisions(conn, &user.actor(), &raw)?)).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WorkloadQuery {
    /// Weeks in the series, the current one included (1 to 104, default 8).
    #[param(minimum = 1, maximum = 104)]
    pub weeks: Option<u32>,
}

/// The team's workload (leads and admins): per handler open cases by urgency, weighted load
/// against capacity, cases received this week and month, overdue first responses; per team
/// check-in completion (never per person), balance (max/mean, Gini) and a weekly series.
#[utoipa::path(get, path = "/api/v1/workload", tag = "rota", security(("bearer" = [])), params(WorkloadQuery),
    responses(
    (status = 200, body = rempart_rota::workload::Workload),
    (status = 403, body = Problem, content_type = "application/problem+json"),
))]
pub async fn workload(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<WorkloadQuery>,
) -> ApiResult<HttpResponse> {
    let weeks = query.weeks.unwrap_or(8);
    let (actor, policy) = (user.actor(), state.config.policy.clone());
    let picture = state.db(move |conn| Ok(rempart_app::team::workload(conn, &actor, now(), weeks, &policy)?)).await?;
    Ok(HttpResponse::Ok().json(picture))
}

/// The escalations of a case (imminent risk, first response overdue) with whom each one
/// notified and how that went.
#[utoipa::path(get, path = "/api/v1/cases/{id}/escalations", tag = "rota", security(("bearer" = [])),
    params(("id" = String, Path)), responses(
    (status = 200, body = Vec<EscalationView>),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn escalations(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<Vec<EscalationView>>> {
    let raw = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| {
                Ok(rempart_app::escalations::of_case(conn, &user.actor(), &raw)?
                    .into_iter()
                    .map(|(escalation, notifications)| EscalationView { escalation, notifications })
                    .collect())
            })
            .await?,
    ))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EscalationView {
    #[serde(flatten)]
    pub escalation: Escalation,
    pub notifications: Vec<Notification>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RebalanceRequest {
    /// Carry the moves out (each recorded as a reassignment) instead of only proposing them.
    #[serde(default)]
    pub apply: bool,
    /// At most this many moves (default 20, at most 200).
    #[serde(default, deserialize_with = "crate::number::optional_integer")]
    pub max_moves: Option<usize>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RebalanceAnswer {
    #[serde(flatten)]
    pub proposal: rempart_rota::rebalance::Proposal,
    pub applied: bool,
}

/// Proposes (or applies) moves of open cases from the most loaded people to the least loaded
/// ones on shift and checked in fit, respecting clearance for restricted cases and language
/// (leads and admins).
#[utoipa::path(post, path = "/api/v1/rota/rebalance", tag = "rota", security(("bearer" = [])),
    request_body = RebalanceRequest, responses(
    (status = 200, body = RebalanceAnswer),
    (status = 403, body = Problem, content_type = "application/problem+json"),
))]
pub async fn rebalance(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<RebalanceRequest>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    let max_moves = b.max_moves.unwrap_or(20);
    let (actor, policy) = (user.actor(), state.config.policy.clone());
    let done = state
        .db(move |conn| Ok(rempart_app::team::rebalance(conn, &actor, now(), &policy, max_moves, b.apply)?))
        .await?;
    let answer = RebalanceAnswer { proposal: done.proposal, applied: done.applied };
    Ok(HttpResponse::Ok().json(answer))
}

/// The escalations still open (leads and administrators), newest first: imminent-risk and
/// unanswered cases whose cause holds, check-in escalations of shifts not over, each with
/// whom it notified and the lead who acknowledged it, if one did.
#[utoipa::path(get, path = "/api/v1/escalations", tag = "rota", security(("bearer" = [])), responses(
    (status = 200, body = Vec<OpenEscalation>),
    (status = 403, body = Problem, content_type = "application/problem+json"),
))]
pub async fn open_escalations(state: web::Data<AppState>, user: AuthUser) -> ApiResult<web::Json<Vec<OpenEscalation>>> {
    let actor = user.actor();
    Ok(web::Json(state.db(move |conn| Ok(rempart_app::escalations::open(conn, &actor, now())?)).await?))
}

/// "I am on it": a lead takes an escalation on. The other leads see who; its notifications
/// not sent yet are withdrawn, and an unanswered case is not escalated to the
/// administrators. Acknowledging again changes nothing (the first lead stays named).
#[utoipa::path(post, path = "/api/v1/escalations/{id}/acknowledgement", tag = "rota", security(("bearer" = [])),
    params(("id" = String, Path)), responses(
    (status = 200, body = Escalation),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn acknowledge_escalation(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<Escalation>> {
    let (id, actor) = (path.into_inner(), user.actor());
    Ok(web::Json(state.db(move |conn| Ok(rempart_app::escalations::acknowledge(conn, &actor, &id, now())?)).await?))
}
