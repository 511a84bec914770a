//! Beneficiaries: the people and organisations who ask for help.

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use rempart_core::{EmailAddress, Fingerprint, LanguageTag, TaxonomyCode, VerificationStatus};
use rempart_store::DbConn;
use rempart_store::beneficiaries::{Beneficiary, BeneficiaryDetail, BeneficiaryUpdateForm, NewBeneficiary};
use serde::Deserialize;

/// Changes a beneficiary as `user` may (`rempart_app::beneficiaries::changeable`) and
/// answers them as they are now.
async fn change<F>(
    state: &web::Data<AppState>,
    user: AuthUser,
    id: String,
    f: F,
) -> ApiResult<web::Json<BeneficiaryDetail>>
where
    F: FnOnce(&mut DbConn, &AuthUser, &str) -> ApiResult<()> + Send + 'static,
{
    let detail = state
        .db(move |conn| {
            rempart_app::beneficiaries::changeable(conn, &user.actor(), &id)?;
            f(conn, &user, &id)?;
            Ok(Beneficiary::detail(conn, &id)?)
        })
        .await?;
    Ok(web::Json(detail))
}

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
#[utoipa::path(post, operation_id = "create_beneficiary", path = "/api/v1/beneficiaries", tag = "beneficiaries", request_body = NewBeneficiaryRequest,
    security(("bearer" = [])), responses(
    (status = 201, body = BeneficiaryDetail),
    (status = 404, body = Problem, content_type = "application/problem+json", description = "an address belongs to a beneficiary you may not see"),
    (status = 409, body = Problem, content_type = "application/problem+json", description = "an address already belongs to a beneficiary"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn create(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<NewBeneficiaryRequest>,
) -> ApiResult<HttpResponse> {
    let new = body.into_inner().into_new()?;
    let detail = state.db(move |conn| Ok(rempart_app::beneficiaries::create(conn, &user.actor(), new)?)).await?;
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::LOCATION, format!("/api/v1/beneficiaries/{}", detail.beneficiary.id)))
        .json(detail))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BeneficiaryQuery {
    /// Find the beneficiary owning this email address.
    #[param(value_type = Option<rempart_core::EmailAddress>)]
    pub email: Option<String>,
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// How many to skip (default 0).
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

/// Beneficiaries, most recent first, or the owner of an address: only those you may see.
#[utoipa::path(get, operation_id = "list_beneficiaries", path = "/api/v1/beneficiaries", tag = "beneficiaries", security(("bearer" = [])),
    params(BeneficiaryQuery), responses((status = 200, body = Vec<Beneficiary>)))]
pub async fn list(
    state: web::Data<AppState>,
    user: AuthUser,
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
                Some(e) => {
                    Ok(rempart_app::beneficiaries::find_by_email(conn, &user.actor(), &e)?.into_iter().collect())
                }
                None => Ok(rempart_app::beneficiaries::list(conn, &user.actor(), limit, q.offset.unwrap_or(0))?),
            })
            .await?,
    ))
}

/// A beneficiary with addresses, verification history and key changes.
#[utoipa::path(get, operation_id = "get_beneficiary", path = "/api/v1/beneficiaries/{id}", tag = "beneficiaries", security(("bearer" = [])),
    params(("id" = String, Path)), responses(
    (status = 200, body = BeneficiaryDetail),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn get(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<BeneficiaryDetail>> {
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| {
                rempart_app::beneficiaries::visible(conn, &user.actor(), &id)?;
                Ok(Beneficiary::detail(conn, &id)?)
            })
            .await?,
    ))
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
#[utoipa::path(patch, operation_id = "update_beneficiary", path = "/api/v1/beneficiaries/{id}", tag = "beneficiaries", request_body = BeneficiaryPatch,
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
    change(&state, user, id, move |conn, user, id| {
        let form = BeneficiaryUpdateForm {
            display_name: body.display_name,
            audience_type: body.audience_type.map(|o| o.map(String::from)),
            preferred_language: language.map(|o| o.map(String::from)),
            updated_at: None,
        };
        Beneficiary::update(conn, id, form, Some(user.id()))?;
        Ok(())
    })
    .await
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
    (status = 409, body = Problem, content_type = "application/problem+json", description = "the beneficiary already has this status"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn set_verification(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: web::Json<VerificationRequest>,
) -> ApiResult<web::Json<BeneficiaryDetail>> {
    let id = path.into_inner();
    let body = body.into_inner();
    let detail = state
        .db(move |conn| {
            Ok(rempart_app::beneficiaries::set_verification(conn, &user.actor(), &id, body.status, &body.reason)?)
        })
        .await?;
    Ok(web::Json(detail))
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
    change(&state, user, id, move |conn, user, id| {
        rempart_app::beneficiaries::addresses_not_hidden(conn, &user.actor(), std::slice::from_ref(&address))?;
        Ok(Beneficiary::add_email(conn, id, &address, Some(user.id()))?)
    })
    .await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyConfirmation {
    /// The fingerprint the handler compared with the beneficiary, through another channel
    /// than e-mail (phone, Signal, in person). It must be the pinned key's.
    pub fingerprint: Fingerprint,
    /// How it was compared: kept with the key's provenance.
    #[schema(min_length = 1, max_length = 500)]
    pub how: String,
}

/// Confirms the pinned key: a handler compared its fingerprint with the beneficiary out of
/// band. Replies held until the key is confirmed leave.
#[utoipa::path(post, path = "/api/v1/beneficiaries/{id}/key/confirmation", tag = "beneficiaries",
    request_body = KeyConfirmation, security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = BeneficiaryDetail),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 409, body = Problem, content_type = "application/problem+json", description = "no key, another key, or already confirmed"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 415, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn confirm_key(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: web::Json<KeyConfirmation>,
) -> ApiResult<web::Json<BeneficiaryDetail>> {
    let id = path.into_inner();
    let body = body.into_inner();
    let detail = state
        .db(move |conn| Ok(rempart_app::keys::confirm(conn, &user.actor(), &id, &body.fingerprint, &body.how)?))
        .await?;
    Ok(web::Json(detail))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyChangeDecision {
    /// `true`: the new key replaces the pinned one (accept only after comparing its
    /// fingerprint with the beneficiary out of band); `false`: the pinned key stays.
    pub accept: bool,
}

/// Accepts or rejects a pending key change. Replies held while it was pending leave: to
/// the new key when accepted, to the old one when rejected.
#[utoipa::path(post, path = "/api/v1/beneficiaries/{id}/key-changes/{key_change_id}/decision", tag = "beneficiaries",
    request_body = KeyChangeDecision, security(("bearer" = [])),
    params(("id" = String, Path), ("key_change_id" = String, Path)), responses(
    (status = 200, body = BeneficiaryDetail),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 409, body = Problem, content_type = "application/problem+json", description = "already decided"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 415, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn decide_key_change(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: web::Json<KeyChangeDecision>,
) -> ApiResult<web::Json<BeneficiaryDetail>> {
    let (id, key_change_id) = path.into_inner();
    let accept = body.accept;
    let detail = state
        .db(move |conn| Ok(rempart_app::keys::decide_change(conn, &user.actor(), &id, &key_change_id, accept)?))
        .await?;
    Ok(web::Json(detail))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyEntry {
    /// The beneficiary's OpenPGP public key, ASCII-armoured, as the handler received it
    /// from them through a channel they trust (in person, from their own website or WKD
    /// checked with them).
    #[schema(min_length = 1)]
    pub certificate: String,
}

/// A public key as pasted: its armoured form and fingerprint, or 422 on `certificate`
/// when it cannot be read or cannot receive encrypted mail.
pub fn read_key(text: &str) -> ApiResult<(String, Fingerprint)> {
    use rempart_mail::pgp;
    let bad = |e: String| ApiError::validation("certificate", e);
    let cert = pgp::parse_certificate(text.as_bytes()).map_err(|e| bad(e.to_string()))?;
    if let Some(problem) = pgp::encryption_problem(&cert) {
        return Err(bad(format!("it cannot receive encrypted mail: {problem}")));
    }
    let armored = pgp::armored_public(&cert).map_err(|e| bad(e.to_string()))?;
    let fingerprint = Fingerprint::parse(&cert.fingerprint().to_hex()).map_err(|e| bad(e.to_string()))?;
    Ok((armored, fingerprint))
}

/// Enters the beneficiary's key by hand: it is pinned as `confirmed` (the handler vouches
/// for it), replacing any other, and replies held for a key leave.
#[utoipa::path(put, path = "/api/v1/beneficiaries/{id}/key", tag = "beneficiaries",
    request_body = KeyEntry, security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = BeneficiaryDetail),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json", description = "not a usable public key"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 415, body = Problem, content_type = "application/problem+json"),
))]
pub async fn enter_key(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: web::Json<KeyEntry>,
) -> ApiResult<web::Json<BeneficiaryDetail>> {
    let (armored, fingerprint) = read_key(&body.certificate)?;
    let id = path.into_inner();
    let detail = state
        .db(move |conn| {
            let by = user.0.email.to_string();
            Ok(rempart_app::keys::enter(conn, &user.actor(), &id, &armored, &fingerprint, &by)?)
        })
        .await?;
    Ok(web::Json(detail))
}
