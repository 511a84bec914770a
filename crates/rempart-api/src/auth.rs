//! Access tokens (JWT, HS256), refresh tokens, the authenticated user, login limits.

use crate::error::{ApiError, ApiResult};
use crate::problem::ProblemType;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use rempart_core::Role;
use rempart_store::limits::LimitPolicy;
use rempart_store::sessions::RefreshToken;
use rempart_store::users::User;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::time::Duration;

/// Claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// User id.
    pub sub: String,
    pub role: Role,
    /// The user's token version when issued; a change (password, role, disabling) voids it.
    pub ver: i32,
    /// The session (refresh-token family): logout ends it, and its access tokens with it.
    #[serde(default)]
    pub sid: String,
    pub iat: i64,
    pub exp: i64,
}

/// The signing keys.
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtKeys(***)")
    }
}

pub const KEY_FILE: &str = "jwt-signing.key";
/// What the master key seals the key file for.
const SECRET_PURPOSE: &str = "token-signing-key";

impl JwtKeys {
    pub fn from_secret(secret: &[u8]) -> Self {
        Self { encoding: EncodingKey::from_secret(secret), decoding: DecodingKey::from_secret(secret) }
    }

    /// The configured secret, or the key kept in `data_dir` (created on first start with a
    /// random 256-bit value, readable by the service only). Never a key built into the binary.
    pub fn load(secret: Option<&str>, data_dir: &Path) -> anyhow::Result<Self> {
        if let Some(secret) = secret.filter(|s| !s.is_empty()) {
            anyhow::ensure!(secret.len() >= 32, "auth.jwt_secret must have at least 32 characters");
            return Ok(Self::from_secret(secret.as_bytes()));
        }
        // Sealed by the master key (protection at rest): a copy of the disk without it cannot
        // forge tokens. A file an older Rempart wrote in clear is sealed in place.
        let master = rempart_vault::current()?;
        let path = data_dir.join(KEY_FILE);
        if let Ok(existing) = std::fs::read(&path) {
            let sealed = rempart_vault::MasterKey::is_sealed_secret(&existing);
            let text = if sealed {
                master.open_secret(SECRET_PURPOSE, &existing).map_err(|e| {
                    anyhow::anyhow!("{}: {e} (is this the master key it was sealed with?)", path.display())
                })?
            } else {
                zeroize::Zeroizing::new(existing)
            };
            let key = zeroize::Zeroizing::new(hex::decode(String::from_utf8_lossy(&text).trim()).map_err(|_| {
                anyhow::anyhow!("{} is not a hex key; remove it to generate a new one", path.display())
            })?);
            anyhow::ensure!(key.len() >= 32, "{} holds a key shorter than 256 bits", path.display());
            if !sealed {
                let fresh = path.with_extension("sealing");
                let _ = std::fs::remove_file(&fresh);
                write_private(&fresh, &master.seal_secret(SECRET_PURPOSE, &text))?;
                std::fs::rename(&fresh, &path)?;
                tracing::info!(path = %path.display(), "sealed the token-signing key with the master key");
            }
            return Ok(Self::from_secret(&key));
        }
        rempart_store::db::create_private_dir(data_dir)?;
        let mut key = zeroize::Zeroizing::new([0u8; 32]);
        rand::rng().fill_bytes(key.as_mut());
        let text = zeroize::Zeroizing::new(hex::encode(key.as_ref()));
        write_private(&path, &master.seal_secret(SECRET_PURPOSE, text.as_bytes()))?;
        tracing::info!(path = %path.display(), "generated a new token-signing key");
        Ok(Self::from_secret(key.as_ref()))
    }

    pub fn issue(&self, user: &User, session: &str, ttl: Duration) -> ApiResult<String> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user.id.clone(),
            role: user.role,
            ver: user.token_version,
            sid: session.to_owned(),
            iat: now,
            exp: now + ttl.as_secs() as i64,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(|_| ApiError::internal())
    }

    pub fn verify(&self, token: &str) -> ApiResult<Claims> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).map(|d| d.claims).map_err(|e| {
            match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                    ApiError::unauthorized("the access token has expired").with_type(ProblemType::TokenExpired)
                }
                _ => ApiError::unauthorized("invalid access token"),
            }
        })
    }
}

#[cfg(unix)]
fn write_private(path: &Path, content: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    f.write_all(content)
}

#[cfg(not(unix))]
fn write_private(path: &Path, content: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, content)
}

/// A random opaque token (256 bits, base64url) and its SHA-256 digest for storage.
pub fn new_opaque_token() -> (String, String) {
    let mut raw = [0u8; 32];
    rand::rng().fill_bytes(&mut raw);
    let token = URL_SAFE_NO_PAD.encode(raw);
    let digest = token_digest(&token);
    (token, digest)
}

pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The token pair answered by login, refresh and password change.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    pub refresh_token: String,
    /// True until the user replaces a one-time password; other calls answer 403 until then.
    pub password_change_required: bool,
}

/// Issues an access token and a refresh token in `family` (a new family when `None`).
pub async fn issue_tokens(state: &web::Data<AppState>, user: User, family: Option<String>) -> ApiResult<TokenResponse> {
    let family = family.unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let access_token = state.keys.issue(&user, &family, state.config.access_token_ttl)?;
    let (refresh_token, digest) = new_opaque_token();
    let expires_at = rempart_store::now()
        + chrono::Duration::from_std(state.config.refresh_token_ttl).map_err(|_| ApiError::internal())?;
    let user_id = user.id.clone();
    state.db(move |conn| Ok(RefreshToken::store(conn, &user_id, &family, &digest, expires_at)?)).await?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: state.config.access_token_ttl.as_secs(),
        refresh_token,
        password_change_required: user.must_change_password,
    })
}

/// The signed-in user, checked on every request: valid token, account active, token
/// version current, password change done.
#[derive(Debug, Clone)]
pub struct AuthUser(pub User);

/// Like [`AuthUser`], but also admits a user who must still change a one-time password
/// (for `/me` and the password change itself).
#[derive(Debug, Clone)]
pub struct AnyAuthUser(pub User);

/// Like [`AuthUser`], but also admits a user whose authenticator an administrator reset
/// (for enrolling a new one).
#[derive(Debug, Clone)]
pub struct EnrollingUser(pub User);

impl AuthUser {
    pub fn id(&self) -> &str {
        &self.0.id
    }
    pub fn role(&self) -> Role {
        self.0.role
    }
    /// The signed-in user as the application layer knows them: every rule about what they
    /// may see and do is decided there (`rempart_app`).
    pub fn actor(&self) -> rempart_app::Actor {
        rempart_app::Actor::staff(self.0.id.clone(), self.0.role)
    }

    /// Fails unless the user has `capability` (`rempart_app::access`).
    pub fn require(&self, capability: rempart_app::Capability) -> ApiResult<()> {
        Ok(rempart_app::require(&self.actor(), capability)?)
    }
}

async fn authenticate(req: HttpRequest) -> ApiResult<User> {
    let state = req.app_data::<web::Data<AppState>>().ok_or_else(ApiError::internal)?.clone();
    let header = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthorized("send Authorization: Bearer <access token>"))?;
    let token = header
        .to_str()
        .ok()
        .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
        .ok_or_else(|| ApiError::unauthorized("the Authorization header must be `Bearer <access token>`"))?;
    let claims = state.keys.verify(token.trim())?;
    let user = state
        .db(move |conn| match User::get(conn, &claims.sub) {
            Ok(u) => {
                let ended = !claims.sid.is_empty() && RefreshToken::family_revoked(conn, &claims.sid)?;
                Ok(Some((u, claims.ver, ended)))
            }
            Err(rempart_store::StoreError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        })
        .await?;
    match user {
        Some((user, ver, false)) if user.active && user.token_version == ver => {
            tracing::Span::current().record("user", user.id.as_str());
            Ok(user)
        }
        _ => Err(ApiError::unauthorized("the access token has been revoked").with_type(ProblemType::TokenRevoked)),
    }
}

type Fut<T> = Pin<Box<dyn Future<Output = ApiResult<T>>>>;

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Fut<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let user = authenticate(req).await?;
            refuse_unfinished(&user, true)?;
            Ok(AuthUser(user))
        })
    }
}

/// Refuses an account that must first change its one-time password, or (`enrolled`) enrol
/// the authenticator an administrator reset.
fn refuse_unfinished(user: &User, enrolled: bool) -> ApiResult<()> {
    if user.must_change_password {
        return Err(ApiError::forbidden("change the one-time password first: POST /api/v1/auth/password")
            .with_type(ProblemType::PasswordChangeRequired));
    }
    if enrolled && user.must_enrol_totp {
        return Err(ApiError::forbidden(
            "your authenticator was reset: enrol a new one first (POST /api/v1/auth/totp/enroll, then /confirm)",
        )
        .with_type(ProblemType::TotpEnrolmentRequired));
    }
    Ok(())
}

impl FromRequest for EnrollingUser {
    type Error = ApiError;
    type Future = Fut<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let user = authenticate(req).await?;
            refuse_unfinished(&user, false)?;
            Ok(EnrollingUser(user))
        })
    }
}

impl FromRequest for AnyAuthUser {
    type Error = ApiError;
    type Future = Fut<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authenticate(req).await.map(AnyAuthUser) })
    }
}

/// The limits on failed attempts, counted in the database (shared by every instance):
/// - an account *and* client address together: the owner signing in from elsewhere is
///   never locked out by someone guessing from another address; each failure past the
///   maximum doubles the wait (1 minute, 2, 4 ... up to the window);
/// - a client address over every account (password spraying), ten times the maximum;
///   not counted for a request that evidently came through an untrusted reverse proxy
///   (every client would share the proxy's address);
/// - a signed-in user's password-change and TOTP attempts (a stolen access token must not
///   become a way to guess the password).
#[derive(Debug, Clone, Copy)]
pub struct LoginLimits {
    pub pair: LimitPolicy,
    pub address: LimitPolicy,
    pub user: LimitPolicy,
}

impl LoginLimits {
    pub fn new(max_failures: u32, window: Duration) -> Self {
        let window = chrono::Duration::from_std(window).unwrap_or(chrono::Duration::minutes(15));
        let first_wait = chrono::Duration::minutes(1).min(window);
        let policy = |max_failures: u32| LimitPolicy { max_failures: max_failures.max(1), window, first_wait };
        Self {
            pair: policy(max_failures),
            address: policy(max_failures.saturating_mul(10)),
            user: policy(max_failures),
        }
    }
}

/// The limiter key of a sign-in attempt on `account` from `address`.
pub fn pair_key(account: &str, address: &str) -> String {
    format!("login:{}|{address}", account.trim().to_lowercase())
}

/// The limiter key of a client address.
pub fn address_key(address: &str) -> String {
    format!("address:{address}")
}

/// The limiter key of a signed-in user's password and TOTP attempts.
pub fn user_key(user_id: &str) -> String {
    format!("user:{user_id}")
}

/// Waits when any of `keys` must wait: 429 with Retry-After.
pub async fn refuse_if_blocked(state: &web::Data<AppState>, keys: Vec<String>) -> ApiResult<()> {
    let now = rempart_store::now();
    let wait = state
        .db(move |conn| {
            let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
            Ok(rempart_store::limits::blocked(conn, &keys, now)?)
        })
        .await?;
    match wait {
        Some(seconds) => Err(ApiError::too_many_requests(seconds)),
        None => Ok(()),
    }
}

/// Counts a failure for each key under its policy.
pub async fn count_failure(state: &web::Data<AppState>, keys: Vec<(String, LimitPolicy)>) -> ApiResult<()> {
    let now = rempart_store::now();
    state
        .db(move |conn| {
            let keys: Vec<(&str, LimitPolicy)> = keys.iter().map(|(k, p)| (k.as_str(), *p)).collect();
            Ok(rempart_store::limits::record_failure(conn, &keys, now)?)
        })
        .await
}

/// Forgets the failures of `key` (a success).
pub async fn forget_failures(state: &web::Data<AppState>, key: String) -> ApiResult<()> {
    state.db(move |conn| Ok(rempart_store::limits::clear(conn, &key)?)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opaque_tokens_are_random_and_stored_as_digests() {
        let (a, da) = new_opaque_token();
        let (b, _) = new_opaque_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(da, token_digest(&a));
        assert_ne!(da, a);
    }

    #[test]
    fn tokens_signed_with_another_key_are_refused() {
        let keys = JwtKeys::from_secret(&[7u8; 32]);
        let other = JwtKeys::from_secret(&[8u8; 32]);
        let claims =
            Claims { sub: "u".into(), role: Role::Handler, ver: 0, sid: String::new(), iat: 0, exp: i64::MAX / 2 };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &other.encoding).expect("encode");
        assert!(keys.verify(&token).is_err());
        let none = jsonwebtoken::encode(&Header::new(Algorithm::HS384), &claims, &keys.encoding).expect("encode");
        assert!(keys.verify(&none).is_err(), "only HS256 is accepted");
        let expired = Claims { exp: 1, ..claims };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &expired, &keys.encoding).expect("encode");
        assert_eq!(keys.verify(&token).map_err(|e| e.slug()).err(), Some("token-expired"));
    }
}
