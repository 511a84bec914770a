//! The unlock page of a service started sealed: the master key's passphrase, and nothing
//! else (no account can sign in while sealed). Served by the sealed server only
//! ([`crate::configure_sealed`]); the rule and its limit are the application layer's.

use crate::i18n::Tr;
use crate::page::{self, Chrome};
use crate::session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use rempart_api::problem::ProblemType;
use rempart_api::sealed::Gate;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "unlock.html")]
struct UnlockPage {
    t: Tr,
    chrome: Chrome,
    /// Why the last attempt failed, shown beside the field.
    error: Option<String>,
}

fn answer(req: &HttpRequest, status: StatusCode, error: impl FnOnce(&Tr) -> Option<String>) -> HttpResponse {
    let t = session::request_lang(req).tr();
    let error = error(&t);
    let page = UnlockPage { chrome: Chrome::new(&t, t.get("unlock-title"), "unlock"), t, error };
    page::html(status, page.render())
}

/// `GET /unlock`
pub async fn form(req: HttpRequest) -> HttpResponse {
    answer(&req, StatusCode::OK, |_| None)
}

#[derive(Deserialize)]
pub struct UnlockForm {
    #[serde(default)]
    pub passphrase: String,
}

impl std::fmt::Debug for UnlockForm {
    // Never the passphrase, not even in a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnlockForm").finish_non_exhaustive()
    }
}

/// `/unlock` once unlocked (a page left open, reloaded): to the console.
pub async fn already_open() -> HttpResponse {
    page::see_other("/")
}

/// `POST /unlock`: on success, to the sign-in page of the service now starting.
pub async fn submit(req: HttpRequest, gate: web::Data<Gate>, form: web::Form<UnlockForm>) -> HttpResponse {
    let passphrase = form.into_inner().passphrase;
    let Err(e) = gate.into_inner().unlock_from_network(passphrase).await else {
        return page::see_other("/login");
    };
    match e.kind() {
        ProblemType::InvalidCredentials => answer(&req, StatusCode::UNAUTHORIZED, |t| Some(t.get("unlock-wrong"))),
        ProblemType::TooManyRequests => {
            let minutes = e.retry_after().unwrap_or(60).div_ceil(60) as i64;
            answer(&req, StatusCode::TOO_MANY_REQUESTS, |t| Some(t.count("unlock-too-many", minutes)))
        }
        ProblemType::Conflict => answer(&req, StatusCode::CONFLICT, |t| Some(t.get("unlock-not-this-database"))),
        _ => answer(&req, e.kind().status(), |t| Some(t.get("unlock-failed"))),
    }
}
