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

    /// The wall-clock time in the user's zone of an instant stored in UTC.
    pub fn local(&self, utc: &NaiveDateTime) -> NaiveDateTime {
        self.zone.from_utc_datetime(utc).naive_local()
    }

    /// The instant (UTC) of a wall-clock time in the user's zone: the earlier one when the
    /// clocks go back, none in the hour skipped when they go forward.
    pub fn utc_of(&self, local: NaiveDateTime) -> Option<NaiveDateTime> {
        self.zone.from_local_datetime(&local).earliest().map(|t| t.naive_utc())
    }
}

/// Monday of the week holding `date`.
pub fn monday_of(date: chrono::NaiveDate) -> chrono::NaiveDate {
    use chrono::Datelike;
    date - chrono::Duration::days(i64::from(date.weekday().num_days_from_monday()))
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

    #[test]
    fn wall_clock_times_become_instants() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 29).expect("date");
        let paris = LocalTime::new("Europe/Paris", day.and_hms_opt(0, 0, 0).expect("time"));
        // 02:30 does not exist in Paris that night (clocks go from 02:00 to 03:00).
        assert_eq!(paris.utc_of(day.and_hms_opt(2, 30, 0).expect("time")), None);
        let nine = paris.utc_of(day.and_hms_opt(9, 0, 0).expect("time")).expect("exists");
        assert_eq!(nine, day.and_hms_opt(7, 0, 0).expect("time"), "summer time: UTC+2");
        assert_eq!(paris.local(&nine), day.and_hms_opt(9, 0, 0).expect("time"));
        assert_eq!(monday_of(day), chrono::NaiveDate::from_ymd_opt(2026, 3, 23).expect("monday"));
    }
}
