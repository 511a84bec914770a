//! The handler's home: their open cases, the new unassigned ones, those waiting on a third
//! party and the recently closed, with counts; htmx refreshes the lists every few seconds.

use crate::error::ConsoleError;
use crate::i18n::Tr;
use crate::page::{self, Chrome};
use crate::pages::words::word;
use crate::session::Staff;
use actix_web::{HttpResponse, web};
use askama::Template;
use rempart_api::AppState;
use rempart_core::CaseStatus;
use rempart_store::cases::{Case, CaseFilter, CaseSort};
use rempart_store::messages::Message;
use serde::Deserialize;
use std::collections::HashMap;

/// Most cases a queue shows.
const QUEUE_LIMIT: i64 = 200;

/// One case in a queue.
#[derive(Debug)]
pub struct Row {
    pub reference: String,
    pub summary: String,
    pub status: String,
    pub urgency: String,
    pub urgency_code: &'static str,
    pub imminent: bool,
    /// Since the beneficiary's last message (or the opening), as the user reads it.
    pub waiting: String,
    pub waiting_iso: String,
    pub assignee: String,
    /// Something happened on the case since the user last opened it (or they never did).
    pub fresh: bool,
}

#[derive(Debug)]
pub struct Queue {
    pub id: &'static str,
    pub title: String,
    pub empty: String,
    /// The rendered table of its cases.
    pub table: String,
    pub empty_rows: bool,
    pub count: String,
}

#[derive(Template)]
#[template(path = "queues.html")]
struct QueuesPage {
    t: Tr,
    chrome: Chrome,
    queues: Vec<Queue>,
    /// The user has a shift under way and has not said whether they are fit.
    awaiting_check_in: bool,
}

#[derive(Debug, Deserialize)]
pub struct QueuesQuery {
    /// The user put off the start-of-shift question.
    pub later: Option<String>,
}

/// A table of cases (queues, search results).
#[derive(Debug, Template)]
#[template(path = "case_table.html")]
pub struct CaseTable<'a> {
    t: &'a Tr,
    rows: Vec<Row>,
    show_assignee: bool,
}

impl CaseTable<'_> {
    /// The table's HTML (escaped by its template).
    pub fn render_rows(t: &Tr, rows: Vec<Row>, show_assignee: bool) -> String {
        CaseTable { t, rows, show_assignee }.render().unwrap_or_else(|e| {
            tracing::error!(error = %e, "case table template failed");
            String::new()
        })
    }
}

/// The rows of `cases` as `staff` reads them; `heard`: when each case last heard from its
/// beneficiary.
pub fn rows(
    t: &Tr,
    staff: &Staff,
    cases: &[Case],
    heard: &HashMap<String, chrono::NaiveDateTime>,
    names: &HashMap<String, String>,
) -> Vec<Row> {
    cases
        .iter()
        .map(|case| {
            let since = heard.get(&case.id).copied().unwrap_or(case.created_at);
            Row {
                reference: case.reference.to_string(),
                summary: case.summary.lines().next().unwrap_or_default().chars().take(140).collect(),
                status: word(t, "status", case.status.as_str()),
                urgency: word(t, "urgency", case.urgency.as_str()),
                urgency_code: case.urgency.as_str(),
                imminent: case.imminent_risk,
                waiting: duration(t, staff.clock.minutes_since(&since)),
                waiting_iso: staff.clock.iso(&since),
                assignee: case.assignee_id.as_ref().and_then(|id| names.get(id)).cloned().unwrap_or_default(),
                fresh: false,
            }
        })
        .collect()
}

/// `4 h 05 min`, `2 d 3 h`: a waiting time, short.
/// Marks the rows of `cases` changed since the user last opened them (`read`) or never opened.
fn marked(mut rows: Vec<Row>, cases: &[Case], read: &HashMap<String, chrono::NaiveDateTime>) -> Vec<Row> {
    for (row, case) in rows.iter_mut().zip(cases) {
        row.fresh = read.get(&case.id).is_none_or(|at| case.updated_at > *at);
    }
    rows
}

pub fn duration(t: &Tr, minutes: i64) -> String {
    let (days, hours, mins) = (minutes / 1440, (minutes % 1440) / 60, minutes % 60);
    if days > 0 {
        format!("{} {}", t.count("duration-days", days), t.count("duration-hours", hours))
    } else if hours > 0 {
        format!("{} {}", t.count("duration-hours", hours), t.count("duration-minutes", mins))
    } else {
        t.count("duration-minutes", mins)
    }
}

/// `GET /`
pub async fn page(
    staff: Staff,
    state: web::Data<AppState>,
    query: web::Query<QueuesQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let actor = staff.actor();
    let me = staff.user.id.clone();
    let lang = staff.lang;
    let now = rempart_store::now();
    let (lists, (last_heard, read), names, awaiting) = state
        .db(move |conn| {
            let awaiting = rempart_app::wellbeing::awaiting_check_in(conn, &actor, now)?.is_some();
            let mine = |statuses: Vec<CaseStatus>| CaseFilter {
                assignee_id: Some(Some(me.clone())),
                statuses,
                ..Default::default()
            };
            let active = vec![CaseStatus::New, CaseStatus::Open, CaseStatus::WaitingBeneficiary];
            let open = rempart_app::cases::list(conn, &actor, mine(active), CaseSort::OldestFirst, None, QUEUE_LIMIT)?;
            let unassigned = CaseFilter {
                assignee_id: Some(None),
                statuses: vec![CaseStatus::New, CaseStatus::Open],
                ..Default::default()
            };
            let new = rempart_app::cases::list(conn, &actor, unassigned, CaseSort::OldestFirst, None, QUEUE_LIMIT)?;
            let third = mine(vec![CaseStatus::WaitingThirdParty]);
            let third = rempart_app::cases::list(conn, &actor, third, CaseSort::OldestFirst, None, QUEUE_LIMIT)?;
            let closed = mine(vec![CaseStatus::Resolved, CaseStatus::Closed]);
            let closed = rempart_app::cases::list(conn, &actor, closed, CaseSort::RecentlyUpdatedFirst, None, 20)?;
            let ids: Vec<String> = open.iter().chain(&new).chain(&third).map(|c| c.id.clone()).collect();
            let heard: HashMap<String, chrono::NaiveDateTime> =
                Message::last_from_beneficiary(conn, &ids)?.into_iter().collect();
            let names = rempart_app::accounts::names(conn)?;
            let ids: Vec<&str> = open.iter().chain(&third).map(|c| c.id.as_str()).collect();
            let read = rempart_store::case_reads::last_read(conn, &me, &ids)?;
            Ok(([open, new, third, closed], (heard, read), names, awaiting))
        })
        .await
        .map_err(|e| ConsoleError::from(e).in_lang(lang))?;
    // The start-of-shift question comes first (an htmx refresh never redirects).
    if awaiting && query.later.is_none() && !staff.htmx {
        return Ok(page::see_other("/check-in"));
    }
    let t = staff.tr();
    let [mut open, new, third, closed] = lists;
    // At imminent risk first, then most urgent; among equals, whoever has waited longest.
    let waited = |c: &Case| last_heard.get(&c.id).copied().unwrap_or(c.created_at);
    open.sort_by_key(|c| (!c.imminent_risk, c.urgency.rank(), waited(c)));
    let queue = |id: &'static str, cases: Vec<Case>| {
        let count = if cases.len() as i64 >= QUEUE_LIMIT {
            t.count("queue-count-over", QUEUE_LIMIT)
        } else {
            t.count("queue-count", cases.len() as i64)
        };
        Queue {
            id,
            title: t.get(&format!("queue-{id}")),
            empty: t.get(&format!("queue-{id}-empty")),
            table: CaseTable::render_rows(
                &t,
                marked(rows(&t, &staff, &cases, &last_heard, &names), &cases, &read),
                id == "new",
            ),
            empty_rows: cases.is_empty(),
            count,
        }
    };
    let queues = vec![queue("mine", open), queue("new", new), queue("third", third), queue("closed", closed)];
    let page = QueuesPage {
        chrome: Chrome::for_staff(&staff, t.get("queues-title"), "queues"),
        t,
        queues,
        awaiting_check_in: awaiting,
    };
    Ok(page::ok(&page))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn waiting_times_read_short() {
        let t = Lang::En.tr();
        assert_eq!(duration(&t, 5), "5 min");
        assert_eq!(duration(&t, 125), "2 h 5 min");
        assert_eq!(duration(&t, 3 * 1440 + 61), "3 d 1 h");
        let fr = Lang::Fr.tr();
        assert_eq!(duration(&fr, 3 * 1440 + 61), "3 j 1 h");
    }

    #[test]
    fn every_queue_has_its_words() {
        for lang in Lang::ALL {
            for id in ["mine", "new", "third", "closed"] {
                assert!(lang.tr().has(&format!("queue-{id}")) && lang.tr().has(&format!("queue-{id}-empty")));
            }
        }
    }
}
