//! The inputs of a decision.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use rempart_core::{LanguageTag, Languages, Priority, Urgency};
use serde::{Deserialize, Serialize};

/// Someone who can take cases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handler {
    pub id: String,
    pub name: String,
    pub languages: Languages,
    /// May hold restricted cases.
    pub cleared_for_restricted: bool,
    /// Weighted load this handler can carry (see [`Weights`]).
    pub capacity: u32,
}

/// Whether a shift takes intake or stands by to replace someone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShiftKind {
    Intake,
    Standby,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shift {
    pub id: String,
    pub handler_id: String,
    /// UTC.
    #[serde(with = "rempart_core::utc")]
    pub start: NaiveDateTime,
    /// UTC, after `start`.
    #[serde(with = "rempart_core::utc")]
    pub end: NaiveDateTime,
    pub kind: ShiftKind,
}

impl Shift {
    pub fn covers(&self, at: NaiveDateTime) -> bool {
        self.start <= at && at < self.end
    }
}

/// The answer at the start of a shift. The private note stays with the handler: it is
/// never an input of a decision and never shown to leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fitness {
    Fit,
    NotFit,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckIn {
    pub shift_id: String,
    #[serde(with = "rempart_core::utc")]
    pub at: NaiveDateTime,
    pub fitness: Fitness,
}

/// How often intake passes to the next handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Weekly,
    Daily,
}

/// The intake rotation: handlers in order, one per period, starting at `anchor`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rotation {
    pub order: Vec<String>,
    pub period: Period,
    /// The first day of period 0 (a Monday for weekly rotations).
    pub anchor: NaiveDate,
}

impl Rotation {
    /// Index of the period containing `at` (negative before the anchor).
    pub fn period_index(&self, at: NaiveDateTime) -> i64 {
        let days = (at.date() - self.anchor).num_days();
        match self.period {
            Period::Weekly => days.div_euclid(7),
            Period::Daily => days,
        }
    }

    /// The intake handler of the period containing `at`, and the rest in rotation order.
    pub fn order_at(&self, at: NaiveDateTime) -> Vec<&str> {
        if self.order.is_empty() {
            return Vec::new();
        }
        let n = self.order.len() as i64;
        let first = self.period_index(at).rem_euclid(n) as usize;
        (0..self.order.len()).map(|i| self.order[(first + i) % self.order.len()].as_str()).collect()
    }

    /// A human label of the period: `rotation week 47` or `rotation day 2026-11-22`.
    pub fn label(&self, at: NaiveDateTime) -> String {
        match self.period {
            Period::Weekly => format!("rotation week {}", at.date().iso_week().week()),
            Period::Daily => format!("rotation day {}", at.date()),
        }
    }
}

/// Weights of open cases by urgency, for the load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Weights {
    pub critical: u32,
    pub high: u32,
    pub medium: u32,
    pub low: u32,
}

impl Default for Weights {
    fn default() -> Self {
        Self { critical: 4, high: 3, medium: 2, low: 1 }
    }
}

impl Weights {
    pub fn of(&self, urgency: Urgency) -> u32 {
        match urgency {
            Urgency::Critical => self.critical,
            Urgency::High => self.high,
            Urgency::Medium => self.medium,
            Urgency::Low => self.low,
        }
    }
}

/// The helpline's settings for assignment and escalation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub weights: Weights,
    /// New critical or imminent-risk cases one handler may receive per ISO week.
    pub critical_cap_per_week: u32,
    /// How long after a shift starts a missing check-in counts as "not fit".
    pub check_in_grace: Duration,
    /// Longest allowed shift.
    pub max_shift: Duration,
    /// A `new` case without first response alerts the shift's leads after this...
    pub first_response_leads: Duration,
    /// ...and the admins after this.
    pub first_response_admins: Duration,
    /// Priority of a new critical or imminent-risk case when intake gives none.
    pub urgent_priority: Priority,
    /// The balance the team aims at, drawn on the leads' workload charts.
    pub balance_target: BalanceTarget,
}

/// How evenly the team means to share cases, in hundredths (25 is a Gini of 0.25, 150 a
/// max/mean of 1.5): what the leads' charts draw as the target line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceTarget {
    pub gini_hundredths: u32,
    pub max_over_mean_hundredths: u32,
}

impl Default for BalanceTarget {
    fn default() -> Self {
        Self { gini_hundredths: 25, max_over_mean_hundredths: 150 }
    }
}

impl BalanceTarget {
    pub fn gini(&self) -> f64 {
        f64::from(self.gini_hundredths) / 100.0
    }

    pub fn max_over_mean(&self) -> f64 {
        f64::from(self.max_over_mean_hundredths) / 100.0
    }
}

impl Policy {
    /// The priority a new case takes when intake gives none: `urgent_priority` for a
    /// critical or imminent-risk case, P3 otherwise.
    pub fn default_priority(&self, urgency: Urgency, imminent_risk: bool) -> Priority {
        if urgency == Urgency::Critical || imminent_risk { self.urgent_priority } else { Priority::P3 }
    }
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            weights: Weights::default(),
            critical_cap_per_week: 5,
            check_in_grace: Duration::minutes(15),
            max_shift: Duration::hours(8),
            first_response_leads: Duration::minutes(60),
            first_response_admins: Duration::minutes(90),
            urgent_priority: Priority::P1,
            balance_target: BalanceTarget::default(),
        }
    }
}

/// What a handler carries now.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Load {
    /// Sum of the weights of their open cases.
    pub weighted: u32,
    /// New critical or imminent-risk cases they received this ISO week.
    pub critical_this_week: u32,
}

/// What assignment needs to know of the new case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCaseInfo {
    pub urgency: Urgency,
    pub imminent_risk: bool,
    /// The beneficiary's language, when known: the handler must speak it.
    pub language: Option<LanguageTag>,
    pub restricted: bool,
}

impl NewCaseInfo {
    pub fn is_critical(&self) -> bool {
        self.urgency == Urgency::Critical || self.imminent_risk
    }
}

/// Everything about the team at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roster {
    pub handlers: Vec<Handler>,
    pub shifts: Vec<Shift>,
    pub check_ins: Vec<CheckIn>,
    pub rotation: Option<Rotation>,
    /// Current load per handler id; absent means nothing open.
    pub loads: std::collections::BTreeMap<String, Load>,
}

impl Roster {
    pub fn handler(&self, id: &str) -> Option<&Handler> {
        self.handlers.iter().find(|h| h.id == id)
    }

    pub fn load(&self, id: &str) -> Load {
        self.loads.get(id).cloned().unwrap_or_default()
    }

    /// The handler's shift of `kind` covering `at`, if any.
    pub fn shift_at(&self, handler_id: &str, kind: ShiftKind, at: NaiveDateTime) -> Option<&Shift> {
        self.shifts.iter().find(|s| s.handler_id == handler_id && s.kind == kind && s.covers(at))
    }

    /// The latest check-in of a shift.
    pub fn check_in(&self, shift_id: &str) -> Option<&CheckIn> {
        self.check_ins.iter().filter(|c| c.shift_id == shift_id).max_by_key(|c| c.at)
    }

    /// Where the check-in of `shift` stands at `at`: what leads may see (never the note).
    pub fn check_in_state(&self, shift: &Shift, at: NaiveDateTime, policy: &Policy) -> CheckInState {
        match self.check_in(&shift.id).map(|c| c.fitness) {
            Some(Fitness::Fit) => CheckInState::Fit,
            Some(Fitness::NotFit) => CheckInState::NotFit,
            None if at < shift.start + policy.check_in_grace => CheckInState::Pending,
            None => CheckInState::Missing,
        }
    }
}

/// A shift's check-in as seen at some moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckInState {
    Fit,
    NotFit,
    /// Not yet, still within the grace period.
    Pending,
    /// Not at all, past the grace period: counts as not fit.
    Missing,
}

/// Why a shift is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShiftError {
    EndsBeforeStart,
    TooLong { max_hours: i64 },
}

impl std::fmt::Display for ShiftError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ShiftError::EndsBeforeStart => f.write_str("a shift must end after it starts"),
            ShiftError::TooLong { max_hours } => write!(f, "shifts are at most {max_hours} hours long"),
        }
    }
}

impl std::error::Error for ShiftError {}

/// Checks a shift against the policy: short shifts, so handlers can concentrate.
pub fn validate_shift(start: NaiveDateTime, end: NaiveDateTime, policy: &Policy) -> Result<(), ShiftError> {
    if end <= start {
        return Err(ShiftError::EndsBeforeStart);
    }
    if end - start > policy.max_shift {
        return Err(ShiftError::TooLong { max_hours: policy.max_shift.num_hours() });
    }
    Ok(())
}
