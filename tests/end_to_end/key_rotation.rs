//! Rotating the helpline key from the command line: a new active key with the same user
//! IDs, the old one kept to decrypt mail written to it before the rotation, on SQLite and
//! PostgreSQL.

use crate::common::{ok, rempart, run};
use crate::mail_support::{Gpg, crlf, pgp_mime};
use rempart_test_db::{TestDb, on_both_backends};

const HELPLINE: &str = "help@helpline.example";

fn fingerprint_of(armored: &str) -> String {
    let gpg = Gpg::new("Reader", "reader@example.net");
    gpg.import(armored.as_bytes());
    let out = std::process::Command::new("gpg")
        .arg("--homedir")
        .arg(gpg.home())
        .args(["--with-colons", "--fingerprint", HELPLINE])
        .output()
        .expect("gpg");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.lines().find(|l| l.starts_with("fpr:")).and_then(|l| l.split(':').nth(9)).expect("fingerprint").to_owned()
}

fn the_old_key_still_decrypts_after_a_rotation(db: TestDb) {
    let dir = tempfile::tempdir().expect("dir");
    ok(&run(rempart(dir.path()).args(["keys", "init", "--uid", &format!("Helpline <{HELPLINE}>")]), ""));
    let before = ok(&run(rempart(dir.path()).args(["keys", "export"]), ""));
    // A beneficiary encrypts to the key they have: the one before the rotation.
    let ana = Gpg::new("Ana Example", "ana@example.net");
    ana.import(before.as_bytes());
    let inner = crlf("Content-Type: text/plain; charset=utf-8\n\nWritten to the old key.\n");
    let raw = pgp_mime(
        &ana.email,
        HELPLINE,
        "Old key",
        "old-key@example.net",
        "",
        &ana.encrypt_sign(HELPLINE, inner.as_bytes()),
    );

    let rotated = ok(&run(rempart(dir.path()).args(["keys", "rotate"]), ""));
    assert!(rotated.contains("new active helpline key") && rotated.contains("kept to decrypt older mail"), "{rotated}");
    let after = ok(&run(rempart(dir.path()).args(["keys", "export"]), ""));
    assert_ne!(fingerprint_of(&before), fingerprint_of(&after), "a new key is advertised");
    assert!(rotated.to_uppercase().contains(&fingerprint_of(&before)), "the old key is kept: {rotated}");

    let out = ok(&run(rempart(dir.path()).args(["--database", db.url(), "mailgate"]), &raw));
    let outcome: serde_json::Value = serde_json::from_str(out.trim()).expect("JSON outcome");
    assert_eq!(outcome["outcome"], "stored", "mail to the old key is still read: {outcome}");
}

on_both_backends!(the_old_key_still_decrypts_after_a_rotation);
