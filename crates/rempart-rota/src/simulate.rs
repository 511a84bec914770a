//! Runs the real assignment code on synthetic arrivals, to see how the policy spreads the
//! work. Deterministic for a given seed.
//!
//! The synthetic helpline: handlers work weekdays 09:00-17:00 UTC; each day one of them
//! (in turn) stands by instead of taking intake; everyone checks in at the start of the
//! shift, "not fit" with probability `absence_rate`; intake rotates weekly; cases arrive
//! uniformly during working hours, 10 % critical, 25 % high, 40 % medium, 25 % low (5 %
//! with imminent risk); a case stays open for 1 to 10 days depending on its urgency. A case
//! nobody can take waits and is offered again at the next arrival or shift start.

use crate::assign::assign;
use crate::balance::Balance;
use crate::model::*;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rempart_core::{Languages, Urgency};
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
pub struct SimConfig {
    pub handlers: usize,
    pub weeks: u32,
    pub cases_per_week: u32,
    /// Probability that a handler checks in "not fit" at the start of a shift.
    pub absence_rate: f64,
    pub seed: u64,
    /// Weighted capacity of each handler.
    pub capacity: u32,
    pub policy: Policy,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            handlers: 6,
            weeks: 12,
            cases_per_week: 40,
            absence_rate: 0.0,
            seed: 1,
            capacity: 20,
            policy: Policy::default(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct SimReport {
    pub cases: u32,
    /// Cases received per handler, over the whole run.
    pub assigned: BTreeMap<String, u32>,
    /// Balance of cases received.
    pub balance: Balance,
    /// Balance of the weighted work received.
    pub weighted_balance: Balance,
    pub via_standby: u32,
    /// Cases that found no fit handler on arrival and had to wait.
    pub waited: u32,
    /// Longest wait, in minutes.
    pub longest_wait_minutes: i64,
    /// Cases still waiting at the end.
    pub still_waiting: u32,
    pub not_fit_check_ins: u32,
    pub check_ins: u32,
}

struct OpenCase {
    handler: String,
    weight: u32,
    closes_at: NaiveDateTime,
}

fn urgency(rng: &mut StdRng) -> Urgency {
    match rng.random_range(0..100) {
        0..10 => Urgency::Critical,
        10..35 => Urgency::High,
        35..75 => Urgency::Medium,
        _ => Urgency::Low,
    }
}

fn open_days(rng: &mut StdRng, u: Urgency) -> i64 {
    match u {
        Urgency::Critical => rng.random_range(1..=2),
        Urgency::High => rng.random_range(2..=4),
        Urgency::Medium => rng.random_range(3..=7),
        Urgency::Low => rng.random_range(5..=10),
    }
}

pub fn run(config: &SimConfig) -> SimReport {
    let mut rng = StdRng::seed_from_u64(config.seed);
    let start = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap_or_default(); // a Monday
    let ids: Vec<String> = (1..=config.handlers).map(|i| format!("h{i}")).collect();
    let languages = Languages::parse("fr,en").unwrap_or_default();
    let mut roster = Roster {
        handlers: ids
            .iter()
            .map(|id| Handler {
                id: id.clone(),
                name: id.clone(),
                languages: languages.clone(),
                cleared_for_restricted: true,
                capacity: config.capacity,
            })
            .collect(),
        rotation: Some(Rotation { order: ids.clone(), period: Period::Weekly, anchor: start }),
        ..Roster::default()
    };
    let mut report = SimReport {
        cases: 0,
        assigned: ids.iter().map(|id| (id.clone(), 0)).collect(),
        balance: Balance::of(&[]),
        weighted_balance: Balance::of(&[]),
        via_standby: 0,
        waited: 0,
        longest_wait_minutes: 0,
        still_waiting: 0,
        not_fit_check_ins: 0,
        check_ins: 0,
    };
    let mut weighted: BTreeMap<String, u32> = ids.iter().map(|id| (id.clone(), 0)).collect();
    let mut open: Vec<OpenCase> = Vec::new();
    let mut critical_week: BTreeMap<(String, u32), u32> = BTreeMap::new();
    let mut waiting: Vec<(NaiveDateTime, NewCaseInfo)> = Vec::new();

    // Shifts, check-ins and arrivals, day by day.
    let mut events: Vec<(NaiveDateTime, Option<NewCaseInfo>)> = Vec::new();
    let mut shift_no = 0;
    for week in 0..config.weeks {
        for day in 0..5 {
            let date = start + Duration::days(i64::from(week) * 7 + day);
            let (s, e) =
                (date.and_hms_opt(9, 0, 0).unwrap_or_default(), date.and_hms_opt(17, 0, 0).unwrap_or_default());
            let standby = (week as usize * 5 + day as usize) % config.handlers.max(1);
            for (i, id) in ids.iter().enumerate() {
                shift_no += 1;
                let shift_id = format!("s{shift_no}");
                let kind = if i == standby && config.handlers > 1 { ShiftKind::Standby } else { ShiftKind::Intake };
                roster.shifts.push(Shift { id: shift_id.clone(), handler_id: id.clone(), start: s, end: e, kind });
                let fitness = if rng.random_bool(config.absence_rate.clamp(0.0, 1.0)) {
                    report.not_fit_check_ins += 1;
                    Fitness::NotFit
                } else {
                    Fitness::Fit
                };
                report.check_ins += 1;
                roster.check_ins.push(CheckIn { shift_id, at: s, fitness });
            }
            events.push((s, None));
        }
        for _ in 0..config.cases_per_week {
            let day = rng.random_range(0..5);
            let minute = rng.random_range(0..8 * 60);
            let at = (start + Duration::days(i64::from(week) * 7 + day)).and_hms_opt(9, 0, 0).unwrap_or_default()
                + Duration::minutes(minute);
            let u = urgency(&mut rng);
            let info =
                NewCaseInfo { urgency: u, imminent_risk: rng.random_bool(0.05), language: None, restricted: false };
            events.push((at, Some(info)));
        }
    }
    events.sort_by_key(|(at, info)| (*at, info.is_some()));

    for (now, arrival) in events {
        // Close what is done, then refresh the loads the decision sees.
        open.retain(|c| c.closes_at > now);
        let week = now.date().iso_week().week();
        roster.loads = ids
            .iter()
            .map(|id| {
                let load = Load {
                    weighted: open.iter().filter(|c| &c.handler == id).map(|c| c.weight).sum(),
                    critical_this_week: critical_week.get(&(id.clone(), week)).copied().unwrap_or(0),
                };
                (id.clone(), load)
            })
            .collect();
        if let Some(info) = arrival {
            report.cases += 1;
            waiting.push((now, info));
        }
        let mut still = Vec::new();
        for (since, info) in waiting.drain(..) {
            let decision = assign(&roster, &config.policy, &info, now);
            match decision.assignee {
                Some(id) => {
                    let weight = config.policy.weights.of(info.urgency);
                    if since < now {
                        report.waited += 1;
                        report.longest_wait_minutes = report.longest_wait_minutes.max((now - since).num_minutes());
                    }
                    if decision.via_standby {
                        report.via_standby += 1;
                    }
                    *report.assigned.entry(id.clone()).or_default() += 1;
                    *weighted.entry(id.clone()).or_default() += weight;
                    if info.is_critical() {
                        *critical_week.entry((id.clone(), week)).or_default() += 1;
                    }
                    if let Some(load) = roster.loads.get_mut(&id) {
                        load.weighted += weight;
                        load.critical_this_week += u32::from(info.is_critical());
                    }
                    open.push(OpenCase {
                        handler: id,
                        weight,
                        closes_at: now + Duration::days(open_days(&mut rng, info.urgency)),
                    });
                }
                None => still.push((since, info)),
            }
        }
        waiting = still;
    }
    report.still_waiting = waiting.len() as u32;
    let counts: Vec<f64> = report.assigned.values().map(|&v| f64::from(v)).collect();
    report.balance = Balance::of(&counts);
    let w: Vec<f64> = weighted.values().map(|&v| f64::from(v)).collect();
    report.weighted_balance = Balance::of(&w);
    report
}
