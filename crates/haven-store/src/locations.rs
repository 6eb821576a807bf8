//! The location tree (countries, admin levels, sites), keyed by P-code.

use std::collections::BTreeMap;

use haven_core::audit::actions;
use haven_core::catalog::Localized;
use haven_core::locations::{ImportedLocation, path_of};

use crate::identity::Actor;
use crate::{Store, StoreError, audit, now_utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LocationRow {
    pub pcode: String,
    pub level: i64,
    pub parent_pcode: Option<String>,
    pub path: String,
    pub name_en: String,
    pub name_fr: Option<String>,
    pub name_ar: Option<String>,
}

impl LocationRow {
    pub fn name(&self, lang: &str) -> &str {
        match lang {
            "fr" => self.name_fr.as_deref().unwrap_or(&self.name_en),
            "ar" => self.name_ar.as_deref().unwrap_or(&self.name_en),
            _ => &self.name_en,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportReport {
    pub added: usize,
    pub updated: usize,
}

/// Insert or update units, parents first. A unit whose parent is neither in the batch nor in
/// the database is refused, naming it, and nothing is written.
pub async fn import(store: &Store, actor: &Actor, units: &[ImportedLocation]) -> Result<ImportReport, StoreError> {
    let existing: BTreeMap<String, String> = all(store).await?.into_iter().map(|l| (l.pcode, l.path)).collect();
    let mut paths: BTreeMap<&str, String> = BTreeMap::new();
    let mut ordered: Vec<&ImportedLocation> = units.iter().collect();
    ordered.sort_by_key(|u| u.level);
    for unit in &ordered {
        let path = match &unit.parent {
            None => path_of(&[&unit.pcode]),
            Some(parent) => {
                let parent_path = paths
                    .get(parent.as_str())
                    .or_else(|| existing.get(parent))
                    .ok_or_else(|| StoreError::Invalid(format!("{}: parent P-code {parent} is unknown", unit.pcode)))?;
                format!("{parent_path}{}/", unit.pcode)
            }
        };
        paths.insert(&unit.pcode, path);
    }
    let now = now_utc();
    let mut report = ImportReport { added: 0, updated: 0 };
    let mut tx = store.pool.begin().await?;
    for unit in ordered {
        let name_en = unit.name.get("en").to_owned();
        let lang = |l: &str| unit.name.0.get(l).cloned();
        let path = paths.get(unit.pcode.as_str()).cloned().unwrap_or_default();
        on_tx!(&mut tx, c => {
            sqlx::query(
                "INSERT INTO locations (pcode, level, parent_pcode, path, name_en, name_fr, name_ar, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT (pcode) DO UPDATE SET level = $2, parent_pcode = $3, path = $4, name_en = $5,
                     name_fr = $6, name_ar = $7, updated_at = $8",
            )
            .bind(&unit.pcode)
            .bind(i64::from(unit.level))
            .bind(&unit.parent)
            .bind(&path)
            .bind(&name_en)
            .bind(lang("fr"))
            .bind(lang("ar"))
            .bind(now)
            .execute(c).await.map(|r| r.rows_affected())
        })?;
        if existing.contains_key(&unit.pcode) { report.updated += 1 } else { report.added += 1 }
    }
    let event = actor
        .event(actions::LOCATIONS_IMPORTED, "locations", "")
        .summary(format!("{} added, {} updated", report.added, report.updated));
    audit::append(&mut tx, &store.keys, &event).await?;
    tx.commit().await?;
    // A unit may have moved under another parent: its path changed.
    store.recent.location_paths.forget();
    Ok(report)
}

pub async fn all(store: &Store) -> Result<Vec<LocationRow>, StoreError> {
    Ok(on_pool!(&store.pool, p => {
        sqlx::query_as("SELECT pcode, level, parent_pcode, path, name_en, name_fr, name_ar FROM locations ORDER BY path")
            .fetch_all(p)
            .await
    })?)
}

pub fn localized_name(row: &LocationRow) -> Localized {
    let mut names = Localized::default();
    names.0.insert("en".into(), row.name_en.clone());
    if let Some(n) = &row.name_fr {
        names.0.insert("fr".into(), n.clone());
    }
    if let Some(n) = &row.name_ar {
        names.0.insert("ar".into(), n.clone());
    }
    names
}
