//! What a console request answers when it cannot do what was asked: back to the sign-in
//! page, to the password change, or a page that says what went wrong in the user's
//! language.

use crate::i18n::Lang;
use crate::page;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use rempart_api::error::ApiError;
use rempart_api::problem::ProblemType;

#[derive(Debug)]
pub enum ConsoleError {
    /// No session, or it ended: sign in (and come back to `next`).
    SignIn { next: Option<String>, htmx: bool },
    /// The one-time password must be replaced first.
    ChangePassword,
    /// An administrator reset the authenticator: a new one must be enrolled first.
    EnrolTotp { htmx: bool },
    /// A form without its session's CSRF token.
    Csrf(Lang),
    /// What the layer or the storage refused, shown as a page.
    Failed(ApiError, Lang),
}

impl ConsoleError {
    pub fn internal() -> Self {
        Self::Failed(ApiError::internal(), Lang::En)
    }

    pub fn not_found(lang: Lang) -> Self {
        Self::Failed(ApiError::not_found("page"), lang)
    }

    /// The same error, shown in `lang`.
    pub fn in_lang(self, lang: Lang) -> Self {
        match self {
            Self::Failed(e, _) => Self::Failed(e, lang),
            Self::Csrf(_) => Self::Csrf(lang),
            other => other,
        }
    }
}

impl From<ApiError> for ConsoleError {
    fn from(e: ApiError) -> Self {
        Self::Failed(e, Lang::En)
    }
}

impl From<rempart_app::AppError> for ConsoleError {
    fn from(e: rempart_app::AppError) -> Self {
        Self::Failed(e.into(), Lang::En)
    }
}

impl std::fmt::Display for ConsoleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::SignIn { .. } => f.write_str("sign in"),
            Self::ChangePassword => f.write_str("change the one-time password"),
            Self::EnrolTotp { .. } => f.write_str("enrol a new authenticator"),
            Self::Csrf(_) => f.write_str("form without its CSRF token"),
            Self::Failed(e, _) => write!(f, "{e}"),
        }
    }
}

fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, to.to_owned())).finish()
}

impl ResponseError for ConsoleError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::SignIn { .. } | Self::ChangePassword | Self::EnrolTotp { .. } => StatusCode::SEE_OTHER,
            Self::Csrf(_) => StatusCode::FORBIDDEN,
            Self::Failed(e, _) => e.kind().status(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::SignIn { next, htmx } => {
                let to = match next {
                    Some(n) if n != "/" => format!("/login?next={}", page::url_encode(n)),
                    _ => "/login".to_owned(),
                };
                if *htmx {
                    // htmx would follow a redirect and swap the sign-in page into a fragment.
                    HttpResponse::Ok().insert_header(("HX-Redirect", to)).finish()
                } else {
                    see_other(&to)
                }
            }
            Self::ChangePassword => see_other("/password"),
            Self::EnrolTotp { htmx: true } => HttpResponse::Ok().insert_header(("HX-Redirect", "/account")).finish(),
            Self::EnrolTotp { htmx: false } => see_other("/account"),
            Self::Csrf(lang) => page::error_page(*lang, StatusCode::FORBIDDEN, "error-csrf", None),
            Self::Failed(e, lang) => {
                let status = e.kind().status();
                let (id, detail) = match e.kind() {
                    ProblemType::NotFound => ("error-not-found", None),
                    ProblemType::Forbidden => ("error-forbidden", Some(e.detail())),
                    ProblemType::TooManyRequests => ("error-too-many", None),
                    ProblemType::Internal | ProblemType::Unavailable => ("error-internal", None),
                    _ if status.is_client_error() => ("error-refused", Some(e.detail())),
                    _ => ("error-internal", None),
                };
                if status.is_server_error() {
                    tracing::error!(error = %e, "console request failed");
                }
                page::error_page(*lang, status, id, detail)
            }
        }
    }
}
