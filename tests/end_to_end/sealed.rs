//! A sealed start, end to end: the master key file under a passphrase, `serve` started
//! sealed answers only its unlock page and `POST /api/v1/unlock`; mail arrives meanwhile by
//! `mailgate` (spooled, encrypted) and over IMAP (left in the mailbox); wrong passphrases
//! are refused, then rate limited; `rempart unlock` opens it through the local socket and
//! both messages are filed. Then the passphrase is changed and the master key rotated with
//! the service stopped: it starts sealed again and opens with the new passphrase only.

use crate::common::{ok, read_until, rempart, run, text};
use crate::mail_support::{Dovecot, Gpg, pgp_mime, protected_inner};
use rempart_test_db::{TestDb, on_both_backends};
use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

const HELPLINE: &str = "help@helpline.example";
pub(crate) const FIRST: &str = "lanterns over the quiet harbour at dusk";
const SECOND: &str = "seven copper kettles sing on tuesdays";
/// scrypt's work factor for the test (the default costs a second per attempt).
pub(crate) const WORK_FACTOR: &str = "10";

type Lines = crate::common::ServeLines;

/// A `serve` started sealed: its port and the rest of its standard output.
pub(crate) struct Sealed {
    pub(crate) child: Child,
    pub(crate) port: u16,
    pub(crate) lines: Lines,
}

impl Drop for Sealed {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let _ = self.child.wait();
    }
}

impl Sealed {
    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

pub(crate) fn start_sealed(dir: &Path, url: &str, env: &[(&'static str, String)]) -> Sealed {
    let (child, mut lines) = crate::common::spawn_serve(dir, url, env);
    let printed = read_until(&mut lines, |l| l.starts_with("Rempart is"));
    let last = printed.last().expect("a line");
    assert!(last.starts_with("Rempart is sealed and listening on port"), "starts sealed: {printed:?}");
    let port = last.rsplit(' ').next().and_then(|p| p.parse().ok()).expect("port");
    Sealed { child, port, lines }
}

fn unlock_api(client: &reqwest::blocking::Client, sealed: &Sealed, passphrase: &str) -> reqwest::blocking::Response {
    client
        .post(sealed.url("/api/v1/unlock"))
        .json(&serde_json::json!({ "passphrase": passphrase }))
        .send()
        .expect("unlock")
}

fn problem_type(response: reqwest::blocking::Response) -> String {
    let body: serde_json::Value = response.json().expect("problem JSON");
    body["type"].as_str().unwrap_or_default().to_owned()
}

fn summaries(client: &reqwest::blocking::Client, port: u16, token: &str) -> Vec<String> {
    let cases: serde_json::Value = client
        .get(format!("http://127.0.0.1:{port}/api/v1/cases"))
        .bearer_auth(token)
        .send()
        .and_then(|r| r.json())
        .expect("cases");
    let mut found: Vec<String> = cases["items"]
        .as_array()
        .map(|items| items.iter().filter_map(|c| c["summary"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    found.sort();
    found
}

fn spooled(dir: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir.join("data/spool"))
        .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default()
}

fn a_sealed_start_keeps_mail_and_opens_with_the_passphrase(db: TestDb) {
    let dir = tempfile::tempdir().expect("dir");
    let url = db.url();
    let keys = ok(&run(
        rempart(dir.path()).args(["--database", url, "keys", "init", "--uid", &format!("Helpline <{HELPLINE}>")]),
        "",
    ));
    assert!(keys.contains("created the helpline key"), "{keys}");
    let public = ok(&run(rempart(dir.path()).args(["--database", url, "keys", "export"]), ""));
    let protected = ok(&run(
        rempart(dir.path()).args(["--database", url, "keys", "protect-master", "--work-factor", WORK_FACTOR]),
        format!("{FIRST}\n"),
    ));
    assert!(protected.contains("now under a passphrase"), "{protected}");
    let key_file = std::fs::read_to_string(dir.path().join("data/master.key")).expect("key file");
    assert!(key_file.starts_with("-----BEGIN AGE ENCRYPTED FILE-----"), "the key is no longer in clear");
    // A guessable passphrase is refused.
    let weak = run(rempart(dir.path()).args(["--database", url, "keys", "change-passphrase"]), "password1\n");
    assert!(!weak.status.success());

    let ana = Gpg::new("Ana", "ana@example.net");
    ana.import(public.as_bytes());
    let dovecot = Dovecot::start();
    let sealed = start_sealed(dir.path(), url, &crate::common::imap_env(dovecot.port));
    let client =
        reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");

    // Mail while sealed: over IMAP (stays in the mailbox) and through mailgate (spooled).
    let by_imap = pgp_mime(
        &ana.email,
        HELPLINE,
        "...",
        "sealed-imap@example.net",
        "",
        &ana.encrypt_sign(HELPLINE, &protected_inner("Arrivé scellé par IMAP", "Bonjour.")),
    );
    dovecot.deliver("INBOX", &by_imap);
    let by_pipe = crate::mail_support::plain(
        &ana.email,
        "Arrivé scellé par le tuyau",
        "sealed-pipe@example.net",
        "Un message en clair.",
    );
    let out = ok(&run(rempart(dir.path()).args(["--database", url, "mailgate"]), &by_pipe));
    assert_eq!(out.trim(), r#"{"outcome":"spooled"}"#);
    let files = spooled(dir.path());
    assert_eq!(files.len(), 1, "{files:?}");
    let bytes = std::fs::read(&files[0]).expect("spooled file");
    let raw = String::from_utf8_lossy(&bytes);
    assert!(!raw.contains("ana@example.net") && !raw.contains("tuyau"), "spooled encrypted, not in clear");

    // Sealed: the API says so; the console shows its unlock page only.
    let cases = client.get(sealed.url("/api/v1/cases")).send().expect("cases");
    assert_eq!(cases.status().as_u16(), 503);
    assert_eq!(problem_type(cases), "urn:rempart:problem:sealed");
    assert_eq!(client.get(sealed.url("/readyz")).send().expect("readyz").status().as_u16(), 503);
    let home = client.get(sealed.url("/")).send().expect("home");
    assert_eq!(home.status().as_u16(), 303);
    assert_eq!(home.headers()["location"], "/unlock");
    let page = client.get(sealed.url("/unlock")).header("Accept-Language", "es").send().expect("unlock page");
    assert_eq!(page.status().as_u16(), 200);
    let page = page.text().expect("page");
    assert!(page.contains("name=\"passphrase\"") && page.contains("Desbloquear Rempart"), "{page}");

    // A form the page did not write is answered as a page, never a bare text.
    let odd = client
        .post(sealed.url("/unlock"))
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .expect("odd form");
    assert_eq!(odd.status().as_u16(), 400);
    assert!(odd.headers()["content-type"].to_str().unwrap_or_default().starts_with("text/html"));

    // Wrong passphrases: refused (the console answers beside the field, in French), then
    // rate limited, even for the right one.
    let refused = client
        .post(sealed.url("/unlock"))
        .header("Accept-Language", "fr")
        .form(&[("passphrase", "not the passphrase")])
        .send()
        .expect("console unlock");
    assert_eq!(refused.status().as_u16(), 401);
    assert!(refused.text().expect("page").contains("Phrase de passe incorrecte."));
    for guess in 1..rempart_app::unlock::MAX_FAILURES {
        let response = unlock_api(&client, &sealed, &format!("guess number {guess}"));
        assert_eq!(response.status().as_u16(), 401);
        assert_eq!(problem_type(response), "urn:rempart:problem:invalid-credentials");
    }
    let waiting = unlock_api(&client, &sealed, FIRST);
    assert_eq!(waiting.status().as_u16(), 429);
    assert!(waiting.headers().contains_key("retry-after"));
    let page = client
        .post(sealed.url("/unlock"))
        .header("Accept-Language", "fr")
        .form(&[("passphrase", FIRST)])
        .send()
        .expect("page");
    assert_eq!(page.status().as_u16(), 429);
    assert!(page.text().expect("page").contains("Trop de phrases de passe incorrectes"));
    assert!(dovecot.flags("INBOX").iter().all(|(_, f)| !f.contains("\\Seen")), "the IMAP fetcher waits while sealed");

    // The local socket (the service account on the server) unlocks.
    let wrong = run(rempart(dir.path()).args(["--database", url, "unlock"]), "not it either\n");
    assert!(!wrong.status.success() && text(&wrong.stderr).contains("wrong passphrase"), "{}", text(&wrong.stderr));
    ok(&run(rempart(dir.path()).args(["--database", url, "unlock"]), format!("{FIRST}\n")));
    let port = sealed.port;
    let mut sealed = sealed;
    let printed = read_until(&mut sealed.lines, |l| l.starts_with("Rempart is listening on port"));
    assert!(printed.last().is_some_and(|l| l.ends_with(&format!(" {port}"))), "the same port: {printed:?}");
    let password = printed
        .iter()
        .find_map(|l| l.trim().strip_prefix("password:"))
        .map(|p| p.trim().to_owned())
        .expect("the first start's password, once unlocked");
    let token = crate::common::replace_first_password(port, &password);
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut found = summaries(&client, port, &token);
    while found.len() < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
        found = summaries(&client, port, &token);
    }
    assert_eq!(found, ["Arrivé scellé par IMAP", "Arrivé scellé par le tuyau"]);
    assert!(spooled(dir.path()).is_empty(), "the spool is emptied once filed");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !dovecot.flags("INBOX").iter().all(|(_, f)| f.contains("\\Seen")) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(dovecot.flags("INBOX").iter().all(|(_, f)| f.contains("\\Seen")), "fetched after the unlock");
    drop(sealed);

    // Stopped: the passphrase changes, the master key rotates; the file stays protected.
    let first_file = dir.path().join("first-passphrase");
    std::fs::write(&first_file, format!("{FIRST}\n")).expect("passphrase file");
    let changed = ok(&run(
        rempart(dir.path())
            .args(["--database", url, "keys", "change-passphrase"])
            .env("REMPART_PASSPHRASE_FILE", &first_file),
        format!("{SECOND}\n"),
    ));
    assert!(changed.contains("changed the passphrase"), "{changed}");
    let second_file = dir.path().join("second-passphrase");
    std::fs::write(&second_file, format!("{SECOND}\n")).expect("passphrase file");
    let old = run(
        rempart(dir.path()).args(["--database", url, "case", "list"]).env("REMPART_PASSPHRASE_FILE", &first_file),
        "",
    );
    assert!(!old.status.success() && text(&old.stderr).contains("wrong passphrase"), "{}", text(&old.stderr));
    let rotated = ok(&run(
        rempart(dir.path())
            .args(["--database", url, "keys", "rotate-master"])
            .env("REMPART_PASSPHRASE_FILE", &second_file),
        "",
    ));
    assert!(rotated.contains("data keys re-wrapped"), "{rotated}");
    let key_file = std::fs::read_to_string(dir.path().join("data/master.key")).expect("key file");
    assert!(key_file.starts_with("-----BEGIN AGE ENCRYPTED FILE-----"), "the rotated key is under the passphrase too");

    let sealed = start_sealed(dir.path(), url, &[]);
    assert_eq!(unlock_api(&client, &sealed, FIRST).status().as_u16(), 401, "the old passphrase no longer opens it");
    let opened = unlock_api(&client, &sealed, SECOND);
    assert_eq!(opened.status().as_u16(), 200);
    let mut sealed = sealed;
    let port = sealed.port;
    read_until(&mut sealed.lines, |l| l.starts_with("Rempart is listening on port"));
    let token = {
        let login: serde_json::Value = client
            .post(format!("http://127.0.0.1:{port}/api/v1/auth/login"))
            .json(&serde_json::json!({"email": "admin@rempart.local", "password": "the admin's own passphrase"}))
            .send()
            .and_then(|r| r.json())
            .expect("login");
        login["access_token"].as_str().expect("token").to_owned()
    };
    assert_eq!(summaries(&client, port, &token), ["Arrivé scellé par IMAP", "Arrivé scellé par le tuyau"]);
}

on_both_backends!(a_sealed_start_keeps_mail_and_opens_with_the_passphrase);
