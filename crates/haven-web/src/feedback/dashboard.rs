//! The feedback dashboard and its API: volumes by breakdown over time and service levels,
//! from the running totals (never a scan of the items). Outside protection and PSEA roles,
//! cells under five are suppressed, with complementary suppression.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Extension, Query, State};
use axum::response::{IntoResponse, Response};
use haven_core::authz::{Access, Role};
use haven_core::disclosure::{THRESHOLD, suppress};
use haven_store::feedback::rollups::{self, Breakdown, Service};
use serde::{Deserialize, Serialize};

use super::sight_of;
use crate::AppState;
use crate::authz::Granted;
use crate::error::{ErrorBody, WebError};
use crate::i18n::Lang;
use crate::identity::Identity;
use crate::pages::Chrome;

/// Whether the caller sees small cells: protection officers and PSEA focal points.
fn sees_small_cells(me: &Identity) -> bool {
    me.principal.has_role(Role::ProtectionOfficer) || me.principal.has_role(Role::PseaFocalPoint)
}

#[derive(Deserialize, utoipa::IntoParams, Default)]
#[serde(default)]
pub struct Period {
    /// First month, YYYY-MM (default: eleven months before `to`).
    pub from: Option<String>,
    /// Last month, YYYY-MM (default: this month).
    pub to: Option<String>,
}

fn valid_month(m: &str) -> bool {
    let b = m.as_bytes();
    b.len() == 7
        && b[4] == b'-'
        && m[..4].parse::<u16>().is_ok()
        && m[5..].parse::<u8>().is_ok_and(|x| (1..=12).contains(&x))
}

impl Period {
    fn bounds(&self) -> Result<(String, String), WebError> {
        let now = haven_store::now_utc();
        let to = match self.to.as_deref().filter(|t| !t.is_empty()) {
            Some(t) if valid_month(t) => t.to_owned(),
            Some(_) => return Err(WebError::Invalid(vec![("to", "invalid-month")])),
            None => rollups::month_of(now),
        };
        let from = match self.from.as_deref().filter(|f| !f.is_empty()) {
            Some(f) if valid_month(f) => f.to_owned(),
            Some(_) => return Err(WebError::Invalid(vec![("from", "invalid-month")])),
            None => {
                let (y, m) = (to[..4].parse::<i32>().unwrap_or(2000), to[5..].parse::<i32>().unwrap_or(1));
                let months = y * 12 + (m - 1) - 11;
                format!("{:04}-{:02}", months.div_euclid(12), months.rem_euclid(12) + 1)
            }
        };
        Ok((from, to))
    }
}

#[derive(Serialize, utoipa::ToSchema, Clone)]
pub struct Cell {
    pub key: String,
    /// Absent when suppressed.
    pub count: Option<u64>,
}

#[derive(Serialize, utoipa::ToSchema, Clone)]
pub struct Breakdowns {
    pub by: String,
    pub from: String,
    pub to: String,
    pub cells: Vec<Cell>,
    /// Absent when showing it would reveal a suppressed cell.
    pub total: Option<u64>,
    /// Whether any cell (or the total) was suppressed.
    pub suppressed: bool,
}

async fn breakdown(
    state: &AppState,
    me: &Identity,
    access: &Access,
    by: Breakdown,
    from: &str,
    to: &str,
) -> Result<Breakdowns, WebError> {
    let rows = rollups::volumes(&state.store, access, sight_of(me).sealed, by, from, to).await?;
    let keys: Vec<String> = rows
        .iter()
        .map(|(k, _)| {
            if by == Breakdown::Location {
                k.trim_end_matches('/').rsplit('/').next().unwrap_or("").to_owned()
            } else {
                k.clone()
            }
        })
        .collect();
    let counts: Vec<u64> = rows.iter().map(|(_, n)| (*n).max(0) as u64).collect();
    let (cells, total) = if sees_small_cells(me) {
        (counts.iter().map(|n| Some(*n)).collect::<Vec<_>>(), Some(counts.iter().sum()))
    } else {
        let shown = suppress(&counts, THRESHOLD);
        (shown.cells, shown.total)
    };
    let suppressed = total.is_none() || cells.iter().any(Option::is_none);
    Ok(Breakdowns {
        by: by.code().to_owned(),
        from: from.to_owned(),
        to: to.to_owned(),
        cells: keys.into_iter().zip(cells).map(|(key, count)| Cell { key, count }).collect(),
        total,
        suppressed,
    })
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct StatsParams {
    /// month, channel, category, location, sex, age_bracket, disability or sector
    pub by: String,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Items received by one breakdown over a period, suppressed outside protection roles.
#[utoipa::path(get, path = "/api/v1/feedback/stats", tag = "feedback", params(StatsParams),
    responses(
        (status = 200, description = "Counts", body = Breakdowns),
        (status = 422, description = "Unknown breakdown or month", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn stats(
    State(state): State<AppState>,
    me: Identity,
    granted: Granted,
    Query(q): Query<StatsParams>,
) -> Result<Json<Breakdowns>, WebError> {
    Ok(Json(counts(&state, &me, &granted.0, &q.by, q.from, q.to).await?))
}

/// Items received by the breakdown named `by` over a period, as the caller may see them.
pub async fn counts(
    state: &AppState,
    me: &Identity,
    access: &Access,
    by: &str,
    from: Option<String>,
    to: Option<String>,
) -> Result<Breakdowns, WebError> {
    let by = Breakdown::from_code(by).ok_or(WebError::Invalid(vec![("by", "unknown-code")]))?;
    let (from, to) = Period { from, to }.bounds()?;
    breakdown(state, me, access, by, &from, &to).await
}

#[derive(Serialize, utoipa::ToSchema, Clone, Copy)]
pub struct ServiceLevels {
    pub received: Option<u64>,
    /// Per cent of items received in the period, acknowledged within target.
    pub acknowledged_in_time_pct: Option<f64>,
    /// Per cent of items received in the period, answered within target.
    pub responded_in_time_pct: Option<f64>,
    /// Per cent of closed items closed with feedback to the person.
    pub closed_with_loop_pct: Option<f64>,
    /// Per cent of closed items where the person was satisfied.
    pub satisfied_pct: Option<f64>,
    pub median_response_hours: Option<i64>,
}

fn pct(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (1000.0 * part as f64 / whole as f64).round() / 10.0)
}

fn service_levels(s: &Service, small_cells: bool) -> ServiceLevels {
    // Percentages of fewer than five items could identify people: withheld outside
    // protection roles.
    let ok = |whole: i64| small_cells || whole >= THRESHOLD as i64;
    ServiceLevels {
        received: ok(s.received).then_some(s.received.max(0) as u64),
        acknowledged_in_time_pct: pct(s.acknowledged_in_time, s.received).filter(|_| ok(s.received)),
        responded_in_time_pct: pct(s.responded_in_time, s.received).filter(|_| ok(s.received)),
        closed_with_loop_pct: pct(s.closed_with_loop, s.closed).filter(|_| ok(s.closed)),
        satisfied_pct: pct(s.satisfied, s.closed).filter(|_| ok(s.closed)),
        median_response_hours: s.median_response_hours.filter(|_| ok(s.responded)),
    }
}

/// Service levels over a period: the M&E indicator feed (% responded within target, %
/// closed with feedback to the person) and the dashboard's figures.
#[utoipa::path(get, path = "/api/v1/feedback/service-levels", tag = "feedback", params(Period),
    responses((status = 200, description = "Figures", body = ServiceLevels)),
    security(("bearer" = [])))]
pub async fn service(
    State(state): State<AppState>,
    me: Identity,
    granted: Granted,
    Query(q): Query<Period>,
) -> Result<Json<ServiceLevels>, WebError> {
    let (from, to) = q.bounds()?;
    let s = rollups::service_summary(&state.store, &granted.0, &from, &to).await?;
    Ok(Json(service_levels(&s, sees_small_cells(&me))))
}

/// One bar of a chart: label, count shown, width in per cent of the largest.
pub struct Bar {
    pub label: String,
    pub count: Option<u64>,
    pub width: f64,
}

pub struct Chart {
    pub title: String,
    pub bars: Vec<Bar>,
    pub total: Option<u64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "feedback_dashboard.html")]
pub struct DashboardPage {
    c: Chrome,
    from: String,
    to: String,
    service: ServiceLevels,
    charts: Vec<Chart>,
    suppressed: bool,
}

fn label(l: Lang, by: Breakdown, key: &str, sectors: &[(String, String)]) -> String {
    if key.is_empty() {
        return l.t("feedback-not-given");
    }
    match by {
        Breakdown::Month | Breakdown::Location => key.to_owned(),
        Breakdown::Channel => l.t(&format!("feedback-channel-{key}")),
        Breakdown::Category if key == "sealed" => l.t("feedback-seal-sealed"),
        Breakdown::Category => key.to_owned(),
        Breakdown::Sex => l.t(&format!("feedback-sex-{key}")),
        Breakdown::AgeBracket => key.to_owned(),
        Breakdown::Disability => l.t(&format!("feedback-disability-{key}")),
        Breakdown::Sector if key == "sealed" => l.t("feedback-seal-sealed"),
        Breakdown::Sector => sectors.iter().find(|(c, _)| c == key).map_or_else(|| key.to_owned(), |(_, n)| n.clone()),
    }
}

pub async fn page(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    granted: Granted,
    Query(q): Query<Period>,
) -> Result<Response, WebError> {
    let (from, to) = q.bounds()?;
    let s = rollups::service_summary(&state.store, &granted.0, &from, &to).await?;
    let sectors = super::links::choices(&state, l, haven_core::catalog::CatalogKind::Sectors).await?;
    let mut charts = Vec::new();
    let mut suppressed = false;
    for by in Breakdown::ALL {
        let b = breakdown(&state, &me, &granted.0, by, &from, &to).await?;
        suppressed |= b.suppressed;
        let max = b.cells.iter().filter_map(|c| c.count).max().unwrap_or(0).max(1) as f64;
        let bars = b
            .cells
            .iter()
            .map(|c| Bar {
                label: label(l, by, &c.key, &sectors),
                count: c.count,
                width: c.count.map(|n| (1000.0 * n as f64 / max).round() / 10.0).unwrap_or(0.0),
            })
            .collect();
        charts.push(Chart { title: l.t(&format!("feedback-by-{}", by.code())), bars, total: b.total });
    }
    let page = DashboardPage {
        c: Chrome::new(l, Some(&me), &state),
        from,
        to,
        service: service_levels(&s, sees_small_cells(&me)),
        charts,
        suppressed,
    };
    Ok(page.into_response())
}
