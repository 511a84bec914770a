//! A sealed start (the master key file under a passphrase): `serve` listens, answers only
//! its unlock page, `POST /api/v1/unlock` and the local socket `unlock.sock` (`rempart
//! unlock`), then continues its start once a lead or an administrator gives the passphrase.
//! Mail that arrives meanwhile is spooled encrypted by `mailgate` (see `spool`); the IMAP
//! fetcher starts only after the unlock, so mail waits in the mailbox.

use crate::settings::Settings;
use anyhow::{Context, bail};
use rempart_api::sealed::Gate;
use rempart_app::unlock::{Channel, SealedMaster, UnlockError};
use rempart_store::DbPool;
use rempart_vault::MasterKey;
use std::io::{Read, Write};
use std::process::ExitCode;
use std::sync::Arc;

/// The sealed key file and the database's master key ids, when the key file is under a
/// passphrase; `None` otherwise (a key in clear, a credential, or no key yet).
pub fn sealed_master(settings: &Settings, pool: &DbPool) -> anyhow::Result<Option<SealedMaster>> {
    let path = settings.master_key_file();
    let Ok(file) = std::fs::read(&path) else { return Ok(None) };
    if !rempart_vault::passphrase::is_protected(&file) {
        return Ok(None);
    }
    let master_ids = rempart_store::sealing::master_ids(&mut *pool.get()?)?;
    Ok(Some(SealedMaster { file, master_ids }))
}

/// The local socket through which `rempart unlock` gives the passphrase (service account
/// only).
pub fn socket_path(settings: &Settings) -> std::path::PathBuf {
    settings.server.data_dir.join("unlock.sock")
}

/// Serves the sealed routes on `listener` until unlocked: the key, or `None` when stopped
/// while still sealed.
pub fn wait_for_unlock(
    settings: &Settings,
    pool: &DbPool,
    sealed: SealedMaster,
    listener: &std::net::TcpListener,
) -> anyhow::Result<Option<MasterKey>> {
    let gate = Gate::new(pool.clone(), sealed);
    #[cfg(unix)]
    let socket = start_unlock_socket(settings, Arc::clone(&gate))?;
    tracing::warn!(
        key_file = %settings.master_key_file().display(),
        "sealed: the master key is under a passphrase; unlock at /unlock or with `rempart unlock`"
    );
    let opened = rempart_api::sealed::serve_until_unlocked(
        listener.try_clone()?,
        Arc::clone(&gate),
        settings.server.json_limit_bytes,
        rempart_web::configure_sealed(),
        |port| println!("Rempart is sealed and listening on port {port}"),
    )?;
    #[cfg(unix)]
    if let Some(path) = socket {
        let _ = std::fs::remove_file(path);
    }
    Ok(opened.map(|(key, passphrase)| {
        crate::passphrase::opened_by_unlock(passphrase, gate.file());
        key
    }))
}

/// One connection: the passphrase (the client then closes its writing side); one line back:
/// `OK`, `WRONG`, or `ERROR <why>`.
#[cfg(unix)]
fn start_unlock_socket(settings: &Settings, gate: Arc<Gate>) -> anyhow::Result<Option<std::path::PathBuf>> {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::net::{UnixListener, UnixStream};
    let path = socket_path(settings);
    rempart_store::db::create_private_dir(&settings.server.data_dir)?;
    if path.exists() && UnixStream::connect(&path).is_err() {
        std::fs::remove_file(&path)?;
    }
    let listener = match UnixListener::bind(&path) {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "unlock socket unavailable: unlock at /unlock");
            return Ok(None);
        }
    };
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    std::thread::Builder::new().name("unlock-socket".into()).spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut given = zeroize::Zeroizing::new(Vec::new());
            let answer = match (&mut stream).take(4096).read_to_end(&mut given) {
                Err(e) => format!("ERROR reading: {e}"),
                Ok(_) => {
                    let text = String::from_utf8_lossy(&given);
                    let passphrase = zeroize::Zeroizing::new(text.trim_end_matches(['\n', '\r']).to_owned());
                    match gate.try_unlock(&passphrase, Channel::LocalSocket) {
                        Ok(()) => "OK".to_owned(),
                        Err(UnlockError::WrongPassphrase) => "WRONG".to_owned(),
                        Err(e) => format!("ERROR {e}"),
                    }
                }
            };
            let _ = stream.write_all(answer.as_bytes()).and_then(|()| stream.write_all(b"\n"));
            if gate.is_open() {
                break;
            }
        }
    })?;
    Ok(Some(path))
}

/// `rempart unlock`: gives the passphrase to the sealed `serve` on this machine.
pub fn unlock_command(settings: &Settings) -> ExitCode {
    match unlock_through_socket(settings) {
        Ok(()) => {
            println!("unlocked: the service continues its start");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(unix)]
fn unlock_through_socket(settings: &Settings) -> anyhow::Result<()> {
    let path = socket_path(settings);
    let mut stream = std::os::unix::net::UnixStream::connect(&path).with_context(|| {
        format!("no sealed `rempart serve` answers at {} (is it running, and sealed?)", path.display())
    })?;
    let passphrase = passphrase_to_give(settings)?;
    stream.write_all(passphrase.as_bytes())?;
    stream.shutdown(std::net::Shutdown::Write)?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    match answer.trim_end() {
        "OK" => Ok(()),
        "WRONG" => bail!("wrong passphrase"),
        other => bail!("{}", other.strip_prefix("ERROR ").unwrap_or(other)),
    }
}

/// From `REMPART_PASSPHRASE_FILE`, the terminal, or else one line of standard input.
#[cfg(unix)]
fn passphrase_to_give(settings: &Settings) -> anyhow::Result<zeroize::Zeroizing<String>> {
    use std::io::{BufRead, IsTerminal};
    if std::env::var_os(crate::passphrase::PASSPHRASE_FILE_VAR).is_some() || std::io::stdin().is_terminal() {
        return crate::passphrase::current_passphrase(&settings.master_key_file());
    }
    let mut line = zeroize::Zeroizing::new(String::new());
    std::io::stdin().lock().read_line(&mut line).context("reading the passphrase from standard input")?;
    Ok(zeroize::Zeroizing::new(line.trim_end_matches(['\n', '\r']).to_owned()))
}

#[cfg(not(unix))]
fn unlock_through_socket(_settings: &Settings) -> anyhow::Result<()> {
    bail!("the unlock socket needs a Unix system: unlock at /unlock")
}
