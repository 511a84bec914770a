//! When the leads and the admins must hear about a case that waits.

use crate::model::Policy;
use chrono::NaiveDateTime;
use rempart_core::CaseStatus;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertLevel {
    Leads,
    Admins,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    pub level: AlertLevel,
    #[serde(with = "rempart_core::utc")]
    pub due_at: NaiveDateTime,
    pub reason: String,
}

/// The first-response alerts of a case (Access Now's practice: shift leads after 60
/// minutes without an answer, the director after 90), with their due times. Only a case
/// still `new` with no first response has any. Computed from stored times, so the timers
/// survive a restart: whoever runs them fires the alerts due and not yet sent.
pub fn first_response_alerts(
    created_at: NaiveDateTime,
    first_response_at: Option<NaiveDateTime>,
    status: CaseStatus,
    policy: &Policy,
) -> Vec<Alert> {
    if first_response_at.is_some() || status != CaseStatus::New {
        return Vec::new();
    }
    vec![
        Alert {
            level: AlertLevel::Leads,
            due_at: created_at + policy.first_response_leads,
            reason: format!("no first response after {} minutes", policy.first_response_leads.num_minutes()),
        },
        Alert {
            level: AlertLevel::Admins,
            due_at: created_at + policy.first_response_admins,
            reason: format!("no first response after {} minutes", policy.first_response_admins.num_minutes()),
        },
    ]
}

/// Why a case escalates; one escalation of each kind per case at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscalationKind {
    /// Imminent risk or critical urgency: the leads hear at once.
    ImminentRisk,
    /// Nobody could take a new case (nobody on shift, fit and able): the leads hear at once.
    Unassigned,
    FirstResponseLeads,
    FirstResponseAdmins,
}

impl EscalationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EscalationKind::ImminentRisk => "imminent_risk",
            EscalationKind::Unassigned => "unassigned",
            EscalationKind::FirstResponseLeads => "first_response_leads",
            EscalationKind::FirstResponseAdmins => "first_response_admins",
        }
    }
}

impl AlertLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertLevel::Leads => "leads",
            AlertLevel::Admins => "admins",
        }
    }
}

/// What a case's timers say at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseTimers {
    pub created_at: NaiveDateTime,
    pub first_response_at: Option<NaiveDateTime>,
    pub status: CaseStatus,
    pub critical: bool,
    /// Nobody holds it.
    pub unassigned: bool,
}

/// Every escalation due for a case at `now`, with its level and reason: imminent risk while
/// the case is active, then the first-response alerts.
pub fn escalations_due(case: CaseTimers, policy: &Policy, now: NaiveDateTime) -> Vec<(EscalationKind, Alert)> {
    let mut out = Vec::new();
    if case.critical && case.status.is_active() && case.created_at <= now {
        out.push((
            EscalationKind::ImminentRisk,
            Alert {
                level: AlertLevel::Leads,
                due_at: case.created_at,
                reason: "imminent risk or critical urgency".into(),
            },
        ));
    }
    if case.unassigned && case.status == CaseStatus::New && case.created_at <= now {
        out.push((
            EscalationKind::Unassigned,
            Alert {
                level: AlertLevel::Leads,
                due_at: case.created_at,
                reason: "a new case has nobody to take it".into(),
            },
        ));
    }
    for alert in due(first_response_alerts(case.created_at, case.first_response_at, case.status, policy), now) {
        let kind = match alert.level {
            AlertLevel::Leads => EscalationKind::FirstResponseLeads,
            AlertLevel::Admins => EscalationKind::FirstResponseAdmins,
        };
        out.push((kind, alert));
    }
    out
}

/// The alerts due at `now`.
pub fn due(alerts: Vec<Alert>, now: NaiveDateTime) -> Vec<Alert> {
    alerts.into_iter().filter(|a| a.due_at <= now).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, NaiveDate};

    #[test]
    fn critical_cases_escalate_at_once_and_waiting_ones_on_time() {
        let p = Policy::default();
        let case = CaseTimers {
            created_at: t0(),
            first_response_at: None,
            status: CaseStatus::New,
            critical: true,
            unassigned: false,
        };
        let kinds = |at| escalations_due(case, &p, at).into_iter().map(|(k, _)| k).collect::<Vec<_>>();
        assert_eq!(kinds(t0()), [EscalationKind::ImminentRisk]);
        assert_eq!(
            kinds(t0() + Duration::minutes(60)),
            [EscalationKind::ImminentRisk, EscalationKind::FirstResponseLeads]
        );
        assert_eq!(kinds(t0() + Duration::minutes(90)).len(), 3);
        let answered = CaseTimers { first_response_at: Some(t0()), status: CaseStatus::Open, critical: false, ..case };
        assert!(escalations_due(answered, &p, t0() + Duration::days(1)).is_empty());
        let closed = CaseTimers { status: CaseStatus::Closed, ..case };
        assert!(escalations_due(closed, &p, t0() + Duration::minutes(5)).is_empty(), "a closed case does not escalate");
        let orphan = CaseTimers { critical: false, unassigned: true, ..case };
        assert_eq!(
            escalations_due(orphan, &p, t0()).into_iter().map(|(k, _)| k).collect::<Vec<_>>(),
            [EscalationKind::Unassigned]
        );
        let taken = CaseTimers { status: CaseStatus::Open, first_response_at: Some(t0()), ..orphan };
        assert!(escalations_due(taken, &p, t0()).is_empty(), "only a new case waits for someone");
    }

    fn t0() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, 23).and_then(|d| d.and_hms_opt(9, 0, 0)).unwrap_or_default()
    }

    #[test]
    fn leads_at_60_admins_at_90_minutes() {
        let p = Policy::default();
        let alerts = first_response_alerts(t0(), None, CaseStatus::New, &p);
        assert!(due(alerts.clone(), t0() + Duration::minutes(59)).is_empty());
        let at_60 = due(alerts.clone(), t0() + Duration::minutes(60));
        assert_eq!(at_60.iter().map(|a| a.level).collect::<Vec<_>>(), [AlertLevel::Leads]);
        let at_90 = due(alerts, t0() + Duration::minutes(90));
        assert_eq!(at_90.iter().map(|a| a.level).collect::<Vec<_>>(), [AlertLevel::Leads, AlertLevel::Admins]);
    }

    #[test]
    fn an_answered_or_opened_case_has_no_alert() {
        let p = Policy::default();
        assert!(first_response_alerts(t0(), Some(t0() + Duration::minutes(5)), CaseStatus::New, &p).is_empty());
        assert!(first_response_alerts(t0(), None, CaseStatus::Open, &p).is_empty());
    }

    #[test]
    fn delays_are_configurable() {
        let p = Policy {
            first_response_leads: Duration::minutes(30),
            first_response_admins: Duration::minutes(45),
            ..Policy::default()
        };
        let alerts = first_response_alerts(t0(), None, CaseStatus::New, &p);
        assert_eq!(alerts[0].due_at, t0() + Duration::minutes(30));
        assert_eq!(alerts[1].due_at, t0() + Duration::minutes(45));
    }
}
