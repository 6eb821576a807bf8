//! Organisation settings (key/value), and the installation's identity: demo or real, and
//! the fingerprint of the key ring its data was written with.

use std::sync::Arc;
use std::time::Instant;

use haven_core::audit::actions;

use crate::identity::Actor;
use crate::{Store, StoreError, audit, now_utc};

pub const DEPLOYMENT_KIND: &str = "deployment.kind";
pub const KEY_FINGERPRINT: &str = "keys.fingerprint";
pub const ORG_NAME: &str = "organisation.name";
pub const TIME_ZONE: &str = "organisation.time_zone";
pub const WORKING_WEEK: &str = "organisation.working_week";
pub const MFA_REQUIRED_ROLES: &str = "identity.mfa_required_roles";
/// Days after closure when an item's contact details are erased.
pub const CONTACT_ERASE_DAYS: &str = "feedback.contact_erase_days";

pub async fn get(store: &Store, key: &str) -> Result<Option<String>, StoreError> {
    let row: Option<(String,)> = on_pool!(&store.pool, p => {
        sqlx::query_as("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(p).await
    })?;
    Ok(row.map(|(v,)| v))
}

pub async fn set(store: &Store, actor: &Actor, key: &str, value: &str) -> Result<(), StoreError> {
    change(store, actor, key, Some(value)).await
}

/// Back to the default: the setting is removed, and the change audited like a new value.
pub async fn remove(store: &Store, actor: &Actor, key: &str) -> Result<(), StoreError> {
    change(store, actor, key, None).await
}

/// Save (`Some`) or remove (`None`) a setting, audited, and forget the kept settings.
async fn change(store: &Store, actor: &Actor, key: &str, value: Option<&str>) -> Result<(), StoreError> {
    let mut tx = store.pool.begin().await?;
    on_tx!(&mut tx, c => {
        match value {
            Some(value) => sqlx::query(
                "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
                 ON CONFLICT (key) DO UPDATE SET value = $2, updated_at = $3",
            )
            .bind(key)
            .bind(value)
            .bind(now_utc())
            .execute(c).await.map(|r| r.rows_affected()),
            None => sqlx::query("DELETE FROM settings WHERE key = $1").bind(key).execute(c).await.map(|r| r.rows_affected()),
        }
    })?;
    audit::append(&mut tx, &store.keys, &actor.event(actions::SETTING_CHANGED, "setting", key)).await?;
    tx.commit().await?;
    store.recent.settings.forget();
    Ok(())
}

/// A setting's value and when it was last saved.
pub async fn get_saved(store: &Store, key: &str) -> Result<Option<(String, time::OffsetDateTime)>, StoreError> {
    on_pool!(&store.pool, p => {
        sqlx::query_as("SELECT value, updated_at FROM settings WHERE key = $1").bind(key).fetch_optional(p).await
    })
    .map_err(Into::into)
}

/// Every setting, ordered by key. Read on every intake, so kept for a moment: a change
/// through [`set`] applies at once, one made by another process within
/// [`crate::recent::KEPT_FOR`].
pub async fn all(store: &Store) -> Result<Arc<[(String, String)]>, StoreError> {
    let recent = &store.recent.settings;
    if let Some(kept) = recent.get(&()) {
        return Ok(kept);
    }
    let start = recent.start_read();
    let rows: Vec<(String, String)> =
        on_pool!(&store.pool, p => sqlx::query_as("SELECT key, value FROM settings ORDER BY key").fetch_all(p).await)?;
    let rows: Arc<[(String, String)]> = rows.into();
    recent.keep(start, (), rows.clone(), Instant::now() + crate::recent::KEPT_FOR);
    Ok(rows)
}

#[derive(Debug, thiserror::Error)]
pub enum OpenCheck {
    #[error("this database holds demo data; `haven serve` refuses it (use `haven demo`)")]
    DemoData,
    #[error("this database is not demo data; `haven demo` refuses it")]
    NotDemo,
    #[error("the key file does not match this database (fingerprint {found}, database expects {expected})")]
    WrongKeys { expected: String, found: String },
}

/// Record or check which key ring and deployment kind this database belongs to.
pub async fn bind_installation(store: &Store, demo: bool) -> Result<Result<(), OpenCheck>, StoreError> {
    let fingerprint = store.keys.fingerprint();
    match get(store, KEY_FINGERPRINT).await? {
        Some(expected) if expected != fingerprint => {
            return Ok(Err(OpenCheck::WrongKeys { expected, found: fingerprint }));
        }
        Some(_) => {}
        None => set(store, &Actor::system("haven"), KEY_FINGERPRINT, &fingerprint).await?,
    }
    let wanted = if demo { "demo" } else { "production" };
    match get(store, DEPLOYMENT_KIND).await?.as_deref() {
        None => set(store, &Actor::system("haven"), DEPLOYMENT_KIND, wanted).await?,
        Some("demo") if !demo => return Ok(Err(OpenCheck::DemoData)),
        Some(kind) if demo && kind != "demo" => return Ok(Err(OpenCheck::NotDemo)),
        Some(_) => {}
    }
    Ok(Ok(()))
}
