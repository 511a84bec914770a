//! The anonymised statistics for donors: counts of cases by month and category, with the
//! cells under the helpline's minimum size suppressed (analysts, leads, administrators).

use crate::access::{Capability, require};
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use chrono::NaiveDateTime;
use rempart_core::stats::Report;
use rempart_store::DbConn;

/// The report of cases created in `start`..`end`, cells under `requested` cases suppressed;
/// a request below the helpline's `floor` (`stats.min_cell`) is raised to it.
pub fn report(
    conn: &mut DbConn,
    actor: &Actor,
    start: NaiveDateTime,
    end: NaiveDateTime,
    requested: Option<u32>,
    floor: u32,
) -> AppResult<Report> {
    require(actor, Capability::ReadStatistics)?;
    let min_cell = match requested {
        None => floor,
        Some(n @ 1..=1000) => n.max(floor),
        Some(_) => return Err(AppError::validation("min_cell", "between 1 and 1000")),
    };
    let facts = rempart_store::stats::case_facts(conn, start, end)?;
    Ok(rempart_core::stats::aggregate(&facts, min_cell))
}
