//! Reply templates: canned answers per language, inserted into replies (the console) and
//! managed by leads.

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use rempart_core::LanguageTag;
use rempart_store::reply_templates::{ReplyTemplate, TemplateChanges};
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TemplateQuery {
    /// Only templates in this language (BCP 47, e.g. `fr`).
    #[param(pattern = "^ *[A-Za-z]{2,3}([-_]([A-Za-z]{4}|[A-Za-z]{2}|[0-9]{3})){0,2} *$")]
    pub language: Option<String>,
    /// Retired templates too (leads and admins).
    pub retired: Option<bool>,
}

fn language(field: &'static str, raw: &str) -> ApiResult<LanguageTag> {
    LanguageTag::parse(raw).map_err(|e| ApiError::validation(field, e.to_string()))
}

/// The reply templates, by language then name.
#[utoipa::path(get, path = "/api/v1/reply-templates", tag = "reply templates", params(TemplateQuery),
    security(("bearer" = [])), responses(
    (status = 200, body = Vec<ReplyTemplate>),
    (status = 403, body = Problem, content_type = "application/problem+json", description = "retired: leads and admins only"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn list(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<TemplateQuery>,
) -> ApiResult<web::Json<Vec<ReplyTemplate>>> {
    let q = query.into_inner();
    let language = q.language.as_deref().map(|l| language("language", l)).transpose()?;
    let retired = q.retired.unwrap_or(false);
    let actor = user.actor();
    Ok(web::Json(state.db(move |c| Ok(rempart_app::templates::list(c, &actor, language.as_ref(), retired)?)).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTemplate {
    /// BCP 47 tag of the text's language.
    pub language: String,
    /// 1 to 200 characters, unique in its language.
    pub name: String,
    /// Up to 20,000 characters; `{beneficiary}`, `{reference}` and `{handler}` are filled
    /// when it is inserted.
    pub body: String,
}

/// Adds a template (leads and admins).
#[utoipa::path(post, path = "/api/v1/reply-templates", tag = "reply templates", request_body = NewTemplate,
    security(("bearer" = [])), responses(
    (status = 201, body = ReplyTemplate),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 409, body = Problem, content_type = "application/problem+json", description = "the name is taken in this language"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn create(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<NewTemplate>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    let tag = language("language", &b.language)?;
    let actor = user.actor();
    let created = state.db(move |c| Ok(rempart_app::templates::create(c, &actor, &tag, &b.name, &b.body)?)).await?;
    Ok(HttpResponse::Created().json(created))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplatePatch {
    pub name: Option<String>,
    pub body: Option<String>,
    /// `false` retires it: kept, no longer offered.
    pub active: Option<bool>,
}

/// Changes or retires a template (leads and admins).
#[utoipa::path(patch, path = "/api/v1/reply-templates/{id}", tag = "reply templates", request_body = TemplatePatch,
    security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = ReplyTemplate),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 409, body = Problem, content_type = "application/problem+json", description = "the name is taken in this language"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn update(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: web::Json<TemplatePatch>,
) -> ApiResult<web::Json<ReplyTemplate>> {
    let b = body.into_inner();
    let id = path.into_inner();
    let actor = user.actor();
    let changes = TemplateChanges { name: b.name, body: b.body, active: b.active };
    Ok(web::Json(state.db(move |c| Ok(rempart_app::templates::update(c, &actor, &id, changes)?)).await?))
}
