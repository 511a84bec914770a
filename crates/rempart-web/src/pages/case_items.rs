//! The case page's forms for the work beside the thread: actions, next steps, risk
//! assessments, third parties and what is said to them, links, the beneficiary's
//! verification. Each asks the application layer and answers with the case page: on
//! success by a redirect to its section, on a refusal with the form kept and the error
//! beside its field.

use crate::error::ConsoleError;
use crate::page;
use crate::pages::case_actions::refused;
use crate::session::Staff;
use actix_web::{HttpResponse, web};
use rempart_api::AppState;
use rempart_api::error::ApiError;
use rempart_app::items::Written;
use rempart_app::{Actor, AppResult};
use rempart_core::{Channel, Direction, EmailAddress, LinkKind, RiskFactors, ThirdPartyRole, VerificationStatus};
use rempart_store::DbConn;
use rempart_store::case_items::NewThirdParty;
use std::collections::HashMap;

/// A form as posted: its fields by name (every field of these forms is text).
pub type Fields = web::Form<HashMap<String, String>>;

fn field<'a>(form: &'a HashMap<String, String>, name: &str) -> &'a str {
    form.get(name).map(String::as_str).unwrap_or_default()
}

/// One of the options a select or radio offered (a vocabulary word), else refused on
/// that field.
fn choice<T, E>(
    form: &HashMap<String, String>,
    name: &'static str,
    parse: fn(&str) -> Result<T, E>,
) -> Result<T, ApiError> {
    parse(field(form, name)).map_err(|_| ApiError::validation(name, "unknown choice"))
}

fn optional(form: &HashMap<String, String>, name: &str) -> Option<String> {
    Some(field(form, name).trim().to_owned()).filter(|v| !v.is_empty())
}

/// Runs `op` on case `reference` as the user, after the form's CSRF token is checked. Done:
/// back to `anchor` on the case page. Refused: the page again, the error beside `error_field`
/// and the form's values kept.
async fn posted<T: Send + 'static>(
    staff: Staff,
    state: web::Data<AppState>,
    reference: String,
    form: HashMap<String, String>,
    (error_field, anchor): (&'static str, &'static str),
    op: impl FnOnce(&mut DbConn, &Actor, &str, &HashMap<String, String>) -> Result<T, ApiError> + Send + 'static,
) -> Result<HttpResponse, ConsoleError> {
    staff.check_csrf(field(&form, "csrf"))?;
    let (actor, raw, values) = (staff.actor(), reference.clone(), form.clone());
    match state.db(move |c| op(c, &actor, &raw, &values)).await {
        Ok(_) => Ok(page::see_other(&format!("/cases/{reference}#{anchor}"))),
        Err(e) => {
            let kept = form.into_iter().filter(|(k, _)| k != "csrf").collect();
            refused(&state, &staff, reference, error_field, e, |d| d.kept = kept).await
        }
    }
}

fn app<T>(result: AppResult<T>) -> Result<T, ApiError> {
    Ok(result?)
}

/// `POST /cases/{reference}/actions`: a measure taken, now.
pub async fn action(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: Fields,
) -> Result<HttpResponse, ConsoleError> {
    posted(staff, state, path.into_inner(), form.into_inner(), ("action", "actions-title"), |c, a, r, f| {
        app(rempart_app::items::record_action(c, a, r, field(f, "text")))
    })
    .await
}

/// `POST /cases/{reference}/next-steps`: a step planned, with a due date if given.
pub async fn next_step(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: Fields,
) -> Result<HttpResponse, ConsoleError> {
    posted(staff, state, path.into_inner(), form.into_inner(), ("next_step", "steps-title"), |c, a, r, f| {
        let due = match optional(f, "due_on") {
            None => None,
            Some(d) => Some(
                chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                    .map_err(|_| ApiError::validation("due_on", "not a date (YYYY-MM-DD)"))?,
            ),
        };
        app(rempart_app::items::plan_next_step(c, a, r, field(f, "text"), due))
    })
    .await
}

/// `POST /cases/{reference}/next-steps/{id}`: done, or not done again.
pub async fn step_done(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: Fields,
) -> Result<HttpResponse, ConsoleError> {
    let (reference, step) = path.into_inner();
    posted(staff, state, reference, form.into_inner(), ("next_step", "steps-title"), move |c, a, r, f| {
        app(rempart_app::items::set_next_step_done(c, a, r, &step, field(f, "done") == "true"))
    })
    .await
}

/// `POST /cases/{reference}/risks`: a named risk scored (threats x vulnerabilities / capacities).
pub async fn risk(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: Fields,
) -> Result<HttpResponse, ConsoleError> {
    posted(staff, state, path.into_inner(), form.into_inner(), ("risk", "risks-title"), |c, a, r, f| {
        let factor = |name: &'static str| {
            field(f, name).trim().parse::<i64>().map_err(|_| ApiError::validation(name, "a whole number from 1 to 10"))
        };
        let factors = RiskFactors::new(factor("threats")?, factor("vulnerabilities")?, factor("capacities")?)
            .map_err(|e| ApiError::validation(e.factor, "a whole number from 1 to 10"))?;
        let notes = optional(f, "notes");
        app(rempart_app::items::assess_risk(c, a, r, field(f, "risk_name"), factors, notes.as_deref()))
    })
    .await
}

/// `POST /cases/{reference}/third-parties`: an intermediary, a platform, a partner.
pub async fn third_party(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: Fields,
) -> Result<HttpResponse, ConsoleError> {
    posted(staff, state, path.into_inner(), form.into_inner(), ("third_party", "parties-title"), |c, a, r, f| {
        let role = choice(f, "role", ThirdPartyRole::parse)?;
        let email = optional(f, "email")
            .map(|e| EmailAddress::parse(&e))
            .transpose()
            .map_err(|e| ApiError::validation("email", e.reason))?;
        let new = NewThirdParty {
            case_id: String::new(),
            organisation: field(f, "organisation").trim().to_owned(),
            contact_name: optional(f, "contact_name"),
            role,
            email,
            phone: optional(f, "phone"),
            notes: optional(f, "notes"),
        };
        app(rempart_app::items::add_third_party(c, a, r, new))
    })
    .await
}

/// `POST /cases/{reference}/third-parties/{id}/messages`: what was said to a third party
/// (an e-mail goes through the mail gateway) or heard from them.
pub async fn third_party_message(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: Fields,
) -> Result<HttpResponse, ConsoleError> {
    let (reference, party) = path.into_inner();
    let anchor = ("party_message", "parties-title");
    posted(staff, state, reference, form.into_inner(), anchor, move |c, a, r, f| {
        let direction = choice(f, "direction", Direction::parse)?;
        let channel = choice(f, "channel", Channel::parse)?;
        let written = Written { direction, channel, subject: None, text: field(f, "text").to_owned() };
        app(rempart_app::items::write_to_third_party(c, a, r, &party, written))
    })
    .await
}

/// `POST /cases/{reference}/third-parties/{id}/key`: their OpenPGP key, pasted; what
/// waited for it leaves.
pub async fn third_party_key(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: Fields,
) -> Result<HttpResponse, ConsoleError> {
    let (reference, party) = path.into_inner();
    let read = crate::pages::case_actions::read_certificate(&staff.tr(), field(&form, "certificate"));
    let anchor = ("party_key", "parties-title");
    posted(staff, state, reference, form.into_inner(), anchor, move |c, a, r, _| {
        let (armored, fingerprint) = read.map_err(|message| ApiError::validation("certificate", message))?;
        app(rempart_app::items::set_third_party_key(c, a, r, &party, &armored, &fingerprint))
    })
    .await
}

/// `POST /cases/{reference}/links`: this case linked to another the user may see.
pub async fn link(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: Fields,
) -> Result<HttpResponse, ConsoleError> {
    posted(staff, state, path.into_inner(), form.into_inner(), ("link", "links-title"), |c, a, r, f| {
        let kind = choice(f, "kind", LinkKind::parse)?;
        let target = field(f, "target").trim();
        if target.is_empty() {
            return Err(ApiError::validation("target", "must not be empty"));
        }
        let note = optional(f, "note");
        match rempart_app::items::link(c, a, r, target, kind, note.as_deref()) {
            // Said beside the field: no case the user may see has this reference.
            Err(e) if e.kind() == "not-found" => Err(ApiError::validation("target", "no such case")),
            done => app(done),
        }
    })
    .await
}

/// `POST /cases/{reference}/verification`: the beneficiary's verification, with a reason.
pub async fn verification(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: Fields,
) -> Result<HttpResponse, ConsoleError> {
    let anchor = ("verification", "beneficiary-title");
    posted(staff, state, path.into_inner(), form.into_inner(), anchor, |c, a, r, f| {
        let status = choice(f, "status", VerificationStatus::parse)?;
        let case = rempart_app::cases::visible(c, a, r, "verification")?;
        app(rempart_app::beneficiaries::set_verification(c, a, &case.beneficiary_id, status, field(f, "reason")))
    })
    .await
}
