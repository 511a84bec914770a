//! Anonymised statistics for donors and advocacy: counts of cases by month, service type,
//! audience type, threat type and urgency, with median times to first response and to
//! resolution. A cell counting fewer than the minimum is suppressed, and a median drawn
//! from fewer values than the minimum is withheld, so that no one case can be singled out.
//! Pure: the store supplies the facts.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;
use std::collections::BTreeMap;

/// The facts of one case that statistics may use (no identity, no content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFacts {
    pub created_at: NaiveDateTime,
    pub service_type: Option<String>,
    pub audience_type: Option<String>,
    pub threat_type: Option<String>,
    pub urgency: String,
    pub first_response_at: Option<NaiveDateTime>,
    pub resolved_at: Option<NaiveDateTime>,
}

/// One combination of month and categories.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cell {
    /// `YYYY-MM` of the case's creation (UTC).
    pub month: String,
    /// A code, or `unspecified`.
    pub service_type: String,
    pub audience_type: String,
    pub threat_type: String,
    pub urgency: String,
    pub cases: u64,
    /// Median minutes from creation to the first response; absent when fewer than the
    /// minimum count of cases have one.
    pub median_first_response_minutes: Option<i64>,
    /// Median minutes from creation to resolution, likewise.
    pub median_resolution_minutes: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    /// Cells counting fewer cases than this are left out.
    pub min_cell: u32,
    pub cells: Vec<Cell>,
    /// How many cells were left out (not how many cases: with the shown cells, a count of
    /// cases would give the missing ones away by subtraction).
    pub suppressed_cells: usize,
}

const UNSPECIFIED: &str = "unspecified";

fn median(values: &mut [i64]) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 { values[mid] } else { (values[mid - 1] + values[mid]) / 2 })
}

/// Groups the facts into cells and suppresses the small ones. `min_cell` below 1 counts as 1.
pub fn aggregate(facts: &[CaseFacts], min_cell: u32) -> Report {
    let min = u64::from(min_cell.max(1));
    type Key = (String, String, String, String, String);
    let mut groups: BTreeMap<Key, (u64, Vec<i64>, Vec<i64>)> = BTreeMap::new();
    for f in facts {
        let key = (
            f.created_at.format("%Y-%m").to_string(),
            f.service_type.clone().unwrap_or_else(|| UNSPECIFIED.into()),
            f.audience_type.clone().unwrap_or_else(|| UNSPECIFIED.into()),
            f.threat_type.clone().unwrap_or_else(|| UNSPECIFIED.into()),
            f.urgency.clone(),
        );
        let entry = groups.entry(key).or_default();
        entry.0 += 1;
        if let Some(at) = f.first_response_at {
            entry.1.push((at - f.created_at).num_minutes().max(0));
        }
        if let Some(at) = f.resolved_at {
            entry.2.push((at - f.created_at).num_minutes().max(0));
        }
    }
    let mut cells = Vec::new();
    let mut suppressed_cells = 0;
    for ((month, service_type, audience_type, threat_type, urgency), (cases, mut first, mut resolved)) in groups {
        if cases < min {
            suppressed_cells += 1;
            continue;
        }
        let enough = |v: &Vec<i64>| u64::try_from(v.len()).unwrap_or(u64::MAX) >= min;
        cells.push(Cell {
            month,
            service_type,
            audience_type,
            threat_type,
            urgency,
            cases,
            median_first_response_minutes: if enough(&first) { median(&mut first) } else { None },
            median_resolution_minutes: if enough(&resolved) { median(&mut resolved) } else { None },
        });
    }
    Report { min_cell: min_cell.max(1), cells, suppressed_cells }
}

/// The report as CSV (RFC 4180), one line per cell, empty fields for withheld medians.
pub fn to_csv(report: &Report) -> String {
    let mut out = String::from(
        "month,service_type,audience_type,threat_type,urgency,cases,median_first_response_minutes,median_resolution_minutes\r\n",
    );
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    for c in &report.cells {
        // Codes are [a-z0-9_] (taxonomy codes), so no field needs quoting.
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{}\r\n",
            c.month,
            c.service_type,
            c.audience_type,
            c.threat_type,
            c.urgency,
            c.cases,
            opt(c.median_first_response_minutes),
            opt(c.median_resolution_minutes)
        ));
    }
    out
}

/// The months asked for (`YYYY-MM`, both included) as a time range; without `to`, the
/// month of `today`; without `from`, eleven months before `to` (a year of figures).
pub fn months_or_default(
    from: Option<&str>,
    to: Option<&str>,
    today: NaiveDate,
) -> Result<(NaiveDateTime, NaiveDateTime), String> {
    let to = to.map_or_else(|| today.format("%Y-%m").to_string(), str::to_owned);
    let from = match from {
        Some(f) => f.to_owned(),
        None => NaiveDate::parse_from_str(&format!("{to}-01"), "%Y-%m-%d")
            .map_err(|_| format!("to: expected a month as YYYY-MM, got {to:?}"))?
            .checked_sub_months(chrono::Months::new(11))
            .ok_or("to: out of range")?
            .format("%Y-%m")
            .to_string(),
    };
    month_range(&from, &to)
}

/// `[first day of from_month, first day after to_month)` from `YYYY-MM` strings.
pub fn month_range(from: &str, to: &str) -> Result<(NaiveDateTime, NaiveDateTime), String> {
    let parse = |s: &str, field: &str| {
        NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d")
            .map_err(|_| format!("{field}: expected a month as YYYY-MM, got {s:?}"))
    };
    let start = parse(from, "from")?;
    let end = parse(to, "to")?;
    if end < start {
        return Err("to: before from".into());
    }
    let after = end.checked_add_months(chrono::Months::new(1)).ok_or("to: out of range")?;
    Ok((start.and_hms_opt(0, 0, 0).unwrap_or_default(), after.and_hms_opt(0, 0, 0).unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, NaiveDate};

    fn fact(day: u32, service: &str, urgency: &str, response_min: Option<i64>) -> CaseFacts {
        let created = NaiveDate::from_ymd_opt(2026, 3, day).and_then(|d| d.and_hms_opt(9, 0, 0)).expect("date");
        CaseFacts {
            created_at: created,
            service_type: Some(service.into()),
            audience_type: Some("journalist".into()),
            threat_type: None,
            urgency: urgency.into(),
            first_response_at: response_min.map(|m| created + Duration::minutes(m)),
            resolved_at: None,
        }
    }

    #[test]
    fn months_default_to_the_last_twelve_and_refuse_nonsense() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).expect("date");
        let at = |y, m| NaiveDate::from_ymd_opt(y, m, 1).and_then(|d| d.and_hms_opt(0, 0, 0)).expect("date");
        assert_eq!(months_or_default(None, None, today), Ok((at(2025, 12), at(2026, 12))));
        assert_eq!(months_or_default(Some("2026-02"), Some("2026-02"), today), Ok((at(2026, 2), at(2026, 3))));
        assert_eq!(months_or_default(None, Some("2026-12"), today), Ok((at(2026, 1), at(2027, 1))));
        for (from, to, field) in [
            (Some("2026-13"), None, "from"),
            (Some("2026-05"), Some("2026-01"), "to"),
            (None, Some("soon"), "to"),
            (Some(""), Some("2026-01"), "from"),
        ] {
            let err = months_or_default(from, to, today).expect_err("refused");
            assert!(err.starts_with(field), "{from:?} {to:?}: {err}");
        }
    }

    #[test]
    fn small_cells_are_suppressed_and_counted() {
        let mut facts: Vec<CaseFacts> =
            (1..=6).map(|d| fact(d, "account_compromise", "high", Some(i64::from(d) * 10))).collect();
        facts.extend((1..=4).map(|d| fact(d, "online_harassment", "critical", Some(5))));
        facts.push(fact(2, "website_down", "low", None));
        let report = aggregate(&facts, 5);
        assert_eq!(report.cells.len(), 1);
        assert_eq!(report.suppressed_cells, 2);
        let cell = &report.cells[0];
        assert_eq!(
            (cell.month.as_str(), cell.service_type.as_str(), cell.threat_type.as_str()),
            ("2026-03", "account_compromise", "unspecified")
        );
        assert_eq!(cell.cases, 6);
        assert_eq!(cell.median_first_response_minutes, Some(35), "median of 10..60 by 10");
        assert_eq!(cell.median_resolution_minutes, None, "no resolution yet");
        // No output names a suppressed category.
        let csv = to_csv(&report);
        assert!(!csv.contains("online_harassment") && !csv.contains("website_down"), "{csv}");
        assert_eq!(csv.lines().count(), 2);
        assert!(csv.lines().nth(1).expect("row").ends_with(",6,35,"), "{csv}");
    }

    #[test]
    fn medians_from_too_few_values_are_withheld() {
        let mut facts: Vec<CaseFacts> = (1..=5).map(|d| fact(d, "account_compromise", "high", None)).collect();
        facts[0].first_response_at = Some(facts[0].created_at + Duration::minutes(42));
        let report = aggregate(&facts, 5);
        assert_eq!(report.cells[0].cases, 5);
        assert_eq!(report.cells[0].median_first_response_minutes, None, "one case's own time would show");
        assert_eq!(aggregate(&facts, 1).cells[0].median_first_response_minutes, Some(42));
    }

    #[test]
    fn every_case_is_counted_once_whatever_the_threshold() {
        let facts: Vec<CaseFacts> = (1..=28)
            .map(|d| {
                fact(
                    d,
                    ["account_compromise", "online_harassment"][d as usize % 2],
                    ["high", "low", "critical"][d as usize % 3],
                    None,
                )
            })
            .collect();
        for min in 0..=30 {
            let report = aggregate(&facts, min);
            assert!(report.cells.iter().all(|c| c.cases >= u64::from(min.max(1))));
            let shown: u64 = report.cells.iter().map(|c| c.cases).sum();
            if min <= 1 {
                assert_eq!(shown, 28);
                assert_eq!(report.suppressed_cells, 0);
            }
            assert_eq!(report.cells.len() + report.suppressed_cells, 6, "2 services x 3 urgencies");
        }
    }
}
