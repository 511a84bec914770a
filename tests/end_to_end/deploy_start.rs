//! The shipped deployment starts: the binary is run with exactly the environment,
//! credentials and folders that `deploy/systemd/rempart.service` and
//! `rempart-backup.service` set, and with exactly the environment, user, working folder and
//! command of the Containerfile's runtime stage, as an unprivileged user, in a temporary
//! root standing for `/`. `serve` must answer `/readyz` and the backup job must write its
//! file. `.ci/run` builds the release binary and names it in `REMPART_DEPLOY_BINARY`; a
//! plain `cargo test` runs the test build of the same binary.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{ok, rempart, run, text};

/// What a unit file sets for its service.
#[derive(Debug, Default)]
struct Unit {
    environment: Vec<(String, String)>,
    credentials: Vec<(String, String)>,
    state_directories: Vec<String>,
    working_directory: Option<String>,
    exec_start: String,
}

fn unit(name: &str) -> Unit {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/systemd").join(name);
    let body = std::fs::read_to_string(&path).expect("unit file");
    let mut unit = Unit::default();
    for line in body.lines().map(str::trim).filter(|l| !l.starts_with('#')) {
        let Some((key, value)) = line.split_once('=') else { continue };
        match key {
            "Environment" => {
                let (k, v) = value.split_once('=').expect("Environment=KEY=VALUE");
                unit.environment.push((k.to_owned(), v.to_owned()));
            }
            "LoadCredential" => {
                let (id, source) = value.split_once(':').expect("LoadCredential=ID:PATH");
                unit.credentials.push((id.to_owned(), source.to_owned()));
            }
            "StateDirectory" => unit.state_directories.extend(value.split_whitespace().map(str::to_owned)),
            "WorkingDirectory" => unit.working_directory = Some(value.to_owned()),
            "ExecStart" => unit.exec_start = value.to_owned(),
            _ => {}
        }
    }
    unit
}

/// The temporary root: `/var/lib`, `/etc/rempart` and the credentials folder (`%d`).
struct Root {
    dir: tempfile::TempDir,
}

impl Root {
    fn path(&self, absolute: &str) -> PathBuf {
        self.dir.path().join(absolute.trim_start_matches('/'))
    }

    fn credentials(&self) -> PathBuf {
        self.path("/run/credentials/rempart.service")
    }

    /// A unit's value with its paths moved under the root, `%d` and `%%` expanded.
    fn expand(&self, value: &str, binary: &Path) -> String {
        let root = self.dir.path().to_string_lossy();
        value
            .replace("/usr/local/bin/rempart", &binary.to_string_lossy())
            .replace("/var/lib/", &format!("{root}/var/lib/"))
            .replace("/etc/rempart/", &format!("{root}/etc/rempart/"))
            // `%%` is a literal `%` in a unit: set aside before `%d` is expanded.
            .replace("%%", "\u{0}")
            .replace("%d", &self.credentials().to_string_lossy())
            .replace('\u{0}', "%")
    }
}

/// The binary the units and the image start: the release build when `.ci/run` made one.
fn deploy_binary() -> PathBuf {
    match std::env::var_os("REMPART_DEPLOY_BINARY") {
        Some(path) => {
            let path = PathBuf::from(path);
            assert!(path.is_file(), "REMPART_DEPLOY_BINARY={} is not a file", path.display());
            path
        }
        None => PathBuf::from(env!("CARGO_BIN_EXE_rempart")),
    }
}

fn running_as_root() -> bool {
    Command::new("id").arg("-u").output().ok().is_some_and(|o| text(&o.stdout).trim() == "0")
}

/// The uid and gid the service runs as: `nobody`, when the tests run as root (as CI does).
fn service_user() -> Option<(u32, u32)> {
    running_as_root().then_some((65534, 65534))
}

/// Runs `command` as the service user: with setpriv when we are root.
fn as_service(command: &str, env: &[(String, String)], cwd: &Path) -> Command {
    as_user(service_user(), command, env, cwd)
}

fn as_user(user: Option<(u32, u32)>, command: &str, env: &[(String, String)], cwd: &Path) -> Command {
    let mut cmd = match user {
        Some((uid, gid)) => {
            let mut c = Command::new("setpriv");
            c.args([format!("--reuid={uid}"), format!("--regid={gid}"), "--clear-groups".into()]);
            c.args(["/bin/sh", "-c", command]);
            c
        }
        None => {
            let mut c = Command::new("/bin/sh");
            c.args(["-c", command]);
            c
        }
    };
    cmd.current_dir(cwd).env_clear().env("PATH", "/usr/bin:/bin").env("HOME", cwd);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

#[cfg(unix)]
fn give_to_service(path: &Path, mode: u32) {
    give_to(service_user(), path, mode);
}

#[cfg(unix)]
fn give_to(user: Option<(u32, u32)>, path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("mode");
    if let Some((uid, gid)) = user {
        std::os::unix::fs::chown(path, Some(uid), Some(gid)).expect("chown");
    }
}

/// Starts `command` (a `serve`) as `user` and waits until it listens: the child and its port.
fn start_serve(
    user: Option<(u32, u32)>,
    command: &str,
    env: &[(String, String)],
    cwd: &Path,
) -> (std::process::Child, u16) {
    let mut serve =
        as_user(user, command, env, cwd).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("serve");
    let port = listening_port(&mut serve);
    (serve, port)
}

/// Reads serve's standard output until it says its port; panics with its errors if it
/// stops before.
fn listening_port(serve: &mut std::process::Child) -> u16 {
    let mut lines = std::io::BufReader::new(serve.stdout.take().expect("stdout")).lines();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(Instant::now() < deadline, "serve did not start");
        match lines.next() {
            Some(Ok(line)) => {
                if let Some(port) = line.strip_prefix("Rempart is listening on port ") {
                    return port.trim().parse().expect("port");
                }
            }
            _ => {
                let _ = serve.kill();
                let mut errors = String::new();
                if let Some(mut e) = serve.stderr.take() {
                    let _ = std::io::Read::read_to_string(&mut e, &mut errors);
                }
                panic!("serve stopped before listening: {errors}");
            }
        }
    }
}

#[cfg(unix)]
#[test]
fn the_systemd_units_start_serve_and_the_backup_as_they_are_written() {
    let binary = deploy_binary();
    let root = Root { dir: tempfile::tempdir().expect("root") };
    give_to_service(root.dir.path(), 0o755);
    let service = unit("rempart.service");
    let backup = unit("rempart-backup.service");

    // What systemd prepares: the state folders (0700, the service's), the configuration
    // file the units name, and the credentials they load (readable by the service only).
    for unit in [&service, &backup] {
        for state in &unit.state_directories {
            let dir = root.path(&format!("/var/lib/{state}"));
            std::fs::create_dir_all(&dir).expect("state directory");
            for ancestor in dir.ancestors().take_while(|a| *a != root.dir.path()) {
                give_to_service(ancestor, if ancestor == dir || ancestor.ends_with("rempart") { 0o700 } else { 0o755 });
            }
        }
    }
    std::fs::create_dir_all(root.path("/etc/rempart")).expect("etc");
    give_to_service(&root.path("/etc/rempart"), 0o755);
    let config = root.path("/etc/rempart/rempart.toml");
    // The nightly backup is encrypted to a keeper's key, off the server (without one it is
    // refused): here one made for the test.
    let keeper = tempfile::tempdir().expect("keeper");
    ok(&run(rempart(keeper.path()).args(["keys", "init", "--uid", "Backup keeper <keeper@helpline.example>"]), ""));
    let keeper_key = root.path("/etc/rempart/backup-keeper.asc");
    std::fs::write(&keeper_key, ok(&run(rempart(keeper.path()).args(["keys", "export"]), ""))).expect("keeper key");
    give_to_service(&keeper_key, 0o644);
    std::fs::write(
        &config,
        format!("[server]\nbind = \"127.0.0.1:0\"\n\n[backup]\nrecipients = [\"{}\"]\n", keeper_key.display()),
    )
    .expect("config");
    give_to_service(&config, 0o644);
    let keys = tempfile::tempdir().expect("keys");
    ok(&run(rempart(keys.path()).args(["keys", "init", "--uid", "Helpline <help@helpline.example>"]), ""));
    std::fs::create_dir_all(root.credentials()).expect("credentials");
    give_to_service(&root.credentials(), 0o700);
    for unit in [&service, &backup] {
        for (id, _source) in &unit.credentials {
            let content = match id.as_str() {
                "jwt-secret" => "a token-signing secret of at least 32 characters\n".as_bytes().to_vec(),
                "helpline-key.asc" => std::fs::read(keys.path().join("data/helpline-key.asc")).expect("key"),
                "master.key" => std::fs::read(keys.path().join("data/master.key")).expect("master key"),
                "database-url" => b"sqlite:///var/lib/rempart/rempart.db\n".to_vec(),
                other => panic!("a test credential for {other} is needed"),
            };
            let path = root.credentials().join(id);
            std::fs::write(&path, content).expect("credential");
            give_to_service(&path, 0o400);
        }
    }

    // serve, as rempart.service starts it.
    let env: Vec<(String, String)> =
        service.environment.iter().map(|(k, v)| (k.clone(), root.expand(v, &binary))).collect();
    let cwd = root.path(service.working_directory.as_deref().unwrap_or("/var/lib/rempart"));
    let command = format!("umask 0077; exec {}", root.expand(&service.exec_start, &binary));
    let (mut serve, port) = start_serve(service_user(), &command, &env, &cwd);
    let ready = reqwest::blocking::get(format!("http://127.0.0.1:{port}/readyz")).expect("readyz");
    assert_eq!(ready.status().as_u16(), 200);
    let key = reqwest::blocking::get(format!("http://127.0.0.1:{port}/api/v1/helpline-key")).expect("key");
    assert_eq!(key.status().as_u16(), 200, "the helpline key came through the credential");

    // The nightly backup, as rempart-backup.service runs it, while serve runs.
    let env: Vec<(String, String)> =
        backup.environment.iter().map(|(k, v)| (k.clone(), root.expand(v, &binary))).collect();
    let exec = root.expand(&backup.exec_start, &binary);
    let command = exec.strip_prefix("/bin/sh -c '").and_then(|c| c.strip_suffix('\'')).unwrap_or(&exec).to_owned();
    let out = as_service(&format!("umask 0077; {command}"), &env, &cwd).output().expect("backup");
    let _ = Command::new("kill").args(["-TERM", &serve.id().to_string()]).status();
    let _ = serve.wait();
    assert!(out.status.success(), "backup: {}{}", text(&out.stdout), text(&out.stderr));
    let written: Vec<PathBuf> = std::fs::read_dir(root.path("/var/lib/rempart/backups"))
        .expect("backups folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "pgp"))
        .collect();
    assert_eq!(written.len(), 1, "{written:?}");
    assert!(std::fs::metadata(&written[0]).expect("backup file").len() > 0);
}

/// The Containerfile's runtime stage, run as it runs: its `ENV`, `USER`, `WORKDIR`,
/// `ENTRYPOINT` and `CMD`, the volume prepared as its `install -d` does. The one change is
/// the listening port (the image's fixed 8080 would collide between tests): port 0.
#[cfg(unix)]
#[test]
fn the_container_image_starts_serve_as_its_runtime_stage_says() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/container/Containerfile");
    let file = std::fs::read_to_string(path).expect("Containerfile");
    let runtime = file.rsplit("\nFROM ").next().expect("a runtime stage").replace("\\\n", " ");
    let (mut env, mut user, mut workdir, mut entrypoint, mut cmd) = (Vec::new(), None, None, Vec::new(), Vec::new());
    let json_words = |v: &str| -> Vec<String> { serde_json::from_str(v.trim()).expect("exec form") };
    for line in runtime.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("ENV ") {
            for pair in rest.split_whitespace() {
                let (k, v) = pair.split_once('=').expect("ENV KEY=VALUE");
                env.push((k.to_owned(), v.to_owned()));
            }
        } else if let Some(rest) = line.strip_prefix("USER ") {
            let (uid, gid) = rest.trim().split_once(':').expect("USER uid:gid");
            user = Some((uid.parse::<u32>().expect("uid"), gid.parse::<u32>().expect("gid")));
        } else if let Some(rest) = line.strip_prefix("WORKDIR ") {
            workdir = Some(rest.trim().to_owned());
        } else if let Some(rest) = line.strip_prefix("ENTRYPOINT ") {
            entrypoint = json_words(rest);
        } else if let Some(rest) = line.strip_prefix("CMD ") {
            cmd = json_words(rest);
        }
    }
    assert!(!env.is_empty() && user.is_some() && workdir.is_some() && !entrypoint.is_empty(), "{runtime}");
    let user = running_as_root().then_some(user.expect("USER"));
    let root = Root { dir: tempfile::tempdir().expect("root") };
    give_to(None, root.dir.path(), 0o755);
    let binary = deploy_binary();
    let workdir = root.path(workdir.as_deref().expect("WORKDIR"));
    std::fs::create_dir_all(&workdir).expect("volume");
    for ancestor in workdir.ancestors().skip(1).take_while(|a| *a != root.dir.path()) {
        give_to(None, ancestor, 0o755);
    }
    give_to(user, &workdir, 0o700);
    // The operator puts the helpline key in the volume (deploy/README.md).
    let keys = tempfile::tempdir().expect("keys");
    ok(&run(rempart(keys.path()).args(["keys", "init", "--uid", "Helpline <help@helpline.example>"]), ""));
    let key = workdir.join("helpline-key.asc");
    std::fs::copy(keys.path().join("data/helpline-key.asc"), &key).expect("key");
    give_to(user, &key, 0o600);
    // With the master key that sealed it (deploy/README.md, "Protection at rest").
    let master = workdir.join("master.key");
    std::fs::copy(keys.path().join("data/master.key"), &master).expect("master key");
    give_to(user, &master, 0o600);
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| {
            let v = if k == "REMPART_SERVER__BIND" { "127.0.0.1:0".to_owned() } else { root.expand(v, &binary) };
            (k.clone(), v)
        })
        .collect();
    let words: Vec<String> = entrypoint.iter().chain(&cmd).map(|w| root.expand(w, &binary)).collect();
    let (mut serve, port) = start_serve(user, &format!("exec {}", words.join(" ")), &env, &workdir);
    let ready = reqwest::blocking::get(format!("http://127.0.0.1:{port}/readyz")).expect("readyz");
    let key = reqwest::blocking::get(format!("http://127.0.0.1:{port}/api/v1/helpline-key")).expect("key");
    let _ = Command::new("kill").args(["-TERM", &serve.id().to_string()]).status();
    let _ = serve.wait();
    assert_eq!(ready.status().as_u16(), 200);
    assert_eq!(key.status().as_u16(), 200, "the key in the volume is the helpline key");
    assert!(workdir.join("rempart.db").is_file(), "the database lives in the volume");
}
