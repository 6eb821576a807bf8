//! The portfolio: every project the caller may see with its principle scores to date, its
//! pending deviations and overdue do-no-harm actions. The totals are counted by the database
//! and only the lines shown are read, so a page costs little whatever the number of projects.

use haven_core::authz::Access;
use haven_core::projects::Principle;
use time::Date;
use uuid::Uuid;

use super::{ListFilter, filtered, iso};
use crate::scope::{Arg, bind_scope_args};
use crate::{Engine, Store, StoreError};

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

/// One portfolio row as read: the project, its sectors joined by commas, its met and
/// applicable items per principle (in the order of [`Principle::ALL`]), pending deviations
/// and overdue do-no-harm actions.
#[derive(sqlx::FromRow)]
struct PortfolioRow {
    id: Uuid,
    code: String,
    title: String,
    phase: String,
    status: String,
    sectors: Option<String>,
    safety_met: Option<i64>,
    safety_applicable: Option<i64>,
    access_met: Option<i64>,
    access_applicable: Option<i64>,
    accountability_met: Option<i64>,
    accountability_applicable: Option<i64>,
    participation_met: Option<i64>,
    participation_applicable: Option<i64>,
    pending_deviations: i64,
    overdue_risks: i64,
}

impl PortfolioRow {
    fn into_line(self) -> PortfolioLine {
        let total = |met: Option<i64>, applicable: Option<i64>| PrincipleTotal {
            met: met.unwrap_or(0),
            applicable: applicable.unwrap_or(0),
        };
        let scores = vec![
            total(self.safety_met, self.safety_applicable),
            total(self.access_met, self.access_applicable),
            total(self.accountability_met, self.accountability_applicable),
            total(self.participation_met, self.participation_applicable),
        ];
        debug_assert_eq!(scores.len(), Principle::ALL.len());
        let mut sectors: Vec<String> =
            self.sectors.unwrap_or_default().split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect();
        sectors.sort();
        PortfolioLine {
            id: self.id,
            code: self.code,
            title: self.title,
            phase: self.phase,
            status: self.status,
            sectors,
            scores,
            pending_deviations: self.pending_deviations,
            overdue_risks: self.overdue_risks,
        }
    }
}

/// The portfolio's totals over every project the caller may see under `filter`: counted by
/// the database (a handful of grouped rows), so their cost does not follow the number of
/// projects read into memory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PortfolioSummary {
    pub total: i64,
    /// Projects per (status, phase) code.
    pub by_status_phase: Vec<(String, String, i64)>,
    /// Projects per (sector, phase) code.
    pub by_sector_phase: Vec<(String, String, i64)>,
    /// In the order of [`Principle::ALL`]: met and applicable items summed over the projects.
    pub scores: Vec<PrincipleTotal>,
    pub pending_deviations: i64,
    pub overdue_risks: i64,
}

type StatusPhaseRow = (String, String, i64, i64, i64, i64, i64, i64, i64, i64, i64);

/// The totals of [`portfolio`] without reading its lines.
pub async fn portfolio_summary(
    store: &Store,
    access: &Access,
    filter: &ListFilter,
    today: Date,
) -> Result<PortfolioSummary, StoreError> {
    let mut args = Vec::new();
    let wh = filtered(access, filter, &mut args);
    let sum = |c: &str| format!("CAST(COALESCE(SUM(pp.{c}), 0) AS BIGINT)");
    let columns = [
        "safety_met",
        "safety_applicable",
        "access_met",
        "access_applicable",
        "accountability_met",
        "accountability_applicable",
        "participation_met",
        "participation_applicable",
    ]
    .map(sum)
    .join(", ");
    let sql = format!(
        "SELECT projects.status, projects.phase, COUNT(*), {columns}
         FROM projects LEFT JOIN project_progress pp ON pp.project_id = projects.id
         WHERE {wh} GROUP BY projects.status, projects.phase"
    );
    let groups: Vec<StatusPhaseRow> = on_pool!(&store.pool, p => {
        bind_scope_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), &args).fetch_all(p).await
    })?;
    let mut summary =
        PortfolioSummary { scores: vec![PrincipleTotal::default(); Principle::ALL.len()], ..Default::default() };
    for (status, phase, n, sm, sa, am, aa, cm, ca, pm, pa) in groups {
        summary.total += n;
        for (total, (met, applicable)) in summary.scores.iter_mut().zip([(sm, sa), (am, aa), (cm, ca), (pm, pa)]) {
            total.met += met;
            total.applicable += applicable;
        }
        summary.by_status_phase.push((status, phase, n));
    }
    let sql = format!(
        "SELECT ps.sector, projects.phase, COUNT(*) FROM project_sectors ps JOIN projects ON projects.id = ps.project_id
         WHERE {wh} GROUP BY ps.sector, projects.phase"
    );
    summary.by_sector_phase = on_pool!(&store.pool, p => {
        bind_scope_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), &args).fetch_all(p).await
    })?;
    let sql = format!(
        "SELECT COUNT(*) FROM project_deviations d JOIN projects ON projects.id = d.project_id
         WHERE d.state = 'requested' AND {wh}"
    );
    let (pending,): (i64,) = on_pool!(&store.pool, p => {
        bind_scope_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), &args).fetch_one(p).await
    })?;
    args.push(Arg::Text(iso(Some(today)).unwrap_or_default()));
    let sql = format!(
        "SELECT COUNT(*) FROM dnh_risks r JOIN projects ON projects.id = r.project_id
         WHERE r.status <> 'closed' AND r.due_date < ${} AND {wh}",
        args.len()
    );
    let (overdue,): (i64,) = on_pool!(&store.pool, p => {
        bind_scope_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), &args).fetch_one(p).await
    })?;
    summary.pending_deviations = pending;
    summary.overdue_risks = overdue;
    Ok(summary)
}

/// Every project the caller may see under `filter`, by code, in one query: the scores come
/// from `project_progress` (kept with every answer) and the counts from indexed lookups.
/// `today` decides what is overdue.
pub async fn portfolio(
    store: &Store,
    access: &Access,
    filter: &ListFilter,
    today: Date,
) -> Result<Vec<PortfolioLine>, StoreError> {
    portfolio_lines(store, access, filter, today, None).await
}

/// One page of [`portfolio`]: `per_page` lines from the 1-based `page`.
pub async fn portfolio_page(
    store: &Store,
    access: &Access,
    filter: &ListFilter,
    today: Date,
    (page, per_page): (usize, usize),
) -> Result<Vec<PortfolioLine>, StoreError> {
    portfolio_lines(store, access, filter, today, Some((page.max(1), per_page))).await
}

async fn portfolio_lines(
    store: &Store,
    access: &Access,
    filter: &ListFilter,
    today: Date,
    page: Option<(usize, usize)>,
) -> Result<Vec<PortfolioLine>, StoreError> {
    let mut args = Vec::new();
    let wh = filtered(access, filter, &mut args);
    args.push(Arg::Text(iso(Some(today)).unwrap_or_default()));
    let today_arg = args.len();
    let sector_list = match store.pool.engine() {
        Engine::Sqlite => "GROUP_CONCAT(s.sector, ',')",
        Engine::Postgres => "STRING_AGG(s.sector, ',')",
    };
    let limit = page.map(|(page, per)| format!(" LIMIT {per} OFFSET {}", (page - 1) * per)).unwrap_or_default();
    let sql = format!(
        "SELECT projects.id, projects.code, projects.title, projects.phase, projects.status,
            (SELECT {sector_list} FROM project_sectors s WHERE s.project_id = projects.id) AS sectors,
            pp.safety_met, pp.safety_applicable, pp.access_met, pp.access_applicable,
            pp.accountability_met, pp.accountability_applicable, pp.participation_met, pp.participation_applicable,
            (SELECT COUNT(*) FROM project_deviations d WHERE d.project_id = projects.id AND d.state = 'requested') AS pending_deviations,
            (SELECT COUNT(*) FROM dnh_risks r WHERE r.project_id = projects.id AND r.status <> 'closed' AND r.due_date < ${today_arg}) AS overdue_risks
         FROM projects LEFT JOIN project_progress pp ON pp.project_id = projects.id
         WHERE {wh} ORDER BY projects.code{limit}"
    );
    let rows: Vec<PortfolioRow> = on_pool!(&store.pool, p => {
        bind_scope_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), &args).fetch_all(p).await
    })?;
    Ok(rows.into_iter().map(PortfolioRow::into_line).collect())
}
