//! Protection mainstreaming indicators: a project's plan and values, its dashboard, and the
//! portfolio, as pages and as the JSON API. Disaggregated counts of 1 to 4 people are hidden
//! (with a complementary cell) from callers without `indicators-small-cells`; when they are
//! shown to someone who holds it, the read is audited.

pub mod api;
pub mod pages;

use haven_core::audit::actions;
use haven_core::authz::{Access, Permission, decide};
use haven_core::indicators::{
    Definition, Dimension, Keys, Period, PeriodKind, RawPlan, RawValue, Shown, TableRow, is_small, protect,
};
use haven_core::projects::PopulationGroup;
use haven_store::indicators::{self as store, Entered, PeriodFigure, Plan};
use haven_store::projects::Project;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::AppState;
use crate::audits::{invalid, today};
use crate::error::WebError;
use crate::identity::Identity;

/// Whether small cells are hidden from this caller.
pub fn hides_small_cells(me: &Identity) -> bool {
    decide(&me.principal, Permission::IndicatorsSmallCells).is_err()
}

/// One dimension's table of a period: the total and a row per key.
#[derive(Debug, Clone)]
pub struct DimTable {
    pub dimension: Dimension,
    pub total: TableRow,
    pub rows: Vec<TableRow>,
}

/// A period's figure as the caller may see it.
#[derive(Debug, Clone)]
pub struct ShownFigure {
    pub figure: PeriodFigure,
    pub total: TableRow,
    pub tables: Vec<DimTable>,
    /// Whether a count under 5 was shown (the caller may see small cells).
    pub showed_small: bool,
}

impl ShownFigure {
    /// The value, unless the total is hidden.
    pub fn value(&self) -> Option<f64> {
        if self.total.numerator == Shown::Small { None } else { self.figure.value }
    }
}

/// Protect a period's figure for the caller: small cells hidden when `suppress` and the
/// indicator counts people.
pub fn shown(def: &Definition, figure: PeriodFigure, suppress: bool) -> ShownFigure {
    let suppress = suppress && def.counts_people();
    let total_pair = (figure.numerator.unwrap_or(0), figure.denominator);
    let (total, _) = protect(total_pair, &[], suppress);
    let mut tables = Vec::new();
    let mut showed_small = !suppress && (is_small(total_pair.0) || total_pair.1.is_some_and(is_small));
    for dimension in Dimension::ALL.iter().copied().filter(|d| def.allows(*d)) {
        let cells: Vec<(String, i64, Option<i64>)> = figure
            .cells
            .iter()
            .filter(|c| c.dimension == dimension.code())
            .map(|c| (c.key.clone(), c.numerator, c.denominator))
            .collect();
        if cells.is_empty() {
            continue;
        }
        // A dimension whose cells have no denominators (places reached) is a table of counts.
        let denominator = if cells.iter().all(|c| c.2.is_some()) { total_pair.1 } else { None };
        let cells: Vec<_> = cells.into_iter().map(|(k, n, d)| (k, n, d.filter(|_| denominator.is_some()))).collect();
        showed_small |= !suppress && cells.iter().any(|c| is_small(c.1) || c.2.is_some_and(is_small));
        let (t, rows) = protect((total_pair.0, denominator), &cells, suppress);
        tables.push(DimTable { dimension, total: t, rows });
    }
    ShownFigure { figure, total, tables, showed_small }
}

/// Record that small cells of a project's indicators were shown to the caller.
pub async fn audit_small_cells(state: &AppState, me: &Identity, project: &Project) -> Result<(), WebError> {
    let event = me
        .actor()
        .event(actions::INDICATOR_SMALL_CELLS_READ, "project", project.id.to_string())
        .summary(format!("{} indicator cells under 5 shown", project.code));
    haven_store::audit::record(&state.store.pool, &state.store.keys, &event).await?;
    Ok(())
}

/// A project's plan with the definitions of its indicators.
pub struct Tracked {
    pub def: Definition,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    pub figures: Vec<ShownFigure>,
}

/// Everything the project dashboard and API show.
pub struct ProjectIndicators {
    pub project: Project,
    pub plan: Option<Plan>,
    pub definitions: Vec<Definition>,
    pub tracked: Vec<Tracked>,
    pub showed_small: bool,
}

/// Read a project the caller may see, its plan and every tracked indicator's series
/// (`only`: one indicator).
pub async fn project_indicators(
    state: &AppState,
    me: &Identity,
    access: &Access,
    id: Uuid,
    only: Option<&str>,
) -> Result<ProjectIndicators, WebError> {
    let project = haven_store::projects::get(&state.store, access, id).await?;
    let definitions = store::definitions(&state.store).await?;
    let plan = store::plan(&state.store, id).await?;
    let entered = store::entered(&state.store, id).await?;
    let suppress = hides_small_cells(me);
    let now = OffsetDateTime::now_utc();
    let mut tracked = Vec::new();
    if let Some(plan) = &plan {
        let periods = store::reporting_periods(plan.period, project.start_date, today(), &entered);
        for line in plan.lines.iter().filter(|l| only.is_none_or(|c| c == l.code)) {
            let Some(def) = definitions.iter().find(|d| d.code == line.code).cloned() else { continue };
            let figures = store::series(&state.store, &project, &def, &periods, &entered, now).await?;
            let figures = figures.into_iter().map(|f| shown(&def, f, suppress)).collect();
            tracked.push(Tracked { def, baseline: line.baseline, target: line.target, figures });
        }
    }
    let showed_small = tracked.iter().flat_map(|t| &t.figures).any(|f| f.showed_small);
    if showed_small {
        audit_small_cells(state, me, &project).await?;
    }
    Ok(ProjectIndicators { project, plan, definitions, tracked, showed_small })
}

/// Check and save a plan. The reporting period cannot change once values are entered.
pub async fn save_plan(
    state: &AppState,
    me: &Identity,
    access: &Access,
    id: Uuid,
    raw: RawPlan,
) -> Result<(), WebError> {
    let project = haven_store::projects::get(&state.store, access, id).await?;
    let definitions = store::definitions(&state.store).await?;
    let input = raw.validate(&definitions).map_err(invalid)?;
    let periods = store::entered_periods(&state.store, id).await?;
    if periods.iter().any(|p| Period::parse(input.period, p).is_none()) {
        return Err(WebError::Invalid(vec![("period", "values-exist")]));
    }
    Ok(store::save_plan(&state.store, &me.actor(), &project, &input).await?)
}

/// Check and record a value of an entered indicator the project tracks.
pub async fn record_value(
    state: &AppState,
    me: &Identity,
    access: &Access,
    id: Uuid,
    code: &str,
    raw: RawValue,
) -> Result<Period, WebError> {
    let project = haven_store::projects::get(&state.store, access, id).await?;
    let definitions = store::definitions(&state.store).await?;
    let def = definitions.iter().find(|d| d.code == code).ok_or(WebError::NotFound)?;
    let plan = store::plan(&state.store, id).await?;
    let kind = match &plan {
        Some(p) if p.lines.iter().any(|l| l.code == code) => p.period,
        _ => return Err(WebError::Invalid(vec![("code", "not-in-plan")])),
    };
    let groups: Vec<&str> = PopulationGroup::ALL.iter().map(|g| g.code()).collect();
    let keys = Keys { places: &project.locations, groups: &groups };
    let input = raw.validate(def, kind, today(), &keys).map_err(invalid)?;
    store::record_value(&state.store, &me.actor(), &project, code, &input).await?;
    Ok(input.period)
}

/// The last quarters the portfolio pools, oldest first.
pub fn portfolio_quarters(n: usize) -> Vec<Period> {
    let current = Period::containing(PeriodKind::Quarter, today());
    let mut first = current;
    for _ in 1..n {
        first = first.previous();
    }
    Period::range(first, current, n)
}

/// One indicator across the portfolio: pooled figures per quarter.
pub struct PortfolioLine {
    pub def: Definition,
    pub projects: usize,
    /// Per quarter: numerator, denominator (None for counts), projects reporting.
    pub pooled: Vec<(Period, i64, Option<i64>, usize)>,
    /// Projects whose latest figure meets their target, of those with a target and a figure.
    pub on_target: (usize, usize),
}

/// Pool every visible project's tracked indicators by quarter.
pub async fn portfolio(state: &AppState, access: &Access) -> Result<(Vec<Period>, Vec<PortfolioLine>), WebError> {
    let quarters = portfolio_quarters(4);
    let definitions = store::definitions(&state.store).await?;
    let mut lines: Vec<PortfolioLine> = Vec::new();
    let now = OffsetDateTime::now_utc();
    for p in haven_store::projects::list(&state.store, access, &Default::default()).await? {
        let Some(plan) = store::plan(&state.store, p.id).await? else { continue };
        let project = haven_store::projects::get(&state.store, access, p.id).await?;
        let entered: Vec<Entered> = store::entered(&state.store, p.id).await?;
        for planned in &plan.lines {
            let Some(def) = definitions.iter().find(|d| d.code == planned.code) else { continue };
            let at = match lines.iter().position(|l| l.def.code == def.code) {
                Some(i) => i,
                None => {
                    lines.push(PortfolioLine {
                        def: def.clone(),
                        projects: 0,
                        pooled: quarters.iter().map(|q| (*q, 0, None, 0)).collect(),
                        on_target: (0, 0),
                    });
                    lines.len() - 1
                }
            };
            let line = &mut lines[at];
            line.projects += 1;
            let mut latest = None;
            for (i, q) in quarters.iter().enumerate() {
                if let Some((n, d)) = store::quarter_figure(&state.store, &project, def, q, &entered, now).await? {
                    let slot = &mut line.pooled[i];
                    slot.1 += n;
                    let before = slot.2.unwrap_or(0);
                    slot.2 = d.map(|d| before + d);
                    slot.3 += 1;
                    latest = Some(match d {
                        Some(d) if d > 0 => n as f64 * 100.0 / d as f64,
                        _ => n as f64,
                    });
                }
            }
            if let (Some(target), Some(value)) = (planned.target, latest) {
                let scaled_target =
                    if def.unit == haven_core::indicators::Unit::YesNo { target * 100.0 } else { target };
                line.on_target.1 += 1;
                line.on_target.0 += usize::from(meets(def, value, scaled_target));
            }
        }
    }
    lines.sort_by_key(|l| definitions.iter().position(|d| d.code == l.def.code));
    Ok((quarters, lines))
}

/// Whether a value meets its target. Fewer reported tensions is better; more is better for
/// everything else.
pub fn meets(def: &Definition, value: f64, target: f64) -> bool {
    if def.unit == haven_core::indicators::Unit::Count { value <= target } else { value >= target }
}
