//! Login, token refresh, logout, password change and TOTP enrolment.

use crate::auth::{
    AnyAuthUser, TokenResponse, address_key, count_failure, forget_failures, issue_tokens, pair_key, refuse_if_blocked,
    token_digest, user_key,
};
use crate::error::{ApiError, ApiResult, Problem};
use crate::problem::ProblemType;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};
use rempart_auth::{Password, hash_password, verify_password};
use rempart_core::EmailAddress;
use rempart_store::sessions::{Redemption, RefreshToken};
use rempart_store::users::{User, UserUpdateForm};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;
use totp_rs::{Algorithm, Secret, TOTP};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    /// Six-digit code from the authenticator, when TOTP is enabled for the account.
    pub totp: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    /// 12 to 1024 characters.
    pub new_password: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpCode {
    pub code: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpDisable {
    pub password: String,
    pub code: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TotpEnrolment {
    /// Base32 secret, to type into an authenticator.
    pub secret: String,
    /// `otpauth://` URL, to show as a QR code.
    pub otpauth_url: String,
}

fn invalid_credentials() -> ApiError {
    ApiError::unauthorized("wrong email, password or code").with_type(ProblemType::InvalidCredentials)
}

/// A real argon2id hash to verify against when the account does not exist, so that a
/// failure takes as long either way.
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        Password::new("rempart-dummy-password-for-timing").ok().and_then(|p| hash_password(&p).ok()).unwrap_or_default()
    })
}

pub fn totp_for(secret_base32: &str, account: &str) -> ApiResult<TOTP> {
    let bytes = Secret::Encoded(secret_base32.to_owned()).to_bytes().map_err(|_| ApiError::internal())?;
    // Skew 0: the accepted steps (the current one and one either side, for clock drift)
    // are tried one by one in `totp_step`, which must know which one matched.
    TOTP::new(Algorithm::SHA1, 6, 0, 30, bytes, Some("Rempart".to_owned()), account.to_owned())
        .map_err(|_| ApiError::internal())
}

/// The time step whose code `code` is (the current step or one either side), if any.
fn totp_step(user: &User, code: &str) -> ApiResult<Option<i64>> {
    let Some(secret) = &user.totp_secret else { return Ok(None) };
    let totp = totp_for(secret, user.email.as_str())?;
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_err(|_| ApiError::internal())?.as_secs();
    let code = code.trim();
    for time in [now, now.saturating_sub(30), now + 30] {
        if totp.check(code, time) {
            return Ok(i64::try_from(time / 30).ok());
        }
    }
    Ok(None)
}

/// Checks a TOTP code and spends it: a code is accepted once (RFC 6238, section 5.2), and
/// no code of an earlier step is accepted after it.
pub async fn totp_ok(state: &web::Data<AppState>, user: &User, code: &str) -> ApiResult<bool> {
    let Some(step) = totp_step(user, code)? else { return Ok(false) };
    let id = user.id.clone();
    state.db(move |conn| Ok(User::use_totp_step(conn, &id, step)?)).await
}

/// A password chosen by this user: long enough and not guessable, their own email address
/// and name included.
pub fn chosen_password(user_email: &str, user_name: &str, candidate: &str) -> ApiResult<Password> {
    Password::chosen(candidate, &[user_email, user_name])
        .map_err(|e| ApiError::validation("new_password", e.to_string()))
}

async fn check_password(user: Option<User>, password: String) -> ApiResult<Option<User>> {
    web::block(move || match user {
        Some(u) if verify_password(&u.password_hash, &password) && u.active => Some(u),
        Some(_) => None,
        None => {
            verify_password(dummy_hash(), &password);
            None
        }
    })
    .await
    .map_err(|_| ApiError::internal())
}

/// Signs in with email, password and, when enrolled, a TOTP code. Five failures per
/// account or per address within 15 minutes answer 429 with Retry-After. A failure never
/// says whether the account exists.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest, responses(
    (status = 200, body = TokenResponse),
    (status = 401, body = Problem, content_type = "application/problem+json", description = "invalid-credentials or totp-required"),
    (status = 429, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(skip_all)]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<LoginRequest>,
) -> ApiResult<web::Json<TokenResponse>> {
    let body = body.into_inner();
    let user = sign_in(&state, &req, &body.email, body.password, body.totp.as_deref()).await?;
    Ok(web::Json(issue_tokens(&state, user, None).await?))
}

/// Checks a sign-in (the API's login and the console's): email, password and, when the
/// account has enrolled, a TOTP code, under the failure limits. A failure never says
/// whether the account exists; `totp-required` is answered only after a right password.
pub async fn sign_in(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    email: &str,
    password: String,
    totp: Option<&str>,
) -> ApiResult<User> {
    let ip = client_ip(req, &state.config.trusted_proxies).map(|a| a.to_string()).unwrap_or_default();
    let pair = pair_key(email, &ip);
    let limits = state.limits;
    let mut keys = vec![(pair.clone(), limits.pair)];
    if !behind_untrusted_proxy(req, &state.config.trusted_proxies) {
        keys.push((address_key(&ip), limits.address));
    }
    refuse_if_blocked(state, keys.iter().map(|(k, _)| k.clone()).collect()).await?;
    let user = match EmailAddress::parse(email) {
        Ok(email) => state.db(move |conn| Ok(User::find_by_email(conn, &email)?)).await?,
        Err(_) => None,
    };
    let Some(user) = check_password(user, password).await? else {
        count_failure(state, keys).await?;
        return Err(invalid_credentials());
    };
    if user.totp_enabled {
        match totp.map(str::trim).filter(|c| !c.is_empty()) {
            None => {
                return Err(ApiError::unauthorized("this account needs its TOTP code in `totp`")
                    .with_type(ProblemType::TotpRequired));
            }
            Some(code) if !totp_ok(state, &user, code).await? => {
                count_failure(state, keys).await?;
                return Err(invalid_credentials());
            }
            Some(_) => {}
        }
    }
    forget_failures(state, pair).await?;
    tracing::info!(user = %user.id, "login");
    Ok(user)
}

/// Exchanges a refresh token for a new pair. Each refresh token works once; presenting a
/// used one again revokes every token of its login.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest, responses(
    (status = 200, body = TokenResponse),
    (status = 401, body = Problem, content_type = "application/problem+json", description = "invalid-refresh-token or refresh-token-reused"),
))]
#[tracing::instrument(skip_all)]
pub async fn refresh(
    state: web::Data<AppState>,
    body: web::Json<RefreshRequest>,
) -> ApiResult<web::Json<TokenResponse>> {
    let digest = token_digest(body.refresh_token.trim());
    let redemption = state.db(move |conn| Ok(RefreshToken::redeem(conn, &digest)?)).await?;
    match redemption {
        Redemption::Valid { user_id, family_id } => {
            let user = state.db(move |conn| Ok(User::get(conn, &user_id)?)).await?;
            if !user.active {
                return Err(ApiError::unauthorized("the account is disabled").with_type(ProblemType::TokenRevoked));
            }
            Ok(web::Json(issue_tokens(&state, user, Some(family_id)).await?))
        }
        Redemption::Reused { user_id } => {
            tracing::warn!(user = %user_id, "refresh token reused: session revoked");
            Err(ApiError::unauthorized(
                "this refresh token was already used; the session has been revoked, sign in again",
            )
            .with_type(ProblemType::RefreshTokenReused))
        }
        Redemption::Invalid => Err(ApiError::unauthorized("unknown, expired or revoked refresh token")
            .with_type(ProblemType::InvalidRefreshToken)),
    }
}

/// Ends the session the refresh token belongs to.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", request_body = RefreshRequest, responses((status = 204)))]
pub async fn logout(state: web::Data<AppState>, body: web::Json<RefreshRequest>) -> ApiResult<HttpResponse> {
    let digest = token_digest(body.refresh_token.trim());
    state
        .db(move |conn| {
            if let Some((_, family)) = RefreshToken::family_of(conn, &digest)? {
                RefreshToken::revoke_family(conn, &family)?;
            }
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Replaces the password (required after a one-time password). Every other session and
/// token of the user stops working; the answer carries a fresh pair.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", request_body = PasswordChange,
    security(("bearer" = [])), responses(
    (status = 200, body = TokenResponse),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
    (status = 429, body = Problem, content_type = "application/problem+json", description = "too many failed attempts: wait (Retry-After)"),
))]
pub async fn change_password(
    state: web::Data<AppState>,
    user: AnyAuthUser,
    body: web::Json<PasswordChange>,
) -> ApiResult<web::Json<TokenResponse>> {
    let body = body.into_inner();
    let updated = replace_password(&state, user.0, body.current_password, &body.new_password).await?;
    Ok(web::Json(issue_tokens(&state, updated, None).await?))
}

/// Replaces `user`'s password after checking the current one (limited per user: a stolen
/// session must not become a way to guess it). Every session and token of the user ends.
pub async fn replace_password(
    state: &web::Data<AppState>,
    user: User,
    current_password: String,
    new_password: &str,
) -> ApiResult<User> {
    let key = user_key(&user.id);
    refuse_if_blocked(state, vec![key.clone()]).await?;
    let (email, name) = (user.email.to_string(), user.display_name.clone());
    let Some(user) = check_password(Some(user), current_password).await? else {
        count_failure(state, vec![(key, state.limits.user)]).await?;
        return Err(invalid_credentials());
    };
    let new = chosen_password(&email, &name, new_password)?;
    if verify_password(&user.password_hash, new.expose()) {
        return Err(ApiError::validation("new_password", "must differ from the current password"));
    }
    let hash = web::block(move || hash_password(&new))
        .await
        .map_err(|_| ApiError::internal())?
        .map_err(|_| ApiError::internal())?;
    let id = user.id.clone();
    state
        .db(move |conn| {
            let form =
                UserUpdateForm { password_hash: Some(hash), must_change_password: Some(false), ..Default::default() };
            let updated = User::update(conn, &id, form, Some(&id))?;
            RefreshToken::revoke_user(conn, &id)?;
            Ok(updated)
        })
        .await
}

/// Starts TOTP enrolment: answers a new secret, which takes effect once confirmed.
#[utoipa::path(post, path = "/api/v1/auth/totp/enroll", tag = "auth", security(("bearer" = [])), responses(
    (status = 200, body = TotpEnrolment),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
pub async fn totp_enroll(
    state: web::Data<AppState>,
    user: crate::auth::EnrollingUser,
) -> ApiResult<web::Json<TotpEnrolment>> {
    Ok(web::Json(begin_totp(&state, &user.0).await?))
}

/// Starts `user`'s TOTP enrolment: a new secret, kept until confirmed (the API's
/// enrolment and the console's).
pub async fn begin_totp(state: &web::Data<AppState>, user: &User) -> ApiResult<TotpEnrolment> {
    if user.totp_enabled {
        return Err(ApiError::conflict("TOTP is already enabled; disable it first"));
    }
    let mut raw = vec![0u8; 20];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut raw);
    let Secret::Encoded(secret) = Secret::Raw(raw).to_encoded() else { return Err(ApiError::internal()) };
    let otpauth_url = totp_for(&secret, user.email.as_str())?.get_url();
    let id = user.id.clone();
    let stored = secret.clone();
    state
        .db(move |conn| {
            let form = UserUpdateForm { totp_secret: Some(Some(stored)), ..Default::default() };
            User::update(conn, &id, form, Some(&id))?;
            Ok(())
        })
        .await?;
    Ok(TotpEnrolment { secret, otpauth_url })
}

/// Confirms enrolment with a current code; from then on login needs a code.
#[utoipa::path(post, path = "/api/v1/auth/totp/confirm", tag = "auth", request_body = TotpCode,
    security(("bearer" = [])), responses(
    (status = 204),
    (status = 409, body = Problem, content_type = "application/problem+json", description = "no enrolment was started"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
    (status = 429, body = Problem, content_type = "application/problem+json", description = "too many failed attempts: wait (Retry-After)"),
))]
pub async fn totp_confirm(
    state: web::Data<AppState>,
    user: crate::auth::EnrollingUser,
    body: web::Json<TotpCode>,
) -> ApiResult<HttpResponse> {
    confirm_totp(&state, &user.0, &body.code).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Confirms `user`'s enrolment with a current code of the authenticator (limited like
/// sign-ins); from then on signing in needs a code.
pub async fn confirm_totp(state: &web::Data<AppState>, user: &User, code: &str) -> ApiResult<()> {
    if user.totp_secret.is_none() {
        return Err(ApiError::conflict("start with POST /api/v1/auth/totp/enroll"));
    }
    let key = user_key(&user.id);
    refuse_if_blocked(state, vec![key.clone()]).await?;
    // The enrolment code is spent too: it cannot sign in afterwards.
    if !totp_ok(state, user, code).await? {
        count_failure(state, vec![(key, state.limits.user)]).await?;
        return Err(ApiError::validation("code", "not the current code of the authenticator, or already used"));
    }
    let id = user.id.clone();
    state
        .db(move |conn| {
            User::update(conn, &id, UserUpdateForm { totp_enabled: Some(true), ..Default::default() }, Some(&id))?;
            Ok(())
        })
        .await
}

/// Turns TOTP off; needs the password and a current code.
#[utoipa::path(post, path = "/api/v1/auth/totp/disable", tag = "auth", request_body = TotpDisable,
    security(("bearer" = [])), responses(
    (status = 204),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 429, body = Problem, content_type = "application/problem+json", description = "too many failed attempts: wait (Retry-After)"),
))]
pub async fn totp_disable(
    state: web::Data<AppState>,
    user: crate::auth::AuthUser,
    body: web::Json<TotpDisable>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let key = user_key(&user.0.id);
    refuse_if_blocked(&state, vec![key.clone()]).await?;
    let Some(user) = check_password(Some(user.0), body.password).await? else {
        count_failure(&state, vec![(key, state.limits.user)]).await?;
        return Err(invalid_credentials());
    };
    if !user.totp_enabled || !totp_ok(&state, &user, &body.code).await? {
        count_failure(&state, vec![(key, state.limits.user)]).await?;
        return Err(invalid_credentials());
    }
    let id = user.id.clone();
    state
        .db(move |conn| {
            let form = UserUpdateForm { totp_enabled: Some(false), totp_secret: Some(None), ..Default::default() };
            User::update(conn, &id, form, Some(&id))?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Whether the request evidently came through a reverse proxy that is not in
/// `server.trusted_proxies`: from a loopback or private address, with `X-Forwarded-For`.
/// Every client then shares the proxy's address, so the per-address limit is not counted
/// (it would block everyone), and the operator is told once.
fn behind_untrusted_proxy(req: &HttpRequest, trusted: &[ipnet::IpNet]) -> bool {
    use std::sync::atomic::{AtomicBool, Ordering};
    static WARNED: AtomicBool = AtomicBool::new(false);
    let Some(peer) = req.peer_addr().map(|a| a.ip()) else { return false };
    let local = match peer {
        std::net::IpAddr::V4(v4) => v4.is_loopback() || v4.is_private(),
        std::net::IpAddr::V6(v6) => v6.is_loopback() || v6.is_unique_local(),
    };
    let evident =
        local && !trusted.iter().any(|net| net.contains(&peer)) && req.headers().contains_key("x-forwarded-for");
    if evident && !WARNED.swap(true, Ordering::Relaxed) {
        tracing::warn!(
            proxy = %peer,
            "requests come through a reverse proxy that is not in server.trusted_proxies: every client shares \
             its address, so sign-in failures are limited per account and address only; list the proxy in \
             server.trusted_proxies"
        );
    }
    evident
}

/// The client's address: the peer, or, when the peer is a trusted reverse proxy, the
/// right-most address of `X-Forwarded-For` that is not itself a trusted proxy (the left
/// part of the header is whatever the client chose to send).
pub fn client_ip(req: &HttpRequest, trusted: &[ipnet::IpNet]) -> Option<std::net::IpAddr> {
    let peer = req.peer_addr()?.ip();
    let is_trusted = |ip: &std::net::IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let forwarded: Vec<std::net::IpAddr> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|part| part.trim().parse().ok())
        .collect();
    Some(forwarded.into_iter().rev().find(|ip| !is_trusted(ip)).unwrap_or(peer))
}

#[cfg(test)]
mod client_ip_tests {
    use super::client_ip;
    use actix_web::test::TestRequest;

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxies: Vec<ipnet::IpNet> = vec!["127.0.0.1/32".parse().expect("net"), "10.0.0.0/8".parse().expect("net")];
        let via = |peer: &str, xff: Option<&str>| {
            let mut req = TestRequest::default().peer_addr(format!("{peer}:4000").parse().expect("addr"));
            if let Some(v) = xff {
                req = req.insert_header(("X-Forwarded-For", v));
            }
            client_ip(&req.to_http_request(), &proxies).map(|ip| ip.to_string())
        };
        assert_eq!(via("127.0.0.1", Some("203.0.113.7")).as_deref(), Some("203.0.113.7"));
        // A client cannot pick its address by sending the header itself through the proxy.
        assert_eq!(via("127.0.0.1", Some("198.51.100.1, 203.0.113.7")).as_deref(), Some("203.0.113.7"));
        assert_eq!(via("127.0.0.1", Some("203.0.113.7, 10.1.2.3")).as_deref(), Some("203.0.113.7"));
        // Not from a proxy: the header is ignored.
        assert_eq!(via("192.0.2.9", Some("203.0.113.7")).as_deref(), Some("192.0.2.9"));
        assert_eq!(via("127.0.0.1", None).as_deref(), Some("127.0.0.1"));
        assert_eq!(via("127.0.0.1", Some("garbage")).as_deref(), Some("127.0.0.1"));
    }
}
