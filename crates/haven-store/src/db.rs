//! The two engines behind one [`Store`]. Queries are written once in portable SQL
//! (`$1` placeholders, `RETURNING`, `ON CONFLICT`) and run on either pool through the
//! [`on_pool!`] and [`on_tx!`] macros, which compile each query body once per engine.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, Executor, PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};

use crate::StoreError;

#[derive(Clone)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A write transaction. On SQLite it holds the database's write lock from its first
/// statement (`BEGIN IMMEDIATE`), so writers queue instead of failing mid-way; on
/// PostgreSQL audit appends take an advisory lock (see `audit`).
pub enum Tx<'c> {
    Sqlite(Transaction<'c, Sqlite>),
    Postgres(Transaction<'c, Postgres>),
}

/// A connection of its own, outside the pool: the intake writer keeps one open, so its
/// page cache stays warm (no other connection writes in between) and its prepared
/// statements are reused batch after batch.
pub enum Conn {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

/// Run `$body` with `$p` bound to the engine's pool.
#[macro_export]
macro_rules! on_pool {
    ($pool:expr, $p:ident => $body:expr) => {
        match $pool {
            $crate::db::Pool::Sqlite($p) => $body,
            $crate::db::Pool::Postgres($p) => $body,
        }
    };
}

/// Run `$body` with `$c` bound to the transaction's connection (`&mut Connection`).
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::db::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

/// Most values bound in one statement: under SQLite's limit (32,766) and PostgreSQL's (65,535).
const MAX_BOUND_VALUES: usize = 30_000;

/// How many rows of `columns` values one multi-row statement may carry.
pub(crate) fn rows_per_statement(columns: usize) -> usize {
    (MAX_BOUND_VALUES / columns.max(1)).max(1)
}

/// `VALUES (?, ?), (?, ?)` on SQLite, `VALUES ($1, $2), ($3, $4)` on PostgreSQL: `rows` rows
/// of `columns` placeholders, bound in order. SQLite looks numbered parameters up by name
/// one after the other, which grows with the square of their number; plain `?` does not.
pub(crate) fn values_list(engine: Engine, rows: usize, columns: usize) -> String {
    let mut out = String::with_capacity(8 + rows * columns * 6);
    out.push_str("VALUES ");
    for row in 0..rows {
        out.push_str(if row == 0 { "(" } else { ", (" });
        for column in 0..columns {
            if column > 0 {
                out.push_str(", ");
            }
            match engine {
                Engine::Sqlite => out.push('?'),
                Engine::Postgres => out.push_str(&format!("${}", row * columns + column + 1)),
            }
        }
        out.push(')');
    }
    out
}

/// Insert `$rows` into a table with as few statements as the engines' limits allow (each
/// statement is a round trip, and on SQLite a hand-off to the connection's thread).
/// `$head` is `INSERT INTO t (a, b)`, `$tail` what follows the values (`ON CONFLICT ...`),
/// neither with parameters; each row `$r` binds the listed values. Evaluates to the number
/// of rows affected.
macro_rules! insert_rows {
    ($tx:expr, $head:expr, $tail:expr, $rows:expr, |$r:ident| [$($value:expr),+ $(,)?]) => {{
        let columns = [$(stringify!($value)),+].len();
        let mut affected = 0u64;
        for chunk in $rows.chunks($crate::db::rows_per_statement(columns)) {
            let values = $crate::db::values_list($tx.engine(), chunk.len(), columns);
            let sql = format!("{} {} {}", $head, values, $tail);
            affected += on_tx!($tx, c => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for $r in chunk {
                    q = q$(.bind($value))+;
                }
                q.execute(&mut *c).await.map(|r| r.rows_affected())
            })?;
        }
        affected
    }};
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// When SQLite's write-ahead log reaches the disk. `Full`: at every commit, so an answered
/// write survives a power cut (group commit makes one sync serve a whole batch). `Normal`:
/// at checkpoints only; a power cut may lose the last commits, never the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    Full,
    Normal,
}

impl Pool {
    pub fn engine(&self) -> Engine {
        match self {
            Pool::Sqlite(_) => Engine::Sqlite,
            Pool::Postgres(_) => Engine::Postgres,
        }
    }

    /// Open (creating if needed) a SQLite database file with Haven's pragmas. Every commit
    /// is durable: it reaches the disk before the caller is told it is done.
    pub async fn open_sqlite(path: &Path) -> Result<Pool, StoreError> {
        Pool::open_sqlite_with(path, Durability::Full).await
    }

    /// [`Pool::open_sqlite`] with a chosen durability (benchmarks compare the two).
    pub async fn open_sqlite_with(path: &Path, durability: Durability) -> Result<Pool, StoreError> {
        let synchronous = match durability {
            Durability::Full => SqliteSynchronous::Full,
            Durability::Normal => SqliteSynchronous::Normal,
        };
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(synchronous)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("temp_store", "memory")
            // Freed space is zeroed when that costs no extra I/O: erased personal data does
            // not linger in the file's pages.
            .pragma("secure_delete", "FAST");
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .min_connections(1)
            // A connection to a local file does not go stale: no ping (a round trip to the
            // connection's thread) before each use.
            .test_before_acquire(false)
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Open(format!("{}: {e}", path.display())))?;
        Ok(Pool::Sqlite(pool))
    }

    /// A private in-memory SQLite database (tests, benchmarks).
    pub async fn open_sqlite_memory() -> Result<Pool, StoreError> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")
            .map_err(|e| StoreError::Open(e.to_string()))?
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Open(e.to_string()))?;
        Ok(Pool::Sqlite(pool))
    }

    /// Connect to PostgreSQL. With `schema`, every connection works inside that schema
    /// (created if missing): the test suite gives each test its own.
    pub async fn connect_postgres(url: &str, schema: Option<&str>) -> Result<Pool, StoreError> {
        let options = PgConnectOptions::from_str(url).map_err(|e| StoreError::Open(redacted_url_error(url, &e)))?;
        let mut pool_options = PgPoolOptions::new().max_connections(10).acquire_timeout(Duration::from_secs(10));
        if let Some(schema) = schema {
            if !schema.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                return Err(StoreError::Open(format!("invalid schema name {schema}")));
            }
            let setup = PgPoolOptions::new().max_connections(1).connect_with(options.clone()).await;
            let setup = setup.map_err(|e| StoreError::Open(redacted_url_error(url, &e)))?;
            let create = format!("CREATE SCHEMA IF NOT EXISTS {schema}");
            setup.execute(sqlx::AssertSqlSafe(create)).await?;
            setup.close().await;
            let set_path = format!("SET search_path TO {schema}");
            pool_options = pool_options.after_connect(move |conn, _| {
                let set_path = set_path.clone();
                Box::pin(async move {
                    conn.execute(sqlx::AssertSqlSafe(set_path)).await?;
                    Ok(())
                })
            });
        }
        let pool =
            pool_options.connect_with(options).await.map_err(|e| StoreError::Open(redacted_url_error(url, &e)))?;
        Ok(Pool::Postgres(pool))
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Pool::Sqlite(p) => sqlx::migrate!("migrations/sqlite").run(p).await?,
            Pool::Postgres(p) => sqlx::migrate!("migrations/postgres").run(p).await?,
        }
        Ok(())
    }

    /// A connection taken out of the pool for good (the pool opens another in its place),
    /// for a writer that keeps it. `None` for an in-memory SQLite database, whose one
    /// pooled connection is the database itself.
    pub async fn dedicated(&self) -> Result<Option<Conn>, StoreError> {
        Ok(match self {
            Pool::Sqlite(p) if p.connect_options().get_filename() == Path::new(":memory:") => None,
            Pool::Sqlite(p) => Some(Conn::Sqlite(p.acquire().await?.detach())),
            Pool::Postgres(p) => Some(Conn::Postgres(p.acquire().await?.detach())),
        })
    }

    /// A write transaction (see [`Tx`]).
    pub async fn begin(&self) -> Result<Tx<'static>, StoreError> {
        Ok(match self {
            Pool::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// Fold SQLite's write-ahead log into the main file, so a copied file is complete.
    pub async fn checkpoint(&self) -> Result<(), StoreError> {
        if let Pool::Sqlite(p) = self {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(p).await.map(|r| r.rows_affected())?;
        }
        Ok(())
    }

    pub async fn close(&self) {
        let _ = self.checkpoint().await;
        on_pool!(self, p => p.close().await);
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        on_pool!(self, p => sqlx::query("SELECT 1").execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}

/// WAL frames (pages) past which the intake writer folds the log back itself, in case the
/// checkpointer that normally does it after the commits falls behind: it bounds the log
/// (about 40 MiB) without the writer waiting for checkpoints in the usual case.
const WRITER_CHECKPOINT_FRAMES: u32 = 10_000;

impl Conn {
    /// Whether this is a SQLite connection (which has a write-ahead log to fold back).
    pub fn has_wal(&self) -> bool {
        matches!(self, Conn::Sqlite(_))
    }

    /// Leave checkpoints to a checkpointer on another connection, except past
    /// [`WRITER_CHECKPOINT_FRAMES`]. Commits stay as durable: with `synchronous=FULL` each
    /// commit syncs the log itself, whenever the checkpointer runs.
    pub async fn leave_checkpoints(&mut self) -> Result<(), StoreError> {
        if let Conn::Sqlite(c) = self {
            let pragma = format!("PRAGMA wal_autocheckpoint = {WRITER_CHECKPOINT_FRAMES}");
            sqlx::query(sqlx::AssertSqlSafe(pragma)).execute(&mut *c).await.map(|r| r.rows_affected())?;
        }
        Ok(())
    }

    /// Fold what the write-ahead log holds back into the database file, as far as readers
    /// allow, without holding up the writer (SQLite's passive checkpoint).
    pub async fn checkpoint_passive(&mut self) -> Result<(), StoreError> {
        if let Conn::Sqlite(c) = self {
            sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&mut *c).await.map(|r| r.rows_affected())?;
        }
        Ok(())
    }

    /// A write transaction on this connection, as [`Pool::begin`] makes on a pooled one.
    pub async fn begin(&mut self) -> Result<Tx<'_>, StoreError> {
        Ok(match self {
            Conn::Sqlite(c) => Tx::Sqlite(Connection::begin_with(c, "BEGIN IMMEDIATE").await?),
            Conn::Postgres(c) => Tx::Postgres(Connection::begin(c).await?),
        })
    }
}

impl Tx<'_> {
    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    pub fn engine(&self) -> Engine {
        match self {
            Tx::Sqlite(_) => Engine::Sqlite,
            Tx::Postgres(_) => Engine::Postgres,
        }
    }
}

/// A connection error without the URL's password.
fn redacted_url_error(url: &str, e: &sqlx::Error) -> String {
    let shown = match url.split_once('@') {
        Some((head, tail)) => match head.rsplit_once(':') {
            Some((user, _)) if user.contains("//") => format!("{user}:***@{tail}"),
            _ => url.to_owned(),
        },
        None => url.to_owned(),
    };
    format!("{shown}: {e}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords_in_urls() {
        let e = sqlx::Error::PoolTimedOut;
        let s = redacted_url_error("postgres://haven:s3cret@db:5432/haven", &e);
        assert!(!s.contains("s3cret"));
        assert!(s.starts_with("postgres://haven:***@db:5432/haven"));
    }
}
