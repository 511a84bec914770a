//! Console sessions: an HttpOnly, `SameSite=Strict` cookie holding a random token whose
//! digest is stored ([`ConsoleSession`]); a CSRF token that every form sends back. A
//! session ends at logout, after the idle timeout or the absolute lifetime, and when the
//! user's token version changes (password or role change, disabling), like API tokens.

use crate::ConsoleConfig;
use crate::error::ConsoleError;
use crate::i18n::{Lang, Tr};
use crate::time::LocalTime;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use rempart_api::AppState;
use rempart_api::auth::{new_opaque_token, token_digest};
use rempart_store::console_sessions::ConsoleSession;
use rempart_store::users::User;
use std::future::Future;
use std::pin::Pin;

/// The cookie's name: `__Host-` prefixed (bound to this host, path `/`, HTTPS only) when
/// the console is reached over HTTPS.
pub fn cookie_name(config: &ConsoleConfig) -> &'static str {
    if config.secure_cookies { "__Host-rempart" } else { "rempart" }
}

/// The cookie of the sign-in form (double submit: a forged sign-in cannot know it).
pub fn login_cookie_name(config: &ConsoleConfig) -> &'static str {
    if config.secure_cookies { "__Host-rempart-login" } else { "rempart-login" }
}

/// A cookie of the console with its protections.
pub fn cookie<'a>(config: &ConsoleConfig, name: &'a str, value: String) -> Cookie<'a> {
    Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(config.secure_cookies)
        .finish()
}

/// A cookie that removes `name` from the browser.
pub fn removal<'a>(config: &ConsoleConfig, name: &'a str) -> Cookie<'a> {
    let mut c = cookie(config, name, String::new());
    c.make_removal();
    c
}

/// A random token for a form or a cookie (256 bits).
pub fn random_token() -> String {
    new_opaque_token().0
}

/// Starts a session for `user`: the cookie to set.
pub async fn start(
    state: &web::Data<AppState>,
    config: &ConsoleConfig,
    user: &User,
) -> Result<Cookie<'static>, ConsoleError> {
    let (token, digest) = new_opaque_token();
    let csrf = random_token();
    let (id, version) = (user.id.clone(), user.token_version);
    let (idle, lifetime) = limits(config);
    state
        .db(move |conn| {
            // Sessions that can no longer be used are forgotten as new ones begin.
            let now = rempart_store::now();
            ConsoleSession::purge(conn, now - idle, now - lifetime)?;
            Ok(ConsoleSession::start(conn, &id, version, &digest, &csrf)?)
        })
        .await?;
    Ok(cookie(config, cookie_name(config), token))
}

/// The idle timeout and the absolute lifetime of a session.
fn limits(config: &ConsoleConfig) -> (chrono::Duration, chrono::Duration) {
    (
        chrono::Duration::from_std(config.idle_timeout).unwrap_or(chrono::Duration::minutes(30)),
        chrono::Duration::from_std(config.absolute_lifetime).unwrap_or(chrono::Duration::hours(12)),
    )
}

/// Ends the session of this request, if any.
pub async fn end(state: &web::Data<AppState>, session_id: String) -> Result<(), ConsoleError> {
    state.db(move |conn| Ok(ConsoleSession::end(conn, &session_id)?)).await?;
    Ok(())
}

/// Equal in constant time (a CSRF token compared byte by byte would leak its prefix).
pub fn same_token(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// The signed-in member of staff of a console request.
#[derive(Debug, Clone)]
pub struct Staff {
    pub user: User,
    pub session: ConsoleSession,
    pub lang: Lang,
    pub clock: LocalTime,
    /// The request came from htmx (a fragment is enough).
    pub htmx: bool,
}

impl Staff {
    pub fn actor(&self) -> rempart_app::Actor {
        rempart_app::Actor::staff(self.user.id.clone(), self.user.role)
    }

    pub fn tr(&self) -> Tr {
        self.lang.tr()
    }

    /// Refuses a form whose CSRF token is missing or not this session's.
    pub fn check_csrf(&self, sent: &str) -> Result<(), ConsoleError> {
        if same_token(sent, &self.session.csrf_token) {
            Ok(())
        } else {
            tracing::warn!(user = %self.user.id, "console form without its session's CSRF token refused");
            Err(ConsoleError::Csrf(self.lang))
        }
    }
}

/// The language of a request without a session: the browser's, else English.
pub fn request_lang(req: &HttpRequest) -> Lang {
    req.headers()
        .get(actix_web::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Lang::from_accept_language)
        .unwrap_or(Lang::En)
}

pub fn is_htmx(req: &HttpRequest) -> bool {
    req.headers().contains_key("hx-request")
}

/// Loads the session of `req`; `for_password_change` admits a user who must still replace
/// a one-time password (the password page only).
async fn load(req: HttpRequest, for_password_change: bool) -> Result<Staff, ConsoleError> {
    let sign_in = || ConsoleError::SignIn { next: next_of(&req), htmx: is_htmx(&req) };
    let state = req.app_data::<web::Data<AppState>>().ok_or_else(ConsoleError::internal)?.clone();
    let config = req.app_data::<web::Data<ConsoleConfig>>().ok_or_else(ConsoleError::internal)?.clone();
    let Some(token) = req.cookie(cookie_name(&config)).map(|c| c.value().to_owned()) else {
        return Err(sign_in());
    };
    let digest = token_digest(&token);
    let now = rempart_store::now();
    let (idle, lifetime) = limits(&config);
    let found = state
        .db(move |conn| {
            let Some(session) = ConsoleSession::find(conn, &digest)? else { return Ok(None) };
            let user = User::get(conn, &session.user_id)?;
            let current = user.active
                && user.token_version == session.token_version
                && now - session.last_seen_at <= idle
                && now - session.created_at <= lifetime;
            if !current {
                ConsoleSession::end(conn, &session.id)?;
                return Ok(None);
            }
            // The idle clock restarts; written at most once a minute.
            if now - session.last_seen_at > chrono::Duration::seconds(60) {
                ConsoleSession::touch(conn, &session.id, now)?;
            }
            Ok(Some((session, user)))
        })
        .await?;
    let Some((session, user)) = found else { return Err(sign_in()) };
    if user.must_change_password && !for_password_change {
        return Err(ConsoleError::ChangePassword);
    }
    // An authenticator reset by an administrator: the account page (to enrol a new one)
    // and signing out are all there is until it is done.
    if user.must_enrol_totp && !user.must_change_password && !req.path().starts_with("/account") {
        return Err(ConsoleError::EnrolTotp { htmx: is_htmx(&req) });
    }
    tracing::Span::current().record("user", user.id.as_str());
    let lang = Lang::first_of(user.languages.0.iter().map(|t| t.as_str())).unwrap_or_else(|| request_lang(&req));
    let clock = LocalTime::new(user.time_zone.as_str(), now);
    Ok(Staff { user, session, lang, clock, htmx: is_htmx(&req) })
}

/// Where to return after signing in: this page, when it is one to return to.
fn next_of(req: &HttpRequest) -> Option<String> {
    (req.method() == actix_web::http::Method::GET && !is_htmx(req)).then(|| req.uri().to_string())
}

type Fut<T> = Pin<Box<dyn Future<Output = Result<T, ConsoleError>>>>;

impl FromRequest for Staff {
    type Error = ConsoleError;
    type Future = Fut<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        Box::pin(load(req.clone(), false))
    }
}

/// A session whose user may still have to replace a one-time password.
#[derive(Debug, Clone)]
pub struct AnyStaff(pub Staff);

impl FromRequest for AnyStaff {
    type Error = ConsoleError;
    type Future = Fut<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { load(req, true).await.map(AnyStaff) })
    }
}

/// A local path to return to after signing in (never another site).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && !n.starts_with("/api/") => {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_pages_are_returned_to() {
        assert_eq!(safe_next(Some("/cases/RMP-2026-000001")), "/cases/RMP-2026-000001");
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(same_token("abc", "abc"));
        assert!(!same_token("abc", "abd"));
        assert!(!same_token("", "abc"));
        assert!(!same_token("abc", ""));
    }
}
