//! Failed sign-in attempts in the database: shared by every instance, waits that grow,
//! windows that pass, with a clock the test controls.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use rempart_store::limits::{self, LimitPolicy};
use rempart_test_db::{TestDb, on_both_backends};

fn at(minute: i64) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 12, 1).and_then(|d| d.and_hms_opt(9, 0, 0)).expect("time") + Duration::minutes(minute)
}

const POLICY: LimitPolicy =
    LimitPolicy { max_failures: 3, window: Duration::minutes(15), first_wait: Duration::minutes(1) };

fn failures_are_shared_wait_longer_and_pass(db: TestDb) {
    // Two connections: two instances of the service on one database.
    let (mut one, mut two) = (db.conn(), db.conn());
    let key = "login:ana@helpline.example|203.0.113.66";
    for _ in 0..2 {
        limits::record_failure(&mut one, &[(key, POLICY)], at(0)).expect("record");
    }
    assert_eq!(limits::blocked(&mut two, &[key], at(0)).expect("blocked?"), None);
    limits::record_failure(&mut two, &[(key, POLICY)], at(0)).expect("record");
    assert_eq!(limits::blocked(&mut one, &[key], at(0)).expect("blocked?"), Some(60), "the other instance counted");
    assert_eq!(limits::blocked(&mut one, &["login:ana@helpline.example|198.51.100.7"], at(0)).expect("other"), None);
    limits::record_failure(&mut one, &[(key, POLICY)], at(1)).expect("record");
    assert_eq!(limits::blocked(&mut two, &[key], at(1)).expect("blocked?"), Some(120), "twice as long");
    assert_eq!(limits::blocked(&mut two, &[key], at(3)).expect("blocked?"), None, "the wait passes");
    // After the window, failures start again from nothing.
    limits::record_failure(&mut one, &[(key, POLICY)], at(20)).expect("record");
    assert_eq!(limits::blocked(&mut one, &[key], at(20)).expect("blocked?"), None);
    // A success forgets them.
    for _ in 0..3 {
        limits::record_failure(&mut one, &[(key, POLICY)], at(21)).expect("record");
    }
    assert!(limits::blocked(&mut one, &[key], at(21)).expect("blocked?").is_some());
    limits::clear(&mut two, key).expect("clear");
    assert_eq!(limits::blocked(&mut one, &[key], at(21)).expect("blocked?"), None);
}

on_both_backends!(failures_are_shared_wait_longer_and_pass);
