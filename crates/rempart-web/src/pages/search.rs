//! Finding a case: by reference (straight to it), by words of its summary or messages, by
//! its beneficiary's name or address, by an indicator ("has this number, address, plate
//! been reported?", seed 001), with every filter of the API's case list.

use crate::error::ConsoleError;
use crate::i18n::Tr;
use crate::page::{self, Chrome};
use crate::pages::queues::{CaseTable, rows};
use crate::pages::words::word;
use crate::session::Staff;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use rempart_api::AppState;
use rempart_api::routes::cases::CaseQuery;
use rempart_core::{CaseReference, CaseStatus, Priority, ThreatType, Urgency, VerificationStatus};
use rempart_store::cases::Case;
use rempart_store::messages::Message;
use std::collections::HashMap;

/// Most cases a search shows.
const LIMIT: i64 = 100;

/// A choice of a select: its value, its label, whether chosen.
#[derive(Debug)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// One select of the filters.
#[derive(Debug)]
pub struct Select {
    pub name: &'static str,
    pub label: String,
    pub choices: Vec<Choice>,
}

/// An indicator found elsewhere.
#[derive(Debug)]
pub struct Match {
    pub reference: String,
    pub kind: String,
    pub value: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    t: Tr,
    chrome: Chrome,
    /// The form's text fields as sent.
    q: String,
    beneficiary: String,
    indicator: String,
    created_from: String,
    created_to: String,
    selects: Vec<Select>,
    searched: bool,
    table: String,
    count: String,
    matches: Option<Vec<Match>>,
    error: Option<String>,
}

fn select(
    t: &Tr,
    pairs: &HashMap<String, String>,
    name: &'static str,
    label: &str,
    values: Vec<(String, String)>,
) -> Select {
    let chosen = pairs.get(name).map(String::as_str).unwrap_or("");
    // Nothing chosen: any value, or for the order the API's default (newest first).
    let unset = if name == "sort" { t.get("filter-sort-newest") } else { t.get("filter-any") };
    let mut choices = vec![Choice { value: String::new(), label: unset, selected: chosen.is_empty() }];
    choices.extend(values.into_iter().map(|(value, label)| Choice { selected: value == chosen, value, label }));
    Select { name, label: t.get(label), choices }
}

fn selects(t: &Tr, pairs: &HashMap<String, String>) -> Vec<Select> {
    let of = |prefix: &str, values: Vec<&'static str>| -> Vec<(String, String)> {
        values.into_iter().map(|v| (v.to_owned(), word(t, prefix, v))).collect()
    };
    vec![
        select(t, pairs, "status", "col-status", of("status", CaseStatus::all().map(|s| s.as_str()).collect())),
        select(t, pairs, "urgency", "col-urgency", of("urgency", Urgency::all().map(|s| s.as_str()).collect())),
        select(t, pairs, "priority", "case-priority", of("priority", Priority::all().map(|s| s.as_str()).collect())),
        select(
            t,
            pairs,
            "assignee",
            "col-assignee",
            vec![("me".into(), t.get("filter-assignee-me")), ("none".into(), t.get("filter-assignee-none"))],
        ),
        select(
            t,
            pairs,
            "imminent_risk",
            "flag-imminent",
            vec![("true".into(), t.get("filter-yes")), ("false".into(), t.get("filter-no"))],
        ),
        select(t, pairs, "threat_type", "case-threat", of("threat", ThreatType::all().map(|s| s.as_str()).collect())),
        select(
            t,
            pairs,
            "verification_status",
            "beneficiary-verification",
            of("verification", VerificationStatus::all().map(|s| s.as_str()).collect()),
        ),
        select(
            t,
            pairs,
            "sort",
            "filter-sort",
            vec![
                ("created_at".into(), t.get("filter-sort-oldest")),
                ("-updated_at".into(), t.get("filter-sort-updated")),
            ],
        ),
    ]
}

/// `GET /search`: the form, and what it found.
pub async fn page(staff: Staff, state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ConsoleError> {
    let t = staff.tr();
    // Empty fields are "any": only what the user chose reaches the API's own reading.
    let pairs: HashMap<String, String> = url::form_urlencoded::parse(req.query_string().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.trim().to_owned()))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let text = |name: &str| pairs.get(name).cloned().unwrap_or_default();
    if let Some(reference) = pairs.get("q").and_then(|q| q.parse::<CaseReference>().ok()) {
        return Ok(page::see_other(&format!("/cases/{reference}")));
    }
    let indicator = text("indicator");
    let case_fields: Vec<(&String, &String)> = pairs.iter().filter(|(k, _)| k.as_str() != "indicator").collect();
    let searched = !pairs.is_empty();
    let mut error = None;
    let mut found = (Vec::new(), HashMap::new(), HashMap::new(), None);
    let query = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(case_fields.iter().copied()).finish();
    let parsed = web::Query::<CaseQuery>::from_query(&query)
        .map_err(|e| e.to_string())
        .and_then(|q| q.filter(&staff.user.id).map_err(|e| e.detail().to_owned()));
    match parsed {
        Err(e) => error = Some(format!("{} ({e})", t.get("search-invalid"))),
        Ok(_) if !searched => {}
        Ok((filter, sort)) => {
            let (actor, rules) = (staff.actor(), state.config.indicator_rules);
            let lookup_cases = !case_fields.is_empty() || indicator.is_empty();
            found = state
                .db(move |conn| {
                    let cases = if lookup_cases {
                        rempart_app::cases::list(conn, &actor, filter, sort, None, LIMIT)?
                    } else {
                        Vec::new()
                    };
                    let ids: Vec<String> = cases.iter().map(|c: &Case| c.id.clone()).collect();
                    let heard = Message::last_from_beneficiary(conn, &ids)?.into_iter().collect();
                    let names = rempart_app::accounts::names(conn)?;
                    let matches = if indicator.is_empty() {
                        None
                    } else {
                        Some(rempart_app::indicators::lookup(conn, &actor, rules, &indicator)?)
                    };
                    Ok((cases, heard, names, matches))
                })
                .await
                .map_err(|e| ConsoleError::from(e).in_lang(staff.lang))?;
        }
    }
    let (cases, heard, names, matches) = found;
    let page = SearchPage {
        chrome: Chrome::for_staff(&staff, t.get("search-title"), "search"),
        q: text("q"),
        beneficiary: text("beneficiary"),
        indicator: text("indicator"),
        created_from: text("created_from"),
        created_to: text("created_to"),
        selects: selects(&t, &pairs),
        searched,
        count: t.count("queue-count", cases.len() as i64),
        table: if cases.is_empty() {
            String::new()
        } else {
            CaseTable::render_rows(&t, rows(&t, &staff, &cases, &heard, &names), true)
        },
        matches: matches.map(|found| {
            found
                .into_iter()
                .map(|m| Match {
                    reference: m.case_reference.to_string(),
                    kind: word(&t, "indicator", m.indicator.kind.as_str()),
                    value: m.indicator.original_value,
                    status: word(&t, "status", m.case_status.as_str()),
                })
                .collect()
        }),
        error,
        t,
    };
    let status = if page.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(page::html(status, page.render()))
}
