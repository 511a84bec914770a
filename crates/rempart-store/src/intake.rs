//! New cases under the rota: the decision, then the insert with the chosen person's load
//! read again under a lock of that person, so that creations running side by side (several
//! instances on one PostgreSQL, or several requests of one) never take anyone over their
//! capacity or weekly cap of critical cases.

use crate::cases::{Case, NewCase};
use crate::db::DbConn;
use crate::error::StoreResult;
use crate::schema::users;
use crate::util::now;
use diesel::prelude::*;
use rempart_rota::{Decision, NewCaseInfo, Policy};

/// How many times a decision is taken again when its choice filled up meanwhile.
const ATTEMPTS: usize = 3;

/// Decides who takes a new case and inserts it with that decision. The chosen person is
/// locked for the transaction (an advisory lock on PostgreSQL, the write lock on SQLite)
/// and their load read again: if another creation filled them up in between, the decision
/// is taken again; after a few rounds the case waits unassigned and the leads are alerted.
pub fn insert_under_rota(
    conn: &mut DbConn,
    new: NewCase,
    actor: Option<&str>,
    info: &NewCaseInfo,
    policy: &Policy,
) -> StoreResult<(Case, Decision)> {
    for _ in 0..ATTEMPTS {
        let decision = crate::rota::decide_for_new_case(conn, info, policy)?;
        let Some(assignee) = decision.assignee.clone() else {
            let case = Case::insert_decided(conn, NewCase { assignee_id: None, ..new }, actor, Some(&decision))?;
            return Ok((case, decision));
        };
        let placed = conn.write(|conn| {
            if let DbConn::Postgres(pg) = conn {
                diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext($1))")
                    .bind::<diesel::sql_types::Text, _>(format!("rempart-assignee:{assignee}"))
                    .execute(pg)?;
            }
            if !still_fits(conn, &assignee, info, policy)? {
                return Ok(None);
            }
            let new = NewCase { assignee_id: Some(assignee.clone()), ..new.clone() };
            Ok::<_, crate::StoreError>(Some(Case::insert_decided(conn, new, actor, Some(&decision))?))
        })?;
        if let Some(case) = placed {
            return Ok((case, decision));
        }
        tracing::info!(%assignee, "the person the rota chose filled up meanwhile: deciding again");
    }
    let decision = Decision {
        assignee: None,
        reasons: vec![
            "everyone the rota chose filled up meanwhile: the case waits unassigned and the leads are alerted"
                .to_owned(),
        ],
        via_standby: false,
        alert_leads: true,
    };
    let case = Case::insert_decided(conn, NewCase { assignee_id: None, ..new }, actor, Some(&decision))?;
    Ok((case, decision))
}

/// Whether `assignee` can still take a case of `info` now (read inside the lock).
fn still_fits(conn: &mut DbConn, assignee: &str, info: &NewCaseInfo, policy: &Policy) -> StoreResult<bool> {
    let load = crate::rota::loads_of(conn, &[assignee.to_owned()], now(), policy)?.remove(assignee).unwrap_or_default();
    let capacity: i32 = users::table.find(assignee).select(users::capacity).first(conn)?;
    let capacity = u32::try_from(capacity).unwrap_or(0);
    let fits = load.weighted.saturating_add(policy.weights.of(info.urgency)) <= capacity;
    let under_cap = !info.is_critical() || load.critical_this_week < policy.critical_cap_per_week;
    Ok(fits && under_cap)
}
