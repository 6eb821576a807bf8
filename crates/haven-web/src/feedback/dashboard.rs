//! The feedback dashboard and its API: volumes by breakdown over time and service levels,
//! from the running totals (never a scan of the items). Outside protection and PSEA roles,
//! cells under five are suppressed, with complementary suppression.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Extension, Query, State};
use axum::response::{IntoResponse, Response};
use haven_core::authz::{Access, Role};
use haven_core::catalog::CatalogKind;
use haven_core::disclosure::{THRESHOLD, suppress};
use haven_store::feedback::rollups::{self, Breakdown, Service, ServiceBreakdown};
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

/// The typology's feedback type (Question, Report...) of each category code.
async fn feedback_types(state: &AppState) -> Result<HashMap<String, String>, WebError> {
    Ok(haven_store::catalog::entries(&state.store, CatalogKind::FeedbackTypology)
        .await?
        .into_iter()
        .filter_map(|e| {
            let kind = e.extra.get("feedback_type").and_then(|t| t.as_str()).map(str::to_owned)?;
            Some((e.code, kind))
        })
        .collect())
}

/// Items by feedback type, summed from the category table exactly as the caller sees it: a
/// type with a hidden category is hidden, and the total is the category table's, so this
/// table tells nothing the category table does not (no differencing between the two).
/// Sealed items stay "sealed" outside PSEA, as in the category table.
fn by_type(categories: &Breakdowns, types: &HashMap<String, String>) -> Breakdowns {
    let mut sums: BTreeMap<String, Option<u64>> = BTreeMap::new();
    for cell in &categories.cells {
        let kind = match cell.key.as_str() {
            "" | "sealed" => cell.key.clone(),
            code => types.get(code).cloned().unwrap_or_default(),
        };
        let sum = sums.entry(kind).or_insert(Some(0));
        *sum = sum.zip(cell.count).map(|(a, b)| a + b);
    }
    let cells: Vec<Cell> = sums.into_iter().map(|(key, count)| Cell { key, count }).collect();
    Breakdowns {
        by: FEEDBACK_TYPE.to_owned(),
        from: categories.from.clone(),
        to: categories.to.clone(),
        suppressed: categories.total.is_none() || cells.iter().any(|c| c.count.is_none()),
        cells,
        total: categories.total,
    }
}

/// The breakdown by the typology's feedback type, derived from the category counts.
pub const FEEDBACK_TYPE: &str = "feedback_type";

#[derive(Deserialize, utoipa::IntoParams)]
pub struct StatsParams {
    /// month, channel, category, feedback_type, location, sex, age_bracket, disability or sector
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
    let (from, to) = Period { from, to }.bounds()?;
    if by == FEEDBACK_TYPE {
        let categories = breakdown(state, me, access, Breakdown::Category, &from, &to).await?;
        return Ok(by_type(&categories, &feedback_types(state).await?));
    }
    let by = Breakdown::from_code(by).ok_or(WebError::Invalid(vec![("by", "unknown-code")]))?;
    breakdown(state, me, access, by, &from, &to).await
}

#[derive(Deserialize, utoipa::IntoParams, Default)]
#[serde(default)]
pub struct TopParams {
    /// The month, YYYY-MM (default: this month).
    pub month: Option<String>,
    /// How many categories, 1 to 20 (default 5).
    pub limit: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema, Clone)]
pub struct TopIssues {
    pub month: String,
    /// The categories with the most items received in the month, most first. Outside
    /// protection and PSEA roles only cells shown in the category breakdown are ranked:
    /// suppressed ones are left out. Sealed items count as `sealed` outside PSEA.
    pub issues: Vec<Cell>,
    /// Items received in the month; absent when showing it would reveal a suppressed cell.
    pub total: Option<u64>,
    /// Whether any category was suppressed (and so could be missing from the ranking).
    pub suppressed: bool,
}

/// The top categories of a month, from the category breakdown as the caller sees it.
async fn top(
    state: &AppState,
    me: &Identity,
    access: &Access,
    month: &str,
    limit: usize,
) -> Result<TopIssues, WebError> {
    let b = breakdown(state, me, access, Breakdown::Category, month, month).await?;
    let mut issues: Vec<Cell> =
        b.cells.into_iter().filter(|c| !c.key.is_empty() && c.count.is_some_and(|n| n > 0)).collect();
    issues.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    issues.truncate(limit);
    Ok(TopIssues { month: month.to_owned(), issues, total: b.total, suppressed: b.suppressed })
}

/// Top issues: the categories with the most feedback in a month.
#[utoipa::path(get, path = "/api/v1/feedback/top-issues", tag = "feedback", params(TopParams),
    responses(
        (status = 200, description = "The ranking", body = TopIssues),
        (status = 422, description = "Bad month or limit", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn top_issues(
    State(state): State<AppState>,
    me: Identity,
    granted: Granted,
    Query(q): Query<TopParams>,
) -> Result<Json<TopIssues>, WebError> {
    let month = match q.month.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) if valid_month(m) => m.to_owned(),
        Some(_) => return Err(WebError::Invalid(vec![("month", "invalid-month")])),
        None => rollups::month_of(haven_store::now_utc()),
    };
    let limit = match q.limit.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        None => 5,
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|l| (1..=20).contains(l))
            .ok_or(WebError::Invalid(vec![("limit", "invalid")]))?,
    };
    Ok(Json(top(&state, &me, &granted.0, &month, limit).await?))
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

#[derive(Deserialize, utoipa::IntoParams, Default)]
#[serde(default)]
pub struct ServiceParams {
    /// First month, YYYY-MM (default: eleven months before `to`).
    pub from: Option<String>,
    /// Last month, YYYY-MM (default: this month).
    pub to: Option<String>,
    /// Also give the figures per month (`month`: every month of the period, a series), per
    /// place (`location`), or per group of people (`sex`, `age_bracket`, `disability`).
    pub by: Option<String>,
}

/// One cell of a service-level breakdown.
#[derive(Serialize, utoipa::ToSchema, Clone)]
pub struct ServiceCell {
    /// The month (YYYY-MM), the location code, or the group's code ('' when not given).
    pub key: String,
    #[serde(flatten)]
    pub levels: ServiceLevels,
}

/// Service levels of a period, and with `by` the same figures per month, place or group.
#[derive(Serialize, utoipa::ToSchema, Clone)]
pub struct ServiceTable {
    #[serde(flatten)]
    pub overall: ServiceLevels,
    pub from: String,
    pub to: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// With `by`. Outside protection and PSEA roles, a cell whose items received (or closed)
    /// are under five is withheld, with complementary suppression across the cells.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cells: Option<Vec<ServiceCell>>,
    /// Whether any figure of the cells was withheld.
    pub suppressed: bool,
}

/// Every month of `from..=to` (YYYY-MM), when there are at most 20 years of them.
fn months_between(from: &str, to: &str) -> Vec<String> {
    let index = |m: &str| m[..4].parse::<i32>().unwrap_or(0) * 12 + m[5..].parse::<i32>().unwrap_or(1) - 1;
    let (a, b) = (index(from), index(to));
    if b < a || b - a >= 240 {
        return Vec::new();
    }
    (a..=b).map(|i| format!("{:04}-{:02}", i.div_euclid(12), i.rem_euclid(12) + 1)).collect()
}

/// The cells of a service breakdown as the caller may see them: outside protection and PSEA
/// roles the cells are suppressed like any table of counts, on the items received (which
/// hides the whole cell), on the items closed (the closing figures) and on those answered
/// (the median), each with complementary suppression, on top of the rule for single figures.
fn service_cells(rows: &[(String, Service)], small_cells: bool) -> (Vec<ServiceLevels>, bool) {
    let mut cells: Vec<ServiceLevels> = rows.iter().map(|(_, s)| service_levels(s, small_cells)).collect();
    if small_cells {
        return (cells, false);
    }
    let shown = |f: fn(&Service) -> i64| {
        let counts: Vec<u64> = rows.iter().map(|(_, s)| f(s).max(0) as u64).collect();
        suppress(&counts, THRESHOLD).cells
    };
    let received = shown(|s: &Service| s.received);
    let closed = shown(|s: &Service| s.closed);
    let responded = shown(|s: &Service| s.responded);
    let mut suppressed = false;
    for (i, lv) in cells.iter_mut().enumerate() {
        if received[i].is_none() {
            *lv = ServiceLevels {
                received: None,
                acknowledged_in_time_pct: None,
                responded_in_time_pct: None,
                closed_with_loop_pct: None,
                satisfied_pct: None,
                median_response_hours: None,
            };
            suppressed = true;
        }
        if closed[i].is_none() {
            (lv.closed_with_loop_pct, lv.satisfied_pct) = (None, None);
            suppressed = true;
        }
        if responded[i].is_none() {
            lv.median_response_hours = None;
            suppressed = true;
        }
    }
    (cells, suppressed)
}

/// Service levels over a period: the M&E indicator feed (% acknowledged and % responded
/// within target, % closed with feedback to the person) and the dashboard's figures; with
/// `by`, per month (a series), per place or per group of people.
#[utoipa::path(get, path = "/api/v1/feedback/service-levels", tag = "feedback", params(ServiceParams),
    responses(
        (status = 200, description = "Figures", body = ServiceTable),
        (status = 422, description = "Unknown breakdown or month", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn service(
    State(state): State<AppState>,
    me: Identity,
    granted: Granted,
    Query(q): Query<ServiceParams>,
) -> Result<Json<ServiceTable>, WebError> {
    let by = match q.by.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
        None => None,
        Some(b) => Some(ServiceBreakdown::from_code(b).ok_or(WebError::Invalid(vec![("by", "unknown-code")]))?),
    };
    let (from, to) = Period { from: q.from, to: q.to }.bounds()?;
    let small_cells = sees_small_cells(&me);
    let s = rollups::service_summary(&state.store, &granted.0, &from, &to).await?;
    let mut table = ServiceTable {
        overall: service_levels(&s, small_cells),
        from: from.clone(),
        to: to.clone(),
        by: by.map(|b| b.code().to_owned()),
        cells: None,
        suppressed: false,
    };
    let Some(by) = by else { return Ok(Json(table)) };
    let mut rows = rollups::service_by_key(&state.store, &granted.0, by, &from, &to).await?;
    match by {
        // A series has every month of the period, those without items too.
        ServiceBreakdown::Month => {
            let mut all: Vec<(String, Service)> =
                months_between(&from, &to).into_iter().map(|m| (m, Service::default())).collect();
            for (month, s) in rows {
                match all.iter_mut().find(|(m, _)| *m == month) {
                    Some(slot) => slot.1 = s,
                    None => all.push((month, s)),
                }
            }
            rows = all;
        }
        ServiceBreakdown::Location => {
            for (key, _) in rows.iter_mut() {
                *key = key.trim_end_matches('/').rsplit('/').next().unwrap_or("").to_owned();
            }
        }
        _ => {}
    }
    let (cells, suppressed) = service_cells(&rows, small_cells);
    table.suppressed = suppressed;
    table.cells = Some(rows.into_iter().zip(cells).map(|((key, _), levels)| ServiceCell { key, levels }).collect());
    Ok(Json(table))
}

/// One bar of a chart: label, count shown, width in per cent of the largest.
pub struct Bar {
    pub label: String,
    pub count: Option<u64>,
    pub width: f64,
}

pub struct Chart {
    /// The section's id: `chart-` and the breakdown (`chart-top-issues` for the ranking).
    pub id: String,
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

/// A chart's bars: widths in per cent of the largest shown count.
fn chart_bars(cells: &[Cell], label: impl Fn(&str) -> String) -> Vec<Bar> {
    let max = cells.iter().filter_map(|c| c.count).max().unwrap_or(0).max(1) as f64;
    cells
        .iter()
        .map(|c| Bar {
            label: label(&c.key),
            count: c.count,
            width: c.count.map(|n| (1000.0 * n as f64 / max).round() / 10.0).unwrap_or(0.0),
        })
        .collect()
}

/// A feedback type's name: `Request_or_suggestion` is `feedback-type-request-or-suggestion`;
/// a type the translations do not know (a local category's) is shown as written.
fn type_label(l: Lang, key: &str) -> String {
    match key {
        "" => l.t("feedback-not-given"),
        "sealed" => l.t("feedback-seal-sealed"),
        kind => {
            let msg = format!("feedback-type-{}", kind.to_ascii_lowercase().replace('_', "-"));
            let text = l.t(&msg);
            if text == msg { kind.replace('_', " ") } else { text }
        }
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
    let sectors = super::links::choices(&state, l, CatalogKind::Sectors).await?;
    let categories = super::links::choices(&state, l, CatalogKind::FeedbackTypology).await?;
    let category_name = |key: &str| {
        if key == "sealed" {
            return l.t("feedback-seal-sealed");
        }
        categories.iter().find(|(c, _)| c == key).map_or_else(|| key.to_owned(), |(_, n)| n.clone())
    };
    let mut charts = Vec::new();
    // Top issues of the current month, whatever period the other charts cover.
    let month = rollups::month_of(haven_store::now_utc());
    let t = top(&state, &me, &granted.0, &month, 5).await?;
    let mut suppressed = t.suppressed;
    let bars = chart_bars(&t.issues, category_name);
    charts.push(Chart {
        id: "chart-top-issues".into(),
        title: l.t1("feedback-top-issues", "month", &month),
        bars,
        total: t.total,
    });
    for by in Breakdown::ALL {
        let b = breakdown(&state, &me, &granted.0, by, &from, &to).await?;
        suppressed |= b.suppressed;
        let bars = chart_bars(&b.cells, |key| label(l, by, key, &sectors));
        let (id, title) = (format!("chart-{}", by.code()), l.t(&format!("feedback-by-{}", by.code())));
        charts.push(Chart { id, title, bars, total: b.total });
        if by == Breakdown::Category {
            let types = by_type(&b, &feedback_types(&state).await?);
            let bars = chart_bars(&types.cells, |key| type_label(l, key));
            let (id, title) = (format!("chart-{FEEDBACK_TYPE}"), l.t("feedback-by-feedback-type"));
            charts.push(Chart { id, title, bars, total: types.total });
        }
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
