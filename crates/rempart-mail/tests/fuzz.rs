//! Arbitrary and mutated bytes through the inbound pipeline: it never panics, and the
//! gateway always commits an outcome (stored or quarantined) with the bytes kept.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use rempart_mail::inbound::{self, Limits};
use rempart_mail::{Gateway, Keyring, Outcome};
use rempart_store::mail::QuarantinedMail;
use rempart_test_db::{TestDb, on_both_backends};
use std::sync::OnceLock;

fn keyring() -> &'static Keyring {
    static KEYRING: OnceLock<Keyring> = OnceLock::new();
    KEYRING.get_or_init(|| Keyring::generate("Helpline <help@helpline.example>").unwrap())
}

/// A well-formed PGP/MIME message encrypted to the helpline by sequoia itself, as the seed
/// of the mutations (gpg is exercised by the other tests).
fn seed() -> &'static Vec<u8> {
    static SEED: OnceLock<Vec<u8>> = OnceLock::new();
    SEED.get_or_init(|| {
        let inner =
            b"Content-Type: text/plain; charset=utf-8; protected-headers=\"v1\"\r\nSubject: Seed\r\n\r\nBody\r\n";
        let armored = rempart_mail::pgp::encrypt_and_sign(inner, &[keyring().primary()], keyring()).unwrap();
        let armored = String::from_utf8(armored).unwrap();
        format!(
            "From: a@example.net\r\nSubject: ...\r\nMessage-ID: <seed@example.net>\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"b\"\r\n\r\n\
             --b\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n\r\n--b\r\n\
             Content-Type: application/octet-stream\r\n\r\n{armored}\r\n--b--\r\n"
        )
        .into_bytes()
    })
}

/// Bytes that look a little like mail: headers, boundaries and armor lines in any order.
fn mailish() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop::sample::select(vec![
        "From: x@example.org\r\n",
        "Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"b\"\r\n",
        "Content-Type: multipart/signed; protocol=\"application/pgp-signature\"; boundary=\"b\"\r\n",
        "Content-Type: text/html\r\n",
        "Content-Transfer-Encoding: base64\r\n",
        "\r\n",
        "--b\r\n",
        "--b--\r\n",
        "-----BEGIN PGP MESSAGE-----\r\n",
        "-----END PGP MESSAGE-----\r\n",
        "-----BEGIN PGP SIGNED MESSAGE-----\r\nHash: SHA256\r\n\r\n",
        "-----BEGIN PGP SIGNATURE-----\r\n",
        "-----END PGP SIGNATURE-----\r\n",
        "-----BEGIN PGP PUBLIC KEY BLOCK-----\r\n",
        "hQEMA9mX\r\n",
        "=?utf-8?B?w6k=?=\r\n",
    ]);
    prop::collection::vec(
        prop_oneof![pieces.prop_map(|s| s.as_bytes().to_vec()), prop::collection::vec(any::<u8>(), 0..40)],
        0..30,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(raw in prop::collection::vec(any::<u8>(), 0..2000)) {
        let _ = inbound::open(&raw, Some(keyring()), &[], Limits::default());
    }

    #[test]
    fn mail_like_bytes_never_panic(raw in mailish()) {
        let _ = inbound::open(&raw, Some(keyring()), &[], Limits::default());
    }

    #[test]
    fn mutated_encrypted_mail_never_panics(flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
                                           cut in any::<prop::sample::Index>()) {
        let mut raw = seed().clone();
        for (index, byte) in flips {
            let i = index.index(raw.len());
            raw[i] = byte;
        }
        raw.truncate(cut.index(raw.len()) + 1);
        let _ = inbound::open(&raw, Some(keyring()), &[], Limits::default());
    }
}

#[test]
fn the_seed_opens() {
    let opened = inbound::open(seed(), Some(keyring()), &[], Limits::default()).unwrap();
    assert_eq!((opened.subject.as_str(), opened.body.as_str(), opened.encrypted), ("Seed", "Body", true));
}

/// Through the gateway and the database: whatever arrives is committed somewhere.
fn the_gateway_commits_every_input(db: TestDb) {
    let conn = std::cell::RefCell::new(db.conn());
    let gateway = Gateway { keyring: Some(keyring().clone()), limits: Limits::default(), ..Default::default() };
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig { cases: 60, ..ProptestConfig::default() });
    runner
        .run(&mailish(), |raw| {
            let mut conn = conn.borrow_mut();
            match gateway.ingest(&mut conn, &raw, "fuzz") {
                Ok(Outcome::Quarantined { quarantine_id, .. }) => {
                    prop_assert_eq!(QuarantinedMail::raw(&mut conn, &quarantine_id).unwrap(), raw);
                }
                Ok(_) => {}
                Err(e) => prop_assert!(false, "nothing committed for {:?}: {}", String::from_utf8_lossy(&raw), e),
            }
            Ok(())
        })
        .unwrap();
}

on_both_backends!(the_gateway_commits_every_input);
