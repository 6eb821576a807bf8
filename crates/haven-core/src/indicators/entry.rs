//! What an M&E officer types: a project's indicator plan, and a value for a period (survey
//! results with their sample and margin of error, counts from project records, persons with
//! disabilities reached). Every impossible figure is refused with the field it is in.

use serde::{Deserialize, Serialize};
use time::Date;

use super::{Computation, Definition, Dimension, Period, PeriodKind, Source, Unit};
use crate::input::{AGE_BRACKETS, FieldProblem, Problems};

/// More than this in one figure is a typing error.
const MAX_COUNT: i64 = 10_000_000;
const MAX_CELLS: usize = 200;
const MAX_NOTE: usize = 1_000;
/// z for a 95% confidence level.
const Z_95: f64 = 1.96;

/// The percent `numerator` is of `denominator`, when there is a denominator.
pub fn percent_of(numerator: i64, denominator: i64) -> Option<f64> {
    (denominator > 0).then(|| numerator as f64 * 100.0 / denominator as f64)
}

/// The 95% margin of error, in percentage points, of a proportion `percent` (0–100) measured
/// on a simple random sample of `n`: 1.96 × √(p(1−p)/n).
pub fn margin_of_error(percent: f64, n: i64) -> Option<f64> {
    if n < 1 {
        return None;
    }
    let p = (percent / 100.0).clamp(0.0, 1.0);
    Some(Z_95 * (p * (1.0 - p) / n as f64).sqrt() * 100.0)
}

/// A line of a plan as sent.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RawPlanLine {
    pub code: Option<String>,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
}

/// A project's indicator plan as sent.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RawPlan {
    /// `month` or `quarter`.
    pub period: Option<String>,
    pub indicators: Option<Vec<RawPlanLine>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanLine {
    pub code: String,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlanInput {
    pub period: PeriodKind,
    pub lines: Vec<PlanLine>,
}

fn in_unit(unit: Unit, v: f64) -> bool {
    v.is_finite()
        && match unit {
            Unit::Percent => (0.0..=100.0).contains(&v),
            Unit::YesNo => v == 0.0 || v == 1.0,
            Unit::Count => (0.0..=MAX_COUNT as f64).contains(&v),
        }
}

impl RawPlan {
    /// Check the plan against the catalog's indicators: known codes, each once, baselines
    /// and targets that the unit allows (percents 0–100, yes/no 0 or 1, counts not negative).
    pub fn validate(self, definitions: &[Definition]) -> Result<PlanInput, Vec<FieldProblem>> {
        let mut p = Problems::default();
        let period = match self.period.as_deref().map(str::trim) {
            None | Some("") => {
                p.add("period", "required");
                PeriodKind::Month
            }
            Some(code) => PeriodKind::from_code(code).unwrap_or_else(|| {
                p.add("period", "unknown-code");
                PeriodKind::Month
            }),
        };
        let mut lines: Vec<PlanLine> = Vec::new();
        for raw in self.indicators.unwrap_or_default() {
            let code = raw.code.map(|c| c.trim().to_owned()).unwrap_or_default();
            let Some(def) = definitions.iter().find(|d| d.code == code) else {
                p.add("indicators", "unknown-code");
                continue;
            };
            if lines.iter().any(|l| l.code == code) {
                p.add("indicators", "duplicate");
                continue;
            }
            if raw.baseline.is_some_and(|b| !in_unit(def.unit, b)) {
                p.add("baseline", "not-in-unit");
            }
            if raw.target.is_some_and(|t| !in_unit(def.unit, t)) {
                p.add("target", "not-in-unit");
            }
            lines.push(PlanLine { code, baseline: raw.baseline, target: raw.target });
        }
        p.or(PlanInput { period, lines })
    }
}

/// One disaggregated cell as sent.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RawCell {
    /// `sex`, `age`, `disability`, `location` or `population-group`.
    pub dimension: Option<String>,
    pub key: Option<String>,
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
}

/// One disaggregated cell, checked (also how cells are stored, as JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    pub dimension: String,
    pub key: String,
    pub numerator: i64,
    pub denominator: Option<i64>,
}

/// A value for a period as sent.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RawValue {
    pub period: Option<String>,
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
    /// A percent (0–100) when only the result and sample size are known; 1 or 0 for yes/no.
    pub value: Option<f64>,
    pub sample_size: Option<i64>,
    /// In percentage points at 95% confidence; computed from the result and sample when absent.
    pub margin_of_error: Option<f64>,
    pub cells: Option<Vec<RawCell>>,
    /// Where the figure comes from (the survey, the register).
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ValueInput {
    pub period: Period,
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
    /// The percent (or 1/0 for yes/no, or the count).
    pub value: f64,
    pub sample_size: Option<i64>,
    pub margin_of_error: Option<f64>,
    /// Whether Haven computed the margin of error (none was given).
    pub margin_computed: bool,
    pub cells: Vec<Cell>,
    pub note: Option<String>,
}

/// What the allowed keys of a dimension are, beyond the fixed lists: the project's places
/// and the population group codes.
pub struct Keys<'a> {
    pub places: &'a [String],
    pub groups: &'a [&'a str],
}

fn known_key(dimension: Dimension, key: &str, keys: &Keys<'_>) -> bool {
    match dimension {
        Dimension::Sex => ["f", "m", "x", "u"].contains(&key),
        Dimension::Age => AGE_BRACKETS.contains(&key),
        Dimension::Disability => ["yes", "no"].contains(&key),
        Dimension::Location => keys.places.iter().any(|p| p == key),
        Dimension::PopulationGroup => keys.groups.contains(&key),
    }
}

fn count(p: &mut Problems, field: &'static str, v: Option<i64>) -> Option<i64> {
    let v = v?;
    if (0..=MAX_COUNT).contains(&v) {
        Some(v)
    } else {
        p.add(field, "count-out-of-range");
        None
    }
}

fn not_applicable(p: &mut Problems, field: &'static str, given: bool) {
    if given {
        p.add(field, "not-applicable");
    }
}

/// How the figure of an indicator is given.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    /// Survey percent: counts, or a percent with the sample size; margin of error.
    Survey,
    /// Numerator and denominator from the project's records.
    Ratio,
    /// A count (reached persons, reported tensions).
    Count,
    YesNo,
}

fn shape(def: &Definition) -> Option<Shape> {
    Some(match (def.source, def.unit) {
        (_, Unit::YesNo) => Shape::YesNo,
        (_, Unit::Count) | (Source::Computed(Computation::DisabilityReached), _) => Shape::Count,
        (Source::Computed(_), _) => return None,
        (Source::Survey, Unit::Percent) => Shape::Survey,
        (Source::ProjectRecords, Unit::Percent) => Shape::Ratio,
    })
}

impl RawValue {
    /// Check a value of `def` for a period of `kind` no later than today's.
    pub fn validate(
        self,
        def: &Definition,
        kind: PeriodKind,
        today: Date,
        keys: &Keys<'_>,
    ) -> Result<ValueInput, Vec<FieldProblem>> {
        let mut p = Problems::default();
        let Some(shape) = shape(def) else {
            p.add("code", "computed");
            return Err(p.0);
        };
        let period = match self.period.as_deref().map(str::trim) {
            None | Some("") => {
                p.add("period", "required");
                None
            }
            Some(text) => Period::parse(kind, text).or_else(|| {
                p.add("period", "invalid-period");
                None
            }),
        };
        if period.is_some_and(|x| x.start() > today) {
            p.add("period", "in-the-future");
        }
        let mut numerator = count(&mut p, "numerator", self.numerator);
        let mut denominator = count(&mut p, "denominator", self.denominator);
        let mut sample_size = count(&mut p, "sample_size", self.sample_size);
        let mut margin = None;
        let mut margin_computed = false;
        let mut value = 0.0;
        match shape {
            Shape::YesNo => {
                not_applicable(&mut p, "numerator", numerator.is_some());
                not_applicable(&mut p, "denominator", denominator.is_some());
                match self.value {
                    None => p.add("value", "required"),
                    Some(v) if v == 0.0 || v == 1.0 => value = v,
                    Some(_) => p.add("value", "yes-or-no"),
                }
            }
            Shape::Count => {
                not_applicable(&mut p, "denominator", denominator.is_some());
                not_applicable(&mut p, "value", self.value.is_some());
                match numerator {
                    None if self.numerator.is_none() => p.add("numerator", "required"),
                    None => {}
                    Some(n) => value = n as f64,
                }
            }
            Shape::Ratio | Shape::Survey => {
                let counts_given = self.numerator.is_some() || self.denominator.is_some();
                if shape == Shape::Ratio || counts_given {
                    if self.numerator.is_none() {
                        p.add("numerator", "required");
                    }
                    if self.denominator.is_none() {
                        p.add("denominator", "required");
                    }
                    if denominator == Some(0) {
                        p.add("denominator", "zero-denominator");
                    }
                    if let (Some(n), Some(d)) = (numerator, denominator)
                        && n > d
                    {
                        p.add("numerator", "above-denominator");
                    }
                    if let (Some(n), Some(d)) = (numerator, denominator.filter(|d| *d > 0)) {
                        value = percent_of(n, d).unwrap_or(0.0);
                        if self.value.is_some_and(|v| (v - value).abs() > 0.5) {
                            p.add("value", "disagrees");
                        }
                    }
                } else {
                    match self.value {
                        None => p.add("value", "required"),
                        Some(v) if in_unit(Unit::Percent, v) => value = v,
                        Some(_) => p.add("value", "not-a-percent"),
                    }
                    if self.sample_size.is_none() {
                        p.add("sample_size", "required");
                    }
                }
                if shape == Shape::Ratio {
                    not_applicable(&mut p, "sample_size", sample_size.is_some());
                    not_applicable(&mut p, "margin_of_error", self.margin_of_error.is_some());
                } else {
                    if sample_size == Some(0) {
                        p.add("sample_size", "zero-sample");
                    }
                    if let (Some(s), Some(d)) = (sample_size, denominator)
                        && s < d
                    {
                        p.add("sample_size", "below-denominator");
                    }
                    sample_size = sample_size.or(denominator);
                    match self.margin_of_error {
                        Some(m) if m.is_finite() && m > 0.0 && m <= 100.0 => margin = Some(m),
                        Some(_) => p.add("margin_of_error", "margin-out-of-range"),
                        None => {
                            margin = margin_of_error(value, denominator.or(sample_size).unwrap_or(0));
                            margin_computed = margin.is_some();
                        }
                    }
                }
            }
        }
        if !matches!(shape, Shape::Ratio | Shape::Survey) {
            not_applicable(&mut p, "sample_size", sample_size.is_some());
            not_applicable(&mut p, "margin_of_error", self.margin_of_error.is_some());
            sample_size = None;
        }
        if shape == Shape::YesNo {
            numerator = None;
            denominator = None;
        }
        let with_denominators = denominator.is_some();
        let cells =
            cells(&mut p, def, self.cells.unwrap_or_default(), keys, (numerator, denominator), with_denominators);
        let note = p.optional_text("note", self.note, MAX_NOTE);
        let Some(period) = period else {
            return Err(p.0);
        };
        p.or(ValueInput {
            period,
            numerator,
            denominator,
            value,
            sample_size,
            margin_of_error: margin,
            margin_computed,
            cells,
            note,
        })
    }
}

/// Check the cells: allowed dimension and key, each once, numerators within denominators,
/// and no dimension adding up to more than the total.
fn cells(
    p: &mut Problems,
    def: &Definition,
    raw: Vec<RawCell>,
    keys: &Keys<'_>,
    total: (Option<i64>, Option<i64>),
    with_denominators: bool,
) -> Vec<Cell> {
    if raw.is_empty() {
        return Vec::new();
    }
    if total.0.is_none() {
        p.add("cells", "needs-counts");
        return Vec::new();
    }
    if raw.len() > MAX_CELLS {
        p.add("cells", "too-many");
        return Vec::new();
    }
    let mut out: Vec<Cell> = Vec::new();
    let flag = |code: &'static str, p: &mut Problems| {
        if !p.0.iter().any(|x| x.field == "cells" && x.code == code) {
            p.add("cells", code);
        }
    };
    for r in raw {
        let dimension = r.dimension.as_deref().map(str::trim).and_then(Dimension::from_code);
        let Some(dimension) = dimension.filter(|d| def.allows(*d)) else {
            flag("unknown-dimension", p);
            continue;
        };
        let key = r.key.map(|k| k.trim().to_owned()).unwrap_or_default();
        if !known_key(dimension, &key, keys) {
            flag("unknown-code", p);
            continue;
        }
        let numerator = r.numerator.filter(|n| (0..=MAX_COUNT).contains(n));
        let denominator = r.denominator.filter(|d| (0..=MAX_COUNT).contains(d));
        let Some(numerator) = numerator else {
            flag("bad-cell", p);
            continue;
        };
        if with_denominators != denominator.is_some() || r.denominator.is_some() != denominator.is_some() {
            flag("bad-cell", p);
            continue;
        }
        if denominator.is_some_and(|d| numerator > d) {
            flag("above-denominator", p);
        }
        if out.iter().any(|c| c.dimension == dimension.code() && c.key == key) {
            flag("repeated-cell", p);
            continue;
        }
        out.push(Cell { dimension: dimension.code().to_owned(), key, numerator, denominator });
    }
    for d in Dimension::ALL {
        let of: Vec<&Cell> = out.iter().filter(|c| c.dimension == d.code()).collect();
        let num: i64 = of.iter().map(|c| c.numerator).sum();
        let den: i64 = of.iter().filter_map(|c| c.denominator).sum();
        if total.0.is_some_and(|t| num > t) || total.1.is_some_and(|t| den > t) {
            flag("above-total", p);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::catalog::Localized;

    fn def(unit: &str, source: &str, computation: Option<&str>) -> Definition {
        let mut extra = serde_json::json!({
            "unit": unit, "data_source": source,
            "disaggregation": ["sex", "age", "disability", "location", "population-group"]
        });
        if let Some(c) = computation {
            extra["computation"] = c.into();
        }
        Definition::from_catalog("pmi-x", Localized::default(), Localized::default(), extra.as_object().unwrap())
            .unwrap()
    }

    const TODAY: Date = date!(2026 - 12 - 02);

    fn keys() -> Keys<'static> {
        const PLACES: &[String] = &[];
        Keys { places: PLACES, groups: &["idp", "host"] }
    }

    fn problems(r: Result<ValueInput, Vec<FieldProblem>>) -> Vec<(&'static str, &'static str)> {
        r.unwrap_err().into_iter().map(|p| (p.field, p.code)).collect()
    }

    fn cell(dimension: &str, key: &str, numerator: i64, denominator: Option<i64>) -> RawCell {
        RawCell { dimension: Some(dimension.into()), key: Some(key.into()), numerator: Some(numerator), denominator }
    }

    #[test]
    fn a_survey_result_gets_its_margin_of_error() {
        let v = RawValue {
            period: Some("2026-11".into()),
            numerator: Some(120),
            denominator: Some(200),
            sample_size: Some(210),
            cells: Some(vec![cell("sex", "f", 70, Some(110)), cell("sex", "m", 50, Some(90))]),
            ..Default::default()
        }
        .validate(&def("percent", "survey", None), PeriodKind::Month, TODAY, &keys())
        .unwrap();
        assert_eq!(v.value, 60.0);
        // 1.96 × √(0.6 × 0.4 / 200) = 6.79 percentage points.
        assert!((v.margin_of_error.unwrap() - 6.79).abs() < 0.01, "{:?}", v.margin_of_error);
        assert!(v.margin_computed);
        assert_eq!(v.cells.len(), 2);
    }

    #[test]
    fn a_percent_and_sample_size_are_enough() {
        let v = RawValue {
            period: Some("2026-Q3".into()),
            value: Some(72.5),
            sample_size: Some(384),
            margin_of_error: Some(4.5),
            ..Default::default()
        }
        .validate(&def("percent", "survey", None), PeriodKind::Quarter, TODAY, &keys())
        .unwrap();
        assert_eq!((v.value, v.sample_size, v.margin_of_error, v.margin_computed), (72.5, Some(384), Some(4.5), false));
    }

    #[test]
    fn impossible_survey_figures_are_refused_field_by_field() {
        let e = RawValue {
            period: Some("2027-01".into()),
            numerator: Some(30),
            denominator: Some(20),
            sample_size: Some(10),
            margin_of_error: Some(140.0),
            cells: Some(vec![
                cell("sex", "f", 12, Some(10)),
                cell("sex", "q", 1, Some(1)),
                cell("religion", "x", 1, Some(1)),
                cell("age", "18-59", 25, Some(25)),
            ]),
            ..Default::default()
        }
        .validate(&def("percent", "survey", None), PeriodKind::Month, TODAY, &keys());
        assert_eq!(
            problems(e),
            [
                ("period", "in-the-future"),
                ("numerator", "above-denominator"),
                ("sample_size", "below-denominator"),
                ("margin_of_error", "margin-out-of-range"),
                ("cells", "above-denominator"),
                ("cells", "unknown-code"),
                ("cells", "unknown-dimension"),
                ("cells", "above-total"),
            ]
        );
        let e = RawValue { period: Some("2026-13".into()), value: Some(101.0), ..Default::default() }.validate(
            &def("percent", "survey", None),
            PeriodKind::Month,
            TODAY,
            &keys(),
        );
        assert_eq!(
            problems(e),
            [("period", "invalid-period"), ("value", "not-a-percent"), ("sample_size", "required")]
        );
    }

    #[test]
    fn records_counts_and_yes_no_take_their_own_shapes() {
        let records = def("percent", "project-records", None);
        let e =
            RawValue { period: Some("2026-10".into()), numerator: Some(4), sample_size: Some(9), ..Default::default() }
                .validate(&records, PeriodKind::Month, TODAY, &keys());
        assert_eq!(problems(e), [("denominator", "required"), ("sample_size", "not-applicable")]);
        let yes_no = def("yes-no", "project-records", None);
        let e = RawValue { period: Some("2026-10".into()), value: Some(0.5), ..Default::default() }.validate(
            &yes_no,
            PeriodKind::Month,
            TODAY,
            &keys(),
        );
        assert_eq!(problems(e), [("value", "yes-or-no")]);
        let reached = def("percent", "computed", Some("disability-reached"));
        let v = RawValue {
            period: Some("2026-10".into()),
            numerator: Some(14),
            cells: Some(vec![cell("population-group", "idp", 9, None), cell("sex", "f", 8, None)]),
            ..Default::default()
        }
        .validate(&reached, PeriodKind::Month, TODAY, &keys())
        .unwrap();
        assert_eq!((v.value, v.denominator, v.cells.len()), (14.0, None, 2));
        let computed = def("percent", "computed", Some("feedback-closed-with-loop"));
        let e = RawValue::default().validate(&computed, PeriodKind::Month, TODAY, &keys());
        assert_eq!(problems(e), [("code", "computed")]);
    }

    #[test]
    fn a_plan_names_known_indicators_once_with_targets_in_their_unit() {
        let defs = [def("percent", "survey", None), def("yes-no", "project-records", None)];
        let mut defs = defs.to_vec();
        defs[1].code = "pmi-y".into();
        let line =
            |code: &str, target: f64| RawPlanLine { code: Some(code.into()), baseline: None, target: Some(target) };
        let e = RawPlan {
            period: Some("fortnight".into()),
            indicators: Some(vec![line("pmi-x", 120.0), line("pmi-x", 50.0), line("pmi-y", 2.0), line("pmi-z", 1.0)]),
        }
        .validate(&defs)
        .unwrap_err();
        let codes: Vec<_> = e.into_iter().map(|p| (p.field, p.code)).collect();
        assert_eq!(
            codes,
            [
                ("period", "unknown-code"),
                ("target", "not-in-unit"),
                ("indicators", "duplicate"),
                ("target", "not-in-unit"),
                ("indicators", "unknown-code")
            ]
        );
        let ok = RawPlan { period: Some("quarter".into()), indicators: Some(vec![line("pmi-x", 80.0)]) }
            .validate(&defs)
            .unwrap();
        assert_eq!((ok.period, ok.lines.len()), (PeriodKind::Quarter, 1));
    }

    #[test]
    fn the_margin_of_error_follows_the_textbook_formula() {
        // p = 0.5, n = 384: the classic ±5 points.
        assert!((margin_of_error(50.0, 384).unwrap() - 5.0).abs() < 0.01);
        assert_eq!(margin_of_error(50.0, 0), None);
    }
}
