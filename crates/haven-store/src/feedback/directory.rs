//! The service directory: services of organisations and the places they cover. Not personal
//! data: every role that refers people may read it; changes are audited.

use haven_core::audit::actions;
use haven_core::feedback::{Service, ServiceType, serves};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::identity::Actor;
use crate::{Store, StoreError, Tx, audit, now_utc};

#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    #[error("location {0} is not in the location tree")]
    UnknownLocation(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for DirectoryError {
    fn from(e: sqlx::Error) -> Self {
        DirectoryError::Store(StoreError::Database(e))
    }
}

/// A service as stored, with the places it covers (P-code and path).
#[derive(Debug, Clone)]
pub struct ServiceRow {
    pub id: Uuid,
    pub organisation: String,
    pub name: String,
    pub service_type: String,
    pub description: String,
    pub contact: String,
    pub opening_hours: String,
    pub languages: Vec<String>,
    pub referral_criteria: String,
    pub accepts_referrals: bool,
    pub active: bool,
    pub updated_by: String,
    pub updated_at: OffsetDateTime,
    pub locations: Vec<(String, String)>,
}

impl ServiceRow {
    pub fn service_type(&self) -> Option<ServiceType> {
        ServiceType::from_code(&self.service_type)
    }

    /// Whether it covers the place at `path` (a region covers its children).
    pub fn serves(&self, path: &str) -> bool {
        serves(&self.locations.iter().map(|(_, p)| p.as_str()).collect::<Vec<_>>(), path)
    }

    /// How referrals name it in an item's history.
    pub fn label(&self) -> String {
        format!("{} — {}", self.organisation, self.name)
    }
}

type Row = (Uuid, String, String, String, String, String, String, String, String, bool, bool, String, OffsetDateTime);

const COLUMNS: &str = "id, organisation, name, service_type, description, contact, opening_hours, languages,
    referral_criteria, accepts_referrals, active, updated_by, updated_at";

/// Which services a look-up shows.
#[derive(Debug, Clone, Default)]
pub struct ServiceFilter {
    /// Services covering this place (a P-code); every place when absent.
    pub location: Option<String>,
    pub service_type: Option<ServiceType>,
    /// Inactive services too (for those who maintain the directory).
    pub include_inactive: bool,
}

async fn location_paths(store: &Store, pcodes: &[String]) -> Result<Vec<(String, String)>, DirectoryError> {
    let mut out = Vec::with_capacity(pcodes.len());
    for pcode in pcodes {
        let path =
            super::location_path(store, pcode).await?.ok_or_else(|| DirectoryError::UnknownLocation(pcode.clone()))?;
        out.push((pcode.clone(), path));
    }
    Ok(out)
}

async fn write_locations(tx: &mut Tx<'_>, id: Uuid, places: &[(String, String)]) -> Result<(), StoreError> {
    on_tx!(tx, c => sqlx::query("DELETE FROM service_locations WHERE service_id = $1").bind(id).execute(c).await.map(|_| ()))?;
    for (pcode, path) in places {
        on_tx!(tx, c => {
            sqlx::query("INSERT INTO service_locations (service_id, pcode, path) VALUES ($1, $2, $3)")
                .bind(id).bind(pcode).bind(path).execute(c).await.map(|_| ())
        })?;
    }
    Ok(())
}

/// Insert (`id` new) or replace a service and its places, with its audit entry.
async fn save_in(
    tx: &mut Tx<'_>,
    store: &Store,
    actor: &Actor,
    id: Uuid,
    s: &Service,
    places: &[(String, String)],
) -> Result<(), StoreError> {
    on_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO services (id, organisation, name, service_type, description, contact, opening_hours, languages,
                referral_criteria, accepts_referrals, active, updated_by, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
             ON CONFLICT (id) DO UPDATE SET organisation = $2, name = $3, service_type = $4, description = $5,
                contact = $6, opening_hours = $7, languages = $8, referral_criteria = $9, accepts_referrals = $10,
                active = $11, updated_by = $12, updated_at = $13",
        )
        .bind(id)
        .bind(&s.organisation)
        .bind(&s.name)
        .bind(s.service_type.code())
        .bind(&s.description)
        .bind(&s.contact)
        .bind(&s.opening_hours)
        .bind(s.languages.join(","))
        .bind(&s.referral_criteria)
        .bind(s.accepts_referrals)
        .bind(s.active)
        .bind(&actor.name)
        .bind(now_utc())
        .execute(c).await.map(|_| ())
    })?;
    write_locations(tx, id, places).await?;
    let summary = format!("{} ({}){}", s.service_type.code(), places.len(), if s.active { "" } else { ", inactive" });
    audit::append(tx, &store.keys, &actor.event(actions::SERVICE_SAVED, "service", id.to_string()).summary(summary))
        .await
        .map(|_| ())
}

/// Add a service; returns its id.
pub async fn create(store: &Store, actor: &Actor, s: &Service) -> Result<Uuid, DirectoryError> {
    let places = location_paths(store, &s.locations).await?;
    let id = Uuid::now_v7();
    let mut tx = store.pool.begin().await?;
    save_in(&mut tx, store, actor, id, s, &places).await?;
    tx.commit().await?;
    Ok(id)
}

/// Replace a service's details and places.
pub async fn update(store: &Store, actor: &Actor, id: Uuid, s: &Service) -> Result<(), DirectoryError> {
    get(store, id).await?;
    let places = location_paths(store, &s.locations).await?;
    let mut tx = store.pool.begin().await?;
    save_in(&mut tx, store, actor, id, s, &places).await?;
    tx.commit().await?;
    Ok(())
}

/// Add many services in one transaction: all or none (imports).
pub async fn create_all(store: &Store, actor: &Actor, services: &[Service]) -> Result<usize, DirectoryError> {
    let mut prepared = Vec::with_capacity(services.len());
    for s in services {
        prepared.push((s, location_paths(store, &s.locations).await?));
    }
    let mut tx = store.pool.begin().await?;
    for (s, places) in &prepared {
        save_in(&mut tx, store, actor, Uuid::now_v7(), s, places).await?;
    }
    let event =
        actor.event(actions::SERVICES_IMPORTED, "service", "import").summary(format!("{} services", services.len()));
    audit::append(&mut tx, &store.keys, &event).await?;
    tx.commit().await?;
    Ok(services.len())
}

fn to_row(r: Row, locations: Vec<(String, String)>) -> ServiceRow {
    ServiceRow {
        id: r.0,
        organisation: r.1,
        name: r.2,
        service_type: r.3,
        description: r.4,
        contact: r.5,
        opening_hours: r.6,
        languages: r.7.split(',').filter(|l| !l.is_empty()).map(str::to_owned).collect(),
        referral_criteria: r.8,
        accepts_referrals: r.9,
        active: r.10,
        updated_by: r.11,
        updated_at: r.12,
        locations,
    }
}

pub async fn get(store: &Store, id: Uuid) -> Result<ServiceRow, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM services WHERE id = $1");
    let row: Option<Row> =
        on_pool!(&store.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?;
    let row = row.ok_or(StoreError::NotFound)?;
    let places: Vec<(String, String)> = on_pool!(&store.pool, p => {
        sqlx::query_as("SELECT pcode, path FROM service_locations WHERE service_id = $1 ORDER BY path")
            .bind(id).fetch_all(p).await
    })?;
    Ok(to_row(row, places))
}

/// Services matching the filter, by organisation and name. The directory is small (a few
/// hundred services), so the place filter runs here, on the materialized paths.
pub async fn list(store: &Store, filter: &ServiceFilter) -> Result<Vec<ServiceRow>, DirectoryError> {
    let path = match &filter.location {
        None => None,
        Some(pcode) => Some(location_paths(store, std::slice::from_ref(pcode)).await?.remove(0).1),
    };
    let sql = format!("SELECT {COLUMNS} FROM services ORDER BY organisation, name, id");
    let rows: Vec<Row> = on_pool!(&store.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?;
    let places: Vec<(Uuid, String, String)> = on_pool!(&store.pool, p => {
        sqlx::query_as("SELECT service_id, pcode, path FROM service_locations ORDER BY path").fetch_all(p).await
    })?;
    let mut out = Vec::new();
    for r in rows {
        let mine = places.iter().filter(|(s, _, _)| *s == r.0).map(|(_, c, p)| (c.clone(), p.clone())).collect();
        let s = to_row(r, mine);
        let keep = (filter.include_inactive || s.active)
            && filter.service_type.is_none_or(|t| s.service_type() == Some(t))
            && path.as_deref().is_none_or(|p| s.serves(p));
        if keep {
            out.push(s);
        }
    }
    Ok(out)
}
