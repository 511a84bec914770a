//! Liveness and readiness.

use crate::error::{ApiError, ApiResult, Problem};
use crate::problem::ProblemType;
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use diesel::RunQueryDsl;
use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, body = Health)))]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// The database answers.
#[utoipa::path(get, path = "/readyz", tag = "health", responses(
    (status = 200, body = Health),
    (status = 503, body = Problem, content_type = "application/problem+json"),
))]
pub async fn readyz(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    state
        .db(|conn| {
            diesel::sql_query("SELECT 1")
                .execute(conn)
                .map_err(|_| ApiError::of(ProblemType::Unavailable, "the database does not answer"))
        })
        .await?;
    Ok(HttpResponse::Ok().json(Health { status: "ready" }))
}

/// Prometheus metrics (OpenMetrics text): requests and latencies by route, cases by
/// status. Read with `Authorization: Bearer <auth.metrics_token>`; off (404) while no
/// token is configured. Keep it off the public side of the reverse proxy too.
#[utoipa::path(get, path = "/metrics", tag = "health", security(("bearer" = [])), responses(
    (status = 200, description = "OpenMetrics text", content_type = "application/openmetrics-text"),
    (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json", description = "no metrics token configured"),
))]
pub async fn metrics(state: web::Data<AppState>, req: actix_web::HttpRequest) -> ApiResult<HttpResponse> {
    let given = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .ok_or_else(|| crate::error::ApiError::unauthorized("send Authorization: Bearer <metrics token>"))?;
    let expected = state
        .config
        .metrics_token
        .as_deref()
        .ok_or_else(|| crate::error::ApiError::not_found("metrics (set auth.metrics_token to read them)"))?;
    // Compared as digests: the time taken says nothing about the token.
    use sha2::Digest;
    if sha2::Sha256::digest(given.as_bytes()) != sha2::Sha256::digest(expected.as_bytes()) {
        return Err(crate::error::ApiError::unauthorized("send Authorization: Bearer <metrics token>"));
    }
    let counts = state.db(|conn| Ok(rempart_store::cases::Case::count_by_status(conn)?)).await?;
    for status in rempart_core::CaseStatus::all() {
        let n = counts.iter().find(|(s, _)| *s == status).map_or(0, |(_, n)| *n);
        state.metrics.set_cases(status.as_str(), n);
    }
    Ok(HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(state.metrics.encode()))
}
