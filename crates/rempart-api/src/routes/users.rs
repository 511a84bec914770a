//! The signed-in user, staff accounts (admins) and taxonomies.

use crate::auth::{AnyAuthUser, AuthUser};
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use rand::Rng;
use rempart_app::Capability;
use rempart_auth::{Password, hash_password};
use rempart_core::{EmailAddress, Languages, Role};
use rempart_store::taxonomy::{Taxonomy, TaxonomyEntry};
use rempart_store::users::{NewUser, User};
use serde::{Deserialize, Serialize};

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/me", tag = "users", security(("bearer" = [])), responses(
    (status = 200, body = User),
    (status = 401, body = Problem, content_type = "application/problem+json"),
))]
pub async fn me(user: AnyAuthUser) -> web::Json<User> {
    web::Json(user.0)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Preferences {
    /// Comma-separated language tags, most preferred first (`fr,en`).
    pub languages: Option<String>,
    /// An IANA time zone (`Europe/Paris`).
    pub time_zone: Option<String>,
}

/// Changes your own preferences: the languages you read and your time zone.
#[utoipa::path(patch, path = "/api/v1/me", tag = "users", request_body = Preferences, security(("bearer" = [])), responses(
    (status = 200, body = User),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn update_me(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<Preferences>,
) -> ApiResult<web::Json<User>> {
    let b = body.into_inner();
    let languages = b
        .languages
        .as_deref()
        .map(rempart_core::Languages::parse)
        .transpose()
        .map_err(|e| ApiError::validation("languages", e.to_string()))?;
    let time_zone = b
        .time_zone
        .as_deref()
        .map(rempart_core::TimeZoneName::parse)
        .transpose()
        .map_err(|e| ApiError::validation("time_zone", e.to_string()))?;
    let actor = user.actor();
    Ok(web::Json(
        state.db(move |c| Ok(rempart_app::accounts::update_own_preferences(c, &actor, languages, time_zone)?)).await?,
    ))
}

/// Every staff account (admins).
#[utoipa::path(get, operation_id = "list_users", path = "/api/v1/users", tag = "users", security(("bearer" = [])), responses(
    (status = 200, body = Vec<User>),
    (status = 403, body = Problem, content_type = "application/problem+json"),
))]
pub async fn list(state: web::Data<AppState>, user: AuthUser) -> ApiResult<web::Json<Vec<User>>> {
    Ok(web::Json(state.db(move |conn| Ok(rempart_app::accounts::list_users(conn, &user.actor())?)).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// Comma-separated language tags, e.g. `fr,en`.
    #[serde(default)]
    pub languages: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedUser {
    pub user: User,
    /// Shown once: hand it over safely; it must be changed at first login.
    pub one_time_password: String,
}

/// A readable random password: 20 characters from an alphabet without look-alikes.
pub fn one_time_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..20).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

/// Creates an account with a one-time password (admins).
#[utoipa::path(post, operation_id = "create_user", path = "/api/v1/users", tag = "users", request_body = NewUserRequest,
    security(("bearer" = [])), responses(
    (status = 201, body = CreatedUser),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 409, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn create(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<NewUserRequest>,
) -> ApiResult<HttpResponse> {
    let created = create_account(&state, &user.actor(), body.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::LOCATION, format!("/api/v1/users/{}", created.user.id)))
        .json(created))
}

/// Creates an account with a one-time password (the API's and the console's way): the
/// address and languages read, the password hashed off the async runtime.
pub async fn create_account(
    state: &web::Data<AppState>,
    actor: &rempart_app::Actor,
    body: NewUserRequest,
) -> ApiResult<CreatedUser> {
    rempart_app::require(actor, Capability::Administer)?;
    let email = EmailAddress::parse(&body.email).map_err(|e| ApiError::validation("email", e.reason))?;
    let languages = Languages::parse(&body.languages).map_err(|e| ApiError::validation("languages", e.to_string()))?;
    let password = one_time_password();
    let policy = Password::new(&password).map_err(|_| ApiError::internal())?;
    let hash = web::block(move || hash_password(&policy))
        .await
        .map_err(|_| ApiError::internal())?
        .map_err(|_| ApiError::internal())?;
    let actor = actor.clone();
    let created = state
        .db(move |conn| {
            let new = NewUser {
                email,
                display_name: body.display_name,
                role: body.role,
                languages,
                password_hash: hash,
                must_change_password: true,
            };
            Ok(rempart_app::accounts::create_user(conn, &actor, new)?)
        })
        .await?;
    Ok(CreatedUser { user: created, one_time_password: password })
}

/// One account (admins, or the user themself).
#[utoipa::path(get, operation_id = "get_user", path = "/api/v1/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = String, Path)), responses(
    (status = 200, body = User),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn get(state: web::Data<AppState>, user: AuthUser, path: web::Path<String>) -> ApiResult<web::Json<User>> {
    let id = path.into_inner();
    rempart_app::access::read_account(&user.actor(), &id)?;
    Ok(web::Json(state.db(move |conn| Ok(User::get(conn, &id)?)).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub languages: Option<String>,
    /// False disables the account: its tokens stop working at once.
    pub active: Option<bool>,
    /// Weighted load the person can carry (critical 4, high 3, medium 2, low 1), 0 to 200.
    #[serde(default, deserialize_with = "crate::number::optional_integer")]
    pub capacity: Option<i32>,
    /// May be given restricted cases by the rota.
    pub cleared_for_restricted: Option<bool>,
    /// IANA time zone in which the user sees shifts (`Europe/Paris`); times stay UTC.
    pub time_zone: Option<String>,
}

/// Changes an account (admins). A role change or disabling revokes its tokens.
#[utoipa::path(patch, operation_id = "update_user", path = "/api/v1/users/{id}", tag = "users", request_body = UserPatch,
    security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = User),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 409, body = Problem, content_type = "application/problem+json", description = "an administrator may not disable or demote themself"),
))]
pub async fn update(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: web::Json<UserPatch>,
) -> ApiResult<web::Json<User>> {
    let (id, body) = (path.into_inner(), body.into_inner());
    let languages = body
        .languages
        .as_deref()
        .map(Languages::parse)
        .transpose()
        .map_err(|e| ApiError::validation("languages", e.to_string()))?;
    let time_zone = body
        .time_zone
        .as_deref()
        .map(rempart_core::TimeZoneName::parse)
        .transpose()
        .map_err(|e| ApiError::validation("time_zone", e.to_string()))?;
    let changes = rempart_app::accounts::AccountChanges {
        display_name: body.display_name,
        role: body.role,
        languages,
        active: body.active,
        capacity: body.capacity,
        cleared_for_restricted: body.cleared_for_restricted,
        time_zone,
    };
    let actor = user.actor();
    let updated = state.db(move |conn| Ok(rempart_app::accounts::update_user(conn, &actor, &id, changes)?)).await?;
    Ok(web::Json(updated))
}

/// Resets a lost authenticator (admins): the account's sessions end and its owner must
/// enrol a new one at the next sign-in before anything else. Audited.
#[utoipa::path(post, path = "/api/v1/users/{id}/totp-reset", tag = "users", security(("bearer" = [])),
    params(("id" = String, Path)), responses(
    (status = 200, body = User),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn reset_totp(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<User>> {
    let (id, actor) = (path.into_inner(), user.actor());
    Ok(web::Json(state.db(move |conn| Ok(rempart_app::accounts::reset_totp(conn, &actor, &id)?)).await?))
}

/// The entries of a taxonomy: `audience` or `service`.
#[utoipa::path(get, path = "/api/v1/taxonomies/{taxonomy}", tag = "users", security(("bearer" = [])),
    params(("taxonomy" = String, Path, description = "audience or service")), responses(
    (status = 200, body = Vec<TaxonomyEntry>),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn taxonomy(
    state: web::Data<AppState>,
    _user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<Vec<TaxonomyEntry>>> {
    let taxonomy = which_taxonomy(&path)?;
    Ok(web::Json(state.db(move |conn| Ok(rempart_app::taxonomies::entries(conn, taxonomy)?)).await?))
}

fn which_taxonomy(name: &str) -> ApiResult<Taxonomy> {
    match name {
        "audience" => Ok(Taxonomy::Audience),
        "service" => Ok(Taxonomy::Service),
        other => Err(ApiError::not_found(format!("taxonomy {other}"))),
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTaxonomyEntry {
    pub code: rempart_core::TaxonomyCode,
    pub label: String,
}

/// Adds an entry to a taxonomy (admins).
#[utoipa::path(post, path = "/api/v1/taxonomies/{taxonomy}", tag = "users", request_body = NewTaxonomyEntry,
    security(("bearer" = [])), params(("taxonomy" = String, Path, description = "audience or service")), responses(
    (status = 201, body = TaxonomyEntry),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
pub async fn add_taxonomy_entry(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: web::Json<NewTaxonomyEntry>,
) -> ApiResult<HttpResponse> {
    let taxonomy = which_taxonomy(&path)?;
    let (body, actor) = (body.into_inner(), user.actor());
    let entry = state
        .db(move |conn| Ok(rempart_app::taxonomies::add_entry(conn, &actor, taxonomy, &body.code, &body.label)?))
        .await?;
    Ok(HttpResponse::Created().json(entry))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaxonomyEntryPatch {
    pub label: Option<String>,
    /// False retires the entry: no new case may use it; past cases keep it.
    pub active: Option<bool>,
}

/// Relabels or retires a taxonomy entry (admins).
#[utoipa::path(patch, path = "/api/v1/taxonomies/{taxonomy}/{code}", tag = "users", request_body = TaxonomyEntryPatch,
    security(("bearer" = [])), params(("taxonomy" = String, Path), ("code" = String, Path)), responses(
    (status = 200, body = TaxonomyEntry),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn update_taxonomy_entry(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: web::Json<TaxonomyEntryPatch>,
) -> ApiResult<web::Json<TaxonomyEntry>> {
    let (name, code) = path.into_inner();
    let taxonomy = which_taxonomy(&name)?;
    let (body, actor) = (body.into_inner(), user.actor());
    Ok(web::Json(
        state
            .db(move |conn| {
                Ok(rempart_app::taxonomies::update_entry(
                    conn,
                    &actor,
                    taxonomy,
                    &code,
                    body.label.as_deref(),
                    body.active,
                )?)
            })
            .await?,
    ))
}
