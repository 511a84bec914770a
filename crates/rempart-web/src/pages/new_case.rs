//! Opening a case by hand: someone called, or wrote on Signal. For a beneficiary already
//! known by that address, or a new one; what they said is kept as the case's first message.

use crate::error::ConsoleError;
use crate::i18n::Tr;
use crate::page::{self, Chrome};
use crate::pages::case::field_message;
use crate::pages::words::word;
use crate::session::Staff;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use rempart_api::AppState;
use rempart_api::error::ApiError;
use rempart_app::intake::{CaseFields, Requester};
use rempart_core::{Channel, EmailAddress, LanguageTag, Sensitivity, ThreatType, Urgency};
use rempart_store::beneficiaries::NewBeneficiary;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct NewCaseForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub language: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub urgency: String,
    #[serde(default)]
    pub threat_type: String,
    pub imminent_risk: Option<String>,
    pub restricted: Option<String>,
    /// `phone_note` or `other` (a chat).
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub conversation: String,
    pub mine: Option<String>,
}

#[derive(Template)]
#[template(path = "new_case.html")]
struct NewCasePage {
    t: Tr,
    chrome: Chrome,
    csrf: String,
    form: NewCaseForm,
    urgencies: Vec<(&'static str, String)>,
    threats: Vec<(&'static str, String)>,
    error: Option<(&'static str, String)>,
}

impl NewCasePage {
    fn field_error(&self, field: &str) -> Option<&str> {
        self.error.as_ref().filter(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }
}

fn render(staff: &Staff, form: NewCaseForm, error: Option<(&'static str, String)>, status: StatusCode) -> HttpResponse {
    let t = staff.tr();
    let page = NewCasePage {
        chrome: Chrome::for_staff(staff, t.get("new-case-title"), "new-case"),
        csrf: staff.session.csrf_token.clone(),
        urgencies: Urgency::all().map(|u| (u.as_str(), word(&t, "urgency", u.as_str()))).collect(),
        threats: ThreatType::all().map(|u| (u.as_str(), word(&t, "threat", u.as_str()))).collect(),
        form,
        error,
        t,
    };
    page::html(status, page.render())
}

/// `GET /cases/new`
pub async fn form(staff: Staff) -> HttpResponse {
    let form = NewCaseForm {
        urgency: "medium".into(),
        channel: "phone_note".into(),
        mine: Some("yes".into()),
        ..Default::default()
    };
    render(&staff, form, None, StatusCode::OK)
}

/// `POST /cases/new`
pub async fn submit(
    staff: Staff,
    state: web::Data<AppState>,
    form: web::Form<NewCaseForm>,
) -> Result<HttpResponse, ConsoleError> {
    let form = form.into_inner();
    staff.check_csrf(&form.csrf)?;
    let t = staff.tr();
    let refuse = |form: NewCaseForm, field: &'static str, message: String| {
        Ok(render(&staff, form, Some((field, message)), StatusCode::UNPROCESSABLE_ENTITY))
    };
    let Ok(email) = EmailAddress::parse(&form.email) else {
        return refuse(form, "email", t.get("new-case-bad-email"));
    };
    let language = match form.language.trim() {
        "" => None,
        tag => match LanguageTag::parse(tag) {
            Ok(tag) => Some(tag),
            Err(_) => return refuse(form, "language", t.get("new-case-bad-language")),
        },
    };
    let urgency = Urgency::parse(&form.urgency).unwrap_or(Urgency::Medium);
    let threat_type = ThreatType::parse(&form.threat_type).ok();
    let channel = if form.channel == "other" { Channel::Other } else { Channel::PhoneNote };
    let fields = CaseFields {
        summary: form.summary.clone(),
        urgency,
        priority: None,
        service_type: None,
        threat_type,
        imminent_risk: form.imminent_risk.is_some(),
        sensitivity: if form.restricted.is_some() { Sensitivity::Restricted } else { Sensitivity::Normal },
    };
    let (actor, policy) = (staff.actor(), state.config.policy.clone());
    let mine = form.mine.is_some().then(|| staff.user.id.clone());
    let (name, conversation) = (form.name.clone(), form.conversation.clone());
    let opened = state
        .db(move |conn| {
            let requester = match rempart_app::beneficiaries::find_by_email(conn, &actor, &email)? {
                Some(known) => Requester::Known(known.id),
                None if name.trim().is_empty() => {
                    return Err(ApiError::validation("name", "a new beneficiary needs a name"));
                }
                None => Requester::New(NewBeneficiary {
                    display_name: name,
                    emails: vec![email],
                    audience_type: None,
                    preferred_language: language,
                }),
            };
            let detail = rempart_app::intake::open_case(conn, &actor, requester, fields, mine.as_deref(), &policy)?;
            if !conversation.trim().is_empty() {
                let id = detail.case.id.clone();
                rempart_app::operations::record_conversation(conn, &actor, &id, channel, &conversation)?;
            }
            Ok(detail.case)
        })
        .await;
    match opened {
        Ok(case) => {
            if rempart_app::intake::alerts_leads(&case) {
                rempart_api::routes::cases::wake_escalations(&state);
            }
            Ok(page::see_other(&format!("/cases/{}", case.reference)))
        }
        Err(e) if e.kind().status() == StatusCode::UNPROCESSABLE_ENTITY => {
            let field = match e.field_errors().first().map(|f| f.field.as_str()) {
                Some("name" | "display_name") => "name",
                Some("body" | "text") => "conversation",
                _ => "summary",
            };
            let message = if field == "name" { t.get("new-case-name-required") } else { field_message(&t, &e) };
            refuse(form, field, message)
        }
        Err(e) if matches!(e.kind().status(), StatusCode::CONFLICT | StatusCode::NOT_FOUND) => {
            refuse(form, "email", t.get("new-case-address-taken"))
        }
        Err(e) => Err(ConsoleError::from(e).in_lang(staff.lang)),
    }
}
