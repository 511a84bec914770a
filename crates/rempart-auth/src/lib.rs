//! Staff credentials: the password policy and argon2id hashing.
//!
//! Hashes are PHC strings (`$argon2id$v=19$m=19456,t=2,p=1$...`) with a random salt, at
//! the OWASP-recommended minimum cost; verification reads the parameters from the hash,
//! so the cost can be raised later without breaking existing accounts.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Params, Version};
use std::fmt;

/// Why a password or a hash was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AuthError {
    #[error("the password must have at least {min} characters")]
    TooShort { min: usize },
    #[error("the password must have at most {max} characters")]
    TooLong { max: usize },
    #[error("the password must not be only spaces")]
    Blank,
    #[error("cannot hash the password: {0}")]
    Hashing(String),
}

/// A password that satisfies the policy. Its `Debug` never shows it.
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 12;
    pub const MAX_CHARS: usize = 1024;

    /// Checks the policy: 12 to 1024 characters, not blank. Length is what matters
    /// (NIST SP 800-63B): no composition rules, passphrases welcome.
    pub fn new(candidate: &str) -> Result<Self, AuthError> {
        let count = candidate.chars().count();
        if candidate.trim().is_empty() {
            return Err(AuthError::Blank);
        }
        if count < Self::MIN_CHARS {
            return Err(AuthError::TooShort { min: Self::MIN_CHARS });
        }
        if count > Self::MAX_CHARS {
            return Err(AuthError::TooLong { max: Self::MAX_CHARS });
        }
        Ok(Self(candidate.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

fn hasher() -> Argon2<'static> {
    // m = 19 MiB, t = 2, p = 1: OWASP's argon2id baseline.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password with argon2id and a fresh random salt.
pub fn hash_password(password: &Password) -> Result<String, AuthError> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.expose().as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AuthError::Hashing(e.to_string()))
}

/// True when `candidate` matches the stored hash. A malformed hash never matches.
pub fn verify_password(stored_hash: &str, candidate: &str) -> bool {
    match PasswordHash::new(stored_hash) {
        Ok(parsed) => Argon2::default().verify_password(candidate.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        assert_eq!(Password::new("short").err(), Some(AuthError::TooShort { min: 12 }));
        assert_eq!(Password::new("              ").err(), Some(AuthError::Blank));
        assert_eq!(Password::new(&"x".repeat(1025)).err(), Some(AuthError::TooLong { max: 1024 }));
        assert!(Password::new("correct horse battery staple").is_ok());
        assert!(Password::new("éééééééééééé").is_ok(), "characters, not bytes, are counted");
        assert_eq!(format!("{:?}", Password::new("a very secret phrase").ok()), "Some(Password(***))");
    }

    #[test]
    fn hash_and_verify() {
        let p = Password::new("une phrase de passe longue").expect("valid");
        let h1 = hash_password(&p).expect("hash");
        let h2 = hash_password(&p).expect("hash");
        assert!(h1.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h1}");
        assert_ne!(h1, h2, "a fresh salt each time");
        assert!(verify_password(&h1, "une phrase de passe longue"));
        assert!(!verify_password(&h1, "une phrase de passe longuE"));
        assert!(!verify_password("not a hash", "anything"));
        assert!(!verify_password("", ""));
    }
}
