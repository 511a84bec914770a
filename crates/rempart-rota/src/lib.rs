//! Who takes a new case, and when the leads must hear about it: pure functions of the
//! roster, shifts, check-ins, loads, the case and the clock. No I/O: the store and the
//! API persist what goes in and what comes out.
//!
//! The rules are the helpline's (see `shared/DOMAIN.md`): short shifts; a check-in at the
//! start of each shift, and nobody receives cases before saying they are fit; a standby
//! person replaces whoever is not fit; intake rotates weekly; imminent risk goes to the
//! leads at once; the load stays balanced.

pub mod assign;
pub mod balance;
pub mod escalation;
pub mod model;
pub mod rebalance;
pub mod simulate;
pub mod workload;

pub use assign::{Decision, assign, manual_refusal};
pub use balance::{Balance, gini};
pub use escalation::{Alert, AlertLevel, CaseTimers, EscalationKind, escalations_due, first_response_alerts};
pub use model::*;
