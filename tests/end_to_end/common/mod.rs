//! Helpers shared by the end-to-end tests of the binary.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// The binary, in `dir`, with no REMPART_* variable inherited from the caller.
pub fn rempart(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rempart"));
    cmd.current_dir(dir);
    for (key, _) in std::env::vars() {
        if key.starts_with("REMPART_") {
            cmd.env_remove(key);
        }
    }
    cmd.env_remove("RUST_LOG");
    cmd
}

pub fn run(cmd: &mut Command, stdin: impl AsRef<[u8]>) -> Output {
    let mut child =
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn rempart");
    child.stdin.take().expect("stdin").write_all(stdin.as_ref()).expect("write stdin");
    child.wait_with_output().expect("rempart output")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[track_caller]
pub fn ok(out: &Output) -> String {
    assert!(out.status.success(), "rempart failed: {}\n{}", text(&out.stdout), text(&out.stderr));
    text(&out.stdout)
}

/// Reads the child's stdout until a line satisfies `want`, with a deadline.
pub fn read_until(
    lines: &mut impl Iterator<Item = std::io::Result<String>>,
    want: impl Fn(&str) -> bool,
) -> Vec<String> {
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.expect("stdout line");
        let done = want(&line);
        seen.push(line);
        if done {
            return seen;
        }
    }
    panic!("the server stopped before printing what was expected: {seen:?}");
}

/// A running `rempart serve`, stopped with SIGTERM on drop.
pub struct Served {
    pub child: std::process::Child,
    pub port: u16,
    /// An administrator's access token (the first-start password already changed).
    pub token: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let _ = self.child.wait();
    }
}

impl Served {
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

/// What a first start of `serve` printed on standard output, until it listens.
pub struct FirstStart {
    pub printed: Vec<String>,
    pub password: String,
    pub port: u16,
}

/// Runs `cmd` (a `serve` with stdout piped) and reads its first-start lines: the one-time
/// password and the port.
pub fn first_start(cmd: &mut Command) -> (std::process::Child, FirstStart) {
    use std::io::BufRead;
    let mut child = cmd.spawn().expect("spawn serve");
    let mut lines = std::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
    let printed = read_until(&mut lines, |l| l.starts_with("Rempart is listening on port"));
    let password = printed
        .iter()
        .find_map(|l| l.trim().strip_prefix("password:"))
        .map(|p| p.trim().to_owned())
        .expect("the one-time password is printed on first start");
    let port: u16 = printed.last().and_then(|l| l.rsplit(' ').next()).and_then(|p| p.parse().ok()).expect("port");
    (child, FirstStart { printed, password, port })
}

/// Starts `serve` on a free port with extra environment, logs in as the first-start
/// administrator and changes the one-time password.
pub fn serve(dir: &Path, database_url: &str, env: &[(&str, String)]) -> Served {
    let mut cmd = rempart(dir);
    cmd.args(["--database", database_url, "serve", "--bind", "127.0.0.1:0"]).stdout(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let (child, FirstStart { password, port, .. }) = first_start(&mut cmd);
    let token = replace_first_password(port, &password);
    Served { child, port, token }
}

/// Signs in as the first-start administrator with the one-time `password` and replaces it
/// (with "the admin's own passphrase"): the new access token.
pub fn replace_first_password(port: u16, password: &str) -> String {
    let client = reqwest::blocking::Client::new();
    let url = |p: &str| format!("http://127.0.0.1:{port}{p}");
    let login: serde_json::Value = client
        .post(url("/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "admin@rempart.local", "password": password}))
        .send()
        .and_then(|r| r.error_for_status())
        .and_then(|r| r.json())
        .expect("login");
    let changed: serde_json::Value = client
        .post(url("/api/v1/auth/password"))
        .bearer_auth(login["access_token"].as_str().expect("token"))
        .json(&serde_json::json!({"current_password": password, "new_password": "the admin's own passphrase"}))
        .send()
        .and_then(|r| r.error_for_status())
        .and_then(|r| r.json())
        .expect("password change");
    changed["access_token"].as_str().expect("token").to_owned()
}

/// Starts `serve` on a database that already has its administrator (nothing is printed
/// but the port); the token of the result is empty.
pub fn start(dir: &Path, database_url: &str, env: &[(&str, String)]) -> Served {
    let (child, mut lines) = spawn_serve(dir, database_url, env);
    let printed = read_until(&mut lines, |l| l.starts_with("Rempart is listening on port"));
    let port: u16 = printed.last().and_then(|l| l.rsplit(' ').next()).and_then(|p| p.parse().ok()).expect("port");
    Served { child, port, token: String::new() }
}

/// The lines a running `serve` prints on standard output.
pub type ServeLines = std::io::Lines<std::io::BufReader<std::process::ChildStdout>>;

/// Starts `serve` on a free port with extra environment; its standard output to read.
pub fn spawn_serve(dir: &Path, database_url: &str, env: &[(&str, String)]) -> (std::process::Child, ServeLines) {
    use std::io::BufRead;
    let mut cmd = rempart(dir);
    cmd.args(["--database", database_url, "serve", "--bind", "127.0.0.1:0"]).stdout(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn serve");
    let lines = std::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
    (child, lines)
}

/// Configuration of `serve` for the loopback Dovecot of the mail tests (user `help`),
/// polled every second.
pub fn imap_env(port: u16) -> Vec<(&'static str, String)> {
    vec![
        ("REMPART_MAIL__IMAP__HOST", "127.0.0.1".into()),
        ("REMPART_MAIL__IMAP__PORT", port.to_string()),
        ("REMPART_MAIL__IMAP__TLS", "none".into()),
        ("REMPART_MAIL__IMAP__USERNAME", "help".into()),
        ("REMPART_MAIL__IMAP__PASSWORD", "secret".into()),
        ("REMPART_MAIL__IMAP__POLL_SECS", "1".into()),
    ]
}

/// Configuration of `serve` for a loopback SMTP server without TLS; the outbox is polled
/// every second.
pub fn smtp_env(port: u16) -> Vec<(&'static str, String)> {
    vec![
        ("REMPART_MAIL__SMTP__HOST", "127.0.0.1".into()),
        ("REMPART_MAIL__SMTP__PORT", port.to_string()),
        ("REMPART_MAIL__SMTP__TLS", "none".into()),
        ("REMPART_MAIL__OUTBOX_POLL_SECS", "1".into()),
    ]
}
