//! Protection at rest: what a copied database, dump, backup or seized disk must not reveal.
//!
//! - A [`MasterKey`] (32 random bytes) never sits in clear beside the data: it comes from a
//!   key file, a systemd encrypted credential, or a passphrase at a sealed start
//!   ([`passphrase`]). It only wraps keys.
//! - A [`DataKey`] per case, beneficiary or quarantined mail (and one for the blind
//!   indexes, one for the rest) is stored wrapped by the master key
//!   ([`MasterKey::wrap`]). Destroying the wrapped key destroys what it encrypted
//!   (crypto-shredding); rotating the master key re-wraps data keys, content stays.
//! - Every value is sealed with AES-256-GCM under a key derived from its data key, bound by
//!   the associated data to its table, column and row ([`Place`]): a ciphertext moved to
//!   another row or column does not open. (Values sealed by the first release, with
//!   XChaCha20-Poly1305 under the data key itself, still open.) Keys are wrapped, and the
//!   service's secret files sealed, with XChaCha20-Poly1305.
//! - Lookups on ciphertext go through keyed blind indexes ([`IndexKey::token`]: HMAC-SHA256
//!   of a normalised value under a key of its own).
//!
//! No construction of our own beyond composing RustCrypto's AEAD, HKDF and HMAC and age's
//! passphrase encryption. Keys are zeroed when dropped.

mod keys;
pub mod passphrase;
mod slot;

pub use keys::{DataKey, IndexKey, MasterKey, Place};
pub use slot::{current, install, is_unsealed, seal};

/// Why a value, a key or a passphrase was refused.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum VaultError {
    /// The service has no master key yet: it waits to be unlocked.
    #[error("the store is sealed: unlock it first")]
    Sealed,
    /// Authentication failed: the wrong key, or a value altered or moved from its place.
    #[error("{0} does not open with this key (wrong key, or altered or moved)")]
    Refused(String),
    /// Not something this vault wrote.
    #[error("malformed {0}")]
    Malformed(String),
    /// The passphrase does not open the master key.
    #[error("wrong passphrase")]
    WrongPassphrase,
}

pub type VaultResult<T> = Result<T, VaultError>;

#[cfg(test)]
mod tests;
