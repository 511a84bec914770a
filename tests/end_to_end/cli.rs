//! End-to-end tests of the `rempart` command: the real binary, on SQLite and PostgreSQL.

use rempart_core::{Role, Urgency};
use rempart_store::beneficiaries::{Beneficiary, NewBeneficiary};
use rempart_store::cases::{Case, NewCase};
use rempart_test_db::{TestDb, on_both_backends};
use std::process::{Command, Stdio};

use crate::common::{FirstStart, first_start, ok, read_until, rempart, run, text};

fn users_and_cases_through_the_cli(db: TestDb) {
    let dir = tempfile::tempdir().expect("dir");
    // The test writes cases itself: the binary must hold the same master key.
    rempart_test_db::share_master_key(dir.path());
    let url = db.url().to_owned();
    let cli = |args: &[&str], stdin: &str| run(rempart(dir.path()).arg("--database").arg(&url).args(args), stdin);

    let out = ok(&cli(&["migrate"], ""));
    assert!(out.contains("is up to date"), "already migrated by the fixture: {out}");

    let out = ok(&cli(
        &[
            "user",
            "add",
            "--email",
            "Lead@Helpline.Example",
            "--name",
            "Lea Lead",
            "--role",
            "lead",
            "--languages",
            "fr, EN",
        ],
        "a long enough passphrase\n",
    ));
    assert!(out.starts_with("created lead lead@helpline.example ("), "{out}");
    let dup = cli(
        &["user", "add", "--email", "lead@helpline.example", "--name", "X", "--role", "handler"],
        "another long passphrase\n",
    );
    assert_eq!(dup.status.code(), Some(1));
    assert!(text(&dup.stderr).contains("already exists"), "{}", text(&dup.stderr));
    let weak = cli(&["user", "add", "--email", "h@helpline.example", "--name", "H", "--role", "handler"], "short\n");
    assert_eq!(weak.status.code(), Some(1));
    assert!(text(&weak.stderr).contains("at least 12 characters"));
    let bad_role = cli(
        &["user", "add", "--email", "h@helpline.example", "--name", "H", "--role", "boss"],
        "long enough passphrase\n",
    );
    assert!(text(&bad_role.stderr).contains("handler, analyst, lead, admin"));

    let list = ok(&cli(&["user", "list"], ""));
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 2, "{list}");
    assert!(lines[0].starts_with("EMAIL"));
    assert!(lines[1].contains("lead@helpline.example") && lines[1].contains("lead") && lines[1].contains("fr,en"));

    // The stored hash verifies the password given on stdin, and only it.
    let mut conn = db.conn();
    let stored = rempart_store::users::User::list(&mut conn).expect("users").remove(0);
    assert_eq!(stored.role, Role::Lead);
    assert!(rempart_auth::verify_password(&stored.password_hash, "a long enough passphrase"));
    assert!(!rempart_auth::verify_password(&stored.password_hash, "a long enough passphrasE"));

    assert_eq!(ok(&cli(&["case", "list"], "")).trim(), "no cases");
    let b = Beneficiary::create(
        &mut conn,
        NewBeneficiary {
            display_name: "Radio Exemple".into(),
            emails: vec![rempart_core::EmailAddress::parse("radio@example.org").expect("email")],
            audience_type: None,
            preferred_language: None,
        },
        None,
    )
    .expect("beneficiary");
    let first = Case::create(
        &mut conn,
        NewCase::new(&b.id, "Site web\nsous attaque DDoS depuis ce matin, très longue description"),
        None,
    )
    .expect("case");
    let second = Case::create(
        &mut conn,
        NewCase { urgency: Urgency::Critical, assignee_id: Some(stored.id.clone()), ..NewCase::new(&b.id, "Menaces") },
        None,
    )
    .expect("case");
    let table = ok(&cli(&["case", "list"], ""));
    let rows: Vec<&str> = table.lines().collect();
    assert_eq!(rows.len(), 3, "{table}");
    assert!(rows[0].starts_with("REFERENCE"));
    assert!(rows[1].starts_with(&second.reference.to_string()), "newest first: {table}");
    assert!(rows[1].contains("critical") && rows[1].contains("lead@helpline.example"));
    assert!(rows[2].starts_with(&first.reference.to_string()));
    assert!(rows[2].contains("Site web sous attaque") && rows[2].contains('…'), "one line, truncated: {table}");
    let critical = ok(&cli(&["case", "list", "--urgency", "critical"], ""));
    assert_eq!(critical.lines().count(), 2, "{critical}");
    let bad = cli(&["case", "list", "--status", "opened"], "");
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad.stderr).contains("waiting_beneficiary"));
}

fn migrations_revert_and_reapply(db: TestDb) {
    let dir = tempfile::tempdir().expect("dir");
    let url = db.url().to_owned();
    // The newest migration folder, e.g. 2026-11-22-000004_mail -> 20261122000004.
    let newest = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations/sqlite"))
        .expect("migrations")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .max()
        .expect("a migration");
    let version: String = newest.split('_').next().expect("version").chars().filter(char::is_ascii_digit).collect();
    let out = ok(&run(rempart(dir.path()).args(["--database", &url, "migrate", "--revert-last"]), ""));
    assert_eq!(out.trim(), format!("reverted migration {version}"));
    let out = ok(&run(rempart(dir.path()).args(["migrate", "--database", &url]), ""));
    assert_eq!(out.trim(), format!("applied migration {version}"), "--database works after the subcommand too");
}

on_both_backends!(
    users_and_cases_through_the_cli,
    migrations_revert_and_reapply,
    serve_first_start_login_and_graceful_stop
);

#[test]
fn first_run_creates_the_embedded_database_under_data() {
    let dir = tempfile::tempdir().expect("dir");
    let out = ok(&run(rempart(dir.path()).arg("migrate"), ""));
    assert!(out.contains("applied migration"), "{out}");
    assert!(dir.path().join("data/rempart.db").is_file());
    assert_eq!(ok(&run(rempart(dir.path()).args(["case", "list"]), "")).trim(), "no cases");
}

#[test]
fn configuration_errors_name_the_key_and_stop_with_ex_config() {
    let dir = tempfile::tempdir().expect("dir");
    let cases: &[(&str, &str, &[&str])] = &[
        ("REMPART_DATABASE__POOL_SIZE", "lots", &["`database.pool_size`", "REMPART_DATABASE__POOL_SIZE"]),
        ("REMPART_DATABASE__URL", "mysql://db/x", &["`database.url`", "sqlite://PATH or postgres://"]),
        ("REMPART_DATABSE__URL", "sqlite://x.db", &["`databse`", "no such key"]),
        ("REMPART_LOG__FORMAT", "yaml", &["`log.format`"]),
    ];
    for (var, value, expected) in cases {
        let out = run(rempart(dir.path()).env(var, value).args(["user", "list"]), "");
        assert_eq!(out.status.code(), Some(78), "{var}={value}");
        let err = text(&out.stderr);
        for e in *expected {
            assert!(err.contains(e), "{var}={value}: {err}");
        }
    }
    let out = run(rempart(dir.path()).args(["--config", "missing.toml", "user", "list"]), "");
    assert_eq!(out.status.code(), Some(78));
    assert!(text(&out.stderr).contains("missing.toml"));
    assert!(!dir.path().join("data").exists(), "nothing was created with a broken configuration");
}

#[test]
fn configuration_file_and_secret_files() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("rempart.toml"), "[database]\nurl = \"sqlite://from-file/r.db\"\n").expect("write");
    ok(&run(rempart(dir.path()).args(["--config", "rempart.toml", "migrate"]), ""));
    assert!(dir.path().join("from-file/r.db").is_file());
    std::fs::write(dir.path().join("db-url"), "sqlite://from-secret/r.db\n").expect("write");
    ok(&run(rempart(dir.path()).env("REMPART_DATABASE__URL_FILE", "db-url").arg("migrate"), ""));
    assert!(dir.path().join("from-secret/r.db").is_file(), "the _FILE variable names the secret's file");
}

#[test]
fn help_describes_every_command() {
    let dir = tempfile::tempdir().expect("dir");
    let help = ok(&run(rempart(dir.path()).arg("--help"), ""));
    for word in ["migrate", "user", "case", "--config", "--database", "REMPART_DATABASE__URL"] {
        assert!(help.contains(word), "--help lacks {word}: {help}");
    }
    let help = ok(&run(rempart(dir.path()).args(["user", "add", "--help"]), ""));
    for word in ["--email", "--name", "--role", "--languages", "standard input"] {
        assert!(help.contains(word), "user add --help lacks {word}: {help}");
    }
}

fn serve_first_start_login_and_graceful_stop(db: TestDb) {
    use std::io::BufRead;
    let dir = tempfile::tempdir().expect("dir");
    let (mut child, FirstStart { printed, password, port }) = first_start(
        rempart(dir.path())
            .args(["--database", db.url(), "serve", "--bind", "127.0.0.1:0"])
            .env("REMPART_LOG__FORMAT", "json")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    );
    assert!(printed.iter().any(|l| l.contains("admin@rempart.local")), "{printed:?}");
    assert!(dir.path().join("data/jwt-signing.key").is_file(), "a signing key was generated in the data folder");

    let client = reqwest::blocking::Client::new();
    let url = |p: &str| format!("http://127.0.0.1:{port}{p}");
    let login: serde_json::Value = client
        .post(url("/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "admin@rempart.local", "password": password}))
        .send()
        .and_then(|r| r.error_for_status())
        .and_then(|r| r.json())
        .expect("login with the printed password");
    assert_eq!(login["password_change_required"], true);
    let token = login["access_token"].as_str().expect("token");
    let denied = client.get(url("/api/v1/cases")).bearer_auth(token).send().expect("request");
    assert_eq!(denied.status().as_u16(), 403);
    let changed: serde_json::Value = client
        .post(url("/api/v1/auth/password"))
        .bearer_auth(token)
        .json(&serde_json::json!({"current_password": password, "new_password": "the admin's own passphrase"}))
        .send()
        .and_then(|r| r.error_for_status())
        .and_then(|r| r.json())
        .expect("password change");
    let cases = client
        .get(url("/api/v1/cases"))
        .bearer_auth(changed["access_token"].as_str().expect("token"))
        .send()
        .expect("request");
    assert_eq!(cases.status().as_u16(), 200);

    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    assert!(status.success());
    let exit = child.wait().expect("wait");
    assert!(exit.success(), "graceful shutdown on SIGTERM: {exit:?}");
    let mut log = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut log).expect("log");
    assert!(!log.contains(&password), "the one-time password never reaches the log");
    assert!(log.contains("listening"), "the service logged its start: {log}");
    assert!(log.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('{')), "JSON logs: {log}");

    // A second start prints no password: there is a user already.
    let mut again = rempart(dir.path())
        .args(["--database", db.url(), "serve", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut lines = std::io::BufReader::new(again.stdout.take().expect("stdout")).lines();
    let printed = read_until(&mut lines, |l| l.starts_with("Rempart is listening"));
    assert!(!printed.iter().any(|l| l.contains("password")), "{printed:?}");
    Command::new("kill").args(["-TERM", &again.id().to_string()]).status().expect("kill");
    assert!(again.wait().expect("wait").success());
}

#[test]
fn rota_simulation_prints_balance_figures_without_a_database() {
    let dir = tempfile::tempdir().expect("dir");
    let out = ok(&run(
        rempart(dir.path()).args([
            "rota",
            "simulate",
            "--handlers",
            "6",
            "--weeks",
            "12",
            "--cases-per-week",
            "40",
            "--seed",
            "2",
        ]),
        "",
    ));
    assert!(out.contains("cases: 480"), "{out}");
    let ratio: f64 = out
        .lines()
        .find_map(|l| l.strip_prefix("balance of cases received: max/mean "))
        .and_then(|rest| rest.split(',').next())
        .and_then(|v| v.parse().ok())
        .expect("a max/mean figure");
    assert!(ratio <= 1.2, "{out}");
    assert!(!dir.path().join("data").exists(), "no database was touched");
    let bad = run(rempart(dir.path()).args(["rota", "simulate", "--absence-rate", "1.5"]), "");
    assert_eq!(bad.status.code(), Some(1));
    // Everyone not fit all along: nobody handled anything, which is not a balanced team.
    let empty = ok(&run(
        rempart(dir.path()).args(["rota", "simulate", "--weeks", "4", "--cases-per-week", "40", "--absence-rate", "1"]),
        "",
    ));
    assert!(empty.contains("handled: 0; never handled: 160"), "{empty}");
    assert!(empty.contains("nobody handled a case (160 still waiting at the end)"), "{empty}");
    assert!(!empty.contains("Gini"), "an empty team is not called balanced: {empty}");
}

/// Short commands on PostgreSQL exit with status 0, every time: a pool that opened a
/// connection in the background while the process exited once crashed it (signal 11) about
/// one run in seven.
#[test]
fn short_commands_exit_cleanly_on_postgres() {
    let db = TestDb::postgres();
    let dir = tempfile::tempdir().expect("dir");
    for _ in 0..40 {
        let out = run(rempart(dir.path()).args(["--database", db.url(), "case", "list"]), "");
        assert!(out.status.success(), "{:?}: {}", out.status, text(&out.stderr));
    }
}

/// Started as the README says, under the usual umask 022: the data folder is 0700 and
/// every file Rempart creates in it (database, write-ahead log, token key, locks, the
/// mailgate socket) is the service account's only.
#[cfg(unix)]
#[test]
fn the_data_folder_and_its_files_are_private_whatever_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("dir");
    let mut cmd = Command::new("sh");
    cmd.current_dir(dir.path())
        .args(["-c", "umask 022; exec \"$0\" serve --bind 127.0.0.1:0", env!("CARGO_BIN_EXE_rempart")])
        .stdout(Stdio::piped());
    for (key, _) in std::env::vars() {
        if key.starts_with("REMPART_") {
            cmd.env_remove(key);
        }
    }
    let (mut child, FirstStart { .. }) = first_start(&mut cmd);
    let data = dir.path().join("data");
    let mode = |p: &std::path::Path| std::fs::symlink_metadata(p).expect("metadata").permissions().mode() & 0o777;
    let seen: Vec<(String, u32)> = std::fs::read_dir(&data)
        .expect("data folder")
        .filter_map(Result::ok)
        .map(|e| (e.file_name().to_string_lossy().into_owned(), mode(&e.path())))
        .collect();
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let _ = child.wait();
    assert_eq!(mode(&data), 0o700, "data/");
    let names: Vec<&str> = seen.iter().map(|(n, _)| n.as_str()).collect();
    assert!(names.contains(&"rempart.db") && names.contains(&"rempart.db-wal"), "{names:?}");
    for (name, mode) in &seen {
        assert_eq!(mode & 0o077, 0, "{name} is {mode:o}: readable by others");
    }
}
