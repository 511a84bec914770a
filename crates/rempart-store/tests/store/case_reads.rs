//! When each member of staff last opened each case: recorded, moved forward, read back per
//! user for a set of cases.

use crate::common::{beneficiary, case, user};
use chrono::Duration;
use rempart_core::Role;
use rempart_store::case_reads::{last_read, mark};
use rempart_store::now;
use rempart_test_db::{TestDb, on_both_backends};

fn reads_are_kept_per_user_and_case(db: TestDb) {
    let mut conn = db.conn();
    let hana = user(&mut conn, "hana@helpline.example", Role::Handler);
    let colin = user(&mut conn, "colin@helpline.example", Role::Handler);
    let ana = beneficiary(&mut conn, "ana@example.org");
    let first = case(&mut conn, &ana.id, "Compte piraté");
    let second = case(&mut conn, &ana.id, "Menaces");
    let ids = [first.id.as_str(), second.id.as_str()];
    assert!(last_read(&mut conn, &hana.id, &ids).expect("read").is_empty(), "never opened");
    assert!(last_read(&mut conn, &hana.id, &[]).expect("read").is_empty());

    let at = now();
    mark(&mut conn, &hana.id, &first.id, at).expect("mark");
    let later = at + Duration::minutes(5);
    mark(&mut conn, &hana.id, &first.id, later).expect("mark again");
    mark(&mut conn, &colin.id, &second.id, at).expect("colin");
    let hers = last_read(&mut conn, &hana.id, &ids).expect("read");
    assert_eq!(hers.len(), 1, "her reads only: {hers:?}");
    assert_eq!(hers[&first.id], later, "the latest opening");
    assert_eq!(last_read(&mut conn, &colin.id, &ids).expect("read")[&second.id], at);
}

on_both_backends!(reads_are_kept_per_user_and_case);
