//! The helpline key's file (sealed by the master key) and the WKD hash.

use super::*;

#[test]
fn wkd_hash_matches_the_draft_example() {
    // draft-koch-openpgp-webkey-service, section 3.1: "Joe.Doe" -> iy9q119eutrkn8s1mk4r39qejnbu3n5q
    assert_eq!(wkd_hash("Joe.Doe"), "iy9q119eutrkn8s1mk4r39qejnbu3n5q");
}

#[test]
fn a_generated_key_round_trips_through_its_file() {
    rempart_test_db::ensure_master_key();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("keys").join("helpline.asc");
    let keyring = Keyring::generate("Helpline <help@helpline.example>").expect("generate");
    keyring.save_new(&path).expect("save");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("metadata").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "readable by the service only");
    }
    let stored = std::fs::read(&path).expect("read");
    assert!(rempart_vault::MasterKey::is_sealed_secret(&stored), "sealed by the master key");
    assert!(!String::from_utf8_lossy(&stored).contains("PRIVATE KEY"), "no secret key in clear");
    let loaded = Keyring::load(&path).expect("load");
    assert_eq!(loaded.fingerprint(), keyring.fingerprint());
    assert_eq!(loaded.addresses(), ["help@helpline.example"]);
    assert!(keyring.save_new(&path).is_err(), "never overwrites a key");
    let public = keyring.public_armored().expect("public");
    assert!(public.contains("PUBLIC KEY BLOCK") && !public.contains("PRIVATE"));
    assert!(Keyring::from_bytes(public.as_bytes()).is_err(), "a public key is not a keyring");
    assert!(format!("{keyring:?}").contains(&keyring.fingerprint()));
}

#[test]
fn a_key_file_in_clear_is_sealed_when_read() {
    rempart_test_db::ensure_master_key();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("helpline.asc");
    let keyring = Keyring::generate("Helpline <help@helpline.example>").expect("generate");
    std::fs::write(&path, keyring.secret_armored().expect("armored")).expect("write in clear");
    assert_eq!(Keyring::load(&path).expect("load").fingerprint(), keyring.fingerprint());
    let stored = std::fs::read(&path).expect("read");
    assert!(rempart_vault::MasterKey::is_sealed_secret(&stored), "sealed in place");
    assert_eq!(Keyring::load(&path).expect("again").fingerprint(), keyring.fingerprint());
}
