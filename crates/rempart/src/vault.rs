//! The master key of the process, from where the helpline chose (`[vault]`): a key file
//! (made at the first start) or a systemd encrypted credential. Installed once per process
//! before any store call; see `rempart_vault`.

use crate::settings::{MasterKeySource, Settings};
use anyhow::{Context, bail};
use rempart_vault::MasterKey;
use std::path::Path;

/// Loads the master key and makes it the process's. A key file that does not exist yet is
/// made (readable by the service account only) when the database holds no data key: a
/// missing key for a database that has sealed data is an error, never a new key.
pub fn install(settings: &Settings, database_has_keys: bool) -> anyhow::Result<()> {
    let key = match settings.vault.source {
        MasterKeySource::File => {
            let path = settings.master_key_file();
            if path.exists() {
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
            }
        }
        MasterKeySource::Credential => {
            let dir = std::env::var_os("CREDENTIALS_DIRECTORY").context(
                "vault.source = \"credential\" needs systemd's LoadCredentialEncrypted= \
                 (CREDENTIALS_DIRECTORY is not set): see deploy/README.md",
            )?;
            read(&Path::new(&dir).join(&settings.vault.credential))?
        }
    };
    tracing::debug!(key = %key.id(), "master key loaded");
    rempart_vault::install(key);
    Ok(())
}

fn read(path: &Path) -> anyhow::Result<MasterKey> {
    let text = zeroize::Zeroizing::new(
        std::fs::read_to_string(path).with_context(|| format!("reading the master key {}", path.display()))?,
    );
    MasterKey::from_file_text(&text).with_context(|| format!("the master key {}", path.display()))
}

fn write_new(path: &Path, key: &MasterKey) -> anyhow::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        rempart_store::db::create_private_dir(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).with_context(|| format!("creating the master key {}", path.display()))?;
    file.write_all(key.to_file_text().as_bytes())?;
    file.sync_all()?;
    Ok(())
}
