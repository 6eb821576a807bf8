//! Protection mainstreaming indicators: each project's plan, the values entered per period,
//! and the figures computed from Haven's own records for the project's places (feedback
//! items at or below them, committees there, audits of the sites under them).
//!
//! Computed figures are not stored: they are read from the records when asked, so they
//! follow late entries and corrections. Reads take a project the caller has already read
//! (scope checked there); changes are audited in the same transaction.

use std::collections::{BTreeMap, HashSet};

use haven_core::audit::actions;
use haven_core::catalog::CatalogKind;
use haven_core::feedback::ClosureReason;
use haven_core::indicators::{
    Cell, Computation, Definition, Period, PeriodKind, PlanInput, PlanLine, Source, Unit, ValueInput, percent_of,
};
use time::{Date, OffsetDateTime, Time};
use uuid::Uuid;

use crate::identity::Actor;
use crate::projects::{Project, json, location_paths};
use crate::{Store, StoreError, audit, now_utc};

/// The catalog's indicators, in catalog order.
pub async fn definitions(store: &Store) -> Result<Vec<Definition>, StoreError> {
    let entries = crate::catalog::entries(store, CatalogKind::PmIndicators).await?;
    Ok(entries.into_iter().filter_map(|e| Definition::from_catalog(&e.code, e.name, e.description, &e.extra)).collect())
}

/// What a project tracks and how often it reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub period: PeriodKind,
    pub lines: Vec<PlanLine>,
    pub updated_at: OffsetDateTime,
}

/// The project's plan, if it has one.
pub async fn plan(store: &Store, project: Uuid) -> Result<Option<Plan>, StoreError> {
    let head: Option<(String, OffsetDateTime)> = on_pool!(&store.pool, p => {
        sqlx::query_as("SELECT period_kind, updated_at FROM indicator_plans WHERE project_id = $1")
            .bind(project).fetch_optional(p).await
    })?;
    let Some((kind, updated_at)) = head else { return Ok(None) };
    let lines: Vec<(String, Option<f64>, Option<f64>)> = on_pool!(&store.pool, p => {
        sqlx::query_as("SELECT code, baseline, target FROM indicator_plan_lines WHERE project_id = $1 ORDER BY position")
            .bind(project).fetch_all(p).await
    })?;
    Ok(Some(Plan {
        period: PeriodKind::from_code(&kind)
            .ok_or_else(|| StoreError::Invalid("stored plan has an unknown period".into()))?,
        lines: lines.into_iter().map(|(code, baseline, target)| PlanLine { code, baseline, target }).collect(),
        updated_at,
    }))
}

/// The periods values were entered for (any indicator), to keep the reporting rhythm fixed
/// once there are values.
pub async fn entered_periods(store: &Store, project: Uuid) -> Result<Vec<String>, StoreError> {
    let rows: Vec<(String,)> = on_pool!(&store.pool, p => {
        sqlx::query_as("SELECT DISTINCT period FROM indicator_values WHERE project_id = $1 ORDER BY period")
            .bind(project).fetch_all(p).await
    })?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Replace the project's plan.
pub async fn save_plan(store: &Store, actor: &Actor, project: &Project, input: &PlanInput) -> Result<(), StoreError> {
    let by = actor.id.ok_or_else(|| StoreError::Invalid("plans are saved by a user".into()))?;
    let mut tx = store.pool.begin().await?;
    on_tx!(&mut tx, c => sqlx::query("DELETE FROM indicator_plan_lines WHERE project_id = $1").bind(project.id).execute(c).await.map(|_| ()))?;
    on_tx!(&mut tx, c => sqlx::query("DELETE FROM indicator_plans WHERE project_id = $1").bind(project.id).execute(c).await.map(|_| ()))?;
    on_tx!(&mut tx, c => {
        sqlx::query("INSERT INTO indicator_plans (project_id, period_kind, updated_by, updated_at) VALUES ($1, $2, $3, $4)")
            .bind(project.id).bind(input.period.code()).bind(by).bind(now_utc()).execute(c).await.map(|_| ())
    })?;
    for (position, line) in input.lines.iter().enumerate() {
        on_tx!(&mut tx, c => {
            sqlx::query("INSERT INTO indicator_plan_lines (project_id, code, position, baseline, target) VALUES ($1, $2, $3, $4, $5)")
                .bind(project.id).bind(&line.code).bind(position as i64).bind(line.baseline).bind(line.target)
                .execute(c).await.map(|_| ())
        })?;
    }
    let event = actor.event(actions::INDICATOR_PLAN_SAVED, "project", project.id.to_string()).summary(format!(
        "{}: {} indicators, by {}",
        project.code,
        input.lines.len(),
        input.period.code()
    ));
    audit::append(&mut tx, &store.keys, &event).await?;
    tx.commit().await?;
    Ok(())
}

/// A value as entered for a period.
#[derive(Debug, Clone, PartialEq)]
pub struct Entered {
    pub code: String,
    pub period: String,
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
    pub value: f64,
    pub sample_size: Option<i64>,
    pub margin_of_error: Option<f64>,
    pub margin_computed: bool,
    pub cells: Vec<Cell>,
    pub note: Option<String>,
    pub entered_at: OffsetDateTime,
}

type EnteredRow = (
    String,
    String,
    Option<i64>,
    Option<i64>,
    f64,
    Option<i64>,
    Option<f64>,
    bool,
    String,
    Option<String>,
    OffsetDateTime,
);

/// The values entered for the project, by indicator and period.
pub async fn entered(store: &Store, project: Uuid) -> Result<Vec<Entered>, StoreError> {
    let rows: Vec<EnteredRow> = on_pool!(&store.pool, p => {
        sqlx::query_as(
            "SELECT code, period, numerator, denominator, value, sample_size, margin_of_error, margin_computed, cells, note,
                entered_at FROM indicator_values WHERE project_id = $1 ORDER BY code, period",
        )
        .bind(project).fetch_all(p).await
    })?;
    rows.into_iter()
        .map(|r| {
            Ok(Entered {
                code: r.0,
                period: r.1,
                numerator: r.2,
                denominator: r.3,
                value: r.4,
                sample_size: r.5,
                margin_of_error: r.6,
                margin_computed: r.7,
                cells: serde_json::from_str(&r.8)
                    .map_err(|_| StoreError::Invalid("stored indicator value has unreadable cells".into()))?,
                note: r.9,
                entered_at: r.10,
            })
        })
        .collect()
}

/// Record (or replace) the value of `code` for a period.
pub async fn record_value(
    store: &Store,
    actor: &Actor,
    project: &Project,
    code: &str,
    v: &ValueInput,
) -> Result<(), StoreError> {
    let by = actor.id.ok_or_else(|| StoreError::Invalid("values are entered by a user".into()))?;
    let period = v.period.code();
    let mut tx = store.pool.begin().await?;
    let replaced = on_tx!(&mut tx, c => {
        sqlx::query("DELETE FROM indicator_values WHERE project_id = $1 AND code = $2 AND period = $3")
            .bind(project.id).bind(code).bind(&period).execute(c).await.map(|r| r.rows_affected())
    })?;
    on_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO indicator_values (project_id, code, period, numerator, denominator, value, sample_size,
                margin_of_error, margin_computed, cells, note, entered_by, entered_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(project.id).bind(code).bind(&period).bind(v.numerator).bind(v.denominator).bind(v.value)
        .bind(v.sample_size).bind(v.margin_of_error).bind(v.margin_computed).bind(json(&v.cells)?).bind(&v.note)
        .bind(by).bind(now_utc())
        .execute(c).await.map(|_| ())
    })?;
    let verb = if replaced > 0 { "replaced" } else { "entered" };
    let event = actor
        .event(actions::INDICATOR_VALUE_RECORDED, "project", project.id.to_string())
        .summary(format!("{} {code} {period} {verb}", project.code));
    audit::append(&mut tx, &store.keys, &event).await?;
    tx.commit().await?;
    Ok(())
}

/// A figure computed from Haven's records: numerator, denominator and the cells by
/// dimension (each with its denominator).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figure {
    pub numerator: i64,
    pub denominator: i64,
    pub cells: Vec<Cell>,
}

impl Figure {
    fn add(&mut self, keys: &[(&str, String)], numerator: bool) {
        self.denominator += 1;
        self.numerator += i64::from(numerator);
        for (dimension, key) in keys {
            self.bump(dimension, key, i64::from(numerator), 1);
        }
    }

    fn bump(&mut self, dimension: &str, key: &str, numerator: i64, denominator: i64) {
        match self.cells.iter_mut().find(|c| c.dimension == dimension && c.key == key) {
            Some(c) => {
                c.numerator += numerator;
                c.denominator = Some(c.denominator.unwrap_or(0) + denominator);
            }
            None => self.cells.push(Cell {
                dimension: dimension.to_owned(),
                key: key.to_owned(),
                numerator,
                denominator: Some(denominator),
            }),
        }
    }
}

/// The project's places with their location paths, most specific first (an item counts
/// under the deepest place that holds it).
pub async fn places(store: &Store, project: &Project) -> Result<Vec<(String, String)>, StoreError> {
    let mut out = location_paths(store, &project.locations).await?;
    out.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    Ok(out)
}

fn place_of<'a>(places: &'a [(String, String)], path: &str) -> Option<&'a str> {
    places.iter().find(|(_, p)| path.starts_with(p.as_str())).map(|(pcode, _)| pcode.as_str())
}

fn midnight(d: Date) -> OffsetDateTime {
    d.with_time(Time::MIDNIGHT).assume_utc()
}

/// Three calendar months before `end` (a safety audit "in the last three months").
fn three_months_before(end: Date) -> Date {
    let mut d = end;
    for _ in 0..3 {
        d = d.replace_day(1).unwrap_or(d).previous_day().unwrap_or(d);
    }
    d.replace_day(end.day().min(time::util::days_in_month(d.month(), d.year()))).unwrap_or(d)
}

type FeedbackRow = (Uuid, Option<String>, Option<String>, Option<String>, Option<bool>, bool);

/// Feedback items under the project's places or linked to the project wherever they came
/// from, each once, as (id, path, sex, age, disability, counted-in-numerator), selected by
/// `condition` on the period's bounds `$2` and `$3`.
async fn feedback_rows(
    store: &Store,
    project: Uuid,
    places: &[(String, String)],
    select: &str,
    condition: &str,
    (from, to): (OffsetDateTime, OffsetDateTime),
    now: OffsetDateTime,
) -> Result<Vec<FeedbackRow>, StoreError> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let query = |matching: &str| {
        format!(
            "SELECT id, location_path, sex, age_bracket, disability, {select} FROM feedback
             WHERE {matching} AND {condition}
               AND (closure_reason IS NULL OR closure_reason NOT IN ('{}', '{}'))",
            ClosureReason::Duplicate.code(),
            ClosureReason::Withdrawn.code()
        )
    };
    for (_, path) in places {
        let sql = query("location_path LIKE $1");
        let rows: Vec<FeedbackRow> = on_pool!(&store.pool, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(format!("{path}%")).bind(from).bind(to).bind(now)
                .fetch_all(p).await
        })?;
        out.extend(rows.into_iter().filter(|r| seen.insert(r.0)));
    }
    // Linked to the project from elsewhere (a hotline call about its distribution from the
    // next district). Sealed items carry no link outside their sealed content.
    let sql = query("project_id = $1");
    let rows: Vec<FeedbackRow> = on_pool!(&store.pool, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(project).bind(from).bind(to).bind(now).fetch_all(p).await
    })?;
    out.extend(rows.into_iter().filter(|r| seen.insert(r.0)));
    Ok(out)
}

fn feedback_figure(places: &[(String, String)], rows: Vec<FeedbackRow>) -> Figure {
    let mut f = Figure::default();
    for (_, path, sex, age, disability, counted) in rows {
        let mut keys = Vec::new();
        if let Some(s) = sex {
            keys.push(("sex", s));
        }
        if let Some(a) = age {
            keys.push(("age", a));
        }
        if let Some(d) = disability {
            keys.push(("disability", if d { "yes" } else { "no" }.to_owned()));
        }
        if let Some(place) = path.and_then(|p| place_of(places, &p).map(str::to_owned)) {
            keys.push(("location", place));
        }
        f.add(&keys, counted);
    }
    f
}

/// Compute `computation` for the project over `period`, as of `now`.
pub async fn compute(
    store: &Store,
    project: &Project,
    computation: Computation,
    period: &Period,
    now: OffsetDateTime,
) -> Result<Figure, StoreError> {
    let places = places(store, project).await?;
    let bounds = (midnight(period.start()), midnight(period.end()));
    let mut figure = figure_of(store, project.id, &places, computation, period, bounds, now).await?;
    figure.cells.sort_by(|a, b| (&a.dimension, &a.key).cmp(&(&b.dimension, &b.key)));
    Ok(figure)
}

async fn figure_of(
    store: &Store,
    project: Uuid,
    places: &[(String, String)],
    computation: Computation,
    period: &Period,
    bounds: (OffsetDateTime, OffsetDateTime),
    now: OffsetDateTime,
) -> Result<Figure, StoreError> {
    match computation {
        Computation::FeedbackAnsweredInTime => {
            // Items whose response deadline fell in the period and has passed (or that were
            // answered already): answered by the deadline, or not.
            let rows = feedback_rows(
                store,
                project,
                places,
                "(responded_at IS NOT NULL AND responded_at <= respond_by)",
                "respond_by >= $2 AND respond_by < $3 AND (responded_at IS NOT NULL OR respond_by < $4)",
                bounds,
                now,
            )
            .await?;
            Ok(feedback_figure(places, rows))
        }
        Computation::FeedbackClosedWithLoop => {
            let rows = feedback_rows(
                store,
                project,
                places,
                "(loop_closing IS NOT NULL AND loop_closing <> 'not_possible')",
                "closed_at >= $2 AND closed_at < $3 AND closed_at <= $4",
                bounds,
                now,
            )
            .await?;
            Ok(feedback_figure(places, rows))
        }
        Computation::CommitteeWomenShare | Computation::CommitteeAtRiskShare => {
            committee_figure(store, places, computation, period.end()).await
        }
        Computation::SitesAudited3Months => {
            let mut f = Figure::default();
            for (pcode, sites) in sites_by_place(store, places).await? {
                let since = midnight(three_months_before(period.end()));
                let (audited, all) = crate::audits::sites_audited_between(store, &sites, since, Some(bounds.1)).await?;
                f.numerator += audited;
                f.denominator += all;
                f.bump("location", &pcode, audited, all);
            }
            Ok(f)
        }
        Computation::AuditActionsClosedOnTime => {
            let mut f = Figure::default();
            for (pcode, sites) in action_sites_by_place(store, places).await? {
                let (on_time, due) = crate::audits::actions_closed_on_time(store, &sites, bounds.0, bounds.1).await?;
                f.numerator += on_time;
                f.denominator += due;
                f.bump("location", &pcode, on_time, due);
            }
            Ok(f)
        }
        Computation::DisabilityReached => Err(StoreError::Invalid("persons reached are entered, not computed".into())),
    }
}

/// Members of the active committees under the project's places formed by `end` (the first
/// day after the period): women (female, 18 and over) or members from at-risk groups.
async fn committee_figure(
    store: &Store,
    places: &[(String, String)],
    computation: Computation,
    end: Date,
) -> Result<Figure, StoreError> {
    let mut seen = HashSet::new();
    let mut f = Figure::default();
    let end = haven_core::input::iso_date(end);
    for (pcode, path) in places {
        let rows: Vec<(Uuid, i64, i64, i64)> = on_pool!(&store.pool, p => {
            sqlx::query_as(
                "SELECT id, members, women, at_risk_members FROM committees
                 WHERE active = TRUE AND path LIKE $1 AND (formed_on IS NULL OR formed_on < $2)",
            )
            .bind(format!("{path}%")).bind(&end).fetch_all(p).await
        })?;
        for (id, members, women, at_risk) in rows {
            if !seen.insert(id) {
                continue;
            }
            let counted = if computation == Computation::CommitteeWomenShare { women } else { at_risk };
            f.numerator += counted;
            f.denominator += members;
            f.bump("location", pcode, counted, members);
        }
    }
    Ok(f)
}

/// The sites under each place: the locations at or below it that have no children (the
/// place itself when it is a site).
async fn sites_by_place(store: &Store, places: &[(String, String)]) -> Result<Vec<(String, Vec<String>)>, StoreError> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (pcode, path) in places {
        let rows: Vec<(String,)> = on_pool!(&store.pool, p => {
            sqlx::query_as(
                "SELECT l.pcode FROM locations l WHERE l.path LIKE $1
                   AND NOT EXISTS (SELECT 1 FROM locations c WHERE c.parent_pcode = l.pcode) ORDER BY l.pcode",
            )
            .bind(format!("{path}%")).fetch_all(p).await
        })?;
        let sites: Vec<String> = rows.into_iter().map(|r| r.0).filter(|s| seen.insert(s.clone())).collect();
        out.push((pcode.clone(), sites));
    }
    Ok(out)
}

/// The audited places under each project place that have actions.
async fn action_sites_by_place(
    store: &Store,
    places: &[(String, String)],
) -> Result<Vec<(String, Vec<String>)>, StoreError> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (pcode, path) in places {
        let rows: Vec<(String,)> = on_pool!(&store.pool, p => {
            sqlx::query_as("SELECT DISTINCT pcode FROM audit_actions WHERE path LIKE $1 ORDER BY pcode")
                .bind(format!("{path}%")).fetch_all(p).await
        })?;
        let sites: Vec<String> = rows.into_iter().map(|r| r.0).filter(|s| seen.insert(s.clone())).collect();
        out.push((pcode.clone(), sites));
    }
    Ok(out)
}

/// Persons with disabilities in the project's target population, in total and per cell key.
pub fn disability_target(project: &Project) -> (i64, Vec<Cell>) {
    let mut by: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut total = 0;
    for c in project.details.target_population.iter().filter(|c| c.disability) {
        let n = i64::from(c.count);
        total += n;
        *by.entry(("sex".into(), c.sex.code().into())).or_default() += n;
        *by.entry(("age".into(), c.age_bracket.clone())).or_default() += n;
        *by.entry(("population-group".into(), c.group.code().into())).or_default() += n;
    }
    let cells = by
        .into_iter()
        .map(|((dimension, key), n)| Cell { dimension, key, numerator: 0, denominator: Some(n) })
        .collect();
    (total, cells)
}

/// One period of an indicator, entered or computed.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodFigure {
    pub period: Period,
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
    /// The percent (or 1/0 for yes/no, or the count); `None` when there is nothing to divide.
    pub value: Option<f64>,
    pub sample_size: Option<i64>,
    pub margin_of_error: Option<f64>,
    pub margin_computed: bool,
    pub note: Option<String>,
    pub cells: Vec<Cell>,
    /// Whether someone entered it (else Haven computed it, or nothing was entered).
    pub entered: bool,
}

impl PeriodFigure {
    fn empty(period: Period) -> PeriodFigure {
        PeriodFigure {
            period,
            numerator: None,
            denominator: None,
            value: None,
            sample_size: None,
            margin_of_error: None,
            margin_computed: false,
            note: None,
            cells: Vec::new(),
            entered: false,
        }
    }
}

/// The periods a project's dashboard shows: from the project's start (or six periods back) to
/// today's period, at most a year of months or two years of quarters, plus any earlier
/// period a value was entered for.
pub fn reporting_periods(kind: PeriodKind, start: Option<Date>, today: Date, entered: &[Entered]) -> Vec<Period> {
    let current = Period::containing(kind, today);
    let limit = if kind == PeriodKind::Month { 12 } else { 8 };
    // Without a start date, the last six periods.
    let from = start.map(|d| Period::containing(kind, d)).unwrap_or_else(|| (1..6).fold(current, |p, _| p.previous()));
    let mut out = Period::range(from, current, limit);
    if out.is_empty() {
        out.push(current);
    }
    for e in entered {
        if let Some(p) = Period::parse(kind, &e.period).filter(|p| *p <= current && !out.contains(p)) {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// The figures of `def` for each of `periods`.
pub async fn series(
    store: &Store,
    project: &Project,
    def: &Definition,
    periods: &[Period],
    entered: &[Entered],
    now: OffsetDateTime,
) -> Result<Vec<PeriodFigure>, StoreError> {
    let mine: Vec<&Entered> = entered.iter().filter(|e| e.code == def.code).collect();
    let mut out = Vec::new();
    for period in periods {
        let figure = match def.source {
            Source::Computed(Computation::DisabilityReached) => reached_to_date(project, &mine, period),
            Source::Computed(c) => {
                let f = compute(store, project, c, period, now).await?;
                PeriodFigure {
                    numerator: Some(f.numerator),
                    denominator: Some(f.denominator),
                    value: percent_of(f.numerator, f.denominator),
                    cells: f.cells,
                    ..PeriodFigure::empty(*period)
                }
            }
            _ => match mine.iter().find(|e| e.period == period.code()) {
                Some(e) => PeriodFigure {
                    period: *period,
                    numerator: e.numerator,
                    denominator: e.denominator,
                    value: Some(e.value),
                    sample_size: e.sample_size,
                    margin_of_error: e.margin_of_error,
                    margin_computed: e.margin_computed,
                    note: e.note.clone(),
                    cells: e.cells.clone(),
                    entered: true,
                },
                None => PeriodFigure::empty(*period),
            },
        };
        out.push(figure);
    }
    Ok(out)
}

/// Persons with disabilities reached up to the end of `period` (the sum of the periods'
/// entries), against the project's target population with disabilities.
fn reached_to_date(project: &Project, entered: &[&Entered], period: &Period) -> PeriodFigure {
    let upto: Vec<&&Entered> =
        entered.iter().filter(|e| Period::parse(period.kind, &e.period).is_some_and(|p| p <= *period)).collect();
    if upto.is_empty() {
        return PeriodFigure::empty(*period);
    }
    let (target, mut cells) = disability_target(project);
    let reached: i64 = upto.iter().filter_map(|e| e.numerator).sum();
    for e in &upto {
        for c in &e.cells {
            match cells.iter_mut().find(|x| x.dimension == c.dimension && x.key == c.key) {
                Some(x) => x.numerator += c.numerator,
                None => cells.push(Cell { denominator: None, ..c.clone() }),
            }
        }
    }
    cells.retain(|c| c.numerator > 0 || c.denominator.is_some_and(|d| d > 0));
    let in_period = entered.iter().find(|e| e.period == period.code());
    PeriodFigure {
        numerator: Some(reached),
        denominator: Some(target),
        value: percent_of(reached, target),
        note: in_period.and_then(|e| e.note.clone()),
        cells,
        entered: in_period.is_some(),
        ..PeriodFigure::empty(*period)
    }
}

/// An indicator's figure for a project over a quarter, to pool across the portfolio:
/// (numerator, denominator) for percents, (1 or 0, 1) for yes/no, (count, None) for counts.
/// `None` when the project has nothing for that quarter.
pub async fn quarter_figure(
    store: &Store,
    project: &Project,
    def: &Definition,
    quarter: &Period,
    entered: &[Entered],
    now: OffsetDateTime,
) -> Result<Option<(i64, Option<i64>)>, StoreError> {
    let mine: Vec<&Entered> = entered.iter().filter(|e| e.code == def.code).collect();
    let in_quarter = |e: &&&Entered| {
        [PeriodKind::Month, PeriodKind::Quarter]
            .into_iter()
            .filter_map(|k| Period::parse(k, &e.period))
            .any(|p| p.within(quarter))
    };
    Ok(match (def.source, def.unit) {
        (Source::Computed(Computation::DisabilityReached), _) => {
            let until = |e: &&&Entered| {
                [PeriodKind::Month, PeriodKind::Quarter]
                    .into_iter()
                    .filter_map(|k| Period::parse(k, &e.period))
                    .any(|p| p.start() < quarter.end())
            };
            let upto: Vec<&&Entered> = mine.iter().filter(until).collect();
            let (target, _) = disability_target(project);
            (!upto.is_empty()).then(|| (upto.iter().filter_map(|e| e.numerator).sum(), Some(target)))
        }
        (Source::Computed(c), _) => {
            let f = compute(store, project, c, quarter, now).await?;
            (f.denominator > 0).then_some((f.numerator, Some(f.denominator)))
        }
        (_, Unit::YesNo) => {
            mine.iter().filter(in_quarter).max_by(|a, b| a.period.cmp(&b.period)).map(|e| (e.value as i64, Some(1)))
        }
        (_, Unit::Count) => {
            let of: Vec<&&Entered> = mine.iter().filter(in_quarter).collect();
            (!of.is_empty()).then(|| (of.iter().filter_map(|e| e.numerator).sum(), None))
        }
        (_, Unit::Percent) => {
            let of: Vec<&&Entered> = mine.iter().filter(in_quarter).collect();
            let pair = |e: &&&Entered| match (e.numerator, e.denominator) {
                (Some(n), Some(d)) => (n, d),
                _ => {
                    let n = e.sample_size.unwrap_or(0);
                    ((e.value * n as f64 / 100.0).round() as i64, n)
                }
            };
            (!of.is_empty()).then(|| {
                let (n, d) = of.iter().map(pair).fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
                (n, Some(d))
            })
        }
    })
}

/// Copy the indicator tables into a new database (see [`crate::copy`]).
pub(crate) async fn copy(source: &crate::Pool, tx: &mut crate::Tx<'_>) -> Result<(), StoreError> {
    let plans: Vec<(Uuid, String, Uuid, OffsetDateTime)> = on_pool!(source, p => {
        sqlx::query_as("SELECT project_id, period_kind, updated_by, updated_at FROM indicator_plans").fetch_all(p).await
    })?;
    for r in &plans {
        on_tx!(tx, c => sqlx::query("INSERT INTO indicator_plans (project_id, period_kind, updated_by, updated_at) VALUES ($1, $2, $3, $4)")
            .bind(r.0).bind(&r.1).bind(r.2).bind(r.3).execute(c).await.map(|_| ()))?;
    }
    type LineRow = (Uuid, String, i64, Option<f64>, Option<f64>);
    let lines: Vec<LineRow> = on_pool!(source, p => {
        sqlx::query_as("SELECT project_id, code, position, baseline, target FROM indicator_plan_lines").fetch_all(p).await
    })?;
    for r in &lines {
        on_tx!(tx, c => sqlx::query("INSERT INTO indicator_plan_lines (project_id, code, position, baseline, target) VALUES ($1, $2, $3, $4, $5)")
            .bind(r.0).bind(&r.1).bind(r.2).bind(r.3).bind(r.4).execute(c).await.map(|_| ()))?;
    }
    type ValueRow = (
        Uuid,
        String,
        String,
        Option<i64>,
        Option<i64>,
        f64,
        Option<i64>,
        Option<f64>,
        bool,
        String,
        Option<String>,
        Uuid,
        OffsetDateTime,
    );
    let values: Vec<ValueRow> = on_pool!(source, p => {
        sqlx::query_as(
            "SELECT project_id, code, period, numerator, denominator, value, sample_size, margin_of_error, margin_computed,
                cells, note, entered_by, entered_at FROM indicator_values",
        )
        .fetch_all(p).await
    })?;
    for r in &values {
        on_tx!(tx, c => sqlx::query(
            "INSERT INTO indicator_values (project_id, code, period, numerator, denominator, value, sample_size,
                margin_of_error, margin_computed, cells, note, entered_by, entered_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)")
            .bind(r.0).bind(&r.1).bind(&r.2).bind(r.3).bind(r.4).bind(r.5).bind(r.6).bind(r.7).bind(r.8).bind(&r.9)
            .bind(&r.10).bind(r.11).bind(r.12).execute(c).await.map(|_| ()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn three_months_back_keeps_the_day_where_it_can() {
        assert_eq!(three_months_before(date!(2026 - 12 - 01)), date!(2026 - 09 - 01));
        assert_eq!(three_months_before(date!(2026 - 05 - 31)), date!(2026 - 02 - 28));
        assert_eq!(three_months_before(date!(2026 - 01 - 01)), date!(2025 - 10 - 01));
    }
}
