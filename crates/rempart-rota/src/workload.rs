//! The workload picture for team leads: per handler open cases by urgency, weighted load
//! against capacity, cases received this week and month, overdue first responses; per team
//! check-in completion and balance figures, with a weekly series. Check-ins are only ever
//! counted per team (DOMAIN.md: aggregates are not a score of a person).

use crate::balance::Balance;
use crate::model::Weights;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use rempart_core::Urgency;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A person who takes cases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub id: String,
    pub name: String,
    pub capacity: u32,
}

/// One case, as the workload sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFacts {
    pub assignee: Option<String>,
    pub urgency: Urgency,
    /// Still being worked (not resolved or closed).
    pub open: bool,
    /// Status `new` and no first response yet.
    pub awaiting_first_response: bool,
    #[serde(with = "rempart_core::utc")]
    pub created_at: NaiveDateTime,
}

/// One shift that has started, and whether its holder checked in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftFacts {
    #[serde(with = "rempart_core::utc")]
    pub start: NaiveDateTime,
    pub checked_in: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ByUrgency {
    pub critical: u32,
    pub high: u32,
    pub medium: u32,
    pub low: u32,
}

impl ByUrgency {
    fn add(&mut self, urgency: Urgency) {
        match urgency {
            Urgency::Critical => self.critical += 1,
            Urgency::High => self.high += 1,
            Urgency::Medium => self.medium += 1,
            Urgency::Low => self.low += 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HandlerLoad {
    pub id: String,
    pub name: String,
    pub open_by_urgency: ByUrgency,
    /// Sum of the urgency weights of the open cases.
    pub weighted_load: u32,
    pub capacity: u32,
    /// weighted_load / capacity (0 when the capacity is 0).
    pub load_ratio: f64,
    pub received_this_week: u32,
    pub received_this_month: u32,
    /// Their `new` cases past the first-response threshold.
    pub overdue_first_responses: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamFigures {
    pub handlers: usize,
    pub open_cases: u32,
    /// Open cases nobody holds.
    pub unassigned_open_cases: u32,
    pub overdue_first_responses: u32,
    /// Shares of the weighted load: max/mean and Gini.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub weighted_load_balance: Balance,
    /// Shifts started this week with a check-in, over shifts started this week (team-wide;
    /// null when no shift started).
    pub check_in_completion_this_week: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WeekFigures {
    /// Monday of the ISO week.
    pub week_start: NaiveDate,
    pub received: u32,
    /// Cases received per handler id (unassigned ones are not in it).
    pub received_by_handler: BTreeMap<String, u32>,
    /// The same, with each handler's name, in the order of the team list: what a lead reads.
    pub handlers: Vec<WeekHandler>,
    /// Gini of the cases received by the team's handlers that week.
    pub received_gini: f64,
    /// The most any handler received that week over the team's mean (1.0 when even, or
    /// when nothing was received).
    pub received_max_over_mean: f64,
    pub check_in_completion: Option<f64>,
}

/// What one handler received in one week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WeekHandler {
    pub id: String,
    pub name: String,
    pub received: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Workload {
    #[serde(with = "rempart_core::utc")]
    pub at: NaiveDateTime,
    pub handlers: Vec<HandlerLoad>,
    pub team: TeamFigures,
    /// Oldest first, the current week last.
    pub weekly: Vec<WeekFigures>,
}

/// Monday 00:00 of the ISO week holding `at`.
pub fn week_start(at: NaiveDateTime) -> NaiveDateTime {
    let monday = at.date() - Duration::days(i64::from(at.date().weekday().num_days_from_monday()));
    monday.and_hms_opt(0, 0, 0).unwrap_or(at)
}

fn ratio(done: usize, total: usize) -> Option<f64> {
    (total > 0).then(|| done as f64 / total as f64)
}

/// Computes the picture at `at` over `weeks` weeks (the current one included).
pub fn workload(
    members: &[Member],
    cases: &[CaseFacts],
    shifts: &[ShiftFacts],
    weights: &Weights,
    first_response_threshold: Duration,
    at: NaiveDateTime,
    weeks: u32,
) -> Workload {
    let this_week = week_start(at);
    let this_month = at.date().with_day(1).and_then(|d| d.and_hms_opt(0, 0, 0)).unwrap_or(at);
    let mut handlers: Vec<HandlerLoad> = members
        .iter()
        .map(|m| HandlerLoad {
            id: m.id.clone(),
            name: m.name.clone(),
            open_by_urgency: ByUrgency::default(),
            weighted_load: 0,
            capacity: m.capacity,
            load_ratio: 0.0,
            received_this_week: 0,
            received_this_month: 0,
            overdue_first_responses: 0,
        })
        .collect();
    let index: BTreeMap<&str, usize> = members.iter().enumerate().map(|(i, m)| (m.id.as_str(), i)).collect();
    let (mut open_cases, mut unassigned, mut overdue_total) = (0, 0, 0);
    for case in cases {
        let overdue = case.awaiting_first_response && at - case.created_at >= first_response_threshold;
        if case.open {
            open_cases += 1;
            if case.assignee.is_none() {
                unassigned += 1;
            }
        }
        if overdue {
            overdue_total += 1;
        }
        let Some(&i) = case.assignee.as_deref().and_then(|a| index.get(a)) else { continue };
        let h = &mut handlers[i];
        if case.open {
            h.open_by_urgency.add(case.urgency);
            h.weighted_load += weights.of(case.urgency);
        }
        if case.created_at >= this_week && case.created_at <= at {
            h.received_this_week += 1;
        }
        if case.created_at >= this_month && case.created_at <= at {
            h.received_this_month += 1;
        }
        if overdue {
            h.overdue_first_responses += 1;
        }
    }
    for h in &mut handlers {
        h.load_ratio = if h.capacity > 0 { f64::from(h.weighted_load) / f64::from(h.capacity) } else { 0.0 };
    }
    let started = |from: NaiveDateTime, to: NaiveDateTime| {
        let in_range: Vec<&ShiftFacts> =
            shifts.iter().filter(|s| s.start >= from && s.start < to && s.start <= at).collect();
        ratio(in_range.iter().filter(|s| s.checked_in).count(), in_range.len())
    };
    let weekly = (0..weeks.max(1))
        .rev()
        .map(|back| {
            let start = this_week - Duration::weeks(i64::from(back));
            let end = start + Duration::weeks(1);
            let mut by_handler: BTreeMap<String, u32> = members.iter().map(|m| (m.id.clone(), 0)).collect();
            let mut received = 0;
            for case in cases.iter().filter(|c| c.created_at >= start && c.created_at < end) {
                received += 1;
                if let Some(n) = case.assignee.as_ref().and_then(|a| by_handler.get_mut(a)) {
                    *n += 1;
                }
            }
            let values: Vec<f64> = by_handler.values().map(|&n| f64::from(n)).collect();
            let named = members
                .iter()
                .map(|m| WeekHandler {
                    id: m.id.clone(),
                    name: m.name.clone(),
                    received: by_handler.get(&m.id).copied().unwrap_or(0),
                })
                .collect();
            WeekFigures {
                week_start: start.date(),
                received,
                handlers: named,
                received_gini: crate::balance::gini(&values),
                received_max_over_mean: Balance::of(&values).max_over_mean,
                received_by_handler: by_handler,
                check_in_completion: started(start, end),
            }
        })
        .collect();
    let loads: Vec<f64> = handlers.iter().map(|h| f64::from(h.weighted_load)).collect();
    Workload {
        at,
        team: TeamFigures {
            handlers: handlers.len(),
            open_cases,
            unassigned_open_cases: unassigned,
            overdue_first_responses: overdue_total,
            weighted_load_balance: Balance::of(&loads),
            check_in_completion_this_week: started(this_week, this_week + Duration::weeks(1)),
        },
        handlers,
        weekly,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("time")
    }

    fn case(assignee: Option<&str>, urgency: Urgency, open: bool, created: &str) -> CaseFacts {
        CaseFacts {
            assignee: assignee.map(str::to_owned),
            urgency,
            open,
            awaiting_first_response: false,
            created_at: t(created),
        }
    }

    #[test]
    fn figures_per_handler_team_and_week() {
        // Wednesday 2026-11-18 12:00; the week starts on Monday 16th, the month on the 1st.
        let at = t("2026-11-18 12:00");
        let members = vec![
            Member { id: "ana".into(), name: "Ana".into(), capacity: 10 },
            Member { id: "bo".into(), name: "Bo".into(), capacity: 0 },
        ];
        let mut overdue = case(Some("ana"), Urgency::High, true, "2026-11-18 10:00");
        overdue.awaiting_first_response = true;
        let mut fresh = case(Some("bo"), Urgency::Low, true, "2026-11-18 11:30");
        fresh.awaiting_first_response = true;
        let cases = vec![
            case(Some("ana"), Urgency::Critical, true, "2026-11-17 09:00"),
            overdue,
            case(Some("ana"), Urgency::Medium, false, "2026-11-03 09:00"),
            fresh,
            case(None, Urgency::Medium, true, "2026-11-10 09:00"),
            case(Some("bo"), Urgency::Low, true, "2026-10-30 09:00"),
        ];
        let shifts = vec![
            ShiftFacts { start: t("2026-11-16 08:00"), checked_in: true },
            ShiftFacts { start: t("2026-11-17 08:00"), checked_in: false },
            ShiftFacts { start: t("2026-11-19 08:00"), checked_in: false }, // not started yet
            ShiftFacts { start: t("2026-11-10 08:00"), checked_in: true },
        ];
        let w = workload(&members, &cases, &shifts, &Weights::default(), Duration::minutes(60), at, 3);
        let ana = &w.handlers[0];
        assert_eq!(ana.open_by_urgency, ByUrgency { critical: 1, high: 1, medium: 0, low: 0 });
        assert_eq!(ana.weighted_load, 7);
        assert!((ana.load_ratio - 0.7).abs() < 1e-9);
        assert_eq!((ana.received_this_week, ana.received_this_month), (2, 3));
        assert_eq!(ana.overdue_first_responses, 1, "10:00 is two hours ago; 11:30 is not yet overdue");
        let bo = &w.handlers[1];
        assert_eq!((bo.weighted_load, bo.load_ratio), (2, 0.0), "no capacity: ratio 0, never a division by zero");
        assert_eq!(bo.received_this_month, 1, "October does not count");
        assert_eq!(w.team.open_cases, 5);
        assert_eq!(w.team.unassigned_open_cases, 1);
        assert_eq!(w.team.overdue_first_responses, 1);
        assert_eq!(w.team.check_in_completion_this_week, Some(0.5), "the shift of Thursday has not started");
        assert_eq!(w.weekly.len(), 3);
        assert_eq!(w.weekly[2].week_start, t("2026-11-16 00:00").date());
        assert_eq!(w.weekly[2].received, 3);
        assert_eq!(w.weekly[1].received, 1, "the unassigned case of the 10th");
        assert_eq!(w.weekly[1].check_in_completion, Some(1.0));
        assert_eq!(w.weekly[0].check_in_completion, None);
        assert_eq!(w.weekly[2].received_by_handler["ana"], 2);
        let ana = w.weekly[2].handlers.iter().find(|h| h.id == "ana").expect("ana in the week");
        assert_eq!((ana.received, ana.name.is_empty()), (2, false), "a lead reads names, not ids");
        assert!(w.team.weighted_load_balance.max_over_mean > 1.0);
    }

    #[test]
    fn an_empty_team_gives_zeros_not_errors() {
        let w = workload(&[], &[], &[], &Weights::default(), Duration::minutes(60), t("2026-11-18 12:00"), 0);
        assert_eq!(w.team.handlers, 0);
        assert_eq!(w.weekly.len(), 1, "at least the current week");
        assert_eq!(w.team.check_in_completion_this_week, None);
        assert_eq!(w.team.weighted_load_balance.gini, 0.0);
    }
}
