//! GnuPG plays the beneficiary: a throwaway GNUPGHOME per person, real `gpg --batch`.
#![allow(dead_code, clippy::unwrap_used)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use tempfile::TempDir;

pub struct Gpg {
    home: TempDir,
    pub email: String,
}

impl Drop for Gpg {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf").env("GNUPGHOME", self.home.path()).args(["--kill", "gpg-agent"]).status();
    }
}

impl Gpg {
    /// A person with an Ed25519 signing key and a Cv25519 encryption subkey, no passphrase.
    pub fn new(name: &str, email: &str) -> Self {
        let home = tempfile::Builder::new().prefix("gpg").tempdir_in("/tmp").expect("gnupg home");
        let gpg = Gpg { home, email: email.to_owned() };
        let uid = format!("{name} <{email}>");
        gpg.run(&["--passphrase", "", "--quick-gen-key", &uid, "ed25519", "sign,cert", "never"], b"");
        let fpr = gpg.fingerprint();
        gpg.run(&["--passphrase", "", "--quick-add-key", &fpr, "cv25519", "encr", "never"], b"");
        gpg
    }

    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// Runs gpg, panicking with its stderr on failure.
    pub fn run(&self, args: &[&str], stdin: &[u8]) -> Vec<u8> {
        let (status, out, err) = self.try_run(args, stdin);
        assert!(status, "gpg {args:?} failed: {}", String::from_utf8_lossy(&err));
        out
    }

    /// Runs gpg: (success, stdout, stderr).
    pub fn try_run(&self, args: &[&str], stdin: &[u8]) -> (bool, Vec<u8>, Vec<u8>) {
        let mut child = Command::new("gpg")
            .env("GNUPGHOME", self.home.path())
            .args(["--batch", "--yes", "--pinentry-mode", "loopback", "--trust-model", "always"])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("gpg is installed");
        let mut input = child.stdin.take().unwrap();
        let data = stdin.to_vec();
        let writer = std::thread::spawn(move || {
            let _ = input.write_all(&data);
        });
        let output = child.wait_with_output().unwrap();
        writer.join().unwrap();
        (output.status.success(), output.stdout, output.stderr)
    }

    pub fn fingerprint(&self) -> String {
        let out = self.run(&["--with-colons", "--list-keys", &self.email], b"");
        let text = String::from_utf8(out).unwrap();
        let line = text.lines().find(|l| l.starts_with("fpr:")).expect("a fingerprint");
        line.split(':').nth(9).unwrap().to_owned()
    }

    pub fn export(&self) -> String {
        String::from_utf8(self.run(&["--armor", "--export", &self.email], b"")).unwrap()
    }

    pub fn import(&self, armored: &[u8]) {
        self.run(&["--import"], armored);
    }

    /// Encrypts to `recipient` (an address whose key was imported) and signs.
    pub fn encrypt_sign(&self, recipient: &str, data: &[u8]) -> String {
        let out = self.run(&["--armor", "--encrypt", "--sign", "--recipient", recipient], data);
        String::from_utf8(out).unwrap()
    }

    pub fn encrypt_only(&self, recipient: &str, data: &[u8]) -> String {
        let out = self.run(&["--armor", "--encrypt", "--recipient", recipient], data);
        String::from_utf8(out).unwrap()
    }

    pub fn encrypt_hidden(&self, recipient: &str, data: &[u8]) -> String {
        let out = self.run(&["--armor", "--encrypt", "--sign", "--hidden-recipient", recipient], data);
        String::from_utf8(out).unwrap()
    }

    pub fn detach_sign(&self, data: &[u8]) -> String {
        let out = self.run(&["--armor", "--detach-sign", "--digest-algo", "SHA256"], data);
        String::from_utf8(out).unwrap()
    }

    pub fn clearsign(&self, text: &str) -> String {
        String::from_utf8(self.run(&["--clearsign"], text.as_bytes())).unwrap()
    }

    /// Decrypts and reports the signature as gpg saw it: (plaintext, status lines).
    pub fn decrypt(&self, data: &[u8]) -> (Vec<u8>, String) {
        let (ok, out, err) = self.try_run(&["--status-fd", "2", "--decrypt"], data);
        assert!(ok, "gpg could not decrypt: {}", String::from_utf8_lossy(&err));
        (out, String::from_utf8_lossy(&err).into_owned())
    }
}

/// An Autocrypt header carrying this person's key, folded with whitespace as mail clients
/// fold it (not RFC 2047-encoded), ending with a newline.
pub fn autocrypt_header(gpg: &Gpg) -> String {
    use base64::Engine;
    let binary = gpg.run(&["--export", &gpg.email], b"");
    let b64 = base64::engine::general_purpose::STANDARD.encode(binary);
    let folded: Vec<String> = b64.as_bytes().chunks(70).map(|c| String::from_utf8(c.to_vec()).unwrap()).collect();
    format!("Autocrypt: addr={}; prefer-encrypt=mutual; keydata=\n {}\n", gpg.email, folded.join("\n "))
}

/// CRLF everywhere, as on the wire.
pub fn crlf(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\n', "\r\n")
}

/// A PGP/MIME encrypted message (RFC 3156), as Thunderbird writes it: "..." outside.
pub fn pgp_mime(from: &str, to: &str, outer_subject: &str, message_id: &str, extra: &str, armored: &str) -> Vec<u8> {
    crlf(&format!(
        "From: Beneficiary <{from}>\n\
         To: {to}\n\
         Subject: {outer_subject}\n\
         Message-ID: <{message_id}>\n\
         Date: Sun, 22 Nov 2026 10:00:00 +0000\n\
         {extra}MIME-Version: 1.0\n\
         Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"b1\"\n\
         \n\
         This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)\n\
         --b1\n\
         Content-Type: application/pgp-encrypted\n\
         Content-Description: PGP/MIME version identification\n\
         \n\
         Version: 1\n\
         \n\
         --b1\n\
         Content-Type: application/octet-stream; name=\"encrypted.asc\"\n\
         Content-Disposition: inline; filename=\"encrypted.asc\"\n\
         \n\
         {armored}\n\
         --b1--\n"
    ))
    .into_bytes()
}

/// The inner entity with protected headers (what gets encrypted).
pub fn protected_inner(subject: &str, body: &str) -> Vec<u8> {
    crlf(&format!(
        "Content-Type: multipart/mixed; boundary=\"inner\"; protected-headers=\"v1\"\n\
         Subject: {subject}\n\
         \n\
         --inner\n\
         Content-Type: text/plain; charset=utf-8; format=flowed\n\
         Content-Transfer-Encoding: 8bit\n\
         \n\
         {body}\n\
         --inner--\n"
    ))
    .into_bytes()
}

pub fn plain(from: &str, subject: &str, message_id: &str, body: &str) -> Vec<u8> {
    crlf(&format!(
        "From: {from}\n\
         To: help@helpline.example\n\
         Subject: {subject}\n\
         Message-ID: <{message_id}>\n\
         Date: Sun, 22 Nov 2026 10:00:00 +0000\n\
         MIME-Version: 1.0\n\
         Content-Type: text/plain; charset=utf-8\n\
         Content-Transfer-Encoding: 8bit\n\
         \n\
         {body}\n"
    ))
    .into_bytes()
}

/// A real SMTP server on loopback: aiosmtpd writing every message it accepts to a Maildir.
pub struct SmtpServer {
    child: std::process::Child,
    pub port: u16,
    maildir: TempDir,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl SmtpServer {
    pub fn start() -> Self {
        let maildir = tempfile::tempdir().unwrap();
        let port = free_port();
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir.path().join("box"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("python3 -m aiosmtpd (pip install aiosmtpd; .ci/run installs it)");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(std::time::Instant::now() < deadline, "aiosmtpd did not start on port {port}");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        SmtpServer { child, port, maildir }
    }

    /// Every message received so far, raw.
    pub fn messages(&self) -> Vec<Vec<u8>> {
        let dir = self.maildir.path().join("box").join("new");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        files.iter().map(|p| std::fs::read(p).unwrap()).collect()
    }
}

/// A real Dovecot IMAP server on a loopback port, with its own configuration and mail
/// store in a temporary folder; user `help`, password `secret`.
pub struct Dovecot {
    child: std::process::Child,
    pub port: u16,
    dir: TempDir,
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Dovecot {
    pub fn start() -> Self {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::Builder::new().prefix("dovecot").tempdir_in("/tmp").unwrap();
        // Mail is accessed as `nobody`: the folders on the way must let it through.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let mail = dir.path().join("mail");
        std::fs::create_dir(&mail).unwrap();
        std::os::unix::fs::chown(&mail, Some(65534), Some(65534)).unwrap();
        let port = free_port();
        let base = dir.path().display();
        let config = format!(
            "base_dir = {base}/run\nstate_dir = {base}/run\nlog_path = {base}/dovecot.log\n\
             protocols = imap\nlisten = 127.0.0.1\nssl = no\ndisable_plaintext_auth = no\n\
             auth_mechanisms = plain login\nfirst_valid_uid = 1\nmail_location = maildir:{base}/mail/%u\n\
             passdb {{\n  driver = static\n  args = password=secret\n}}\n\
             userdb {{\n  driver = static\n  args = uid=65534 gid=65534 home={base}/mail/%u\n}}\n\
             service imap-login {{\n  chroot =\n  inet_listener imap {{\n    address = 127.0.0.1\n    port = {port}\n  }}\n  \
             inet_listener imaps {{\n    port = 0\n  }}\n}}\nservice anvil {{\n  chroot =\n}}\n"
        );
        std::fs::write(dir.path().join("dovecot.conf"), config).unwrap();
        let child = Command::new("dovecot")
            .args(["-F", "-c"])
            .arg(dir.path().join("dovecot.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("dovecot (Debian package dovecot-imapd; .ci/run installs it)");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(std::time::Instant::now() < deadline, "dovecot did not start on port {port}");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Dovecot { child, port, dir }
    }

    fn doveadm(&self, args: &[&str], stdin: &[u8]) -> String {
        let mut child = Command::new("doveadm")
            .arg("-c")
            .arg(self.dir.path().join("dovecot.conf"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("doveadm");
        child.stdin.take().unwrap().write_all(stdin).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "doveadm {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Delivers a message into `mailbox` of user `help`.
    pub fn deliver(&self, mailbox: &str, raw: &[u8]) {
        self.doveadm(&["save", "-u", "help", "-m", mailbox], raw);
    }

    pub fn create_mailbox(&self, mailbox: &str) {
        self.doveadm(&["mailbox", "create", "-u", "help", mailbox], b"");
    }

    /// (uid, flags) of every message in `mailbox`.
    pub fn flags(&self, mailbox: &str) -> Vec<(u32, String)> {
        let out = self.doveadm(&["-f", "tab", "fetch", "-u", "help", "uid flags", "mailbox", mailbox, "ALL"], b"");
        out.lines()
            .skip(1)
            .filter_map(|l| {
                let (uid, flags) = l.split_once('\t')?;
                Some((uid.trim().parse().ok()?, flags.trim().to_owned()))
            })
            .collect()
    }
}

/// A one-request-at-a-time HTTP listener (the leads' webhook) that answers 204 and hands
/// over each request: (headers, body).
pub fn webhook_listener() -> (String, std::sync::mpsc::Receiver<(String, String)>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hooks/rempart", listener.local_addr().unwrap());
    use std::io::{BufRead, Read};
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = std::io::BufReader::new(stream.try_clone().unwrap());
            let mut headers = String::new();
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                headers.push_str(&line);
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let _ = stream.write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
            let _ = tx.send((headers, String::from_utf8_lossy(&body).into_owned()));
        }
    });
    (url, rx)
}
