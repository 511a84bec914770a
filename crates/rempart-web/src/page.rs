//! What every page shares: the frame (header, navigation, the user, the assets), the
//! security headers, and the answer built from a template.

use crate::assets;
use crate::i18n::{Lang, Tr};
use crate::session::Staff;
use actix_web::HttpResponse;
use actix_web::http::{StatusCode, header};
use askama::Template;

/// The console's Content-Security-Policy: nothing but this server, no inline script or
/// style, no framing.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                       frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

/// The frame of a page: its language, its title, who is signed in.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub lang: &'static str,
    pub title: String,
    pub css: String,
    pub htmx: String,
    /// Name of the signed-in user, and their session's CSRF token (for the logout form).
    pub user: Option<(String, String)>,
    /// The section of the navigation this page belongs to.
    pub section: &'static str,
    /// What the user may reach beyond their cases (the navigation offers only that).
    pub reach: Reach,
    /// A one-time password to replace or an authenticator to enrol first: no navigation.
    pub limited: bool,
}

/// The parts of the console beyond the cases a user may open, by the capabilities of the
/// application layer: the navigation shows only these.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reach {
    /// The team: on call, the week's shifts, the workload, escalations (leads, admins).
    pub team: bool,
    /// The mail quarantine (everyone but analysts).
    pub quarantine: bool,
    /// Reply templates (leads, admins).
    pub templates: bool,
    /// The anonymised statistics (analysts, leads, admins).
    pub statistics: bool,
    /// Accounts, taxonomies, the helpline key, the configuration (admins).
    pub admin: bool,
}

impl Reach {
    pub fn of(actor: &rempart_app::Actor) -> Self {
        use rempart_app::Capability;
        let may = |c| rempart_app::access::may(actor, c);
        Self {
            team: may(Capability::Supervise),
            quarantine: may(Capability::HandleQuarantine),
            templates: may(Capability::Supervise),
            statistics: may(Capability::ReadStatistics),
            admin: may(Capability::Administer),
        }
    }
}

impl Chrome {
    pub fn new(t: &Tr, title: String, section: &'static str) -> Self {
        Self {
            lang: t.lang.tag(),
            title,
            css: assets::url("console"),
            htmx: assets::url("htmx"),
            user: None,
            section,
            reach: Reach::default(),
            limited: false,
        }
    }

    pub fn for_staff(staff: &Staff, title: String, section: &'static str) -> Self {
        Self {
            user: Some((staff.user.display_name.clone(), staff.session.csrf_token.clone())),
            // Until a one-time password is replaced (or a reset authenticator enrolled again),
            // nothing else is reached.
            limited: staff.user.must_change_password || staff.user.must_enrol_totp,
            reach: if staff.user.must_change_password || staff.user.must_enrol_totp {
                Reach::default()
            } else {
                Reach::of(&staff.actor())
            },
            ..Self::new(&staff.tr(), title, section)
        }
    }

    /// `aria-current` for the navigation entry of `section`.
    pub fn current(&self, section: &str) -> &'static str {
        if self.section == section { "page" } else { "false" }
    }
}

/// The answer of a rendered page with the console's headers.
pub fn html(status: StatusCode, rendered: askama::Result<String>) -> HttpResponse {
    match rendered {
        Ok(body) => HttpResponse::build(status)
            .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
            .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
            .insert_header((header::X_FRAME_OPTIONS, "DENY"))
            .body(body),
        Err(e) => {
            tracing::error!(error = %e, "console template failed");
            HttpResponse::InternalServerError().finish()
        }
    }
}

pub fn ok(template: &impl Template) -> HttpResponse {
    html(StatusCode::OK, template.render())
}

/// `303 See Other` to `to` (after a form: the browser then loads the page with GET).
pub fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, to.to_owned())).finish()
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    t: Tr,
    chrome: Chrome,
    message: String,
    detail: Option<&'a str>,
    status: i64,
}

/// A page saying what went wrong (`id`: its message), with the layer's detail if any.
pub fn error_page(lang: Lang, status: StatusCode, id: &str, detail: Option<&str>) -> HttpResponse {
    let t = lang.tr();
    let message = t.get(id);
    let page = ErrorPage {
        chrome: Chrome::new(&t, message.clone(), ""),
        t,
        message,
        detail,
        status: i64::from(status.as_u16()),
    };
    html(status, page.render())
}

/// Percent-encodes a query value (a local path stays readable: `/` is kept).
pub fn url_encode(value: &str) -> String {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    const KEPT: &percent_encoding::AsciiSet =
        &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~').remove(b'/');
    utf8_percent_encode(value, KEPT).to_string()
}
