//! One case: what it is, who wrote in, the thread of messages and internal comments, and
//! the forms that work it (reply, comment, move to another status).

use crate::error::ConsoleError;
use crate::i18n::Tr;
use crate::page::{self, Chrome};
use crate::pages::words::word;
use crate::session::Staff;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use rempart_api::AppState;
use rempart_app::operations::ReplyFate;
use rempart_core::{CaseStatus, Direction, Party};
use rempart_store::beneficiaries::{Beneficiary, BeneficiaryDetail};
use rempart_store::case_items::Comment;
use rempart_store::cases::Case;
use rempart_store::messages::Message;
use serde::Deserialize;
use std::collections::HashMap;

/// An entry of the thread, in time order.
#[derive(Debug)]
pub enum Entry {
    Message(Message),
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
}

async fn load(state: &web::Data<AppState>, staff: &Staff, reference: String) -> Result<CaseData, ConsoleError> {
    let actor = staff.actor();
    state
        .db(move |conn| {
            let case = rempart_app::cases::visible(conn, &actor, &reference, "console")?;
            rempart_app::beneficiaries::visible(conn, &actor, &case.beneficiary_id)?;
            let beneficiary = Beneficiary::detail(conn, &case.beneficiary_id)?;
            let mut thread: Vec<Entry> = Message::for_case(conn, &case.id)?.into_iter().map(Entry::Message).collect();
            thread.extend(Comment::for_case(conn, &case.id)?.into_iter().map(Entry::Comment));
            thread.sort_by_key(Entry::at);
            let names = rempart_app::accounts::names(conn)?;
            Ok(CaseData { case, beneficiary, thread, names })
        })
        .await
        .map_err(|e| ConsoleError::from(e).in_lang(staff.lang))
}

/// `1234 ABCD 5678 ...`: a fingerprint as people compare it aloud.
pub fn grouped(fingerprint: &str) -> String {
    let chars: Vec<char> = fingerprint.chars().filter(|c| !c.is_whitespace()).collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
}

/// One entry as the template shows it.
#[derive(Debug)]
pub struct EntryView {
    pub comment: bool,
    pub outbound: bool,
    pub who: String,
    pub when: String,
    pub when_iso: String,
    pub subject: String,
    pub body: String,
    /// Security of a message: its encryption and signature, and for a reply its delivery.
    pub badges: Vec<(String, &'static str)>,
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
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    t: Tr,
    chrome: Chrome,
    csrf: String,
    reference: String,
    version: i32,
    summary: String,
    facts: Vec<(String, String)>,
    status: String,
    imminent: bool,
    restricted: bool,
    moves: Vec<(&'static str, String)>,
    beneficiary: Vec<(String, String)>,
    key_line: String,
    fate: String,
    fate_held: bool,
    thread: Vec<EntryView>,
    draft: Draft,
}

impl CasePage {
    fn error_for(&self, field: &str) -> Option<&str> {
        (self.draft.error_field == field && !self.draft.error.is_empty()).then_some(self.draft.error.as_str())
    }
}

fn entry_view(t: &Tr, staff: &Staff, data: &CaseData, entry: &Entry) -> EntryView {
    let name = |id: &Option<String>| id.as_ref().and_then(|i| data.names.get(i)).cloned().unwrap_or_default();
    match entry {
        Entry::Comment(c) => EntryView {
            comment: true,
            outbound: false,
            who: name(&c.author_id),
            when: staff.clock.at(&c.created_at),
            when_iso: staff.clock.iso(&c.created_at),
            subject: String::new(),
            body: c.body.clone(),
            badges: Vec::new(),
        },
        Entry::Message(m) => {
            let outbound = m.direction == Direction::Outbound;
            let who = if outbound {
                name(&m.author_id)
            } else if m.party == Party::ThirdParty {
                t.get("thread-third-party")
            } else {
                match (&m.sender_name, &m.sender_address) {
                    (Some(n), Some(a)) => format!("{n} <{a}>"),
                    (None, Some(a)) => a.clone(),
                    _ => data.beneficiary.beneficiary.display_name.clone(),
                }
            };
            let mut badges = Vec::new();
            if outbound {
                if let Some(status) = m.delivery_status {
                    badges.push((
                        word(t, "delivery", status.as_str()),
                        if status.as_str() == "sent" { "good" } else { "warn" },
                    ));
                }
            } else {
                let (text, class) = if m.encrypted {
                    (t.get("thread-encrypted"), "good")
                } else {
                    (t.get("thread-not-encrypted"), "warn")
                };
                badges.push((text, class));
                let signature = m.signature_status.as_str();
                let class = match signature {
                    "good" => "good",
                    "bad" => "bad",
                    _ => "warn",
                };
                badges.push((word(t, "signature", signature), class));
            }
            EntryView {
                comment: false,
                outbound,
                who,
                when: staff.clock.at(&m.created_at),
                when_iso: staff.clock.iso(&m.created_at),
                subject: m.subject.clone(),
                body: m.body.clone(),
                badges,
            }
        }
    }
}

fn render(staff: &Staff, data: &CaseData, draft: Draft, status: StatusCode) -> HttpResponse {
    let t = staff.tr();
    let case = &data.case;
    let b = &data.beneficiary;
    let none = t.get("value-none");
    let assignee = case.assignee_id.as_ref().and_then(|i| data.names.get(i)).cloned().unwrap_or_else(|| none.clone());
    let mut facts = vec![
        (t.get("case-urgency"), word(&t, "urgency", case.urgency.as_str())),
        (t.get("case-priority"), word(&t, "priority", case.priority.as_str())),
        (t.get("case-assignee"), assignee),
        (t.get("case-opened"), staff.clock.at(&case.created_at)),
    ];
    if let Some(threat) = case.threat_type {
        facts.push((t.get("case-threat"), word(&t, "threat", threat.as_str())));
    }
    let moves =
        case.status.allowed_next().iter().map(|s| (s.as_str(), word(&t, "move", s.as_str()))).collect::<Vec<_>>();
    let ben = &b.beneficiary;
    let addresses = b.emails.iter().map(|e| e.address.to_string()).collect::<Vec<_>>().join(", ");
    let mut beneficiary = vec![
        (t.get("beneficiary-name"), ben.display_name.clone()),
        (t.get("beneficiary-addresses"), if addresses.is_empty() { none.clone() } else { addresses }),
        (t.get("beneficiary-verification"), word(&t, "verification", ben.verification_status.as_str())),
    ];
    if let Some(language) = &ben.preferred_language {
        beneficiary.push((t.get("beneficiary-language"), language.as_str().to_owned()));
    }
    let key_line = match (&ben.pgp_fingerprint, ben.key_trust) {
        (Some(fp), trust) => {
            let trust = word(&t, "trust", trust.map_or("unconfirmed", |k| k.as_str()));
            format!("{} ({trust})", grouped(fp.as_str()))
        }
        (None, _) => t.get("key-none"),
    };
    let fate = rempart_app::operations::reply_fate(b);
    let fate_held = !matches!(fate, ReplyFate::Encrypted { .. });
    let fate = match fate {
        ReplyFate::Encrypted { fingerprint, confirmed: true } => {
            t.with("fate-encrypted-confirmed", "key", &grouped(&fingerprint))
        }
        ReplyFate::Encrypted { fingerprint, confirmed: false } => {
            t.with("fate-encrypted-unconfirmed", "key", &grouped(&fingerprint))
        }
        ReplyFate::HeldKeyChange { new_fingerprint } => {
            t.with("fate-held-key-change", "key", &grouped(&new_fingerprint))
        }
        ReplyFate::HeldNoKey => t.get("fate-held-no-key"),
    };
    let thread = data.thread.iter().map(|e| entry_view(&t, staff, data, e)).collect();
    let page = CasePage {
        chrome: Chrome::for_staff(staff, format!("{} · {}", case.reference, t.get("case-title")), "queues"),
        csrf: staff.session.csrf_token.clone(),
        reference: case.reference.to_string(),
        version: case.version,
        summary: case.summary.clone(),
        facts,
        status: word(&t, "status", case.status.as_str()),
        imminent: case.imminent_risk,
        restricted: case.sensitivity.as_str() == "restricted",
        moves,
        beneficiary,
        key_line,
        fate,
        fate_held,
        thread,
        draft,
        t,
    };
    page::html(status, page.render())
}

/// `GET /cases/{reference}`
pub async fn page(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let data = load(&state, &staff, path.into_inner()).await?;
    Ok(render(&staff, &data, Draft::default(), StatusCode::OK))
}

#[derive(Debug, Deserialize)]
pub struct TextForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub text: String,
}

/// The page again with the form's text kept and the error beside its field.
async fn again(
    state: &web::Data<AppState>,
    staff: &Staff,
    reference: String,
    draft: Draft,
    status: StatusCode,
) -> Result<HttpResponse, ConsoleError> {
    let data = load(state, staff, reference).await?;
    Ok(render(staff, &data, draft, status))
}

/// The message of the catalog for a refused field, else the layer's words.
fn field_message(t: &Tr, e: &rempart_api::error::ApiError) -> String {
    let message = e.field_errors().first().map(|f| f.message.as_str()).unwrap_or(e.detail());
    if message.contains("must not be empty") {
        t.get("error-required")
    } else if message.contains("longer than") || message.contains("larger than") {
        t.get("error-too-long")
    } else {
        message.to_owned()
    }
}

/// `POST /cases/{reference}/comments`: an internal note, never sent.
pub async fn comment(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<TextForm>,
) -> Result<HttpResponse, ConsoleError> {
    let form = form.into_inner();
    staff.check_csrf(&form.csrf)?;
    let reference = path.into_inner();
    let (actor, raw, text) = (staff.actor(), reference.clone(), form.text.clone());
    match state.db(move |c| Ok(rempart_app::operations::comment(c, &actor, &raw, &text)?)).await {
        Ok(_) => Ok(page::see_other(&format!("/cases/{reference}#thread-end"))),
        Err(e) if e.kind().status() == StatusCode::UNPROCESSABLE_ENTITY => {
            let draft = Draft {
                comment: form.text,
                error_field: "comment",
                error: field_message(&staff.tr(), &e),
                ..Default::default()
            };
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
    let form = form.into_inner();
    staff.check_csrf(&form.csrf)?;
    let reference = path.into_inner();
    let (actor, raw, text) = (staff.actor(), reference.clone(), form.text.clone());
    match state.db(move |c| Ok(rempart_app::operations::reply(c, &actor, &raw, text, None)?)).await {
        Ok(_) => Ok(page::see_other(&format!("/cases/{reference}#thread-end"))),
        Err(e) if e.kind().status() == StatusCode::UNPROCESSABLE_ENTITY => {
            let draft = Draft {
                reply: form.text,
                error_field: "reply",
                error: field_message(&staff.tr(), &e),
                ..Default::default()
            };
            again(&state, &staff, reference, draft, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(ConsoleError::from(e).in_lang(staff.lang)),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_grouped_by_four() {
        assert_eq!(grouped("0123456789ABCDEF01"), "0123 4567 89AB CDEF 01");
    }
}
