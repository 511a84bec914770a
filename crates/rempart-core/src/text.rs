//! Small parsed text values: taxonomy codes and language tags.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a text value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("`{0}` is not a taxonomy code: use 1 to 64 characters among a-z, 0-9 and _, starting with a letter")]
    TaxonomyCode(String),
    #[error("`{0}` is not a language tag such as `fr`, `en`, `pt-BR` or `ar`")]
    LanguageTag(String),
    #[error("`{0}` is not an IANA time zone such as `Europe/Paris`, `America/Bogota` or `UTC`")]
    TimeZone(String),
}

/// An IANA time zone (`Europe/Paris`), in which a user sees times. Everything is stored in
/// UTC; this only converts for display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeZoneName(chrono_tz::Tz);

impl TimeZoneName {
    pub fn parse(value: &str) -> Result<Self, TextError> {
        value.trim().parse::<chrono_tz::Tz>().map(Self).map_err(|_| TextError::TimeZone(value.to_owned()))
    }

    pub fn utc() -> Self {
        Self(chrono_tz::UTC)
    }

    pub fn as_str(&self) -> &'static str {
        self.0.name()
    }

    /// A UTC time as local time in this zone, RFC 3339 with its offset
    /// (`2026-11-23T10:00:00+01:00`).
    pub fn local_rfc3339(&self, utc: chrono::NaiveDateTime) -> String {
        use chrono::TimeZone;
        self.0.from_utc_datetime(&utc).to_rfc3339()
    }
}

impl Default for TimeZoneName {
    fn default() -> Self {
        Self::utc()
    }
}

impl fmt::Display for TimeZoneName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for TimeZoneName {
    type Error = TextError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<TimeZoneName> for String {
    fn from(value: TimeZoneName) -> Self {
        value.as_str().to_owned()
    }
}

/// A code of a configurable taxonomy (audience types, service types): a lower-case slug
/// such as `human_rights_defender` or `account_compromise`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TaxonomyCode(String);

impl TaxonomyCode {
    pub fn parse(value: &str) -> Result<Self, TextError> {
        let ok = (1..=64).contains(&value.len())
            && value.starts_with(|c: char| c.is_ascii_lowercase())
            && value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if ok { Ok(Self(value.to_owned())) } else { Err(TextError::TaxonomyCode(value.to_owned())) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TaxonomyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for TaxonomyCode {
    type Error = TextError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<TaxonomyCode> for String {
    fn from(value: TaxonomyCode) -> String {
        value.0
    }
}

/// A BCP 47 language tag, reduced to what a helpline needs: a 2-3 letter primary language
/// with optional script or region subtags (`fr`, `pt-BR`, `zh-Hant`, `es-419`).
/// Normalised: primary lower case, script title case, region upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LanguageTag(String);

impl LanguageTag {
    pub fn parse(value: &str) -> Result<Self, TextError> {
        let err = || TextError::LanguageTag(value.to_owned());
        let value_trimmed = value.trim().replace('_', "-");
        let mut parts = value_trimmed.split('-');
        let primary = parts.next().ok_or_else(err)?;
        if !(2..=3).contains(&primary.len()) || !primary.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(err());
        }
        let mut out = primary.to_ascii_lowercase();
        for (i, sub) in parts.enumerate() {
            if i >= 2 {
                return Err(err());
            }
            let alpha = sub.bytes().all(|b| b.is_ascii_alphabetic());
            let digit = sub.bytes().all(|b| b.is_ascii_digit());
            let normalised = match sub.len() {
                4 if alpha => {
                    let mut s = sub.to_ascii_lowercase();
                    s[..1].make_ascii_uppercase();
                    s
                }
                2 if alpha => sub.to_ascii_uppercase(),
                3 if digit => sub.to_owned(),
                _ => return Err(err()),
            };
            out.push('-');
            out.push_str(&normalised);
        }
        Ok(Self(out))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The primary language subtag (`pt` for `pt-BR`), used to match a handler's
    /// languages against a beneficiary's.
    pub fn primary(&self) -> &str {
        self.0.split('-').next().unwrap_or(&self.0)
    }
}

impl fmt::Display for LanguageTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for LanguageTag {
    type Error = TextError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<LanguageTag> for String {
    fn from(value: LanguageTag) -> String {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taxonomy_codes() {
        for ok in ["journalist", "human_rights_defender", "hiv_programme_implementer", "x1"] {
            assert!(TaxonomyCode::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "Journalist", "1abc", "human-rights", "a b", &"a".repeat(65)] {
            assert!(TaxonomyCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn language_tags_are_normalised() {
        let cases = [
            ("fr", "fr"),
            ("FR", "fr"),
            ("pt-br", "pt-BR"),
            ("pt_BR", "pt-BR"),
            ("zh-hant", "zh-Hant"),
            ("zh-hant-tw", "zh-Hant-TW"),
            ("es-419", "es-419"),
            (" ar ", "ar"),
        ];
        for (input, want) in cases {
            assert_eq!(LanguageTag::parse(input).map(|t| t.0), Ok(want.to_owned()), "{input}");
        }
        for bad in ["", "f", "french", "fr-", "fr-B", "12", "fr-BR-x-y", "fr-1234"] {
            assert!(LanguageTag::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(LanguageTag::parse("pt-BR").map(|t| t.primary().to_owned()), Ok("pt".to_owned()));
    }
}

/// The languages a person speaks, stored as a comma-separated list of tags (`fr,en,pt-BR`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Languages(pub Vec<LanguageTag>);

impl Languages {
    /// Parses `fr, en,pt-br`: each tag normalised, duplicates removed, order kept.
    pub fn parse(list: &str) -> Result<Self, TextError> {
        let mut out: Vec<LanguageTag> = Vec::new();
        for part in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let tag = LanguageTag::parse(part)?;
            if !out.contains(&tag) {
                out.push(tag);
            }
        }
        Ok(Self(out))
    }

    /// True when one of these languages shares its primary subtag with `wanted`.
    pub fn speaks(&self, wanted: &LanguageTag) -> bool {
        self.0.iter().any(|t| t.primary() == wanted.primary())
    }
}

impl fmt::Display for Languages {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list: Vec<&str> = self.0.iter().map(LanguageTag::as_str).collect();
        f.write_str(&list.join(","))
    }
}

impl TryFrom<String> for Languages {
    type Error = TextError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Languages> for String {
    fn from(value: Languages) -> String {
        value.to_string()
    }
}

/// An OpenPGP primary-key fingerprint: 40 hex digits (v4) or 64 (v6), stored upper case
/// without spaces, as GnuPG prints it with `--with-colons`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Fingerprint(String);

/// Why a text is not a fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an OpenPGP fingerprint (40 or 64 hexadecimal digits)")]
pub struct FingerprintError(pub String);

impl Fingerprint {
    pub fn parse(value: &str) -> Result<Self, FingerprintError> {
        let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
        let compact = compact.strip_prefix("0x").or_else(|| compact.strip_prefix("0X")).unwrap_or(&compact);
        if (compact.len() == 40 || compact.len() == 64) && compact.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Self(compact.to_ascii_uppercase()))
        } else {
            Err(FingerprintError(value.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Fingerprint {
    type Error = FingerprintError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Fingerprint> for String {
    fn from(value: Fingerprint) -> String {
        value.0
    }
}

#[cfg(test)]
mod more_tests {
    use super::*;

    #[test]
    fn languages_list() {
        let l = Languages::parse(" fr, EN ,pt_br,fr,, ").expect("valid list");
        assert_eq!(l.to_string(), "fr,en,pt-BR");
        assert!(l.speaks(&LanguageTag::parse("pt-PT").expect("tag")));
        assert!(!l.speaks(&LanguageTag::parse("ar").expect("tag")));
        assert_eq!(Languages::parse("").map(|l| l.0.len()), Ok(0));
        assert!(Languages::parse("fr,klingon").is_err());
    }

    #[test]
    fn fingerprints() {
        let v4 = "d1a6 6e1a 23b1 82c9 980f  788c fbfc c82a 015e 7330";
        assert_eq!(Fingerprint::parse(v4).map(String::from), Ok("D1A66E1A23B182C9980F788CFBFCC82A015E7330".to_owned()));
        assert!(Fingerprint::parse(&"A".repeat(64)).is_ok());
        for bad in ["", "D1A66E1A", &"G".repeat(40), &"A".repeat(41)] {
            assert!(Fingerprint::parse(bad).is_err(), "{bad}");
        }
    }
}

#[cfg(test)]
mod time_zone_tests {
    use super::*;

    #[test]
    fn time_zones_parse_and_convert() {
        let paris = TimeZoneName::parse("Europe/Paris").expect("zone");
        let t = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).and_then(|d| d.and_hms_opt(9, 0, 0)).expect("time");
        assert_eq!(paris.local_rfc3339(t), "2026-11-23T10:00:00+01:00");
        let summer = chrono::NaiveDate::from_ymd_opt(2026, 7, 1).and_then(|d| d.and_hms_opt(9, 0, 0)).expect("time");
        assert_eq!(paris.local_rfc3339(summer), "2026-07-01T11:00:00+02:00", "daylight saving time");
        assert_eq!(TimeZoneName::parse("America/Bogota").expect("zone").local_rfc3339(t), "2026-11-23T04:00:00-05:00");
        assert_eq!(TimeZoneName::default().as_str(), "UTC");
        assert!(TimeZoneName::parse("Mars/Olympus").is_err());
        assert!(TimeZoneName::parse("").is_err());
    }
}
