//! End-to-end tests: the `rempart` binary driven as its operators and peers drive it (the
//! command line, mail fed like an MTA pipe and fetched over IMAP, replies sent over SMTP,
//! two instances on one PostgreSQL, the deploy files, the API against its own OpenAPI
//! document). One test binary: they share the set-up helpers, and one link is enough.

mod common;
#[path = "../../crates/rempart-mail/tests/support/mod.rs"]
mod mail_support;

mod api_schema;
mod cli;
mod console;
mod deploy_start;
mod escalations;
mod instances;
mod key_rotation;
mod mail;
mod operations;
mod raid;
mod sealed;
