//! Rebalancing and reassigning by hand. The rota proposes moves from the most loaded to the
//! least loaded people available, shown as sentences ("RMP-2026-000123: Ana → Bruno,
//! because …"); one confirmation applies exactly the moves shown (a case that changed
//! hands meanwhile is left, and said so). A lead gives a case to someone by hand within the
//! rota's wellbeing rules (not fit, off shift, at capacity), or over them with a reason
//! that is recorded.

use crate::error::ConsoleError;
use crate::form::{Draft, Fields, field};
use crate::i18n::Tr;
use crate::page::{self, Chrome};
use crate::session::Staff;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use rempart_api::AppState;
use rempart_app::team::{Applied, ConfirmedMove};
use serde::Deserialize;
use std::collections::HashMap;

/// A move, as a lead reads it.
#[derive(Debug)]
pub struct MoveView {
    pub reference: String,
    pub sentence: String,
    /// `case_id|from|to`, sent back when confirmed.
    pub token: String,
}

#[derive(Template)]
#[template(path = "team_rebalance.html")]
struct RebalancePage {
    t: Tr,
    chrome: Chrome,
    csrf: String,
    moves: Vec<MoveView>,
    /// Balance of the load ratios before and after (Gini).
    summary: String,
    /// After applying: what moved, what was left.
    applied: Option<(Vec<String>, Vec<String>)>,
    /// "Apply these 3 moves", or "3 cases moved".
    heading: String,
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn pct(load: u32, capacity: u32) -> String {
    if capacity == 0 { "∞".to_owned() } else { format!("{:.0} %", f64::from(load) * 100.0 / f64::from(capacity)) }
}

/// `POST /team/rebalance`: the proposal, to confirm.
pub async fn preview(staff: Staff, state: web::Data<AppState>, form: Fields) -> Result<HttpResponse, ConsoleError> {
    let form = form.into_inner();
    staff.check_csrf(field(&form, "csrf"))?;
    let max_moves = field(&form, "max_moves").trim().parse::<usize>().unwrap_or(20).clamp(1, 200);
    let (actor, policy, now) = (staff.actor(), state.config.policy.clone(), rempart_store::now());
    let (plan, names) = state
        .db(move |c| {
            let plan = rempart_app::team::rebalance(c, &actor, now, &policy, max_moves, false)?;
            Ok((plan, rempart_app::accounts::names(c)?))
        })
        .await
        .map_err(|e| ConsoleError::from(e).in_lang(staff.lang))?;
    let t = staff.tr();
    let p = &plan.proposal;
    let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_owned());
    let ratio = |loads: &std::collections::BTreeMap<String, u32>, id: &str| {
        pct(loads.get(id).copied().unwrap_or(0), p.capacities.get(id).copied().unwrap_or(0))
    };
    let moves: Vec<MoveView> = p
        .moves
        .iter()
        .map(|m| {
            let reference = plan.references.get(&m.case_id).cloned().unwrap_or_default();
            let sentence = t.with_all(
                "rebalance-move",
                &[
                    ("reference", &reference),
                    ("from", &name(&m.from)),
                    ("to", &name(&m.to)),
                    ("from_load", &ratio(&p.loads_before, &m.from)),
                    ("to_load", &ratio(&p.loads_before, &m.to)),
                ],
            );
            MoveView { reference, sentence, token: format!("{}|{}|{}", m.case_id, m.from, m.to) }
        })
        .collect();
    let summary = t.with_all(
        "rebalance-summary",
        &[("before", &format!("{:.2}", p.before.gini)), ("after", &format!("{:.2}", p.after.gini))],
    );
    let page = RebalancePage {
        chrome: Chrome::for_staff(&staff, t.get("rebalance-title"), "team"),
        csrf: staff.session.csrf_token.clone(),
        heading: t.count("rebalance-apply", count(moves.len())),
        moves,
        summary,
        applied: None,
        t,
    };
    Ok(page::ok(&page))
}

/// `POST /team/rebalance/apply`: the moves shown, confirmed.
pub async fn apply(staff: Staff, state: web::Data<AppState>, form: Fields) -> Result<HttpResponse, ConsoleError> {
    let form = form.into_inner();
    staff.check_csrf(field(&form, "csrf"))?;
    let moves: Vec<ConfirmedMove> = form
        .iter()
        .filter(|(k, _)| k.starts_with("move-"))
        .filter_map(|(_, v)| {
            let mut parts = v.splitn(3, '|');
            Some(ConfirmedMove {
                case_id: parts.next()?.to_owned(),
                from: parts.next()?.to_owned(),
                to: parts.next()?.to_owned(),
            })
        })
        .collect();
    let actor = staff.actor();
    let (done, references) = state
        .db(move |c| {
            let done: Applied = rempart_app::team::apply_moves(c, &actor, &moves)?;
            let mut references = HashMap::new();
            for m in done.moved.iter().chain(&done.left) {
                if let Ok(case) = rempart_app::cases::visible(c, &actor, &m.case_id, "rebalance") {
                    references.insert(m.case_id.clone(), case.reference.to_string());
                }
            }
            Ok((done, references))
        })
        .await
        .map_err(|e| ConsoleError::from(e).in_lang(staff.lang))?;
    let t = staff.tr();
    let reference = |m: &ConfirmedMove| references.get(&m.case_id).cloned().unwrap_or_default();
    let page = RebalancePage {
        chrome: Chrome::for_staff(&staff, t.get("rebalance-title"), "team"),
        csrf: staff.session.csrf_token.clone(),
        moves: Vec::new(),
        summary: String::new(),
        heading: t.count("rebalance-moved", count(done.moved.len())),
        applied: Some((done.moved.iter().map(reference).collect(), done.left.iter().map(reference).collect())),
        t,
    };
    Ok(page::ok(&page))
}

#[derive(Template)]
#[template(path = "team_reassign.html")]
struct ReassignPage {
    t: Tr,
    chrome: Chrome,
    csrf: String,
    people: Vec<(String, String)>,
    draft: Draft,
    /// The rota refused the person: the override reason is asked for.
    refused: bool,
}

#[derive(Debug, Deserialize)]
pub struct ReassignQuery {
    pub case: Option<String>,
}

async fn render_reassign(
    staff: &Staff,
    state: &web::Data<AppState>,
    draft: Draft,
    refused: bool,
    status: StatusCode,
) -> Result<HttpResponse, ConsoleError> {
    let actor = staff.actor();
    let people = state
        .db(move |c| Ok(rempart_app::team::members(c, &actor)?))
        .await
        .map_err(|e| ConsoleError::from(e).in_lang(staff.lang))?;
    let t = staff.tr();
    let page = ReassignPage {
        chrome: Chrome::for_staff(staff, t.get("reassign-title"), "team"),
        csrf: staff.session.csrf_token.clone(),
        people,
        draft,
        refused,
        t,
    };
    Ok(page::html(status, page.render()))
}

/// `GET /team/reassign`
pub async fn reassign_form(
    staff: Staff,
    state: web::Data<AppState>,
    query: web::Query<ReassignQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let mut draft = Draft::default();
    if let Some(case) = &query.case {
        draft.values.insert("case".into(), case.clone());
    }
    render_reassign(&staff, &state, draft, false, StatusCode::OK).await
}

/// `POST /team/reassign`
pub async fn reassign(staff: Staff, state: web::Data<AppState>, form: Fields) -> Result<HttpResponse, ConsoleError> {
    let form = form.into_inner();
    staff.check_csrf(field(&form, "csrf"))?;
    let t = staff.tr();
    let (raw, to) = (field(&form, "case").trim().to_owned(), field(&form, "person").to_owned());
    let reason = field(&form, "reason").trim().to_owned();
    let override_reason = Some(field(&form, "override").trim().to_owned()).filter(|r| !r.is_empty());
    let back = |f: &str, message: String| Draft { values: form.clone(), error: Some((f.to_owned(), message)) };
    if reason.is_empty() {
        let draft = back("reason", t.get("error-required"));
        return render_reassign(&staff, &state, draft, override_reason.is_some(), StatusCode::UNPROCESSABLE_ENTITY)
            .await;
    }
    let (actor, policy) = (staff.actor(), state.config.policy.clone());
    let wanted = raw.clone();
    let done = state
        .db(move |c| {
            let case = rempart_app::operations::assign(
                c,
                &actor,
                &wanted,
                Some(&to),
                &reason,
                override_reason.as_deref(),
                &policy,
            )?;
            Ok(case.reference.to_string())
        })
        .await;
    match done {
        Ok(reference) => Ok(page::see_other(&format!("/cases/{reference}"))),
        Err(e) if e.kind() == rempart_api::problem::ProblemType::AssigneeUnavailable => {
            // The rota's reason, in its words, and the override asked for.
            let draft = back("person", t.with("reassign-refused", "why", &why(&t, e.detail())));
            render_reassign(&staff, &state, draft, true, StatusCode::CONFLICT).await
        }
        Err(e) if e.kind() == rempart_api::problem::ProblemType::NotFound => {
            let draft = back("case", t.get("error-no-such-case"));
            render_reassign(&staff, &state, draft, false, StatusCode::NOT_FOUND).await
        }
        Err(e) if crate::form::refused_by_form(&e) => {
            let draft = back("form", crate::pages::case::field_message(&t, &e));
            render_reassign(&staff, &state, draft, false, e.kind().status()).await
        }
        Err(e) => Err(ConsoleError::from(e).in_lang(staff.lang)),
    }
}

/// The rota's wellbeing refusal in the user's language: the words of the layer
/// ("… should not take a case now: <why>; give override_reason …") mapped to the catalog.
fn why(t: &Tr, detail: &str) -> String {
    let reason = detail.split_once(": ").map_or(detail, |(_, r)| r);
    let reason = reason.split_once("; ").map_or(reason, |(r, _)| r);
    let known = [
        ("checked in not fit", "why-not-fit"),
        ("missed the check-in", "why-not-fit"),
        ("not checked in yet", "why-not-checked-in"),
        ("off shift", "why-off-shift"),
        ("on a standby shift", "why-off-shift"),
        ("at capacity", "why-at-capacity"),
        ("not cleared", "why-not-cleared"),
        ("critical cap", "why-critical-cap"),
    ];
    match known.iter().find(|(words, _)| reason.starts_with(words)) {
        Some((_, id)) => t.get(id),
        None => reason.to_owned(),
    }
}
