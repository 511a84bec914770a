//! The master key of the process, from the key file the helpline chose (`vault.key_file`:
//! made at the first start, or a systemd credential). Installed once per process before any
//! store call; see `rempart_vault`.

use crate::settings::Settings;
use anyhow::{Context, bail};
use rempart_vault::MasterKey;
use std::path::Path;

/// Installs the master key for a command on the database at `url`: the ids of the master
/// keys that wrapped its data keys say which key it needs. An unreachable database is an
/// error (the key file is never made without knowing that the database has no keys).
pub fn unlock(settings: &Settings, url: &str) -> anyhow::Result<()> {
    let master_ids = {
        let mut conn = rempart_store::DbConn::open(url, settings.pool_options())?;
        rempart_store::sealing::master_ids(&mut conn)?
    };
    install(settings, &master_ids)
}

/// Loads the master key and makes it the process's. A key file that does not exist yet is
/// made (readable by the service account only) when the database holds no data key: a
/// missing key for a database that has sealed data is an error, never a new key.
/// `master_ids` are the ids of the master keys that wrapped the database's data keys.
pub fn install(settings: &Settings, master_ids: &[String]) -> anyhow::Result<()> {
    let database_has_keys = !master_ids.is_empty();
    let path = settings.master_key_file();
    let next = next_file(&path);
    let key = if next.exists() {
        finish_interrupted_rotation(&path, &next, master_ids)?
    } else if path.exists() {
        read(&path)?
    } else if database_has_keys {
        bail!(
            "the master key file {} is missing, and the database holds data sealed with a master key: \
             put the key file back (from where it was saved), or point vault.key_file at it",
            path.display()
        );
    } else {
        let key = MasterKey::generate();
        write_new(&path, &key)?;
        tracing::info!(path = %path.display(), key = %key.id(), "made a new master key: save a copy off this server");
        key
    };
    if database_has_keys && !master_ids.contains(&key.id()) {
        bail!(
            "the master key {} does not open this database (its keys were wrapped by {}): \
             is vault.key_file (or the credential) the one this database was sealed with?",
            key.id(),
            master_ids.join(", ")
        );
    }
    tracing::debug!(key = %key.id(), "master key loaded");
    rempart_vault::install(key);
    Ok(())
}

/// Whether the master key file is under a passphrase (a sealed start).
pub fn key_is_protected(settings: &Settings) -> bool {
    std::fs::read(settings.master_key_file()).is_ok_and(|f| rempart_vault::passphrase::is_protected(&f))
}

/// Says at start where the master key came from, and what that protects against.
pub fn say_where_the_key_is(settings: &Settings) {
    let path = settings.master_key_file();
    if key_is_protected(settings) {
        tracing::info!(path = %path.display(), "master key under a passphrase: a server taken powered off reveals nothing");
    } else if std::env::var_os("CREDENTIALS_DIRECTORY").is_some_and(|dir| path.starts_with(dir)) {
        tracing::info!(path = %path.display(), "master key from a systemd credential: a copy of the disk alone reveals nothing");
    } else {
        tracing::warn!(
            path = %path.display(),
            "master key in a file on this server: it protects copies of the database, dumps, replicas and backups, \
             not a seized disk that holds this file too (see deploy/README.md: a credential or a sealed start)"
        );
    }
}

fn read(path: &Path) -> anyhow::Result<MasterKey> {
    let bytes = zeroize::Zeroizing::new(
        std::fs::read(path).with_context(|| format!("reading the master key {}", path.display()))?,
    );
    if rempart_vault::passphrase::is_protected(&bytes) {
        return crate::passphrase::open_for_command(path, &bytes);
    }
    let text = std::str::from_utf8(&bytes).with_context(|| format!("the master key {}", path.display()))?;
    MasterKey::from_file_text(text).with_context(|| format!("the master key {}", path.display()))
}

/// The key file's content for `key`: under the passphrase this process opened the key file
/// with (a rotation or an adoption keeps the file protected), else the key in clear.
fn file_content(key: &MasterKey) -> anyhow::Result<zeroize::Zeroizing<Vec<u8>>> {
    Ok(zeroize::Zeroizing::new(match crate::passphrase::protect_as_opened(key)? {
        Some(protected) => protected,
        None => key.to_file_text().as_bytes().to_vec(),
    }))
}

fn write_new(path: &Path, key: &MasterKey) -> anyhow::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        rempart_store::db::create_private_dir(dir)?;
    }
    let content = file_content(key)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).with_context(|| format!("creating the master key {}", path.display()))?;
    file.write_all(&content)?;
    file.sync_all()?;
    Ok(())
}

/// Where a rotation writes the new key before the database is re-wrapped.
fn next_file(path: &Path) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".next");
    name.into()
}

/// A rotation stopped between writing the new key and replacing the old file: the database
/// says which of the two wrapped its keys.
fn finish_interrupted_rotation(path: &Path, next: &Path, master_ids: &[String]) -> anyhow::Result<MasterKey> {
    let new = read(next)?;
    if master_ids.iter().all(|id| *id == new.id()) && !master_ids.is_empty() {
        std::fs::rename(next, path)?;
        tracing::warn!(path = %path.display(), "finished an interrupted master key rotation");
        return Ok(new);
    }
    std::fs::remove_file(next)?;
    tracing::warn!(path = %path.display(), "discarded the new key of an interrupted master key rotation");
    read(path)
}

/// What a rotation did.
#[derive(Debug)]
pub struct Rotated {
    pub old_id: String,
    pub new_id: String,
    pub data_keys: usize,
    pub secrets: Vec<std::path::PathBuf>,
}

/// Replaces the master key: a new key is written beside the old one, every data key
/// re-wrapped in one transaction, the sealed key files re-sealed, then the new file takes the
/// old one's place. The content is not re-encrypted. Stop every `serve` first. A key file
/// given as a systemd credential is read-only: rotate on a copy, then replace the credential.
pub fn rotate(settings: &Settings, conn: &mut rempart_store::DbConn) -> anyhow::Result<Rotated> {
    let old = rempart_vault::current()?;
    let path = settings.master_key_file();
    let next = next_file(&path);
    let new = MasterKey::generate();
    write_new(&next, &new)?;
    let data_keys = rempart_store::sealing::rewrap_all(conn, &old, &new)?;
    let mut secrets = Vec::new();
    for (file, purpose) in sealed_secret_files(settings) {
        if let Ok(bytes) = std::fs::read(&file)
            && MasterKey::is_sealed_secret(&bytes)
        {
            let clear = old.open_secret(purpose, &bytes)?;
            replace_private(&file, &new.seal_secret(purpose, &clear))?;
            secrets.push(file);
        }
    }
    std::fs::rename(&next, &path)?;
    let rotated = Rotated { old_id: old.id(), new_id: new.id(), data_keys, secrets };
    rempart_vault::install(new);
    Ok(rotated)
}

/// What adopting a restored backup's master key did.
#[derive(Debug)]
pub struct Adopted {
    pub key_id: String,
    /// Where the key file this configuration had was moved (nothing is deleted).
    pub previous: Option<std::path::PathBuf>,
    pub secrets: Vec<std::path::PathBuf>,
}

/// Makes `key` (a restored backup's master key, which wrapped the restored database's data
/// keys) this configuration's: the service's sealed key files are re-sealed with it, the
/// key file it had is moved aside (`.replaced-<unix time>`), the new one written.
pub fn adopt(settings: &Settings, key: MasterKey) -> anyhow::Result<Adopted> {
    let old = rempart_vault::current()?;
    let path = settings.master_key_file();
    let mut secrets = Vec::new();
    for (file, purpose) in sealed_secret_files(settings) {
        if let Ok(bytes) = std::fs::read(&file)
            && MasterKey::is_sealed_secret(&bytes)
        {
            let clear = old.open_secret(purpose, &bytes)?;
            replace_private(&file, &key.seal_secret(purpose, &clear))?;
            secrets.push(file);
        }
    }
    let previous = if path.exists() {
        let stamp =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        let mut aside = path.as_os_str().to_owned();
        aside.push(format!(".replaced-{stamp}"));
        let aside = std::path::PathBuf::from(aside);
        std::fs::rename(&path, &aside).with_context(|| format!("moving {} aside", path.display()))?;
        Some(aside)
    } else {
        None
    };
    write_new(&path, &key)?;
    let adopted = Adopted { key_id: key.id(), previous, secrets };
    rempart_vault::install(key);
    Ok(adopted)
}

/// The service's own secret files sealed by the master key, with what each is sealed for.
fn sealed_secret_files(settings: &Settings) -> Vec<(std::path::PathBuf, &'static str)> {
    vec![
        (settings.mail.key_file.clone(), "helpline-key"),
        (settings.server.data_dir.join(rempart_api::auth::KEY_FILE), "token-signing-key"),
    ]
}

/// Writes `bytes` beside `path` (owner only) and renames it over `path`.
pub(crate) fn replace_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let fresh = next_file(path);
    let _ = std::fs::remove_file(&fresh);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&fresh)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&fresh, path)?;
    Ok(())
}
