//! Unlocking a sealed start. The master key file is under a passphrase; until someone gives
//! it, the service holds no key and answers only its unlock page. The passphrase is the
//! credential: staff accounts cannot sign in while sealed (the token-signing key is itself
//! sealed by the master key), so the leads and administrators who hold it unlock without
//! an account.
//!
//! Attempts over the network are limited in the database ([`rempart_store::limits`]): every
//! `serve` on one PostgreSQL counts the same failures, and a restart does not forget them.
//! After [`MAX_FAILURES`] wrong passphrases within [`WINDOW_MINUTES`], each further try waits
//! (one minute, doubling with each failure, at most the window), whatever passphrase it
//! carries. The local socket (`rempart unlock`) is not limited: whoever reaches it runs as
//! the service's account and can read the key file anyway (scrypt is what slows them).

use rempart_store::limits::{self, LimitPolicy};
use rempart_store::{DbConn, StoreError};
use rempart_vault::{MasterKey, VaultError};

/// Wrong passphrases over the network allowed within the window before attempts wait.
pub const MAX_FAILURES: u32 = 5;
/// Failures older than this are forgotten.
pub const WINDOW_MINUTES: i64 = 15;
/// The limiter's key: one for the whole service (an attacker changes addresses at will).
pub const LIMIT_KEY: &str = "unlock";

/// The master key file under its passphrase, and the master keys that wrapped the
/// database's data keys (none for a new database).
#[derive(Debug, Clone)]
pub struct SealedMaster {
    pub file: Vec<u8>,
    pub master_ids: Vec<String>,
}

/// Where an attempt comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// The unlock page or `POST /api/v1/unlock`: limited.
    Network,
    /// The service's local socket (`rempart unlock`): the service account only.
    LocalSocket,
}

/// Why an attempt did not unlock.
#[derive(Debug, thiserror::Error)]
pub enum UnlockError {
    #[error("wrong passphrase")]
    WrongPassphrase,
    /// Too many wrong passphrases: try again in this many seconds.
    #[error("too many wrong passphrases; try again in {0} seconds")]
    Wait(u64),
    /// The passphrase opens a master key, but not the one that sealed this database.
    #[error("the master key {0} does not open this database (its keys were wrapped by {1})")]
    NotThisDatabase(String, String),
    /// The key file is not a passphrase-protected master key.
    #[error("{0}")]
    Malformed(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The limit on network attempts.
pub fn policy() -> LimitPolicy {
    let window = chrono::Duration::minutes(WINDOW_MINUTES);
    LimitPolicy { max_failures: MAX_FAILURES, window, first_wait: chrono::Duration::minutes(1) }
}

/// Opens the master key with `passphrase`, or says why not. A waiting network attempt is
/// refused before the passphrase is tried (it costs nothing and reveals nothing); a wrong
/// one over the network is counted; a right one forgets the failures.
pub fn unlock(
    conn: &mut DbConn,
    sealed: &SealedMaster,
    passphrase: &str,
    channel: Channel,
    now: chrono::NaiveDateTime,
) -> Result<MasterKey, UnlockError> {
    let limited = channel == Channel::Network;
    if limited && let Some(seconds) = limits::blocked(conn, &[LIMIT_KEY], now)? {
        return Err(UnlockError::Wait(seconds));
    }
    let opened = if passphrase.is_empty() {
        Err(VaultError::WrongPassphrase)
    } else {
        rempart_vault::passphrase::open(&sealed.file, passphrase)
    };
    let key = match opened {
        Ok(key) => key,
        Err(VaultError::WrongPassphrase) => {
            if limited {
                limits::record_failure(conn, &[(LIMIT_KEY, policy())], now)?;
            }
            return Err(UnlockError::WrongPassphrase);
        }
        Err(e) => return Err(UnlockError::Malformed(e.to_string())),
    };
    if !sealed.master_ids.is_empty() && !sealed.master_ids.contains(&key.id()) {
        return Err(UnlockError::NotThisDatabase(key.id(), sealed.master_ids.join(", ")));
    }
    limits::clear(conn, LIMIT_KEY)?;
    Ok(key)
}
