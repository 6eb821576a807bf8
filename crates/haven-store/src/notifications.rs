//! In-app notices to users (e.g. "a PSEA focal point was added"). They carry a kind and a
//! subject id, never personal data; the page translates the kind.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Engine, Store, StoreError, now_utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Notification {
    pub id: Uuid,
    pub kind: String,
    pub subject_id: Option<Uuid>,
    pub created_at: OffsetDateTime,
}

/// Leave a notice in the app for each of `users`, and queue its e-mail twin for those who
/// have an address.
pub async fn notify(store: &Store, users: &[Uuid], kind: &str, subject: Option<Uuid>) -> Result<(), StoreError> {
    if users.is_empty() {
        return Ok(());
    }
    // One transaction for every row: on SQLite each write transaction waits its turn behind
    // the intake writer, so a notice to five people costs one turn, not ten.
    let mut tx = store.pool.begin().await?;
    notify_in(&mut tx, users, kind, subject, now_utc()).await?;
    tx.commit().await?;
    Ok(())
}

/// [`notify`] within `tx` (the intake writer tells of a sealed item in the item's own commit).
pub(crate) async fn notify_in(
    tx: &mut crate::Tx<'_>,
    users: &[Uuid],
    kind: &str,
    subject: Option<Uuid>,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    for user in users {
        on_tx!(&mut *tx, c => {
            sqlx::query("INSERT INTO notifications (id, user_id, kind, subject_id, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(Uuid::now_v7())
                .bind(user)
                .bind(kind)
                .bind(subject)
                .bind(now)
                .execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    queue_mail_in(tx, users, kind, subject, now).await
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

/// An e-mail waiting to be sent: the notice it carries and to whom. The address and the text
/// are made at sending time, so the queue holds no personal data.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PendingMail {
    pub id: Uuid,
    pub user_id: Uuid,
    pub kind: String,
    pub subject_id: Option<Uuid>,
    pub attempts: i64,
}

/// Queue the e-mail twin of a notice for every user in `users` who has an address and is not
/// disabled.
async fn queue_mail_in(
    tx: &mut crate::Tx<'_>,
    users: &[Uuid],
    kind: &str,
    subject: Option<Uuid>,
    now: time::OffsetDateTime,
) -> Result<(), StoreError> {
    for user in users {
        on_tx!(tx, c => {
            sqlx::query(
                "INSERT INTO mail_outbox (id, user_id, kind, subject_id, status, next_attempt_at, created_at)
                 SELECT $1, id, $2, $3, 'queued', $4, $4 FROM users
                 WHERE id = $5 AND email_enc IS NOT NULL AND disabled = $6",
            )
            .bind(Uuid::now_v7())
            .bind(kind)
            .bind(subject)
            .bind(now)
            .bind(user)
            .bind(false)
            .execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// How long a sender holds a message it took before another may take it again (the sender
/// stopped half-way).
const LEASE: time::Duration = time::Duration::minutes(10);

/// The statement that takes up to `$3` due messages of an outbox table (`mail_outbox`,
/// `feedback_outbox`) for this sender in one pass, holding each until `$1` (the lease), as of
/// `$2`; `filter` narrows the choice (it may use `$4` on). It returns `returning` of each
/// message taken, `attempts` counting this try. Run it in a write transaction: on SQLite that
/// holds the write lock, so senders take turns; on PostgreSQL a sender passes over the
/// messages another is taking, and the outer condition is checked again on each row as it is
/// updated, so two senders never take the same message.
pub(crate) fn claim_due_sql(engine: Engine, table: &'static str, filter: &str, returning: &str) -> String {
    let skip_taken = match engine {
        Engine::Sqlite => "",
        Engine::Postgres => "FOR UPDATE SKIP LOCKED",
    };
    format!(
        "UPDATE {table} SET status = 'sending', next_attempt_at = $1, attempts = attempts + 1
         WHERE id IN (SELECT id FROM {table} WHERE status IN ('queued', 'sending') AND next_attempt_at <= $2 {filter}
                      ORDER BY next_attempt_at LIMIT $3 {skip_taken})
           AND status IN ('queued', 'sending') AND next_attempt_at <= $2
         RETURNING {returning}"
    )
}

/// Until when a sender taking messages at `now` holds them.
pub(crate) fn lease_until(now: OffsetDateTime) -> OffsetDateTime {
    now + LEASE
}

/// Take up to `limit` e-mails that are due, so that no other sender sends them meanwhile.
pub async fn take_due_mail(store: &Store, now: OffsetDateTime, limit: i64) -> Result<Vec<PendingMail>, StoreError> {
    let sql = claim_due_sql(store.pool.engine(), "mail_outbox", "", "id, user_id, kind, subject_id, attempts");
    let mut tx = store.pool.begin().await?;
    let taken = on_tx!(&mut tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(lease_until(now)).bind(now).bind(limit).fetch_all(&mut *c).await
    })?;
    tx.commit().await?;
    Ok(taken)
}

/// Record how sending went: sent, to be tried again at `retry_at`, or failed for good
/// (`retry_at` absent). `error` is a short code, never personal data.
pub async fn mail_outcome(
    store: &Store,
    id: Uuid,
    now: OffsetDateTime,
    error: Option<&str>,
    retry_at: Option<OffsetDateTime>,
) -> Result<(), StoreError> {
    let status = match (error, retry_at) {
        (None, _) => "sent",
        (Some(_), Some(_)) => "queued",
        (Some(_), None) => "failed",
    };
    on_pool!(&store.pool, p => {
        sqlx::query(
            "UPDATE mail_outbox SET status = $1, last_error = $2, next_attempt_at = $3,
                sent_at = CASE WHEN $1 = 'sent' THEN $4 ELSE sent_at END
             WHERE id = $5",
        )
        .bind(status)
        .bind(error)
        .bind(retry_at.unwrap_or(now))
        .bind(now)
        .bind(id)
        .execute(p).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// How many e-mails are in each state (for the operations page and tests).
pub async fn mail_counts(store: &Store) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(on_pool!(&store.pool, p => {
        sqlx::query_as("SELECT status, COUNT(*) FROM mail_outbox GROUP BY status ORDER BY status").fetch_all(p).await
    })?)
}
