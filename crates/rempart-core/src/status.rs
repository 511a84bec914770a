//! The case status state machine.
//!
//! ```text
//! new -> open -> waiting_beneficiary | waiting_third_party -> open -> resolved -> closed
//!        waiting_beneficiary | waiting_third_party -> resolved  (the wait ended it)
//!                                  resolved | closed -> open   (reopen, recorded)
//! ```
//! Any other move is an [`IllegalTransition`] that names the moves allowed from where the
//! case stands, so an API can answer 409 with them.

use crate::vocab::vocabulary;
use serde::{Deserialize, Serialize};

vocabulary! {
    /// Where a case stands in its life.
    CaseStatus ("case status") { New, Open, WaitingBeneficiary, WaitingThirdParty, Resolved, Closed }
}

/// A legal move between two statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Transition {
    pub from: CaseStatus,
    pub to: CaseStatus,
}

impl Transition {
    /// True when the move brings a resolved or closed case back to work.
    pub fn is_reopen(self) -> bool {
        matches!(self.from, CaseStatus::Resolved | CaseStatus::Closed) && self.to == CaseStatus::Open
    }
}

/// A move the state machine forbids.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a case cannot go from `{from}` to `{to}`; allowed from `{from}`: {}", list(.allowed))]
pub struct IllegalTransition {
    pub from: CaseStatus,
    pub to: CaseStatus,
    pub allowed: Vec<CaseStatus>,
}

fn list(allowed: &[CaseStatus]) -> String {
    if allowed.is_empty() {
        return "none".to_owned();
    }
    allowed.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
}

impl CaseStatus {
    /// The statuses a case may move to from `self`.
    pub fn allowed_next(self) -> &'static [CaseStatus] {
        use CaseStatus::*;
        match self {
            New => &[Open],
            Open => &[WaitingBeneficiary, WaitingThirdParty, Resolved],
            // The platform answered, or the beneficiary confirmed it is over: resolved
            // without a detour through open.
            WaitingBeneficiary | WaitingThirdParty => &[Open, Resolved],
            Resolved => &[Closed, Open],
            Closed => &[Open],
        }
    }

    /// Checks a move against the state machine.
    pub fn transition(self, to: CaseStatus) -> Result<Transition, IllegalTransition> {
        if self.allowed_next().contains(&to) {
            Ok(Transition { from: self, to })
        } else {
            Err(IllegalTransition { from: self, to, allowed: self.allowed_next().to_vec() })
        }
    }

    /// Statuses in which a case still needs work (counted in a handler's load).
    pub fn is_active(self) -> bool {
        !matches!(self, CaseStatus::Resolved | CaseStatus::Closed)
    }
}

#[cfg(test)]
mod tests {
    use super::CaseStatus::*;
    use super::*;

    /// The whole table: every (from, to) pair, legal or not.
    #[test]
    fn every_pair_is_decided_by_the_table() {
        let legal = [
            (New, Open),
            (Open, WaitingBeneficiary),
            (Open, WaitingThirdParty),
            (Open, Resolved),
            (WaitingBeneficiary, Open),
            (WaitingThirdParty, Open),
            (WaitingBeneficiary, Resolved),
            (WaitingThirdParty, Resolved),
            (Resolved, Closed),
            (Resolved, Open),
            (Closed, Open),
        ];
        let mut legal_seen = 0;
        for from in CaseStatus::all() {
            for to in CaseStatus::all() {
                let result = from.transition(to);
                if legal.contains(&(from, to)) {
                    legal_seen += 1;
                    assert_eq!(result, Ok(Transition { from, to }), "{from} -> {to} must be legal");
                } else {
                    let err = result.expect_err("illegal pair accepted");
                    assert_eq!((err.from, err.to), (from, to));
                    assert_eq!(err.allowed, from.allowed_next().to_vec());
                    assert!(!err.allowed.contains(&to));
                }
            }
        }
        assert_eq!(legal_seen, legal.len());
    }

    #[test]
    fn staying_put_is_not_a_transition() {
        for s in CaseStatus::all() {
            assert!(s.transition(s).is_err(), "{s} -> {s}");
        }
    }

    #[test]
    fn reopen_is_recognised_only_from_resolved_or_closed() {
        assert!(Resolved.transition(Open).map(Transition::is_reopen).unwrap_or(false));
        assert!(Closed.transition(Open).map(Transition::is_reopen).unwrap_or(false));
        assert!(!WaitingBeneficiary.transition(Open).map(Transition::is_reopen).unwrap_or(true));
        assert!(!New.transition(Open).map(Transition::is_reopen).unwrap_or(true));
    }

    #[test]
    fn illegal_transition_message_lists_the_way_forward() {
        let err = New.transition(Closed).expect_err("new cannot close directly");
        assert_eq!(err.to_string(), "a case cannot go from `new` to `closed`; allowed from `new`: open");
    }

    #[test]
    fn every_status_is_reachable_from_new_and_can_reach_closed() {
        use std::collections::BTreeSet;
        let reach = |start: CaseStatus| {
            let mut seen = BTreeSet::from([start]);
            let mut todo = vec![start];
            while let Some(s) = todo.pop() {
                for &n in s.allowed_next() {
                    if seen.insert(n) {
                        todo.push(n);
                    }
                }
            }
            seen
        };
        assert_eq!(reach(New).len(), CaseStatus::all().count());
        for s in CaseStatus::all() {
            assert!(reach(s).contains(&Closed), "{s} cannot reach closed");
        }
    }

    #[test]
    fn active_statuses() {
        let active: Vec<_> = CaseStatus::all().filter(|s| s.is_active()).collect();
        assert_eq!(active, vec![New, Open, WaitingBeneficiary, WaitingThirdParty]);
    }
}
