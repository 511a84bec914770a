//! The `rempart` command: configuration, logging and the subcommands. `main` only calls
//! [`run`].

pub mod cli;
pub mod effective;
pub mod mail;
pub mod ops;
pub mod passphrase;
pub mod report;
pub mod sealed;
pub mod serve;
pub mod settings;
pub mod spool;
pub mod telemetry;
pub mod vault;

pub use cli::run;
