//! Rempart's application layer: every rule about who may see and do what, in one place.
//!
//! The REST API, the mail gateway, the command line and the web console hold an
//! [`Actor`] (a member of staff, or the system itself) and ask this crate: may they do
//! this ([`access::require`]), may they see this case ([`cases::visible`]), this
//! beneficiary ([`beneficiaries::visible`])? A case is loaded for an actor only through
//! [`cases::visible`], which also records reads of restricted cases. The adapters add no
//! rule of their own; the authorization table in `tests/authorization.rs` is the
//! specification.

pub mod access;
pub mod accounts;
pub mod actor;
pub mod beneficiaries;
pub mod cases;
pub mod error;
pub mod escalations;
pub mod evidence;
pub mod indicators;
pub mod intake;
pub mod items;
pub mod keys;
pub mod operations;
pub mod quarantine;
pub mod statistics;
pub mod taxonomies;
pub mod team;
pub mod templates;
pub mod unlock;
pub mod wellbeing;

pub use access::{Capability, require};
pub use actor::Actor;
pub use error::{AppError, AppResult};
