//! The mail quarantine: each message the gateway could not read, with its reason; the raw
//! message to download (audited); keep it with a case (attached as its `.eml`), open a case
//! from it, or discard it with a reason. Everyone but analysts (the layer's rule).

use crate::error::ConsoleError;
use crate::form::{Draft, Fields, field};
use crate::i18n::Tr;
use crate::page::{self, Chrome};
use crate::pages::words::word;
use crate::session::Staff;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use askama::Template;
use rempart_api::AppState;
use rempart_app::intake::{CaseFields, Requester};
use rempart_core::EmailAddress;
use rempart_store::beneficiaries::NewBeneficiary;
use rempart_store::mail::QuarantinedMail;
use serde::Deserialize;

/// One item as the page shows it.
#[derive(Debug)]
pub struct Item {
    pub id: String,
    pub received: String,
    pub received_iso: String,
    pub reason: String,
    pub from: String,
    pub subject: String,
    pub size: String,
    /// What became of it, once dealt with: the sentence and the case, if any.
    pub outcome: Option<(String, Option<String>)>,
}

#[derive(Template)]
#[template(path = "quarantine.html")]
struct QuarantinePage {
    t: Tr,
    chrome: Chrome,
    csrf: String,
    items: Vec<Item>,
    all: bool,
    /// The item a refused form was for, with the form's values and the error.
    draft: Draft,
    draft_item: String,
}

impl QuarantinePage {
    /// The value a field of `item`'s forms shows: what was sent back for it, else `default`.
    fn kept(&self, item: &str, name: &str, default: &str) -> String {
        if self.draft_item == item && self.draft.values.contains_key(name) {
            self.draft.value(name).to_owned()
        } else {
            default.to_owned()
        }
    }

    fn error_for(&self, item: &str, name: &str) -> Option<&str> {
        if self.draft_item == item { self.draft.error_at(name) } else { None }
    }
}

#[derive(Debug, Deserialize)]
pub struct QuarantineQuery {
    #[serde(default)]
    pub all: Option<String>,
}

fn item(t: &Tr, staff: &Staff, q: QuarantinedMail, references: &std::collections::HashMap<String, String>) -> Item {
    let id = format!("quarantine-reason-{}", q.reason_code.replace('_', "-"));
    let reason = if t.has(&id) { format!("{} ({})", t.get(&id), q.reason) } else { q.reason.clone() };
    let outcome = q.resolution.as_deref().map(|r| {
        let reference = q.case_id.as_ref().and_then(|c| references.get(c)).cloned();
        let text = match r {
            "discarded" => t.with("quarantine-discarded", "reason", q.resolution_note.as_deref().unwrap_or_default()),
            other => word(t, "quarantine-outcome", other),
        };
        (text, reference)
    });
    Item {
        received: staff.clock.at(&q.received_at),
        received_iso: staff.clock.iso(&q.received_at),
        reason,
        from: q.from_address.clone().unwrap_or_default(),
        subject: q.subject.clone(),
        size: if q.size < 1024 {
            t.with("quarantine-size-bytes", "bytes", &q.size.to_string())
        } else {
            t.with("quarantine-size", "kib", &format!("{:.1}", q.size as f64 / 1024.0))
        },
        outcome,
        id: q.id,
    }
}

async fn render(
    staff: &Staff,
    state: &web::Data<AppState>,
    all: bool,
    draft: (String, Draft),
    status: StatusCode,
) -> Result<HttpResponse, ConsoleError> {
    let actor = staff.actor();
    let (items, references) = state
        .db(move |c| {
            let items = rempart_app::quarantine::list(c, &actor, all, 200)?;
            let mut references = std::collections::HashMap::new();
            for case_id in items.iter().filter_map(|i| i.case_id.as_deref()) {
                if let Ok(case) = rempart_app::cases::visible(c, &actor, case_id, "quarantine") {
                    references.insert(case_id.to_owned(), case.reference.to_string());
                }
            }
            Ok((items, references))
        })
        .await
        .map_err(|e| ConsoleError::from(e).in_lang(staff.lang))?;
    let t = staff.tr();
    let page = QuarantinePage {
        chrome: Chrome::for_staff(staff, t.get("quarantine-title"), "quarantine"),
        csrf: staff.session.csrf_token.clone(),
        items: items.into_iter().map(|q| item(&t, staff, q, &references)).collect(),
        all,
        draft_item: draft.0,
        draft: draft.1,
        t,
    };
    Ok(page::html(status, page.render()))
}

/// `GET /quarantine`
pub async fn page(
    staff: Staff,
    state: web::Data<AppState>,
    query: web::Query<QuarantineQuery>,
) -> Result<HttpResponse, ConsoleError> {
    render(&staff, &state, query.all.is_some(), Default::default(), StatusCode::OK).await
}

/// `GET /quarantine/{id}/raw`: the message exactly as received (the read is audited).
pub async fn raw(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let (actor, id) = (staff.actor(), path.into_inner());
    let name = format!("quarantined-{id}.eml");
    let bytes = state
        .db(move |c| Ok(rempart_app::quarantine::raw(c, &actor, &id)?))
        .await
        .map_err(|e| ConsoleError::from(e).in_lang(staff.lang))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "message/rfc822"))
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CONTENT_SECURITY_POLICY, "default-src 'none'; sandbox"))
        .body(bytes))
}

/// What a form of an item does.
enum Deal {
    Attach(String),
    Open { summary: String, name: String, email: String },
    Discard(String),
}

async fn deal(
    staff: Staff,
    state: web::Data<AppState>,
    id: String,
    form: std::collections::HashMap<String, String>,
    what: Deal,
) -> Result<HttpResponse, ConsoleError> {
    staff.check_csrf(field(&form, "csrf"))?;
    let t = staff.tr();
    let back =
        |f: &str, message: String| (id.clone(), Draft { values: form.clone(), error: Some((f.to_owned(), message)) });
    let (actor, policy, wanted) = (staff.actor(), state.config.policy.clone(), id.clone());
    let (field_name, done) = match what {
        Deal::Attach(case) => (
            "case",
            state.db(move |c| Ok(rempart_app::quarantine::attach(c, &actor, &wanted, &case).map(|q| q.case_id)?)).await,
        ),
        Deal::Discard(reason) => (
            "reason",
            state.db(move |c| Ok(rempart_app::quarantine::discard(c, &actor, &wanted, &reason).map(|_| None)?)).await,
        ),
        Deal::Open { summary, name, email } => {
            let Ok(address) = EmailAddress::parse(email.trim()) else {
                return render(
                    &staff,
                    &state,
                    false,
                    back("email", t.get("error-email")),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            };
            if name.trim().is_empty() {
                return render(
                    &staff,
                    &state,
                    false,
                    back("name", t.get("error-required")),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
            let open = move |c: &mut rempart_store::DbConn| {
                // Someone already known by this address (and visible) gets the case; else a new beneficiary.
                let requester = match rempart_app::beneficiaries::find_by_email(c, &actor, &address)? {
                    Some(known) => Requester::Known(known.id),
                    None => Requester::New(NewBeneficiary {
                        display_name: name.trim().to_owned(),
                        emails: vec![address],
                        audience_type: None,
                        preferred_language: None,
                    }),
                };
                let detail = rempart_app::quarantine::open_case(
                    c,
                    &actor,
                    &wanted,
                    requester,
                    CaseFields::intake(summary),
                    &policy,
                )?;
                Ok(Some(detail.case.id))
            };
            ("summary", state.db(open).await)
        }
    };
    match done {
        Ok(Some(case_id)) => {
            let actor = staff.actor();
            let reference = state
                .db(move |c| Ok(rempart_app::cases::visible(c, &actor, &case_id, "quarantine")?.reference.to_string()))
                .await
                .map_err(|e| ConsoleError::from(e).in_lang(staff.lang))?;
            Ok(page::see_other(&format!("/cases/{reference}")))
        }
        Ok(None) => Ok(page::see_other("/quarantine")),
        Err(e) if e.kind() == rempart_api::problem::ProblemType::NotFound && field_name == "case" => {
            render(&staff, &state, false, back("case", t.get("error-no-such-case")), StatusCode::NOT_FOUND).await
        }
        Err(e) if crate::form::refused_by_form(&e) => {
            let message = crate::pages::case::field_message(&t, &e);
            render(&staff, &state, false, back(field_name, message), e.kind().status()).await
        }
        Err(e) => Err(ConsoleError::from(e).in_lang(staff.lang)),
    }
}

/// `POST /quarantine/{id}/attach`
pub async fn attach(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: Fields,
) -> Result<HttpResponse, ConsoleError> {
    let form = form.into_inner();
    let case = field(&form, "case").trim().to_owned();
    deal(staff, state, path.into_inner(), form, Deal::Attach(case)).await
}

/// `POST /quarantine/{id}/open`
pub async fn open(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: Fields,
) -> Result<HttpResponse, ConsoleError> {
    let form = form.into_inner();
    let what = Deal::Open {
        summary: field(&form, "summary").to_owned(),
        name: field(&form, "name").to_owned(),
        email: field(&form, "email").to_owned(),
    };
    deal(staff, state, path.into_inner(), form, what).await
}

/// `POST /quarantine/{id}/discard`
pub async fn discard(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: Fields,
) -> Result<HttpResponse, ConsoleError> {
    let form = form.into_inner();
    let reason = field(&form, "reason").to_owned();
    deal(staff, state, path.into_inner(), form, Deal::Discard(reason)).await
}
