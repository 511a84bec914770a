//! The facts statistics are computed from (see `rempart_core::stats`).

use crate::db::DbConn;
use crate::error::StoreResult;
use crate::schema::{beneficiaries, cases};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use rempart_core::stats::CaseFacts;

/// Facts of the cases created in `[from, to)`: dates, categories, urgency. Nothing that
/// identifies anyone, so erased cases count like the others.
pub fn case_facts(conn: &mut DbConn, from: NaiveDateTime, to: NaiveDateTime) -> StoreResult<Vec<CaseFacts>> {
    type Row = (
        NaiveDateTime,
        Option<String>,
        Option<String>,
        Option<String>,
        String,
        Option<NaiveDateTime>,
        Option<NaiveDateTime>,
    );
    let rows: Vec<Row> = cases::table
        .inner_join(beneficiaries::table)
        .filter(cases::created_at.ge(from))
        .filter(cases::created_at.lt(to))
        .select((
            cases::created_at,
            cases::service_type,
            beneficiaries::audience_type,
            cases::threat_type,
            cases::urgency,
            cases::first_response_at,
            cases::resolved_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(created_at, service_type, audience_type, threat_type, urgency, first_response_at, resolved_at)| {
            CaseFacts { created_at, service_type, audience_type, threat_type, urgency, first_response_at, resolved_at }
        })
        .collect())
}

/// The months asked for (`YYYY-MM`, both included) as a time range; without `to`, the
/// month of `today`; without `from`, eleven months before `to` (a year of figures).
pub fn months_or_default(
    from: Option<&str>,
    to: Option<&str>,
    today: chrono::NaiveDate,
) -> Result<(NaiveDateTime, NaiveDateTime), String> {
    let to = to.map_or_else(|| today.format("%Y-%m").to_string(), str::to_owned);
    let from = match from {
        Some(f) => f.to_owned(),
        None => chrono::NaiveDate::parse_from_str(&format!("{to}-01"), "%Y-%m-%d")
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
        chrono::NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d")
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
