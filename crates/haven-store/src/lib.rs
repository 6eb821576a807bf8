//! Haven's persistence: one schema and one behaviour on SQLite and PostgreSQL.
//!
//! Repositories that touch guarded data take an [`haven_core::authz::Access`] (proof that the
//! policy allowed the action) and apply its scope filter; everything that changes data
//! writes its audit entry in the same transaction.

#[macro_use]
pub mod db;
pub mod audit;
pub mod audits;
pub mod backup;
pub mod catalog;
pub mod copy;
pub mod crypto;
pub mod feedback;
pub mod identity;
pub mod indicators;
pub mod locations;
pub mod notifications;
pub mod participation;
pub mod projects;
pub mod recent;
pub mod rekey;
mod scope;
pub mod sealing;
pub mod settings;

use time::OffsetDateTime;

pub use crypto::KeyRing;
pub use db::{Durability, Engine, Pool, Tx};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database: {0}")]
    Open(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("not found")]
    NotFound,
    #[error("already exists: {0}")]
    Conflict(String),
    /// The record changed since the caller read it: a decision on what was read would undo
    /// or ignore the other change.
    #[error("changed meanwhile: {0}")]
    Changed(&'static str),
    /// The record can no longer change (a closed project, a completed round); the code says which.
    #[error("frozen: {0}")]
    Frozen(&'static str),
    #[error("stored data could not be decrypted: {0}")]
    Crypto(#[from] crypto::CryptoError),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Io(String),
}

/// The current time, truncated to microseconds: both engines store that precision, so a value
/// read back equals the value written (the audit chain hashes it).
pub fn now_utc() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(now.nanosecond() / 1_000 * 1_000).unwrap_or(now)
}

/// The database and the keys that protect its sensitive columns, shared by every request.
#[derive(Clone)]
pub struct Store {
    pub pool: Pool,
    pub keys: std::sync::Arc<KeyRing>,
    recent: std::sync::Arc<RecentReads>,
}

/// What requests read on every call, kept for a moment (see [`recent`]).
#[derive(Default)]
struct RecentReads {
    settings: recent::Recent<(), std::sync::Arc<[(String, String)]>>,
    /// By the SHA-256 of the presented token.
    tokens: recent::Recent<Vec<u8>, identity::TokenAuth>,
    /// The organisation of the items each user records (read on every staff intake).
    recording_agencies: recent::Recent<uuid::Uuid, Option<uuid::Uuid>>,
    /// The keyword screen's lexicon, parsed, with the settings it was read from.
    lexicon: std::sync::Mutex<Option<feedback::lexicon::Parsed>>,
    /// Catalog entries by (kind, code): their `extra` (every intake checks its codes).
    catalog_codes: recent::Recent<(String, String), String>,
    /// Location paths by P-code (every intake places its item).
    location_paths: recent::Recent<String, String>,
}

impl Store {
    pub fn new(pool: Pool, keys: impl Into<std::sync::Arc<KeyRing>>) -> Store {
        Store { pool, keys: keys.into(), recent: Default::default() }
    }
}

/// Map a unique-constraint violation to [`StoreError::Conflict`].
pub(crate) fn conflict_on_unique(e: sqlx::Error, what: &str) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what.to_owned()),
        _ => StoreError::Database(e),
    }
}
