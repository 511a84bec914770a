//! Phone numbers as indicators: one form per number, however it was typed.
//!
//! `+33 (0)6 12-34-56-78`, `0033 6 12 34 56 78` and, for a helpline in France,
//! `06 12 34 56 78` are one number, `+33612345678` (E.164). National numbers are read
//! with libphonenumber's metadata (the `phonenumber` crate), which knows each region's
//! trunk prefix and number plan (Italy keeps its leading 0, France drops it).

use phonenumber::Mode;
use phonenumber::country::Id;
use std::fmt;
use std::str::FromStr;

/// A region of the numbering plan (ISO 3166-1 alpha-2, e.g. `FR`), in which national
/// phone numbers are read.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PhoneRegion(Id);

impl fmt::Debug for PhoneRegion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhoneRegion({})", self.0.as_ref())
    }
}

impl fmt::Display for PhoneRegion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_ref())
    }
}

/// Not a region of the numbering plan.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a phone numbering region (an ISO 3166-1 alpha-2 code such as FR, ES, MX)")]
pub struct UnknownRegion(pub String);

impl FromStr for PhoneRegion {
    type Err = UnknownRegion;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let code = s.trim().to_ascii_uppercase();
        if code.len() != 2 {
            return Err(UnknownRegion(s.to_owned()));
        }
        let id = Id::from_str(&code).map_err(|_| UnknownRegion(s.to_owned()))?;
        Ok(Self(id))
    }
}

/// The canonical form: E.164 (`+33612345678`) when the country is known, from a `+` or
/// `00` prefix or from `region`; else the digits as written. Separators, `tel:` and a
/// `(0)` trunk prefix after the country code are dropped.
pub fn normalize(raw: &str, region: Option<PhoneRegion>) -> Result<String, String> {
    let digits = separators_removed(raw)?;
    if digits.starts_with('+') {
        return Ok(digits);
    }
    if let Some(region) = region
        && let Some(e164) = international(&digits, region)
    {
        return Ok(e164);
    }
    Ok(digits)
}

/// Forms a number was stored under before the helpline set its region: the national
/// digits of an E.164 number of that region (`0612345678`), and the digits as written.
pub(crate) fn earlier_forms(raw: &str, normalized: &str, region: PhoneRegion) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(written) = separators_removed(raw)
        && written != normalized
    {
        out.push(written);
    }
    if let Ok(number) = phonenumber::parse(None, normalized)
        && number.country().id() == Some(region.0)
    {
        let national: String =
            number.format().mode(Mode::National).to_string().chars().filter(char::is_ascii_digit).collect();
        if national != normalized && !out.contains(&national) {
            out.push(national);
        }
    }
    out
}

/// A national number of `region` in E.164, when the metadata calls it valid there.
fn international(digits: &str, region: PhoneRegion) -> Option<String> {
    let number = phonenumber::parse(Some(region.0), digits).ok()?;
    if !phonenumber::is_valid(&number) {
        return None;
    }
    Some(number.format().mode(Mode::E164).to_string())
}

/// `+` and digits only; `00` becomes `+`.
fn separators_removed(raw: &str) -> Result<String, String> {
    let s = raw.trim();
    let s = crate::indicator::strip_prefix_ignore_case(s, "tel:").unwrap_or(s).replace("(0)", "");
    let mut digits = String::new();
    let mut plus = false;
    for c in s.chars() {
        match c {
            '+' if digits.is_empty() && !plus => plus = true,
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '/' | '(' | ')' | '\u{a0}' => {}
            _ => return Err(format!("unexpected character `{c}`")),
        }
    }
    if !plus && digits.starts_with("00") {
        plus = true;
        digits.drain(..2);
    }
    if plus {
        if digits.starts_with('0') {
            return Err("a country code never starts with 0".into());
        }
        if !(7..=15).contains(&digits.len()) {
            return Err("an international number has 7 to 15 digits".into());
        }
        Ok(format!("+{digits}"))
    } else {
        if !(3..=15).contains(&digits.len()) {
            return Err("a number has 3 to 15 digits".into());
        }
        Ok(digits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(code: &str) -> Option<PhoneRegion> {
        Some(code.parse().expect("region"))
    }

    #[test]
    fn a_national_number_is_read_in_the_default_region() {
        assert_eq!(normalize("06 12 34 56 78", region("FR")).as_deref(), Ok("+33612345678"));
        assert_eq!(normalize("06.12.34.56.78", region("fr")).as_deref(), Ok("+33612345678"));
        // Italy keeps the leading 0 of fixed lines: no rule by hand would guess that.
        assert_eq!(normalize("06 6982 1234", region("IT")).as_deref(), Ok("+390669821234"));
        assert_eq!(normalize("(202) 555-0143", region("US")).as_deref(), Ok("+12025550143"));
    }

    #[test]
    fn without_a_region_or_valid_number_the_digits_stay_as_written() {
        assert_eq!(normalize("06 12 34 56 78", None).as_deref(), Ok("0612345678"));
        // Not a valid French number: kept as written rather than guessed.
        assert_eq!(normalize("123", region("FR")).as_deref(), Ok("123"));
        // An international number is not re-read in the region.
        assert_eq!(normalize("+1 202 555 0143", region("FR")).as_deref(), Ok("+12025550143"));
    }

    #[test]
    fn regions_are_iso_codes_the_metadata_knows() {
        assert!("FR".parse::<PhoneRegion>().is_ok());
        assert!("mx".parse::<PhoneRegion>().is_ok());
        assert!("France".parse::<PhoneRegion>().is_err());
        assert!("ZZ".parse::<PhoneRegion>().is_err());
        assert!("".parse::<PhoneRegion>().is_err());
    }

    #[test]
    fn earlier_forms_cover_numbers_stored_before_the_region_was_set() {
        let fr = region("FR").expect("FR");
        let forms = earlier_forms("+33 6 12 34 56 78", "+33612345678", fr);
        assert_eq!(forms, vec!["0612345678".to_owned()]);
        let forms = earlier_forms("06 12 34 56 78", "+33612345678", fr);
        assert_eq!(forms, vec!["0612345678".to_owned()]);
        // A number of another region has no French national form.
        assert!(earlier_forms("+1 202 555 0143", "+12025550143", fr).is_empty());
    }
}
