//! Case references under concurrent creation: unique and without gaps.

mod common;

use chrono::Datelike;
use rempart_store::cases::{Case, NewCase};
use rempart_test_db::{TestDb, on_both_backends};
use std::sync::{Arc, Barrier};

const CREATORS: usize = 16;
const CASES_EACH: usize = 20;

fn sixteen_concurrent_creators_get_distinct_gapless_references(db: TestDb) {
    let beneficiary_id = common::beneficiary(&mut db.conn(), "ana@example.org").id;
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
    let b = common::beneficiary(&mut conn, "ana@example.org");
    Case::create(&mut conn, NewCase::new(&b.id, "first"), None).expect("first");
    let bad =
        Case::create(&mut conn, NewCase { assignee_id: Some("ghost".into()), ..NewCase::new(&b.id, "bad") }, None);
    assert!(bad.is_err());
    let next = Case::create(&mut conn, NewCase::new(&b.id, "second"), None).expect("second");
    assert_eq!(next.reference.number(), 2, "the rolled-back creation left no gap");
}

on_both_backends!(sixteen_concurrent_creators_get_distinct_gapless_references, a_failed_creation_gives_its_number_back);
