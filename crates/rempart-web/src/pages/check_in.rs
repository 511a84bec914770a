//! The start of a shift: am I fit to take cases today? Asked before the queues; until the
//! answer, the rota gives no new case. The note is private: only its author reads it.

use crate::error::ConsoleError;
use crate::i18n::Tr;
use crate::page::{self, Chrome};
use crate::session::Staff;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use rempart_api::AppState;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "check_in.html")]
struct CheckInPage {
    t: Tr,
    chrome: Chrome,
    csrf: String,
    /// The shift asked about: its start and end as the user reads them.
    shift: Option<(String, String)>,
    note: String,
    error: Option<(&'static str, String)>,
    /// The user's own check-ins: when, fit or not, the note.
    history: Vec<(String, bool, String)>,
}

impl CheckInPage {
    fn field_error(&self, field: &str) -> Option<&str> {
        self.error.as_ref().filter(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }
}

async fn render(
    staff: &Staff,
    state: &web::Data<AppState>,
    note: String,
    error: Option<(&'static str, String)>,
    status: StatusCode,
) -> Result<HttpResponse, ConsoleError> {
    let actor = staff.actor();
    let now = rempart_store::now();
    let (shift, history) = state
        .db(move |conn| {
            let shift = rempart_app::wellbeing::awaiting_check_in(conn, &actor, now)?;
            let history = rempart_app::wellbeing::own_check_ins(conn, &actor, 20)?;
            Ok((shift, history))
        })
        .await
        .map_err(|e| ConsoleError::from(e).in_lang(staff.lang))?;
    let t = staff.tr();
    let page = CheckInPage {
        chrome: Chrome::for_staff(staff, t.get("check-in-title"), "check-in"),
        csrf: staff.session.csrf_token.clone(),
        shift: shift.map(|s| (staff.clock.at(&s.starts_at), staff.clock.at(&s.ends_at))),
        note,
        error,
        history: history
            .into_iter()
            .map(|c| (staff.clock.at(&c.checked_at), c.fit, c.private_note.unwrap_or_default()))
            .collect(),
        t,
    };
    Ok(page::html(status, page.render()))
}

/// `GET /check-in`
pub async fn page(staff: Staff, state: web::Data<AppState>) -> Result<HttpResponse, ConsoleError> {
    render(&staff, &state, String::new(), None, StatusCode::OK).await
}

#[derive(Debug, Deserialize)]
pub struct CheckInForm {
    #[serde(default)]
    pub csrf: String,
    /// `yes` or `no`.
    pub fit: Option<String>,
    #[serde(default)]
    pub note: String,
}

/// `POST /check-in`
pub async fn submit(
    staff: Staff,
    state: web::Data<AppState>,
    form: web::Form<CheckInForm>,
) -> Result<HttpResponse, ConsoleError> {
    let form = form.into_inner();
    staff.check_csrf(&form.csrf)?;
    let t = staff.tr();
    let fit = match form.fit.as_deref() {
        Some("yes") => true,
        Some("no") => false,
        _ => {
            let error = Some(("fit", t.get("check-in-choose")));
            return render(&staff, &state, form.note, error, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let (actor, note, now) = (staff.actor(), form.note.clone(), rempart_store::now());
    let note = Some(note).filter(|n| !n.trim().is_empty());
    let done =
        state.db(move |conn| Ok(rempart_app::wellbeing::check_in(conn, &actor, fit, note.as_deref(), now)?)).await;
    match done {
        Ok(_) => Ok(page::see_other("/")),
        Err(e) if e.kind().status() == StatusCode::CONFLICT => {
            let error = Some(("fit", t.get("check-in-no-shift")));
            render(&staff, &state, form.note, error, StatusCode::CONFLICT).await
        }
        Err(e) if e.kind().status() == StatusCode::UNPROCESSABLE_ENTITY => {
            let error = Some(("note", t.get("error-too-long")));
            render(&staff, &state, form.note, error, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(ConsoleError::from(e).in_lang(staff.lang)),
    }
}
