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
