//! The master key under a passphrase (a sealed start), on the command line:
//! `rempart keys protect-master` puts the key file under a passphrase, `rempart keys
//! change-passphrase` changes it (the data keys are untouched: the master key stays the
//! same). `serve` then starts sealed (see `sealed`); every other command asks for the
//! passphrase on the terminal, or reads it from the file `REMPART_PASSPHRASE_FILE` names
//! (a systemd credential, never a file on the same disk).

use crate::settings::Settings;
use anyhow::{Context, bail};
use rempart_vault::passphrase::{self, DEFAULT_WORK_FACTOR};
use rempart_vault::{MasterKey, VaultError};
use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use zeroize::Zeroizing;

/// Names a file holding the passphrase, for commands run without a terminal.
pub const PASSPHRASE_FILE_VAR: &str = "REMPART_PASSPHRASE_FILE";

/// The passphrase (and scrypt work factor) this process opened the key file with: a
/// rotation or an adoption writes the new key under the same one.
static OPENED: Mutex<Option<(Zeroizing<String>, u8)>> = Mutex::new(None);

fn remember(passphrase: Zeroizing<String>, work_factor: u8) {
    *OPENED.lock().unwrap_or_else(|p| p.into_inner()) = Some((passphrase, work_factor));
}

/// Opens a protected key file for a command other than `serve`.
pub fn open_for_command(path: &Path, file: &[u8]) -> anyhow::Result<MasterKey> {
    let given = current_passphrase(path)?;
    let key = passphrase::open(file, &given).map_err(|e| match e {
        VaultError::WrongPassphrase => anyhow::anyhow!("wrong passphrase for the master key {}", path.display()),
        other => anyhow::Error::from(other).context(format!("the master key {}", path.display())),
    })?;
    remember(given, passphrase::work_factor(file).unwrap_or(DEFAULT_WORK_FACTOR));
    Ok(key)
}

/// Remembers the passphrase `serve` was unlocked with, from its sealed file.
pub fn opened_by_unlock(given: Zeroizing<String>, file: &[u8]) {
    remember(given, passphrase::work_factor(file).unwrap_or(DEFAULT_WORK_FACTOR));
}

/// `key` under the passphrase this process opened the key file with, if it did.
pub fn protect_as_opened(key: &MasterKey) -> anyhow::Result<Option<Vec<u8>>> {
    let opened = OPENED.lock().unwrap_or_else(|p| p.into_inner());
    match opened.as_ref() {
        Some((given, work_factor)) => Ok(Some(passphrase::protect(key, given, *work_factor)?)),
        None => Ok(None),
    }
}

/// The current passphrase: from the file `REMPART_PASSPHRASE_FILE` names, else asked on the
/// terminal.
pub fn current_passphrase(path: &Path) -> anyhow::Result<Zeroizing<String>> {
    if let Some(file) = std::env::var_os(PASSPHRASE_FILE_VAR) {
        let text = Zeroizing::new(
            std::fs::read_to_string(&file)
                .with_context(|| format!("{PASSPHRASE_FILE_VAR}: reading {}", Path::new(&file).display()))?,
        );
        return Ok(Zeroizing::new(text.lines().next().unwrap_or_default().to_owned()));
    }
    if std::io::stdin().is_terminal() {
        let prompt = format!("Passphrase of the master key {}: ", path.display());
        return Ok(Zeroizing::new(rpassword::prompt_password(prompt)?));
    }
    bail!(
        "the master key {} is under a passphrase: run this command in a terminal, or name a file holding \
         the passphrase in {PASSPHRASE_FILE_VAR} (a systemd credential, not a file on this disk)",
        path.display()
    )
}

/// A new passphrase: asked twice on the terminal, else one line of standard input. A
/// guessable one is refused: whoever copies the key file may try passphrases offline.
pub fn read_new() -> anyhow::Result<Zeroizing<String>> {
    let stdin = std::io::stdin();
    let candidate = if stdin.is_terminal() {
        let first = Zeroizing::new(rpassword::prompt_password("New passphrase: ")?);
        let second = Zeroizing::new(rpassword::prompt_password("New passphrase again: ")?);
        if *first != *second {
            bail!("the passphrases differ");
        }
        first
    } else {
        let mut line = Zeroizing::new(String::new());
        stdin.lock().read_line(&mut line).context("reading the new passphrase from standard input")?;
        Zeroizing::new(line.trim_end_matches(['\n', '\r']).to_owned())
    };
    rempart_auth::Password::chosen(&candidate, &["rempart", "helpline"]).context("the new passphrase")?;
    Ok(candidate)
}

/// What putting the key file under a passphrase (or changing it) did.
#[derive(Debug)]
pub struct Protected {
    pub path: PathBuf,
    pub key_id: String,
    pub work_factor: u8,
}

/// `rempart keys protect-master`: the key file (in clear) is replaced by the same key under
/// a new passphrase. The master key does not change: nothing in the database does.
pub fn protect_master(settings: &Settings, work_factor: Option<u8>) -> anyhow::Result<Protected> {
    let path = settings.master_key_file();
    let file = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    if passphrase::is_protected(&file) {
        bail!("{} is already under a passphrase: `rempart keys change-passphrase` changes it", path.display());
    }
    write_protected(&path, read_new()?, work_factor.unwrap_or(DEFAULT_WORK_FACTOR))
}

/// `rempart keys change-passphrase`: the key file under a new passphrase (the old one was
/// asked to open it). The master key does not change.
pub fn change_passphrase(settings: &Settings, work_factor: Option<u8>) -> anyhow::Result<Protected> {
    let path = settings.master_key_file();
    let file = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    if !passphrase::is_protected(&file) {
        bail!("{} is not under a passphrase: `rempart keys protect-master` puts it under one", path.display());
    }
    let work_factor = work_factor.or_else(|| passphrase::work_factor(&file)).unwrap_or(DEFAULT_WORK_FACTOR);
    write_protected(&path, read_new()?, work_factor)
}

fn write_protected(path: &Path, new: Zeroizing<String>, work_factor: u8) -> anyhow::Result<Protected> {
    let key = rempart_vault::current()?;
    let protected = passphrase::protect(&key, &new, work_factor)?;
    // Read back before it replaces the only copy of the key on this server.
    let reopened = passphrase::open(&protected, &new)?;
    if reopened.id() != key.id() {
        bail!("the protected key file does not open to the same key; nothing was changed");
    }
    crate::vault::replace_private(path, &protected)?;
    remember(new, work_factor);
    Ok(Protected { path: path.to_owned(), key_id: key.id(), work_factor })
}
