//! Work that leaves Rempart (replies to beneficiaries, notifications to leads) is taken by
//! a worker under a lease and retried with one policy: the same backoff, the same number
//! of attempts before it is given up. Several workers (several processes on one
//! PostgreSQL) share a queue: a lease is a row update guarded by the row's previous state,
//! so two never hold the same row, and a worker that dies loses its lease when it runs out.

use crate::db::DbConn;
use crate::error::StoreResult;
use chrono::{Duration, NaiveDateTime};

/// Attempts before an item is given up: about 20 hours of retries with [`backoff`], after
/// which a person must look (a reply marked failed shows on its case).
pub const MAX_ATTEMPTS: i32 = 12;

/// Exponential backoff after `attempts` failed attempts: 1, 2, 4 ... minutes, at most 6
/// hours.
pub fn backoff(attempts: i32) -> Duration {
    let exp = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
    Duration::minutes(2_i64.saturating_pow(exp).min(360))
}

/// What follows a failed attempt, the `attempts`-th.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// Try again at this time.
    RetryAt(NaiveDateTime),
    /// Enough: mark it failed, for a person to look at.
    GiveUp,
}

/// The policy's answer for the `attempts`-th failed attempt, at `at`.
pub fn after_failure(attempts: i32, at: NaiveDateTime) -> AfterFailure {
    if attempts >= MAX_ATTEMPTS { AfterFailure::GiveUp } else { AfterFailure::RetryAt(at + backoff(attempts)) }
}

/// A lease taken now by `worker`, for `duration`.
#[derive(Debug, Clone, Copy)]
pub struct Lease<'a> {
    pub worker: &'a str,
    /// When it was taken: rows whose lease ran out before are free.
    pub at: NaiveDateTime,
    pub until: NaiveDateTime,
}

impl<'a> Lease<'a> {
    pub fn new(worker: &'a str, duration: Duration) -> Self {
        let at = crate::util::now();
        Self { worker, at, until: at + duration }
    }

    /// Takes the lease on each of `candidates` that is still free, in one write transaction:
    /// `take` is the guarded update of one row (1 when it took it, 0 when another worker
    /// was first), `load` reads what the worker needs of a row it took.
    pub(crate) fn take_each<T>(
        &self,
        conn: &mut DbConn,
        candidates: impl FnOnce(&mut DbConn) -> StoreResult<Vec<String>>,
        take: impl Fn(&mut DbConn, &str) -> StoreResult<usize>,
        load: impl Fn(&mut DbConn, &str) -> StoreResult<Option<T>>,
    ) -> StoreResult<Vec<T>> {
        conn.write(|conn| {
            let mut taken = Vec::new();
            for id in candidates(conn)? {
                if take(conn, &id)? == 1
                    && let Some(item) = load(conn, &id)?
                {
                    taken.push(item);
                }
            }
            Ok(taken)
        })
    }
}

/// The filter "free to take at `$at`" on a table's `locked_until` column.
macro_rules! lease_free {
    ($locked_until:path, $at:expr) => {
        $locked_until.is_null().or($locked_until.lt($at))
    };
}
pub(crate) use lease_free;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_backs_off_then_gives_up() {
        let at = chrono::DateTime::from_timestamp(0, 0).expect("epoch").naive_utc();
        assert_eq!(after_failure(1, at), AfterFailure::RetryAt(at + Duration::minutes(1)));
        assert_eq!(after_failure(3, at), AfterFailure::RetryAt(at + Duration::minutes(4)));
        assert_eq!(after_failure(11, at), AfterFailure::RetryAt(at + Duration::hours(6)));
        assert_eq!(after_failure(MAX_ATTEMPTS, at), AfterFailure::GiveUp);
        let total: i64 = (1..MAX_ATTEMPTS).map(|n| backoff(n).num_minutes()).sum();
        assert_eq!(total, 1_231, "about 20 hours of retries");
    }
}
