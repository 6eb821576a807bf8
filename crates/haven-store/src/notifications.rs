//! In-app notices to users (e.g. "a PSEA focal point was added"). They carry a kind and a
//! subject id, never personal data; the page translates the kind.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Store, StoreError, now_utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Notification {
    pub id: Uuid,
    pub kind: String,
    pub subject_id: Option<Uuid>,
    pub created_at: OffsetDateTime,
}

pub async fn notify(store: &Store, users: &[Uuid], kind: &str, subject: Option<Uuid>) -> Result<(), StoreError> {
    let now = now_utc();
    for user in users {
        on_pool!(&store.pool, p => {
            sqlx::query("INSERT INTO notifications (id, user_id, kind, subject_id, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(Uuid::now_v7())
                .bind(user)
                .bind(kind)
                .bind(subject)
                .bind(now)
                .execute(p).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

pub async fn unread(store: &Store, user: Uuid) -> Result<Vec<Notification>, StoreError> {
    Ok(on_pool!(&store.pool, p => {
        sqlx::query_as(
            "SELECT id, kind, subject_id, created_at FROM notifications WHERE user_id = $1 AND read_at IS NULL
             ORDER BY created_at DESC LIMIT 50",
        )
        .bind(user)
        .fetch_all(p)
        .await
    })?)
}

pub async fn mark_read(store: &Store, user: Uuid) -> Result<(), StoreError> {
    on_pool!(&store.pool, p => {
        sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
            .bind(now_utc())
            .bind(user)
            .execute(p).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}
