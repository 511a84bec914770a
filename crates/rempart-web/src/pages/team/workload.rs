//! The workload: load against capacity per person, cases received per person and week,
//! the balance over the weeks with the policy's target, overdue first responses; each
//! chart drawn on the server with its table beside it. The same figures as
//! `GET /api/v1/workload`, read through the same layer call.

use super::TeamNav;
use crate::charts::{self, Bar};
use crate::error::ConsoleError;
use crate::i18n::Tr;
use crate::page::{self, Chrome};
use crate::session::Staff;
use actix_web::{HttpResponse, web};
use askama::Template;
use rempart_api::AppState;
use rempart_rota::workload::Workload;
use serde::Deserialize;

/// One person's line of the load table.
#[derive(Debug)]
pub struct LoadRow {
    pub name: String,
    pub critical: u32,
    pub high: u32,
    pub medium: u32,
    pub low: u32,
    pub load: u32,
    pub capacity: u32,
    pub percent: String,
    pub over: bool,
    pub this_week: u32,
    pub this_month: u32,
    pub overdue: u32,
}

/// One week's line of the received and balance tables.
#[derive(Debug)]
pub struct WeekRow {
    pub week: String,
    pub by_person: Vec<u32>,
    pub received: u32,
    pub gini: String,
    pub max_over_mean: String,
    pub completion: String,
}

#[derive(Template)]
#[template(path = "team_workload.html")]
struct WorkloadPage {
    t: Tr,
    chrome: Chrome,
    nav: TeamNav,
    csrf: String,
    weeks: u32,
    /// Team figures: (label, value).
    figures: Vec<(String, String)>,
    loads: Vec<LoadRow>,
    load_chart: String,
    people: Vec<String>,
    week_rows: Vec<WeekRow>,
    received_chart: String,
    gini_chart: String,
    spread_chart: String,
    overdue_chart: String,
    targets: String,
}

#[derive(Debug, Deserialize)]
pub struct WorkloadQuery {
    pub weeks: Option<u32>,
}

fn ratio(value: f64) -> String {
    format!("{value:.2}")
}

fn percent(value: Option<f64>) -> String {
    value.map(|v| format!("{:.0} %", v * 100.0)).unwrap_or_else(|| "–".to_owned())
}

/// `GET /team/workload`
pub async fn page(
    staff: Staff,
    state: web::Data<AppState>,
    query: web::Query<WorkloadQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let weeks = query.weeks.unwrap_or(8).clamp(1, 52);
    let (actor, policy, now) = (staff.actor(), state.config.policy.clone(), rempart_store::now());
    let target = policy.balance_target;
    let picture: Workload = state
        .db(move |conn| Ok(rempart_app::team::workload(conn, &actor, now, weeks, &policy)?))
        .await
        .map_err(|e| ConsoleError::from(e).in_lang(staff.lang))?;
    let t = staff.tr();
    let team = &picture.team;
    let figures = vec![
        (t.get("workload-open"), team.open_cases.to_string()),
        (t.get("workload-unassigned"), team.unassigned_open_cases.to_string()),
        (t.get("workload-overdue"), team.overdue_first_responses.to_string()),
        (t.get("workload-load-spread"), ratio(team.weighted_load_balance.max_over_mean)),
        (t.get("workload-load-gini"), ratio(team.weighted_load_balance.gini)),
        (t.get("workload-check-ins"), percent(team.check_in_completion_this_week)),
    ];
    let loads: Vec<LoadRow> = picture
        .handlers
        .iter()
        .map(|h| LoadRow {
            name: h.name.clone(),
            critical: h.open_by_urgency.critical,
            high: h.open_by_urgency.high,
            medium: h.open_by_urgency.medium,
            low: h.open_by_urgency.low,
            load: h.weighted_load,
            capacity: h.capacity,
            percent: format!("{:.0} %", h.load_ratio * 100.0),
            over: h.weighted_load > h.capacity,
            this_week: h.received_this_week,
            this_month: h.received_this_month,
            overdue: h.overdue_first_responses,
        })
        .collect();
    let load_chart = charts::bars(
        &loads
            .iter()
            .map(|l| Bar {
                label: l.name.clone(),
                value: f64::from(l.load),
                limit: Some(f64::from(l.capacity)),
                text: format!("{}/{}", l.load, l.capacity),
            })
            .collect::<Vec<_>>(),
    );
    let overdue_chart = charts::bars(
        &loads
            .iter()
            .map(|l| Bar {
                label: l.name.clone(),
                value: f64::from(l.overdue),
                limit: None,
                text: l.overdue.to_string(),
            })
            .collect::<Vec<_>>(),
    );
    let people: Vec<String> = picture.handlers.iter().map(|h| h.name.clone()).collect();
    let labels: Vec<String> = picture.weekly.iter().map(|w| w.week_start.format("%d/%m").to_string()).collect();
    let week_rows: Vec<WeekRow> = picture
        .weekly
        .iter()
        .map(|w| WeekRow {
            week: w.week_start.to_string(),
            by_person: picture
                .handlers
                .iter()
                .map(|h| w.handlers.iter().find(|x| x.id == h.id).map_or(0, |x| x.received))
                .collect(),
            received: w.received,
            gini: ratio(w.received_gini),
            max_over_mean: ratio(w.received_max_over_mean),
            completion: percent(w.check_in_completion),
        })
        .collect();
    let series: Vec<(String, Vec<f64>)> = picture
        .handlers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.name.clone(), week_rows.iter().map(|w| f64::from(w.by_person[i])).collect()))
        .collect();
    let received_chart = charts::stacked_columns(&labels, &series);
    let gini: Vec<f64> = picture.weekly.iter().map(|w| w.received_gini).collect();
    let spread: Vec<f64> = picture.weekly.iter().map(|w| w.received_max_over_mean).collect();
    let gini_target = t.with("workload-target", "value", &ratio(target.gini()));
    let spread_target = t.with("workload-target", "value", &ratio(target.max_over_mean()));
    let gini_chart = charts::lines(&labels, &[(t.get("workload-gini"), gini)], Some((target.gini(), &gini_target)));
    let spread_chart = charts::lines(
        &labels,
        &[(t.get("workload-max-over-mean"), spread)],
        Some((target.max_over_mean(), &spread_target)),
    );
    let targets =
        t.with_all("workload-targets", &[("gini", &ratio(target.gini())), ("spread", &ratio(target.max_over_mean()))]);
    let page = WorkloadPage {
        chrome: Chrome::for_staff(&staff, t.get("workload-title"), "team"),
        nav: TeamNav::new(&t, "workload"),
        csrf: staff.session.csrf_token.clone(),
        weeks,
        figures,
        loads,
        load_chart,
        people,
        week_rows,
        received_chart,
        gini_chart,
        spread_chart,
        overdue_chart,
        targets,
        t,
    };
    Ok(page::ok(&page))
}
