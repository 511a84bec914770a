//! Wiring of the mail gateway into the binary: the key file, `mailgate`, and the outbox
//! worker that `serve` runs.

use crate::settings::Settings;
use anyhow::{Context, bail};
use lettre::message::Mailbox;
use rempart_mail::worker::OutboxWorker;
use rempart_mail::{Gateway, Keyring, Outcome};
use rempart_store::DbPool;
use std::io::Read;
use std::process::ExitCode;
use std::time::Duration;

/// sysexits EX_TEMPFAIL: the MTA keeps the message and retries.
pub const EX_TEMPFAIL: u8 = 75;

/// The helpline key, if the key file exists. A file that exists but cannot be read is an
/// error: running without the key would quarantine every encrypted message.
pub fn load_keyring(settings: &Settings) -> anyhow::Result<Option<Keyring>> {
    let path = &settings.mail.key_file;
    if !path.exists() {
        return Ok(None);
    }
    Ok(Some(Keyring::load(path).with_context(|| format!("mail.key_file {}", path.display()))?))
}

/// The public side of the key for the API (armored, binary, WKD hashes).
pub fn key_info(keyring: &Keyring) -> anyhow::Result<rempart_api::HelplineKeyInfo> {
    Ok(rempart_api::HelplineKeyInfo {
        fingerprint: keyring.fingerprint(),
        previous_fingerprints: keyring.fingerprints().into_iter().skip(1).collect(),
        armored: keyring.public_armored()?,
        binary: keyring.public_binary()?,
        wkd_hashes: keyring
            .addresses()
            .iter()
            .filter_map(|a| a.split('@').next())
            .map(rempart_mail::pgp::wkd_hash)
            .collect(),
    })
}

/// The sender of replies: `mail.from`, else the key's first address.
pub fn from_mailbox(settings: &Settings, keyring: &Keyring) -> anyhow::Result<Mailbox> {
    if !settings.mail.from.is_empty() {
        return settings.mail.from.parse().context("mail.from");
    }
    let user_id = keyring
        .primary()
        .userids()
        .next()
        .map(|u| String::from_utf8_lossy(u.userid().value()).into_owned())
        .context("the helpline key has no user ID; set mail.from")?;
    user_id.parse().with_context(|| format!("the helpline key's user ID {user_id:?} is not an address; set mail.from"))
}

/// Starts the outbox worker on its own thread when SMTP and the key are configured.
pub fn start_outbox_worker(settings: &Settings, pool: &DbPool, keyring: Option<&Keyring>) -> anyhow::Result<()> {
    let Some(smtp) = settings.mail.smtp_config() else {
        tracing::warn!("mail.smtp.host is empty: replies stay queued until an SMTP server is configured");
        return Ok(());
    };
    let Some(keyring) = keyring else {
        tracing::warn!("no helpline key (rempart keys init): replies stay queued");
        return Ok(());
    };
    let worker = OutboxWorker {
        pool: pool.clone(),
        keyring: keyring.clone(),
        smtp: rempart_mail::outbound::SmtpSender::new(&smtp)?,
        from: from_mailbox(settings, keyring)?,
        worker_id: format!("{}-{}", std::process::id(), uuid::Uuid::new_v4()),
        no_key: settings.mail.no_key_policy,
        batch: 20,
        concurrency: settings.mail.smtp.concurrency,
        lease: chrono::Duration::seconds(i64::try_from(settings.mail.outbox_lease_secs).unwrap_or(300)),
    };
    let poll = Duration::from_secs(settings.mail.outbox_poll_secs);
    std::thread::Builder::new().name("outbox".into()).spawn(move || {
        loop {
            match worker.run_once() {
                // A full batch: there may be more right away.
                Ok(n) if n as i64 >= worker.batch => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "outbox run failed; retrying"),
            }
            std::thread::sleep(poll);
        }
    })?;
    tracing::info!(host = %smtp.host, port = smtp.port, "outbox worker started");
    Ok(())
}

/// Starts the IMAP fetcher on its own thread (with its own small runtime) when a mailbox is
/// configured.
pub fn start_imap_fetcher(
    settings: &Settings,
    pool: &DbPool,
    keyring: Option<&Keyring>,
    waker: rempart_mail::notify::Waker,
) -> anyhow::Result<()> {
    let Some(config) = settings.mail.imap_config() else { return Ok(()) };
    if keyring.is_none() {
        tracing::warn!("IMAP fetching without a helpline key: encrypted mail will be quarantined");
    }
    let fetcher = rempart_mail::imap::ImapFetcher {
        config,
        pool: pool.clone(),
        gateway: Gateway {
            keyring: keyring.cloned(),
            limits: settings.mail.limits(),
            policy: settings.policy(),
            escalations: Some(waker),
        },
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    std::thread::Builder::new().name("imap".into()).spawn(move || runtime.block_on(fetcher.run()))?;
    Ok(())
}

/// The Unix socket through which `mailgate` hands a message to a running `serve` (as RT's
/// rt-mailgate posts to the web server): one process start per message then costs no
/// database connection. Readable by the service account only.
pub fn socket_path(settings: &Settings) -> std::path::PathBuf {
    settings.server.data_dir.join("mailgate.sock")
}

/// Serves the mailgate socket: each connection sends one raw message and closes its
/// writing side; the answer is `OK <outcome JSON>` once committed, else `TEMPFAIL <why>`.
#[cfg(unix)]
pub fn start_mailgate_socket(
    settings: &Settings,
    pool: &DbPool,
    keyring: Option<&Keyring>,
    waker: rempart_mail::notify::Waker,
) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::net::UnixListener;
    let path = socket_path(settings);
    rempart_store::db::create_private_dir(&settings.server.data_dir)?;
    // A socket left by a previous run that did not stop cleanly.
    if path.exists() && std::os::unix::net::UnixStream::connect(&path).is_err() {
        std::fs::remove_file(&path)?;
    }
    let listener = match UnixListener::bind(&path) {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "mailgate socket unavailable; mailgate will write directly");
            return Ok(());
        }
    };
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    let gateway = Gateway {
        keyring: keyring.cloned(),
        limits: settings.mail.limits(),
        policy: settings.policy(),
        escalations: Some(waker),
    };
    // Room for an oversized message to reach the quarantine, not for unbounded input. A
    // message past this is refused here, never cut: `mailgate` then stores it directly, whole.
    let cap = settings.mail.max_message_bytes.saturating_mul(2);
    let pool = pool.clone();
    std::thread::Builder::new().name("mailgate-socket".into()).spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let (pool, gateway) = (pool.clone(), gateway.clone());
            let _ = std::thread::Builder::new().name("mailgate-conn".into()).spawn(move || {
                let mut raw = Vec::new();
                let limit = u64::try_from(cap).unwrap_or(u64::MAX).saturating_add(1);
                let answer = match (&mut stream).take(limit).read_to_end(&mut raw) {
                    Err(e) => format!("TEMPFAIL reading: {e}"),
                    Ok(_) if raw.is_empty() => "TEMPFAIL empty input".to_owned(),
                    Ok(_) if raw.len() > cap => format!("TEMPFAIL larger than {cap} bytes; store it directly"),
                    Ok(_) => match pool
                        .get()
                        .map_err(rempart_mail::MailError::from)
                        .and_then(|mut conn| gateway.ingest(&mut conn, &raw, "mailgate"))
                    {
                        Ok(outcome) => format!("OK {}", serde_json::to_string(&outcome).unwrap_or_default()),
                        Err(e) => format!("TEMPFAIL {e}"),
                    },
                };
                let _ = stream.write_all(answer.as_bytes()).and_then(|()| stream.write_all(b"\n"));
            });
        }
    })?;
    tracing::info!(path = %path.display(), "mailgate socket ready");
    Ok(())
}

/// Hands the message to a running `serve`. `None` when there is none, or when it could not
/// confirm the commit: the caller then writes directly (ingestion is idempotent).
#[cfg(unix)]
fn via_socket(settings: &Settings, raw: &[u8]) -> Option<String> {
    use std::io::Write;
    let mut stream = std::os::unix::net::UnixStream::connect(socket_path(settings)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(120))).ok()?;
    stream.write_all(raw).ok()?;
    stream.shutdown(std::net::Shutdown::Write).ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    answer.trim_end().strip_prefix("OK ").map(str::to_owned)
}

#[cfg(not(unix))]
fn via_socket(_settings: &Settings, _raw: &[u8]) -> Option<String> {
    None
}

/// Starts the escalation notifier: timers, then e-mail to leads and admins (when SMTP is
/// configured) and the webhook.
pub fn start_notifier(
    settings: &Settings,
    pool: &DbPool,
    keyring: Option<&Keyring>,
    waker: rempart_mail::notify::Waker,
) -> anyhow::Result<()> {
    let notifier = notifier(settings, pool, keyring)?;
    let every = Duration::from_secs(settings.escalation.poll_secs);
    std::thread::Builder::new().name("escalations".into()).spawn(move || notifier.run(every, waker))?;
    Ok(())
}

/// The escalation notifier as `[escalation]` and `[mail]` configure it.
fn notifier(
    settings: &Settings,
    pool: &DbPool,
    keyring: Option<&Keyring>,
) -> anyhow::Result<rempart_mail::notify::Notifier> {
    let smtp = settings.mail.smtp_config().map(|c| rempart_mail::outbound::SmtpSender::new(&c)).transpose()?;
    let from = match keyring {
        Some(k) => Some(from_mailbox(settings, k)?),
        None if !settings.mail.from.is_empty() => Some(settings.mail.from.parse().context("mail.from")?),
        None => None,
    };
    let e = &settings.escalation;
    Ok(rempart_mail::notify::Notifier {
        pool: pool.clone(),
        policy: settings.policy(),
        smtp,
        from,
        webhook: (!e.webhook_url.is_empty())
            .then(|| rempart_mail::notify::Webhook { url: e.webhook_url.clone(), secret: e.webhook_secret.clone() }),
        worker_id: format!("{}-{}", std::process::id(), uuid::Uuid::new_v4()),
    })
}

/// After `mailgate` filed a new case straight into the database (no `serve` took it over
/// the socket): one notifier tick, so that an imminent-risk, critical or unassignable case
/// reaches the leads now rather than at the next poll of some `serve`. The message is
/// committed whatever happens here; what cannot be delivered stays queued for `serve`.
fn notify_now(settings: &Settings, keyring: Option<&Keyring>) {
    let options = rempart_store::PoolOptions { max_size: 1, ..settings.pool_options() };
    let tick = DbPool::connect(&settings.database.url, options)
        .map_err(anyhow::Error::from)
        .and_then(|pool| notifier(settings, &pool, keyring))
        .and_then(|n| Ok(n.tick(rempart_store::now())?));
    match tick {
        Ok(t) if t != rempart_mail::notify::Tick::default() => tracing::info!(?t, "mailgate: escalation tick"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %format!("{e:#}"), "mailgate: escalations left to serve's next poll"),
    }
}

/// `rempart mailgate`: one message on standard input, committed or refused with 75 so that
/// the MTA keeps it. Prints the outcome as one JSON line. Goes through a running `serve`
/// when there is one, else straight to the database.
pub fn mailgate(settings: &Settings) -> ExitCode {
    let mut raw = Vec::new();
    if let Err(e) = std::io::stdin().lock().read_to_end(&mut raw) {
        eprintln!("mailgate: cannot read the message: {e}");
        return ExitCode::from(EX_TEMPFAIL);
    }
    if !raw.is_empty()
        && let Some(outcome) = via_socket(settings, &raw)
    {
        println!("{outcome}");
        return ExitCode::SUCCESS;
    }
    if !raw.is_empty() && crate::vault::key_is_protected(settings) {
        // No `serve` took it, and nothing here can open the store: spooled, encrypted, for
        // the unlocked `serve` to file.
        return match crate::spool::put(settings, &raw) {
            Ok(path) => {
                tracing::info!(file = %path.display(), "mailgate: the store is sealed; spooled the message");
                println!("{}", serde_json::json!({"outcome": "spooled"}));
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("mailgate: temporary failure, the message was not stored: {e:#}");
                tracing::error!(error = %format!("{e:#}"), "mailgate: temporary failure");
                ExitCode::from(EX_TEMPFAIL)
            }
        };
    }
    match mailgate_inner(settings, &raw) {
        Ok(outcome) => {
            println!("{}", serde_json::to_string(&outcome).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Err(e) => {
            // Nothing was committed: the MTA must keep the message and try again.
            eprintln!("mailgate: temporary failure, the message was not stored: {e:#}");
            tracing::error!(error = %format!("{e:#}"), "mailgate: temporary failure");
            ExitCode::from(EX_TEMPFAIL)
        }
    }
}

fn mailgate_inner(settings: &Settings, raw: &[u8]) -> anyhow::Result<Outcome> {
    if raw.is_empty() {
        bail!("empty input");
    }
    // One message, one connection: a pool would start threads and open several.
    let mut conn = rempart_store::DbConn::open(&settings.database.url, settings.pool_options())?;
    crate::vault::install(settings, &rempart_store::sealing::master_ids(&mut conn)?)?;
    let keyring = load_keyring(settings)?;
    if keyring.is_none() {
        tracing::warn!(key_file = %settings.mail.key_file.display(), "no helpline key: encrypted mail will be quarantined");
    }
    let gateway = Gateway { keyring, limits: settings.mail.limits(), policy: settings.policy(), escalations: None };
    // `ingest` quarantines whatever is wrong with the message itself; an error here means
    // nothing could be committed.
    let outcome = gateway.ingest(&mut conn, raw, "mailgate")?;
    drop(conn);
    if let Outcome::Stored { new_case: true, .. } = outcome {
        notify_now(settings, gateway.keyring.as_ref());
    }
    Ok(outcome)
}
