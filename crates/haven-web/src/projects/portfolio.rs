//! The portfolio: projects by sector × phase × endorsement status with their principle scores,
//! pending deviations and overdue do-no-harm actions; filterable, as a page with SVG charts, as
//! JSON, and as HXL CSV or XLSX.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Extension, Query, State};
use axum::response::{IntoResponse, Response};
use haven_core::catalog::CatalogKind;
use haven_core::projects::{CyclePhase, Principle, ProjectStatus};
use haven_store::projects::{self as store, PortfolioLine, PortfolioSummary, PrincipleTotal};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::api::{ListParams, list_filter};
use crate::AppState;
use crate::authz::Granted;
use crate::error::{ErrorBody, WebError};
use crate::i18n::Lang;
use crate::identity::Identity;
use crate::pages::Chrome;

/// Lines shown per page of the portfolio table (the totals cover every line).
const PER_PAGE: usize = 100;

async fn lines(
    state: &AppState,
    access: &haven_core::authz::Access,
    params: &ListParams,
) -> Result<Vec<PortfolioLine>, WebError> {
    let today = haven_store::now_utc().date();
    Ok(store::portfolio(&state.store, access, &list_filter(params)?, today).await?)
}

/// The totals over every line under the filters, and the lines of one page.
async fn summary_and_page(
    state: &AppState,
    access: &haven_core::authz::Access,
    params: &PortfolioParams,
) -> Result<(PortfolioSummary, Vec<PortfolioLine>), WebError> {
    let today = haven_store::now_utc().date();
    let filter = list_filter(&params.list())?;
    let summary = store::portfolio_summary(&state.store, access, &filter, today).await?;
    let page = store::portfolio_page(&state.store, access, &filter, today, (params.page(), PER_PAGE)).await?;
    Ok((summary, page))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PortfolioItem {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub sectors: Vec<String>,
    pub phase: String,
    pub status: String,
    /// Per principle (safety-dignity-do-no-harm, meaningful-access, accountability,
    /// participation-empowerment): whole percent of applicable items met up to the current phase.
    pub scores: Vec<Option<i64>>,
    pub pending_deviations: i64,
    pub overdue_risks: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PortfolioBody {
    pub total: usize,
    /// Projects per status (draft, endorsed, reopened, closed).
    pub by_status: Vec<(String, usize)>,
    /// The portfolio's score per principle, in the order of `principles`.
    pub principles: Vec<String>,
    pub averages: Vec<Option<i64>>,
    pub pending_deviations: i64,
    pub overdue_risks: i64,
    pub page: usize,
    pub items: Vec<PortfolioItem>,
}

fn item(l: &PortfolioLine) -> PortfolioItem {
    PortfolioItem {
        id: l.id,
        code: l.code.clone(),
        title: l.title.clone(),
        sectors: l.sectors.clone(),
        phase: l.phase.clone(),
        status: l.status.clone(),
        scores: l.scores.iter().map(PrincipleTotal::percent).collect(),
        pending_deviations: l.pending_deviations,
        overdue_risks: l.overdue_risks,
    }
}

fn by_status(summary: &PortfolioSummary) -> Vec<(String, usize)> {
    ProjectStatus::ALL
        .iter()
        .map(|s| {
            let n: i64 = summary.by_status_phase.iter().filter(|(status, _, _)| status == s.code()).map(|x| x.2).sum();
            (s.code().to_owned(), usize::try_from(n).unwrap_or(0))
        })
        .collect()
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
pub struct PortfolioParams {
    pub sector: Option<String>,
    pub phase: Option<String>,
    pub status: Option<String>,
    pub q: Option<String>,
    /// 1-based page of the item list (100 a page).
    pub page: Option<usize>,
    /// For the export: hxl-csv or xlsx.
    pub format: Option<String>,
}

impl PortfolioParams {
    fn list(&self) -> ListParams {
        ListParams {
            sector: self.sector.clone(),
            phase: self.phase.clone(),
            status: self.status.clone(),
            q: self.q.clone(),
            ..ListParams::default()
        }
    }
    fn page(&self) -> usize {
        self.page.unwrap_or(1).max(1)
    }
}

/// The portfolio: totals over every project the caller may see under the filters, and one
/// page of the projects.
#[utoipa::path(get, path = "/api/v1/projects/portfolio", tag = "projects", params(PortfolioParams),
    responses((status = 200, description = "The portfolio", body = PortfolioBody), (status = 400, description = "Bad filter", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn api(
    State(state): State<AppState>,
    Granted(access): Granted,
    Query(params): Query<PortfolioParams>,
) -> Result<Json<PortfolioBody>, WebError> {
    let (summary, lines) = summary_and_page(&state, &access, &params).await?;
    Ok(Json(PortfolioBody {
        total: usize::try_from(summary.total).unwrap_or(0),
        by_status: by_status(&summary),
        principles: Principle::ALL.iter().map(|p| p.code().to_owned()).collect(),
        averages: summary.scores.iter().map(PrincipleTotal::percent).collect(),
        pending_deviations: summary.pending_deviations,
        overdue_risks: summary.overdue_risks,
        page: params.page(),
        items: lines.iter().map(item).collect(),
    }))
}

/// Every project of the portfolio under the filters as HXL CSV or XLSX.
#[utoipa::path(get, path = "/api/v1/projects/portfolio/export", tag = "projects", params(PortfolioParams),
    responses((status = 200, description = "The file", content_type = "text/csv"), (status = 422, description = "Unknown format", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn export(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    Granted(access): Granted,
    Query(params): Query<PortfolioParams>,
) -> Result<Response, WebError> {
    let format = params.format.clone().unwrap_or_default();
    if !matches!(format.as_str(), "hxl-csv" | "xlsx") {
        return Err(WebError::Invalid(vec![("format", "unknown-code")]));
    }
    let lines = lines(&state, &access, &params.list()).await?;
    let principles = state_principles(&state, l).await?;
    let mut headers: Vec<String> =
        ["project-code", "project-title", "project-sectors", "project-phase", "project-status"]
            .iter()
            .map(|k| l.t(k))
            .collect();
    headers.extend(principles.iter().map(|(_, name)| name.clone()));
    headers.extend([l.t("portfolio-pending-deviations"), l.t("portfolio-overdue-risks")]);
    let mut tags: Vec<String> = ["#activity+code", "#activity+name", "#sector+code", "#x_phase", "#status"]
        .iter()
        .map(|t| (*t).to_owned())
        .collect();
    tags.extend(principles.iter().map(|(code, _)| format!("#x_score+pct+{}", code.replace('-', "_"))));
    tags.extend(["#x_deviations+pending".to_owned(), "#x_risks+overdue".to_owned()]);
    let rows = lines
        .iter()
        .map(|x| {
            let mut row = vec![x.code.clone(), x.title.clone(), x.sectors.join(" "), x.phase.clone(), x.status.clone()];
            row.extend(x.scores.iter().map(|s| s.percent().map(|p| p.to_string()).unwrap_or_default()));
            row.extend([x.pending_deviations.to_string(), x.overdue_risks.to_string()]);
            row
        })
        .collect();
    crate::feedback::export::table_file(l, "portfolio", &format, &headers, &tags, rows)
}

async fn state_principles(state: &AppState, l: Lang) -> Result<Vec<(String, String)>, WebError> {
    let names = haven_store::catalog::entries(&state.store, CatalogKind::Principles).await?;
    Ok(Principle::ALL
        .iter()
        .map(|p| {
            let name = names.iter().find(|e| e.code == p.code()).map(|e| e.name.get(l.code()).to_owned());
            (p.code().to_owned(), name.unwrap_or_else(|| p.code().to_owned()))
        })
        .collect())
}

pub struct LineView {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub sectors: String,
    pub phase: String,
    pub status: String,
    pub status_label: String,
    pub scores: Vec<Option<i64>>,
    pub pending: i64,
    pub overdue: i64,
}

pub struct Bar {
    pub label: String,
    pub percent: Option<i64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "projects_portfolio.html")]
pub struct PortfolioPage {
    c: Chrome,
    filter_action: &'static str,
    total: usize,
    query: String,
    q: String,
    sector: String,
    phase: String,
    status: String,
    sectors: super::pages::Choices,
    phases: super::pages::Choices,
    statuses: super::pages::Choices,
    by_status: Vec<(String, usize)>,
    phase_labels: Vec<String>,
    matrix: Vec<(String, Vec<usize>)>,
    bars: Vec<Bar>,
    principle_names: Vec<String>,
    pending: i64,
    overdue: i64,
    lines: Vec<LineView>,
    page: usize,
    pages: usize,
}

pub async fn page(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
    Query(params): Query<PortfolioParams>,
) -> Result<Response, WebError> {
    let (summary, shown) = summary_and_page(&state, &access, &params).await?;
    let sectors = super::pages::catalog_choices(&state, l, CatalogKind::Sectors).await?;
    let principles = state_principles(&state, l).await?;
    let matrix = sectors
        .iter()
        .map(|(code, name)| {
            let counts = CyclePhase::ALL
                .iter()
                .map(|ph| {
                    let n = summary.by_sector_phase.iter().find(|(s, p, _)| s == code && p == ph.code()).map(|x| x.2);
                    usize::try_from(n.unwrap_or(0)).unwrap_or(0)
                })
                .collect::<Vec<_>>();
            (name.clone(), counts)
        })
        .filter(|(_, counts)| counts.iter().any(|n| *n > 0))
        .collect();
    let bars = summary
        .scores
        .iter()
        .zip(&principles)
        .map(|(t, (_, name))| Bar { label: name.clone(), percent: t.percent() })
        .collect();
    let name_of =
        |code: &str| sectors.iter().find(|(c, _)| c == code).map(|(_, n)| n.clone()).unwrap_or(code.to_owned());
    let page = params.page();
    let lines = shown
        .iter()
        .map(|x| LineView {
            id: x.id,
            code: x.code.clone(),
            title: x.title.clone(),
            sectors: x.sectors.iter().map(|s| name_of(s)).collect::<Vec<_>>().join(", "),
            phase: l.t(&format!("project-phase-{}", x.phase)),
            status_label: l.t(&format!("project-status-{}", x.status)),
            status: x.status.clone(),
            scores: x.scores.iter().map(PrincipleTotal::percent).collect(),
            pending: x.pending_deviations,
            overdue: x.overdue_risks,
        })
        .collect();
    let query = serde_urlencoded_query(&params);
    let page = PortfolioPage {
        c: Chrome::new(l, Some(&me), &state),
        filter_action: "/projects/portfolio",
        total: usize::try_from(summary.total).unwrap_or(0),
        by_status: by_status(&summary).into_iter().map(|(s, n)| (l.t(&format!("project-status-{s}")), n)).collect(),
        phase_labels: CyclePhase::ALL.iter().map(|p| l.t(&format!("project-phase-{}", p.code()))).collect(),
        matrix,
        bars,
        principle_names: principles.into_iter().map(|(_, n)| n).collect(),
        pending: summary.pending_deviations,
        overdue: summary.overdue_risks,
        lines,
        page,
        pages: usize::try_from(summary.total).unwrap_or(0).div_ceil(PER_PAGE).max(1),
        query,
        q: params.q.clone().unwrap_or_default(),
        sector: params.sector.clone().unwrap_or_default(),
        phase: params.phase.clone().unwrap_or_default(),
        status: params.status.clone().unwrap_or_default(),
        sectors,
        phases: super::pages::coded_choices(l, "project-phase", CyclePhase::ALL, CyclePhase::code),
        statuses: super::pages::coded_choices(l, "project-status", ProjectStatus::ALL, ProjectStatus::code),
    };
    Ok(page.into_response())
}

/// The filters as a query string, for the export and page links.
fn serde_urlencoded_query(p: &PortfolioParams) -> String {
    let pairs = [("q", &p.q), ("sector", &p.sector), ("phase", &p.phase), ("status", &p.status)];
    pairs
        .iter()
        .filter_map(|(k, v)| v.as_deref().filter(|v| !v.is_empty()).map(|v| format!("{k}={}", encode(v))))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }
        })
        .collect()
}
