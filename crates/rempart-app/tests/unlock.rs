//! Unlocking a sealed start: the right passphrase opens the master key; wrong ones over the
//! network are counted in the database and then wait, whatever passphrase comes next; the
//! local socket is not limited; a key that did not seal this database is refused. The clock
//! is the test's.

use chrono::Duration;
use rempart_app::unlock::{self, Channel, SealedMaster, UnlockError};
use rempart_test_db::{TestDb, on_both_backends};
use rempart_vault::MasterKey;

/// scrypt's cheapest work factor the tests use: the limit, not the cost, is under test.
const WORK_FACTOR: u8 = 4;

fn sealed(key: &MasterKey, passphrase: &str, master_ids: Vec<String>) -> SealedMaster {
    SealedMaster {
        file: rempart_vault::passphrase::protect(key, passphrase, WORK_FACTOR).expect("protect"),
        master_ids,
    }
}

fn the_right_passphrase_opens_the_master_key(db: TestDb) {
    let mut conn = db.conn();
    let key = MasterKey::generate();
    let sealed = sealed(&key, "correct horse battery staple", vec![key.id()]);
    let now = rempart_store::now();
    let opened = unlock::unlock(&mut conn, &sealed, "correct horse battery staple", Channel::Network, now)
        .expect("the right passphrase");
    assert_eq!(opened.id(), key.id());
    let other = MasterKey::generate();
    let not_ours = self::sealed(&other, "another passphrase here", vec![key.id()]);
    assert!(matches!(
        unlock::unlock(&mut conn, &not_ours, "another passphrase here", Channel::Network, now),
        Err(UnlockError::NotThisDatabase(..))
    ));
    assert!(matches!(
        unlock::unlock(
            &mut conn,
            &SealedMaster { file: b"garbage".to_vec(), master_ids: vec![] },
            "x",
            Channel::Network,
            now
        ),
        Err(UnlockError::Malformed(_))
    ));
}

fn wrong_passphrases_over_the_network_then_wait(db: TestDb) {
    let mut conn = db.conn();
    let key = MasterKey::generate();
    let sealed = sealed(&key, "the right one, long enough", vec![]);
    let now = rempart_store::now();
    for attempt in 0..unlock::MAX_FAILURES {
        let refused = unlock::unlock(&mut conn, &sealed, &format!("guess {attempt}"), Channel::Network, now);
        assert!(matches!(refused, Err(UnlockError::WrongPassphrase)), "attempt {attempt}: {refused:?}");
    }
    // Now even the right passphrase waits: a guess that happened to be right is not told so.
    match unlock::unlock(&mut conn, &sealed, "the right one, long enough", Channel::Network, now) {
        Err(UnlockError::Wait(seconds)) => assert!((1..=60).contains(&seconds), "waits {seconds} s"),
        other => panic!("expected to wait, got {other:?}"),
    }
    // The local socket is the service account's: not limited.
    let local = unlock::unlock(&mut conn, &sealed, "the right one, long enough", Channel::LocalSocket, now);
    assert_eq!(local.expect("local socket").id(), key.id());
    // The local unlock forgot the failures; they count again from zero.
    let later = now + Duration::seconds(1);
    assert!(unlock::unlock(&mut conn, &sealed, "the right one, long enough", Channel::Network, later).is_ok());
}

fn the_wait_ends_and_doubles(db: TestDb) {
    let mut conn = db.conn();
    let key = MasterKey::generate();
    let sealed = sealed(&key, "the right one, long enough", vec![]);
    let mut now = rempart_store::now();
    for _ in 0..unlock::MAX_FAILURES {
        let _ = unlock::unlock(&mut conn, &sealed, "wrong", Channel::Network, now);
    }
    now += Duration::seconds(61);
    // The first wait is over: one more try, wrong, waits twice as long.
    assert!(matches!(
        unlock::unlock(&mut conn, &sealed, "wrong", Channel::Network, now),
        Err(UnlockError::WrongPassphrase)
    ));
    match unlock::unlock(&mut conn, &sealed, "the right one, long enough", Channel::Network, now) {
        Err(UnlockError::Wait(seconds)) => assert!((61..=120).contains(&seconds), "waits {seconds} s"),
        other => panic!("expected to wait, got {other:?}"),
    }
    now += Duration::seconds(121);
    assert!(unlock::unlock(&mut conn, &sealed, "the right one, long enough", Channel::Network, now).is_ok());
    // An empty passphrase is wrong without trying scrypt.
    assert!(matches!(unlock::unlock(&mut conn, &sealed, "", Channel::Network, now), Err(UnlockError::WrongPassphrase)));
}

on_both_backends!(
    the_right_passphrase_opens_the_master_key,
    wrong_passphrases_over_the_network_then_wait,
    the_wait_ends_and_doubles
);
