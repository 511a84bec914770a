//! The spool of a sealed service, filed after the unlock, on SQLite and PostgreSQL: what
//! opens is filed; what cannot be opened is quarantined with its bytes, not tried forever.
#![allow(clippy::unwrap_used)]

mod support;

use rempart_mail::spool::{Filed, Spool};
use rempart_mail::{Gateway, Keyring, Limits, pgp};
use rempart_store::cases::{Case, CaseFilter};
use rempart_store::mail::QuarantinedMail;
use rempart_test_db::{TestDb, on_both_backends};
use support::plain;

const HELPLINE: &str = "Helpline <help@helpline.example>";

fn certificate_of(keyring: &Keyring) -> pgp::Certificate {
    pgp::parse_certificate(keyring.public_armored().unwrap().as_bytes()).unwrap()
}

/// Spooled to the helpline's certificate: filed as if it had just arrived. Spooled to a
/// key the helpline no longer holds, or damaged on disk: quarantined with the spooled
/// bytes, and the spool is emptied (the old code left both for the next pass, forever).
fn what_cannot_be_opened_is_quarantined_not_retried(db: TestDb) {
    let helpline = Keyring::generate(HELPLINE).unwrap();
    let gateway = Gateway { keyring: Some(helpline.clone()), limits: Limits::default(), ..Default::default() };
    let dir = tempfile::tempdir().unwrap();
    let spool = Spool::new(dir.path().join("spool"));

    spool
        .put(&plain("ana@example.net", "Compte volé", "s1@example.net", "Bonjour."), &certificate_of(&helpline))
        .unwrap();
    let former = Keyring::generate(HELPLINE).unwrap();
    let to_former = spool
        .put(&plain("bo@example.net", "Menaces", "s2@example.net", "Au secours."), &certificate_of(&former))
        .unwrap();
    let to_former_bytes = std::fs::read(&to_former).unwrap();
    let damaged = spool.dir().join("20261206T000000.000000-damaged.pgp");
    std::fs::write(&damaged, b"\x85\x01not OpenPGP").unwrap();

    let done = spool.file_all(&gateway, db.pool());
    assert_eq!(done, Filed { filed: 3, left: 0 });
    assert!(spool.pending().is_empty(), "nothing is left to be tried again");

    let mut conn = db.conn();
    let cases = Case::list(&mut conn, &CaseFilter::default(), None, 10).unwrap();
    assert_eq!(cases.iter().map(|c| c.summary.as_str()).collect::<Vec<_>>(), ["Compte volé"]);
    let quarantined = QuarantinedMail::list(&mut conn, true, 10).unwrap();
    assert_eq!(quarantined.len(), 2, "{quarantined:?}");
    for item in &quarantined {
        assert_eq!(item.source, "mailgate");
        assert!(item.reason.contains("received while sealed"), "{}", item.reason);
    }
    let mut kept: Vec<Vec<u8>> =
        quarantined.iter().map(|item| QuarantinedMail::raw(&mut conn, &item.id).unwrap()).collect();
    kept.sort();
    let mut expected = vec![to_former_bytes, b"\x85\x01not OpenPGP".to_vec()];
    expected.sort();
    assert_eq!(kept, expected, "each quarantined as it was in the spool, byte for byte");
}

on_both_backends!(what_cannot_be_opened_is_quarantined_not_retried);
