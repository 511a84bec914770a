//! The mail gateway's face in the API: the helpline's public key (also as a Web Key
//! Directory entry), the quarantine, and sending a held reply again.

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{HttpResponse, web};

use rempart_store::mail::QuarantinedMail;
use rempart_store::messages::Message;
use rempart_store::messages::Outbox;
use serde::Deserialize;

fn key_not_configured() -> ApiError {
    ApiError::not_found("the helpline key (run `rempart keys init`)")
}

/// The helpline's public OpenPGP key, ASCII-armored: beneficiaries encrypt to it. No login.
#[utoipa::path(get, path = "/api/v1/helpline-key", tag = "mail", responses(
    (status = 200, description = "ASCII-armored OpenPGP certificate", content_type = "application/pgp-keys", body = String,
        headers(("X-Fingerprint" = String))),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn helpline_key(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let key = state.config.helpline_key.as_ref().ok_or_else(key_not_configured)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/pgp-keys"))
        .insert_header(("X-Fingerprint", key.fingerprint.clone()))
        .body(key.armored.clone()))
}

/// Web Key Directory, direct method: the binary key under the hash of the local part.
#[utoipa::path(get, path = "/.well-known/openpgpkey/hu/{hash}", tag = "mail",
    params(("hash" = String, Path, description = "z-base-32 SHA-1 of the local part")), responses(
    (status = 200, content_type = "application/octet-stream", body = Vec<u8>),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn wkd_key(state: web::Data<AppState>, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let key = state.config.helpline_key.as_ref().ok_or_else(key_not_configured)?;
    if !key.wkd_hashes.contains(&path) {
        return Err(ApiError::not_found(format!("no key for {path}")));
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/octet-stream"))
        .insert_header(("Access-Control-Allow-Origin", "*"))
        .body(key.binary.clone()))
}

/// The WKD policy file (empty: defaults).
#[utoipa::path(get, path = "/.well-known/openpgpkey/policy", tag = "mail", responses(
    (status = 200, content_type = "text/plain", body = String),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn wkd_policy(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    state.config.helpline_key.as_ref().ok_or_else(key_not_configured)?;
    Ok(HttpResponse::Ok().insert_header((header::CONTENT_TYPE, "text/plain")).body(""))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QuarantineQuery {
    /// Include items already resolved (default: only the open ones).
    #[serde(default)]
    pub all: bool,
    /// 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// Messages the gateway could not read, newest first, with the reason.
#[utoipa::path(get, path = "/api/v1/mail/quarantine", tag = "mail", security(("bearer" = [])),
    params(QuarantineQuery), responses(
    (status = 200, body = Vec<QuarantinedMail>),
    (status = 403, body = Problem, content_type = "application/problem+json"),
))]
pub async fn quarantine(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<QuarantineQuery>,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let actor = user.actor();
    let items =
        state.db(move |conn| Ok(rempart_app::quarantine::list(conn, &actor, q.all, q.limit.unwrap_or(100))?)).await?;
    Ok(HttpResponse::Ok().json(items))
}

/// The raw bytes of a quarantined message, exactly as received (audited).
#[utoipa::path(get, path = "/api/v1/mail/quarantine/{id}/raw", tag = "mail", security(("bearer" = [])),
    params(("id" = String, Path)), responses(
    (status = 200, content_type = "message/rfc822", body = Vec<u8>),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn quarantine_raw(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let (id, actor) = (path.into_inner(), user.actor());
    let raw = state.db(move |conn| Ok(rempart_app::quarantine::raw(conn, &actor, &id)?)).await?;
    Ok(HttpResponse::Ok().insert_header((header::CONTENT_TYPE, "message/rfc822")).body(raw))
}

/// Marks a quarantined message as dealt with, saying no more; its bytes stay. An item
/// already dealt with is a conflict.
#[utoipa::path(post, path = "/api/v1/mail/quarantine/{id}/resolve", tag = "mail", security(("bearer" = [])),
    params(("id" = String, Path)), responses(
    (status = 200, body = QuarantinedMail),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
pub async fn resolve_quarantine(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let (id, actor) = (path.into_inner(), user.actor());
    let item = state.db(move |conn| Ok(rempart_app::quarantine::mark_resolved(conn, &actor, &id)?)).await?;
    Ok(HttpResponse::Ok().json(item))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachRequest {
    /// The case's reference (`RMP-2026-000123`) or id.
    pub case: String,
}

/// Keeps a quarantined message with a case, as an evidence file (`message/rfc822`), and
/// marks it dealt with.
#[utoipa::path(post, path = "/api/v1/mail/quarantine/{id}/attachment", tag = "mail", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = AttachRequest, responses(
    (status = 200, body = QuarantinedMail),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
pub async fn attach_quarantine(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: web::Json<AttachRequest>,
) -> ApiResult<HttpResponse> {
    let (id, actor, case) = (path.into_inner(), user.actor(), body.into_inner().case);
    let item = state.db(move |conn| Ok(rempart_app::quarantine::attach(conn, &actor, &id, &case)?)).await?;
    Ok(HttpResponse::Ok().json(item))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DiscardRequest {
    /// Why nothing is to be done with it (1 to 2000 characters).
    pub reason: String,
}

/// Discards a quarantined message with a reason; its bytes stay until retention removes them.
#[utoipa::path(post, path = "/api/v1/mail/quarantine/{id}/discard", tag = "mail", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = DiscardRequest, responses(
    (status = 200, body = QuarantinedMail),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 409, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn discard_quarantine(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: web::Json<DiscardRequest>,
) -> ApiResult<HttpResponse> {
    let (id, actor, reason) = (path.into_inner(), user.actor(), body.into_inner().reason);
    let item = state.db(move |conn| Ok(rempart_app::quarantine::discard(conn, &actor, &id, &reason)?)).await?;
    Ok(HttpResponse::Ok().json(item))
}

/// Puts a reply held for want of a key (or failed) back in the outbox, once the
/// beneficiary's key is there.
#[utoipa::path(post, path = "/api/v1/cases/{id}/messages/{message_id}/resend", tag = "messages",
    security(("bearer" = [])), params(("id" = String, Path), ("message_id" = String, Path)), responses(
    (status = 200, body = Message),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
pub async fn resend(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (raw, message_id) = path.into_inner();
    let message = state
        .db(move |conn| {
            let case = rempart_app::cases::visible(conn, &user.actor(), &raw, "resend")?;
            let message = Message::get(conn, &message_id)?;
            if message.case_id != case.id {
                return Err(ApiError::not_found(format!("message {message_id}")));
            }
            Outbox::requeue(conn, &message.id, Some(user.id()))?;
            Ok(Message::get(conn, &message.id)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(message))
}
