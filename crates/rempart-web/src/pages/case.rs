//! One case: what it is, who wrote in, the thread of messages and internal comments, and
//! the forms that work it (reply, comment, move to another status).

use crate::error::ConsoleError;
use crate::i18n::Tr;
use crate::page;
use crate::pages::words::word;
use crate::session::Staff;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use rempart_api::AppState;
use rempart_core::{CaseStatus, LanguageTag};
use rempart_store::beneficiaries::{Beneficiary, BeneficiaryDetail};
use rempart_store::case_items::Comment;
use rempart_store::cases::Case;
use rempart_store::evidence::Evidence;
use rempart_store::indicators::{Indicator, IndicatorMatch};
use rempart_store::messages::Message;
use rempart_store::reply_templates::ReplyTemplate;
use serde::Deserialize;
use std::collections::HashMap;

/// An entry of the thread, in time order.
#[derive(Debug)]
pub enum Entry {
    Message(Box<Message>),
    Comment(Comment),
}

impl Entry {
    fn at(&self) -> chrono::NaiveDateTime {
        match self {
            Entry::Message(m) => m.created_at,
            Entry::Comment(c) => c.created_at,
        }
    }
}

/// Everything the case page shows, read in one go.
#[derive(Debug)]
pub struct CaseData {
    pub case: Case,
    pub beneficiary: BeneficiaryDetail,
    pub thread: Vec<Entry>,
    pub names: HashMap<String, String>,
    pub indicators: Vec<Indicator>,
    /// Other cases the user may see that share an indicator with this one.
    pub correlations: Vec<IndicatorMatch>,
    pub may_change_beneficiary: bool,
    /// Reply templates in the beneficiary's language (else the user's).
    pub templates: Vec<ReplyTemplate>,
    pub evidence: Vec<Evidence>,
    pub work: crate::pages::case_work::Work,
    /// The label of the beneficiary's audience (the helpline's taxonomy), if any.
    pub audience: Option<String>,
}

async fn load(state: &web::Data<AppState>, staff: &Staff, reference: String) -> Result<CaseData, ConsoleError> {
    let actor = staff.actor();
    let own_languages = staff.user.languages.clone();
    let console_language = LanguageTag::parse(staff.lang.tag()).ok();
    state
        .db(move |conn| {
            let case = rempart_app::cases::visible(conn, &actor, &reference, "console")?;
            if let Some(me) = actor.id() {
                // Opened now: the queues mark it again only when something happens after.
                rempart_store::case_reads::mark(conn, me, &case.id, rempart_store::now())?;
            }
            let access = rempart_app::beneficiaries::visible(conn, &actor, &case.beneficiary_id)?;
            let may_change_beneficiary = access == rempart_app::beneficiaries::Access::Change;
            let beneficiary = Beneficiary::detail(conn, &case.beneficiary_id)?;
            let mut thread: Vec<Entry> =
                Message::for_case(conn, &case.id)?.into_iter().map(|m| Entry::Message(Box::new(m))).collect();
            thread.extend(Comment::for_case(conn, &case.id)?.into_iter().map(Entry::Comment));
            thread.sort_by_key(Entry::at);
            let names = rempart_app::accounts::names(conn)?;
            let indicators = Indicator::for_case(conn, &case.id)?;
            let evidence = Evidence::for_case(conn, &case.id)?;
            let correlations = Indicator::correlate(conn, &case.id)?;
            let correlations = rempart_app::cases::keep_visible(conn, &actor, correlations, |m| &m.indicator.case_id)?;
            let mut languages: Vec<&LanguageTag> = beneficiary.beneficiary.preferred_language.iter().collect();
            languages.extend(own_languages.0.iter());
            let work = crate::pages::case_work::Work::load(conn, &actor, &case)?;
            // The audience's label in the reader's language (English when untranslated).
            let audience = match &beneficiary.beneficiary.audience_type {
                Some(code) => {
                    let lang = console_language.as_ref().map_or("en", |l| l.primary());
                    rempart_app::taxonomies::labels(conn, rempart_store::taxonomy::Taxonomy::Audience, lang)?
                        .remove(code.as_str())
                }
                None => None,
            };
            let templates = match &console_language {
                Some(fallback) => rempart_app::templates::offered(conn, &languages, fallback)?,
                None => Vec::new(),
            };
            Ok(CaseData {
                case,
                beneficiary,
                thread,
                names,
                indicators,
                correlations,
                may_change_beneficiary,
                templates,
                evidence,
                work,
                audience,
            })
        })
        .await
        .map_err(|e| ConsoleError::from(e).in_lang(staff.lang))
}

/// What the forms of the page bring back when they must be shown again.
#[derive(Debug, Default)]
pub struct Draft {
    pub reply: String,
    pub comment: String,
    pub error_field: &'static str,
    pub error: String,
    /// The case changed since the page was read: what changed.
    pub stale: Option<String>,
    pub key_how: String,
    pub certificate: String,
    pub indicator_kind: String,
    pub indicator_value: String,
    /// The reply template the reply started from.
    pub template: String,
    /// The other forms' values, by field name.
    pub kept: HashMap<String, String>,
    /// The field the layer refused, when it named one.
    pub error_at: String,
}

#[derive(Debug, Deserialize)]
pub struct CaseQuery {
    /// A reply template to start the reply from.
    pub template: Option<String>,
}

/// `GET /cases/{reference}`; with `?template=ID`, the reply composer starts from that
/// template, its placeholders filled.
pub async fn page(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<CaseQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let data = load(&state, &staff, path.into_inner()).await?;
    let mut draft = Draft::default();
    if let Some(chosen) = query.template.as_deref().and_then(|id| data.templates.iter().find(|t| t.id == id)) {
        draft.reply = rempart_app::templates::fill(
            &chosen.body,
            &data.beneficiary.beneficiary.display_name,
            &data.case.reference.to_string(),
            &staff.user.display_name,
        );
        draft.template = chosen.id.clone();
    }
    Ok(crate::pages::case_view::render(&staff, &data, draft, StatusCode::OK))
}

#[derive(Debug, Deserialize)]
pub struct TextForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub text: String,
}

/// The page again with the form's text kept and the error beside its field.
pub(crate) async fn again(
    state: &web::Data<AppState>,
    staff: &Staff,
    reference: String,
    draft: Draft,
    status: StatusCode,
) -> Result<HttpResponse, ConsoleError> {
    let data = load(state, staff, reference).await?;
    Ok(crate::pages::case_view::render(staff, &data, draft, status))
}

/// The message of the catalog for a refused field, else the layer's words said as a refusal.
pub(crate) fn field_message(t: &Tr, e: &rempart_api::error::ApiError) -> String {
    let message = e.field_errors().first().map(|f| f.message.as_str()).unwrap_or(e.detail());
    let known = [
        ("must not be empty", "error-required"),
        ("longer than", "error-too-long"),
        ("larger than", "error-too-long"),
        ("from 1 to 10", "error-factor"),
        ("not a date", "error-date"),
        ("no such case", "error-no-such-case"),
        ("linked to itself", "error-link-itself"),
        ("already linked", "error-already-linked"),
        ("already", "error-already"),
        ("unknown", "error-choice"),
        ("address", "error-email"),
    ];
    match known.iter().find(|(words, _)| message.contains(words)) {
        Some((_, id)) => t.get(id),
        None => t.with("error-refused-because", "detail", message),
    }
}

/// `POST /cases/{reference}/comments`: an internal note, never sent.
pub async fn comment(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<TextForm>,
) -> Result<HttpResponse, ConsoleError> {
    written(staff, state, path, form, "comment", |c, actor, raw, text| {
        rempart_app::operations::comment(c, actor, raw, &text).map(|_| ())
    })
    .await
}

/// A text written on the case (`field`: `comment` or `reply`) by `write`: back to the
/// thread, or the page again with the text kept and the error beside it.
async fn written(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<TextForm>,
    field: &'static str,
    write: impl FnOnce(&mut rempart_store::DbConn, &rempart_app::Actor, &str, String) -> rempart_app::AppResult<()>
    + Send
    + 'static,
) -> Result<HttpResponse, ConsoleError> {
    let form = form.into_inner();
    staff.check_csrf(&form.csrf)?;
    let reference = path.into_inner();
    let (actor, raw, text) = (staff.actor(), reference.clone(), form.text.clone());
    match state.db(move |c| Ok(write(c, &actor, &raw, text)?)).await {
        Ok(()) => Ok(page::see_other(&format!("/cases/{reference}#thread-end"))),
        Err(e) if e.kind().status() == StatusCode::UNPROCESSABLE_ENTITY => {
            let mut draft = Draft { error_field: field, error: field_message(&staff.tr(), &e), ..Default::default() };
            if field == "reply" {
                draft.reply = form.text;
            } else {
                draft.comment = form.text;
            }
            again(&state, &staff, reference, draft, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(ConsoleError::from(e).in_lang(staff.lang)),
    }
}

/// `POST /cases/{reference}/replies`: queued for the mail gateway (encrypted, signed).
pub async fn reply(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<TextForm>,
) -> Result<HttpResponse, ConsoleError> {
    written(staff, state, path, form, "reply", |c, actor, raw, text| {
        rempart_app::operations::reply(c, actor, raw, text, None).map(|_| ())
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub to: String,
    /// The case's version when the page was read.
    pub version: Option<i32>,
}

/// `POST /cases/{reference}/status`: a move of the state machine. When the case changed
/// since the page was read, nothing is done: the page says what changed.
pub async fn transition(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<MoveForm>,
) -> Result<HttpResponse, ConsoleError> {
    let form = form.into_inner();
    staff.check_csrf(&form.csrf)?;
    let reference = path.into_inner();
    let t = staff.tr();
    let Ok(to) = CaseStatus::parse(&form.to) else {
        return Err(ConsoleError::Failed(rempart_api::error::ApiError::validation("to", "unknown status"), staff.lang));
    };
    let (actor, raw, seen) = (staff.actor(), reference.clone(), form.version);
    let outcome = state
        .db(move |c| {
            let case = rempart_app::cases::visible(c, &actor, &raw, "console")?;
            if seen.is_some_and(|v| v != case.version) {
                return Ok(Err(case));
            }
            Ok(Ok(rempart_app::operations::transition(c, &actor, &raw, to, None)?))
        })
        .await
        .map_err(|e| ConsoleError::from(e).in_lang(staff.lang))?;
    match outcome {
        Ok(_) => Ok(page::see_other(&format!("/cases/{reference}"))),
        Err(now) => {
            let stale = t.with("stale-status", "status", &word(&t, "status", now.status.as_str()));
            let draft = Draft { stale: Some(stale), ..Default::default() };
            again(&state, &staff, reference, draft, StatusCode::CONFLICT).await
        }
    }
}
