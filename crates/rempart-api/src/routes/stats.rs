//! Anonymised statistics and erasure on request.

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// First month, `YYYY-MM` (default: eleven months before the current one).
    #[param(pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$")]
    pub from: Option<String>,
    /// Last month, `YYYY-MM`, included (default: the current one).
    #[param(pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$")]
    pub to: Option<String>,
    /// Smallest count shown, 1 to 1000; a value below the configured `stats.min_cell` is
    /// raised to it (the answer's `min_cell` says which applied).
    #[param(minimum = 1, maximum = 1000)]
    pub min_cell: Option<u32>,
    /// `json` (default) or `csv`.
    #[param(inline)]
    pub format: Option<StatsFormat>,
}

/// How the statistics are answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum StatsFormat {
    Json,
    Csv,
}

/// Anonymised counts of cases by month, service type, audience type, threat type and
/// urgency, with median minutes to first response and to resolution (analysts, leads and
/// admins). Cells counting fewer than the minimum are suppressed.
#[utoipa::path(get, path = "/api/v1/stats", tag = "stats", security(("bearer" = [])), params(StatsQuery),
    responses(
    (status = 200, description = "JSON, or CSV with format=csv", content(
        (rempart_core::stats::Report = "application/json"),
        (String = "text/csv"),
    )),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(skip_all)]
pub async fn stats(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<StatsQuery>,
) -> ApiResult<HttpResponse> {
    let query = query.into_inner();
    let today = chrono::Utc::now().date_naive();
    let (start, end) = rempart_core::stats::months_or_default(query.from.as_deref(), query.to.as_deref(), today)
        .map_err(|m| {
            let field = if m.starts_with("from") { "from" } else { "to" };
            ApiError::validation(field, m)
        })?;
    let (actor, floor, requested) = (user.actor(), state.config.stats_min_cell, query.min_cell);
    let csv = query.format == Some(StatsFormat::Csv);
    let report =
        state.db(move |conn| Ok(rempart_app::statistics::report(conn, &actor, start, end, requested, floor)?)).await?;
    Ok(if csv {
        HttpResponse::Ok().content_type("text/csv; charset=utf-8").body(rempart_core::stats::to_csv(&report))
    } else {
        HttpResponse::Ok().json(report)
    })
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EraseRequest {
    /// Why (recorded with the erasure): e.g. "the beneficiary asked to be forgotten".
    pub reason: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EraseResponse {
    pub case_id: String,
    /// True when the beneficiary had no other case and was erased too.
    pub beneficiary_erased: bool,
}

/// Erases a closed case's identifying content at once (leads and admins), as retention
/// does after its period: for a beneficiary's request to be forgotten. Cannot be undone.
#[utoipa::path(post, path = "/api/v1/cases/{id}/erase", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = EraseRequest, responses(
    (status = 200, body = EraseResponse),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 409, body = Problem, content_type = "application/problem+json", description = "not closed, or already erased"),
))]
#[tracing::instrument(skip_all)]
pub async fn erase(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: web::Json<EraseRequest>,
) -> ApiResult<web::Json<EraseResponse>> {
    let raw = path.into_inner();
    let reason = body.into_inner().reason;
    state
        .db(move |conn| {
            let (case, done) = rempart_app::operations::erase_case(conn, &user.actor(), &raw, &reason)?;
            Ok(web::Json(EraseResponse { case_id: case.id, beneficiary_erased: done.beneficiaries > 0 }))
        })
        .await
}
