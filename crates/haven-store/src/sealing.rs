//! The PSEA office key: what seals sensitive feedback so that only PSEA focal points can
//! read it.
//!
//! Sealed content is encrypted (age, X25519) to the office's public key, kept in the
//! database. The private key is never stored in the clear: it is wrapped once per PSEA focal
//! point under a key derived from their password, and once under an offline recovery key
//! printed at setup. Signing in with the password unwraps it and binds it to the session
//! (encrypted under the session cookie, which the database holds only as a hash); an API
//! token created with the focal point's password carries it the same way. So administrators,
//! and whoever copies the database and the key file, cannot open sealed content.

use std::str::FromStr;

use age::secrecy::ExposeSecret;
use age::x25519;
use haven_core::audit::actions;
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::crypto::{
    open_under_credential, random_bytes, seal_under_credential, unwrap_under_passphrase, wrap_under_passphrase,
};
use crate::identity::Actor;
use crate::{Store, StoreError, Tx, audit, now_utc};

const SESSION_PURPOSE: &str = "psea-office-key:session";
const TOKEN_PURPOSE: &str = "psea-office-key:token";
const RECOVERY_HOLDER: &str = "recovery";

/// The office's private key, unwrapped. `Debug` never shows it.
#[derive(Clone)]
pub struct OfficeKey(x25519::Identity);

impl std::fmt::Debug for OfficeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OfficeKey(..)")
    }
}

impl OfficeKey {
    fn secret_text(&self) -> Zeroizing<String> {
        Zeroizing::new(self.0.to_string().expose_secret().to_owned())
    }

    fn from_text(text: &str) -> Option<OfficeKey> {
        x25519::Identity::from_str(text.trim()).ok().map(OfficeKey)
    }

    /// The office key encrypted for a browser session (see the module comment).
    pub fn bind_to_session(&self, cookie: &str) -> Vec<u8> {
        seal_under_credential(cookie, SESSION_PURPOSE, self.secret_text().as_bytes())
    }

    pub fn from_session(cookie: &str, sealed: &[u8]) -> Option<OfficeKey> {
        let plain = open_under_credential(cookie, SESSION_PURPOSE, sealed)?;
        OfficeKey::from_text(std::str::from_utf8(&plain).ok()?)
    }

    /// The office key encrypted for an API token.
    pub fn bind_to_token(&self, token: &str) -> Vec<u8> {
        seal_under_credential(token, TOKEN_PURPOSE, self.secret_text().as_bytes())
    }

    pub fn from_token(token: &str, sealed: &[u8]) -> Option<OfficeKey> {
        let plain = open_under_credential(token, TOKEN_PURPOSE, sealed)?;
        OfficeKey::from_text(std::str::from_utf8(&plain).ok()?)
    }

    /// Open content sealed for row `row`.
    pub fn open(&self, row: Uuid, sealed: &[u8]) -> Result<SealedContent, StoreError> {
        let plain = Zeroizing::new(
            age::decrypt(&self.0, sealed).map_err(|_| StoreError::Invalid("sealed content does not open".into()))?,
        );
        let content: Envelope =
            serde_json::from_slice(&plain).map_err(|_| StoreError::Invalid("sealed content is malformed".into()))?;
        // Bound to its row: sealed content copied onto another record is refused.
        if content.row != row {
            return Err(StoreError::Invalid("sealed content belongs to another record".into()));
        }
        Ok(content.content)
    }
}

/// The public half: anyone recording feedback can seal, nobody but the office can open.
#[derive(Clone, Debug)]
pub struct OfficeRecipient(x25519::Recipient);

impl OfficeRecipient {
    pub fn seal(&self, row: Uuid, content: &SealedContent) -> Result<Vec<u8>, StoreError> {
        let envelope = Envelope { row, content: content.clone() };
        let plain = Zeroizing::new(serde_json::to_vec(&envelope).map_err(|e| StoreError::Invalid(e.to_string()))?);
        age::encrypt(&self.0, &plain).map_err(|e| StoreError::Invalid(format!("sealing failed: {e}")))
    }
}

/// What a sealed item hides: the narrative and every contact detail, and the item's links
/// to a project, sector and principle (with the place, they could point at the people
/// concerned), when it happened and the alleged perpetrator's organisation. Sealed steps use
/// it too: the note (as `narrative`), where the item was referred, the answer given.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedContent {
    pub narrative: String,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub safe_contact: Option<String>,
    #[serde(default, skip_serializing_if = "haven_core::feedback::Links::is_empty")]
    pub links: haven_core::feedback::Links,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurred_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alleged_organisation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referred_to: Option<String>,
    /// The answer given to the person: never on the public status page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
}

impl SealedContent {
    pub fn has_contact(&self) -> bool {
        self.contact_name.is_some() || self.contact_phone.is_some() || self.safe_contact.is_some()
    }
}

impl std::fmt::Debug for SealedContent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealedContent(..)")
    }
}

#[derive(Serialize, Deserialize)]
struct Envelope {
    row: Uuid,
    content: SealedContent,
}

/// The recovery key, shown once at setup: 130 random bits in groups of five characters.
pub fn new_recovery_key() -> Zeroizing<String> {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let bytes: [u8; 26] = random_bytes();
    let chars: Vec<char> = bytes.iter().map(|b| ALPHABET[(b & 31) as usize] as char).collect();
    Zeroizing::new(chars.chunks(5).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-"))
}

fn normalize_recovery(typed: &str) -> String {
    let compact: String = typed.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect();
    compact.as_bytes().chunks(5).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join("-")
}

fn user_holder(user: Uuid) -> String {
    format!("user:{user}")
}

/// The office's public key, when the office has been set up.
pub async fn recipient(store: &Store) -> Result<Option<OfficeRecipient>, StoreError> {
    let row: Option<(String,)> = on_pool!(&store.pool, p => {
        sqlx::query_as("SELECT recipient FROM psea_office WHERE id = 1").fetch_optional(p).await
    })?;
    match row {
        None => Ok(None),
        Some((text,)) => x25519::Recipient::from_str(&text)
            .map(|r| Some(OfficeRecipient(r)))
            .map_err(|e| StoreError::Invalid(format!("stored PSEA office key: {e}"))),
    }
}

/// Set up the office key for the first PSEA focal point. Returns the key (to bind to the
/// caller's session) and the recovery key, to be written down offline and shown only now.
pub async fn set_up_office(
    store: &Store,
    actor: &Actor,
    focal_point: Uuid,
    password: &str,
) -> Result<(OfficeKey, Zeroizing<String>), StoreError> {
    let key = OfficeKey(x25519::Identity::generate());
    let recovery = new_recovery_key();
    let for_user = wrap(&key, password)?;
    let for_recovery = wrap(&key, &recovery)?;
    let now = now_utc();
    let mut tx = store.pool.begin().await?;
    let inserted = on_tx!(&mut tx, c => {
        sqlx::query("INSERT INTO psea_office (id, recipient, created_by, created_at) VALUES (1, $1, $2, $3) ON CONFLICT (id) DO NOTHING")
            .bind(key.0.to_public().to_string())
            .bind(focal_point)
            .bind(now)
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    if inserted == 0 {
        return Err(StoreError::Conflict("the PSEA office key is already set up".into()));
    }
    put_wrap(&mut tx, RECOVERY_HOLDER, None, &for_recovery).await?;
    put_wrap(&mut tx, &user_holder(focal_point), Some(focal_point), &for_user).await?;
    audit::append(&mut tx, &store.keys, &actor.event(actions::PSEA_OFFICE_SET_UP, "psea-office", "1")).await?;
    tx.commit().await?;
    Ok((key, recovery))
}

fn wrap(key: &OfficeKey, pass: &str) -> Result<Zeroizing<String>, StoreError> {
    wrap_under_passphrase(&key.secret_text(), pass).map_err(StoreError::Invalid)
}

async fn put_wrap(tx: &mut Tx<'_>, holder: &str, user: Option<Uuid>, wrapped: &str) -> Result<(), StoreError> {
    on_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO psea_key_wraps (holder, user_id, wrapped, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (holder) DO UPDATE SET wrapped = excluded.wrapped, created_at = excluded.created_at",
        )
        .bind(holder)
        .bind(user)
        .bind(wrapped)
        .bind(now_utc())
        .execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

async fn wrapped_for(store: &Store, holder: &str) -> Result<Option<String>, StoreError> {
    let row: Option<(String,)> = on_pool!(&store.pool, p => {
        sqlx::query_as("SELECT wrapped FROM psea_key_wraps WHERE holder = $1").bind(holder).fetch_optional(p).await
    })?;
    Ok(row.map(|(w,)| w))
}

/// The office key for a focal point who has just given their password; `None` when they
/// hold no wrap (not enrolled yet) or the password does not open it.
pub async fn unlock_with_password(store: &Store, user: Uuid, password: &str) -> Result<Option<OfficeKey>, StoreError> {
    let Some(wrapped) = wrapped_for(store, &user_holder(user)).await? else { return Ok(None) };
    let password = password.to_owned();
    // Key derivation is deliberately slow: keep it off the async workers.
    let opened = tokio::task::spawn_blocking(move || unwrap_under_passphrase(&wrapped, &password))
        .await
        .map_err(|e| StoreError::Io(e.to_string()))?;
    Ok(opened.and_then(|text| OfficeKey::from_text(&text)))
}

/// The office key from the offline recovery key.
pub async fn unlock_with_recovery(store: &Store, recovery: &str) -> Result<Option<OfficeKey>, StoreError> {
    let Some(wrapped) = wrapped_for(store, RECOVERY_HOLDER).await? else { return Ok(None) };
    let recovery = normalize_recovery(recovery);
    let opened = tokio::task::spawn_blocking(move || unwrap_under_passphrase(&wrapped, &recovery))
        .await
        .map_err(|e| StoreError::Io(e.to_string()))?;
    Ok(opened.and_then(|text| OfficeKey::from_text(&text)))
}

/// Wrap the office key for a focal point under their (new) password: enrolment of a new
/// focal point by one who holds the key, or a password change.
pub async fn enrol(
    store: &Store,
    actor: &Actor,
    key: &OfficeKey,
    user: Uuid,
    password: &str,
) -> Result<(), StoreError> {
    let wrapped = wrap(key, password)?;
    let mut tx = store.pool.begin().await?;
    put_wrap(&mut tx, &user_holder(user), Some(user), &wrapped).await?;
    audit::append(&mut tx, &store.keys, &actor.event(actions::PSEA_KEY_ENROLLED, "user", user.to_string())).await?;
    tx.commit().await
}

/// Whether `user` holds a wrap of the office key.
pub async fn is_enrolled(store: &Store, user: Uuid) -> Result<bool, StoreError> {
    Ok(wrapped_for(store, &user_holder(user)).await?.is_some())
}

/// Remove a focal point's wrap (their role was revoked).
pub async fn withdraw(tx: &mut Tx<'_>, user: Uuid) -> Result<(), StoreError> {
    on_tx!(tx, c => {
        sqlx::query("DELETE FROM psea_key_wraps WHERE holder = $1").bind(user_holder(user)).execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_content_opens_only_with_the_office_key_and_on_its_row() {
        let key = OfficeKey(x25519::Identity::generate());
        let recipient = OfficeRecipient(key.0.to_public());
        let row = Uuid::now_v7();
        let content = SealedContent {
            narrative: "what happened".into(),
            contact_phone: Some("+9647700000000".into()),
            ..Default::default()
        };
        let sealed = recipient.seal(row, &content).expect("seals");
        assert!(!String::from_utf8_lossy(&sealed).contains("what happened"));
        assert_eq!(key.open(row, &sealed).expect("opens"), content);
        assert!(key.open(Uuid::now_v7(), &sealed).is_err());
        let stranger = OfficeKey(x25519::Identity::generate());
        assert!(stranger.open(row, &sealed).is_err());
    }

    #[test]
    fn a_session_binding_opens_only_with_its_cookie() {
        let key = OfficeKey(x25519::Identity::generate());
        let bound = key.bind_to_session("cookie-secret");
        let back = OfficeKey::from_session("cookie-secret", &bound).expect("opens");
        assert_eq!(back.0.to_public().to_string(), key.0.to_public().to_string());
        assert!(OfficeKey::from_session("another-cookie", &bound).is_none());
        // A token binding is not a session binding.
        assert!(OfficeKey::from_token("cookie-secret", &bound).is_none());
    }

    #[test]
    fn recovery_keys_are_read_back_forgivingly() {
        let key = new_recovery_key();
        assert_eq!(key.len(), 26 + 5);
        assert_eq!(normalize_recovery(&key.to_lowercase().replace('-', " ")), *key);
        assert!(!format!("{:?}", OfficeKey(x25519::Identity::generate())).contains("AGE-SECRET"));
    }
}
