//! Cases: creation with a sequential reference, status transitions, updates with
//! optimistic concurrency, listing, and the full case with everything attached.

mod detail;
mod lifecycle;
mod listing;
mod model;
mod numbering;

pub use detail::CaseDetail;
pub use listing::{CaseCursor, CaseFilter, CaseSort};
pub use model::{Case, CaseChanges, CaseInsertForm, CaseUpdateForm, NewCase, StatusChange};
