use crate::passphrase;
use crate::{DataKey, MasterKey, Place, VaultError};

fn place(row: &str) -> Place<'_> {
    Place::new("comments", "body", row)
}

#[test]
fn a_value_opens_at_its_place_only() {
    let key = DataKey::generate();
    let sealed = key.seal_text(place("a"), "Rendez-vous à la gare");
    assert!(DataKey::is_sealed_text(&sealed));
    assert!(!sealed.contains("gare"));
    assert_eq!(key.open_text(place("a"), &sealed).as_deref(), Ok("Rendez-vous à la gare"));
    // Moved to another row, another column or another table: refused.
    assert!(matches!(key.open_text(place("b"), &sealed), Err(VaultError::Refused(_))));
    assert!(matches!(key.open_text(Place::new("comments", "note", "a"), &sealed), Err(VaultError::Refused(_))));
    assert!(matches!(key.open_text(Place::new("actions", "body", "a"), &sealed), Err(VaultError::Refused(_))));
    // Another key: refused.
    assert!(matches!(DataKey::generate().open_text(place("a"), &sealed), Err(VaultError::Refused(_))));
    // A clear value is not taken for a sealed one.
    assert!(matches!(key.open_text(place("a"), "Rendez-vous"), Err(VaultError::Malformed(_))));
}

#[test]
fn the_same_value_sealed_twice_differs() {
    let key = DataKey::generate();
    assert_ne!(key.seal_text(place("a"), "same"), key.seal_text(place("a"), "same"));
    let bytes = key.seal_bytes(place("a"), b"%PDF-1.7");
    assert_ne!(bytes, key.seal_bytes(place("a"), b"%PDF-1.7"));
    assert_eq!(key.open_bytes(place("a"), &bytes).as_deref(), Ok(&b"%PDF-1.7"[..]));
    let mut altered = bytes.clone();
    let last = altered.len() - 1;
    altered[last] ^= 1;
    assert!(matches!(key.open_bytes(place("a"), &altered), Err(VaultError::Refused(_))));
}

#[test]
fn a_data_key_is_bound_to_its_owner_and_master() {
    let master = MasterKey::generate();
    let key = DataKey::generate();
    let sealed = key.seal_text(place("a"), "x");
    let wrapped = master.wrap("case:1", &key);
    let back = master.unwrap("case:1", &wrapped).expect("unwrap");
    assert_eq!(back.open_text(place("a"), &sealed).as_deref(), Ok("x"));
    assert!(matches!(master.unwrap("case:2", &wrapped), Err(VaultError::Refused(_))));
    assert!(matches!(MasterKey::generate().unwrap("case:1", &wrapped), Err(VaultError::Refused(_))));
    // Rotation: the same data key wrapped by a new master opens the old content.
    let next = MasterKey::generate();
    let rewrapped = next.wrap("case:1", &master.unwrap("case:1", &wrapped).expect("unwrap"));
    assert_eq!(next.unwrap("case:1", &rewrapped).expect("unwrap").open_text(place("a"), &sealed).as_deref(), Ok("x"));
}

#[test]
fn key_files_and_secrets() {
    let master = MasterKey::generate();
    let text = master.to_file_text();
    let read = MasterKey::from_file_text(&text).expect("read");
    assert_eq!(read.id(), master.id());
    assert_ne!(MasterKey::generate().id(), master.id());
    assert!(MasterKey::from_file_text("nonsense").is_err());

    let sealed = master.seal_secret("jwt", b"signing key");
    assert!(MasterKey::is_sealed_secret(&sealed));
    assert_eq!(read.open_secret("jwt", &sealed).expect("open").as_slice(), b"signing key");
    assert!(read.open_secret("helpline-key", &sealed).is_err());
}

#[test]
fn blind_index_tokens() {
    let index = DataKey::generate().as_index_key();
    assert_eq!(index.token("word", "phishing"), index.token("word", "phishing"));
    assert_ne!(index.token("word", "phishing"), index.token("email", "phishing"));
    assert_ne!(index.token("word", "phishing"), index.token("word", "phishings"));
    assert_ne!(index.token("word", "phishing"), DataKey::generate().as_index_key().token("word", "phishing"));
    assert_eq!(index.token("word", "x").len(), 22);
}

#[test]
fn a_passphrase_opens_the_master_key() {
    let master = MasterKey::generate();
    let file = passphrase::protect(&master, "correct horse battery staple", 10).expect("protect");
    assert!(!String::from_utf8_lossy(&file).contains(&*master.to_file_text()));
    let opened = passphrase::open(&file, "correct horse battery staple").expect("open");
    assert_eq!(opened.id(), master.id());
    assert_eq!(passphrase::open(&file, "wrong").map(|k| k.id()), Err(VaultError::WrongPassphrase));
    assert!(passphrase::is_protected(&file));
    assert!(!passphrase::is_protected(master.to_file_text().as_bytes()));
    assert_eq!(passphrase::work_factor(&file), Some(10));
}

#[test]
fn values_sealed_in_the_first_format_still_open_and_new_ones_use_the_second() {
    let master = MasterKey::generate();
    let key = DataKey::generate();
    let old_text = key.seal_text_v1(place("a"), "Numéro de la sœur");
    let old_bytes = key.seal_bytes_v1(place("a"), b"%PDF-1.4");
    // As stored by the first release, then read after its key was unwrapped again.
    let key = master.unwrap("case:1", &master.wrap("case:1", &key)).expect("unwrap");
    assert!(old_text.starts_with("rv1:") && DataKey::is_sealed_text(&old_text));
    assert!(DataKey::is_sealed_bytes(&old_bytes));
    assert_eq!(key.open_text(place("a"), &old_text).as_deref(), Ok("Numéro de la sœur"));
    assert_eq!(key.open_bytes(place("a"), &old_bytes).as_deref(), Ok(&b"%PDF-1.4"[..]));
    assert!(matches!(key.open_text(place("b"), &old_text), Err(VaultError::Refused(_))));

    let new_text = key.seal_text(place("a"), "Numéro de la sœur");
    assert!(new_text.starts_with("rv2:"), "{new_text}");
    let new_bytes = key.seal_bytes(place("a"), b"%PDF-1.4");
    assert!(new_bytes.starts_with(b"RV2\0"));
    // A value relabelled as the other format opens under neither.
    let relabelled = format!("rv1:{}", &new_text[4..]);
    assert!(key.open_text(place("a"), &relabelled).is_err());
    let relabelled = format!("rv2:{}", &old_text[4..]);
    assert!(key.open_text(place("a"), &relabelled).is_err());
    let mut relabelled = new_bytes.clone();
    relabelled[..4].copy_from_slice(b"RV1\0");
    assert!(key.open_bytes(place("a"), &relabelled).is_err());
    // Truncated below a nonce and a tag: malformed, not a panic.
    assert!(matches!(key.open_text(place("a"), "rv2:AAAA"), Err(VaultError::Malformed(_))));
    assert!(matches!(key.open_bytes(place("a"), b"RV2\0abc"), Err(VaultError::Malformed(_))));
    // The empty value round-trips.
    assert_eq!(key.open_text(place("a"), &key.seal_text(place("a"), "")).as_deref(), Ok(""));
}
