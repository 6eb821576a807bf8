//! The hash-chained audit log.
//!
//! Each entry's `hash` is HMAC(audit key, canonical entry bytes ‖ previous hash). Appends
//! happen inside the transaction of the change they record and are serialized (SQLite's
//! write lock from `BEGIN IMMEDIATE`; a transaction-scoped advisory lock on PostgreSQL), so
//! the chain never forks. [`verify`] recomputes the chain; a signed [`Checkpoint`] of the
//! head, kept elsewhere, also detects entries cut off the end.

use haven_core::audit::{AuditEntry, AuditEvent, canonical_bytes};
use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::crypto::{KeyRing, hex, unhex};
use crate::db::{Pool, Tx};
use crate::{StoreError, now_utc};

/// Any constant shared by every Haven process on the database.
const AUDIT_LOCK_ID: i64 = 0x4841_5645_4e41_5544; // "HAVENAUD"

const GENESIS: &[u8] = b"haven-audit-genesis";

/// Append `event` to the chain within `tx`. Returns the entry's sequence number.
pub async fn append(tx: &mut Tx<'_>, keys: &KeyRing, event: &AuditEvent) -> Result<i64, StoreError> {
    append_all(tx, keys, std::slice::from_ref(event)).await
}

/// Append `events` to the chain within `tx`, in order, with one read of the head and one
/// insert: the chain is computed here. Returns the last entry's sequence number.
pub async fn append_all(tx: &mut Tx<'_>, keys: &KeyRing, events: &[AuditEvent]) -> Result<i64, StoreError> {
    if let Tx::Postgres(t) = tx {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(AUDIT_LOCK_ID)
            .execute(&mut **t)
            .await
            .map(|r| r.rows_affected())?;
    }
    let head: Option<(i64, Vec<u8>)> = on_tx!(tx, c => {
        sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetch_optional(c).await
    })?;
    let (head_seq, head_hash) = head.unwrap_or((0, GENESIS.to_vec()));
    let entries = chain(keys, head_seq, head_hash, events, now_utc());
    insert_rows!(
        tx,
        "INSERT INTO audit_log (seq, at, actor_id, actor, action, entity_kind, entity_id, summary, prev_hash, hash)",
        "",
        entries,
        |s| [
            s.entry.seq,
            s.entry.at,
            s.entry.actor_id,
            &s.entry.actor,
            &s.entry.action,
            &s.entry.entity_kind,
            &s.entry.entity_id,
            &s.entry.summary,
            &s.prev_hash,
            &s.hash
        ]
    );
    Ok(head_seq + events.len() as i64)
}

/// The entries for `events`, each hashed over the one before, following the head.
fn chain(
    keys: &KeyRing,
    head_seq: i64,
    head_hash: Vec<u8>,
    events: &[AuditEvent],
    at: OffsetDateTime,
) -> Vec<StoredEntry> {
    let mut prev_hash = head_hash;
    let mut out = Vec::with_capacity(events.len());
    for (seq, event) in (head_seq + 1..).zip(events) {
        let entry = AuditEntry {
            seq,
            at,
            actor_id: event.actor_id,
            actor: event.actor.clone(),
            action: event.action.to_owned(),
            entity_kind: event.entity_kind.to_owned(),
            entity_id: event.entity_id.clone(),
            summary: event.summary.clone(),
        };
        let hash = keys.audit_mac(&canonical_bytes(&entry, &prev_hash)).to_vec();
        out.push(StoredEntry { entry, prev_hash: std::mem::replace(&mut prev_hash, hash.clone()), hash });
    }
    out
}

/// Record `event` in a transaction of its own (reads of sensitive records, sign-ins).
pub async fn record(pool: &Pool, keys: &KeyRing, event: &AuditEvent) -> Result<i64, StoreError> {
    let mut tx = pool.begin().await?;
    let seq = append(&mut tx, keys, event).await?;
    tx.commit().await?;
    Ok(seq)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    pub entry: AuditEntry,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
}

fn entry_from_row<R: Row>(row: &R) -> Result<StoredEntry, sqlx::Error>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Vec<u8>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<Uuid>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    OffsetDateTime: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok(StoredEntry {
        entry: AuditEntry {
            seq: row.try_get("seq")?,
            at: row.try_get("at")?,
            actor_id: row.try_get("actor_id")?,
            actor: row.try_get("actor")?,
            action: row.try_get("action")?,
            entity_kind: row.try_get("entity_kind")?,
            entity_id: row.try_get("entity_id")?,
            summary: row.try_get("summary")?,
        },
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

const ENTRY_COLUMNS: &str = "seq, at, actor_id, actor, action, entity_kind, entity_id, summary, prev_hash, hash";

/// A page of entries, newest first, optionally only one action (or action prefix).
pub async fn list(
    pool: &Pool,
    action_prefix: Option<&str>,
    before_seq: Option<i64>,
    limit: i64,
) -> Result<Vec<StoredEntry>, StoreError> {
    let pattern = format!("{}%", action_prefix.unwrap_or("").replace(['%', '_'], ""));
    let before = before_seq.unwrap_or(i64::MAX);
    let sql =
        format!("SELECT {ENTRY_COLUMNS} FROM audit_log WHERE action LIKE $1 AND seq < $2 ORDER BY seq DESC LIMIT $3");
    let rows = on_pool!(pool, p => {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&pattern)
            .bind(before)
            .bind(limit)
            .fetch_all(p)
            .await?
            .iter()
            .map(entry_from_row)
            .collect::<Result<Vec<_>, _>>()
    })?;
    Ok(rows)
}

/// The signed head of the chain, printed by `haven audit checkpoint` to be kept elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: Vec<u8>,
    pub signature: Vec<u8>,
}

impl Checkpoint {
    pub fn encode(&self) -> String {
        format!("haven-checkpoint:{}:{}:{}", self.seq, hex(&self.hash), hex(&self.signature))
    }

    pub fn decode(text: &str) -> Option<Checkpoint> {
        let mut parts = text.trim().split(':');
        if parts.next()? != "haven-checkpoint" {
            return None;
        }
        let seq = parts.next()?.parse().ok()?;
        let hash = unhex(parts.next()?)?;
        let signature = unhex(parts.next()?)?;
        parts.next().is_none().then_some(Checkpoint { seq, hash, signature })
    }
}

pub async fn checkpoint(pool: &Pool, keys: &KeyRing) -> Result<Checkpoint, StoreError> {
    let head: Option<(i64, Vec<u8>)> = on_pool!(pool, p => {
        sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetch_optional(p).await
    })?;
    let (seq, hash) = head.unwrap_or((0, GENESIS.to_vec()));
    let signature = keys.checkpoint_mac(seq, &hash).to_vec();
    Ok(Checkpoint { seq, hash, signature })
}

/// Why the chain does not verify, naming the first entry concerned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("entry {seq}: its content or hash was changed")]
    Altered { seq: i64 },
    #[error("entry {seq}: it does not follow entry {previous} (an entry was inserted or deleted)")]
    Gap { seq: i64, previous: i64 },
    #[error("the checkpoint was not signed with this installation's audit key")]
    BadCheckpoint,
    #[error("entry {seq} named by the checkpoint is missing: entries were cut off the end")]
    Truncated { seq: i64 },
    #[error("entry {seq} differs from the checkpoint")]
    CheckpointMismatch { seq: i64 },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub entries: i64,
    pub head_seq: i64,
}

/// Walk the whole chain in order, in pages, recomputing every hash.
pub async fn verify(
    pool: &Pool,
    keys: &KeyRing,
    checkpoint: Option<&Checkpoint>,
) -> Result<Result<Verified, ChainBreak>, StoreError> {
    if let Some(cp) = checkpoint
        && keys.checkpoint_mac(cp.seq, &cp.hash)[..] != cp.signature[..]
    {
        return Ok(Err(ChainBreak::BadCheckpoint));
    }
    let mut prev_seq = 0i64;
    let mut prev_hash = GENESIS.to_vec();
    let mut count = 0i64;
    let mut checkpoint_seen = checkpoint.is_none_or(|cp| cp.seq == 0);
    let sql = format!("SELECT {ENTRY_COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 1000");
    loop {
        let page = on_pool!(pool, p => {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(prev_seq)
                .fetch_all(p)
                .await?
                .iter()
                .map(entry_from_row)
                .collect::<Result<Vec<_>, _>>()
        })?;
        if page.is_empty() {
            break;
        }
        for stored in page {
            let seq = stored.entry.seq;
            if seq != prev_seq + 1 {
                return Ok(Err(ChainBreak::Gap { seq, previous: prev_seq }));
            }
            if stored.prev_hash != prev_hash {
                return Ok(Err(ChainBreak::Altered { seq }));
            }
            let expected = keys.audit_mac(&canonical_bytes(&stored.entry, &prev_hash));
            if expected[..] != stored.hash[..] {
                return Ok(Err(ChainBreak::Altered { seq }));
            }
            if let Some(cp) = checkpoint
                && cp.seq == seq
            {
                if cp.hash != stored.hash {
                    return Ok(Err(ChainBreak::CheckpointMismatch { seq }));
                }
                checkpoint_seen = true;
            }
            prev_seq = seq;
            prev_hash = stored.hash;
            count += 1;
        }
    }
    if !checkpoint_seen && let Some(cp) = checkpoint {
        return Ok(Err(ChainBreak::Truncated { seq: cp.seq }));
    }
    Ok(Ok(Verified { entries: count, head_seq: prev_seq }))
}
