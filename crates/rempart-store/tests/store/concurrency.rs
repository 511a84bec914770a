//! Case references under concurrent creation: unique and without gaps.

use chrono::Datelike;
use rempart_store::cases::{Case, NewCase};
use rempart_test_db::{TestDb, on_both_backends};
use std::sync::{Arc, Barrier};

const CREATORS: usize = 16;
const CASES_EACH: usize = 20;

fn sixteen_concurrent_creators_get_distinct_gapless_references(db: TestDb) {
    let beneficiary_id = crate::common::beneficiary(&mut db.conn(), "ana@example.org").id;
    let barrier = Arc::new(Barrier::new(CREATORS));
    let references: Vec<u32> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..CREATORS)
            .map(|_| {
                let pool = db.pool().clone();
                let barrier = barrier.clone();
                let beneficiary_id = beneficiary_id.clone();
                scope.spawn(move || {
                    barrier.wait();
                    let mut conn = pool.get().expect("connection");
                    (0..CASES_EACH)
                        .map(|i| {
                            Case::create(&mut conn, NewCase::new(&beneficiary_id, format!("concurrent {i}")), None)
                                .expect("create under contention")
                                .reference
                                .number()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("creator thread")).collect()
    });
    let mut sorted = references.clone();
    sorted.sort_unstable();
    let expected: Vec<u32> = (1..=(CREATORS * CASES_EACH) as u32).collect();
    assert_eq!(sorted, expected, "no duplicates, no gaps");
    let year = chrono::Utc::now().year();
    assert_eq!(Case::count(&mut db.conn()).expect("count"), (CREATORS * CASES_EACH) as i64);
    let last = rempart_core::CaseReference::new(year, (CREATORS * CASES_EACH) as i64).expect("valid");
    assert!(Case::get_by_reference(&mut db.conn(), &last).is_ok());
}

fn a_failed_creation_gives_its_number_back(db: TestDb) {
    let mut conn = db.conn();
    let b = crate::common::beneficiary(&mut conn, "ana@example.org");
    Case::create(&mut conn, NewCase::new(&b.id, "first"), None).expect("first");
    let bad =
        Case::create(&mut conn, NewCase { assignee_id: Some("ghost".into()), ..NewCase::new(&b.id, "bad") }, None);
    assert!(bad.is_err());
    let next = Case::create(&mut conn, NewCase::new(&b.id, "second"), None).expect("second");
    assert_eq!(next.reference.number(), 2, "the rolled-back creation left no gap");
}

/// A creation that fails in the statement that numbers it (here the audit event names an
/// actor who does not exist, which no check before the numbering looks at) leaves no
/// case, no audit event and no used number behind.
fn a_creation_failing_while_numbered_gives_its_number_back(db: TestDb) {
    use diesel::prelude::*;
    use rempart_store::schema::{audit_events, cases};
    let mut conn = db.conn();
    let b = crate::common::beneficiary(&mut conn, "ana@example.org");
    Case::create(&mut conn, NewCase::new(&b.id, "first"), None).expect("first");
    let bad = Case::create(&mut conn, NewCase::new(&b.id, "bad"), Some("no-such-user"));
    assert!(matches!(bad, Err(rempart_store::StoreError::Invalid { .. })), "{bad:?}");
    let ids: Vec<String> = cases::table.select(cases::id).load(&mut *conn).expect("cases");
    assert_eq!(ids.len(), 1, "no case left behind");
    assert_eq!(Case::get(&mut conn, &ids[0]).expect("case").summary, "first");
    let keys: i64 = rempart_store::schema::data_keys::table
        .filter(rempart_store::schema::data_keys::owner.like("case:%"))
        .count()
        .get_result(&mut *conn)
        .expect("keys");
    assert_eq!(keys, 1, "the failed creation's data key went with it (the first case's stays)");
    let audited: i64 = audit_events::table
        .filter(audit_events::action.eq("case.created"))
        .count()
        .get_result(&mut *conn)
        .expect("audit");
    assert_eq!(audited, 1);
    let next = Case::create(&mut conn, NewCase::new(&b.id, "second"), None).expect("second");
    assert_eq!(next.reference.number(), 2, "the failed creation left no gap");
}

/// A case for a beneficiary who does not exist is refused as not found, and takes no number.
fn a_case_for_an_unknown_beneficiary_is_not_found(db: TestDb) {
    let mut conn = db.conn();
    let b = crate::common::beneficiary(&mut conn, "ana@example.org");
    let refused = Case::create(&mut conn, NewCase::new("no-such-beneficiary", "lost"), None);
    assert!(matches!(&refused, Err(rempart_store::StoreError::NotFound { entity: "beneficiary", .. })), "{refused:?}");
    let first = Case::create(&mut conn, NewCase::new(&b.id, "first"), None).expect("first");
    assert_eq!(first.reference.number(), 1, "the refused creation took no number");
}

/// Past the last number of a year, creation is refused with a conflict and changes nothing.
fn the_last_number_of_a_year_is_the_last(db: TestDb) {
    use diesel::prelude::*;
    use rempart_store::schema::case_reference_counters as counters;
    let mut conn = db.conn();
    let b = crate::common::beneficiary(&mut conn, "ana@example.org");
    let year = chrono::Utc::now().year();
    diesel::insert_into(counters::table)
        .values((counters::year.eq(year), counters::last_number.eq(999_998_i64)))
        .execute(&mut *conn)
        .expect("counter");
    let last = Case::create(&mut conn, NewCase::new(&b.id, "last"), None).expect("the last number");
    assert_eq!(last.reference.to_string(), format!("RMP-{year}-999999"));
    let refused = Case::create(&mut conn, NewCase::new(&b.id, "one too many"), None);
    assert!(matches!(refused, Err(rempart_store::StoreError::Conflict(_))), "{refused:?}");
    assert_eq!(Case::count(&mut conn).expect("count"), 1);
    let counter: i64 = counters::table.find(year).select(counters::last_number).first(&mut *conn).expect("counter");
    assert_eq!(counter, 999_999, "the refused creation took no number");
}

/// Every write bumps the version in SQL: concurrent assignments and attachments never
/// leave two states of a case under one version (one ETag).
fn concurrent_writes_each_get_their_own_version(db: TestDb) {
    use rempart_core::Role;
    use rempart_store::case_items::Comment;
    const WRITERS: usize = 8;
    const WRITES_EACH: usize = 10;
    let (case_id, users) = {
        let mut conn = db.conn();
        let b = crate::common::beneficiary(&mut conn, "ana@example.org");
        let case = crate::common::case(&mut conn, &b.id, "under contention");
        let users: Vec<String> = (0..WRITERS)
            .map(|n| crate::common::user(&mut conn, &format!("h{n}@helpline.example"), Role::Handler).id)
            .collect();
        (case.id, users)
    };
    let barrier = Arc::new(Barrier::new(WRITERS));
    std::thread::scope(|scope| {
        for (n, user) in users.iter().enumerate() {
            let (pool, barrier, case_id) = (db.pool().clone(), barrier.clone(), case_id.clone());
            scope.spawn(move || {
                let mut conn = pool.get().expect("connection");
                barrier.wait();
                for i in 0..WRITES_EACH {
                    if (n + i) % 2 == 0 {
                        Case::assign(&mut conn, &case_id, Some(user), "rebalance", None).expect("assign");
                    } else {
                        Comment::add(&mut conn, &case_id, &format!("note {n}-{i}"), Some(user)).expect("comment");
                    }
                }
            });
        }
    });
    let case = Case::get(&mut db.conn(), &case_id).expect("case");
    assert_eq!(case.version as usize, 1 + WRITERS * WRITES_EACH, "each write its own version");
}

on_both_backends!(
    concurrent_writes_each_get_their_own_version,
    sixteen_concurrent_creators_get_distinct_gapless_references,
    a_failed_creation_gives_its_number_back,
    a_creation_failing_while_numbered_gives_its_number_back,
    a_case_for_an_unknown_beneficiary_is_not_found,
    the_last_number_of_a_year_is_the_last,
);
