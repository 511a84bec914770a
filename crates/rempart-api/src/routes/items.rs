//! What is attached to a case: messages and replies, comments, actions, next steps,
//! third parties, links, risk assessments, indicators and their correlation.

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use rempart_core::{Channel, Direction, EmailAddress, IndicatorKind, LinkKind, Party, RiskFactors, ThirdPartyRole};
use rempart_store::DbConn;
use rempart_store::case_items::{Action, CaseLink, Comment, NewThirdParty, NextStep, RiskAssessment, ThirdParty};
use rempart_store::indicators::{Indicator, IndicatorMatch, NewIndicator};
use rempart_store::messages::Message;
use serde::{Deserialize, Serialize};

/// Runs `f`, an operation of the application layer on case `raw`, as the user.
async fn on_case<T, F>(state: &web::Data<AppState>, user: AuthUser, raw: String, f: F) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConn, &rempart_app::Actor, &str) -> rempart_app::AppResult<T> + Send + 'static,
{
    state.db(move |conn| Ok(f(conn, &user.actor(), &raw)?)).await
}

fn created<T: Serialize>(value: T) -> HttpResponse {
    HttpResponse::Created().json(value)
}

// ------------------------------------------------------------------------------- messages

/// Messages of the case, oldest first.
#[utoipa::path(get, path = "/api/v1/cases/{id}/messages", tag = "messages", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Vec<Message>),
    (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list_messages(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<Vec<Message>>> {
    Ok(web::Json(on_case(&state, user, path.into_inner(), rempart_app::items::messages).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageRequest {
    pub direction: Direction,
    pub party: Party,
    /// Required when `party` is `third_party`.
    pub third_party_id: Option<String>,
    pub channel: Channel,
    #[serde(default)]
    pub subject: String,
    pub body: String,
}

/// Records a message exchanged outside the mail gateway (a phone call, a message to or
/// from a third party). Outbound email is queued for the gateway.
#[utoipa::path(post, path = "/api/v1/cases/{id}/messages", tag = "messages", request_body = MessageRequest,
    security(("bearer" = [])), params(("id" = String, Path)), responses((status = 201, body = Message),
    (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn add_message(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: web::Json<MessageRequest>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    let message = on_case(&state, user, path.into_inner(), move |c, actor, raw| {
        let written = rempart_app::items::Written {
            direction: b.direction,
            channel: b.channel,
            subject: Some(b.subject),
            text: b.body,
        };
        match (b.party, b.third_party_id) {
            (Party::ThirdParty, Some(id)) => rempart_app::items::write_to_third_party(c, actor, raw, &id, written),
            (Party::ThirdParty, None) => {
                Err(rempart_app::AppError::validation("third_party_id", "required for a message with a third party"))
            }
            (Party::Beneficiary, Some(_)) => {
                Err(rempart_app::AppError::validation("third_party_id", "only for messages with a third party"))
            }
            (Party::Beneficiary, None) => rempart_app::items::record_message(c, actor, raw, written),
        }
    })
    .await?;
    Ok(created(message))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyRequest {
    /// Defaults to `Re: <summary>`; the case reference is added when missing, so replies
    /// thread back to the case.
    pub subject: Option<String>,
    pub body: String,
}

/// Queues an email to the beneficiary (delivery status `queued`; the mail gateway signs,
/// encrypts and sends it).
#[utoipa::path(post, path = "/api/v1/cases/{id}/replies", tag = "messages", request_body = ReplyRequest,
    security(("bearer" = [])), params(("id" = String, Path)), responses((status = 201, body = Message),
    (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn reply(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: web::Json<ReplyRequest>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    let raw = path.into_inner();
    let message =
        state.db(move |c| Ok(rempart_app::operations::reply(c, &user.actor(), &raw, b.body, b.subject)?)).await?;
    Ok(created(message))
}

// ------------------------------------------------------------------ comments and actions

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TextRequest {
    pub text: String,
}

/// Internal comments of the people handling the case.
#[utoipa::path(get, path = "/api/v1/cases/{id}/comments", tag = "case items", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Vec<Comment>)))]
pub async fn list_comments(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<Vec<Comment>>> {
    Ok(web::Json(on_case(&state, user, path.into_inner(), rempart_app::items::comments).await?))
}

/// Adds an internal comment (never sent to anyone).
#[utoipa::path(post, path = "/api/v1/cases/{id}/comments", tag = "case items", request_body = TextRequest,
    security(("bearer" = [])), params(("id" = String, Path)), responses((status = 201, body = Comment),
    (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn add_comment(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: web::Json<TextRequest>,
) -> ApiResult<HttpResponse> {
    let text = body.into_inner().text;
    let raw = path.into_inner();
    Ok(created(state.db(move |c| Ok(rempart_app::operations::comment(c, &user.actor(), &raw, &text)?)).await?))
}

/// Actions taken on the case.
#[utoipa::path(get, path = "/api/v1/cases/{id}/actions", tag = "case items", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Vec<Action>)))]
pub async fn list_actions(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<Vec<Action>>> {
    Ok(web::Json(on_case(&state, user, path.into_inner(), rempart_app::items::actions).await?))
}

/// Records an action taken, by the caller, now.
#[utoipa::path(post, path = "/api/v1/cases/{id}/actions", tag = "case items", request_body = TextRequest,
    security(("bearer" = [])), params(("id" = String, Path)), responses((status = 201, body = Action),
    (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn add_action(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: web::Json<TextRequest>,
) -> ApiResult<HttpResponse> {
    let text = body.into_inner().text;
    Ok(created(
        on_case(&state, user, path.into_inner(), move |c, actor, raw| {
            rempart_app::items::record_action(c, actor, raw, &text)
        })
        .await?,
    ))
}

// ------------------------------------------------------------------------------ next steps

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NextStepRequest {
    pub text: String,
    /// YYYY-MM-DD.
    pub due_on: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NextStepPatch {
    pub done: bool,
}

/// Next steps of the case.
#[utoipa::path(get, path = "/api/v1/cases/{id}/next-steps", tag = "case items", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Vec<NextStep>)))]
pub async fn list_next_steps(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<Vec<NextStep>>> {
    Ok(web::Json(on_case(&state, user, path.into_inner(), rempart_app::items::next_steps).await?))
}

/// Plans a next step.
#[utoipa::path(post, path = "/api/v1/cases/{id}/next-steps", tag = "case items", request_body = NextStepRequest,
    security(("bearer" = [])), params(("id" = String, Path)), responses((status = 201, body = NextStep),
    (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn add_next_step(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: web::Json<NextStepRequest>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    Ok(created(
        on_case(&state, user, path.into_inner(), move |c, actor, raw| {
            rempart_app::items::plan_next_step(c, actor, raw, &b.text, b.due_on)
        })
        .await?,
    ))
}

/// Marks a next step done or not done.
#[utoipa::path(patch, path = "/api/v1/cases/{id}/next-steps/{step_id}", tag = "case items", request_body = NextStepPatch,
    security(("bearer" = [])), params(("id" = String, Path), ("step_id" = String, Path)), responses(
    (status = 200, body = NextStep), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn update_next_step(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: web::Json<NextStepPatch>,
) -> ApiResult<web::Json<NextStep>> {
    let (raw, step_id) = path.into_inner();
    let done = body.done;
    Ok(web::Json(
        on_case(&state, user, raw, move |c, actor, raw| {
            rempart_app::items::set_next_step_done(c, actor, raw, &step_id, done)
        })
        .await?,
    ))
}

// --------------------------------------------------------------------------- third parties

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ThirdPartyRequest {
    pub organisation: String,
    pub contact_name: Option<String>,
    pub role: ThirdPartyRole,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub notes: Option<String>,
}

/// Other parties involved in the case.
#[utoipa::path(get, path = "/api/v1/cases/{id}/third-parties", tag = "case items", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Vec<ThirdParty>)))]
pub async fn list_third_parties(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<Vec<ThirdParty>>> {
    Ok(web::Json(on_case(&state, user, path.into_inner(), rempart_app::items::third_parties).await?))
}

/// Adds an intermediary, a platform contacted for an escalation, a partner.
#[utoipa::path(post, path = "/api/v1/cases/{id}/third-parties", tag = "case items", request_body = ThirdPartyRequest,
    security(("bearer" = [])), params(("id" = String, Path)), responses((status = 201, body = ThirdParty),
    (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn add_third_party(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: web::Json<ThirdPartyRequest>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    let email =
        b.email.as_deref().map(EmailAddress::parse).transpose().map_err(|e| ApiError::validation("email", e.reason))?;
    Ok(created(
        on_case(&state, user, path.into_inner(), move |c, actor, raw| {
            let new = NewThirdParty {
                case_id: String::new(),
                organisation: b.organisation,
                contact_name: b.contact_name,
                role: b.role,
                email,
                phone: b.phone,
                notes: b.notes,
            };
            rempart_app::items::add_third_party(c, actor, raw, new)
        })
        .await?,
    ))
}

/// Pins a third party's OpenPGP key (as the handler received it through a channel they
/// trust): e-mail to them is encrypted to it, and what waited for it leaves.
#[utoipa::path(put, path = "/api/v1/cases/{id}/third-parties/{third_party_id}/key", tag = "case items",
    request_body = crate::routes::beneficiaries::KeyEntry, security(("bearer" = [])),
    params(("id" = String, Path), ("third_party_id" = String, Path)), responses(
    (status = 200, body = ThirdParty),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json", description = "not a usable public key"),
))]
pub async fn set_third_party_key(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: web::Json<crate::routes::beneficiaries::KeyEntry>,
) -> ApiResult<web::Json<ThirdParty>> {
    let (raw, party) = path.into_inner();
    let (armored, fingerprint) = crate::routes::beneficiaries::read_key(&body.certificate)?;
    Ok(web::Json(
        on_case(&state, user, raw, move |c, actor, raw| {
            rempart_app::items::set_third_party_key(c, actor, raw, &party, &armored, &fingerprint)
        })
        .await?,
    ))
}

// ---------------------------------------------------------------------------------- links

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {
    /// The other case: id or reference.
    pub target: String,
    /// `parent_of`: this case is the parent of the target; `duplicate_of`: this case
    /// duplicates the target.
    pub kind: LinkKind,
    pub note: Option<String>,
}

/// A link as its reader may see it: whole, or only the fact that it exists when the other
/// case is one they may not see.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum LinkView {
    Visible(CaseLink),
    Hidden(HiddenLink),
}

/// A link to a case the reader may not see: neither its id nor its kind.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HiddenLink {
    /// Always `true`.
    pub hidden: bool,
}

/// Links to and from other cases; a link to a case you may not see shows only that it exists.
#[utoipa::path(get, path = "/api/v1/cases/{id}/links", tag = "case items", security(("bearer" = [])),
    params(("id" = String, Path)), responses(
    (status = 200, body = Vec<LinkView>),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn list_links(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<Vec<LinkView>>> {
    Ok(web::Json(
        on_case(&state, user, path.into_inner(), |c, actor, raw| {
            let (visible, hidden) = rempart_app::items::links(c, actor, raw)?;
            let hidden = std::iter::repeat_with(|| LinkView::Hidden(HiddenLink { hidden: true })).take(hidden);
            Ok(visible.into_iter().map(LinkView::Visible).chain(hidden).collect())
        })
        .await?,
    ))
}

/// Links this case to another.
#[utoipa::path(post, path = "/api/v1/cases/{id}/links", tag = "case items", request_body = LinkRequest,
    security(("bearer" = [])), params(("id" = String, Path)), responses((status = 201, body = CaseLink),
    (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn add_link(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: web::Json<LinkRequest>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    Ok(created(
        on_case(&state, user, path.into_inner(), move |c, actor, raw| {
            rempart_app::items::link(c, actor, raw, &b.target, b.kind, b.note.as_deref())
        })
        .await?,
    ))
}

// ------------------------------------------------------------------------ risk assessments

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskRequest {
    pub risk_name: String,
    /// 1..10
    #[serde(deserialize_with = "crate::number::integer")]
    pub threats: i64,
    /// 1..10
    #[serde(deserialize_with = "crate::number::integer")]
    pub vulnerabilities: i64,
    /// 1..10
    #[serde(deserialize_with = "crate::number::integer")]
    pub capacities: i64,
    pub notes: Option<String>,
}

/// Every risk assessment of the case, oldest first.
#[utoipa::path(get, path = "/api/v1/cases/{id}/risk-assessments", tag = "case items", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Vec<RiskAssessment>)))]
pub async fn list_risks(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<Vec<RiskAssessment>>> {
    Ok(web::Json(on_case(&state, user, path.into_inner(), rempart_app::items::risk_assessments).await?))
}

/// Scores a named risk; the score (threats x vulnerabilities / capacities) is computed here.
#[utoipa::path(post, path = "/api/v1/cases/{id}/risk-assessments", tag = "case items", request_body = RiskRequest,
    security(("bearer" = [])), params(("id" = String, Path)), responses((status = 201, body = RiskAssessment),
    (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn add_risk(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: web::Json<RiskRequest>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    let factors = RiskFactors::new(b.threats, b.vulnerabilities, b.capacities)
        .map_err(|e| ApiError::validation(e.factor, e.to_string()))?;
    Ok(created(
        on_case(&state, user, path.into_inner(), move |c, actor, raw| {
            rempart_app::items::assess_risk(c, actor, raw, &b.risk_name, factors, b.notes.as_deref())
        })
        .await?,
    ))
}

// ------------------------------------------------------------------------------ indicators

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorRequest {
    /// domain, ip, cidr, url, email, phone, hash_md5 (or hash-md5), hash_sha1, hash_sha256,
    /// file_name, licence_plate, other.
    pub kind: String,
    /// As seen; normalised by the server (defanged values are accepted).
    pub value: String,
    pub note: Option<String>,
    /// When it was seen (RFC 3339, `Z` or an offset); defaults to now.
    pub seen_at: Option<crate::time::UtcTime>,
}

/// Indicators of the case.
#[utoipa::path(get, path = "/api/v1/cases/{id}/indicators", tag = "indicators", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Vec<Indicator>)))]
pub async fn list_indicators(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<Vec<Indicator>>> {
    let raw = path.into_inner();
    Ok(web::Json(state.db(move |c| Ok(rempart_app::indicators::of_case(c, &user.actor(), &raw)?)).await?))
}

/// Adds an indicator; its value is normalised, 422 when it is not valid for its kind.
#[utoipa::path(post, path = "/api/v1/cases/{id}/indicators", tag = "indicators", request_body = IndicatorRequest,
    security(("bearer" = [])), params(("id" = String, Path)), responses((status = 201, body = Indicator),
    (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn add_indicator(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: web::Json<IndicatorRequest>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    let kind = IndicatorKind::parse_lenient(&b.kind).map_err(|e| ApiError::validation("kind", e.to_string()))?;
    let rules = state.config.indicator_rules;
    let raw = path.into_inner();
    Ok(created(
        state
            .db(move |c| {
                let new =
                    NewIndicator { kind, value: &b.value, note: b.note.as_deref(), seen_at: b.seen_at.map(|t| t.0) };
                Ok(rempart_app::indicators::add(c, &user.actor(), &raw, new, rules)?)
            })
            .await?,
    ))
}

/// Other cases sharing one of this case's indicators.
#[utoipa::path(get, path = "/api/v1/cases/{id}/correlations", tag = "indicators", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Vec<IndicatorMatch>)))]
pub async fn correlations(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<Vec<IndicatorMatch>>> {
    let raw = path.into_inner();
    Ok(web::Json(state.db(move |c| Ok(rempart_app::indicators::correlations(c, &user.actor(), &raw)?)).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LookupQuery {
    /// An email address, phone number, licence plate, domain, URL, IP, hash...
    /// Not blank (the pattern is set with the other constraints, in `openapi::constraints`).
    #[param(min_length = 1, max_length = 2048)]
    pub value: String,
}

/// Every case holding this value, whatever kind it was filed under: the check of an
/// address, number or plate against past reports.
#[utoipa::path(get, path = "/api/v1/indicators/lookup", tag = "indicators", security(("bearer" = [])),
    params(LookupQuery), responses((status = 200, body = Vec<IndicatorMatch>),
    (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn lookup(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<LookupQuery>,
) -> ApiResult<web::Json<Vec<IndicatorMatch>>> {
    let value = query.into_inner().value;
    if value.trim().is_empty() || value.len() > 2048 {
        return Err(ApiError::validation("value", "give a value of 1 to 2048 bytes"));
    }
    let rules = state.config.indicator_rules;
    Ok(web::Json(state.db(move |conn| Ok(rempart_app::indicators::lookup(conn, &user.actor(), rules, &value)?)).await?))
}
