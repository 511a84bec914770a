//! When each member of staff last opened each case, so that the queues can mark the cases
//! with activity since (a message, a comment, a change of anyone's).

use crate::db::DbConn;
use crate::error::StoreResult;
use crate::schema::case_reads;
use crate::util::new_id;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::HashMap;

/// Records that `user_id` opened `case_id` at `at`.
pub fn mark(conn: &mut DbConn, user_id: &str, case_id: &str, at: NaiveDateTime) -> StoreResult<()> {
    conn.write(|conn| {
        let mine = case_reads::table.filter(case_reads::user_id.eq(user_id)).filter(case_reads::case_id.eq(case_id));
        let updated = diesel::update(mine).set(case_reads::read_at.eq(at)).execute(conn)?;
        if updated == 0 {
            diesel::insert_into(case_reads::table)
                .values((
                    case_reads::id.eq(new_id()),
                    case_reads::user_id.eq(user_id),
                    case_reads::case_id.eq(case_id),
                    case_reads::read_at.eq(at),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
}

/// When `user_id` last opened each of `case_ids` (those never opened are absent).
pub fn last_read(conn: &mut DbConn, user_id: &str, case_ids: &[&str]) -> StoreResult<HashMap<String, NaiveDateTime>> {
    if case_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(String, NaiveDateTime)> = case_reads::table
        .filter(case_reads::user_id.eq(user_id))
        .filter(case_reads::case_id.eq_any(case_ids))
        .select((case_reads::case_id, case_reads::read_at))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}
