//! Re-encryption after a key rotation: every encrypted column is rewritten with the newest key.

use haven_core::audit::actions;
use uuid::Uuid;

use crate::crypto::{FieldPlace, KeyRing};
use crate::identity::Actor;
use crate::{Store, StoreError, audit};

/// Every encrypted column: (table, column). Rows are keyed by a UUID `id`.
pub const ENCRYPTED_COLUMNS: [(&str, &str); 3] =
    [("users", "display_name_enc"), ("users", "email_enc"), ("users", "totp_secret_enc")];

/// Rewrite every value not yet under the newest key. Returns how many were rewritten.
pub async fn reencrypt_all(store: &Store, actor: &Actor) -> Result<u64, StoreError> {
    let newest = store.keys.newest_key_id();
    let mut tx = store.pool.begin().await?;
    let mut count = 0u64;
    for (table, column) in ENCRYPTED_COLUMNS {
        let select = format!("SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL");
        let rows: Vec<(Uuid, Vec<u8>)> =
            on_tx!(&mut tx, c => sqlx::query_as(sqlx::AssertSqlSafe(select.clone())).fetch_all(c).await)?;
        let update = format!("UPDATE {table} SET {column} = $1 WHERE id = $2");
        for (id, value) in rows {
            if KeyRing::key_id_of(&value) == Some(newest) {
                continue;
            }
            let row = id.to_string();
            let place = FieldPlace { table, column, row: &row };
            let plain = zeroize::Zeroizing::new(store.keys.decrypt(place, &value)?);
            let fresh = store.keys.encrypt(place, &plain);
            on_tx!(&mut tx, c => {
                sqlx::query(sqlx::AssertSqlSafe(update.clone())).bind(&fresh).bind(id).execute(c).await.map(|r| r.rows_affected())
            })?;
            count += 1;
        }
    }
    let event =
        actor.event(actions::KEYS_ROTATED, "keys", newest.to_string()).summary(format!("{count} values re-encrypted"));
    audit::append(&mut tx, &store.keys, &event).await?;
    tx.commit().await?;
    Ok(count)
}
