//! Reference data in the database: loaded from the `catalog/` files, extended locally.

use haven_core::audit::actions;
use haven_core::catalog::{CatalogFile, CatalogItem, CatalogKind, Localized};

use crate::identity::Actor;
use crate::{Store, StoreError, audit, conflict_on_unique, now_utc};

#[derive(Debug, Clone)]
pub struct Entry {
    pub code: String,
    pub name: Localized,
    pub description: Localized,
    pub extra: serde_json::Map<String, serde_json::Value>,
    pub is_local: bool,
    pub version: String,
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    code: String,
    name: String,
    description: String,
    extra: String,
    is_local: bool,
    version: String,
}

/// Load a catalog file unless this version is already recorded. Items of the file replace
/// earlier shipped items with the same code; local items stay. Returns whether it loaded.
pub async fn load_file(store: &Store, actor: &Actor, file: &CatalogFile) -> Result<bool, StoreError> {
    let kind = file.kind.code();
    let mut tx = store.pool.begin().await?;
    let known: Option<(String,)> = on_tx!(&mut tx, c => {
        sqlx::query_as("SELECT version FROM catalog_versions WHERE kind = $1 AND version = $2")
            .bind(kind)
            .bind(&file.version)
            .fetch_optional(c)
            .await
    })?;
    if known.is_some() {
        return Ok(false);
    }
    on_tx!(&mut tx, c => {
        sqlx::query("DELETE FROM catalog_entries WHERE kind = $1 AND is_local = $2").bind(kind).bind(false).execute(c).await.map(|r| r.rows_affected())
    })?;
    for (position, item) in file.items.iter().enumerate() {
        upsert(&mut tx, kind, position as i64, item, false, &file.version).await?;
    }
    on_tx!(&mut tx, c => {
        sqlx::query("INSERT INTO catalog_versions (kind, version, source, item_count, loaded_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(kind)
            .bind(&file.version)
            .bind(&file.source)
            .bind(file.items.len() as i64)
            .bind(now_utc())
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    let event = actor.event(actions::CATALOG_LOADED, "catalog", kind).summary(format!("version {}", file.version));
    audit::append(&mut tx, &store.keys, &event).await?;
    tx.commit().await?;
    store.recent.catalog_codes.forget();
    Ok(true)
}

async fn upsert(
    tx: &mut crate::Tx<'_>,
    kind: &str,
    position: i64,
    item: &CatalogItem,
    local: bool,
    version: &str,
) -> Result<(), StoreError> {
    let name = serde_json::to_string(&item.name).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let description = serde_json::to_string(&item.description).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let extra = serde_json::to_string(&item.extra).map_err(|e| StoreError::Invalid(e.to_string()))?;
    on_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO catalog_entries (kind, code, position, name, description, extra, is_local, version)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(kind)
        .bind(&item.code)
        .bind(position)
        .bind(&name)
        .bind(&description)
        .bind(&extra)
        .bind(local)
        .bind(version)
        .execute(c).await.map(|r| r.rows_affected())
    })
    .map_err(|e| conflict_on_unique(e, "catalog code"))?;
    Ok(())
}

/// Add an organisation's own entry (e.g. a local at-risk group).
pub async fn add_local(store: &Store, actor: &Actor, kind: CatalogKind, item: &CatalogItem) -> Result<(), StoreError> {
    let mut tx = store.pool.begin().await?;
    let next: (i64,) = on_tx!(&mut tx, c => {
        sqlx::query_as("SELECT COALESCE(MAX(position), -1) + 1 FROM catalog_entries WHERE kind = $1").bind(kind.code()).fetch_one(c).await
    })?;
    upsert(&mut tx, kind.code(), next.0, item, true, "local").await?;
    let event =
        actor.event(actions::CATALOG_ENTRY_ADDED, "catalog", kind.code()).summary(format!("code {}", item.code));
    audit::append(&mut tx, &store.keys, &event).await?;
    tx.commit().await?;
    store.recent.catalog_codes.forget();
    Ok(())
}

/// The `extra` (JSON) of the entry `code` of catalog `kind`, if there is one. Read on every
/// intake, so kept for a moment like the settings (codes not found are not kept).
pub async fn extra_of(store: &Store, kind: &str, code: &str) -> Result<Option<String>, StoreError> {
    let key = (kind.to_owned(), code.to_owned());
    store
        .recent
        .catalog_codes
        .kept_or_read(key, || async {
            let row: Option<(String,)> = on_pool!(&store.pool, p => {
                sqlx::query_as("SELECT extra FROM catalog_entries WHERE kind = $1 AND code = $2")
                    .bind(kind).bind(code).fetch_optional(p).await
            })?;
            Ok(row.map(|(extra,)| extra))
        })
        .await
}

pub async fn entries(store: &Store, kind: CatalogKind) -> Result<Vec<Entry>, StoreError> {
    let rows: Vec<EntryRow> = on_pool!(&store.pool, p => {
        sqlx::query_as(
            "SELECT code, name, description, extra, is_local, version FROM catalog_entries WHERE kind = $1 ORDER BY position, code",
        )
        .bind(kind.code())
        .fetch_all(p)
        .await
    })?;
    rows.into_iter()
        .map(|r| {
            let parse =
                |t: &str| serde_json::from_str(t).map_err(|e| StoreError::Invalid(format!("catalog {}: {e}", r.code)));
            Ok(Entry {
                name: parse(&r.name)?,
                description: parse(&r.description)?,
                extra: serde_json::from_str(&r.extra).map_err(|e| StoreError::Invalid(e.to_string()))?,
                code: r.code,
                is_local: r.is_local,
                version: r.version,
            })
        })
        .collect()
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VersionRecord {
    pub kind: String,
    pub version: String,
    pub source: String,
    pub item_count: i64,
    pub loaded_at: time::OffsetDateTime,
}

pub async fn versions(store: &Store) -> Result<Vec<VersionRecord>, StoreError> {
    Ok(on_pool!(&store.pool, p => {
        sqlx::query_as("SELECT kind, version, source, item_count, loaded_at FROM catalog_versions ORDER BY kind, loaded_at")
            .fetch_all(p)
            .await
    })?)
}

/// The reference data shipped with this build (the repository's `catalog/` folder).
pub const SHIPPED: [(&str, &str); 13] = [
    ("principles.toml", include_str!("../../../catalog/principles.toml")),
    ("phases.toml", include_str!("../../../catalog/phases.toml")),
    ("sectors.toml", include_str!("../../../catalog/sectors.toml")),
    ("at-risk-groups.toml", include_str!("../../../catalog/at-risk-groups.toml")),
    ("risks.toml", include_str!("../../../catalog/risks.toml")),
    ("action-types.toml", include_str!("../../../catalog/action-types.toml")),
    ("pillars.toml", include_str!("../../../catalog/pillars.toml")),
    ("age-brackets.toml", include_str!("../../../catalog/age-brackets.toml")),
    ("feedback-typology.toml", include_str!("../../../catalog/feedback-typology.toml")),
    ("checklist.toml", include_str!("../../../catalog/checklist.toml")),
    ("pm-indicators.toml", include_str!("../../../catalog/pm-indicators.toml")),
    ("safety-audit-domains.toml", include_str!("../../../catalog/safety-audit-domains.toml")),
    ("safety-audit-items.toml", include_str!("../../../catalog/safety-audit-items.toml")),
];

/// Load every shipped file whose version is not loaded yet.
pub async fn load_shipped(store: &Store, actor: &Actor) -> Result<(), StoreError> {
    for (name, text) in SHIPPED {
        let file = CatalogFile::parse(name, text).map_err(|e| StoreError::Invalid(e.to_string()))?;
        load_file(store, actor, &file).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(name: &str) -> CatalogFile {
        let (_, text) = SHIPPED.iter().find(|(n, _)| *n == name).unwrap();
        CatalogFile::parse(name, text).unwrap()
    }

    #[test]
    fn shipped_files_parse_and_are_fully_translated() {
        for (name, text) in SHIPPED {
            let file = CatalogFile::parse(name, text).unwrap();
            assert_eq!(format!("{}.toml", file.kind.code()), name);
            assert!(!file.items.is_empty(), "{name} is empty");
            for item in &file.items {
                assert!(
                    item.name.missing_languages().is_empty(),
                    "{name}: {} lacks {:?}",
                    item.code,
                    item.name.missing_languages()
                );
            }
        }
    }

    #[test]
    fn counts_match_the_references() {
        assert_eq!(parsed("principles.toml").items.len(), 4);
        assert_eq!(parsed("phases.toml").items.len(), 4);
        assert_eq!(parsed("sectors.toml").items.len(), 15);
        assert_eq!(parsed("risks.toml").items.len(), 15);
        assert_eq!(parsed("action-types.toml").items.len(), 4);
    }
}
