//! Mail received while the service is sealed (started with its master key under a
//! passphrase, not unlocked yet). Nothing is lost and nothing waits in clear: `mailgate`
//! encrypts each message as received to the helpline's public certificate (kept in clear
//! for this: it is public) and writes it to the spool folder, one file per message, renamed
//! into place once on disk. After the unlock, `serve` files every spooled message through
//! the gateway, as if it had just arrived, then deletes its file. Filing twice is harmless:
//! the gateway recognises a message it already holds. A spooled file that cannot be opened
//! (encrypted to a key the helpline no longer holds, or damaged) is quarantined with its
//! bytes as they are in the spool, instead of being tried again forever.

use crate::error::MailError;
use crate::gateway::{Gateway, Outcome};
use crate::pgp::{self, Certificate, POLICY};
use openpgp::serialize::stream::{Encryptor, LiteralWriter, Message};
use openpgp::types::KeyFlags;
use rempart_store::DbPool;
use rempart_store::mail::{NewQuarantine, QuarantinedMail};
use sequoia_openpgp as openpgp;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The extension of a spooled message (binary OpenPGP); anything else in the folder is left.
const EXTENSION: &str = "pgp";

/// The spool folder.
#[derive(Debug, Clone)]
pub struct Spool {
    dir: PathBuf,
}

/// What filing the spool did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Filed {
    pub filed: usize,
    /// Spooled messages that could not be filed now (left for the next pass).
    pub left: usize,
}

impl Spool {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Encrypts `raw` to `certificate` (the helpline's, for storage) and writes it to a new
    /// file of the spool, synced before it is renamed into place: once this returns, the
    /// message survives a crash and the MTA may forget it.
    pub fn put(&self, raw: &[u8], certificate: &Certificate) -> Result<PathBuf, MailError> {
        let sealed = encrypt_for_storage(raw, certificate)?;
        create_private_dir(&self.dir)?;
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.6f");
        let name = format!("{stamp}-{}", uuid::Uuid::new_v4());
        let part = self.dir.join(format!("{name}.part"));
        let done = self.dir.join(format!("{name}.{EXTENSION}"));
        let io = |e: std::io::Error| MailError::Spool(format!("{}: {e}", part.display()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&part).map_err(io)?;
        file.write_all(&sealed).map_err(io)?;
        file.sync_all().map_err(io)?;
        std::fs::rename(&part, &done).map_err(io)?;
        // The rename itself must reach the disk.
        if let Ok(dir) = std::fs::File::open(&self.dir) {
            let _ = dir.sync_all();
        }
        Ok(done)
    }

    /// The spooled messages, oldest first.
    pub fn pending(&self) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return Vec::new() };
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == EXTENSION))
            .collect();
        files.sort();
        files
    }

    /// Files every spooled message through `gateway` (which holds the helpline's secret
    /// keys, once unlocked), deleting each file once its message is committed. A message
    /// that cannot be filed now stays for the next pass.
    pub fn file_all(&self, gateway: &Gateway, pool: &DbPool) -> Filed {
        let mut done = Filed::default();
        for path in self.pending() {
            match self.file_one(gateway, pool, &path) {
                Ok(outcome) => {
                    tracing::info!(file = %path.display(), outcome = ?outcome_name(&outcome), "filed spooled mail");
                    done.filed += 1;
                }
                Err(e) => {
                    tracing::warn!(file = %path.display(), error = %e, "spooled mail not filed yet");
                    done.left += 1;
                }
            }
        }
        done
    }

    fn file_one(&self, gateway: &Gateway, pool: &DbPool, path: &Path) -> Result<Outcome, MailError> {
        let keyring =
            gateway.keyring.as_ref().ok_or_else(|| MailError::Key("no helpline key to open the spool".into()))?;
        let sealed = std::fs::read(path).map_err(|e| MailError::Spool(format!("{}: {e}", path.display())))?;
        let limit = gateway.limits.max_message_bytes.saturating_mul(2).saturating_add(1);
        let opened = pgp::open(&sealed, Some(keyring), &[], limit);
        let mut conn = pool.get()?;
        let outcome = match opened {
            Ok(opened) => gateway.ingest(&mut conn, &opened.plaintext, "mailgate")?,
            // Opening it again will not help: it waits in the quarantine, bytes and all,
            // where staff see it (and can download it) instead of a warning every pass.
            Err(e) => quarantine(&mut conn, &sealed, &e)?,
        };
        std::fs::remove_file(path).map_err(|e| MailError::Spool(format!("{}: {e}", path.display())))?;
        Ok(outcome)
    }
}

/// Quarantines a spooled file that cannot be opened, as it is in the spool (encrypted).
fn quarantine(conn: &mut rempart_store::DbConn, sealed: &[u8], error: &MailError) -> Result<Outcome, MailError> {
    let reason = format!("received while sealed, then the spooled copy could not be opened: {error}");
    tracing::warn!(reason_code = error.code(), "spooled mail quarantined");
    let item = conn.write(|conn| {
        QuarantinedMail::insert(
            conn,
            NewQuarantine {
                source: "mailgate",
                reason_code: error.code(),
                reason: &reason,
                from_address: None,
                subject: "",
                message_id_header: None,
                raw: sealed,
            },
        )
    })?;
    Ok(Outcome::Quarantined { quarantine_id: item.id, reason_code: item.reason_code, reason: item.reason })
}

fn outcome_name(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Stored { .. } => "stored",
        Outcome::Duplicate { .. } => "duplicate",
        Outcome::Quarantined { .. } => "quarantined",
    }
}

fn create_private_dir(dir: &Path) -> Result<(), MailError> {
    rempart_store::db::create_private_dir(dir).map_err(|e| MailError::Spool(format!("{}: {e}", dir.display())))
}

/// `plaintext` encrypted to the storage-encryption keys of `certificate` (no signature: the
/// secret keys are sealed while this runs). Binary OpenPGP.
fn encrypt_for_storage(plaintext: &[u8], certificate: &Certificate) -> Result<Vec<u8>, MailError> {
    let flags = KeyFlags::empty().set_storage_encryption().set_transport_encryption();
    let valid = certificate.with_policy(&POLICY, None).map_err(MailError::pgp("checking the helpline certificate"))?;
    let keys: Vec<_> = valid.keys().supported().alive().revoked(false).key_flags(flags).collect();
    if keys.is_empty() {
        return Err(MailError::NoUsableKey(format!("{}: no valid encryption subkey", certificate.fingerprint())));
    }
    let mut sink = Vec::new();
    let message = Message::new(&mut sink);
    let message = Encryptor::for_recipients(message, keys).build().map_err(MailError::pgp("encrypting"))?;
    let mut writer = LiteralWriter::new(message).build().map_err(MailError::pgp("encrypting"))?;
    writer.write_all(plaintext).map_err(|e| MailError::Pgp(format!("encrypting: {e}")))?;
    writer.finalize().map_err(MailError::pgp("encrypting"))?;
    Ok(sink)
}
