//! Reading the settings: files, environment, flags, and the errors that name what is wrong.

use super::*;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn load(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
    Settings::load_from(&CliOverrides::default(), env(pairs))
}

#[test]
fn defaults_load() {
    let s = load(&[]).expect("defaults are valid");
    assert_eq!(s.database.url, "sqlite://./data/rempart.db");
    assert_eq!(s.database.pool_size, 8);
    assert_eq!(s.log.format, LogFormat::Text);
}

#[test]
fn environment_overrides_with_double_underscores() {
    let s = load(&[
        ("REMPART_DATABASE__URL", "postgres://postgres@127.0.0.1/rempart"),
        ("REMPART_DATABASE__POOL_SIZE", "3"),
        ("REMPART_LOG__FORMAT", "json"),
        ("REMPART_TEST_POSTGRES_URL", "ignored: not a key"),
        ("OTHER__VAR", "ignored"),
    ])
    .expect("valid");
    assert_eq!(s.database.url, "postgres://postgres@127.0.0.1/rempart");
    assert_eq!(s.database.pool_size, 3);
    assert_eq!(s.log.format, LogFormat::Json);
}

#[test]
fn secrets_come_from_files() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("db-url");
    std::fs::write(&path, "postgres://rempart:s3cret@db/rempart\n").expect("write");
    let s = load(&[("REMPART_DATABASE__URL_FILE", path.to_str().expect("utf-8"))]).expect("valid");
    assert_eq!(s.database.url, "postgres://rempart:s3cret@db/rempart");
    assert!(!format!("{s:?}").contains("s3cret"), "Debug never shows the password");
    let err = load(&[("REMPART_DATABASE__URL_FILE", "/nonexistent/secret")]).expect_err("missing file");
    assert!(err.to_string().contains("REMPART_DATABASE__URL_FILE"), "{err}");
}

#[test]
fn bad_values_name_the_key_and_the_variable() {
    let err = load(&[("REMPART_DATABASE__POOL_SIZE", "many")]).expect_err("not a number").to_string();
    assert!(err.contains("`database.pool_size`") && err.contains("REMPART_DATABASE__POOL_SIZE"), "{err}");
    let err = load(&[("REMPART_DATABASE__POOL_SIZE", "0")]).expect_err("zero").to_string();
    assert!(err.contains("`database.pool_size`"), "{err}");
    let err = load(&[("REMPART_LOG__FORMAT", "xml")]).expect_err("unknown format").to_string();
    assert!(err.contains("`log.format`"), "{err}");
    let err = load(&[("REMPART_DATABASE__URL", "mysql://x")]).expect_err("unsupported").to_string();
    assert!(err.contains("`database.url`") && err.contains("REMPART_DATABASE__URL"), "{err}");
    let err = load(&[("REMPART_DATABSE__URL", "sqlite://x.db")]).expect_err("typo").to_string();
    assert!(err.contains("`databse`") && err.contains("no such key"), "{err}");
    let err = load(&[("REMPART_DATABASE__PORT", "5432")]).expect_err("unknown key").to_string();
    assert!(err.contains("`database.port`"), "{err}");
    let err = load(&[("REMPART_LOG__LEVEL", "info,[bad")]).expect_err("bad filter").to_string();
    assert!(err.contains("`log.level`"), "{err}");
    let err = load(&[("REMPART_INDICATORS__DEFAULT_REGION", "France")]).expect_err("not a code").to_string();
    assert!(err.contains("`indicators.default_region`"), "{err}");
}

#[test]
fn the_default_region_reaches_the_api() {
    let s = load(&[("REMPART_INDICATORS__DEFAULT_REGION", "fr")]).expect("valid");
    let region = s.api_config(None).indicator_rules.default_region.map(|r| r.to_string());
    assert_eq!(region.as_deref(), Some("FR"));
    assert_eq!(load(&[]).expect("defaults").api_config(None).indicator_rules.default_region, None);
}

#[test]
fn the_rota_policy_and_mail_settings_come_from_the_configuration() {
    let s = load(&[
        ("REMPART_ROTA__MAX_SHIFT_HOURS", "4"),
        ("REMPART_ROTA__WEIGHT_CRITICAL", "6"),
        ("REMPART_ESCALATION__FIRST_RESPONSE_LEADS_MINUTES", "30"),
        ("REMPART_MAIL__SMTP__HOST", "smtp.example.org"),
        ("REMPART_MAIL__SMTP__PASSWORD", "smtp-s3cret"),
        ("REMPART_ESCALATION__WEBHOOK_SECRET", "hook-s3cret"),
    ])
    .expect("valid");
    let policy = s.api_config(None).policy;
    assert_eq!(policy.max_shift, chrono::Duration::hours(4));
    assert_eq!(policy.weights.critical, 6);
    assert_eq!(policy.first_response_leads, chrono::Duration::minutes(30));
    assert_eq!(policy.first_response_admins, chrono::Duration::minutes(90));
    assert_eq!(s.mail.smtp_config().map(|c| c.host), Some("smtp.example.org".to_owned()));
    assert!(s.mail.imap_config().is_none(), "no IMAP host: no fetcher");
    let shown = format!("{s:?}");
    assert!(!shown.contains("smtp-s3cret") && !shown.contains("hook-s3cret"), "{shown}");
    let err = load(&[("REMPART_ROTA__MAX_SHIFT_HOURS", "0")]).expect_err("zero").to_string();
    assert!(err.contains("`rota.max_shift_hours`"), "{err}");
    let err =
        load(&[("REMPART_ESCALATION__FIRST_RESPONSE_ADMINS_MINUTES", "10")]).expect_err("before leads").to_string();
    assert!(err.contains("`escalation.first_response_admins_minutes`"), "{err}");
    let err = load(&[("REMPART_MAIL__SMTP__TLS", "ssl")]).expect_err("unknown mode").to_string();
    assert!(err.contains("`mail.smtp.tls`"), "{err}");
}

#[test]
fn file_then_environment_then_flags() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("rempart.toml");
    std::fs::write(&path, "[database]\nurl = \"sqlite://from-file.db\"\npool_size = 4\n").expect("write");
    let cli = CliOverrides { config_file: Some(path.clone()), database_url: None };
    let s = Settings::load_from(&cli, env(&[])).expect("valid");
    assert_eq!((s.database.url.as_str(), s.database.pool_size), ("sqlite://from-file.db", 4));
    let s = Settings::load_from(&cli, env(&[("REMPART_DATABASE__POOL_SIZE", "5")])).expect("valid");
    assert_eq!(s.database.pool_size, 5);
    let cli = CliOverrides { config_file: Some(path.clone()), database_url: Some("sqlite://flag.db".into()) };
    let s = Settings::load_from(&cli, env(&[("REMPART_DATABASE__URL", "sqlite://env.db")])).expect("valid");
    assert_eq!(s.database.url, "sqlite://flag.db");

    std::fs::write(&path, "[database]\npool_size = \"x\"\n").expect("write");
    let cli = CliOverrides { config_file: Some(path.clone()), database_url: None };
    let err = Settings::load_from(&cli, env(&[])).expect_err("bad").to_string();
    assert!(err.contains("`database.pool_size`") && err.contains(&path.display().to_string()), "{err}");
    std::fs::write(&path, "[database\n").expect("write");
    assert!(matches!(Settings::load_from(&cli, env(&[])), Err(ConfigError::Syntax { .. })));
}

#[test]
fn every_default_key_is_documented() {
    let mut previous = "";
    for line in DEFAULT_TOML.lines().map(str::trim) {
        if !line.is_empty() && !line.starts_with('#') && !line.starts_with('[') {
            assert!(previous.starts_with('#'), "key without a comment above it: {line}");
        }
        if !line.is_empty() {
            previous = line;
        }
    }
}
