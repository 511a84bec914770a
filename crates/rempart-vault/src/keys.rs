//! The keys and what each does.

use crate::{VaultError, VaultResult};
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
/// Prefix of a sealed text value: the format's version, so a later one can be told apart.
const TEXT_PREFIX: &str = "rv1:";
/// Prefix of a wrapped data key.
const WRAP_PREFIX: &str = "rk1:";
/// First bytes of a sealed binary value or secret file.
const BYTES_MAGIC: &[u8; 4] = b"RV1\0";
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
    let mut out = Vec::new();
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
        Ok(DataKey { bytes: Zeroizing::new(bytes) })
    }

    /// Seals one of the service's own secrets (`purpose`: e.g. `helpline-key`) for a file.
    pub fn seal_secret(&self, purpose: &str, secret: &[u8]) -> Vec<u8> {
        let key = derive(&self.bytes, "rempart secret v1");
        let mut out = BYTES_MAGIC.to_vec();
        out.extend(encrypt(&key, &aad(&["rempart/secret/v1", purpose]), secret));
        out
    }

    /// Opens what [`MasterKey::seal_secret`] wrote for the same purpose.
    pub fn open_secret(&self, purpose: &str, sealed: &[u8]) -> VaultResult<Zeroizing<Vec<u8>>> {
        let body = sealed.strip_prefix(BYTES_MAGIC).ok_or_else(|| VaultError::Malformed(purpose.to_owned()))?;
        let key = derive(&self.bytes, "rempart secret v1");
        Ok(Zeroizing::new(decrypt(&key, &aad(&["rempart/secret/v1", purpose]), body, || purpose.to_owned())?))
    }

    /// Whether `bytes` look like a secret this vault sealed (to tell an old clear file).
    pub fn is_sealed_secret(bytes: &[u8]) -> bool {
        bytes.starts_with(BYTES_MAGIC)
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
pub struct DataKey {
    bytes: Key,
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(..)")
    }
}

impl DataKey {
    pub fn generate() -> Self {
        Self { bytes: random_key() }
    }

    /// Seals bytes at `place`: magic ‖ nonce ‖ ciphertext ‖ tag.
    pub fn seal_bytes(&self, place: Place<'_>, plain: &[u8]) -> Vec<u8> {
        let mut out = BYTES_MAGIC.to_vec();
        out.extend(encrypt(&self.bytes, &place.aad(), plain));
        out
    }

    pub fn open_bytes(&self, place: Place<'_>, sealed: &[u8]) -> VaultResult<Vec<u8>> {
        let body = sealed.strip_prefix(BYTES_MAGIC).ok_or_else(|| VaultError::Malformed(place.describe()))?;
        decrypt(&self.bytes, &place.aad(), body, || place.describe())
    }

    /// Seals text at `place`, as text (for a text column): `rv1:` and URL-safe base64.
    pub fn seal_text(&self, place: Place<'_>, plain: &str) -> String {
        let sealed = encrypt(&self.bytes, &place.aad(), plain.as_bytes());
        format!("{TEXT_PREFIX}{}", URL_SAFE_NO_PAD.encode(sealed))
    }

    pub fn open_text(&self, place: Place<'_>, sealed: &str) -> VaultResult<String> {
        let encoded = sealed.strip_prefix(TEXT_PREFIX).ok_or_else(|| VaultError::Malformed(place.describe()))?;
        let raw = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| VaultError::Malformed(place.describe()))?;
        let plain = decrypt(&self.bytes, &place.aad(), &raw, || place.describe())?;
        String::from_utf8(plain).map_err(|_| VaultError::Malformed(place.describe()))
    }

    /// Whether a stored text value is sealed (an older database holds clear values until
    /// its upgrade seals them).
    pub fn is_sealed_text(stored: &str) -> bool {
        stored.starts_with(TEXT_PREFIX)
    }

    /// Whether stored bytes are sealed.
    pub fn is_sealed_bytes(stored: &[u8]) -> bool {
        stored.starts_with(BYTES_MAGIC)
    }

    /// This key used as the key of blind indexes.
    pub fn as_index_key(&self) -> IndexKey {
        IndexKey { bytes: Zeroizing::new(*self.bytes) }
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
