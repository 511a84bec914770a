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
    #[error("the password is too easy to guess: {reason}")]
    Guessable { reason: String },
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

    /// A password a person chooses: the policy of [`Password::new`], and not guessable.
    /// zxcvbn estimates how many guesses an attacker needs, knowing the common passwords,
    /// names, keyboard patterns, dates, l33t substitutions and `personal` (the account's
    /// email address and name): fewer than 10^10 is refused, with the reason.
    pub fn chosen(candidate: &str, personal: &[&str]) -> Result<Self, AuthError> {
        let password = Self::new(candidate)?;
        let mut inputs: Vec<&str> = Vec::new();
        for value in personal {
            inputs.push(value);
            inputs.extend(value.split(|c: char| !c.is_alphanumeric()).filter(|part| part.chars().count() >= 3));
        }
        let estimate = zxcvbn::zxcvbn(candidate, &inputs);
        let lower = candidate.to_lowercase();
        let personal_hit = inputs.iter().any(|i| i.chars().count() >= 3 && lower.contains(&i.to_lowercase()));
        // Built on the account's own name or address: what is left without them must be
        // strong by itself (an attacker who targets the person knows them).
        let rest = inputs
            .iter()
            .filter(|i| i.chars().count() >= 3)
            .fold(lower.clone(), |rest, i| rest.replace(&i.to_lowercase(), ""));
        let rest_strong = !personal_hit || zxcvbn::zxcvbn(&rest, &[]).score() >= zxcvbn::Score::Three;
        if estimate.score() >= zxcvbn::Score::Three && rest_strong {
            return Ok(password);
        }
        let mut reason = match estimate.feedback().and_then(|f| f.warning()) {
            Some(warning) => warning.to_string(),
            None if personal_hit => "it contains your name or email address".to_owned(),
            None => "it follows a common pattern".to_owned(),
        };
        if let Some(tip) = estimate.feedback().and_then(|f| f.suggestions().first()) {
            reason.push_str(&format!(" ({tip})"));
        }
        reason.push_str("; a few unrelated words make a strong passphrase");
        Err(AuthError::Guessable { reason })
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
    }

    #[test]
    fn guessable_passwords_are_refused_with_a_reason() {
        let personal = ["ana.lima@helpline.example", "Ana Lima"];
        for weak in ["aaaaaaaaaaaa", "password1234", "ana.lima@helpline.example", "qwertyuiop123", "AnaLima2026!!"] {
            match Password::chosen(weak, &personal) {
                Err(AuthError::Guessable { reason }) => assert!(!reason.is_empty(), "{weak}"),
                other => panic!("{weak} must be refused as guessable, got {other:?}"),
            }
        }
        assert_eq!(Password::chosen("short", &personal).err(), Some(AuthError::TooShort { min: 12 }));
        for strong in ["lanterne violette sous la pluie", "the admin's own passphrase", "cobalt-ferry-ginger-74"] {
            assert!(Password::chosen(strong, &personal).is_ok(), "{strong}");
        }
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
