//! The portfolio: every project the caller may see with its principle scores to date, its
//! pending deviations and overdue do-no-harm actions, read in five set queries whatever the
//! number of projects.

use std::collections::HashMap;

use haven_core::authz::Access;
use haven_core::projects::Principle;
use time::Date;
use uuid::Uuid;

use super::{ListFilter, filtered, iso};
use crate::scope::{Arg, bind_scope_args};
use crate::{Store, StoreError};

/// Met and applicable items of one principle.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PrincipleTotal {
    pub met: i64,
    pub applicable: i64,
}

impl PrincipleTotal {
    pub fn percent(&self) -> Option<i64> {
        (self.applicable > 0).then(|| (self.met * 100 + self.applicable / 2) / self.applicable)
    }
}

#[derive(Debug, Clone)]
pub struct PortfolioLine {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub phase: String,
    pub status: String,
    pub sectors: Vec<String>,
    /// In the order of [`Principle::ALL`], over the phases up to the current one (analysis,
    /// design and endorsement count together).
    pub scores: Vec<PrincipleTotal>,
    pub pending_deviations: i64,
    pub overdue_risks: i64,
}

/// A project's met and applicable items per principle, in the order of [`Principle::ALL`].
type ProgressRow = (Uuid, i64, i64, i64, i64, i64, i64, i64, i64);

async fn counts(store: &Store, sql: String, args: &[Arg]) -> Result<HashMap<Uuid, i64>, StoreError> {
    let rows: Vec<(Uuid, i64)> = on_pool!(&store.pool, p => {
        bind_scope_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), args).fetch_all(p).await
    })?;
    Ok(rows.into_iter().collect())
}

/// Every project the caller may see under `filter`, by code. `today` decides what is overdue.
pub async fn portfolio(
    store: &Store,
    access: &Access,
    filter: &ListFilter,
    today: Date,
) -> Result<Vec<PortfolioLine>, StoreError> {
    let mut args = Vec::new();
    let wh = filtered(access, filter, &mut args);
    let sql = format!("SELECT id, code, title, phase, status FROM projects WHERE {wh} ORDER BY code");
    let heads: Vec<(Uuid, String, String, String, String)> = on_pool!(&store.pool, p => {
        bind_scope_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), &args).fetch_all(p).await
    })?;

    let sql = format!(
        "SELECT s.project_id, s.sector FROM project_sectors s JOIN projects ON projects.id = s.project_id WHERE {wh}"
    );
    let rows: Vec<(Uuid, String)> = on_pool!(&store.pool, p => {
        bind_scope_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), &args).fetch_all(p).await
    })?;
    let mut sectors: HashMap<Uuid, Vec<String>> = HashMap::new();
    for (id, sector) in rows {
        sectors.entry(id).or_default().push(sector);
    }

    let sql = format!(
        "SELECT pp.project_id, pp.safety_met, pp.safety_applicable, pp.access_met, pp.access_applicable,
            pp.accountability_met, pp.accountability_applicable, pp.participation_met, pp.participation_applicable
         FROM project_progress pp JOIN projects ON projects.id = pp.project_id WHERE {wh}"
    );
    let rows: Vec<ProgressRow> = on_pool!(&store.pool, p => {
        bind_scope_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), &args).fetch_all(p).await
    })?;
    let mut scores: HashMap<Uuid, Vec<PrincipleTotal>> = rows
        .into_iter()
        .map(|r| {
            let totals = [(r.1, r.2), (r.3, r.4), (r.5, r.6), (r.7, r.8)]
                .into_iter()
                .map(|(met, applicable)| PrincipleTotal { met, applicable })
                .collect();
            (r.0, totals)
        })
        .collect();

    let pending = counts(
        store,
        format!(
            "SELECT d.project_id, COUNT(*) FROM project_deviations d JOIN projects ON projects.id = d.project_id
             WHERE {wh} AND d.state = 'requested' GROUP BY d.project_id"
        ),
        &args,
    )
    .await?;
    let mut risk_args = args.clone();
    risk_args.push(Arg::Text(iso(Some(today)).unwrap_or_default()));
    let overdue = counts(
        store,
        format!(
            "SELECT r.project_id, COUNT(*) FROM dnh_risks r JOIN projects ON projects.id = r.project_id
             WHERE {wh} AND r.status <> 'closed' AND r.due_date < ${} GROUP BY r.project_id",
            risk_args.len()
        ),
        &risk_args,
    )
    .await?;

    Ok(heads
        .into_iter()
        .map(|(id, code, title, phase, status)| PortfolioLine {
            sectors: sectors.remove(&id).unwrap_or_default(),
            scores: scores.remove(&id).unwrap_or_else(|| vec![PrincipleTotal::default(); Principle::ALL.len()]),
            pending_deviations: pending.get(&id).copied().unwrap_or(0),
            overdue_risks: overdue.get(&id).copied().unwrap_or(0),
            id,
            code,
            title,
            phase,
            status,
        })
        .collect())
}
