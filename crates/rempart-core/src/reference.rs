//! Human case references, `RMP-YYYY-NNNNNN`: sequential per year, never reused.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A case reference such as `RMP-2026-000042`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CaseReference {
    year: i32,
    number: u32,
}

/// Why a text is not a case reference.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    #[error("`{0}` is not a case reference; expected RMP-YYYY-NNNNNN")]
    Malformed(String),
    #[error("case number {0} is out of range 1..=999999")]
    NumberOutOfRange(i64),
    #[error("year {0} is out of range 2000..=9999")]
    YearOutOfRange(i32),
}

impl CaseReference {
    pub const PREFIX: &'static str = "RMP";
    pub const MAX_NUMBER: u32 = 999_999;

    /// Builds a reference from the year and the number allocated in that year.
    pub fn new(year: i32, number: i64) -> Result<Self, ReferenceError> {
        if !(2000..=9999).contains(&year) {
            return Err(ReferenceError::YearOutOfRange(year));
        }
        if !(1..=i64::from(Self::MAX_NUMBER)).contains(&number) {
            return Err(ReferenceError::NumberOutOfRange(number));
        }
        Ok(Self { year, number: number as u32 })
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn number(self) -> u32 {
        self.number
    }

    /// Finds the first `[RMP-YYYY-NNNNNN]` tag in a mail subject, as replies carry it.
    pub fn find_in_subject(subject: &str) -> Option<Self> {
        let mut rest = subject;
        while let Some(start) = rest.find('[') {
            let after = &rest[start + 1..];
            if let Some(end) = after.find(']')
                && let Ok(reference) = after[..end].trim().parse()
            {
                return Some(reference);
            }
            rest = after;
        }
        None
    }
}

impl fmt::Display for CaseReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:04}-{:06}", Self::PREFIX, self.year, self.number)
    }
}

impl FromStr for CaseReference {
    type Err = ReferenceError;

    /// Strict: `RMP-` (any case), four-digit year, six-digit number.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let malformed = || ReferenceError::Malformed(s.to_owned());
        let mut parts = s.split('-');
        let (Some(prefix), Some(year), Some(number), None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(malformed());
        };
        let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
        if !prefix.eq_ignore_ascii_case(Self::PREFIX) || !digits(year, 4) || !digits(number, 6) {
            return Err(malformed());
        }
        let year = year.parse().map_err(|_| malformed())?;
        let number = number.parse().map_err(|_| malformed())?;
        Self::new(year, number)
    }
}

impl Serialize for CaseReference {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CaseReference {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl TryFrom<String> for CaseReference {
    type Error = ReferenceError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<CaseReference> for String {
    fn from(value: CaseReference) -> String {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_padding() {
        let r = CaseReference::new(2026, 42).expect("valid");
        assert_eq!(r.to_string(), "RMP-2026-000042");
        assert_eq!("RMP-2026-000042".parse(), Ok(r));
        assert_eq!("rmp-2026-000042".parse(), Ok(r));
    }

    #[test]
    fn rejects_malformed_references() {
        for bad in [
            "",
            "RMP",
            "RMP-2026",
            "RMP-2026-42",
            "RMP-26-000042",
            "RMP-2026-0000042",
            "XYZ-2026-000042",
            "RMP-2026-000042-1",
            "RMP-2026-00004a",
            "RMP-2026-+00042",
            " RMP-2026-000042",
        ] {
            assert!(bad.parse::<CaseReference>().is_err(), "accepted {bad:?}");
        }
        assert_eq!("RMP-2026-000000".parse::<CaseReference>(), Err(ReferenceError::NumberOutOfRange(0)));
        assert_eq!(CaseReference::new(1999, 1), Err(ReferenceError::YearOutOfRange(1999)));
        assert_eq!(CaseReference::new(2026, 1_000_000), Err(ReferenceError::NumberOutOfRange(1_000_000)));
    }

    #[test]
    fn finds_the_reference_in_a_reply_subject() {
        let r = CaseReference::new(2026, 7).expect("valid");
        assert_eq!(CaseReference::find_in_subject("Re: [RMP-2026-000007] Compte piraté"), Some(r));
        assert_eq!(CaseReference::find_in_subject("AW: [x] [RMP-2026-000007]"), Some(r));
        assert_eq!(CaseReference::find_in_subject("RMP-2026-000007 without brackets"), None);
        assert_eq!(CaseReference::find_in_subject("..."), None);
        assert_eq!(CaseReference::find_in_subject("[[RMP-2026-000007]"), Some(r));
    }

    #[test]
    fn orders_by_year_then_number() {
        let a = CaseReference::new(2025, 999_999).expect("valid");
        let b = CaseReference::new(2026, 1).expect("valid");
        assert!(a < b);
    }
}
