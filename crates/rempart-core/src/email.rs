//! Email addresses, parsed and normalised once at the boundary.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a text is not an email address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a valid email address: {reason}")]
pub struct EmailError {
    pub input: String,
    pub reason: &'static str,
}

/// An email address normalised for matching: surrounding space, angle brackets and a
/// `mailto:` prefix removed, local part lower-cased, domain lower-cased and converted to
/// its ASCII (punycode) form, so `Ana@Exämple.ORG` and `ana@xn--exmple-cua.org` are one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let err = |reason| EmailError { input: input.to_owned(), reason };
        let mut s = input.trim();
        if s.len() > 254 {
            return Err(err("longer than 254 characters"));
        }
        if let Some(inner) = s.strip_prefix('<').and_then(|r| r.strip_suffix('>')) {
            s = inner.trim();
        }
        s = crate::indicator::strip_prefix_ignore_case(s, "mailto:").unwrap_or(s);
        let (local, domain) = s.rsplit_once('@').ok_or_else(|| err("missing @"))?;
        if local.is_empty() {
            return Err(err("empty local part"));
        }
        if local.len() > 64 {
            return Err(err("local part longer than 64 characters"));
        }
        if local.chars().any(|c| c.is_whitespace() || c.is_control() || "<>()[]\\,;:@\"".contains(c)) {
            return Err(err("forbidden character in the local part"));
        }
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return Err(err("misplaced dot in the local part"));
        }
        let domain = crate::indicator::normalize_domain(domain).map_err(|_| err("invalid domain"))?;
        Ok(Self(format!("{}@{}", local.to_lowercase(), domain)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or_default()
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = EmailError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<EmailAddress> for String {
    fn from(value: EmailAddress) -> String {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_addresses() {
        let cases = [
            ("ana@example.org", "ana@example.org"),
            ("  Ana.Silva@Example.ORG ", "ana.silva@example.org"),
            ("<bo+helpline@example.net>", "bo+helpline@example.net"),
            ("MAILTO:bo@example.net", "bo@example.net"),
            ("ana@exämple.org", "ana@xn--exmple-cua.org"),
            ("ana@EXÄMPLE.org.", "ana@xn--exmple-cua.org"),
            ("josé@example.org", "josé@example.org"),
        ];
        for (input, want) in cases {
            assert_eq!(EmailAddress::parse(input).map(|e| e.0), Ok(want.to_owned()), "{input}");
        }
    }

    #[test]
    fn rejects_invalid_addresses() {
        for bad in [
            "",
            "ana",
            "@example.org",
            "ana@",
            "ana@localhost",
            "ana @example.org",
            "ana@exa mple.org",
            "a..b@example.org",
            ".a@example.org",
            "a.@example.org",
            "ana@-example.org",
            "ana@example..org",
            "<ana@example.org",
            "a\"b@example.org",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "accepted {bad:?}");
        }
        let long = format!("{}@example.org", "a".repeat(65));
        assert_eq!(EmailAddress::parse(&long).map_err(|e| e.reason), Err("local part longer than 64 characters"));
    }

    #[test]
    fn domain_accessor() {
        assert_eq!(EmailAddress::parse("x@Example.org").map(|e| e.domain().to_owned()), Ok("example.org".into()));
    }
}
