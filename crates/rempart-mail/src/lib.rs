//! Rempart's OpenPGP mail gateway.
//!
//! - [`pgp`]: the helpline keyring, decryption, signature checks, encryption (sequoia).
//! - [`inbound`]: reading a message (PGP/MIME, inline PGP, protected headers, Autocrypt).
//! - [`gateway`]: one message in, one committed outcome out (case, duplicate, quarantine).
//! - [`imap`]: the IMAP fetcher (IDLE or polling), marking mail only after the commit.
//! - [`outbound`]: composing encrypted replies and handing them to SMTP (lettre).
//! - [`worker`]: the outbox worker, safe to run in several processes.
//! - [`spool`]: mail received while the service is sealed, kept encrypted until the unlock.
//!
//! No HTTP here: the binary wires the gateway into `serve` and `mailgate`.

pub mod error;
pub mod gateway;
pub mod imap;
pub mod inbound;
pub mod notify;
pub mod outbound;
pub mod pgp;
pub mod spool;
pub mod worker;

pub use error::MailError;
pub use gateway::{Gateway, Outcome};
pub use inbound::Limits;
pub use pgp::Keyring;
