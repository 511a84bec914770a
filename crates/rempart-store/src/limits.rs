//! Failed sign-in attempts, kept in the database so that every `serve` process on one
//! PostgreSQL counts the same failures. Keys are chosen by the caller (an account and a
//! client address together, an address, a signed-in user); time is the caller's, so tests
//! control the clock.

use crate::db::DbConn;
use crate::error::StoreResult;
use crate::schema::auth_failures;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

/// How failures turn into waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitPolicy {
    /// Failures allowed within `window` before the key must wait.
    pub max_failures: u32,
    /// Failures older than this are forgotten.
    pub window: Duration,
    /// The first wait; each further failure doubles it, up to `window`.
    pub first_wait: Duration,
}

impl LimitPolicy {
    /// How long a key with `failures` in its window must wait after the last one.
    pub fn wait_after(&self, failures: u32) -> Option<Duration> {
        if failures < self.max_failures {
            return None;
        }
        let doublings = (failures - self.max_failures).min(20);
        let wait = self.first_wait * 2_i32.saturating_pow(doublings);
        Some(wait.min(self.window))
    }
}

/// Seconds until every key of `keys` may try again, or `None` when none of them waits.
pub fn blocked(conn: &mut DbConn, keys: &[&str], now: NaiveDateTime) -> StoreResult<Option<u64>> {
    let until: Vec<Option<NaiveDateTime>> = auth_failures::table
        .filter(auth_failures::key.eq_any(keys))
        .filter(auth_failures::blocked_until.gt(now))
        .select(auth_failures::blocked_until)
        .load(conn)?;
    Ok(until.into_iter().flatten().max().map(|t| u64::try_from((t - now).num_seconds()).unwrap_or(0).max(1)))
}

/// Counts one failure for each of `keys` under its policy; a key past its maximum waits,
/// longer with each further failure. Forgets keys idle for a day.
pub fn record_failure(conn: &mut DbConn, keys: &[(&str, LimitPolicy)], now: NaiveDateTime) -> StoreResult<()> {
    conn.write(|conn| {
        diesel::delete(auth_failures::table.filter(auth_failures::last_failure_at.lt(now - Duration::days(1))))
            .execute(conn)?;
        for (key, policy) in keys {
            let key = *key;
            // A window that has passed starts again.
            diesel::delete(
                auth_failures::table
                    .filter(auth_failures::key.eq(key))
                    .filter(auth_failures::window_started_at.lt(now - policy.window))
                    .filter(auth_failures::blocked_until.is_null().or(auth_failures::blocked_until.le(now))),
            )
            .execute(conn)?;
            let row = (
                auth_failures::key.eq(key),
                auth_failures::failures.eq(0),
                auth_failures::window_started_at.eq(now),
                auth_failures::last_failure_at.eq(now),
            );
            match conn {
                DbConn::Sqlite(c) => {
                    diesel::insert_into(auth_failures::table).values(row).on_conflict_do_nothing().execute(c)?
                }
                DbConn::Postgres(c) => {
                    diesel::insert_into(auth_failures::table).values(row).on_conflict_do_nothing().execute(c)?
                }
            };
            // One increment in SQL: concurrent failures on several instances all count.
            diesel::update(auth_failures::table.find(key))
                .set((auth_failures::failures.eq(auth_failures::failures + 1), auth_failures::last_failure_at.eq(now)))
                .execute(conn)?;
            let failures: i32 = auth_failures::table.find(key).select(auth_failures::failures).first(conn)?;
            if let Some(wait) = policy.wait_after(u32::try_from(failures).unwrap_or(u32::MAX)) {
                diesel::update(auth_failures::table.find(key))
                    .set(auth_failures::blocked_until.eq(Some(now + wait)))
                    .execute(conn)?;
            }
        }
        Ok(())
    })
}

/// Forgets the failures of `key` (a successful sign-in).
pub fn clear(conn: &mut DbConn, key: &str) -> StoreResult<()> {
    diesel::delete(auth_failures::table.find(key)).execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_from_the_maximum_up_to_the_window() {
        let policy = LimitPolicy { max_failures: 5, window: Duration::minutes(15), first_wait: Duration::minutes(1) };
        assert_eq!(policy.wait_after(4), None);
        assert_eq!(policy.wait_after(5), Some(Duration::minutes(1)));
        assert_eq!(policy.wait_after(6), Some(Duration::minutes(2)));
        assert_eq!(policy.wait_after(8), Some(Duration::minutes(8)));
        assert_eq!(policy.wait_after(9), Some(Duration::minutes(15)));
        assert_eq!(policy.wait_after(500), Some(Duration::minutes(15)));
    }
}
