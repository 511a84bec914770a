//! Signing in (email, password and, once enrolled, the authenticator's code) and out.

use crate::ConsoleConfig;
use crate::error::ConsoleError;
use crate::i18n::Tr;
use crate::page::{self, Chrome};
use crate::session::{self, Staff};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use rempart_api::AppState;
use rempart_api::problem::ProblemType;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    t: Tr,
    chrome: Chrome,
    token: String,
    email: String,
    next: String,
    /// The failure to show above the form, with the field it concerns.
    error: Option<(&'static str, String)>,
    /// The account needs its code: the code field is marked required.
    code_needed: bool,
}

impl LoginPage {
    fn field_error(&self, field: &str) -> Option<&str> {
        self.error.as_ref().filter(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    pub next: Option<String>,
}

/// The sign-in form, with a fresh form token in its cookie.
fn answer(
    req: &HttpRequest,
    config: &ConsoleConfig,
    status: StatusCode,
    fill: impl FnOnce(&mut LoginPage),
) -> HttpResponse {
    let t = session::request_lang(req).tr();
    let token = session::random_token();
    let mut page = LoginPage {
        chrome: Chrome::new(&t, t.get("login-title"), "login"),
        t,
        token: token.clone(),
        email: String::new(),
        next: "/".to_owned(),
        error: None,
        code_needed: false,
    };
    fill(&mut page);
    let mut response = page::html(status, page.render());
    let _ = response.add_cookie(&session::cookie(config, session::login_cookie_name(config), token));
    response
}

/// `GET /login`
pub async fn form(req: HttpRequest, config: web::Data<ConsoleConfig>, query: web::Query<NextQuery>) -> HttpResponse {
    let next = session::safe_next(query.next.as_deref());
    answer(&req, &config, StatusCode::OK, |p| p.next = next)
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    pub token: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub code: String,
    pub next: Option<String>,
}

/// `POST /login`: on success, a new session and back to where the user was going.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    config: web::Data<ConsoleConfig>,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, ConsoleError> {
    let form = form.into_inner();
    let lang = session::request_lang(&req);
    let t = lang.tr();
    let next = session::safe_next(form.next.as_deref());
    let cookie_token = req.cookie(session::login_cookie_name(&config)).map(|c| c.value().to_owned());
    if !cookie_token.is_some_and(|c| session::same_token(&c, &form.token)) {
        // Without the token of the form the browser was given, this is a forged sign-in
        // (or a form left open too long): show the form again.
        return Ok(answer(&req, &config, StatusCode::FORBIDDEN, |p| {
            p.error = Some(("form", t.get("error-csrf")));
            p.email = form.email.clone();
            p.next = next.clone();
        }));
    }
    let code = Some(form.code.as_str());
    match rempart_api::routes::auth::sign_in(&state, &req, form.email.trim(), form.password, code).await {
        Ok(user) => {
            let cookie = session::start(&state, &config, &user).await?;
            let mut response = page::see_other(&next);
            response.add_cookie(&cookie).map_err(|_| ConsoleError::internal())?;
            let _ = response.add_removal_cookie(&session::removal(&config, session::login_cookie_name(&config)));
            Ok(response)
        }
        Err(e) => {
            let (status, error, code_needed) = match e.kind() {
                ProblemType::TotpRequired => (StatusCode::UNAUTHORIZED, ("code", t.get("login-code-required")), true),
                ProblemType::TooManyRequests => {
                    let minutes = e.retry_after().unwrap_or(60).div_ceil(60) as i64;
                    (StatusCode::TOO_MANY_REQUESTS, ("form", t.count("login-too-many", minutes)), false)
                }
                ProblemType::InvalidCredentials => (StatusCode::UNAUTHORIZED, ("form", t.get("login-failed")), false),
                _ => return Err(ConsoleError::Failed(e, lang)),
            };
            Ok(answer(&req, &config, status, |p| {
                p.error = Some(error);
                p.email = form.email.clone();
                p.next = next.clone();
                p.code_needed = code_needed;
            }))
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

/// `POST /logout`: the session ends here and on the server.
pub async fn logout(
    staff: Staff,
    state: web::Data<AppState>,
    config: web::Data<ConsoleConfig>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, ConsoleError> {
    staff.check_csrf(&form.csrf)?;
    session::end(&state, staff.session.id.clone()).await.map_err(|e| e.in_lang(staff.lang))?;
    let mut response = page::see_other("/login");
    let _ = response.add_removal_cookie(&session::removal(&config, session::cookie_name(&config)));
    Ok(response)
}
