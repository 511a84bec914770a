//! The keys and what each does.

use crate::{VaultError, VaultResult};
use aes_gcm::aead::AeadInPlace;
use aes_gcm::{Aes256Gcm, Nonce as GcmNonce, Tag as GcmTag};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use zeroize::Zeroizing;

const NONCE: usize = 24;
/// Nonce and tag of a value's AES-256-GCM (format 2).
const GCM_NONCE: usize = 12;
const GCM_TAG: usize = 16;
/// Prefix of a sealed text value: the format's version, so that each can be told apart.
/// Format 2: AES-256-GCM under the data key's value key ([`DataKey`]).
const TEXT_PREFIX: &str = "rv2:";
/// Format 1 (the first release of protection at rest): XChaCha20-Poly1305 under the data
/// key itself. Still opened; no longer written.
const TEXT_PREFIX_V1: &str = "rv1:";
/// Prefix of a wrapped data key.
const WRAP_PREFIX: &str = "rk1:";
/// First bytes of a sealed binary value, format 2 and format 1.
const BYTES_MAGIC: &[u8; 4] = b"RV2\0";
const BYTES_MAGIC_V1: &[u8; 4] = b"RV1\0";
/// First bytes of a secret file the master key sealed (XChaCha20-Poly1305).
const SECRET_MAGIC: &[u8; 4] = b"RV1\0";
/// First line of a master key file.
const KEY_FILE_HEADER: &str = "rempart-master-key v1";

type Key = Zeroizing<[u8; 32]>;

fn random_key() -> Key {
    let mut k = Zeroizing::new([0u8; 32]);
    rand::rng().fill_bytes(k.as_mut());
    k
}

fn derive(master: &[u8; 32], info: &str) -> Key {
    let hk = Hkdf::<Sha256>::new(None, master);
    let mut k = Zeroizing::new([0u8; 32]);
    // 32 bytes is always a valid HKDF-SHA256 output length.
    if hk.expand(info.as_bytes(), k.as_mut()).is_err() {
        unreachable!("HKDF-SHA256 expands to 32 bytes");
    }
    k
}

/// Encrypts `plain` under `key` with a fresh random nonce: nonce ‖ ciphertext ‖ tag.
fn encrypt(key: &[u8; 32], aad: &[u8], plain: &[u8]) -> Vec<u8> {
    let cipher = XChaCha20Poly1305::new(key.into());
    let mut nonce = [0u8; NONCE];
    rand::rng().fill_bytes(&mut nonce);
    let sealed = match cipher.encrypt(XNonce::from_slice(&nonce), Payload { msg: plain, aad }) {
        Ok(c) => c,
        // Only inputs beyond 256 GiB fail: nothing Rempart stores comes near.
        Err(_) => unreachable!("XChaCha20-Poly1305 encrypts any value under 256 GiB"),
    };
    let mut out = Vec::with_capacity(NONCE + sealed.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    out
}

/// Opens nonce ‖ ciphertext ‖ tag; `what` names the value in an error (only then written).
fn decrypt(key: &[u8; 32], aad: &[u8], sealed: &[u8], what: impl Fn() -> String) -> VaultResult<Vec<u8>> {
    if sealed.len() < NONCE + 16 {
        return Err(VaultError::Malformed(what()));
    }
    let (nonce, body) = sealed.split_at(NONCE);
    XChaCha20Poly1305::new(key.into())
        .decrypt(XNonce::from_slice(nonce), Payload { msg: body, aad })
        .map_err(|_| VaultError::Refused(what()))
}

fn aad(parts: &[&str]) -> Vec<u8> {
    // Parts are joined by NUL, which none of them holds (names and ids), so the joint is
    // unambiguous.
    let mut out = Vec::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            out.push(0);
        }
        out.extend_from_slice(p.as_bytes());
    }
    out
}

/// The helpline's master key: it wraps every data key and the service's own secrets.
pub struct MasterKey {
    bytes: Key,
    /// Derived once: every data key read on a page is unwrapped with it.
    kek: Key,
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MasterKey({})", self.id())
    }
}

impl MasterKey {
    pub fn generate() -> Self {
        Self::from_key(random_key())
    }

    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self::from_key(Zeroizing::new(bytes))
    }

    fn from_key(bytes: Key) -> Self {
        let kek = derive(&bytes, "rempart kek v1");
        Self { bytes, kek }
    }

    /// A short public name of this key (not a secret: a one-way derivation), so that a data
    /// key can say which master key wrapped it and an operator which file is which.
    pub fn id(&self) -> String {
        hex_prefix(&derive(&self.bytes, "rempart key id v1")[..8])
    }

    /// The text of a key file: a header line and the key in base64.
    pub fn to_file_text(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("{KEY_FILE_HEADER}\n{}\n", STANDARD.encode(self.bytes.as_ref())))
    }

    /// Reads what [`MasterKey::to_file_text`] wrote (also the content of a systemd credential).
    pub fn from_file_text(text: &str) -> VaultResult<Self> {
        let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
        if lines.next() != Some(KEY_FILE_HEADER) {
            return Err(VaultError::Malformed(format!("master key (expected a first line `{KEY_FILE_HEADER}`)")));
        }
        let encoded = lines.next().ok_or_else(|| VaultError::Malformed("master key (no key line)".into()))?;
        let raw = Zeroizing::new(STANDARD.decode(encoded).map_err(|_| VaultError::Malformed("master key".into()))?);
        let bytes: [u8; 32] =
            raw.as_slice().try_into().map_err(|_| VaultError::Malformed("master key (not 32 bytes)".into()))?;
        Ok(Self::from_bytes(bytes))
    }

    /// Wraps the data key of `owner` (e.g. `case:<id>`), bound to that owner.
    pub fn wrap(&self, owner: &str, key: &DataKey) -> String {
        let sealed = encrypt(&self.kek, &aad(&["rempart/data-key/v1", owner]), key.bytes.as_ref());
        format!("{WRAP_PREFIX}{}", URL_SAFE_NO_PAD.encode(sealed))
    }

    /// Opens the data key of `owner` that [`MasterKey::wrap`] wrote.
    pub fn unwrap(&self, owner: &str, wrapped: &str) -> VaultResult<DataKey> {
        let what = format!("the data key of {owner}");
        let encoded = wrapped.strip_prefix(WRAP_PREFIX).ok_or_else(|| VaultError::Malformed(what.clone()))?;
        let sealed = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| VaultError::Malformed(what.clone()))?;
        let plain =
            Zeroizing::new(decrypt(&self.kek, &aad(&["rempart/data-key/v1", owner]), &sealed, || what.clone())?);
        let bytes: [u8; 32] = plain.as_slice().try_into().map_err(|_| VaultError::Malformed(what))?;
        Ok(DataKey::from_key(Zeroizing::new(bytes)))
    }

    /// Seals one of the service's own secrets (`purpose`: e.g. `helpline-key`) for a file.
    pub fn seal_secret(&self, purpose: &str, secret: &[u8]) -> Vec<u8> {
        let key = derive(&self.bytes, "rempart secret v1");
        let mut out = SECRET_MAGIC.to_vec();
        out.extend(encrypt(&key, &aad(&["rempart/secret/v1", purpose]), secret));
        out
    }

    /// Opens what [`MasterKey::seal_secret`] wrote for the same purpose.
    pub fn open_secret(&self, purpose: &str, sealed: &[u8]) -> VaultResult<Zeroizing<Vec<u8>>> {
        let body = sealed.strip_prefix(SECRET_MAGIC).ok_or_else(|| VaultError::Malformed(purpose.to_owned()))?;
        let key = derive(&self.bytes, "rempart secret v1");
        Ok(Zeroizing::new(decrypt(&key, &aad(&["rempart/secret/v1", purpose]), body, || purpose.to_owned())?))
    }

    /// Whether `bytes` look like a secret this vault sealed (to tell an old clear file).
    pub fn is_sealed_secret(bytes: &[u8]) -> bool {
        bytes.starts_with(SECRET_MAGIC)
    }
}

fn hex_prefix(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where a value lives: bound into its ciphertext, so that it opens nowhere else.
#[derive(Debug, Clone, Copy)]
pub struct Place<'a> {
    pub table: &'a str,
    pub column: &'a str,
    pub row: &'a str,
}

impl<'a> Place<'a> {
    pub fn new(table: &'a str, column: &'a str, row: &'a str) -> Self {
        Self { table, column, row }
    }

    fn aad(&self) -> Vec<u8> {
        aad(&["rempart/v1", self.table, self.column, self.row])
    }

    fn describe(&self) -> String {
        format!("{}.{} of {}", self.table, self.column, self.row)
    }
}

/// The key of one case, beneficiary or quarantined mail (or of the service's other data).
///
/// What is stored (wrapped) is `bytes`. Values are sealed with AES-256-GCM under a key
/// derived from it (HKDF, `rempart value key v2`), so that each algorithm has its own key;
/// its key schedule is made once per data key, which is remembered while pages are read.
/// AES-GCM with AES-NI opens a short value four to five times faster than
/// XChaCha20-Poly1305 did (format 1, still opened with `bytes` itself). Nonces are random
/// (96 bits): safe far beyond the values one key ever seals (2^32).
pub struct DataKey {
    bytes: Key,
    values: Aes256Gcm,
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(..)")
    }
}

impl DataKey {
    pub fn generate() -> Self {
        Self::from_key(random_key())
    }

    fn from_key(bytes: Key) -> Self {
        let value_key = derive(&bytes, "rempart value key v2");
        let values = <Aes256Gcm as aes_gcm::KeyInit>::new(value_key.as_ref().into());
        Self { bytes, values }
    }

    /// `head` ‖ nonce ‖ ciphertext ‖ tag (format 2).
    fn seal_after(&self, head: &[u8], aad: &[u8], plain: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(head.len() + GCM_NONCE + plain.len() + GCM_TAG);
        out.extend_from_slice(head);
        let mut nonce = [0u8; GCM_NONCE];
        rand::rng().fill_bytes(&mut nonce);
        out.extend_from_slice(&nonce);
        let start = out.len();
        out.extend_from_slice(plain);
        let tag = match self.values.encrypt_in_place_detached(GcmNonce::from_slice(&nonce), aad, &mut out[start..]) {
            Ok(tag) => tag,
            // Only inputs beyond 64 GiB fail: nothing Rempart stores comes near.
            Err(_) => unreachable!("AES-256-GCM encrypts any value under 64 GiB"),
        };
        out.extend_from_slice(&tag);
        out
    }

    /// Opens nonce ‖ ciphertext ‖ tag (format 2) in place: `sealed` is left holding the value.
    fn open_in_place(&self, aad: &[u8], sealed: &mut Vec<u8>, what: impl Fn() -> String) -> VaultResult<()> {
        if sealed.len() < GCM_NONCE + GCM_TAG {
            return Err(VaultError::Malformed(what()));
        }
        let (nonce, rest) = sealed.split_at_mut(GCM_NONCE);
        let (body, tag) = rest.split_at_mut(rest.len() - GCM_TAG);
        self.values
            .decrypt_in_place_detached(GcmNonce::from_slice(nonce), aad, body, GcmTag::from_slice(tag))
            .map_err(|_| VaultError::Refused(what()))?;
        let len = body.len();
        sealed.copy_within(GCM_NONCE..GCM_NONCE + len, 0);
        sealed.truncate(len);
        Ok(())
    }

    /// Seals bytes at `place`: magic ‖ nonce ‖ ciphertext ‖ tag.
    pub fn seal_bytes(&self, place: Place<'_>, plain: &[u8]) -> Vec<u8> {
        self.seal_after(BYTES_MAGIC, &place.aad(), plain)
    }

    pub fn open_bytes(&self, place: Place<'_>, sealed: &[u8]) -> VaultResult<Vec<u8>> {
        if let Some(body) = sealed.strip_prefix(BYTES_MAGIC) {
            let mut plain = body.to_vec();
            self.open_in_place(&place.aad(), &mut plain, || place.describe())?;
            return Ok(plain);
        }
        let body = sealed.strip_prefix(BYTES_MAGIC_V1).ok_or_else(|| VaultError::Malformed(place.describe()))?;
        decrypt(&self.bytes, &place.aad(), body, || place.describe())
    }

    /// Seals text at `place`, as text (for a text column): `rv2:` and URL-safe base64.
    pub fn seal_text(&self, place: Place<'_>, plain: &str) -> String {
        let sealed = self.seal_after(&[], &place.aad(), plain.as_bytes());
        let mut out = String::with_capacity(TEXT_PREFIX.len() + sealed.len().div_ceil(3) * 4);
        out.push_str(TEXT_PREFIX);
        URL_SAFE_NO_PAD.encode_string(&sealed, &mut out);
        out
    }

    pub fn open_text(&self, place: Place<'_>, sealed: &str) -> VaultResult<String> {
        let plain = if let Some(encoded) = sealed.strip_prefix(TEXT_PREFIX) {
            let mut raw = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| VaultError::Malformed(place.describe()))?;
            self.open_in_place(&place.aad(), &mut raw, || place.describe())?;
            raw
        } else {
            let encoded = sealed.strip_prefix(TEXT_PREFIX_V1).ok_or_else(|| VaultError::Malformed(place.describe()))?;
            let raw = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| VaultError::Malformed(place.describe()))?;
            decrypt(&self.bytes, &place.aad(), &raw, || place.describe())?
        };
        String::from_utf8(plain).map_err(|_| VaultError::Malformed(place.describe()))
    }

    /// The prefixes of sealed text values, every format (SQL that finds values still in
    /// clear leaves these alone).
    pub const SEALED_TEXT_PREFIXES: [&'static str; 2] = [TEXT_PREFIX, TEXT_PREFIX_V1];

    /// Whether a stored text value is sealed (an older database holds clear values until
    /// its upgrade seals them).
    pub fn is_sealed_text(stored: &str) -> bool {
        Self::SEALED_TEXT_PREFIXES.iter().any(|p| stored.starts_with(p))
    }

    /// Whether stored bytes are sealed.
    pub fn is_sealed_bytes(stored: &[u8]) -> bool {
        stored.starts_with(BYTES_MAGIC) || stored.starts_with(BYTES_MAGIC_V1)
    }

    /// This key used as the key of blind indexes.
    pub fn as_index_key(&self) -> IndexKey {
        IndexKey { bytes: Zeroizing::new(*self.bytes) }
    }

    /// Seals in format 1, as the first release did (tests of what it stored).
    #[cfg(test)]
    pub(crate) fn seal_text_v1(&self, place: Place<'_>, plain: &str) -> String {
        format!("{TEXT_PREFIX_V1}{}", URL_SAFE_NO_PAD.encode(encrypt(&self.bytes, &place.aad(), plain.as_bytes())))
    }

    #[cfg(test)]
    pub(crate) fn seal_bytes_v1(&self, place: Place<'_>, plain: &[u8]) -> Vec<u8> {
        let mut out = BYTES_MAGIC_V1.to_vec();
        out.extend(encrypt(&self.bytes, &place.aad(), plain));
        out
    }
}

/// The key of the blind indexes: a token per normalised value or word.
pub struct IndexKey {
    bytes: Key,
}

impl std::fmt::Debug for IndexKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IndexKey(..)")
    }
}

impl IndexKey {
    /// The token of `value` in index `domain` (e.g. `word`, `email`, `indicator:domain`):
    /// HMAC-SHA256 of the domain and the value, 128 bits in URL-safe base64. Equal values in
    /// the same domain give equal tokens; nothing else can be learnt from a token without
    /// the key.
    pub fn token(&self, domain: &str, value: &str) -> String {
        let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(self.bytes.as_ref()) {
            Ok(m) => m,
            Err(_) => unreachable!("HMAC takes a key of any length"),
        };
        mac.update(domain.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        let tag = mac.finalize().into_bytes();
        URL_SAFE_NO_PAD.encode(&tag[..16])
    }
}
