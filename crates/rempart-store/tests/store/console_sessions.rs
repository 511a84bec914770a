//! Console sessions: found by the digest of their cookie token, kept alive by use, ended,
//! and forgotten once idle or too old.

use crate::common::user;
use chrono::Duration;
use rempart_core::Role;
use rempart_store::console_sessions::ConsoleSession;
use rempart_store::now;
use rempart_test_db::{TestDb, on_both_backends};

fn sessions_are_found_touched_ended_and_purged(db: TestDb) {
    let mut conn = db.conn();
    let hana = user(&mut conn, "hana@helpline.example", Role::Handler);
    let started = ConsoleSession::start(&mut conn, &hana.id, hana.token_version, "digest-a", "csrf-a").expect("a");
    let found = ConsoleSession::find(&mut conn, "digest-a").expect("find").expect("the session");
    assert_eq!((found.id.as_str(), found.csrf_token.as_str()), (started.id.as_str(), "csrf-a"));
    assert!(ConsoleSession::find(&mut conn, "digest-z").expect("find").is_none());

    let later = now() + Duration::minutes(20);
    ConsoleSession::touch(&mut conn, &started.id, later).expect("touch");
    assert_eq!(ConsoleSession::find(&mut conn, "digest-a").expect("find").expect("s").last_seen_at, later);

    let other = ConsoleSession::start(&mut conn, &hana.id, hana.token_version, "digest-b", "csrf-b").expect("b");
    // Idle since before `later - 1 min`: only b (a was used at `later`).
    let purged = ConsoleSession::purge(&mut conn, later - Duration::minutes(1), now() - Duration::hours(12));
    assert_eq!(purged.expect("purge"), 1);
    assert!(ConsoleSession::find(&mut conn, "digest-b").expect("find").is_none(), "{}", other.id);
    // Begun too long ago, however recently used.
    assert_eq!(
        ConsoleSession::purge(&mut conn, now() - Duration::hours(1), now() + Duration::seconds(1)).expect("purge"),
        1
    );
    let third = ConsoleSession::start(&mut conn, &hana.id, hana.token_version, "digest-c", "csrf-c").expect("c");
    ConsoleSession::end(&mut conn, &third.id).expect("end");
    assert!(ConsoleSession::find(&mut conn, "digest-c").expect("find").is_none());
}

on_both_backends!(sessions_are_found_touched_ended_and_purged);
