//! Indicators (addresses, numbers, plates, domains...) and their correlation: "has this
//! been reported before?" (seed 001). A match is shown only where its case may be seen.

use crate::actor::Actor;
use crate::error::AppResult;
use rempart_core::IndicatorRules;
use rempart_store::DbConn;
use rempart_store::indicators::{Indicator, IndicatorMatch, NewIndicator};

/// Every case `actor` may see that holds `value`, whatever kind it was filed under.
pub fn lookup(conn: &mut DbConn, actor: &Actor, rules: IndicatorRules, value: &str) -> AppResult<Vec<IndicatorMatch>> {
    let found = Indicator::lookup(conn, rules, value)?;
    crate::cases::keep_visible(conn, actor, found, |m| &m.indicator.case_id)
}

/// The other cases `actor` may see that share one of case `raw`'s indicators.
pub fn correlations(conn: &mut DbConn, actor: &Actor, raw: &str) -> AppResult<Vec<IndicatorMatch>> {
    let case = crate::cases::visible(conn, actor, raw, "correlations")?;
    let found = Indicator::correlate(conn, &case.id)?;
    crate::cases::keep_visible(conn, actor, found, |m| &m.indicator.case_id)
}

/// The indicators of case `raw`.
pub fn of_case(conn: &mut DbConn, actor: &Actor, raw: &str) -> AppResult<Vec<Indicator>> {
    let case = crate::cases::visible(conn, actor, raw, "indicators")?;
    Ok(Indicator::for_case(conn, &case.id)?)
}

/// Adds an indicator to case `raw`, normalised under the helpline's `rules`.
pub fn add(
    conn: &mut DbConn,
    actor: &Actor,
    raw: &str,
    new: NewIndicator<'_>,
    rules: IndicatorRules,
) -> AppResult<Indicator> {
    let case = crate::cases::visible(conn, actor, raw, "indicator")?;
    Ok(Indicator::add(conn, &case.id, new, rules, actor.id())?)
}
