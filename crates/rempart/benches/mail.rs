//! Mail throughput, with real peers: encrypted and signed messages through `rempart
//! mailgate` (one process per message, as an MTA pipe runs it), the same through the IMAP
//! fetcher (Dovecot), and encrypted replies through the outbox to SMTP (aiosmtpd).
//!
//! `cargo bench -p rempart --bench mail`; REMPART_BENCH_MESSAGES (default 1000) and
//! REMPART_BENCH_BACKEND (`sqlite`, default, or `postgres`).
#![allow(clippy::unwrap_used)]

#[path = "../../rempart-mail/tests/support/mod.rs"]
mod support;

use base64::Engine;
use rempart_core::{Channel, Direction};
use rempart_mail::imap::{ImapConfig, ImapFetcher, ImapTls};
use rempart_mail::outbound::{SmtpConfig, SmtpSender, SmtpTls};
use rempart_mail::worker::{NoKeyPolicy, OutboxWorker};
use rempart_mail::{Gateway, Keyring, Limits, pgp};
use rempart_store::Backend;
use rempart_store::cases::{Case, CaseFilter};
use rempart_store::messages::{Message, NewMessage};
use rempart_test_db::TestDb;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Instant;

const HELPLINE: &str = "help@helpline.example";
const SENDERS: usize = 20;

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| l.strip_prefix("VmHWM:").map(|v| v.trim().trim_end_matches(" kB").to_owned()))
        })
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// `n` PGP/MIME messages, encrypted to the helpline and signed, from `SENDERS` people whose
/// clients send Autocrypt headers (so their keys get pinned and later messages verify).
fn messages(helpline: &Keyring, n: usize) -> Vec<Vec<u8>> {
    let senders: Vec<(String, Keyring)> = (0..SENDERS)
        .map(|k| {
            let address = format!("person{k}@example.net");
            (address.clone(), Keyring::generate(&format!("Person {k} <{address}>")).unwrap())
        })
        .collect();
    let body = "Bonjour, mon téléphone a été saisi à la frontière et je crains pour mes contacts. ".repeat(12);
    (0..n)
        .map(|i| {
            let (address, keys) = &senders[i % SENDERS];
            let inner = support::protected_inner(&format!("Demande {i}"), &body);
            let armored = pgp::encrypt_and_sign(&inner, &[helpline.primary()], keys).unwrap();
            let keydata = base64::engine::general_purpose::STANDARD.encode(keys.public_binary().unwrap());
            let folded: Vec<String> =
                keydata.as_bytes().chunks(72).map(|c| String::from_utf8(c.to_vec()).unwrap()).collect();
            let autocrypt = format!("Autocrypt: addr={address}; keydata=\n {}\n", folded.join("\n "));
            support::pgp_mime(
                address,
                HELPLINE,
                "...",
                &format!("bench-{i}@example.net"),
                &autocrypt,
                &String::from_utf8(armored).unwrap(),
            )
        })
        .collect()
}

/// Pipes every message into its own `rempart mailgate`, `concurrency` at a time.
fn mailgate_all(dir: &std::path::Path, url: &str, raws: &[Vec<u8>], concurrency: usize) {
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..concurrency {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(raw) = raws.get(i) else { break };
                    let mut child = Command::new(env!("CARGO_BIN_EXE_rempart"))
                        .current_dir(dir)
                        .args(["--database", url, "mailgate"])
                        .env("REMPART_LOG__LEVEL", "error")
                        .stdin(Stdio::piped())
                        .stdout(Stdio::null())
                        .spawn()
                        .unwrap();
                    child.stdin.take().unwrap().write_all(raw).unwrap();
                    assert!(child.wait().unwrap().success());
                }
            });
        }
    });
}

fn main() {
    let n: usize = std::env::var("REMPART_BENCH_MESSAGES").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let backend = match std::env::var("REMPART_BENCH_BACKEND").as_deref() {
        Ok("postgres") => Backend::Postgres,
        _ => Backend::Sqlite,
    };
    println!("mail bench: {n} messages on {backend:?}");
    let helpline = Keyring::generate(&format!("Helpline <{HELPLINE}>")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // The binaries it runs seal with the same master key as this process reads with.
    rempart_test_db::share_master_key(dir.path());
    helpline.save_new(&dir.path().join("data/helpline-key.asc")).unwrap();
    let started = Instant::now();
    let raws = messages(&helpline, n);
    let size: usize = raws.iter().map(Vec::len).sum::<usize>() / n.max(1);
    println!("  prepared {n} messages of ~{size} bytes in {:.1} s", started.elapsed().as_secs_f64());

    // 1. mailgate: one process per message, like an MTA pipe; first one at a time, then
    //    with several deliveries at once as an MTA runs them.
    for concurrency in [1, 4] {
        let db = TestDb::new(backend);
        let started = Instant::now();
        mailgate_all(dir.path(), db.url(), &raws, concurrency);
        let elapsed = started.elapsed().as_secs_f64();
        let stored = Case::list(&mut db.conn(), &CaseFilter::default(), None, 1000).unwrap().len();
        println!(
            "  mailgate x{concurrency}: {n} messages in {elapsed:.2} s = {:.0} messages/s ({stored} cases opened)",
            n as f64 / elapsed
        );
    }
    // The same through a running `serve`: mailgate hands each message over its socket.
    {
        let db = TestDb::new(backend);
        let serve_dir = tempfile::tempdir().unwrap();
        rempart_test_db::share_master_key(serve_dir.path());
        std::fs::copy(dir.path().join("data/helpline-key.asc"), serve_dir.path().join("data/helpline-key.asc"))
            .unwrap();
        let mut serve = Command::new(env!("CARGO_BIN_EXE_rempart"))
            .current_dir(serve_dir.path())
            .args(["--database", db.url(), "serve", "--bind", "127.0.0.1:0"])
            .env("REMPART_LOG__LEVEL", "error")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::BufRead;
        let mut lines = std::io::BufReader::new(serve.stdout.take().unwrap()).lines();
        while let Some(Ok(line)) = lines.next() {
            if line.starts_with("Rempart is listening") {
                break;
            }
        }
        let started = Instant::now();
        mailgate_all(serve_dir.path(), db.url(), &raws, 4);
        let elapsed = started.elapsed().as_secs_f64();
        let stored = Case::list(&mut db.conn(), &CaseFilter::default(), None, 1000).unwrap().len();
        println!(
            "  mailgate x4 via serve: {n} messages in {elapsed:.2} s = {:.0} messages/s ({stored} cases opened)",
            n as f64 / elapsed
        );
        let _ = Command::new("kill").args(["-TERM", &serve.id().to_string()]).status();
        let _ = serve.wait();
    }
    let db = TestDb::new(backend);
    // Peak memory of one mailgate process (ru_maxrss of the child, measured by Python).
    let probe = dir.path().join("probe.eml");
    std::fs::write(&probe, &raws[0]).unwrap();
    let script = format!(
        "import resource, subprocess\nsubprocess.run([{bin:?}, '--database', {url:?}, 'mailgate'], stdin=open({probe:?}, 'rb'), stdout=subprocess.DEVNULL, cwd={cwd:?}, check=True)\nprint(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)",
        bin = env!("CARGO_BIN_EXE_rempart"),
        url = db.url(),
        probe = probe.display().to_string(),
        cwd = dir.path().display().to_string(),
    );
    let out = Command::new("python3").args(["-c", &script]).output().unwrap();
    println!("  mailgate peak memory: {} KiB per process", String::from_utf8_lossy(&out.stdout).trim());
    drop(db);

    // 2. IMAP: the same messages from Dovecot, in one pass.
    let db = TestDb::new(backend);
    let dovecot = support::Dovecot::start();
    let started = Instant::now();
    for raw in &raws {
        dovecot.deliver("INBOX", raw);
    }
    println!("  delivered {n} messages into Dovecot in {:.1} s (not timed below)", started.elapsed().as_secs_f64());
    let fetcher = ImapFetcher {
        config: ImapConfig {
            host: "127.0.0.1".into(),
            port: dovecot.port,
            tls: ImapTls::None,
            username: "help".into(),
            password: "secret".into(),
            mailbox: "INBOX".into(),
            processed_mailbox: String::new(),
            poll_secs: 1,
        },
        pool: db.pool().clone(),
        gateway: Gateway { keyring: Some(helpline.clone()), limits: Limits::default(), ..Default::default() },
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let started = Instant::now();
    let pass = runtime.block_on(async {
        let mut session = fetcher.connect().await.unwrap();
        let pass = fetcher.fetch_once(&mut session).await.unwrap();
        session.logout().await;
        pass
    });
    let elapsed = started.elapsed().as_secs_f64();
    assert_eq!(pass.stored, n);
    println!("  IMAP: {n} messages in {elapsed:.2} s = {:.0} messages/s", n as f64 / elapsed);

    // 3. Replies: one per case, encrypted and signed, to aiosmtpd.
    let smtp = support::SmtpServer::start();
    let cases = Case::list(&mut db.conn(), &CaseFilter::default(), None, n as i64).unwrap();
    for case in &cases {
        let new = NewMessage {
            subject: format!("Re: {} [{}]", case.summary, case.reference),
            ..NewMessage::with_beneficiary(&case.id, Direction::Outbound, Channel::Email, "Nous vous répondons.")
        };
        Message::add(&mut db.conn(), new, None).unwrap();
    }
    let worker = OutboxWorker {
        pool: db.pool().clone(),
        keyring: helpline.clone(),
        smtp: SmtpSender::new(&SmtpConfig {
            host: "127.0.0.1".into(),
            port: smtp.port,
            tls: SmtpTls::None,
            username: None,
            password: None,
            timeout_secs: 10,
        })
        .unwrap(),
        from: format!("Helpline <{HELPLINE}>").parse().unwrap(),
        worker_id: "bench".into(),
        no_key: NoKeyPolicy::Hold,
        batch: 64,
        concurrency: std::env::var("REMPART_BENCH_SMTP_CONCURRENCY").ok().and_then(|v| v.parse().ok()).unwrap_or(4),
        lease: chrono::Duration::minutes(5),
    };
    let started = Instant::now();
    let mut sent = 0;
    loop {
        let done = worker.run_once().unwrap();
        if done == 0 {
            break;
        }
        sent += done;
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "  replies: {sent} in {elapsed:.2} s = {:.0} replies/s (SMTP delivered {})",
        sent as f64 / elapsed,
        smtp.messages().len()
    );
    println!("  peak memory of this process (IMAP + replies): {} KiB", peak_rss_kib());
}
