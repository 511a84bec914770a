//! Beneficiaries: the people and organisations who ask for help.

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use rempart_core::{EmailAddress, LanguageTag, TaxonomyCode, VerificationStatus};
use rempart_store::beneficiaries::{Beneficiary, BeneficiaryDetail, BeneficiaryUpdateForm, NewBeneficiary};
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBeneficiaryRequest {
    pub display_name: String,
    /// At least one; the first is the primary address.
    pub emails: Vec<String>,
    pub audience_type: Option<TaxonomyCode>,
    pub preferred_language: Option<String>,
}

impl NewBeneficiaryRequest {
    pub fn into_new(self) -> ApiResult<NewBeneficiary> {
        let emails = self
            .emails
            .iter()
            .map(|e| EmailAddress::parse(e).map_err(|err| ApiError::validation("emails", err.to_string())))
            .collect::<ApiResult<Vec<_>>>()?;
        let preferred_language = self
            .preferred_language
            .as_deref()
            .map(LanguageTag::parse)
            .transpose()
            .map_err(|e| ApiError::validation("preferred_language", e.to_string()))?;
        Ok(NewBeneficiary {
            display_name: self.display_name,
            emails,
            audience_type: self.audience_type,
            preferred_language,
        })
    }
}

/// Records a beneficiary (status `unverified`).
#[utoipa::path(post, path = "/api/v1/beneficiaries", tag = "beneficiaries", request_body = NewBeneficiaryRequest,
    security(("bearer" = [])), responses(
    (status = 201, body = BeneficiaryDetail),
    (status = 409, body = Problem, content_type = "application/problem+json", description = "an address already belongs to a beneficiary"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn create(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<NewBeneficiaryRequest>,
) -> ApiResult<HttpResponse> {
    let new = body.into_inner().into_new()?;
    let actor = user.id().to_owned();
    let detail = state
        .db(move |conn| {
            let b = Beneficiary::create(conn, new, Some(&actor))?;
            Ok(Beneficiary::detail(conn, &b.id)?)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::LOCATION, format!("/api/v1/beneficiaries/{}", detail.beneficiary.id)))
        .json(detail))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BeneficiaryQuery {
    /// Find the beneficiary owning this email address.
    pub email: Option<String>,
    /// 1 to 200, default 50.
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// Beneficiaries, most recent first, or the owner of an address.
#[utoipa::path(get, path = "/api/v1/beneficiaries", tag = "beneficiaries", security(("bearer" = [])),
    params(BeneficiaryQuery), responses((status = 200, body = Vec<Beneficiary>)))]
pub async fn list(
    state: web::Data<AppState>,
    _user: AuthUser,
    query: web::Query<BeneficiaryQuery>,
) -> ApiResult<web::Json<Vec<Beneficiary>>> {
    let q = query.into_inner();
    let limit = q.limit.unwrap_or(50);
    if !(1..=crate::routes::cases::MAX_PAGE).contains(&limit) || q.offset.unwrap_or(0) < 0 {
        return Err(ApiError::bad_request("limit must be 1 to 200 and offset not negative"));
    }
    let email =
        q.email.as_deref().map(EmailAddress::parse).transpose().map_err(|e| ApiError::validation("email", e.reason))?;
    Ok(web::Json(
        state
            .db(move |conn| match email {
                Some(e) => Ok(Beneficiary::find_by_email(conn, &e)?.into_iter().collect()),
                None => Ok(Beneficiary::list(conn, limit, q.offset.unwrap_or(0))?),
            })
            .await?,
    ))
}

/// A beneficiary with addresses, verification history and key changes.
#[utoipa::path(get, path = "/api/v1/beneficiaries/{id}", tag = "beneficiaries", security(("bearer" = [])),
    params(("id" = String, Path)), responses(
    (status = 200, body = BeneficiaryDetail),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn get(
    state: web::Data<AppState>,
    _user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<BeneficiaryDetail>> {
    let id = path.into_inner();
    Ok(web::Json(state.db(move |conn| Ok(Beneficiary::detail(conn, &id)?)).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BeneficiaryPatch {
    pub display_name: Option<String>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "crate::routes::cases::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub audience_type: Option<Option<TaxonomyCode>>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "crate::routes::cases::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub preferred_language: Option<Option<String>>,
}

/// Changes a beneficiary's profile.
#[utoipa::path(patch, path = "/api/v1/beneficiaries/{id}", tag = "beneficiaries", request_body = BeneficiaryPatch,
    security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = BeneficiaryDetail),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn update(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: web::Json<BeneficiaryPatch>,
) -> ApiResult<web::Json<BeneficiaryDetail>> {
    let id = path.into_inner();
    let body = body.into_inner();
    let language = match body.preferred_language {
        Some(Some(l)) => {
            Some(Some(LanguageTag::parse(&l).map_err(|e| ApiError::validation("preferred_language", e.to_string()))?))
        }
        Some(None) => Some(None),
        None => None,
    };
    let actor = user.id().to_owned();
    Ok(web::Json(
        state
            .db(move |conn| {
                let form = BeneficiaryUpdateForm {
                    display_name: body.display_name,
                    audience_type: body.audience_type.map(|o| o.map(String::from)),
                    preferred_language: language.map(|o| o.map(String::from)),
                    updated_at: None,
                };
                Beneficiary::update(conn, &id, form, Some(&actor))?;
                Ok(Beneficiary::detail(conn, &id)?)
            })
            .await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerificationRequest {
    pub status: VerificationStatus,
    /// Required: kept in the history.
    pub reason: String,
}

/// Changes the verification status, with a reason. Only leads and admins reject.
#[utoipa::path(post, path = "/api/v1/beneficiaries/{id}/verification", tag = "beneficiaries",
    request_body = VerificationRequest, security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = BeneficiaryDetail),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn set_verification(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: web::Json<VerificationRequest>,
) -> ApiResult<web::Json<BeneficiaryDetail>> {
    if body.status == VerificationStatus::Rejected {
        user.require_supervisor()?;
    }
    let id = path.into_inner();
    let body = body.into_inner();
    let actor = user.id().to_owned();
    Ok(web::Json(
        state
            .db(move |conn| {
                Beneficiary::set_verification(conn, &id, body.status, &body.reason, Some(&actor))?;
                Ok(Beneficiary::detail(conn, &id)?)
            })
            .await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailRequest {
    pub address: String,
}

/// Adds an email address to a beneficiary.
#[utoipa::path(post, path = "/api/v1/beneficiaries/{id}/emails", tag = "beneficiaries", request_body = EmailRequest,
    security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = BeneficiaryDetail),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
pub async fn add_email(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: web::Json<EmailRequest>,
) -> ApiResult<web::Json<BeneficiaryDetail>> {
    let id = path.into_inner();
    let address = EmailAddress::parse(&body.address).map_err(|e| ApiError::validation("address", e.reason))?;
    let actor = user.id().to_owned();
    Ok(web::Json(
        state
            .db(move |conn| {
                Beneficiary::add_email(conn, &id, &address, Some(&actor))?;
                Ok(Beneficiary::detail(conn, &id)?)
            })
            .await?,
    ))
}
