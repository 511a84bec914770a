//! Every documented configuration key can be set through its environment variable, keys
//! whose name ends in `_file` included (the systemd units set `REMPART_MAIL__KEY_FILE`).

use rempart::settings::{CliOverrides, DEFAULT_TOML, Settings};

/// Every leaf key of the documented defaults, with its default value as an environment
/// variable would carry it.
fn leaves(table: &toml::Table, prefix: &[String], out: &mut Vec<(Vec<String>, String)>) {
    for (key, value) in table {
        let mut path = prefix.to_vec();
        path.push(key.clone());
        match value {
            toml::Value::Table(inner) => leaves(inner, &path, out),
            toml::Value::String(s) => out.push((path, s.clone())),
            other => out.push((path, other.to_string())),
        }
    }
}

#[test]
fn every_documented_key_is_settable_from_the_environment() {
    let defaults: toml::Table = DEFAULT_TOML.parse().expect("config/default.toml parses");
    let mut keys = Vec::new();
    leaves(&defaults, &[], &mut keys);
    assert!(keys.len() > 40, "the walk found the keys: {}", keys.len());
    assert!(keys.iter().any(|(p, _)| p.join(".") == "mail.key_file"));
    for (path, value) in keys {
        let variable =
            format!("REMPART_{}", path.iter().map(|p| p.to_ascii_uppercase()).collect::<Vec<_>>().join("__"));
        let loaded = Settings::load_from(&CliOverrides::default(), [(variable.clone(), value.clone())]);
        assert!(loaded.is_ok(), "{variable}={value:?}: {}", loaded.err().map(|e| e.to_string()).unwrap_or_default());
    }
}

#[test]
fn a_file_suffix_that_names_no_key_reads_the_value_from_the_file() {
    let dir = tempfile::tempdir().expect("dir");
    let secret = dir.path().join("jwt");
    std::fs::write(&secret, format!("{}\n", "s".repeat(40))).expect("write");
    let settings = Settings::load_from(
        &CliOverrides::default(),
        [
            ("REMPART_AUTH__JWT_SECRET_FILE".to_owned(), secret.to_string_lossy().into_owned()),
            ("REMPART_MAIL__KEY_FILE".to_owned(), "/run/credentials/rempart/helpline-key.asc".to_owned()),
        ],
    )
    .expect("loads");
    assert_eq!(settings.mail.key_file, std::path::PathBuf::from("/run/credentials/rempart/helpline-key.asc"));
    let api = settings.api_config(None);
    assert_eq!(api.jwt_secret.as_deref(), Some("s".repeat(40).as_str()));
}
