//! Storage of Rempart: one diesel schema over SQLite (embedded default) and PostgreSQL
//! (production), row types with their insert and update forms, the queries, the pool and
//! the embedded migrations.
//!
//! Every write that concerns a case records an [`audit::AuditEvent`] in the same
//! transaction, so the trail cannot miss a change that happened.

pub mod audit;
pub mod beneficiaries;
mod blind_indexes;
pub mod case_items;
pub mod case_reads;
pub mod case_words;
pub mod cases;
pub mod check_ins;
pub mod console_sessions;
pub mod db;
pub mod error;
pub mod escalation_board;
pub mod escalations;
pub mod evidence;
pub mod export;
pub mod indicators;
pub mod intake;
pub mod keys;
pub mod lease;
pub mod limits;
pub mod mail;
pub mod messages;
pub mod outbox;
pub mod protection;
pub mod reply_templates;
pub mod retention;
pub mod rota;
pub mod schema;
pub mod sealing;
pub mod sessions;
pub mod stats;
pub mod taxonomy;
pub mod third_parties;
pub mod users;
mod util;

pub use db::{Backend, DatabaseUrl, DbConn, DbPool, PoolOptions, PooledConn};
pub use diesel::r2d2::PoolError;
pub use diesel::result::Error as DieselError;
pub use error::{StoreError, StoreResult};
/// Now, in UTC, at microsecond precision: every timestamp Rempart stores comes from here, so
/// that it reads back equal on SQLite and PostgreSQL (and moves between them unchanged).
pub use util::now;
