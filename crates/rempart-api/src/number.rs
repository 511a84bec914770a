//! Integers as JSON Schema counts them: `9` and `9.0` are the same integer (JSON has one
//! number type), so a body field documented as `integer` accepts both; `9.5` is refused.

use serde::{Deserialize, Deserializer, de::Error};

fn whole<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let n = serde_json::Number::deserialize(d)?;
    if let Some(i) = n.as_i64() {
        return Ok(i);
    }
    match n.as_f64() {
        // i64::MAX as f64 rounds up to 2^63, which is out of range: strictly below it.
        Some(f) if f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64 => Ok(f as i64),
        _ => Err(D::Error::custom(format!("expected an integer, got {n}"))),
    }
}

/// A required integer field.
pub fn integer<'de, D: Deserializer<'de>, T: TryFrom<i64>>(d: D) -> Result<T, D::Error> {
    let i = whole(d)?;
    T::try_from(i).map_err(|_| D::Error::custom(format!("{i} is out of range")))
}

/// An optional integer field (`null` or absent is `None`; add `#[serde(default)]`).
pub fn optional_integer<'de, D: Deserializer<'de>, T: TryFrom<i64>>(d: D) -> Result<Option<T>, D::Error> {
    #[derive(Deserialize)]
    struct Wrap(#[serde(deserialize_with = "whole")] i64);
    match Option::<Wrap>::deserialize(d)? {
        None => Ok(None),
        Some(Wrap(i)) => T::try_from(i).map(Some).map_err(|_| D::Error::custom(format!("{i} is out of range"))),
    }
}

#[cfg(test)]
mod tests {
    #[derive(Debug, serde::Deserialize)]
    struct Body {
        #[serde(deserialize_with = "super::integer")]
        n: u8,
        #[serde(default, deserialize_with = "super::optional_integer")]
        m: Option<i32>,
    }

    fn read(text: &str) -> Result<Body, serde_json::Error> {
        serde_json::from_str(text)
    }

    #[test]
    fn whole_numbers_in_either_spelling() {
        let b = read(r#"{"n": 9.0, "m": 20}"#).expect("9.0 is 9");
        assert_eq!((b.n, b.m), (9, Some(20)));
        assert_eq!(read(r#"{"n": 1}"#).expect("absent").m, None);
        assert_eq!(read(r#"{"n": 1, "m": null}"#).expect("null").m, None);
        assert!(read(r#"{"n": 9.5}"#).is_err());
        assert!(read(r#"{"n": 300}"#).is_err(), "out of range");
        assert!(read(r#"{"n": "9"}"#).is_err(), "a string is not a number");
        assert!(read(r#"{"n": 1e300}"#).is_err());
        #[derive(Debug, serde::Deserialize)]
        struct Wide {
            #[serde(deserialize_with = "super::integer")]
            n: i64,
        }
        assert!(serde_json::from_str::<Wide>(r#"{"n": 9223372036854775808.0}"#).is_err(), "2^63 is not an i64");
        let below = serde_json::from_str::<Wide>(r#"{"n": -9223372036854775808.0}"#).expect("-2^63 is an i64");
        assert_eq!(below.n, i64::MIN);
    }
}
