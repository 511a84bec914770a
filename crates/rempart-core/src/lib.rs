//! The case model of Rempart, free of I/O.
//!
//! Everything a helpline case records (see `shared/DOMAIN.md`) is typed here: the closed
//! vocabularies as enums with a stable text form, the values that must be parsed before
//! they are trusted (email addresses, case references, indicators, taxonomy codes,
//! language tags, risk factors) as newtypes, and the case status state machine.
//! Storage, HTTP and mail crates convert to and from these types at their boundary.

pub mod email;
pub mod indicator;
pub mod reference;
pub mod risk;
pub mod status;
pub mod text;
pub mod vocab;

pub use email::{EmailAddress, EmailError};
pub use indicator::{IndicatorError, IndicatorKind, NormalizedIndicator, lookup_candidates};
pub use reference::{CaseReference, ReferenceError};
pub use risk::{RiskError, RiskFactors};
pub use status::{CaseStatus, IllegalTransition, Transition};
pub use text::{Fingerprint, FingerprintError, LanguageTag, Languages, TaxonomyCode, TextError};
pub use vocab::*;
