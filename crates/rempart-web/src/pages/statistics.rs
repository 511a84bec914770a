//! The anonymised statistics for donors, for a chosen period: cases per month by urgency
//! (a chart and its table), by service and audience type (labels in the user's language),
//! the cells with their medians, and the suppressed cells said as suppressed (how many,
//! never which: a category with only small cells is not named). The CSV is the API's.

use crate::charts;
use crate::error::ConsoleError;
use crate::i18n::Tr;
use crate::page::{self, Chrome};
use crate::pages::words::word;
use crate::session::Staff;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use rempart_api::AppState;
use rempart_core::stats::Report;
use rempart_store::taxonomy::Taxonomy;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

/// A line of a breakdown: the category and its count.
#[derive(Debug)]
pub struct Line {
    pub label: String,
    pub cases: u64,
}

/// A cell as the detailed table shows it.
#[derive(Debug)]
pub struct CellRow {
    pub month: String,
    pub service: String,
    pub audience: String,
    pub threat: String,
    pub urgency: String,
    pub cases: u64,
    pub first_response: String,
    pub resolution: String,
}

#[derive(Template)]
#[template(path = "statistics.html")]
struct StatisticsPage {
    t: Tr,
    chrome: Chrome,
    from: String,
    to: String,
    min_cell: u32,
    error: Option<String>,
    /// The query of the CSV link.
    csv: String,
    /// "123 cases in the cells shown".
    total: String,
    suppressed: String,
    chart: String,
    urgencies: Vec<String>,
    /// Month, counts by urgency, total.
    months: Vec<(String, Vec<u64>, u64)>,
    services: Vec<Line>,
    audiences: Vec<Line>,
    cells: Vec<CellRow>,
}

#[derive(Debug, Deserialize)]
pub struct StatisticsQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub min_cell: Option<String>,
}

const URGENCIES: [&str; 4] = ["critical", "high", "medium", "low"];

fn minutes(t: &Tr, value: Option<i64>) -> String {
    match value {
        Some(m) if m >= 120 => t.with("statistics-hours", "hours", &format!("{:.1}", m as f64 / 60.0)),
        Some(m) => t.with("statistics-minutes", "minutes", &m.to_string()),
        None => t.get("statistics-withheld"),
    }
}

/// Counts by a category of the cells, in descending order.
fn breakdown(report: &Report, key: impl Fn(&rempart_core::stats::Cell) -> String) -> Vec<Line> {
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for c in &report.cells {
        *counts.entry(key(c)).or_default() += c.cases;
    }
    let mut lines: Vec<Line> = counts.into_iter().map(|(label, cases)| Line { label, cases }).collect();
    lines.sort_by(|a, b| b.cases.cmp(&a.cases).then(a.label.cmp(&b.label)));
    lines
}

/// `GET /statistics` (and `GET /statistics.csv` with `csv`).
async fn answer(
    staff: Staff,
    state: web::Data<AppState>,
    query: StatisticsQuery,
    csv: bool,
) -> Result<HttpResponse, ConsoleError> {
    let t = staff.tr();
    let today = staff.clock.today();
    let (from, to) = (query.from.filter(|f| !f.is_empty()), query.to.filter(|f| !f.is_empty()));
    let requested = query.min_cell.as_deref().and_then(|m| m.trim().parse::<u32>().ok());
    let period = rempart_core::stats::months_or_default(from.as_deref(), to.as_deref(), today);
    let ((start, end), error) = match period {
        Ok(range) => (range, None),
        Err(_) => (
            rempart_core::stats::months_or_default(None, None, today).map_err(|_| ConsoleError::internal())?,
            Some(t.get("statistics-bad-period")),
        ),
    };
    let (actor, floor, lang) = (staff.actor(), state.config.stats_min_cell, staff.lang.tag());
    let (report, services, audiences) = state
        .db(move |c| {
            let report = rempart_app::statistics::report(c, &actor, start, end, requested, floor)?;
            let services = rempart_app::taxonomies::labels(c, Taxonomy::Service, lang)?;
            let audiences = rempart_app::taxonomies::labels(c, Taxonomy::Audience, lang)?;
            Ok((report, services, audiences))
        })
        .await
        .map_err(|e| ConsoleError::from(e).in_lang(staff.lang))?;
    if csv {
        return Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header(("Content-Disposition", "attachment; filename=\"rempart-statistics.csv\""))
            .body(rempart_core::stats::to_csv(&report)));
    }
    let label = |labels: &HashMap<String, String>, code: &str| {
        if code == "unspecified" {
            t.get("statistics-unspecified")
        } else {
            labels.get(code).cloned().unwrap_or_else(|| code.to_owned())
        }
    };
    let threat = |code: &str| {
        if code == "unspecified" { t.get("statistics-unspecified") } else { word(&t, "threat", code) }
    };
    let mut by_month: BTreeMap<String, [u64; 4]> = BTreeMap::new();
    let mut month = start.date();
    while month < end.date() {
        by_month.insert(month.format("%Y-%m").to_string(), [0; 4]);
        month = month.checked_add_months(chrono::Months::new(1)).unwrap_or(end.date());
    }
    for c in &report.cells {
        let slot = URGENCIES.iter().position(|u| *u == c.urgency).unwrap_or(3);
        by_month.entry(c.month.clone()).or_default()[slot] += c.cases;
    }
    let months: Vec<(String, Vec<u64>, u64)> =
        by_month.iter().map(|(m, counts)| (m.clone(), counts.to_vec(), counts.iter().sum())).collect();
    let urgencies: Vec<String> = URGENCIES.iter().map(|u| word(&t, "urgency", u)).collect();
    let series: Vec<(String, Vec<f64>)> = urgencies
        .iter()
        .enumerate()
        .map(|(i, name)| (name.clone(), months.iter().map(|(_, counts, _)| counts[i] as f64).collect()))
        .collect();
    // `12/26` under each column: a year's twelve labels fit.
    let labels: Vec<String> = months
        .iter()
        .map(|(m, ..)| match (m.get(5..7), m.get(2..4)) {
            (Some(month), Some(year)) => format!("{month}/{year}"),
            _ => m.clone(),
        })
        .collect();
    let page = StatisticsPage {
        chrome: Chrome::for_staff(&staff, t.get("statistics-title"), "statistics"),
        from: start.format("%Y-%m").to_string(),
        to: (end - chrono::Duration::days(1)).format("%Y-%m").to_string(),
        min_cell: report.min_cell,
        csv: format!(
            "from={}&to={}&min_cell={}",
            start.format("%Y-%m"),
            (end - chrono::Duration::days(1)).format("%Y-%m"),
            report.min_cell
        ),
        total: t.with("statistics-total", "count", &report.cells.iter().map(|c| c.cases).sum::<u64>().to_string()),
        suppressed: t.with_all(
            "statistics-suppressed",
            &[("count", &report.suppressed_cells.to_string()), ("min", &report.min_cell.to_string())],
        ),
        chart: charts::stacked_columns(&labels, &series),
        urgencies,
        months,
        services: breakdown(&report, |c| label(&services, &c.service_type)),
        audiences: breakdown(&report, |c| label(&audiences, &c.audience_type)),
        cells: report
            .cells
            .iter()
            .map(|c| CellRow {
                month: c.month.clone(),
                service: label(&services, &c.service_type),
                audience: label(&audiences, &c.audience_type),
                threat: threat(&c.threat_type),
                urgency: word(&t, "urgency", &c.urgency),
                cases: c.cases,
                first_response: minutes(&t, c.median_first_response_minutes),
                resolution: minutes(&t, c.median_resolution_minutes),
            })
            .collect(),
        error,
        t,
    };
    let status = if page.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(page::html(status, page.render()))
}

/// `GET /statistics`
pub async fn page(
    staff: Staff,
    state: web::Data<AppState>,
    query: web::Query<StatisticsQuery>,
) -> Result<HttpResponse, ConsoleError> {
    answer(staff, state, query.into_inner(), false).await
}

/// `GET /statistics.csv`
pub async fn csv(
    staff: Staff,
    state: web::Data<AppState>,
    query: web::Query<StatisticsQuery>,
) -> Result<HttpResponse, ConsoleError> {
    answer(staff, state, query.into_inner(), true).await
}
