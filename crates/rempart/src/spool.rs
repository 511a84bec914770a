//! Mail received while `serve` is sealed (or down) on a deployment whose master key is under
//! a passphrase: `mailgate` cannot open the store, so it encrypts the message to the
//! helpline's public certificate and spools it (`rempart_mail::spool`); `serve` files the
//! spool once unlocked, then every half minute.

use crate::settings::Settings;
use anyhow::Context;
use rempart_mail::spool::Spool;
use rempart_mail::{Gateway, Keyring};
use rempart_store::DbPool;
use std::path::PathBuf;
use std::time::Duration;

/// How often `serve` looks at the spool (a message lands there only when no unlocked
/// `serve` took it over the socket).
const FILING_EVERY: Duration = Duration::from_secs(30);

pub fn spool(settings: &Settings) -> Spool {
    Spool::new(settings.server.data_dir.join("spool"))
}

/// The helpline's public certificate, in clear in the data folder (the key file may be a
/// read-only credential): what `mailgate` encrypts spooled mail to while nothing can open
/// the key file.
pub fn public_certificate_path(settings: &Settings) -> PathBuf {
    settings.server.data_dir.join("helpline-public.asc")
}

/// Writes (or refreshes) the public certificate file.
pub fn write_public_certificate(settings: &Settings, keyring: &Keyring) -> anyhow::Result<()> {
    let path = public_certificate_path(settings);
    let armored = keyring.public_armored()?;
    if std::fs::read_to_string(&path).is_ok_and(|old| old == armored) {
        return Ok(());
    }
    let write = rempart_store::db::create_private_dir(&settings.server.data_dir)
        .map_err(|e| std::io::Error::other(e.to_string()))
        .and_then(|()| std::fs::write(&path, armored.as_bytes()));
    if let Err(e) = write {
        // A read-only folder (a credential): mail that arrives while sealed is then refused
        // with a temporary failure, and the MTA keeps it.
        tracing::warn!(path = %path.display(), error = %e, "cannot write the helpline's public certificate");
    }
    Ok(())
}

/// `mailgate` without a store it can open: spools `raw`, encrypted. An error means nothing
/// was kept (the MTA must keep the message).
pub fn put(settings: &Settings, raw: &[u8]) -> anyhow::Result<PathBuf> {
    let path = public_certificate_path(settings);
    let bytes = std::fs::read(&path).with_context(|| {
        format!(
            "the store is sealed and the helpline's public certificate {} is missing (a `serve` that was \
             unlocked once writes it)",
            path.display()
        )
    })?;
    let certificate = rempart_mail::pgp::parse_certificate(&bytes)?;
    Ok(spool(settings).put(raw, &certificate)?)
}

/// Files the spool now, then every [`FILING_EVERY`], on its own thread.
pub fn start_filing(
    settings: &Settings,
    pool: &DbPool,
    keyring: Option<&Keyring>,
    waker: rempart_mail::notify::Waker,
) -> anyhow::Result<()> {
    let Some(keyring) = keyring else { return Ok(()) };
    let spool = spool(settings);
    let gateway = Gateway {
        keyring: Some(keyring.clone()),
        limits: settings.mail.limits(),
        policy: settings.policy(),
        escalations: Some(waker),
    };
    let pool = pool.clone();
    std::thread::Builder::new().name("spool".into()).spawn(move || {
        loop {
            if !spool.pending().is_empty() {
                let done = spool.file_all(&gateway, &pool);
                tracing::info!(filed = done.filed, left = done.left, "filed the mail spooled while sealed");
            }
            std::thread::sleep(FILING_EVERY);
        }
    })?;
    Ok(())
}
