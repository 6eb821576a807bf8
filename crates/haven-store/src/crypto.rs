//! Field encryption and keyed search tokens.
//!
//! The key ring lives in a file outside the database (`haven keys init --out PATH`),
//! optionally wrapped under a passphrase. It holds:
//! - field keys (XChaCha20-Poly1305), each with an id stored in every ciphertext, so new
//!   writes use the newest key and `haven keys rotate` can re-encrypt old values;
//! - a search key: HMAC-SHA256 of normalized values, for equality and name-token search
//!   without storing the value;
//! - an audit key: HMAC of the audit chain, so whoever edits the database cannot re-chain it.
//!
//! Every ciphertext is bound to its table, column and row through the AEAD's additional
//! data: a value copied to another row or column does not decrypt.

use std::fmt;
use std::io::Write;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::Zeroizing;

use haven_core::text::{fold_for_search, search_tokens};

const FORMAT_PLAIN: &str = "haven-keys-v1";
const FORMAT_WRAPPED: &str = "haven-keys-v1-wrapped";
const CIPHERTEXT_VERSION: u8 = 1;
const HEADER_LEN: usize = 1 + 4 + 24;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("key file {path}: {message}")]
    File { path: String, message: String },
    #[error("key file {path} is protected by a passphrase: set HAVEN_KEY_PASSPHRASE")]
    PassphraseNeeded { path: String },
    #[error("key file {path}: the passphrase is wrong or the file is damaged")]
    WrongPassphrase { path: String },
    #[error("key file {path} already exists; refusing to overwrite keys")]
    Exists { path: String },
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    #[error("the encrypted value is malformed")]
    Malformed,
    #[error("the encrypted value uses key {0}, which is not in the key ring")]
    UnknownKey(u32),
    #[error("the encrypted value does not authenticate for this place (tampered or moved)")]
    Forged,
}

/// Where an encrypted value lives; bound into its ciphertext.
#[derive(Debug, Clone, Copy)]
pub struct FieldPlace<'a> {
    pub table: &'a str,
    pub column: &'a str,
    pub row: &'a str,
}

impl FieldPlace<'_> {
    fn aad(&self) -> Vec<u8> {
        format!("haven:v1:{}:{}:{}", self.table, self.column, self.row).into_bytes()
    }
}

/// The keys. `Debug` shows ids only.
#[derive(Clone)]
pub struct KeyRing {
    field_keys: Vec<(u32, Zeroizing<[u8; 32]>)>,
    search_key: Zeroizing<[u8; 32]>,
    audit_key: Zeroizing<[u8; 32]>,
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<u32> = self.field_keys.iter().map(|(id, _)| *id).collect();
        f.debug_struct("KeyRing").field("field_key_ids", &ids).finish_non_exhaustive()
    }
}

#[derive(Serialize, Deserialize)]
struct KeyFile {
    format: String,
    #[serde(default)]
    field_keys: Vec<KeyEntry>,
    #[serde(default)]
    search_key: String,
    #[serde(default)]
    audit_key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    wrapped: Option<Wrapped>,
}

#[derive(Serialize, Deserialize)]
struct KeyEntry {
    id: u32,
    key: String,
}

#[derive(Serialize, Deserialize)]
struct Wrapped {
    kdf: String,
    m_cost: u32,
    t_cost: u32,
    p_cost: u32,
    salt: String,
    nonce: String,
    ciphertext: String,
}

pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    // The operating system's generator failing is not something Haven can recover from.
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut out).expect("the operating system's random generator failed");
    out
}

impl KeyRing {
    pub fn generate() -> KeyRing {
        KeyRing {
            field_keys: vec![(1, Zeroizing::new(random_bytes()))],
            search_key: Zeroizing::new(random_bytes()),
            audit_key: Zeroizing::new(random_bytes()),
        }
    }

    pub fn newest_key_id(&self) -> u32 {
        self.field_keys.iter().map(|(id, _)| *id).max().unwrap_or(0)
    }

    /// Add a new field key; new writes use it from now on.
    pub fn rotate(&mut self) -> u32 {
        let id = self.newest_key_id() + 1;
        self.field_keys.push((id, Zeroizing::new(random_bytes())));
        id
    }

    pub fn encrypt(&self, place: FieldPlace<'_>, plaintext: &[u8]) -> Vec<u8> {
        let (id, key) = self.newest_key();
        let nonce: [u8; 24] = random_bytes();
        let cipher = XChaCha20Poly1305::new(&Key::from(*key));
        let aad = place.aad();
        // Encryption with a valid key and nonce size cannot fail for in-memory buffers.
        #[allow(clippy::expect_used)]
        let ct = cipher
            .encrypt(&XNonce::from(nonce), Payload { msg: plaintext, aad: &aad })
            .expect("XChaCha20-Poly1305 encryption");
        let mut out = Vec::with_capacity(HEADER_LEN + ct.len());
        out.push(CIPHERTEXT_VERSION);
        out.extend_from_slice(&id.to_be_bytes());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        out
    }

    pub fn decrypt(&self, place: FieldPlace<'_>, value: &[u8]) -> Result<Vec<u8>, CryptoError> {
        if value.len() < HEADER_LEN + 16 || value[0] != CIPHERTEXT_VERSION {
            return Err(CryptoError::Malformed);
        }
        let id = u32::from_be_bytes([value[1], value[2], value[3], value[4]]);
        let key = self.key(id).ok_or(CryptoError::UnknownKey(id))?;
        let mut nonce = [0u8; 24];
        nonce.copy_from_slice(&value[5..HEADER_LEN]);
        let cipher = XChaCha20Poly1305::new(&Key::from(*key));
        cipher
            .decrypt(&XNonce::from(nonce), Payload { msg: &value[HEADER_LEN..], aad: &place.aad() })
            .map_err(|_| CryptoError::Forged)
    }

    pub fn encrypt_str(&self, place: FieldPlace<'_>, text: &str) -> Vec<u8> {
        self.encrypt(place, text.as_bytes())
    }

    pub fn decrypt_str(&self, place: FieldPlace<'_>, value: &[u8]) -> Result<String, CryptoError> {
        String::from_utf8(self.decrypt(place, value)?).map_err(|_| CryptoError::Malformed)
    }

    /// The key id a stored ciphertext was made with.
    pub fn key_id_of(value: &[u8]) -> Option<u32> {
        (value.len() >= HEADER_LEN).then(|| u32::from_be_bytes([value[1], value[2], value[3], value[4]]))
    }

    /// Keyed token of a whole value, for equality search (`purpose` separates columns so
    /// equal values in different columns do not link).
    pub fn search_token(&self, purpose: &str, value: &str) -> Vec<u8> {
        self.mac(&self.search_key, &[purpose.as_bytes(), fold_for_search(value).as_bytes()]).to_vec()
    }

    /// Keyed tokens of each name part, for name search in any order.
    pub fn name_tokens(&self, purpose: &str, value: &str) -> Vec<Vec<u8>> {
        search_tokens(value)
            .iter()
            .map(|t| self.mac(&self.search_key, &[purpose.as_bytes(), t.as_bytes()]).to_vec())
            .collect()
    }

    pub fn audit_mac(&self, bytes: &[u8]) -> [u8; 32] {
        self.mac(&self.audit_key, &[b"audit-entry", bytes])
    }

    pub fn checkpoint_mac(&self, seq: i64, hash: &[u8]) -> [u8; 32] {
        self.mac(&self.audit_key, &[b"audit-checkpoint", &seq.to_be_bytes(), hash])
    }

    /// Identifies this key ring without revealing it; stored in the database so a server
    /// started with the wrong key file refuses to run instead of writing unreadable data.
    pub fn fingerprint(&self) -> String {
        hex(&self.mac(&self.audit_key, &[b"key-ring-fingerprint"])[..12])
    }

    fn mac(&self, key: &[u8; 32], parts: &[&[u8]]) -> [u8; 32] {
        // HMAC accepts keys of any length.
        #[allow(clippy::expect_used)]
        let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(key).expect("HMAC key");
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }

    fn newest_key(&self) -> (u32, &[u8; 32]) {
        let id = self.newest_key_id();
        (id, self.key(id).unwrap_or(&[0u8; 32]))
    }

    fn key(&self, id: u32) -> Option<&[u8; 32]> {
        self.field_keys.iter().find(|(k, _)| *k == id).map(|(_, key)| &**key)
    }

    // ---- the key file ----

    /// Write a new key file with owner-only permissions; never overwrites.
    pub fn create_file(&self, path: &Path, passphrase: Option<&str>) -> Result<(), KeyError> {
        if path.exists() {
            return Err(KeyError::Exists { path: path.display().to_string() });
        }
        self.write_file(path, passphrase, true)
    }

    /// Replace the key file (after rotation), atomically, keeping owner-only permissions.
    pub fn save_file(&self, path: &Path, passphrase: Option<&str>) -> Result<(), KeyError> {
        self.write_file(path, passphrase, false)
    }

    fn write_file(&self, path: &Path, passphrase: Option<&str>, create_new: bool) -> Result<(), KeyError> {
        let err = |m: String| KeyError::File { path: path.display().to_string(), message: m };
        let plain = self.to_plain_json();
        let body = match passphrase {
            Some(p) => wrap(&plain, p).map_err(err)?,
            None => plain,
        };
        let tmp = path.with_extension("key.tmp");
        let target = if create_new { path.to_path_buf() } else { tmp.clone() };
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        if !create_new {
            let _ = std::fs::remove_file(&tmp);
        }
        let mut f = options.open(&target).map_err(|e| err(e.to_string()))?;
        f.write_all(body.as_bytes()).and_then(|_| f.sync_all()).map_err(|e| err(e.to_string()))?;
        if !create_new {
            std::fs::rename(&tmp, path).map_err(|e| err(e.to_string()))?;
        }
        Ok(())
    }

    fn to_plain_json(&self) -> Zeroizing<String> {
        let file = KeyFile {
            format: FORMAT_PLAIN.into(),
            field_keys: self.field_keys.iter().map(|(id, k)| KeyEntry { id: *id, key: B64.encode(**k) }).collect(),
            search_key: B64.encode(*self.search_key),
            audit_key: B64.encode(*self.audit_key),
            wrapped: None,
        };
        Zeroizing::new(serde_json::to_string_pretty(&file).unwrap_or_default())
    }

    pub fn load_file(path: &Path, passphrase: Option<&str>) -> Result<KeyRing, KeyError> {
        let shown = path.display().to_string();
        let err = |m: &str| KeyError::File { path: shown.clone(), message: m.to_owned() };
        let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| err(&e.to_string()))?);
        let file: KeyFile = serde_json::from_str(&text).map_err(|_| err("not a Haven key file"))?;
        let mut file = file;
        match (file.format.clone().as_str(), file.wrapped.take()) {
            (FORMAT_PLAIN, _) => KeyRing::from_file(file).map_err(|m| err(&m)),
            (FORMAT_WRAPPED, Some(w)) => {
                let pass = passphrase.ok_or_else(|| KeyError::PassphraseNeeded { path: shown.clone() })?;
                let plain = unwrap(&w, pass).ok_or_else(|| KeyError::WrongPassphrase { path: shown.clone() })?;
                let inner: KeyFile = serde_json::from_str(&plain).map_err(|_| err("damaged wrapped key file"))?;
                KeyRing::from_file(inner).map_err(|m| err(&m))
            }
            _ => Err(err("unknown key file format")),
        }
    }

    fn from_file(file: KeyFile) -> Result<KeyRing, String> {
        let decode = |s: &str, what: &str| -> Result<Zeroizing<[u8; 32]>, String> {
            let bytes = Zeroizing::new(B64.decode(s).map_err(|_| format!("{what} is not base64"))?);
            let arr: [u8; 32] = bytes.as_slice().try_into().map_err(|_| format!("{what} is not 32 bytes"))?;
            Ok(Zeroizing::new(arr))
        };
        let mut field_keys = Vec::new();
        for k in &file.field_keys {
            field_keys.push((k.id, decode(&k.key, &format!("field key {}", k.id))?));
        }
        if field_keys.is_empty() {
            return Err("no field keys".into());
        }
        Ok(KeyRing {
            field_keys,
            search_key: decode(&file.search_key, "search key")?,
            audit_key: decode(&file.audit_key, "audit key")?,
        })
    }
}

const KDF_M_COST: u32 = 65_536;
const KDF_T_COST: u32 = 3;
const KDF_P_COST: u32 = 1;

fn passphrase_key(pass: &str, salt: &[u8], m: u32, t: u32, p: u32) -> Option<Zeroizing<[u8; 32]>> {
    let params = argon2::Params::new(m, t, p, Some(32)).ok()?;
    let kdf = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut out = Zeroizing::new([0u8; 32]);
    kdf.hash_password_into(pass.as_bytes(), salt, &mut *out).ok()?;
    Some(out)
}

fn wrap(plain: &str, pass: &str) -> Result<Zeroizing<String>, String> {
    let salt: [u8; 16] = random_bytes();
    let nonce: [u8; 24] = random_bytes();
    let key = passphrase_key(pass, &salt, KDF_M_COST, KDF_T_COST, KDF_P_COST).ok_or("key derivation failed")?;
    let cipher = XChaCha20Poly1305::new(&Key::from(*key));
    let ct = cipher
        .encrypt(&XNonce::from(nonce), Payload { msg: plain.as_bytes(), aad: FORMAT_WRAPPED.as_bytes() })
        .map_err(|_| "encryption failed".to_owned())?;
    let file = KeyFile {
        format: FORMAT_WRAPPED.into(),
        field_keys: vec![],
        search_key: String::new(),
        audit_key: String::new(),
        wrapped: Some(Wrapped {
            kdf: "argon2id".into(),
            m_cost: KDF_M_COST,
            t_cost: KDF_T_COST,
            p_cost: KDF_P_COST,
            salt: B64.encode(salt),
            nonce: B64.encode(nonce),
            ciphertext: B64.encode(ct),
        }),
    };
    serde_json::to_string_pretty(&file).map(Zeroizing::new).map_err(|e| e.to_string())
}

fn unwrap(w: &Wrapped, pass: &str) -> Option<Zeroizing<String>> {
    let salt = B64.decode(&w.salt).ok()?;
    let nonce: [u8; 24] = B64.decode(&w.nonce).ok()?.try_into().ok()?;
    let ct = B64.decode(&w.ciphertext).ok()?;
    let key = passphrase_key(pass, &salt, w.m_cost, w.t_cost, w.p_cost)?;
    let cipher = XChaCha20Poly1305::new(&Key::from(*key));
    let plain = cipher.decrypt(&XNonce::from(nonce), Payload { msg: &ct, aad: FORMAT_WRAPPED.as_bytes() }).ok()?;
    String::from_utf8(plain).ok().map(Zeroizing::new)
}

/// A secret encrypted under a passphrase (argon2id, XChaCha20-Poly1305), as JSON text.
pub(crate) fn wrap_under_passphrase(secret: &str, pass: &str) -> Result<Zeroizing<String>, String> {
    wrap(secret, pass)
}

/// The secret of [`wrap_under_passphrase`]'s output; `None` for a wrong passphrase.
pub(crate) fn unwrap_under_passphrase(json: &str, pass: &str) -> Option<Zeroizing<String>> {
    let file: KeyFile = serde_json::from_str(json).ok()?;
    unwrap(file.wrapped.as_ref()?, pass)
}

/// Encrypt `plain` under a key derived from a high-entropy credential (a session cookie or
/// an API token secret), bound to `purpose`.
pub(crate) fn seal_under_credential(credential: &str, purpose: &str, plain: &[u8]) -> Vec<u8> {
    let key = credential_key(credential, purpose);
    let nonce: [u8; 24] = random_bytes();
    let cipher = XChaCha20Poly1305::new(&Key::from(*key));
    // Encrypting into a Vec cannot fail for inputs of this size.
    let ct = cipher.encrypt(&XNonce::from(nonce), Payload { msg: plain, aad: purpose.as_bytes() }).unwrap_or_default();
    let mut out = nonce.to_vec();
    out.extend_from_slice(&ct);
    out
}

pub(crate) fn open_under_credential(credential: &str, purpose: &str, sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if sealed.len() < 24 {
        return None;
    }
    let (nonce, ct) = sealed.split_at(24);
    let nonce: [u8; 24] = nonce.try_into().ok()?;
    let key = credential_key(credential, purpose);
    let cipher = XChaCha20Poly1305::new(&Key::from(*key));
    cipher.decrypt(&XNonce::from(nonce), Payload { msg: ct, aad: purpose.as_bytes() }).ok().map(Zeroizing::new)
}

fn credential_key(credential: &str, purpose: &str) -> Zeroizing<[u8; 32]> {
    // HMAC accepts keys of any length.
    #[allow(clippy::expect_used)]
    let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(credential.as_bytes()).expect("HMAC key");
    mac.update(b"haven-credential-key-v1:");
    mac.update(purpose.as_bytes());
    Zeroizing::new(mac.finalize().into_bytes().into())
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

/// SHA-256, for API tokens and session ids: high-entropy secrets checked on every request.
pub fn sha256(bytes: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    Sha256::digest(bytes).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn place(row: &str) -> FieldPlace<'_> {
        FieldPlace { table: "users", column: "display_name_enc", row }
    }

    #[test]
    fn round_trip_and_binding_to_the_place() {
        let ring = KeyRing::generate();
        let ct = ring.encrypt_str(place("r1"), "Fatima Ali");
        assert_eq!(ring.decrypt_str(place("r1"), &ct).unwrap(), "Fatima Ali");
        assert_eq!(ring.decrypt(place("r2"), &ct), Err(CryptoError::Forged));
        let other_column = FieldPlace { column: "email_enc", ..place("r1") };
        assert_eq!(ring.decrypt(other_column, &ct), Err(CryptoError::Forged));
    }

    #[test]
    fn tampered_ciphertext_is_rejected() {
        let ring = KeyRing::generate();
        let mut ct = ring.encrypt_str(place("r1"), "secret");
        let last = ct.len() - 1;
        ct[last] ^= 1;
        assert_eq!(ring.decrypt(place("r1"), &ct), Err(CryptoError::Forged));
        assert_eq!(ring.decrypt(place("r1"), &ct[..10]), Err(CryptoError::Malformed));
    }

    #[test]
    fn rotation_keeps_old_values_readable_and_writes_with_the_new_key() {
        let mut ring = KeyRing::generate();
        let old = ring.encrypt_str(place("r1"), "before");
        assert_eq!(ring.rotate(), 2);
        let new = ring.encrypt_str(place("r1"), "after");
        assert_eq!(KeyRing::key_id_of(&old), Some(1));
        assert_eq!(KeyRing::key_id_of(&new), Some(2));
        assert_eq!(ring.decrypt_str(place("r1"), &old).unwrap(), "before");
        let fresh = KeyRing::generate();
        assert_eq!(fresh.decrypt(place("r1"), &new), Err(CryptoError::UnknownKey(2)));
    }

    #[test]
    fn search_tokens_match_folded_values_and_separate_purposes() {
        let ring = KeyRing::generate();
        assert_eq!(ring.search_token("email", "Amina@Example.org "), ring.search_token("email", "amina@example.org"));
        assert_ne!(ring.search_token("email", "x"), ring.search_token("phone", "x"));
        assert_eq!(ring.name_tokens("name", "Amina Abdi"), ring.name_tokens("name", "abdi AMINA"));
        assert_ne!(KeyRing::generate().search_token("email", "x"), ring.search_token("email", "x"));
    }

    #[test]
    fn key_file_round_trip_plain_and_wrapped() {
        let dir = tempfile::tempdir().unwrap();
        let ring = KeyRing::generate();
        let plain = dir.path().join("plain.key");
        ring.create_file(&plain, None).unwrap();
        assert!(matches!(ring.create_file(&plain, None), Err(KeyError::Exists { .. })));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&plain).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let loaded = KeyRing::load_file(&plain, None).unwrap();
        assert_eq!(loaded.fingerprint(), ring.fingerprint());

        let wrapped = dir.path().join("wrapped.key");
        ring.create_file(&wrapped, Some("correct horse battery")).unwrap();
        let text = std::fs::read_to_string(&wrapped).unwrap();
        assert!(!text.contains(&B64.encode(*ring.audit_key)));
        assert!(matches!(KeyRing::load_file(&wrapped, None), Err(KeyError::PassphraseNeeded { .. })));
        assert!(matches!(KeyRing::load_file(&wrapped, Some("wrong")), Err(KeyError::WrongPassphrase { .. })));
        let loaded = KeyRing::load_file(&wrapped, Some("correct horse battery")).unwrap();
        assert_eq!(loaded.fingerprint(), ring.fingerprint());
    }

    #[test]
    fn hex_round_trip() {
        assert_eq!(unhex(&hex(&[0, 15, 255])).unwrap(), vec![0, 15, 255]);
        assert!(unhex("abc").is_none());
    }

    proptest! {
        #[test]
        fn any_value_round_trips(value in proptest::collection::vec(any::<u8>(), 0..256), row in "[a-z0-9]{1,12}") {
            let ring = KeyRing::generate();
            let ct = ring.encrypt(place(&row), &value);
            prop_assert_eq!(ring.decrypt(place(&row), &ct).unwrap(), value);
        }
    }
}
