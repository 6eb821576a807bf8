//! When each WhatsApp sender last wrote, for the 24-hour customer-service window: WhatsApp
//! takes a free-text reply only within 24 hours of the person's last message, and an approved
//! template after that. Senders are kept by a keyed token of their number, never the number,
//! and only for a day (an older time decides nothing: a template is needed either way).

use time::OffsetDateTime;

use crate::{Store, StoreError};

const PURPOSE: &str = "whatsapp-sender";

/// The token of a number, whatever its spelling (`+254…` or `254…`).
fn token(store: &Store, phone: &str) -> Vec<u8> {
    store.keys.search_token(PURPOSE, phone.trim().trim_start_matches('+'))
}

/// Note a message from `phone` sent at `at` (kept when later than the one known).
pub async fn note_inbound(store: &Store, phone: &str, at: OffsetDateTime) -> Result<(), StoreError> {
    let token = token(store, phone);
    on_pool!(&store.pool, p => {
        sqlx::query(
            "INSERT INTO whatsapp_senders (sender_token, last_inbound_at) VALUES ($1, $2)
             ON CONFLICT (sender_token) DO UPDATE SET last_inbound_at = CASE
                WHEN excluded.last_inbound_at > whatsapp_senders.last_inbound_at THEN excluded.last_inbound_at
                ELSE whatsapp_senders.last_inbound_at END",
        )
        .bind(&token).bind(at).execute(p).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// When `phone` last wrote, if within the time kept.
pub async fn last_inbound(store: &Store, phone: &str) -> Result<Option<OffsetDateTime>, StoreError> {
    let token = token(store, phone);
    let row: Option<(OffsetDateTime,)> = on_pool!(&store.pool, p => {
        sqlx::query_as("SELECT last_inbound_at FROM whatsapp_senders WHERE sender_token = $1")
            .bind(&token).fetch_optional(p).await
    })?;
    Ok(row.map(|(t,)| t))
}

/// Forget senders who last wrote before `before`; returns how many.
pub async fn forget_before(store: &Store, before: OffsetDateTime) -> Result<u64, StoreError> {
    Ok(on_pool!(&store.pool, p => {
        sqlx::query("DELETE FROM whatsapp_senders WHERE last_inbound_at < $1")
            .bind(before).execute(p).await.map(|r| r.rows_affected())
    })?)
}
