//! Times as the user reads them: stored in UTC, shown in the user's time zone.

use chrono::{NaiveDateTime, TimeZone};

/// A clock face in one time zone.
#[derive(Debug, Clone, Copy)]
pub struct LocalTime {
    zone: chrono_tz::Tz,
    now: NaiveDateTime,
}

impl LocalTime {
    pub fn new(zone_name: &str, now: NaiveDateTime) -> Self {
        Self { zone: zone_name.parse().unwrap_or(chrono_tz::UTC), now }
    }

    /// `2026-12-05 14:03` in the user's zone.
    pub fn at(&self, utc: &NaiveDateTime) -> String {
        self.zone.from_utc_datetime(utc).format("%Y-%m-%d %H:%M").to_string()
    }

    /// The machine-readable form for `<time datetime>` (RFC 3339, UTC).
    pub fn iso(&self, utc: &NaiveDateTime) -> String {
        chrono::Utc.from_utc_datetime(utc).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    }

    /// Whole minutes from `utc` to now (never negative).
    pub fn minutes_since(&self, utc: &NaiveDateTime) -> i64 {
        (self.now - *utc).num_minutes().max(0)
    }

    /// Today's date in the user's zone (a next step due before it is overdue).
    pub fn today(&self) -> chrono::NaiveDate {
        self.zone.from_utc_datetime(&self.now).date_naive()
    }

    pub fn zone(&self) -> &'static str {
        self.zone.name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_in_the_users_zone() {
        let utc = chrono::NaiveDate::from_ymd_opt(2026, 7, 1).and_then(|d| d.and_hms_opt(12, 0, 0)).expect("time");
        let paris = LocalTime::new("Europe/Paris", utc);
        assert_eq!(paris.at(&utc), "2026-07-01 14:00");
        assert_eq!(paris.iso(&utc), "2026-07-01T12:00:00Z");
        assert_eq!(LocalTime::new("Not/AZone", utc).at(&utc), "2026-07-01 12:00");
    }
}
