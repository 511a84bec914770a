//! `rempart serve`: the database, the master key (from its file, or unlocked at a sealed
//! start), then the API, the console, the mail workers and the retention run.

use crate::settings::Settings;
use anyhow::Context;
use rempart_core::EmailAddress;
use std::io::Write;

pub fn serve(settings: &Settings, bind: Option<String>) -> anyhow::Result<()> {
    if let Some(b) = &bind {
        b.parse::<std::net::SocketAddr>().with_context(|| format!("--bind {b}: expected ADDRESS:PORT"))?;
    }
    let pool = crate::cli::connect(settings)?;
    // Held until the process exits: SQLite serves one process; PostgreSQL several.
    let _instance = single_instance_lock(pool.url())?;
    for name in pool.migrate()? {
        tracing::info!(migration = %name, "applied migration");
    }
    let mut config = settings.api_config(bind.as_deref());
    let listener = std::net::TcpListener::bind(&config.bind)
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.bind))?;
    match crate::sealed::sealed_master(settings, &pool)? {
        Some(sealed) => {
            // Nothing below runs until someone gives the passphrase.
            let Some(key) = crate::sealed::wait_for_unlock(settings, &pool, sealed, &listener)? else {
                tracing::info!("stopped while sealed");
                return Ok(());
            };
            rempart_vault::install(key);
        }
        None => crate::vault::unlock(settings, &settings.database.url)?,
    }
    crate::vault::say_where_the_key_is(settings);
    rempart_store::protection::upgrade(&mut *pool.get()?)?;
    let mut out = std::io::stdout().lock();
    let admin_email = EmailAddress::parse(&settings.auth.initial_admin_email)?;
    if let Some(password) = rempart_api::ensure_first_admin(&pool, &admin_email)? {
        // To the terminal only, never to the log.
        writeln!(out, "First start: created the administrator account.")?;
        writeln!(out, "  email:    {admin_email}")?;
        writeln!(out, "  password: {password}")?;
        writeln!(
            out,
            "This password works once: change it at first login (in the console at /, or POST /api/v1/auth/password)."
        )?;
        out.flush()?;
    }
    drop(out);
    let keyring = crate::mail::load_keyring(settings)?;
    match &keyring {
        Some(k) => {
            config.helpline_key = Some(crate::mail::key_info(k)?);
            tracing::info!(fingerprint = %k.fingerprint(), "helpline key loaded");
            crate::spool::write_public_certificate(settings, k)?;
        }
        None => tracing::warn!(
            key_file = %settings.mail.key_file.display(),
            "no helpline key: run `rempart keys init --uid ...` to receive and send encrypted mail"
        ),
    }
    crate::mail::start_outbox_worker(settings, &pool, keyring.as_ref())?;
    let waker = rempart_mail::notify::Waker::default();
    config.escalation_waker = Some(waker.clone());
    crate::mail::start_imap_fetcher(settings, &pool, keyring.as_ref(), waker.clone())?;
    crate::mail::start_notifier(settings, &pool, keyring.as_ref(), waker.clone())?;
    crate::ops::start_retention(settings, &pool)?;
    crate::spool::start_filing(settings, &pool, keyring.as_ref(), waker.clone())?;
    #[cfg(unix)]
    crate::mail::start_mailgate_socket(settings, &pool, keyring.as_ref(), waker)?;
    let console = rempart_web::configure(settings.console_config());
    rempart_api::serve_blocking_on(config, pool, console, listener, |port| {
        tracing::info!(port, "listening");
        println!("Rempart is listening on port {port}");
    })
}

/// On SQLite, takes an exclusive lock beside the database file so that a second `serve` on
/// the same file refuses to start (background work such as the outbox and the retention
/// run is coordinated through PostgreSQL, which SQLite cannot do across processes).
/// `mailgate` and the other commands still open the file; the lock is only for `serve`.
pub(crate) fn single_instance_lock(url: &rempart_store::db::DatabaseUrl) -> anyhow::Result<Option<std::fs::File>> {
    let rempart_store::db::DatabaseUrl::Sqlite(path) = url else { return Ok(None) };
    let mut lock_path = path.clone().into_os_string();
    lock_path.push(".serve-lock");
    let lock_path = std::path::PathBuf::from(lock_path);
    let mut options = std::fs::OpenOptions::new();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(&lock_path).with_context(|| format!("opening {}", lock_path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
            "another `rempart serve` is already running on {} (it holds {}). SQLite serves one process: \
             stop the other one, or move to PostgreSQL (`rempart migrate-data`) to run several instances",
            url.redacted(),
            lock_path.display()
        ),
        Err(std::fs::TryLockError::Error(e)) => Err(e).with_context(|| format!("locking {}", lock_path.display())),
    }
}
