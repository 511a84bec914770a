//! How Rempart writes a date-time in its answers: RFC 3339 in UTC with `Z`
//! (`2026-12-02T08:00:00Z`, microseconds when there are any), as `format: date-time`
//! promises. Reading accepts that form, any offset, or none (read as UTC).
//!
//! `#[serde(with = "rempart_core::utc")]` on a `NaiveDateTime` (stored in UTC),
//! `#[serde(with = "rempart_core::utc::option")]` on an `Option<NaiveDateTime>`.

use chrono::{DateTime, NaiveDateTime};
use serde::{Deserialize, Deserializer, Serializer};

/// The text form: UTC, `Z`, microseconds only when not zero.
pub fn format(t: &NaiveDateTime) -> String {
    t.and_utc().to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// Reads RFC 3339 with `Z` or an offset, or a date-time without one (UTC).
pub fn parse(raw: &str) -> Option<NaiveDateTime> {
    let raw = raw.trim();
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.naive_utc())
        .ok()
        .or_else(|| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S%.f").ok())
        .or_else(|| NaiveDateTime::parse_from_str(raw, "%Y-%m-%d %H:%M:%S%.f").ok())
}

pub fn serialize<S: Serializer>(t: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format(t))
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDateTime, D::Error> {
    let raw = String::deserialize(d)?;
    parse(&raw).ok_or_else(|| serde::de::Error::custom(format!("`{raw}` is not an RFC 3339 date-time")))
}

/// The same for an optional date-time (`null` when absent).
pub mod option {
    use super::*;

    pub fn serialize<S: Serializer>(t: &Option<NaiveDateTime>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&format(t)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDateTime>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(raw) => parse(&raw)
                .map(Some)
                .ok_or_else(|| serde::de::Error::custom(format!("`{raw}` is not an RFC 3339 date-time"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_with_z_and_back() {
        let t = parse("2026-12-02T09:00:00+01:00").expect("offset");
        assert_eq!(format(&t), "2026-12-02T08:00:00Z");
        let micro = parse("2026-12-02T08:00:00.123456Z").expect("micro");
        assert_eq!(format(&micro), "2026-12-02T08:00:00.123456Z");
        assert_eq!(parse("2026-12-02T08:00:00"), Some(t), "no offset: UTC");
        assert_eq!(parse("later"), None);
    }
}
