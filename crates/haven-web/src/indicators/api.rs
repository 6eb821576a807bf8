//! `/api/v1/projects/{id}/indicators...` and `/api/v1/indicators`: plans, values per period
//! with their disaggregation (small cells as `"<5"` unless the caller may see them), and the
//! portfolio pooled by quarter.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use haven_core::indicators::{Definition, RawCell, RawPlan, RawPlanLine, RawValue, Shown, TableRow, protect};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{ProjectIndicators, ShownFigure, Tracked, hides_small_cells, portfolio, project_indicators};
use crate::AppState;
use crate::authz::Granted;
use crate::error::{ErrorBody, WebError};
use crate::identity::Identity;

/// A count, or `"<5"` when it is hidden.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum CountBody {
    Count(i64),
    /// Always `"<5"`.
    Hidden(String),
}

fn count(s: Shown) -> CountBody {
    match s {
        Shown::Count(n) => CountBody::Count(n),
        Shown::Small => CountBody::Hidden("<5".into()),
    }
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// One cell of a breakdown.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CellBody {
    /// The key (`f`, `18-59`, `yes`, a P-code, `idp`...), `""` for people whose value was not given.
    pub key: String,
    pub numerator: CountBody,
    pub denominator: Option<CountBody>,
    pub percent: Option<f64>,
}

fn cell(r: &TableRow) -> CellBody {
    CellBody {
        key: r.key.clone(),
        numerator: count(r.numerator),
        denominator: r.denominator.map(count),
        percent: r.percent.map(round),
    }
}

/// A breakdown of one period by one dimension.
#[derive(Serialize, utoipa::ToSchema)]
pub struct BreakdownBody {
    /// `sex`, `age`, `disability`, `location` or `population-group`.
    pub dimension: String,
    pub cells: Vec<CellBody>,
}

/// An indicator's figure for one period.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ValueBody {
    /// `2026-03` or `2026-Q1`.
    pub period: String,
    pub numerator: Option<CountBody>,
    pub denominator: Option<CountBody>,
    /// Percent, 1/0 for yes/no, or the count; null when there is nothing to divide or it is hidden.
    pub value: Option<f64>,
    pub sample_size: Option<i64>,
    /// 95% margin of error in percentage points.
    pub margin_of_error: Option<f64>,
    /// Whether Haven computed the margin of error from the result and the sample.
    pub margin_computed: bool,
    /// Entered by someone (else computed by Haven, or missing).
    pub entered: bool,
    pub note: Option<String>,
    pub disaggregation: Vec<BreakdownBody>,
}

fn value_body(f: &ShownFigure) -> ValueBody {
    let has_numerator = f.figure.numerator.is_some();
    ValueBody {
        period: f.figure.period.code(),
        numerator: has_numerator.then(|| count(f.total.numerator)),
        denominator: f.total.denominator.map(count),
        value: f.value().map(round),
        sample_size: f.figure.sample_size,
        margin_of_error: f.figure.margin_of_error.map(round),
        margin_computed: f.figure.margin_computed,
        entered: f.figure.entered,
        note: f.figure.note.clone(),
        disaggregation: f
            .tables
            .iter()
            .map(|t| BreakdownBody { dimension: t.dimension.code().into(), cells: t.rows.iter().map(cell).collect() })
            .collect(),
    }
}

/// An indicator a project tracks.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TrackedBody {
    pub code: String,
    pub name: String,
    /// `percent`, `yes-no` or `count`.
    pub unit: String,
    /// `survey`, `project-records` or `computed`.
    pub data_source: String,
    pub principles: Vec<String>,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    /// The latest period with a value.
    pub latest: Option<ValueBody>,
}

fn tracked_body(t: &Tracked) -> TrackedBody {
    TrackedBody {
        code: t.def.code.clone(),
        name: t.def.name.get("en").to_owned(),
        unit: t.def.unit.code().into(),
        data_source: t.def.source.code().into(),
        principles: t.def.principles.clone(),
        baseline: t.baseline,
        target: t.target,
        latest: t.figures.iter().rev().find(|f| f.figure.value.is_some()).map(value_body),
    }
}

/// A project's indicator plan.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PlanView {
    pub project_id: Uuid,
    /// `month` or `quarter`; null when the project has no plan yet.
    pub period: Option<String>,
    pub indicators: Vec<TrackedBody>,
}

fn plan_view(p: &ProjectIndicators) -> PlanView {
    PlanView {
        project_id: p.project.id,
        period: p.plan.as_ref().map(|x| x.period.code().to_owned()),
        indicators: p.tracked.iter().map(tracked_body).collect(),
    }
}

/// A line of a plan.
#[derive(Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct PlanLineBody {
    /// A code from `GET /api/v1/catalog/pm-indicators`.
    pub code: Option<String>,
    pub baseline: Option<f64>,
    /// In the indicator's unit: percent 0–100, 1 or 0 for yes/no, a count.
    pub target: Option<f64>,
}

/// A project's indicator plan as sent.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct PlanBody {
    /// `month` or `quarter` (fixed once values are entered).
    pub period: Option<String>,
    pub indicators: Option<Vec<PlanLineBody>>,
}

/// The indicators a project tracks, each with its latest value.
#[utoipa::path(get, path = "/api/v1/projects/{id}/indicators", tag = "indicators",
    params(("id" = Uuid, Path, description = "The project")),
    responses(
        (status = 200, description = "The plan", body = PlanView),
        (status = 404, description = "No such project in the caller's scope", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn get_plan(
    State(state): State<AppState>,
    me: Identity,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
) -> Result<Json<PlanView>, WebError> {
    Ok(Json(plan_view(&project_indicators(&state, &me, &access, id, None).await?)))
}

/// Replace the project's plan: which catalog indicators it tracks, baselines and targets, and
/// how often it reports.
#[utoipa::path(put, path = "/api/v1/projects/{id}/indicators", tag = "indicators", request_body = PlanBody,
    params(("id" = Uuid, Path, description = "The project")),
    responses(
        (status = 200, description = "Saved", body = PlanView),
        (status = 404, description = "No such project in the caller's scope", body = ErrorBody),
        (status = 422, description = "Invalid fields, each listed", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn put_plan(
    State(state): State<AppState>,
    me: Identity,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
    Json(body): Json<PlanBody>,
) -> Result<Json<PlanView>, WebError> {
    let raw = RawPlan {
        period: body.period,
        indicators: body.indicators.map(|ls| {
            ls.into_iter().map(|l| RawPlanLine { code: l.code, baseline: l.baseline, target: l.target }).collect()
        }),
    };
    super::save_plan(&state, &me, &access, id, raw).await?;
    Ok(Json(plan_view(&project_indicators(&state, &me, &access, id, None).await?)))
}

/// An indicator's values per period.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SeriesBody {
    pub code: String,
    pub unit: String,
    pub data_source: String,
    /// `month` or `quarter`.
    pub period: String,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    pub values: Vec<ValueBody>,
}

fn series_body(p: &ProjectIndicators, code: &str) -> Result<SeriesBody, WebError> {
    let t = p.tracked.iter().find(|t| t.def.code == code).ok_or(WebError::NotFound)?;
    Ok(SeriesBody {
        code: t.def.code.clone(),
        unit: t.def.unit.code().into(),
        data_source: t.def.source.code().into(),
        period: p.plan.as_ref().map(|x| x.period.code().to_owned()).unwrap_or_default(),
        baseline: t.baseline,
        target: t.target,
        values: t.figures.iter().map(value_body).collect(),
    })
}

/// The values of one tracked indicator per period, computed or entered, disaggregated.
#[utoipa::path(get, path = "/api/v1/projects/{id}/indicators/{code}/values", tag = "indicators",
    params(("id" = Uuid, Path, description = "The project"), ("code" = String, Path, description = "The indicator")),
    responses(
        (status = 200, description = "Values per period", body = SeriesBody),
        (status = 404, description = "No such project, or the project does not track it", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn values(
    State(state): State<AppState>,
    me: Identity,
    Granted(access): Granted,
    Path((id, code)): Path<(Uuid, String)>,
) -> Result<Json<SeriesBody>, WebError> {
    let p = project_indicators(&state, &me, &access, id, Some(&code)).await?;
    Ok(Json(series_body(&p, &code)?))
}

/// A disaggregated cell as sent.
#[derive(Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct CellEntryBody {
    /// `sex`, `age`, `disability`, `location` or `population-group` (as the indicator allows).
    pub dimension: Option<String>,
    /// f/m/x/u; an age bracket; yes/no; one of the project's P-codes; idp, refugee, migrant, returnee, host.
    pub key: Option<String>,
    pub numerator: Option<i64>,
    /// Required when the value has a denominator.
    pub denominator: Option<i64>,
}

/// A value for a period: survey counts (or a percent with the sample size), counts from the
/// project's records, persons with disabilities reached, or yes (1) / no (0).
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct ValueEntryBody {
    /// In the plan's rhythm: `2026-03` or `2026-Q1`, not after the current period.
    pub period: Option<String>,
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
    pub value: Option<f64>,
    pub sample_size: Option<i64>,
    /// 95%, in percentage points; computed from the result and sample when absent.
    pub margin_of_error: Option<f64>,
    pub cells: Option<Vec<CellEntryBody>>,
    pub note: Option<String>,
}

impl From<ValueEntryBody> for RawValue {
    fn from(b: ValueEntryBody) -> Self {
        RawValue {
            period: b.period,
            numerator: b.numerator,
            denominator: b.denominator,
            value: b.value,
            sample_size: b.sample_size,
            margin_of_error: b.margin_of_error,
            cells: b.cells.map(|cs| {
                cs.into_iter()
                    .map(|c| RawCell {
                        dimension: c.dimension,
                        key: c.key,
                        numerator: c.numerator,
                        denominator: c.denominator,
                    })
                    .collect()
            }),
            note: b.note,
        }
    }
}

/// Enter (or replace) the value of a survey, project-records or persons-reached indicator for
/// a period.
#[utoipa::path(post, path = "/api/v1/projects/{id}/indicators/{code}/values", tag = "indicators",
    request_body = ValueEntryBody,
    params(("id" = Uuid, Path, description = "The project"), ("code" = String, Path, description = "The indicator")),
    responses(
        (status = 201, description = "Recorded; the period's figure as the caller may see it", body = ValueBody),
        (status = 404, description = "No such project or indicator", body = ErrorBody),
        (status = 422, description = "Invalid fields, each listed (`code`: `computed` or `not-in-plan`)", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn record(
    State(state): State<AppState>,
    me: Identity,
    Granted(access): Granted,
    Path((id, code)): Path<(Uuid, String)>,
    Json(body): Json<ValueEntryBody>,
) -> Result<Response, WebError> {
    let period = super::record_value(&state, &me, &access, id, &code, body.into()).await?;
    let p = project_indicators(&state, &me, &access, id, Some(&code)).await?;
    let series = series_body(&p, &code)?;
    let value = series.values.into_iter().find(|v| v.period == period.code()).ok_or(WebError::NotFound)?;
    Ok((StatusCode::CREATED, Json(value)).into_response())
}

/// One quarter of an indicator pooled across projects.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PooledBody {
    pub quarter: String,
    pub numerator: CountBody,
    pub denominator: Option<CountBody>,
    pub value: Option<f64>,
    /// Projects with a figure for the quarter.
    pub projects: usize,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PortfolioIndicator {
    pub code: String,
    pub name: String,
    pub unit: String,
    /// Projects tracking it.
    pub projects: usize,
    /// Projects whose latest figure meets their target.
    pub on_target: usize,
    /// Projects with both a target and a figure.
    pub with_target: usize,
    pub quarters: Vec<PooledBody>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PortfolioBody {
    pub indicators: Vec<PortfolioIndicator>,
}

/// A pooled quarter: the sum of numerators over the sum of denominators (yes/no: projects
/// answering yes over projects answering; counts: the sum).
/// No value when no project reported.
pub fn pooled(def: &Definition, n: i64, d: Option<i64>, reporting: usize, suppress: bool) -> (TableRow, Option<f64>) {
    let (total, _) = protect((n, d), &[], suppress && def.counts_people());
    let value = match (total.numerator, d) {
        _ if reporting == 0 => None,
        (Shown::Small, _) => None,
        (_, Some(d)) if d > 0 => Some(n as f64 * 100.0 / d as f64),
        (_, Some(_)) => None,
        (_, None) => Some(n as f64),
    };
    (total, value)
}

/// Every indicator the visible projects track, pooled by quarter over the last year.
#[utoipa::path(get, path = "/api/v1/indicators", tag = "indicators",
    responses((status = 200, description = "The portfolio by indicator and quarter", body = PortfolioBody)),
    security(("bearer" = [])))]
pub async fn portfolio_api(
    State(state): State<AppState>,
    me: Identity,
    Granted(access): Granted,
) -> Result<Json<PortfolioBody>, WebError> {
    let (_, lines) = portfolio(&state, &access).await?;
    let suppress = hides_small_cells(&me);
    let indicators = lines
        .into_iter()
        .map(|l| PortfolioIndicator {
            code: l.def.code.clone(),
            name: l.def.name.get("en").to_owned(),
            unit: l.def.unit.code().into(),
            projects: l.projects,
            on_target: l.on_target.0,
            with_target: l.on_target.1,
            quarters: l
                .pooled
                .iter()
                .map(|(q, n, d, reporting)| {
                    let (total, value) = pooled(&l.def, *n, *d, *reporting, suppress);
                    PooledBody {
                        quarter: q.code(),
                        numerator: count(total.numerator),
                        denominator: total.denominator.map(count),
                        value: value.map(round),
                        projects: *reporting,
                    }
                })
                .collect(),
        })
        .collect();
    Ok(Json(PortfolioBody { indicators }))
}
