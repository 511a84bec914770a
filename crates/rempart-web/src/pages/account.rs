//! One's own account: the console's language and the time zone times are shown in, and
//! the second factor (an authenticator app, enrolled with a QR code drawn on the server).

use crate::ConsoleConfig;
use crate::error::ConsoleError;
use crate::i18n::{Lang, Tr};
use crate::page::{self, Chrome};
use crate::session::{self, Staff};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use base64::Engine;
use rempart_api::AppState;
use rempart_core::{Languages, TimeZoneName};
use rempart_store::users::User;
use serde::Deserialize;

/// An enrolment under way: the secret to type and its QR code.
#[derive(Debug)]
pub struct Enrolment {
    pub secret: String,
    /// `data:image/svg+xml;base64,...` (an image: no inline markup to trust).
    pub qr: String,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    t: Tr,
    chrome: Chrome,
    csrf: String,
    email: String,
    languages: Vec<(&'static str, String, bool)>,
    zones: Vec<(&'static str, bool)>,
    totp_enabled: bool,
    enrolment: Option<Enrolment>,
    error: Option<(&'static str, String)>,
    saved: bool,
    /// An administrator reset the authenticator: nothing else until a new one is enrolled.
    must_enrol: bool,
}

impl AccountPage {
    fn field_error(&self, field: &str) -> Option<&str> {
        self.error.as_ref().filter(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }
}

fn render(
    staff: &Staff,
    enrolment: Option<Enrolment>,
    error: Option<(&'static str, String)>,
    saved: bool,
    status: StatusCode,
) -> HttpResponse {
    let t = staff.tr();
    let chosen = Lang::first_of(staff.user.languages.0.iter().map(|l| l.as_str()));
    let mut languages = vec![("", t.get("account-language-browser"), chosen.is_none())];
    languages.extend(Lang::ALL.iter().map(|l| (l.tag(), t.get(&format!("language-{}", l.tag())), chosen == Some(*l))));
    let zone = staff.user.time_zone.as_str();
    let page = AccountPage {
        chrome: Chrome::for_staff(staff, t.get("account-title"), "account"),
        csrf: staff.session.csrf_token.clone(),
        email: staff.user.email.to_string(),
        languages,
        zones: chrono_tz::TZ_VARIANTS.iter().map(|z| (z.name(), z.name() == zone)).collect(),
        totp_enabled: staff.user.totp_enabled,
        enrolment,
        error,
        saved,
        must_enrol: staff.user.must_enrol_totp,
        t,
    };
    page::html(status, page.render())
}

#[derive(Debug, Deserialize)]
pub struct SavedQuery {
    pub saved: Option<String>,
}

/// `GET /account`
pub async fn page(staff: Staff, query: web::Query<SavedQuery>) -> HttpResponse {
    render(&staff, None, None, query.saved.is_some(), StatusCode::OK)
}

#[derive(Debug, Deserialize)]
pub struct PreferencesForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub language: String,
    #[serde(default)]
    pub time_zone: String,
}

/// `POST /account`: the console's language (first of the user's languages) and time zone.
pub async fn save(
    staff: Staff,
    state: web::Data<AppState>,
    form: web::Form<PreferencesForm>,
) -> Result<HttpResponse, ConsoleError> {
    let form = form.into_inner();
    staff.check_csrf(&form.csrf)?;
    let t = staff.tr();
    let Ok(zone) = TimeZoneName::parse(&form.time_zone) else {
        return Ok(render(
            &staff,
            None,
            Some(("time_zone", t.get("account-bad-zone"))),
            false,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    // The chosen console language first, then the others the user reads, as they were.
    let mut tags: Vec<String> = Vec::new();
    if let Some(lang) = Lang::ALL.iter().find(|l| l.tag() == form.language) {
        tags.push(lang.tag().to_owned());
    }
    let others = staff.user.languages.0.iter().filter(|l| Lang::first_of([l.as_str()]).is_none());
    tags.extend(others.map(|l| l.as_str().to_owned()));
    let languages = Languages::parse(&tags.join(",")).unwrap_or_default();
    let actor = staff.actor();
    state
        .db(move |c| Ok(rempart_app::accounts::update_own_preferences(c, &actor, Some(languages), Some(zone))?))
        .await
        .map_err(|e| ConsoleError::from(e).in_lang(staff.lang))?;
    Ok(page::see_other("/account?saved=1"))
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub code: String,
}

/// A QR code of `text` as an SVG image URL.
pub fn qr_image(text: &str) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    let svg = code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(200, 200).quiet_zone(true).build();
    Some(format!("data:image/svg+xml;base64,{}", base64::engine::general_purpose::STANDARD.encode(svg)))
}

/// `POST /account/totp`: a new secret, shown once with its QR code until confirmed.
pub async fn begin_totp(
    staff: Staff,
    state: web::Data<AppState>,
    form: web::Form<CodeForm>,
) -> Result<HttpResponse, ConsoleError> {
    staff.check_csrf(&form.csrf)?;
    let enrolment = rempart_api::routes::auth::begin_totp(&state, &staff.user)
        .await
        .map_err(|e| ConsoleError::from(e).in_lang(staff.lang))?;
    let qr = qr_image(&enrolment.otpauth_url).unwrap_or_default();
    Ok(render(&staff, Some(Enrolment { secret: enrolment.secret, qr }), None, false, StatusCode::OK))
}

/// `POST /account/totp/confirm`: the authenticator's current code turns the second factor
/// on; the session starts again (every other one ends).
pub async fn confirm_totp(
    staff: Staff,
    state: web::Data<AppState>,
    config: web::Data<ConsoleConfig>,
    form: web::Form<CodeForm>,
) -> Result<HttpResponse, ConsoleError> {
    let form = form.into_inner();
    staff.check_csrf(&form.csrf)?;
    let t = staff.tr();
    match rempart_api::routes::auth::confirm_totp(&state, &staff.user, &form.code).await {
        Ok(()) => {
            let id = staff.user.id.clone();
            let user: User = state
                .db(move |c| Ok(User::get(c, &id)?))
                .await
                .map_err(|e| ConsoleError::from(e).in_lang(staff.lang))?;
            let cookie = session::start(&state, &config, &user).await?;
            let mut response = page::see_other("/account?saved=1");
            response.add_cookie(&cookie).map_err(|_| ConsoleError::internal())?;
            Ok(response)
        }
        Err(e) if e.kind().status() == StatusCode::UNPROCESSABLE_ENTITY => {
            // The secret stays: the same QR code, and the code beside its field.
            let secret = staff.user.totp_secret.clone().unwrap_or_default();
            let url = rempart_api::routes::auth::totp_for(&secret, staff.user.email.as_str())
                .map(|totp| totp.get_url())
                .map_err(|e| ConsoleError::from(e).in_lang(staff.lang))?;
            let enrolment = Enrolment { qr: qr_image(&url).unwrap_or_default(), secret };
            let error = Some(("code", t.get("account-totp-wrong")));
            Ok(render(&staff, Some(enrolment), error, false, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(e) => Err(ConsoleError::from(e).in_lang(staff.lang)),
    }
}
