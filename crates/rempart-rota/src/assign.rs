//! The assignment decision for a new case.

use crate::model::{CheckInState, NewCaseInfo, Policy, Roster, ShiftKind};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// Who gets the case, and why: every handler considered and the reason they were skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub assignee: Option<String>,
    /// Human-readable, in order: the period and its intake handler, each handler skipped
    /// with the reason, then the outcome ("rotation week 47: intake is Ana", "skipped Bo:
    /// checked in not fit", "assigned to Cy (standby)").
    pub reasons: Vec<String>,
    pub via_standby: bool,
    /// The leads must hear of it now: imminent risk or critical urgency, or nobody could
    /// take the case.
    pub alert_leads: bool,
}

/// Why `handler_id` cannot take the case through a shift of `kind` at `now`; `None` when
/// they can.
pub fn refusal(
    roster: &Roster,
    policy: &Policy,
    case: &NewCaseInfo,
    handler_id: &str,
    kind: ShiftKind,
    now: NaiveDateTime,
) -> Option<String> {
    let Some(handler) = roster.handler(handler_id) else { return Some("not a known handler".into()) };
    let Some(shift) = roster.shift_at(handler_id, kind, now) else {
        let (this, other) = match kind {
            ShiftKind::Intake => ("intake", ShiftKind::Standby),
            ShiftKind::Standby => ("standby", ShiftKind::Intake),
        };
        return Some(match roster.shift_at(handler_id, other, now) {
            Some(_) if other == ShiftKind::Standby => format!("on a standby shift, not an {this} one"),
            Some(_) => format!("on an intake shift, not a {this} one"),
            None => "off shift".into(),
        });
    };
    match roster.check_in_state(shift, now, policy) {
        CheckInState::Fit => {}
        CheckInState::NotFit => return Some("checked in not fit".into()),
        CheckInState::Pending => return Some("not checked in yet".into()),
        CheckInState::Missing => return Some("missed the check-in".into()),
    }
    if case.restricted && !handler.cleared_for_restricted {
        return Some("not cleared for restricted cases".into());
    }
    if let Some(language) = &case.language
        && !handler.languages.speaks(language)
    {
        return Some(format!("does not speak {language}"));
    }
    let load = roster.load(handler_id);
    let weight = policy.weights.of(case.urgency);
    if load.weighted + weight > handler.capacity {
        return Some(format!("at capacity ({}/{})", load.weighted, handler.capacity));
    }
    if case.is_critical() && load.critical_this_week >= policy.critical_cap_per_week {
        return Some(format!(
            "critical cap reached ({}/{} this week)",
            load.critical_this_week, policy.critical_cap_per_week
        ));
    }
    None
}

/// Why `handler_id` should not be given an existing case by hand now, whatever their
/// shift's kind: off shift, not checked in fit, not cleared for a restricted case, at
/// capacity or at the weekly cap of critical cases. `None` when they can take it. A lead
/// may still give it with a reason of their own (recorded).
pub fn manual_refusal(
    roster: &Roster,
    policy: &Policy,
    case: &NewCaseInfo,
    handler_id: &str,
    now: NaiveDateTime,
) -> Option<String> {
    // Not on the roster: neither on shift nor in the rotation.
    if roster.handler(handler_id).is_none() {
        return Some("off shift".into());
    }
    // A language the handler lacks is the lead's call (an interpreter, a colleague's help).
    let case = NewCaseInfo { language: None, ..case.clone() };
    let kind = if roster.shift_at(handler_id, ShiftKind::Intake, now).is_some() {
        ShiftKind::Intake
    } else {
        ShiftKind::Standby
    };
    refusal(roster, policy, &case, handler_id, kind, now)
}

fn name<'a>(roster: &'a Roster, id: &'a str) -> &'a str {
    roster.handler(id).map_or(id, |h| h.name.as_str())
}

/// Decides who takes a new case: the intake handler of the period if on shift, checked in
/// fit and under capacity; else the next eligible in rotation order; else a standby
/// person (least loaded first); else nobody, and the leads are alerted. The same inputs
/// always give the same decision.
pub fn assign(roster: &Roster, policy: &Policy, case: &NewCaseInfo, now: NaiveDateTime) -> Decision {
    let mut reasons = Vec::new();
    let order: Vec<&str> = match &roster.rotation {
        Some(rotation) if !rotation.order.is_empty() => {
            let order = rotation.order_at(now);
            reasons.push(format!("{}: intake is {}", rotation.label(now), name(roster, order[0])));
            order
        }
        _ => {
            reasons.push("no intake rotation configured".to_owned());
            Vec::new()
        }
    };
    let critical = case.is_critical();
    if critical {
        reasons.push(if case.imminent_risk {
            "imminent risk: leads alerted".to_owned()
        } else {
            "critical urgency: leads alerted".to_owned()
        });
    }
    for id in &order {
        match refusal(roster, policy, case, id, ShiftKind::Intake, now) {
            None => {
                reasons.push(format!("assigned to {}", name(roster, id)));
                return Decision {
                    assignee: Some((*id).to_owned()),
                    reasons,
                    via_standby: false,
                    alert_leads: critical,
                };
            }
            Some(why) => reasons.push(format!("skipped {}: {why}", name(roster, id))),
        }
    }
    let mut standby: Vec<&str> = roster
        .shifts
        .iter()
        .filter(|s| s.kind == ShiftKind::Standby && s.covers(now))
        .map(|s| s.handler_id.as_str())
        .collect();
    standby.sort_by_key(|id| (roster.load(id).weighted, *id));
    standby.dedup();
    for id in standby {
        match refusal(roster, policy, case, id, ShiftKind::Standby, now) {
            None => {
                reasons.push(format!("assigned to {} (standby)", name(roster, id)));
                return Decision { assignee: Some(id.to_owned()), reasons, via_standby: true, alert_leads: critical };
            }
            Some(why) => reasons.push(format!("skipped {} (standby): {why}", name(roster, id))),
        }
    }
    reasons.push("nobody eligible: the case waits unassigned and the leads are alerted".to_owned());
    Decision { assignee: None, reasons, via_standby: false, alert_leads: true }
}
