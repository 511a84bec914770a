//! The master key under a passphrase, for a sealed start: age's scrypt recipient (a
//! memory-hard key derivation, then ChaCha20-Poly1305), the file ASCII-armoured.

use crate::{MasterKey, VaultError, VaultResult};
use age::secrecy::SecretString;
use std::io::{Read, Write};
use zeroize::Zeroizing;

/// scrypt's work factor (log2 N) for a new file: about a second on a small server, so that
/// guessing passphrases from a copied file is slow. Tests pass a lower one.
pub const DEFAULT_WORK_FACTOR: u8 = 18;
/// The highest work factor a file may ask of us (refuses files that would take minutes).
const MAX_WORK_FACTOR: u8 = 22;

/// Encrypts `key` under `passphrase` (the content of `master.key.age`).
pub fn protect(key: &MasterKey, passphrase: &str, work_factor: u8) -> VaultResult<Vec<u8>> {
    let mut recipient = age::scrypt::Recipient::new(SecretString::from(passphrase.to_owned()));
    recipient.set_work_factor(work_factor);
    let encryptor = age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
        .map_err(|e| VaultError::Malformed(format!("passphrase file ({e})")))?;
    let mut out = Vec::new();
    let armor = age::armor::ArmoredWriter::wrap_output(&mut out, age::armor::Format::AsciiArmor)
        .map_err(|e| VaultError::Malformed(format!("passphrase file ({e})")))?;
    let mut writer =
        encryptor.wrap_output(armor).map_err(|e| VaultError::Malformed(format!("passphrase file ({e})")))?;
    let text = key.to_file_text();
    writer.write_all(text.as_bytes()).map_err(|e| VaultError::Malformed(format!("passphrase file ({e})")))?;
    let armor = writer.finish().map_err(|e| VaultError::Malformed(format!("passphrase file ({e})")))?;
    armor.finish().map_err(|e| VaultError::Malformed(format!("passphrase file ({e})")))?;
    Ok(out)
}

/// Opens what [`protect`] wrote. A wrong passphrase is [`VaultError::WrongPassphrase`].
pub fn open(file: &[u8], passphrase: &str) -> VaultResult<MasterKey> {
    let reader = age::armor::ArmoredReader::new(file);
    let decryptor = age::Decryptor::new(reader).map_err(|e| VaultError::Malformed(format!("passphrase file ({e})")))?;
    if !decryptor.is_scrypt() {
        return Err(VaultError::Malformed("passphrase file (not passphrase-encrypted)".into()));
    }
    let mut identity = age::scrypt::Identity::new(SecretString::from(passphrase.to_owned()));
    identity.set_max_work_factor(MAX_WORK_FACTOR);
    let mut reader = match decryptor.decrypt(std::iter::once(&identity as &dyn age::Identity)) {
        Ok(r) => r,
        Err(age::DecryptError::DecryptionFailed | age::DecryptError::NoMatchingKeys) => {
            return Err(VaultError::WrongPassphrase);
        }
        Err(e) => return Err(VaultError::Malformed(format!("passphrase file ({e})"))),
    };
    let mut text = Zeroizing::new(String::new());
    reader.read_to_string(&mut text).map_err(|_| VaultError::WrongPassphrase)?;
    MasterKey::from_file_text(&text)
}

/// Whether `file` is a master key under a passphrase (what [`protect`] writes), rather than
/// a key in clear.
pub fn is_protected(file: &[u8]) -> bool {
    let start = file.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(file.len());
    file[start..].starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----")
}

/// The scrypt work factor `file` was written with (from its header), so that a file written
/// again for the same passphrase keeps its cost.
pub fn work_factor(file: &[u8]) -> Option<u8> {
    let mut reader = age::armor::ArmoredReader::new(file);
    let mut header = [0u8; 256];
    let mut read = 0;
    while read < header.len() {
        match reader.read(&mut header[read..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => read += n,
        }
    }
    let text = String::from_utf8_lossy(&header[..read]);
    let stanza = text.lines().find_map(|l| l.strip_prefix("-> scrypt "))?;
    stanza.split(' ').nth(1)?.trim().parse().ok()
}
