//! The IMAP fetcher against a real Dovecot on loopback, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used)]

mod support;

use rempart_mail::imap::{ImapConfig, ImapFetcher, ImapTls, Pass};
use rempart_mail::{Gateway, Keyring, Limits};
use rempart_store::Backend;
use rempart_store::mail::QuarantinedMail;
use rempart_test_db::{TestDb, on_both_backends};
use support::{Dovecot, Gpg, pgp_mime, plain, protected_inner};

const HELPLINE: &str = "help@helpline.example";

fn fetcher(db: &TestDb, dovecot: &Dovecot, keyring: &Keyring, processed: &str) -> ImapFetcher {
    ImapFetcher {
        config: ImapConfig {
            host: "127.0.0.1".into(),
            port: dovecot.port,
            tls: ImapTls::None,
            username: "help".into(),
            password: "secret".into(),
            mailbox: "INBOX".into(),
            processed_mailbox: processed.into(),
            poll_secs: 1,
        },
        pool: db.pool().clone(),
        gateway: Gateway { keyring: Some(keyring.clone()), limits: Limits::default(), ..Default::default() },
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

/// New mail is committed, then marked \Seen; a second pass finds nothing new; a second
/// delivery of the same message is recognised; garbage is quarantined, never dropped.
fn fetches_marks_seen_after_commit_and_is_idempotent(db: TestDb) {
    let keyring = Keyring::generate(&format!("Helpline <{HELPLINE}>")).unwrap();
    let ana = Gpg::new("Ana", "ana@example.net");
    ana.import(keyring.public_armored().unwrap().as_bytes());
    let dovecot = Dovecot::start();
    let encrypted = pgp_mime(
        &ana.email,
        HELPLINE,
        "...",
        "imap1@example.net",
        "",
        &ana.encrypt_sign(HELPLINE, &protected_inner("Par IMAP", "Message chiffré.")),
    );
    dovecot.deliver("INBOX", &encrypted);
    dovecot.deliver("INBOX", &plain("bo@example.org", "Clair", "imap2@example.org", "Bonjour."));
    dovecot.deliver("INBOX", b"\xfe\xffgarbage\xff");

    let f = fetcher(&db, &dovecot, &keyring, "");
    let rt = runtime();
    rt.block_on(async {
        let mut session = f.connect().await.unwrap();
        let pass = f.fetch_once(&mut session).await.unwrap();
        assert_eq!(pass, Pass { stored: 2, duplicates: 0, quarantined: 1 });
        assert!(
            dovecot.flags("INBOX").iter().all(|(_, flags)| flags.contains("\\Seen")),
            "{:?}",
            dovecot.flags("INBOX")
        );
        assert_eq!(f.fetch_once(&mut session).await.unwrap(), Pass::default(), "nothing new");

        // The MTA delivers the encrypted message a second time.
        dovecot.deliver("INBOX", &encrypted);
        let pass = f.fetch_once(&mut session).await.unwrap();
        assert_eq!(pass, Pass { stored: 0, duplicates: 1, quarantined: 0 });
        session.logout().await;
    });
    let quarantined = QuarantinedMail::list(&mut db.conn(), true, 10).unwrap();
    assert_eq!(quarantined.len(), 1);
    assert_eq!(quarantined[0].source, "imap");
    assert_eq!(QuarantinedMail::raw(&mut db.conn(), &quarantined[0].id).unwrap(), b"\xfe\xffgarbage\xff");
}

/// With a processed folder, mail moves there after the commit.
fn moves_to_the_processed_folder(db: TestDb) {
    let keyring = Keyring::generate(&format!("Helpline <{HELPLINE}>")).unwrap();
    let dovecot = Dovecot::start();
    dovecot.create_mailbox("Processed");
    dovecot.deliver("INBOX", &plain("bo@example.org", "Un", "mv1@example.org", "Premier."));
    dovecot.deliver("INBOX", &plain("bo@example.org", "Deux", "mv2@example.org", "Second."));
    let f = fetcher(&db, &dovecot, &keyring, "Processed");
    runtime().block_on(async {
        let mut session = f.connect().await.unwrap();
        assert_eq!(f.fetch_once(&mut session).await.unwrap().stored, 2);
        session.logout().await;
    });
    assert!(dovecot.flags("INBOX").is_empty());
    assert_eq!(dovecot.flags("Processed").len(), 2);
}

/// When nothing can be committed (here: a database without its schema), the message stays
/// unseen in the mailbox for the next pass. On each engine, through `TestDb::empty`.
fn a_message_stays_unseen_when_the_database_cannot_take_it(backend: Backend) {
    let keyring = Keyring::generate(&format!("Helpline <{HELPLINE}>")).unwrap();
    let dovecot = Dovecot::start();
    dovecot.deliver("INBOX", &plain("bo@example.org", "Perdu ?", "lost@example.org", "Jamais perdu."));
    let db = TestDb::empty(backend);
    let f = fetcher(&db, &dovecot, &keyring, "");
    runtime().block_on(async {
        let mut session = f.connect().await.unwrap();
        assert!(f.fetch_once(&mut session).await.is_err());
        session.logout().await;
    });
    let flags = dovecot.flags("INBOX");
    assert_eq!(flags.len(), 1);
    assert!(!flags[0].1.contains("\\Seen"), "left for the next pass: {flags:?}");
}

/// Two fetchers (two `serve` processes) on one mailbox at once: every message is filed
/// exactly once.
fn two_fetchers_never_file_a_message_twice(db: TestDb) {
    let keyring = Keyring::generate(&format!("Helpline <{HELPLINE}>")).unwrap();
    let dovecot = Dovecot::start();
    for i in 0..20 {
        dovecot
            .deliver("INBOX", &plain(&format!("p{i}@example.org"), "Aide", &format!("race{i}@example.org"), "Vite."));
    }
    let a = fetcher(&db, &dovecot, &keyring, "");
    let b = fetcher(&db, &dovecot, &keyring, "");
    let passes: Vec<Pass> = std::thread::scope(|scope| {
        let handles: Vec<_> = [&a, &b]
            .into_iter()
            .map(|f| {
                scope.spawn(move || {
                    runtime().block_on(async {
                        let mut session = f.connect().await.unwrap();
                        let pass = f.fetch_once(&mut session).await.unwrap();
                        session.logout().await;
                        pass
                    })
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let stored: usize = passes.iter().map(|p| p.stored).sum();
    assert_eq!(stored, 20, "each message filed once: {passes:?}");
    let cases = rempart_store::cases::Case::list(&mut db.conn(), &Default::default(), None, 100).unwrap();
    assert_eq!(cases.len(), 20);
}

#[test]
fn a_message_stays_unseen_when_the_sqlite_database_cannot_take_it() {
    a_message_stays_unseen_when_the_database_cannot_take_it(Backend::Sqlite);
}

#[test]
fn a_message_stays_unseen_when_the_postgres_database_cannot_take_it() {
    a_message_stays_unseen_when_the_database_cannot_take_it(Backend::Postgres);
}

on_both_backends!(
    fetches_marks_seen_after_commit_and_is_idempotent,
    moves_to_the_processed_folder,
    two_fetchers_never_file_a_message_twice
);
