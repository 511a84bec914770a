//! Replacing one's password: required after a one-time password, before anything else.

use crate::ConsoleConfig;
use crate::error::ConsoleError;
use crate::i18n::Tr;
use crate::page::{self, Chrome};
use crate::session::{self, AnyStaff};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use rempart_api::AppState;
use rempart_api::problem::ProblemType;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    t: Tr,
    chrome: Chrome,
    csrf: String,
    required: bool,
    /// The field in error and what to say beside it.
    error: Option<(&'static str, String)>,
}

impl PasswordPage {
    fn field_error(&self, field: &str) -> Option<&str> {
        self.error.as_ref().filter(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }
}

fn render(staff: &AnyStaff, status: StatusCode, error: Option<(&'static str, String)>) -> HttpResponse {
    let staff = &staff.0;
    let t = staff.tr();
    let page = PasswordPage {
        chrome: Chrome::for_staff(staff, t.get("password-title"), "password"),
        t,
        csrf: staff.session.csrf_token.clone(),
        required: staff.user.must_change_password,
        error,
    };
    page::html(status, page.render())
}

/// `GET /password`
pub async fn form(staff: AnyStaff) -> HttpResponse {
    render(&staff, StatusCode::OK, None)
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub current: String,
    #[serde(default)]
    pub new: String,
    #[serde(default)]
    pub repeat: String,
}

/// `POST /password`: every other session of the user ends; this one starts again.
pub async fn submit(
    staff: AnyStaff,
    state: web::Data<AppState>,
    config: web::Data<ConsoleConfig>,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, ConsoleError> {
    let form = form.into_inner();
    staff.0.check_csrf(&form.csrf)?;
    let t = staff.0.tr();
    if form.new != form.repeat {
        return Ok(render(&staff, StatusCode::UNPROCESSABLE_ENTITY, Some(("repeat", t.get("password-mismatch")))));
    }
    let user = staff.0.user.clone();
    match rempart_api::routes::auth::replace_password(&state, user, form.current, &form.new).await {
        Ok(updated) => {
            let cookie = session::start(&state, &config, &updated).await?;
            let mut response = page::see_other("/");
            response.add_cookie(&cookie).map_err(|_| ConsoleError::internal())?;
            Ok(response)
        }
        Err(e) => {
            let error = match e.kind() {
                ProblemType::InvalidCredentials => ("current", t.get("password-wrong")),
                // The strength estimator's advice (English) follows the translated rule.
                ProblemType::Validation => {
                    let detail = e.field_errors().first().map(|f| f.message.clone()).unwrap_or_default();
                    ("new", format!("{} ({detail})", t.get("password-weak")))
                }
                ProblemType::TooManyRequests => ("current", t.count("login-too-many", 15)),
                _ => return Err(ConsoleError::Failed(e, staff.0.lang)),
            };
            let status = e.kind().status();
            Ok(render(&staff, status, Some(error)))
        }
    }
}
