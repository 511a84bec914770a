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

/// The alerts due at `now`.
pub fn due(alerts: Vec<Alert>, now: NaiveDateTime) -> Vec<Alert> {
    alerts.into_iter().filter(|a| a.due_at <= now).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, NaiveDate};

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
