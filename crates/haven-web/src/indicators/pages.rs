//! The indicator pages: a project's dashboard (`/projects/{id}/indicators`) with its plan,
//! a trend chart per indicator against its target, the disaggregation of the latest period
//! and the forms to enter values; and the portfolio (`/indicators`) pooled by quarter.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use haven_core::authz::{Permission, decide};
use haven_core::catalog::CatalogKind;
use haven_core::indicators::{
    Definition, Dimension, RawCell, RawPlan, RawPlanLine, RawValue, Shown, Source, TableRow, Unit,
};
use haven_core::input::AGE_BRACKETS;
use haven_core::projects::PopulationGroup;
use uuid::Uuid;

use super::api::pooled;
use super::{ShownFigure, Tracked, hides_small_cells, meets, portfolio, project_indicators};
use crate::AppState;
use crate::authz::Granted;
use crate::charts::LineChart;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::identity::Identity;
use crate::pages::Chrome;
use crate::projects::pages::form_errors;

/// A trend chart with the target drawn across it.
pub struct TargetChart {
    pub chart: LineChart,
    /// The target's height in the chart's view box, when there is a target.
    pub target_y: Option<f64>,
    pub target_label: String,
}

fn chart(l: Lang, def: &Definition, figures: &[ShownFigure], target: Option<f64>) -> TargetChart {
    let values: Vec<Option<f64>> = figures.iter().map(ShownFigure::value).collect();
    // Counts have no natural top: scale to the largest of the values and the target.
    let top = match def.unit {
        Unit::Percent => 100.0,
        Unit::YesNo => 1.0,
        Unit::Count => values.iter().flatten().copied().chain(target).fold(1.0_f64, f64::max) * 1.1,
    };
    let points: Vec<(String, Option<f64>)> = figures
        .iter()
        .zip(&values)
        .map(|(f, v)| {
            (
                format!("{} {}", f.figure.period.code(), v.map(|v| number(def, v)).unwrap_or_default()),
                v.map(|v| v * 100.0 / top),
            )
        })
        .collect();
    TargetChart {
        chart: LineChart::new(def.name.get(l.code()).to_owned(), &points),
        target_y: target.map(|t| LineChart::level(t * 100.0 / top)),
        target_label: target.map(|t| format!("{} {}", l.t("indicators-target"), number(def, t))).unwrap_or_default(),
    }
}

/// A value in its unit: a percent with one decimal, yes/no, or a count.
fn number(def: &Definition, v: f64) -> String {
    match def.unit {
        Unit::Percent => format!("{:.1} %", v),
        Unit::YesNo => {
            if v >= 1.0 {
                "✓".into()
            } else {
                "✗".into()
            }
        }
        Unit::Count => format!("{}", v.round() as i64),
    }
}

fn shown(l: Lang, s: Option<Shown>) -> String {
    match s {
        Some(Shown::Count(n)) => l.number(n),
        Some(Shown::Small) => "<5".into(),
        None => String::new(),
    }
}

/// One row of the period table.
pub struct PeriodRow {
    pub period: String,
    pub numerator: String,
    pub denominator: String,
    pub value: String,
    pub margin: String,
    pub sample: String,
    pub origin: String,
    pub note: String,
}

/// A breakdown of the latest period.
pub struct TableView {
    pub dimension: String,
    pub rows: Vec<(String, String, String, String)>,
}

/// An input of the value form.
pub struct Field {
    pub name: String,
    pub label: String,
    pub value: String,
}

/// One tracked indicator on the dashboard.
pub struct Card {
    pub code: String,
    pub name: String,
    pub description: String,
    pub numerator: String,
    pub denominator: String,
    pub principles: String,
    pub source: String,
    pub baseline: String,
    pub target: String,
    pub latest: String,
    /// "on target" or "below target" when there are a value and a target.
    pub on_track: String,
    pub chart: TargetChart,
    pub rows: Vec<PeriodRow>,
    pub latest_period: String,
    pub tables: Vec<TableView>,
    /// Which figures the value form asks for: survey, ratio, count, yes-no; empty when computed.
    pub shape: &'static str,
    pub periods: Vec<String>,
    pub cells: Vec<Field>,
}

/// One catalog indicator in the plan form.
pub struct PlanRow {
    pub code: String,
    pub name: String,
    pub source: String,
    pub unit: String,
    pub tracked: bool,
    pub baseline: String,
    pub target: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "indicators.html")]
pub struct DashboardPage {
    c: Chrome,
    project_id: Uuid,
    project_code: String,
    project_title: String,
    period_kind: String,
    cards: Vec<Card>,
    can_write: bool,
    suppressed: bool,
    plan_rows: Vec<PlanRow>,
    /// The form that failed: `plan` or an indicator code.
    failed: String,
    form: HashMap<String, String>,
    errors: Vec<(&'static str, String)>,
}

impl DashboardPage {
    /// A value kept from the form that failed, for the form `which`.
    pub fn kept(&self, which: &str, key: &str) -> String {
        if self.failed == which { self.form.get(key).cloned().unwrap_or_default() } else { String::new() }
    }
}

fn shape(def: &Definition) -> &'static str {
    match (def.source, def.unit) {
        (_, Unit::YesNo) => "yes-no",
        (_, Unit::Count) | (Source::Computed(haven_core::indicators::Computation::DisabilityReached), _) => "count",
        (Source::Computed(_), _) => "",
        (Source::Survey, _) => "survey",
        (Source::ProjectRecords, _) => "ratio",
    }
}

/// The label of a breakdown key.
fn key_label(l: Lang, dimension: Dimension, key: &str, places: &[(String, String)]) -> String {
    if key.is_empty() {
        return l.t("indicators-not-given");
    }
    match dimension {
        Dimension::Sex => l.t(&format!("feedback-sex-{key}")),
        Dimension::Disability => l.t(&format!("feedback-disability-{key}")),
        Dimension::PopulationGroup => l.t(&format!("project-group-{key}")),
        Dimension::Location => {
            places.iter().find(|(p, _)| p == key).map(|(_, n)| n.clone()).unwrap_or_else(|| key.into())
        }
        Dimension::Age => key.to_owned(),
    }
}

fn dimension_keys(dimension: Dimension, places: &[(String, String)]) -> Vec<String> {
    match dimension {
        Dimension::Sex => ["f", "m", "x"].map(String::from).to_vec(),
        Dimension::Age => AGE_BRACKETS.map(String::from).to_vec(),
        Dimension::Disability => ["yes", "no"].map(String::from).to_vec(),
        Dimension::Location => places.iter().map(|(p, _)| p.clone()).collect(),
        Dimension::PopulationGroup => PopulationGroup::ALL.iter().map(|g| g.code().to_owned()).collect(),
    }
}

fn row_view(
    l: Lang,
    dimension: Dimension,
    r: &TableRow,
    places: &[(String, String)],
) -> (String, String, String, String) {
    (
        key_label(l, dimension, &r.key, places),
        shown(l, Some(r.numerator)),
        shown(l, r.denominator),
        r.percent.map(|p| format!("{p:.1} %")).unwrap_or_default(),
    )
}

fn card(
    l: Lang,
    t: &Tracked,
    principles: &[(String, String)],
    places: &[(String, String)],
    form: &HashMap<String, String>,
) -> Card {
    let def = &t.def;
    let name = |code: &String| principles.iter().find(|(c, _)| c == code).map(|(_, n)| n.clone()).unwrap_or_default();
    let rows = t
        .figures
        .iter()
        .rev()
        .map(|f| PeriodRow {
            period: f.figure.period.code(),
            numerator: if f.figure.numerator.is_some() { shown(l, Some(f.total.numerator)) } else { String::new() },
            denominator: shown(l, f.total.denominator),
            value: f.value().map(|v| number(def, v)).unwrap_or_else(|| "—".into()),
            margin: f.figure.margin_of_error.map(|m| format!("± {m:.1}")).unwrap_or_default(),
            sample: f.figure.sample_size.map(|n| l.number(n)).unwrap_or_default(),
            origin: match (f.figure.entered, def.source) {
                (true, _) => l.t("indicators-origin-entered"),
                (false, Source::Computed(_)) if f.figure.numerator.is_some() => l.t("indicators-origin-computed"),
                _ => String::new(),
            },
            note: f.figure.note.clone().unwrap_or_default(),
        })
        .collect();
    let latest = t.figures.iter().rev().find(|f| f.value().is_some());
    let tables = latest
        .map(|f| {
            f.tables
                .iter()
                .map(|tb| TableView {
                    dimension: l.t(&format!("indicators-dimension-{}", tb.dimension.code())),
                    rows: tb.rows.iter().map(|r| row_view(l, tb.dimension, r, places)).collect(),
                })
                .collect()
        })
        .unwrap_or_default();
    let shape = shape(def);
    let with_denominator = matches!(shape, "survey" | "ratio");
    let mut cells = Vec::new();
    if !shape.is_empty() && shape != "yes-no" {
        for dimension in Dimension::ALL.iter().copied().filter(|d| def.allows(*d)) {
            for key in dimension_keys(dimension, places) {
                let label = format!(
                    "{} · {}",
                    l.t(&format!("indicators-dimension-{}", dimension.code())),
                    key_label(l, dimension, &key, places)
                );
                let parts: &[(&str, &str)] = if with_denominator {
                    &[("n", "indicators-field-numerator"), ("d", "indicators-field-denominator")]
                } else {
                    &[("n", "indicators-field-numerator")]
                };
                for (suffix, what) in parts {
                    let name = format!("cell|{}|{key}|{suffix}", dimension.code());
                    cells.push(Field {
                        label: format!("{label} · {}", l.t(what)),
                        value: form.get(&name).cloned().unwrap_or_default(),
                        name,
                    });
                }
            }
        }
    }
    Card {
        code: def.code.clone(),
        name: def.name.get(l.code()).to_owned(),
        description: def.description.get(l.code()).to_owned(),
        numerator: def.numerator.get(l.code()).to_owned(),
        denominator: def.denominator.get(l.code()).to_owned(),
        principles: def.principles.iter().map(name).collect::<Vec<_>>().join(", "),
        source: l.t(&format!("indicators-source-{}", def.source.code())),
        baseline: t.baseline.map(|b| number(def, b)).unwrap_or_else(|| "—".into()),
        target: t.target.map(|v| number(def, v)).unwrap_or_else(|| "—".into()),
        latest: latest.and_then(ShownFigure::value).map(|v| number(def, v)).unwrap_or_else(|| "—".into()),
        on_track: match (latest.and_then(ShownFigure::value), t.target) {
            (Some(v), Some(target)) if meets(def, v, target) => l.t("indicators-on-track"),
            (Some(_), Some(_)) => l.t("indicators-off-track"),
            _ => String::new(),
        },
        chart: chart(l, def, &t.figures, t.target),
        rows,
        latest_period: latest.map(|f| f.figure.period.code()).unwrap_or_default(),
        tables,
        shape,
        periods: t.figures.iter().rev().map(|f| f.figure.period.code()).collect(),
        cells,
    }
}

async fn build(
    state: &AppState,
    l: Lang,
    me: &Identity,
    id: Uuid,
    failed: &str,
    form: HashMap<String, String>,
    errors: Vec<(&'static str, String)>,
) -> Result<DashboardPage, WebError> {
    let access = decide(&me.principal, Permission::IndicatorsRead).map_err(|_| WebError::Forbidden)?;
    let p = project_indicators(state, me, &access, id, None).await?;
    let principles: Vec<(String, String)> = haven_store::catalog::entries(&state.store, CatalogKind::Principles)
        .await?
        .into_iter()
        .map(|e| (e.code.clone(), e.name.get(l.code()).to_owned()))
        .collect();
    let all_places = haven_store::locations::all(&state.store).await?;
    let places: Vec<(String, String)> = p
        .project
        .locations
        .iter()
        .map(|code| {
            let name = all_places.iter().find(|x| &x.pcode == code).map(|x| x.name(l.code()).to_owned());
            (code.clone(), name.unwrap_or_else(|| code.clone()))
        })
        .collect();
    let empty = HashMap::new();
    let cards = p
        .tracked
        .iter()
        .map(|t| card(l, t, &principles, &places, if failed == t.def.code { &form } else { &empty }))
        .collect();
    let from_form = failed == "plan";
    let plan_rows = p
        .definitions
        .iter()
        .map(|d| {
            let line = p.plan.as_ref().and_then(|x| x.lines.iter().find(|l| l.code == d.code));
            let kept = |k: &str| form.get(&format!("{k}-{}", d.code)).cloned().unwrap_or_default();
            PlanRow {
                code: d.code.clone(),
                name: d.name.get(l.code()).to_owned(),
                source: l.t(&format!("indicators-source-{}", d.source.code())),
                unit: l.t(&format!("indicators-unit-{}", d.unit.code())),
                tracked: if from_form { form.contains_key(&format!("track-{}", d.code)) } else { line.is_some() },
                baseline: if from_form {
                    kept("baseline")
                } else {
                    line.and_then(|x| x.baseline).map(|v| v.to_string()).unwrap_or_default()
                },
                target: if from_form {
                    kept("target")
                } else {
                    line.and_then(|x| x.target).map(|v| v.to_string()).unwrap_or_default()
                },
            }
        })
        .collect();
    Ok(DashboardPage {
        c: Chrome::new(l, Some(me), state),
        project_id: p.project.id,
        project_code: p.project.code.clone(),
        project_title: p.project.title.clone(),
        period_kind: p.plan.as_ref().map(|x| x.period.code().to_owned()).unwrap_or_default(),
        cards,
        can_write: decide(&me.principal, Permission::IndicatorsWrite).is_ok(),
        suppressed: hides_small_cells(me),
        plan_rows,
        failed: failed.to_owned(),
        form,
        errors,
    })
}

pub async fn dashboard(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    Ok(build(&state, l, &me, id, "", HashMap::new(), vec![]).await?.into_response())
}

async fn after(
    state: &AppState,
    l: Lang,
    me: &Identity,
    id: Uuid,
    which: &str,
    form: HashMap<String, String>,
    outcome: Result<(), WebError>,
) -> Result<Response, WebError> {
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/projects/{id}/indicators#{which}")).into_response()),
        Err(e) => {
            let errors = form_errors(l, e)?;
            let page = build(state, l, me, id, which, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

fn text(form: &HashMap<String, String>, key: &str) -> Option<String> {
    form.get(key).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// A whole number typed in a form; anything else is kept as -1 so that it is reported.
fn whole(form: &HashMap<String, String>, key: &str) -> Option<i64> {
    text(form, key).map(|v| v.parse().unwrap_or(-1))
}

/// A decimal number typed in a form (a comma works as the decimal mark); anything else is
/// kept as not-a-number so that it is reported.
fn decimal(form: &HashMap<String, String>, key: &str) -> Option<f64> {
    text(form, key).map(|v| v.replace(',', ".").parse().unwrap_or(f64::NAN))
}

pub async fn save_plan(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let definitions = haven_store::indicators::definitions(&state.store).await?;
    let raw = RawPlan {
        period: text(&form, "period"),
        indicators: Some(
            definitions
                .iter()
                .filter(|d| form.contains_key(&format!("track-{}", d.code)))
                .map(|d| RawPlanLine {
                    code: Some(d.code.clone()),
                    baseline: decimal(&form, &format!("baseline-{}", d.code)),
                    target: decimal(&form, &format!("target-{}", d.code)),
                })
                .collect(),
        ),
    };
    let outcome = super::save_plan(&state, &me, &access, id, raw).await;
    after(&state, l, &me, id, "plan", form, outcome).await
}

pub async fn record_value(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
    Path((id, code)): Path<(Uuid, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let mut cells: Vec<RawCell> = Vec::new();
    for (name, v) in &form {
        let mut parts = name.split('|');
        let (Some("cell"), Some(dimension), Some(key), Some("n")) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        if v.trim().is_empty() {
            continue;
        }
        cells.push(RawCell {
            dimension: Some(dimension.to_owned()),
            key: Some(key.to_owned()),
            numerator: whole(&form, name),
            denominator: whole(&form, &format!("cell|{dimension}|{key}|d")),
        });
    }
    cells.sort_by(|a, b| (&a.dimension, &a.key).cmp(&(&b.dimension, &b.key)));
    let raw = RawValue {
        period: text(&form, "period"),
        numerator: whole(&form, "numerator"),
        denominator: whole(&form, "denominator"),
        value: decimal(&form, "value"),
        sample_size: whole(&form, "sample_size"),
        margin_of_error: decimal(&form, "margin_of_error"),
        cells: Some(cells),
        note: text(&form, "note"),
    };
    let outcome = super::record_value(&state, &me, &access, id, &code, raw).await.map(|_| ());
    after(&state, l, &me, id, &code, form, outcome).await
}

/// One indicator on the portfolio page.
pub struct PortfolioCard {
    pub code: String,
    pub name: String,
    pub projects: usize,
    pub on_target: String,
    pub quarters: Vec<(String, String, String, String, usize)>,
    pub chart: TargetChart,
}

#[derive(Template, WebTemplate)]
#[template(path = "indicators_portfolio.html")]
pub struct PortfolioPage {
    c: Chrome,
    cards: Vec<PortfolioCard>,
    suppressed: bool,
}

pub async fn portfolio_page(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
) -> Result<Response, WebError> {
    let (_, lines) = portfolio(&state, &access).await?;
    let suppress = hides_small_cells(&me);
    let cards = lines
        .into_iter()
        .map(|line| {
            let def = &line.def;
            let mut points = Vec::new();
            let quarters = line
                .pooled
                .iter()
                .map(|(q, n, d, reporting)| {
                    // Yes/no pools as the share of projects answering yes.
                    let (total, value) = pooled(def, *n, *d, *reporting, suppress);
                    points.push((q.code(), value));
                    let text = match (def.unit, value) {
                        (_, None) => "—".into(),
                        (Unit::Count, Some(v)) => number(def, v),
                        (_, Some(v)) => format!("{v:.1} %"),
                    };
                    (q.code(), shown(l, Some(total.numerator)), shown(l, total.denominator), text, *reporting)
                })
                .collect();
            let top = points.iter().filter_map(|p| p.1).fold(1.0_f64, f64::max) * 1.1;
            let scaled: Vec<(String, Option<f64>)> = points
                .into_iter()
                .map(|(q, v)| (q, if def.unit == Unit::Count { v.map(|v| v * 100.0 / top) } else { v }))
                .collect();
            PortfolioCard {
                code: def.code.clone(),
                name: def.name.get(l.code()).to_owned(),
                projects: line.projects,
                on_target: l.targs("indicators-on-target", &[("met", &line.on_target.0), ("with", &line.on_target.1)]),
                quarters,
                chart: TargetChart {
                    chart: LineChart::new(def.name.get(l.code()).to_owned(), &scaled),
                    target_y: None,
                    target_label: String::new(),
                },
            }
        })
        .collect();
    Ok(PortfolioPage { c: Chrome::new(l, Some(&me), &state), cards, suppressed: suppress }.into_response())
}
