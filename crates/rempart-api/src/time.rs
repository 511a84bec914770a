//! Date-times as clients send them.

use chrono::{NaiveDateTime, Timelike};
use serde::{Deserialize, Deserializer};

/// A date-time in a request: RFC 3339 with `Z` or an offset (`2026-12-02T08:00:00Z`,
/// `2026-12-02T09:00:00+01:00`), as the document's `format: date-time` says; one without an
/// offset is read as UTC. Held in UTC at microsecond precision, the precision Rempart
/// stores on both engines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct UtcTime(pub NaiveDateTime);

impl UtcTime {
    /// Parses what a client may send (the forms `rempart_core::utc` reads).
    pub fn parse(raw: &str) -> Result<Self, String> {
        let utc = rempart_core::utc::parse(raw)
            .ok_or_else(|| format!("`{}` is not an RFC 3339 date-time such as 2026-12-02T08:00:00Z", raw.trim()))?;
        let micros = utc.with_nanosecond(utc.nanosecond() / 1_000 * 1_000).unwrap_or(utc);
        Ok(Self(micros))
    }
}

impl<'de> Deserialize<'de> for UtcTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        UtcTime::parse(&raw).map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for UtcTime {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
            .description(Some("RFC 3339 date-time, with `Z` or an offset"))
            .examples([serde_json::json!("2026-12-02T08:00:00Z")])
            .into()
    }
}

impl utoipa::ToSchema for UtcTime {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_zulu_and_naive_all_read_as_utc() {
        let at = |s: &str| UtcTime::parse(s).map(|t| t.0.to_string());
        assert_eq!(at("2026-12-02T08:00:00Z").as_deref(), Ok("2026-12-02 08:00:00"));
        assert_eq!(at("2026-12-02T09:30:00+01:30").as_deref(), Ok("2026-12-02 08:00:00"));
        assert_eq!(at("2026-12-02T08:00:00").as_deref(), Ok("2026-12-02 08:00:00"));
        assert_eq!(at("2026-12-02T08:00:00.123456789Z").as_deref(), Ok("2026-12-02 08:00:00.123456"));
        assert!(at("tomorrow").is_err());
    }
}
