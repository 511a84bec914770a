//! What the console's forms share: the values sent back with the error beside its field
//! when one is refused, reading a field, and which refusals of the layer a form answers
//! (the rest are error pages).

use actix_web::web;
use std::collections::HashMap;

/// A form as posted (`application/x-www-form-urlencoded`), by field name.
pub type Fields = web::Form<HashMap<String, String>>;

/// The value of `name` in a posted form, empty when absent.
pub fn field<'a>(form: &'a HashMap<String, String>, name: &str) -> &'a str {
    form.get(name).map_or("", String::as_str)
}

/// The values of the forms (kept when one is refused) and the error beside its field.
#[derive(Debug, Default, Clone)]
pub struct Draft {
    pub values: HashMap<String, String>,
    pub error: Option<(String, String)>,
}

impl Draft {
    pub fn value(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }

    pub fn error_at(&self, field: &str) -> Option<&str> {
        self.error.as_ref().filter(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }

    pub fn invalid(&self, field: &str) -> &'static str {
        if self.error_at(field).is_some() { "true" } else { "false" }
    }
}

impl Draft {
    /// A form showing stored values (no error).
    pub fn of(pairs: impl IntoIterator<Item = (&'static str, String)>) -> Self {
        Self { values: pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(), error: None }
    }
}

/// Whether a refusal of the layer is the form's to show beside a field (the request's own
/// fault: invalid, not found, conflict) rather than an error page (forbidden, the server's).
pub fn refused_by_form(e: &rempart_api::error::ApiError) -> bool {
    let status = e.kind().status();
    status.is_client_error() && status != actix_web::http::StatusCode::FORBIDDEN
}

/// A day written `YYYY-MM-DD`, within years 1970 to 9999: what a form or a query may name
/// (beyond that, date arithmetic would overflow).
pub fn day(value: &str) -> Option<chrono::NaiveDate> {
    use chrono::Datelike;
    chrono::NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").ok().filter(|d| (1970..=9999).contains(&d.year()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_out_of_range_are_refused_not_overflowed() {
        assert_eq!(day(" 2026-12-07 "), chrono::NaiveDate::from_ymd_opt(2026, 12, 7));
        // chrono reads the last day of its calendar, where a week later does not exist.
        let last = chrono::NaiveDate::MAX.format("%Y-%m-%d").to_string();
        assert!(chrono::NaiveDate::parse_from_str(&last, "%Y-%m-%d").is_ok(), "{last} can be written");
        assert!(chrono::NaiveDate::MAX.checked_add_signed(chrono::Duration::days(7)).is_none());
        assert_eq!(day(&last), None, "a week after {last} would overflow");
        assert_eq!(day("-0001-01-01"), None);
        assert_eq!(day("2026-02-30"), None);
        assert_eq!(day(""), None);
    }
}
