//! Cases: create, read with everything attached, list, triage, status, assignment, audit.

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDateTime;
use rempart_app::Capability;
use rempart_app::intake::{CaseFields, Requester};
use rempart_core::{CaseStatus, Priority, Sensitivity, TaxonomyCode, ThreatType, Urgency, VerificationStatus};
use rempart_store::StoreError;
use rempart_store::audit::AuditEvent;

use rempart_store::cases::{Case, CaseChanges, CaseCursor, CaseDetail, CaseFilter, CaseSort};
use serde::{Deserialize, Deserializer, Serialize};

/// Reads `"field": null` as `Some(None)` and an absent field as `None`.
pub fn double_option<'de, T: Deserialize<'de>, D: Deserializer<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

pub fn etag(version: i32) -> String {
    format!("\"v{version}\"")
}

/// The version an `If-Match` header asks for: `None` without the header or with `*`.
/// The version a change was made against. Required (428 without it), so that a client
/// cannot overwrite a colleague's change by accident; `*` says "whatever it is now".
fn if_match(req: &HttpRequest) -> ApiResult<Option<i32>> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Err(ApiError::precondition_required(
            "send the case's ETag in If-Match (as read with GET), or `If-Match: *` to change it whatever its version",
        ));
    };
    let value = value.to_str().map_err(|_| ApiError::bad_request("unreadable If-Match header"))?.trim();
    if value == "*" {
        return Ok(None);
    }
    value
        .trim_start_matches("W/")
        .trim_matches('"')
        .strip_prefix('v')
        .and_then(|v| v.parse().ok())
        .map(Some)
        .ok_or_else(|| ApiError::bad_request("If-Match must be an ETag of this API, such as \"v3\""))
}

fn with_etag(mut response: actix_web::HttpResponseBuilder, version: i32) -> actix_web::HttpResponseBuilder {
    response.insert_header((header::ETAG, etag(version)));
    response
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCaseRequest {
    /// An existing beneficiary; or give `beneficiary` to create one.
    pub beneficiary_id: Option<String>,
    pub beneficiary: Option<crate::routes::beneficiaries::NewBeneficiaryRequest>,
    pub summary: String,
    pub urgency: Option<Urgency>,
    pub priority: Option<Priority>,
    pub service_type: Option<TaxonomyCode>,
    pub threat_type: Option<ThreatType>,
    #[serde(default)]
    pub imminent_risk: bool,
    pub sensitivity: Option<Sensitivity>,
    pub assignee_id: Option<String>,
}

/// Opens a case (status `new`), for an existing beneficiary or a new one.
#[utoipa::path(post, operation_id = "create_case", path = "/api/v1/cases", tag = "cases", request_body = NewCaseRequest,
    security(("bearer" = [])), responses(
    (status = 201, body = CaseDetail, headers(("ETag" = String), ("Location" = String))),
    (status = 404, body = Problem, content_type = "application/problem+json", description = "no such beneficiary or assignee, or one you may not see"),
    (status = 409, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(skip_all, fields(user = %user.id()))]
pub async fn create(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<NewCaseRequest>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let new_beneficiary = match (&body.beneficiary_id, body.beneficiary) {
        (Some(_), Some(_)) => {
            return Err(ApiError::validation("beneficiary", "give beneficiary_id or beneficiary, not both"));
        }
        (None, None) => {
            return Err(ApiError::validation("beneficiary_id", "required (or `beneficiary` to create one)"));
        }
        (_, b) => b.map(|b| b.into_new()).transpose()?,
    };
    let requester = match (body.beneficiary_id, new_beneficiary) {
        (Some(id), _) => Requester::Known(id),
        (None, Some(new)) => Requester::New(new),
        (None, None) => return Err(ApiError::validation("beneficiary_id", "required")),
    };
    let fields = CaseFields {
        summary: body.summary,
        urgency: body.urgency.unwrap_or(Urgency::Medium),
        priority: body.priority,
        service_type: body.service_type,
        threat_type: body.threat_type,
        imminent_risk: body.imminent_risk,
        sensitivity: body.sensitivity.unwrap_or(Sensitivity::Normal),
    };
    let policy = state.config.policy.clone();
    let requested = body.assignee_id;
    let detail = state
        .db(move |conn| {
            Ok(rempart_app::intake::open_case(conn, &user.actor(), requester, fields, requested.as_deref(), &policy)?)
        })
        .await?;
    if rempart_app::intake::alerts_leads(&detail.case) {
        // The leads hear of it now, not at the next poll of the timers.
        wake_escalations(&state);
    }
    Ok(with_etag(HttpResponse::Created(), detail.case.version)
        .insert_header((header::LOCATION, format!("/api/v1/cases/{}", detail.case.id)))
        .json(detail))
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        StoreError::from(e).into()
    }
}

/// A case with everything attached.
#[utoipa::path(get, operation_id = "get_case", path = "/api/v1/cases/{id}", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path, description = "case id (UUID) or reference (RMP-YYYY-NNNNNN)")), responses(
    (status = 200, body = CaseDetail, headers(("ETag" = String))),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn get(state: web::Data<AppState>, user: AuthUser, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let raw = path.into_inner();
    let detail = state
        .db(move |conn| {
            let case = rempart_app::cases::visible(conn, &user.actor(), &raw, "case")?;
            let mut detail = Case::detail_of(conn, case)?;
            let links = std::mem::take(&mut detail.links);
            (detail.links, detail.hidden_links) =
                rempart_app::items::split_links(conn, &user.actor(), &detail.case.id, links)?;
            Ok(detail)
        })
        .await?;
    Ok(with_etag(HttpResponse::Ok(), detail.case.version).json(detail))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    /// Comma-separated statuses.
    #[param(
        pattern = "^ *(new|open|waiting_beneficiary|waiting_third_party|resolved|closed)? *(, *(new|open|waiting_beneficiary|waiting_third_party|resolved|closed)? *)*$"
    )]
    pub status: Option<String>,
    /// Comma-separated urgencies.
    #[param(pattern = "^ *(critical|high|medium|low)? *(, *(critical|high|medium|low)? *)*$")]
    pub urgency: Option<String>,
    /// Comma-separated priorities (P1..P4).
    #[param(pattern = "^ *(P1|P2|P3|P4)? *(, *(P1|P2|P3|P4)? *)*$")]
    pub priority: Option<String>,
    /// A user id, `me`, or `none` for unassigned cases.
    pub assignee: Option<String>,
    #[param(value_type = Option<rempart_core::TaxonomyCode>)]
    pub service_type: Option<String>,
    #[param(value_type = Option<rempart_core::TaxonomyCode>)]
    pub audience_type: Option<String>,
    pub verification_status: Option<VerificationStatus>,
    pub threat_type: Option<ThreatType>,
    pub imminent_risk: Option<bool>,
    /// Created at or after (RFC 3339 or YYYY-MM-DD, UTC).
    pub created_from: Option<String>,
    /// Created before (RFC 3339 or YYYY-MM-DD, UTC).
    pub created_to: Option<String>,
    /// Words to find in the summary, a message subject or body: whole words, every one,
    /// case-insensitive (a word is a run of 2 to 64 letters or digits).
    pub q: Option<String>,
    /// A whole address of the beneficiary, or whole words of their name or addresses
    /// (every one, case-insensitive): names and addresses are sealed, found by their tokens.
    pub beneficiary: Option<String>,
    /// `-created_at` (default), `created_at`, `-updated_at`, `updated_at`.
    #[param(pattern = "^-?(created_at|updated_at)$")]
    pub sort: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

impl CaseQuery {
    /// The filter and order this query asks for, as `me` (for `assignee=me`); the
    /// console's search reads its form through it too.
    pub fn filter(&self, me: &str) -> ApiResult<(CaseFilter, CaseSort)> {
        let q = self;
        let sort = match q.sort.as_deref() {
            None => CaseSort::NewestFirst,
            Some(s) => CaseSort::parse(s).ok_or_else(|| {
                ApiError::validation("sort", "one of -created_at, created_at, -updated_at, updated_at")
            })?,
        };
        let taxonomy = |field: &'static str, raw: &Option<String>| {
            raw.as_deref().map(TaxonomyCode::parse).transpose().map_err(|e| ApiError::validation(field, e.to_string()))
        };
        let filter = CaseFilter {
            text: q.q.clone(),
            beneficiary: q.beneficiary.clone(),
            audience_type: taxonomy("audience_type", &q.audience_type)?,
            verification_status: q.verification_status,
            statuses: list_of("status", &q.status, |s| CaseStatus::parse(s).map_err(|e| e.to_string()))?,
            urgencies: list_of("urgency", &q.urgency, |s| Urgency::parse(s).map_err(|e| e.to_string()))?,
            priorities: list_of("priority", &q.priority, |s| Priority::parse(s).map_err(|e| e.to_string()))?,
            assignee_id: match q.assignee.as_deref() {
                None => None,
                Some("none") => Some(None),
                Some("me") => Some(Some(me.to_owned())),
                Some(id) => Some(Some(id.to_owned())),
            },
            service_type: taxonomy("service_type", &q.service_type)?,
            threat_type: q.threat_type,
            imminent_risk: q.imminent_risk,
            created_from: parse_time("created_from", &q.created_from)?,
            created_before: parse_time("created_to", &q.created_to)?,
            // The layer sets the actor's own.
            visible_to: None,
        };
        Ok((filter, sort))
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CasePage {
    pub items: Vec<Case>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

pub const MAX_PAGE: i64 = 200;

fn list_of<T>(
    field: &'static str,
    raw: &Option<String>,
    parse: impl Fn(&str) -> Result<T, String>,
) -> ApiResult<Vec<T>> {
    raw.as_deref()
        .map(|s| s.split(',').map(str::trim).filter(|p| !p.is_empty()).map(&parse).collect::<Result<Vec<_>, _>>())
        .transpose()
        .map_err(|e| ApiError::validation(field, e))
        .map(Option::unwrap_or_default)
}

fn parse_time(field: &'static str, raw: &Option<String>) -> ApiResult<Option<NaiveDateTime>> {
    let Some(raw) = raw.as_deref() else { return Ok(None) };
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(raw) {
        return Ok(Some(t.naive_utc()));
    }
    chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(Some)
        .ok_or_else(|| ApiError::validation(field, "expected RFC 3339 (2026-11-22T10:00:00Z) or YYYY-MM-DD"))
}

fn encode_cursor(at: NaiveDateTime, id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}|{id}", at.and_utc().timestamp_micros()))
}

fn decode_cursor(raw: &str) -> ApiResult<CaseCursor> {
    let bad = || ApiError::validation("cursor", "not a cursor returned by this API");
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(raw).map_err(|_| bad())?).map_err(|_| bad())?;
    let (micros, id) = text.split_once('|').ok_or_else(bad)?;
    let at = chrono::DateTime::from_timestamp_micros(micros.parse().map_err(|_| bad())?).ok_or_else(bad)?.naive_utc();
    Ok(CaseCursor { created_at: at, id: id.to_owned() })
}

/// Lists cases with filters, text search, sort and cursor pagination. Restricted cases
/// appear only to their assignee, leads and admins.
#[utoipa::path(get, operation_id = "list_cases", path = "/api/v1/cases", tag = "cases", security(("bearer" = [])), params(CaseQuery), responses(
    (status = 200, body = CasePage),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn list(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<CaseQuery>,
) -> ApiResult<web::Json<CasePage>> {
    let q = query.into_inner();
    let limit = q.limit.unwrap_or(50);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::bad_request(format!("limit must be between 1 and {MAX_PAGE}")));
    }
    let (filter, sort) = q.filter(user.id())?;
    let cursor = q.cursor.as_deref().map(decode_cursor).transpose()?;
    let mut items = state
        .db(move |conn| Ok(rempart_app::cases::list(conn, &user.actor(), filter, sort, cursor.as_ref(), limit + 1)?))
        .await?;
    let next_cursor = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|c| encode_cursor(sort.key(c), &c.id))
    } else {
        None
    };
    Ok(web::Json(CasePage { items, next_cursor }))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CasePatch {
    pub summary: Option<String>,
    pub urgency: Option<Urgency>,
    pub priority: Option<Priority>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub service_type: Option<Option<TaxonomyCode>>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<ThreatType>, nullable)]
    pub threat_type: Option<Option<ThreatType>>,
    pub imminent_risk: Option<bool>,
    pub sensitivity: Option<Sensitivity>,
}

/// Triage changes. Send the case's ETag in `If-Match` (required: 428 without it; `*` for
/// whatever the version): if the case changed since, 412.
#[utoipa::path(patch, operation_id = "update_case", path = "/api/v1/cases/{id}", tag = "cases", request_body = CasePatch, security(("bearer" = [])),
    params(("id" = String, Path), ("If-Match" = String, Header, description = "ETag of the case as read, or `*`")),
    responses(
    (status = 200, body = CaseDetail, headers(("ETag" = String))),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 412, body = Problem, content_type = "application/problem+json"),
    (status = 428, body = Problem, content_type = "application/problem+json", description = "no If-Match"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn update(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Json<CasePatch>,
) -> ApiResult<HttpResponse> {
    let expected = if_match(&req)?;
    let raw = path.into_inner();
    let body = body.into_inner();
    let detail = state
        .db(move |conn| {
            let changes = CaseChanges {
                summary: body.summary,
                urgency: body.urgency,
                priority: body.priority,
                service_type: body.service_type,
                threat_type: body.threat_type,
                imminent_risk: body.imminent_risk,
                sensitivity: body.sensitivity,
            };
            Ok(rempart_app::operations::update_case(conn, &user.actor(), &raw, changes, expected)?)
        })
        .await?;
    if rempart_app::operations::alerts_leads_after_change(&detail.case) {
        wake_escalations(&state);
    }
    Ok(with_etag(HttpResponse::Ok(), detail.case.version).json(detail))
}

/// Asks this process's escalation notifier for a tick now (`serve` runs one).
pub fn wake_escalations(state: &web::Data<AppState>) {
    if let Some(waker) = &state.config.escalation_waker {
        waker.wake();
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    pub to: CaseStatus,
    pub note: Option<String>,
}

/// Moves the case through the state machine; an illegal move answers 409 with the
/// statuses allowed from the current one.
#[utoipa::path(post, path = "/api/v1/cases/{id}/transitions", tag = "cases", request_body = TransitionRequest,
    security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = Case, headers(("ETag" = String))),
    (status = 409, body = Problem, content_type = "application/problem+json", description = "illegal-transition, with `allowed`"),
))]
pub async fn transition(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: web::Json<TransitionRequest>,
) -> ApiResult<HttpResponse> {
    let raw = path.into_inner();
    let body = body.into_inner();
    let case = state
        .db(move |conn| {
            Ok(rempart_app::operations::transition(conn, &user.actor(), &raw, body.to, body.note.as_deref())?)
        })
        .await?;
    Ok(with_etag(HttpResponse::Ok(), case.version).json(case))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentRequest {
    /// The new assignee, or `null` to leave the case unassigned.
    pub assignee_id: Option<String>,
    pub reason: String,
    /// Leads and admins: give the case although the rota's rules say the person should not
    /// take it now (not checked in fit, off shift, at capacity ...). Recorded as an
    /// assignment decision.
    pub override_reason: Option<String>,
}

/// Gives the case to someone. Handlers and analysts may take an unassigned case or hand
/// on one they hold; leads and admins may reassign any case. Giving it to someone else who
/// should not take it now (off shift, not checked in fit, at capacity or at the weekly cap
/// of critical cases, not cleared for a restricted case) answers 409: a lead is told why
/// and may insist with `override_reason`; others are only told that the person cannot take
/// it now (how a colleague feels is theirs to say).
#[utoipa::path(post, path = "/api/v1/cases/{id}/assignment", tag = "cases", request_body = AssignmentRequest,
    security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = Case),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 409, body = Problem, content_type = "application/problem+json", description = "the person should not take it now"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 415, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn assign(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: web::Json<AssignmentRequest>,
) -> ApiResult<HttpResponse> {
    let raw = path.into_inner();
    let body = body.into_inner();
    let policy = state.config.policy.clone();
    let case = state
        .db(move |conn| {
            Ok(rempart_app::operations::assign(
                conn,
                &user.actor(),
                &raw,
                body.assignee_id.as_deref(),
                &body.reason,
                body.override_reason.as_deref(),
                &policy,
            )?)
        })
        .await?;
    Ok(with_etag(HttpResponse::Ok(), case.version).json(case))
}

/// The audit trail of a case (leads and admins).
#[utoipa::path(get, path = "/api/v1/cases/{id}/audit", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path)), responses(
    (status = 200, body = Vec<AuditEvent>),
    (status = 403, body = Problem, content_type = "application/problem+json"),
))]
pub async fn audit(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<Vec<AuditEvent>>> {
    user.require(Capability::Supervise)?;
    let raw = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| {
                let case = rempart_app::cases::visible(conn, &user.actor(), &raw, "audit")?;
                Ok(AuditEvent::for_case(conn, &case.id)?)
            })
            .await?,
    ))
}
