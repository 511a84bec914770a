//! OpenPGP with sequoia: the helpline's keyring, decryption, signature checks and
//! encryption of replies. Nothing here touches the network or the database.

use crate::error::MailError;
use openpgp::cert::prelude::*;
use openpgp::crypto::SessionKey;
use openpgp::packet::{PKESK, SKESK};
use openpgp::parse::Parse;
use openpgp::parse::stream::{
    DecryptionHelper, DecryptorBuilder, DetachedVerifierBuilder, MessageLayer, MessageStructure, VerificationError,
    VerificationHelper, VerifierBuilder,
};
use openpgp::policy::StandardPolicy;
use openpgp::serialize::stream::{Armorer, Encryptor, LiteralWriter, Message, Signer};
use openpgp::serialize::{Serialize, SerializeInto};
use openpgp::types::{RevocationStatus, SymmetricAlgorithm};
use openpgp::{Cert, KeyHandle};
use rempart_core::SignatureStatus;
use sequoia_openpgp as openpgp;
use std::io::{Read, Write};
use std::path::Path;

pub use openpgp::Cert as Certificate;

pub(crate) static POLICY: StandardPolicy<'static> = StandardPolicy::new();

/// What the master key seals the key file for (bound into the sealed file).
const SECRET_PURPOSE: &str = "helpline-key";

/// The helpline's secret keys. The first certificate is the active one (it signs and is
/// advertised); the others are kept so that mail encrypted to a retired key still opens.
#[derive(Clone)]
pub struct Keyring {
    certs: Vec<Cert>,
}

impl std::fmt::Debug for Keyring {
    // Never print secret material, not even by accident in a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring").field("fingerprints", &self.fingerprints()).finish()
    }
}

impl Keyring {
    /// Generates a new helpline certificate: Ed25519 primary (certification), Ed25519 signing
    /// subkey, Cv25519 encryption subkey, no expiry (rotation is a deliberate act, see
    /// deploy/README.md).
    pub fn generate(user_id: &str) -> Result<Self, MailError> {
        let (cert, _revocation) = CertBuilder::general_purpose([user_id])
            .set_cipher_suite(CipherSuite::Cv25519)
            .set_validity_period(None)
            .generate()
            .map_err(MailError::pgp("generating the helpline key"))?;
        Ok(Self { certs: vec![cert] })
    }

    /// Reads one or more secret certificates (armored or binary).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, MailError> {
        let certs = CertParser::from_bytes(bytes)
            .map_err(MailError::pgp("reading the key file"))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(MailError::pgp("reading the key file"))?;
        if certs.is_empty() {
            return Err(MailError::Key("the key file holds no OpenPGP certificate".into()));
        }
        for cert in &certs {
            if !cert.is_tsk() {
                return Err(MailError::Key(format!(
                    "certificate {} has no secret key material: import the secret key, not the public one",
                    cert.fingerprint()
                )));
            }
            if cert.keys().secret().any(|k| k.key().has_secret() && !k.key().has_unencrypted_secret()) {
                return Err(MailError::Key(format!(
                    "certificate {} is protected by a passphrase; the service needs it unlocked \
                     (protect the file with its permissions instead)",
                    cert.fingerprint()
                )));
            }
        }
        Ok(Self { certs })
    }

    /// Reads the key file, sealed by the master key (protection at rest). A file an older
    /// Rempart wrote in clear is read, then sealed in place.
    pub fn load(path: &Path) -> Result<Self, MailError> {
        let bytes = std::fs::read(path).map_err(|e| MailError::Key(format!("cannot read {}: {e}", path.display())))?;
        if rempart_vault::MasterKey::is_sealed_secret(&bytes) {
            let master = rempart_vault::current().map_err(|e| MailError::Key(format!("{}: {e}", path.display())))?;
            let clear = master.open_secret(SECRET_PURPOSE, &bytes).map_err(|e| {
                MailError::Key(format!("{}: {e} (is this the master key it was sealed with?)", path.display()))
            })?;
            return Self::from_bytes(&clear);
        }
        let keyring = Self::from_bytes(&bytes)?;
        match keyring.save_replacing(path) {
            Ok(()) => tracing::info!(path = %path.display(), "sealed the helpline key file with the master key"),
            // A systemd credential or a read-only mount: protected by whoever provides it.
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "the helpline key file is in clear and cannot be sealed in place")
            }
        }
        Ok(keyring)
    }

    /// Writes the secret keys to a new file readable only by its owner, sealed by the master
    /// key (a copy of the disk without the master key does not hold the key in clear).
    /// Refuses to overwrite an existing file: losing the helpline key loses every encrypted
    /// message.
    pub fn save_new(&self, path: &Path) -> Result<(), MailError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            rempart_store::db::create_private_dir(dir)
                .map_err(|e| MailError::Key(format!("cannot create {}: {e}", dir.display())))?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => {
                MailError::Key(format!("{} already exists; refusing to overwrite a helpline key", path.display()))
            }
            _ => MailError::Key(format!("cannot create {}: {e}", path.display())),
        })?;
        let master = rempart_vault::current().map_err(|e| MailError::Key(format!("{}: {e}", path.display())))?;
        let sealed = master.seal_secret(SECRET_PURPOSE, &zeroize::Zeroizing::new(self.secret_armored()?));
        file.write_all(&sealed)
            .and_then(|()| file.sync_all())
            .map_err(|e| MailError::Key(format!("cannot write {}: {e}", path.display())))
    }

    /// A new active certificate with the same user IDs, the current ones kept after it to
    /// decrypt what was encrypted to them (rotation: the new key signs and is advertised).
    pub fn rotated(&self) -> Result<Self, MailError> {
        let user_ids: Vec<String> =
            self.primary().userids().map(|u| String::from_utf8_lossy(u.userid().value()).into_owned()).collect();
        if user_ids.is_empty() {
            return Err(MailError::Key("the active key has no user ID to carry over".into()));
        }
        let (cert, _revocation) = CertBuilder::general_purpose(user_ids)
            .set_cipher_suite(CipherSuite::Cv25519)
            .set_validity_period(None)
            .generate()
            .map_err(MailError::pgp("generating the new helpline key"))?;
        let mut certs = vec![cert];
        certs.extend(self.certs.iter().cloned());
        Ok(Self { certs })
    }

    /// Replaces the key file at `path` with these keys: written beside it (owner only) and
    /// renamed over it, so that a crash leaves the old file or the new one, never half.
    pub fn save_replacing(&self, path: &Path) -> Result<(), MailError> {
        let fresh = path.with_extension("rotating");
        let _ = std::fs::remove_file(&fresh);
        self.save_new(&fresh)?;
        std::fs::rename(&fresh, path).map_err(|e| MailError::Key(format!("cannot replace {}: {e}", path.display())))
    }

    fn secret_armored(&self) -> Result<Vec<u8>, MailError> {
        let mut out = Vec::new();
        let mut w = openpgp::armor::Writer::new(&mut out, openpgp::armor::Kind::SecretKey)
            .map_err(MailError::pgp("armoring"))?;
        for cert in &self.certs {
            cert.as_tsk().serialize(&mut w).map_err(MailError::pgp("serialising the key"))?;
        }
        w.finalize().map_err(MailError::pgp("armoring"))?;
        Ok(out)
    }

    /// The active certificate.
    pub fn primary(&self) -> &Cert {
        &self.certs[0]
    }

    pub fn fingerprint(&self) -> String {
        self.primary().fingerprint().to_hex()
    }

    pub fn fingerprints(&self) -> Vec<String> {
        self.certs.iter().map(|c| c.fingerprint().to_hex()).collect()
    }

    /// The active certificate without secrets, ASCII-armored, for beneficiaries and WKD.
    pub fn public_armored(&self) -> Result<String, MailError> {
        let bytes = self.primary().armored().to_vec().map_err(MailError::pgp("exporting the public key"))?;
        String::from_utf8(bytes).map_err(|_| MailError::Key("armored key is not UTF-8".into()))
    }

    /// The active certificate without secrets, binary (the WKD format).
    pub fn public_binary(&self) -> Result<Vec<u8>, MailError> {
        self.primary().to_vec().map_err(MailError::pgp("exporting the public key"))
    }

    /// The e-mail addresses in the active certificate's user IDs.
    pub fn addresses(&self) -> Vec<String> {
        self.primary().userids().filter_map(|u| u.userid().email().ok().flatten().map(|e| e.to_lowercase())).collect()
    }
}

/// A public certificate parsed from what a beneficiary sent or a handler pasted.
pub fn parse_certificate(bytes: &[u8]) -> Result<Cert, MailError> {
    let cert = Cert::from_bytes(bytes).map_err(MailError::pgp("reading the certificate"))?;
    Ok(cert.strip_secret_key_material())
}

pub fn armored_public(cert: &Cert) -> Result<String, MailError> {
    let bytes = cert.armored().to_vec().map_err(MailError::pgp("armoring"))?;
    String::from_utf8(bytes).map_err(|_| MailError::Key("armored key is not UTF-8".into()))
}

/// Why a certificate cannot receive an encrypted reply.
pub fn encryption_problem(cert: &Cert) -> Option<String> {
    let valid = match cert.with_policy(&POLICY, None) {
        Ok(v) => v,
        Err(e) => return Some(format!("the certificate is not valid under the standard policy: {e}")),
    };
    if let RevocationStatus::Revoked(_) = valid.revocation_status() {
        return Some("the certificate is revoked".into());
    }
    if let Err(e) = valid.alive() {
        return Some(format!("the certificate has expired: {e}"));
    }
    let usable = valid.keys().supported().alive().revoked(false).for_transport_encryption().count();
    if usable == 0 {
        return Some("the certificate has no valid encryption subkey".into());
    }
    None
}

/// What a signature check established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureCheck {
    pub status: SignatureStatus,
    /// Hex fingerprint of the signer's certificate, or of the issuer when the key is unknown.
    pub signer: Option<String>,
    /// Why a signature is bad, in words for the handler.
    pub detail: Option<String>,
}

impl SignatureCheck {
    pub fn unsigned() -> Self {
        Self { status: SignatureStatus::None, signer: None, detail: None }
    }

    fn bad(detail: impl Into<String>, signer: Option<String>) -> Self {
        Self { status: SignatureStatus::Bad, signer, detail: Some(detail.into()) }
    }

    fn rank(&self) -> u8 {
        match self.status {
            SignatureStatus::Good => 3,
            SignatureStatus::Bad => 2,
            SignatureStatus::UnknownKey => 1,
            SignatureStatus::None => 0,
        }
    }

    /// Keeps the more telling of two results (good over bad over unknown over none).
    fn merge(self, other: Self) -> Self {
        if other.rank() > self.rank() { other } else { self }
    }
}

fn issuer_of(sig: &openpgp::packet::Signature) -> Option<String> {
    let issuers = sig.get_issuers();
    issuers.iter().find(|h| matches!(h, KeyHandle::Fingerprint(_))).or_else(|| issuers.first()).map(|h| h.to_hex())
}

struct Helper<'a> {
    keyring: Option<&'a Keyring>,
    senders: &'a [Cert],
    check: SignatureCheck,
    decrypted: bool,
    /// Refuse the data unless a sender made a good signature (backups), instead of
    /// recording the result (mail).
    require_good_signature: bool,
}

impl<'a> Helper<'a> {
    fn new(keyring: Option<&'a Keyring>, senders: &'a [Cert]) -> Self {
        Self { keyring, senders, check: SignatureCheck::unsigned(), decrypted: false, require_good_signature: false }
    }
}

impl VerificationHelper for Helper<'_> {
    fn get_certs(&mut self, _ids: &[KeyHandle]) -> openpgp::Result<Vec<Cert>> {
        Ok(self.senders.to_vec())
    }

    fn check(&mut self, structure: MessageStructure) -> openpgp::Result<()> {
        // Record, never refuse: a bad signature is information for the handler, and the
        // message must still reach the case.
        for layer in structure {
            if let MessageLayer::SignatureGroup { results } = layer {
                for result in results {
                    let found = match result {
                        Ok(good) => SignatureCheck {
                            status: SignatureStatus::Good,
                            signer: Some(good.ka.cert().fingerprint().to_hex()),
                            detail: None,
                        },
                        Err(VerificationError::MissingKey { sig }) => SignatureCheck {
                            status: SignatureStatus::UnknownKey,
                            signer: issuer_of(sig),
                            detail: Some("signed with a key that is not the sender's pinned certificate".into()),
                        },
                        Err(VerificationError::BadSignature { sig, ka, error }) => SignatureCheck::bad(
                            format!("the signature does not match the content: {error}"),
                            Some(ka.cert().fingerprint().to_hex()).or_else(|| issuer_of(sig)),
                        ),
                        Err(VerificationError::BadKey { ka, error, .. }) => SignatureCheck::bad(
                            format!("the signing key is not valid: {error}"),
                            Some(ka.cert().fingerprint().to_hex()),
                        ),
                        Err(VerificationError::UnboundKey { cert, error, .. }) => SignatureCheck::bad(
                            format!("the signing key is not bound to the certificate: {error}"),
                            Some(cert.fingerprint().to_hex()),
                        ),
                        Err(VerificationError::MalformedSignature { sig, error }) => {
                            SignatureCheck::bad(format!("malformed signature: {error}"), issuer_of(sig))
                        }
                        Err(VerificationError::UnknownSignature { .. }) => {
                            SignatureCheck::bad("unsupported signature", None)
                        }
                        Err(other) => SignatureCheck::bad(format!("signature error: {other}"), None),
                    };
                    self.check = std::mem::replace(&mut self.check, SignatureCheck::unsigned()).merge(found);
                }
            }
        }
        if self.require_good_signature && self.check.status != SignatureStatus::Good {
            return Err(anyhow::anyhow!(
                "not signed by the helpline key ({:?}{})",
                self.check.status,
                self.check.detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default()
            ));
        }
        Ok(())
    }
}

impl DecryptionHelper for Helper<'_> {
    fn decrypt(
        &mut self,
        pkesks: &[PKESK],
        _skesks: &[SKESK],
        sym_algo: Option<SymmetricAlgorithm>,
        decrypt: &mut dyn FnMut(Option<SymmetricAlgorithm>, &SessionKey) -> bool,
    ) -> openpgp::Result<Option<Cert>> {
        let Some(keyring) = self.keyring else {
            return Err(anyhow::anyhow!("no helpline key is configured"));
        };
        // The recipients are read from the key packets, never from To or Cc: a message that
        // reached the helpline through Bcc opens like any other. Wildcard (hidden) recipients
        // are tried against every key. Expired keys still decrypt old mail.
        for pkesk in pkesks {
            for cert in &keyring.certs {
                for ka in cert.keys().unencrypted_secret() {
                    let matches = match pkesk.recipient() {
                        Some(recipient) => recipient.aliases(ka.key().key_handle()),
                        None => true,
                    };
                    if !matches {
                        continue;
                    }
                    let Ok(mut pair) = ka.key().clone().into_keypair() else { continue };
                    if let Some((algo, session_key)) = pkesk.decrypt(&mut pair, sym_algo)
                        && decrypt(algo, &session_key)
                    {
                        self.decrypted = true;
                        return Ok(Some(cert.clone()));
                    }
                }
            }
        }
        Err(anyhow::anyhow!("the message is not encrypted to any helpline key"))
    }
}

/// Plaintext recovered from an OpenPGP message, with what its signature said.
#[derive(Debug, Clone)]
pub struct Opened {
    pub plaintext: Vec<u8>,
    pub signature: SignatureCheck,
    pub encrypted: bool,
}

/// Reads at most `limit` bytes, failing beyond: caps what a compression bomb can expand to.
fn read_capped(mut reader: impl Read, limit: usize) -> Result<Vec<u8>, MailError> {
    let mut out = Vec::new();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    reader.by_ref().take(cap).read_to_end(&mut out).map_err(|e| MailError::Undecryptable(e.to_string()))?;
    if out.len() > limit {
        return Err(MailError::TooLarge { limit, what: "decrypted content" });
    }
    Ok(out)
}

/// Opens an OpenPGP message (armored or binary): decrypts it when it is encrypted, checks
/// its signatures against `senders` either way (including the cleartext signature framework).
pub fn open(data: &[u8], keyring: Option<&Keyring>, senders: &[Cert], limit: usize) -> Result<Opened, MailError> {
    if is_encrypted(data) {
        let helper = Helper::new(keyring, senders);
        let mut decryptor = DecryptorBuilder::from_bytes(data)
            .map_err(|e| MailError::Undecryptable(e.to_string()))?
            .with_policy(&POLICY, None, helper)
            .map_err(|e| MailError::Undecryptable(format!("{e:#}")))?;
        let plaintext = read_capped(&mut decryptor, limit)?;
        let helper = decryptor.into_helper();
        return Ok(Opened { plaintext, signature: helper.check, encrypted: helper.decrypted });
    }
    let helper = Helper::new(keyring, senders);
    let mut verifier = VerifierBuilder::from_bytes(data)
        .map_err(|e| MailError::Malformed(format!("unreadable OpenPGP data: {e}")))?
        .with_policy(&POLICY, None, helper)
        .map_err(|e| MailError::Malformed(format!("unreadable OpenPGP data: {e:#}")))?;
    let plaintext = read_capped(&mut verifier, limit)?;
    let helper = verifier.into_helper();
    Ok(Opened { plaintext, signature: helper.check, encrypted: false })
}

/// Whether OpenPGP data starts with an encrypted-session-key packet.
fn is_encrypted(data: &[u8]) -> bool {
    use openpgp::Packet;
    use openpgp::parse::{PacketParserBuilder, PacketParserResult};
    let Ok(builder) = PacketParserBuilder::from_bytes(data) else { return false };
    let Ok(PacketParserResult::Some(pp)) = builder.build() else { return false };
    matches!(pp.packet, Packet::PKESK(_) | Packet::SKESK(_) | Packet::SEIP(_) | Packet::Marker(_))
}

/// Checks a detached signature (PGP/MIME signed) over `data`.
pub fn verify_detached(data: &[u8], signature: &[u8], senders: &[Cert]) -> SignatureCheck {
    let helper = Helper::new(None, senders);
    let builder = match DetachedVerifierBuilder::from_bytes(signature) {
        Ok(b) => b,
        Err(e) => return SignatureCheck::bad(format!("unreadable signature: {e}"), None),
    };
    let mut verifier = match builder.with_policy(&POLICY, None, helper) {
        Ok(v) => v,
        Err(e) => return SignatureCheck::bad(format!("unreadable signature: {e:#}"), None),
    };
    if let Err(e) = verifier.verify_bytes(data) {
        return SignatureCheck::bad(format!("signature check failed: {e:#}"), None);
    }
    verifier.into_helper().check
}

fn signing_keypair(keyring: &Keyring) -> Result<openpgp::crypto::KeyPair, MailError> {
    let signing = keyring
        .primary()
        .keys()
        .unencrypted_secret()
        .with_policy(&POLICY, None)
        .supported()
        .alive()
        .revoked(false)
        .for_signing()
        .next()
        .ok_or_else(|| MailError::Key("the helpline key has no valid signing key".into()))?;
    signing.key().clone().into_keypair().map_err(MailError::pgp("unlocking the signing key"))
}

/// Encrypts `plaintext` to every certificate in `recipients` and signs it with the
/// helpline's active key. Returns ASCII armor.
pub fn encrypt_and_sign(plaintext: &[u8], recipients: &[&Cert], keyring: &Keyring) -> Result<Vec<u8>, MailError> {
    let mut keys = Vec::new();
    for cert in recipients {
        if let Some(problem) = encryption_problem(cert) {
            return Err(MailError::NoUsableKey(format!("{}: {problem}", cert.fingerprint())));
        }
        let valid = cert.with_policy(&POLICY, None).map_err(MailError::pgp("checking a recipient"))?;
        keys.extend(valid.keys().supported().alive().revoked(false).for_transport_encryption());
    }
    let keypair = signing_keypair(keyring)?;

    let mut sink = Vec::new();
    let message = Message::new(&mut sink);
    let message = Armorer::new(message).build().map_err(MailError::pgp("armoring"))?;
    let message = Encryptor::for_recipients(message, keys).build().map_err(MailError::pgp("encrypting"))?;
    let message =
        Signer::new(message, keypair).map_err(MailError::pgp("signing"))?.build().map_err(MailError::pgp("signing"))?;
    let mut writer = LiteralWriter::new(message).build().map_err(MailError::pgp("encrypting"))?;
    writer.write_all(plaintext).map_err(|e| MailError::Pgp(format!("encrypting: {e}")))?;
    writer.finalize().map_err(MailError::pgp("encrypting"))?;
    Ok(sink)
}

/// A detached, ASCII-armored signature of `data` by the helpline's active key, SHA-256
/// (RFC 3156 multipart/signed, `micalg=pgp-sha256`).
pub fn sign_detached(data: &[u8], keyring: &Keyring) -> Result<Vec<u8>, MailError> {
    let keypair = signing_keypair(keyring)?;
    let mut sink = Vec::new();
    let message = Message::new(&mut sink);
    let message =
        Armorer::new(message).kind(openpgp::armor::Kind::Signature).build().map_err(MailError::pgp("armoring"))?;
    let mut signer = Signer::new(message, keypair)
        .map_err(MailError::pgp("signing"))?
        .hash_algo(openpgp::types::HashAlgorithm::SHA256)
        .map_err(MailError::pgp("signing"))?
        .detached()
        .build()
        .map_err(MailError::pgp("signing"))?;
    signer.write_all(data).map_err(|e| MailError::Pgp(format!("signing: {e}")))?;
    signer.finalize().map_err(MailError::pgp("signing"))?;
    Ok(sink)
}

/// Starts a stored OpenPGP message (a backup) written to `sink` as it goes: compressed,
/// signed by the helpline's active key, encrypted to that key and to `recipients` (backup
/// keys kept offline). Binary, not armored. Write the data, then call `finalize()`.
pub fn encrypting_writer<'a>(
    sink: impl Write + Send + Sync + 'a,
    recipients: &'a [Cert],
    keyring: &'a Keyring,
) -> Result<Message<'a>, MailError> {
    use openpgp::serialize::stream::Compressor;
    use openpgp::types::{CompressionAlgorithm, KeyFlags};
    let flags = KeyFlags::empty().set_storage_encryption().set_transport_encryption();
    let mut keys = Vec::new();
    for cert in std::iter::once(keyring.primary()).chain(recipients) {
        let valid = cert.with_policy(&POLICY, None).map_err(MailError::pgp("checking a backup recipient"))?;
        let before = keys.len();
        keys.extend(valid.keys().supported().alive().revoked(false).key_flags(flags.clone()));
        if keys.len() == before {
            return Err(MailError::NoUsableKey(format!("{}: no valid encryption subkey", cert.fingerprint())));
        }
    }
    let keypair = signing_keypair(keyring)?;
    let message = Message::new(sink);
    let message = Encryptor::for_recipients(message, keys).build().map_err(MailError::pgp("encrypting"))?;
    let message =
        Compressor::new(message).algo(CompressionAlgorithm::Zlib).build().map_err(MailError::pgp("compressing"))?;
    let message =
        Signer::new(message, keypair).map_err(MailError::pgp("signing"))?.build().map_err(MailError::pgp("signing"))?;
    LiteralWriter::new(message).build().map_err(MailError::pgp("encrypting"))
}

/// Reads a message written by [`encrypting_writer`]: decrypts it with the helpline's keys
/// and fails at the end of the data unless the helpline key signed it.
pub fn decrypting_reader<'a>(
    source: impl Read + Send + Sync + 'a,
    keyring: &'a Keyring,
) -> Result<Box<dyn Read + Send + Sync + 'a>, MailError> {
    let mut helper = Helper::new(Some(keyring), &keyring.certs);
    helper.require_good_signature = true;
    let decryptor = DecryptorBuilder::from_reader(source)
        .map_err(|e| MailError::Undecryptable(e.to_string()))?
        .with_policy(&POLICY, None, helper)
        .map_err(|e| MailError::Undecryptable(format!("{e:#}")))?;
    Ok(Box::new(decryptor))
}

/// A cheap structural test: does `bytes` parse as a public certificate?
pub fn looks_like_certificate(bytes: &[u8]) -> bool {
    Cert::from_bytes(bytes).is_ok()
}

/// The Web Key Directory name of a local part (draft-koch-openpgp-webkey-service):
/// z-base-32 of the SHA-1 of the lower-cased local part.
pub fn wkd_hash(local_part: &str) -> String {
    use sha1::{Digest, Sha1};
    const ALPHABET: &[u8; 32] = b"ybndrfg8ejkmcpqxot1uwisza345h769";
    let digest = Sha1::digest(local_part.to_lowercase().as_bytes());
    let mut out = String::with_capacity(32);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for byte in digest {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

#[cfg(test)]
mod tests;
