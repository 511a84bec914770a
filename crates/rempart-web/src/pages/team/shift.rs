//! One shift: change its kind or times (shorten it), or cancel it if nobody checked in to
//! it (one with a check-in is history: the page says so and offers shortening).

use super::week::{kind_of, refusal, shift_times};
use crate::error::ConsoleError;
use crate::form::{Draft, Fields, field};
use crate::i18n::Tr;
use crate::page::{self, Chrome};
use crate::session::Staff;
use crate::time::monday_of;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use rempart_api::AppState;

#[derive(Template)]
#[template(path = "team_shift.html")]
struct ShiftPage {
    t: Tr,
    chrome: Chrome,
    csrf: String,
    id: String,
    person: String,
    /// The week to go back to.
    week: String,
    draft: Draft,
}

async fn render(
    staff: &Staff,
    state: &web::Data<AppState>,
    id: String,
    values: Option<std::collections::HashMap<String, String>>,
    error: Option<(String, String)>,
    status: StatusCode,
) -> Result<HttpResponse, ConsoleError> {
    let (actor, wanted) = (staff.actor(), id.clone());
    let (shift, names) = state
        .db(move |conn| {
            let shift = rempart_app::team::shift(conn, &actor, &wanted)?;
            Ok((shift, rempart_app::accounts::names(conn)?))
        })
        .await
        .map_err(|e| ConsoleError::from(e).in_lang(staff.lang))?;
    let (from, to) = (staff.clock.local(&shift.starts_at), staff.clock.local(&shift.ends_at));
    // The form as sent back, else the shift as stored.
    let stored = || {
        Draft::of([
            ("kind", shift.kind.clone()),
            ("day", from.date().to_string()),
            ("from", from.format("%H:%M").to_string()),
            ("to", to.format("%H:%M").to_string()),
        ])
    };
    let draft = Draft { values: values.unwrap_or_else(|| stored().values), error };
    let t = staff.tr();
    let page = ShiftPage {
        chrome: Chrome::for_staff(staff, t.get("shift-title"), "team"),
        csrf: staff.session.csrf_token.clone(),
        person: names.get(&shift.user_id).cloned().unwrap_or_default(),
        week: monday_of(from.date()).to_string(),
        id,
        draft,
        t,
    };
    Ok(page::html(status, page.render()))
}

/// `GET /team/shifts/{id}`
pub async fn edit(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    render(&staff, &state, path.into_inner(), None, None, StatusCode::OK).await
}

/// `POST /team/shifts/{id}`: new kind and times.
pub async fn change(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: Fields,
) -> Result<HttpResponse, ConsoleError> {
    let (form, id) = (form.into_inner(), path.into_inner());
    staff.check_csrf(field(&form, "csrf"))?;
    let t = staff.tr();
    let kept = Some(form.clone());
    let Some(kind) = kind_of(field(&form, "kind")) else {
        let error = Some(("kind".into(), t.get("error-choice")));
        return render(&staff, &state, id, kept, error, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let (start, end) = match shift_times(&t, &staff, &form) {
        Ok(times) => times,
        Err(error) => return render(&staff, &state, id, kept, Some(error), StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    let (actor, policy, wanted) = (staff.actor(), state.config.policy.clone(), id.clone());
    let max_hours = policy.max_shift.num_hours();
    let done = state
        .db(move |c| {
            Ok(rempart_app::team::change_shift(c, &actor, &wanted, Some(kind), Some(start), Some(end), &policy)?)
        })
        .await;
    match done {
        Ok(shift) => {
            let week = monday_of(staff.clock.local(&shift.starts_at).date());
            Ok(page::see_other(&format!("/team/week?week={week}")))
        }
        Err(e) if e.kind().status() == StatusCode::UNPROCESSABLE_ENTITY => {
            render(&staff, &state, id, kept, Some(refusal(&t, max_hours, &e)), e.kind().status()).await
        }
        Err(e) => Err(ConsoleError::from(e).in_lang(staff.lang)),
    }
}

/// `POST /team/shifts/{id}/cancel`
pub async fn cancel(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: Fields,
) -> Result<HttpResponse, ConsoleError> {
    let (form, id) = (form.into_inner(), path.into_inner());
    staff.check_csrf(field(&form, "csrf"))?;
    let (actor, wanted) = (staff.actor(), id.clone());
    let done = state
        .db(move |c| {
            let shift = rempart_app::team::shift(c, &actor, &wanted)?;
            rempart_app::team::cancel_shift(c, &actor, &wanted)?;
            Ok(shift)
        })
        .await;
    match done {
        Ok(shift) => {
            let week = monday_of(staff.clock.local(&shift.starts_at).date());
            Ok(page::see_other(&format!("/team/week?week={week}")))
        }
        Err(e) if e.kind().status() == StatusCode::CONFLICT => {
            let error = Some(("cancel".to_owned(), staff.tr().get("error-shift-checked-in")));
            render(&staff, &state, id, None, error, StatusCode::CONFLICT).await
        }
        Err(e) => Err(ConsoleError::from(e).in_lang(staff.lang)),
    }
}
