//! Production operations, end to end through the binary: the deploy/ examples, one
//! `serve` per SQLite file, backups, moves between engines, retention and statistics.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::common::{rempart, run, text};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repository root")
}

fn deploy(path: &str) -> PathBuf {
    repo_root().join("deploy").join(path)
}

fn tool(name: &str, candidates: &[&str]) -> PathBuf {
    candidates.iter().map(PathBuf::from).find(|p| p.exists()).unwrap_or_else(|| {
        panic!("{name} is needed to check deploy/ (.ci/run installs it): none of {candidates:?} exists")
    })
}

#[test]
fn systemd_units_pass_systemd_analyze_verify() {
    let analyze = tool("systemd-analyze", &["/usr/bin/systemd-analyze", "/bin/systemd-analyze"]);
    let dir = tempfile::tempdir().expect("dir");
    let units = ["rempart.service", "rempart-backup.service", "rempart-backup.timer"];
    for unit in units {
        // verify insists that ExecStart's program exists: point it at the binary under test.
        let body = std::fs::read_to_string(deploy(&format!("systemd/{unit}"))).expect("unit");
        assert!(body.contains("/usr/local/bin/rempart") || unit.ends_with(".timer"), "{unit}");
        std::fs::write(dir.path().join(unit), body.replace("/usr/local/bin/rempart", env!("CARGO_BIN_EXE_rempart")))
            .expect("write unit");
    }
    let out = Command::new(analyze)
        .arg("verify")
        .arg("--man=no")
        .args(units.iter().map(|u| dir.path().join(u)))
        .output()
        .expect("systemd-analyze");
    // verify exits 0 even for unknown keys or bad values: any remark about our units is a
    // failure here; remarks about other units installed on the machine are not ours to judge.
    let remarks = format!("{}{}", text(&out.stdout), text(&out.stderr));
    let ours = own_remarks(&remarks, &units, dir.path());
    assert!(ours.is_empty(), "systemd-analyze verify: {ours:?}\n(all it said: {remarks})");

    // The backup job writes into a folder that systemd creates for it.
    let backup = std::fs::read_to_string(deploy("systemd/rempart-backup.service")).expect("unit");
    let state: Vec<&str> =
        backup.lines().filter_map(|l| l.strip_prefix("StateDirectory=")).flat_map(str::split_whitespace).collect();
    let out_dir = backup
        .split("--out ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|path| path.rsplit_once('/'))
        .map(|(dir, _)| dir.trim_start_matches("/var/lib/").to_owned())
        .expect("backup --out");
    assert!(state.contains(&out_dir.as_str()), "{out_dir} is not among StateDirectory={state:?}: nothing creates it");

    let main = std::fs::read_to_string(deploy("systemd/rempart.service")).expect("unit");
    for hardening in [
        "User=rempart",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "PrivateTmp=yes",
        "StateDirectory=rempart",
        "LoadCredential=jwt-secret:",
        "CapabilityBoundingSet=\n",
    ] {
        assert!(main.contains(hardening), "rempart.service lacks {hardening:?}");
    }
    // The credentials are handed over as files, never as values in the unit.
    assert!(!main.lines().any(|l| l.starts_with("Environment=") && l.contains("SECRET=")), "{main}");
}

/// The lines of `systemd-analyze verify` output that speak of one of `units` (by name or
/// by their folder): another service installed on the machine may draw remarks of its own.
fn own_remarks(output: &str, units: &[&str], dir: &std::path::Path) -> Vec<String> {
    let dir = dir.to_string_lossy();
    output
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .filter(|l| l.contains(dir.as_ref()) || units.iter().any(|u| l.contains(u)))
        .map(str::to_owned)
        .collect()
}

#[test]
fn remarks_about_other_units_are_not_ours() {
    let dir = std::path::Path::new("/tmp/units-xyz");
    let output = "/lib/systemd/system/request-tracker4.service:9: Failed to add dependency on mysql.service, ignoring\n\
                  /tmp/units-xyz/rempart.service:12: Unknown key name 'ProtectSystm' in section 'Service', ignoring.\n\
                  rempart-backup.timer: Refusing to start, unit to trigger not loaded.\n";
    let ours = own_remarks(output, &["rempart.service", "rempart-backup.service", "rempart-backup.timer"], dir);
    assert_eq!(ours.len(), 2, "{ours:?}");
    assert!(ours.iter().all(|l| !l.contains("request-tracker4")));
}

#[test]
fn systemd_unit_catches_a_typo() {
    // The check above would be worthless if verify accepted anything.
    let analyze = tool("systemd-analyze", &["/usr/bin/systemd-analyze", "/bin/systemd-analyze"]);
    let dir = tempfile::tempdir().expect("dir");
    let unit = dir.path().join("typo.service");
    std::fs::write(&unit, "[Service]\nExecStart=/bin/true\nProtectSystem=strictly\n").expect("write");
    let out = Command::new(analyze).args(["verify", "--man=no"]).arg(&unit).output().expect("systemd-analyze");
    assert!(!text(&out.stderr).trim().is_empty(), "a bad value must be reported");
}

#[test]
fn nginx_example_passes_nginx_t() {
    let nginx = tool("nginx", &["/usr/sbin/nginx", "/usr/bin/nginx"]);
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    // A throwaway self-signed certificate stands in for the Let's Encrypt one.
    let status = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1"])
        .args(["-subj", "/CN=helpline.example", "-keyout"])
        .arg(d.join("key.pem"))
        .arg("-out")
        .arg(d.join("cert.pem"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("openssl");
    assert!(status.success());
    let site = std::fs::read_to_string(deploy("nginx/rempart.conf"))
        .expect("site")
        .replace("/etc/letsencrypt/live/helpline.example/fullchain.pem", &d.join("cert.pem").to_string_lossy())
        .replace("/etc/letsencrypt/live/helpline.example/privkey.pem", &d.join("key.pem").to_string_lossy());
    std::fs::write(d.join("rempart.conf"), site).expect("site");
    let temp = |name: &str| format!("{name} {};", d.join(name).display());
    let main = format!(
        "pid {pid};\nerror_log {err};\nevents {{}}\nhttp {{\n {a}\n {b}\n {c}\n {e}\n {f}\n include {site};\n}}\n",
        pid = d.join("nginx.pid").display(),
        err = d.join("error.log").display(),
        a = temp("client_body_temp_path"),
        b = temp("proxy_temp_path"),
        c = temp("fastcgi_temp_path"),
        e = temp("uwsgi_temp_path"),
        f = temp("scgi_temp_path"),
        site = d.join("rempart.conf").display(),
    );
    std::fs::write(d.join("nginx.conf"), main).expect("main");
    let out = Command::new(nginx)
        .arg("-t")
        .arg("-p")
        .arg(d)
        .arg("-c")
        .arg(d.join("nginx.conf"))
        .arg("-e")
        .arg(d.join("error.log"))
        .output()
        .expect("nginx");
    let said = text(&out.stderr);
    assert!(out.status.success() && said.contains("test is successful"), "nginx -t: {said}");
    let conf = std::fs::read_to_string(deploy("nginx/rempart.conf")).expect("site");
    assert!(conf.contains("location /api/") && !conf.contains("location /metrics"), "only the API is exposed");
}

#[test]
fn compose_file_is_valid_yaml_and_consistent() {
    use yaml_rust2::{Yaml, YamlLoader};
    let path = deploy("container/compose.yaml");
    let docs = YamlLoader::load_from_str(&std::fs::read_to_string(&path).expect("compose")).expect("valid YAML");
    let doc = &docs[0];
    let services = doc["services"].as_hash().expect("services");
    assert!(services.contains_key(&Yaml::from_str("postgres")) && services.contains_key(&Yaml::from_str("rempart")));
    let app = &doc["services"]["rempart"];
    let context = path.parent().expect("dir").join(app["build"]["context"].as_str().expect("build context"));
    let containerfile = context.join(app["build"]["dockerfile"].as_str().expect("dockerfile"));
    assert!(containerfile.exists(), "{} does not exist", containerfile.display());
    assert_eq!(app["depends_on"]["postgres"]["condition"].as_str(), Some("service_healthy"));
    // Every secret a service uses is declared, and no password is written in the file.
    for service in ["postgres", "rempart"] {
        for secret in doc["services"][service]["secrets"].as_vec().expect("secrets") {
            let name = secret.as_str().expect("secret name");
            assert!(!doc["secrets"][name]["file"].is_badvalue(), "secret {name} is not declared");
        }
        if let Some(env) = doc["services"][service]["environment"].as_hash() {
            for (key, value) in env {
                let key = key.as_str().expect("key");
                assert!(
                    !key.contains("PASSWORD") || key.ends_with("_FILE"),
                    "{service}: {key}={value:?} puts a secret in the file"
                );
                assert!(!value.as_str().unwrap_or_default().contains("://rempart:"), "{service}: URL with password");
            }
        }
        for volume in doc["services"][service]["volumes"].as_vec().into_iter().flatten() {
            let name = volume.as_str().expect("volume").split(':').next().expect("name");
            assert!(!doc["volumes"][name].is_badvalue(), "volume {name} is not declared");
        }
    }
    assert_eq!(app["ports"][0].as_str(), Some("127.0.0.1:8080:8080"), "the API port stays on loopback");
}

#[test]
fn containerfile_builds_from_the_repository_and_runs_unprivileged() {
    // No container engine runs here: the build itself is not exercised, what it copies and
    // how it runs is.
    let file = std::fs::read_to_string(deploy("container/Containerfile")).expect("Containerfile");
    let instructions: Vec<&str> =
        file.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
    let stages: Vec<&&str> = instructions.iter().filter(|l| l.starts_with("FROM ")).collect();
    assert_eq!(stages.len(), 2, "a build stage and a runtime stage");
    assert!(stages[0].contains("rust:1.95"), "the toolchain of rust-version: {}", stages[0]);
    let runtime = &file[file.rfind("\nFROM ").expect("runtime stage")..];
    let user = runtime.lines().find(|l| l.starts_with("USER ")).expect("the runtime stage sets USER");
    assert!(!user.contains("root") && !user.contains(" 0"), "{user}");
    for line in instructions.iter().filter(|l| l.starts_with("COPY ") && !l.contains("--from")) {
        let parts: Vec<&str> = line.split_whitespace().collect();
        for source in &parts[1..parts.len() - 1] {
            assert!(repo_root().join(source).exists(), "COPY {source}: not in the repository");
        }
    }
    assert!(file.contains("cargo build --release --locked"));
}

#[test]
fn a_second_serve_on_the_same_sqlite_file_refuses_to_start() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("data/rempart.db").display());
    let first = crate::common::serve(dir.path(), &url, &[]);
    let second = run(rempart(dir.path()).args(["--database", &url, "serve", "--bind", "127.0.0.1:0"]), "");
    assert_eq!(second.status.code(), Some(1));
    let said = text(&second.stderr);
    assert!(said.contains("another `rempart serve` is already running") && said.contains("PostgreSQL"), "{said}");
    // The first one is unaffected, and other commands still open the file.
    let health = reqwest::blocking::get(first.url("/readyz")).expect("readyz");
    assert!(health.status().is_success());
    let out = run(rempart(dir.path()).args(["--database", &url, "user", "list"]), "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    drop(first);
    // Once it has stopped, the file is free again.
    let again = crate::common::start(dir.path(), &url, &[]);
    assert!(reqwest::blocking::get(again.url("/readyz")).expect("readyz").status().is_success());
}

use rempart_store::export;
use rempart_test_db::fixtures::{self, Loaded};
use rempart_test_db::{Backend, TestDb};

/// GnuPG with a throwaway home: the person holding an offline backup key.
struct Gpg {
    home: tempfile::TempDir,
}

impl Gpg {
    fn new() -> Self {
        let home = tempfile::tempdir().expect("gnupg home");
        let gpg = Self { home };
        let out =
            gpg.cmd(&["--quick-gen-key", "Backup keeper <it@helpline.example>", "future-default", "default", "never"]);
        assert!(out.status.success(), "gpg key generation: {}", text(&out.stderr));
        gpg
    }

    fn cmd(&self, args: &[&str]) -> std::process::Output {
        Command::new("gpg")
            .arg("--homedir")
            .arg(self.home.path())
            .args(["--batch", "--pinentry-mode", "loopback", "--passphrase", ""])
            .args(args)
            .output()
            .expect("gpg")
    }

    fn export_public(&self, path: &Path) {
        let out = self.cmd(&["--armor", "--export", "it@helpline.example"]);
        assert!(out.status.success());
        std::fs::write(path, out.stdout).expect("write key");
    }
}

fn populated(backend: Backend) -> TestDb {
    let db = TestDb::new(backend);
    let mut conn = db.conn();
    fixtures::every_table(&mut conn);
    let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(3);
    fixtures::bulk_load(&mut conn, &mut rng, 200, 200, &mut Loaded::default());
    drop(conn);
    db
}

fn empty_target(backend: Backend) -> TestDb {
    TestDb::empty(backend)
}

fn backup_restore_round_trip(backend: Backend) {
    let dir = tempfile::tempdir().expect("dir");
    // The test writes sealed data itself: the binary holds the same master key.
    rempart_test_db::share_master_key(dir.path());
    let source = populated(backend);
    let before = export::summarize(&mut source.conn()).expect("summary");
    let cli =
        |url: &str, args: &[&str], stdin: &[u8]| run(rempart(dir.path()).arg("--database").arg(url).args(args), stdin);
    assert!(cli(source.url(), &["keys", "init", "--uid", "Helpline <help@helpline.example>"], b"").status.success());
    let gpg = Gpg::new();
    let backup_key = dir.path().join("backup-key.asc");
    gpg.export_public(&backup_key);

    let file = dir.path().join("rempart.pgp");
    let file_arg = file.to_str().expect("utf-8");
    let out =
        cli(source.url(), &["backup", "--out", file_arg, "--recipient", backup_key.to_str().expect("utf-8")], b"");
    let said = text(&out.stdout);
    assert!(out.status.success(), "{said}{}", text(&out.stderr));
    assert!(said.contains(&format!("{} rows", before.rows())) && said.contains(&before.digest()), "{said}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).expect("file").permissions().mode() & 0o777, 0o600);
    }
    let bytes = std::fs::read(&file).expect("backup");
    for secret in ["Amina", "amina@example.org", "Sessions", "rempart-export"] {
        assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()), "{secret} in clear in the backup");
    }
    // Never replaced.
    let again =
        cli(source.url(), &["backup", "--out", file_arg, "--recipient", backup_key.to_str().expect("utf-8")], b"");
    assert!(!again.status.success() && text(&again.stderr).contains("already exists"));
    // Never written for the helpline key alone (it lives on the same server) unless asked.
    let alone = dir.path().join("alone.pgp");
    let refused = cli(source.url(), &["backup", "--out", alone.to_str().expect("utf-8")], b"");
    assert!(!refused.status.success() && text(&refused.stderr).contains("no backup key off this server"));
    assert!(!alone.exists(), "nothing written");
    let asked =
        cli(source.url(), &["backup", "--out", alone.to_str().expect("utf-8"), "--only-to-the-helpline-key"], b"");
    assert!(asked.status.success() && alone.exists(), "{}", text(&asked.stderr));

    // Restore with the helpline key, into a new database.
    let target = empty_target(backend);
    let out = cli(target.url(), &["restore", file_arg], b"");
    let said = text(&out.stdout);
    assert!(out.status.success(), "{said}{}", text(&out.stderr));
    assert!(said.contains("signed by the helpline key"), "{said}");
    assert_eq!(export::summarize(&mut target.conn()).expect("summary"), before);
    // Not over data.
    let twice = cli(target.url(), &["restore", file_arg], b"");
    assert!(!twice.status.success() && text(&twice.stderr).contains("not empty"), "{}", text(&twice.stderr));

    // The backup keeper, without the helpline's secret key: gpg decrypts and checks the
    // helpline's signature, rempart reads the plain export on stdin.
    let helpline_public = dir.path().join("helpline.asc");
    std::fs::write(&helpline_public, cli(source.url(), &["keys", "export"], b"").stdout).expect("write");
    assert!(gpg.cmd(&["--import", helpline_public.to_str().expect("utf-8")]).status.success());
    let decrypted = gpg.cmd(&["--decrypt", file_arg]);
    assert!(decrypted.status.success(), "gpg --decrypt: {}", text(&decrypted.stderr));
    assert!(text(&decrypted.stderr).contains("Good signature from \"Helpline <help@helpline.example>\""));
    // On a machine of their own, which has never seen the helpline's master key: the
    // backup carries it, so what it seals opens there.
    let keeper_machine = tempfile::tempdir().expect("keeper's machine");
    let other = empty_target(backend);
    let out = run(
        rempart(keeper_machine.path()).arg("--database").arg(other.url()).args(["restore", "-"]),
        &decrypted.stdout,
    );
    let said = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(said.contains("plain export") && said.contains("master key"), "{said}");
    assert_eq!(export::summarize(&mut other.conn()).expect("summary"), before);
    let adopted = std::fs::read_to_string(keeper_machine.path().join("data/master.key")).expect("adopted key");
    let ours = std::fs::read_to_string(dir.path().join("data/master.key")).expect("the helpline's key");
    assert_eq!(adopted, ours, "the keeper's configuration holds the helpline's master key");
    assert_eq!(
        rempart_store::protection::content_summary(&mut other.conn()).expect("opened"),
        rempart_store::protection::content_summary(&mut source.conn()).expect("opened"),
        "every sealed value opens as it did"
    );
    // Without the backup's key line (an older backup), the restore says which key it needs.
    let older: Vec<u8> = decrypted.stdout.splitn(2, |b| *b == b'\n').nth(1).expect("the export").to_vec();
    let elsewhere = tempfile::tempdir().expect("another machine");
    let third_target = empty_target(backend);
    let out = run(rempart(elsewhere.path()).arg("--database").arg(third_target.url()).args(["restore", "-"]), &older);
    assert!(!out.status.success() && text(&out.stderr).contains("master key"), "{}", text(&out.stderr));

    // A damaged file restores nothing.
    let mut damaged = bytes.clone();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0x55;
    let damaged_file = dir.path().join("damaged.pgp");
    std::fs::write(&damaged_file, &damaged).expect("write");
    let third = TestDb::new(backend);
    let out = cli(third.url(), &["restore", damaged_file.to_str().expect("utf-8")], b"");
    assert!(!out.status.success());
    let mut conn = third.conn();
    let summary = export::summarize(&mut conn).expect("summary");
    assert_eq!(summary.table("cases").expect("cases").rows, 0, "{}", text(&out.stderr));
    assert_eq!(summary.table("users").expect("users").rows, 0);
}

#[test]
fn backup_and_restore_on_sqlite() {
    backup_restore_round_trip(Backend::Sqlite);
}

#[test]
fn backup_and_restore_on_postgres() {
    backup_restore_round_trip(Backend::Postgres);
}

#[test]
fn a_backup_signed_by_another_key_is_refused() {
    // Someone who knows the helpline's public key can encrypt a forged backup to it; only
    // the helpline's own signature makes it a backup.
    let dir = tempfile::tempdir().expect("dir");
    // The test writes sealed data itself: the binary holds the same master key.
    rempart_test_db::share_master_key(dir.path());
    let forger = tempfile::tempdir().expect("dir");
    // The forger reads the same database (the master key is not what this test is about).
    rempart_test_db::share_master_key(forger.path());
    let source = populated(Backend::Sqlite);
    assert!(
        run(rempart(dir.path()).args(["keys", "init", "--uid", "Helpline <help@helpline.example>"]), "")
            .status
            .success()
    );
    assert!(run(rempart(forger.path()).args(["keys", "init", "--uid", "Forger <f@example.net>"]), "").status.success());
    let helpline_public = dir.path().join("helpline.asc");
    std::fs::write(&helpline_public, run(rempart(dir.path()).args(["keys", "export"]), "").stdout).expect("write");
    let file = forger.path().join("forged.pgp");
    let out = run(
        rempart(forger.path())
            .arg("--database")
            .arg(source.url())
            .args(["backup", "--out"])
            .arg(&file)
            .arg("--recipient")
            .arg(&helpline_public),
        "",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let target = TestDb::new(Backend::Sqlite);
    let out = run(rempart(dir.path()).arg("--database").arg(target.url()).arg("restore").arg(&file), "");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("not signed by the helpline key"), "{}", text(&out.stderr));
    let summary = export::summarize(&mut target.conn()).expect("summary");
    for table in ["users", "cases", "messages", "evidence_blobs"] {
        assert_eq!(summary.table(table).expect("table").rows, 0, "{table}");
    }
}

fn migrate_data_between(from: Backend, to: Backend) {
    let dir = tempfile::tempdir().expect("dir");
    // The test writes sealed data itself: the binary holds the same master key.
    rempart_test_db::share_master_key(dir.path());
    let source = populated(from);
    let target = empty_target(to);
    let out = run(rempart(dir.path()).args(["migrate-data", "--from", source.url(), "--to", target.url()]), "");
    let said = text(&out.stdout);
    assert!(out.status.success(), "{said}{}", text(&out.stderr));
    assert!(said.contains("every table's count and digest match the source"), "{said}");
    let moved = export::summarize(&mut target.conn()).expect("summary");
    assert_eq!(moved, export::summarize(&mut source.conn()).expect("summary"));
    assert!(said.contains(&moved.digest()));
    // A second run would mix two helplines: refused, nothing changed.
    let again = run(rempart(dir.path()).args(["migrate-data", "--from", source.url(), "--to", target.url()]), "");
    assert!(!again.status.success() && text(&again.stderr).contains("not empty"));
    assert_eq!(export::summarize(&mut target.conn()).expect("summary"), moved);
}

#[test]
fn migrate_data_from_sqlite_to_postgres() {
    migrate_data_between(Backend::Sqlite, Backend::Postgres);
}

#[test]
fn migrate_data_from_postgres_to_sqlite() {
    migrate_data_between(Backend::Postgres, Backend::Sqlite);
}

#[test]
fn migrate_data_refuses_while_serve_runs_on_the_sqlite_source() {
    let dir = tempfile::tempdir().expect("dir");
    // The test writes sealed data itself: the binary holds the same master key.
    rempart_test_db::share_master_key(dir.path());
    let url = format!("sqlite://{}", dir.path().join("data/rempart.db").display());
    let _running = crate::common::serve(dir.path(), &url, &[]);
    let target = empty_target(Backend::Postgres);
    let out = run(rempart(dir.path()).args(["migrate-data", "--from", &url, "--to", target.url()]), "");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("already running"), "{}", text(&out.stderr));
}

fn erase_and_retention_through_the_cli(backend: Backend) {
    let dir = tempfile::tempdir().expect("dir");
    // The test writes sealed data itself: the binary holds the same master key.
    rempart_test_db::share_master_key(dir.path());
    let db = TestDb::new(backend);
    fixtures::every_table(&mut db.conn());
    let cli = |args: &[&str], env: &[(&str, &str)]| {
        let mut cmd = rempart(dir.path());
        cmd.arg("--database").arg(db.url()).args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        run(&mut cmd, "")
    };
    // c-2 was closed just now and keeps its content: within any retention period.
    use diesel::RunQueryDsl;
    let mut conn = db.conn();
    diesel::sql_query(
        "UPDATE cases SET erased_at = NULL, status = 'closed', closed_at = CURRENT_TIMESTAMP WHERE id = 'c-2'",
    )
    .execute(&mut conn)
    .expect("c-2");
    diesel::sql_query(
        "INSERT INTO users (id, email, display_name, role, languages, password_hash, active, must_change_password, \
         token_version, created_at, updated_at, totp_enabled, capacity, cleared_for_restricted, time_zone) VALUES \
         ('u-2', 'handler@helpline.example', 'H', 'handler', 'fr', 'x', TRUE, FALSE, 1, CURRENT_TIMESTAMP, \
         CURRENT_TIMESTAMP, FALSE, 20, FALSE, 'UTC')",
    )
    .execute(&mut conn)
    .expect("handler");
    drop(conn);
    let reason = ["--reason", "asked to be forgotten"];
    let erase =
        |reference: &str, by: &str| cli(&[&["erase", "--case", reference, "--by", by][..], &reason[..]].concat(), &[]);
    let out = erase("RMP-2026-000002", "nobody@helpline.example");
    assert!(
        !out.status.success() && text(&out.stderr).contains("active account nobody@helpline.example not found"),
        "{}",
        text(&out.stderr)
    );
    let out = erase("RMP-2026-000002", "handler@helpline.example");
    assert!(!out.status.success() && text(&out.stderr).contains("only leads and administrators"));
    let off = cli(&["retention"], &[]);
    assert!(!off.status.success() && text(&off.stderr).contains("retention is off"));
    // Retention takes c-1 (closed in March) and leaves c-2, so the beneficiary stays.
    let out = cli(&["retention"], &[("REMPART_RETENTION__CLOSED_CASE_DAYS", "30")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(said.contains("erased 1 cases closed more than 30 days ago and 0 beneficiaries"), "{said}");
    let out = erase("RMP-2026-000001", "lead@helpline.example");
    assert!(!out.status.success() && text(&out.stderr).contains("already erased"), "{}", text(&out.stderr));
    // The request erases c-2 at once, and with it the beneficiary's identity.
    let out = erase("RMP-2026-000002", "lead@helpline.example");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), "erased RMP-2026-000002 and its beneficiary (no other case)");
    let text_left = {
        let mut all = Vec::new();
        export::export(&mut db.conn(), &mut all).expect("export");
        String::from_utf8(all).expect("utf-8")
    };
    assert!(!text_left.contains("Amina") && !text_left.contains("amina@example.org"));
    let summary = export::summarize(&mut db.conn()).expect("summary");
    assert_eq!(summary.table("erasures").expect("erasures").rows, 3, "the fixture's, retention's and the request's");
}

#[test]
fn erase_and_retention_on_sqlite() {
    erase_and_retention_through_the_cli(Backend::Sqlite);
}

#[test]
fn erase_and_retention_on_postgres() {
    erase_and_retention_through_the_cli(Backend::Postgres);
}

#[test]
fn stats_as_csv_suppress_small_cells() {
    let dir = tempfile::tempdir().expect("dir");
    // The test writes sealed data itself: the binary holds the same master key.
    rempart_test_db::share_master_key(dir.path());
    let db = populated(Backend::Sqlite);
    let stats = |min: &str| {
        let mut cmd = rempart(dir.path());
        cmd.arg("--database").arg(db.url()).args(["stats", "--from", "2020-01", "--to", "2030-12", "--csv"]);
        cmd.env("REMPART_STATS__MIN_CELL", min);
        let out = run(&mut cmd, "");
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    let counts = |csv: &str| -> Vec<u64> {
        csv.lines().skip(1).map(|l| l.split(',').nth(5).and_then(|n| n.parse().ok()).expect("count")).collect()
    };
    let all = stats("1");
    assert!(all.starts_with("month,service_type,audience_type,threat_type,urgency,cases,"), "{all}");
    assert_eq!(counts(&all).iter().sum::<u64>(), 202, "200 bulk cases and the fixture's 2");
    let safe = stats("5");
    let shown = counts(&safe);
    assert!(!shown.is_empty() && shown.iter().all(|n| *n >= 5), "{safe}");
    assert!(shown.len() < counts(&all).len(), "some cells are under 5");
    let table = run(
        rempart(dir.path()).arg("--database").arg(db.url()).args(["stats", "--from", "2020-01", "--to", "2030-12"]),
        "",
    );
    assert!(text(&table.stdout).contains("cells under 5 cases suppressed:"), "{}", text(&table.stdout));
}

/// A SQLite database used as a helpline uses it, through the API (sign-ins, a password
/// change, a case, a reply, evidence, a check-in), moves to PostgreSQL: every timestamp
/// reads back equal there (SQLite once kept nanoseconds PostgreSQL cannot hold).
#[test]
fn migrate_data_moves_a_database_used_through_the_api() {
    let dir = tempfile::tempdir().expect("dir");
    // The test writes sealed data itself: the binary holds the same master key.
    rempart_test_db::share_master_key(dir.path());
    let url = format!("sqlite://{}", dir.path().join("data/rempart.db").display());
    {
        let served = crate::common::serve(dir.path(), &url, &[]);
        let client = reqwest::blocking::Client::new();
        let post = |path: &str, body: serde_json::Value| {
            client
                .post(served.url(path))
                .bearer_auth(&served.token)
                .json(&body)
                .send()
                .and_then(|r| r.error_for_status())
                .and_then(|r| r.json::<serde_json::Value>())
                .unwrap_or_else(|e| panic!("{path}: {e}"))
        };
        let case = post(
            "/api/v1/cases",
            serde_json::json!({"beneficiary": {"display_name": "Ana", "emails": ["ana@example.org"]}, "summary": "Compte piraté", "urgency": "critical"}),
        );
        let id = case["id"].as_str().expect("id").to_owned();
        post(&format!("/api/v1/cases/{id}/replies"), serde_json::json!({"body": "Nous vous rappelons."}));
        post(&format!("/api/v1/cases/{id}/comments"), serde_json::json!({"text": "appel prévu"}));
        let form = reqwest::blocking::multipart::Form::new()
            .part("file", reqwest::blocking::multipart::Part::bytes(b"capture".to_vec()).file_name("capture.png"));
        client
            .post(served.url(&format!("/api/v1/cases/{id}/evidence")))
            .bearer_auth(&served.token)
            .multipart(form)
            .send()
            .and_then(|r| r.error_for_status())
            .expect("evidence");
        // More sign-ins: refresh tokens with their expiry.
        for _ in 0..3 {
            client
                .post(served.url("/api/v1/auth/login"))
                .json(&serde_json::json!({"email": "admin@rempart.local", "password": "the admin's own passphrase"}))
                .send()
                .and_then(|r| r.error_for_status())
                .expect("login");
        }
    }
    let target = empty_target(Backend::Postgres);
    let out = run(rempart(dir.path()).args(["migrate-data", "--from", &url, "--to", target.url()]), "");
    let said = text(&out.stdout);
    assert!(out.status.success(), "{said}{}", text(&out.stderr));
    assert!(said.contains("every table's count and digest match the source"), "{said}");
}

/// The README's test command passes on a fresh machine: it is `.ci/run`, which starts or
/// installs every peer the tests talk to (`cargo test --workspace` alone does not).
#[test]
fn the_readme_test_command_provides_what_the_tests_need() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let section = readme.split("## Test it").nth(1).expect("a Test it section");
    let command = section.split("```sh").nth(1).and_then(|b| b.split("```").next()).expect("a command").trim();
    assert_eq!(command, ".ci/run", "the one command that works on a fresh machine");
    let ci = std::fs::read_to_string(root.join(".ci/run")).expect(".ci/run");
    for peer in
        ["pg_ctlcluster", "gnupg", "dovecot-imapd", "aiosmtpd", "nginx-light", "systemd", "cargo test --workspace"]
    {
        assert!(ci.contains(peer), ".ci/run must provide {peer}");
    }
}

/// The container's runtime stage installs every shared library the binary needs (libpq is
/// built in, as SQLite is): `ldd` of the binary, each library's Debian package, and the
/// packages the Containerfile installs beside what `debian:bookworm-slim` has.
#[test]
fn the_runtime_stage_installs_every_library_the_binary_links() {
    let out = Command::new("ldd").arg(env!("CARGO_BIN_EXE_rempart")).output().expect("ldd");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let containerfile = std::fs::read_to_string(deploy("container/Containerfile")).expect("Containerfile");
    let runtime = containerfile.rsplit("FROM ").next().expect("a runtime stage");
    assert!(runtime.starts_with("docker.io/library/debian:bookworm-slim"), "{runtime}");
    let installed: Vec<&str> = runtime
        .split("apt-get install")
        .nth(1)
        .and_then(|rest| rest.split("&&").next())
        .expect("the runtime stage installs packages")
        .split_whitespace()
        .filter(|w| !w.starts_with('-') && *w != "\\")
        .collect();
    // Essential in every Debian image.
    let base = ["libc6", "libgcc-s1"];
    let mut needed = Vec::new();
    for line in text(&out.stdout).lines() {
        let Some(path) = line.split("=>").nth(1).and_then(|p| p.split_whitespace().next()) else { continue };
        let candidates = [path.to_owned(), path.replacen("/lib/", "/usr/lib/", 1)];
        let package = candidates
            .iter()
            .find_map(|p| {
                let q = Command::new("dpkg").args(["-S", p]).output().ok()?;
                q.status.success().then(|| text(&q.stdout).split(':').next().unwrap_or_default().to_owned())
            })
            .unwrap_or_else(|| panic!("no Debian package holds {path}"));
        needed.push((path.to_owned(), package));
    }
    assert!(!needed.iter().any(|(p, _)| p.contains("libpq")), "libpq is built in: {needed:?}");
    for (path, package) in &needed {
        assert!(
            base.contains(&package.as_str()) || installed.contains(&package.as_str()),
            "{path} comes from {package}, which the runtime stage does not install ({installed:?})"
        );
    }
}
