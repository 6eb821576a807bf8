//! Re-encryption after a key rotation: every encrypted column is rewritten with the newest key.

use haven_core::audit::actions;
use uuid::Uuid;

use crate::crypto::{FieldPlace, KeyRing};
use crate::identity::Actor;
use crate::{Store, StoreError, audit};

/// Every column under the field key: (table, column). Rows are keyed by a UUID `id`. Sealed
/// SEA content is under the PSEA office's own key and is not rewritten here.
pub const ENCRYPTED_COLUMNS: [(&str, &str); 10] = [
    ("users", "display_name_enc"),
    ("users", "email_enc"),
    ("users", "totp_secret_enc"),
    ("feedback", "narrative_enc"),
    ("feedback", "contact_enc"),
    ("feedback_events", "note_enc"),
    ("feedback_outbox", "recipient_enc"),
    ("feedback_outbox", "body_enc"),
    ("checklist_evidence", "file_name_enc"),
    ("checklist_evidence", "content_enc"),
];

/// Rewrite every value not yet under the newest key. Returns how many were rewritten.
pub async fn reencrypt_all(store: &Store, actor: &Actor) -> Result<u64, StoreError> {
    let newest = store.keys.newest_key_id();
    let mut tx = store.pool.begin().await?;
    let mut count = 0u64;
    for (table, column) in ENCRYPTED_COLUMNS {
        // Ids first, then one value at a time: evidence files can be megabytes each.
        let select = format!("SELECT id FROM {table} WHERE {column} IS NOT NULL");
        let ids: Vec<(Uuid,)> =
            on_tx!(&mut tx, c => sqlx::query_as(sqlx::AssertSqlSafe(select.clone())).fetch_all(c).await)?;
        let read = format!("SELECT {column} FROM {table} WHERE id = $1");
        let update = format!("UPDATE {table} SET {column} = $1 WHERE id = $2");
        for (id,) in ids {
            let (value,): (Vec<u8>,) = on_tx!(&mut tx, c => {
                sqlx::query_as(sqlx::AssertSqlSafe(read.clone())).bind(id).fetch_one(c).await
            })?;
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
