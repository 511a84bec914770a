//! The case page's other forms: take the case, the beneficiary's key (confirm it, decide a
//! change, enter it by hand), indicators. Each answers with the case page: on success by a
//! redirect to it, on a refusal with the form kept and the error beside its field.

use crate::error::ConsoleError;
use crate::i18n::Tr;
use crate::page;
use crate::pages::case::{Draft, again, field_message};
use crate::session::Staff;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use rempart_api::AppState;
use rempart_api::error::ApiError;
use rempart_core::{Fingerprint, IndicatorKind};
use rempart_store::indicators::NewIndicator;
use serde::Deserialize;

/// What to do with a refusal of the form `field`: validation and conflicts are said beside
/// the field; anything else is an error page.
pub(crate) async fn refused(
    state: &web::Data<AppState>,
    staff: &Staff,
    reference: String,
    field: &'static str,
    e: ApiError,
    keep: impl FnOnce(&mut Draft),
) -> Result<HttpResponse, ConsoleError> {
    let status = e.kind().status();
    if status != StatusCode::UNPROCESSABLE_ENTITY && status != StatusCode::CONFLICT {
        return Err(ConsoleError::from(e).in_lang(staff.lang));
    }
    let t: Tr = staff.tr();
    let error_at = e.field_errors().first().map(|f| f.field.clone()).unwrap_or_default();
    let mut draft = Draft { error_field: field, error: field_message(&t, &e), error_at, ..Default::default() };
    keep(&mut draft);
    again(state, staff, reference, draft, status).await
}

fn back_to(reference: &str, anchor: &str) -> HttpResponse {
    page::see_other(&format!("/cases/{reference}#{anchor}"))
}

#[derive(Debug, Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    pub csrf: String,
}

/// `POST /cases/{reference}/take`: the case becomes the user's.
pub async fn take(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<CsrfOnly>,
) -> Result<HttpResponse, ConsoleError> {
    staff.check_csrf(&form.csrf)?;
    let reference = path.into_inner();
    let (actor, raw, policy) = (staff.actor(), reference.clone(), state.config.policy.clone());
    let me = staff.user.id.clone();
    let done = state
        .db(move |c| {
            let reason = "taken in the console";
            Ok(rempart_app::operations::assign(c, &actor, &raw, Some(&me), reason, None, &policy)?)
        })
        .await;
    match done {
        Ok(_) => Ok(back_to(&reference, "facts-title")),
        Err(e) => refused(&state, &staff, reference, "take", e, |_| {}).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct ConfirmKeyForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub fingerprint: String,
    #[serde(default)]
    pub how: String,
}

/// The beneficiary of case `reference`, as `staff` may see it.
async fn beneficiary_of(state: &web::Data<AppState>, staff: &Staff, reference: &str) -> Result<String, ConsoleError> {
    let (actor, raw) = (staff.actor(), reference.to_owned());
    state
        .db(move |c| Ok(rempart_app::cases::visible(c, &actor, &raw, "key")?.beneficiary_id))
        .await
        .map_err(|e| ConsoleError::from(e).in_lang(staff.lang))
}

/// An OpenPGP public key as pasted: its armoured form and fingerprint, or what is wrong
/// with it in the user's language.
pub(crate) fn read_certificate(t: &Tr, text: &str) -> Result<(String, Fingerprint), String> {
    use rempart_mail::pgp;
    pgp::parse_certificate(text.as_bytes())
        .map_err(|_| t.get("key-entry-unreadable"))
        .and_then(|cert| match pgp::encryption_problem(&cert) {
            Some(problem) => Err(format!("{} ({problem})", t.get("key-entry-unusable"))),
            None => Ok(cert),
        })
        .and_then(|cert| {
            let armored = pgp::armored_public(&cert).map_err(|_| t.get("key-entry-unreadable"))?;
            let fingerprint =
                Fingerprint::parse(&cert.fingerprint().to_hex()).map_err(|_| t.get("key-entry-unreadable"))?;
            Ok((armored, fingerprint))
        })
}

/// `POST /cases/{reference}/key/confirmation`: the handler compared the fingerprint with
/// the beneficiary out of band.
pub async fn confirm_key(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<ConfirmKeyForm>,
) -> Result<HttpResponse, ConsoleError> {
    let form = form.into_inner();
    staff.check_csrf(&form.csrf)?;
    let reference = path.into_inner();
    let id = beneficiary_of(&state, &staff, &reference).await?;
    let Ok(fingerprint) = Fingerprint::parse(&form.fingerprint) else {
        return Err(ConsoleError::Failed(ApiError::validation("fingerprint", "not a fingerprint"), staff.lang));
    };
    let (actor, how) = (staff.actor(), form.how.clone());
    match state.db(move |c| Ok(rempart_app::keys::confirm(c, &actor, &id, &fingerprint, &how)?)).await {
        Ok(_) => Ok(back_to(&reference, "beneficiary-title")),
        Err(e) => refused(&state, &staff, reference, "how", e, |d| d.key_how = form.how).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    pub csrf: String,
    /// `accept` or `reject`.
    #[serde(default)]
    pub decision: String,
}

/// `POST /cases/{reference}/key-changes/{id}`: a pending key change accepted or rejected.
pub async fn decide_key_change(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: web::Form<DecisionForm>,
) -> Result<HttpResponse, ConsoleError> {
    let form = form.into_inner();
    staff.check_csrf(&form.csrf)?;
    let (reference, change_id) = path.into_inner();
    let accept = match form.decision.as_str() {
        "accept" => true,
        "reject" => false,
        _ => return Err(ConsoleError::Failed(ApiError::validation("decision", "accept or reject"), staff.lang)),
    };
    let id = beneficiary_of(&state, &staff, &reference).await?;
    let actor = staff.actor();
    match state.db(move |c| Ok(rempart_app::keys::decide_change(c, &actor, &id, &change_id, accept)?)).await {
        Ok(_) => Ok(back_to(&reference, "beneficiary-title")),
        Err(e) => refused(&state, &staff, reference, "key-change", e, |_| {}).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct KeyEntryForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub certificate: String,
}

/// `POST /cases/{reference}/key`: a key the beneficiary gave through a channel the handler
/// trusts, pinned as confirmed.
pub async fn enter_key(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<KeyEntryForm>,
) -> Result<HttpResponse, ConsoleError> {
    let form = form.into_inner();
    staff.check_csrf(&form.csrf)?;
    let reference = path.into_inner();
    let t = staff.tr();
    let read = read_certificate(&t, &form.certificate);
    let (armored, fingerprint) = match read {
        Ok(pair) => pair,
        Err(message) => {
            let draft = Draft {
                error_field: "certificate",
                error: message,
                certificate: form.certificate,
                ..Default::default()
            };
            return again(&state, &staff, reference, draft, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let id = beneficiary_of(&state, &staff, &reference).await?;
    let (actor, by) = (staff.actor(), staff.user.email.to_string());
    match state.db(move |c| Ok(rempart_app::keys::enter(c, &actor, &id, &armored, &fingerprint, &by)?)).await {
        Ok(_) => Ok(back_to(&reference, "beneficiary-title")),
        Err(e) => refused(&state, &staff, reference, "certificate", e, |d| d.certificate = form.certificate).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct IndicatorForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub note: String,
}

/// `POST /cases/{reference}/indicators`: normalised under the helpline's rules; a value
/// that is not valid for its kind is said beside the field.
pub async fn add_indicator(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<IndicatorForm>,
) -> Result<HttpResponse, ConsoleError> {
    let form = form.into_inner();
    staff.check_csrf(&form.csrf)?;
    let reference = path.into_inner();
    let keep = |d: &mut Draft, f: &IndicatorForm| {
        d.indicator_kind = f.kind.clone();
        d.indicator_value = f.value.clone();
    };
    let Ok(kind) = IndicatorKind::parse_lenient(&form.kind) else {
        let e = ApiError::validation("kind", "choose a kind");
        return refused(&state, &staff, reference, "indicator", e, |d| keep(d, &form)).await;
    };
    let (actor, raw, rules) = (staff.actor(), reference.clone(), state.config.indicator_rules);
    let (value, note) = (form.value.clone(), form.note.clone());
    let done = state
        .db(move |c| {
            let note = Some(note.as_str()).filter(|n| !n.trim().is_empty());
            let new = NewIndicator { kind, value: &value, note, seen_at: None };
            Ok(rempart_app::indicators::add(c, &actor, &raw, new, rules)?)
        })
        .await;
    match done {
        Ok(_) => Ok(back_to(&reference, "indicators-title")),
        Err(e) => refused(&state, &staff, reference, "indicator", e, |d| keep(d, &form)).await,
    }
}

/// `POST /cases/{reference}/evidence` (multipart: `csrf`, `file`, `description`): stored
/// by its SHA-256, shown with it.
pub async fn upload_evidence(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    mut form: actix_multipart::Multipart,
) -> Result<HttpResponse, ConsoleError> {
    let reference = path.into_inner();
    let limit = state.config.evidence_limit_bytes;
    let upload = match rempart_api::routes::evidence::read_upload(&mut form, limit, &["csrf", "description"]).await {
        Ok(upload) => upload,
        Err(e) => {
            // Refused before any check of the form's token: nothing was stored.
            let t = staff.tr();
            let message = if e.kind().status() == StatusCode::PAYLOAD_TOO_LARGE {
                t.count("evidence-too-large", (limit / (1024 * 1024)) as i64)
            } else {
                field_message(&t, &e)
            };
            let draft = Draft { error_field: "evidence", error: message, ..Default::default() };
            return again(&state, &staff, reference, draft, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    staff.check_csrf(upload.field("csrf").unwrap_or_default())?;
    let (actor, raw) = (staff.actor(), reference.clone());
    let done = state
        .db(move |c| {
            let description = upload.field("description").filter(|d| !d.trim().is_empty());
            let file = rempart_app::evidence::Upload {
                content: &upload.content,
                media_type: &upload.media_type,
                name: &upload.filename,
                description,
            };
            Ok(rempart_app::evidence::add(c, &actor, &raw, file)?)
        })
        .await;
    match done {
        Ok(_) => Ok(back_to(&reference, "evidence-title")),
        Err(e) => refused(&state, &staff, reference, "evidence", e, |_| {}).await,
    }
}

/// `GET /cases/{reference}/evidence/{id}`: the file, as an attachment never rendered.
pub async fn download_evidence(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ConsoleError> {
    let (reference, id) = path.into_inner();
    let actor = staff.actor();
    let lang = staff.lang;
    let (record, content) = state
        .db(move |c| Ok(rempart_app::evidence::content(c, &actor, &reference, &id)?))
        .await
        .map_err(|e| ConsoleError::from(e).in_lang(lang))?;
    rempart_api::routes::evidence::attachment(&record, content).map_err(|e| ConsoleError::from(e).in_lang(lang))
}
