//! Monitoring rounds, evaluation and lessons: the rules on values. A round covers a month or a
//! quarter of implementation and answers the implementation items again; the evaluation
//! closes the project once its mandatory items are answered; lessons learned are carried to
//! later projects that share a sector or a place.

use std::collections::BTreeMap;

use serde::Serialize;
use time::{Date, Month};

use crate::input::{FieldProblem, Problems, is_code, trimmed};

use super::{Answer, ChecklistItem, CyclePhase, Principle};

const MAX_TEXT: usize = 4_000;
const MAX_SECTORS: usize = 20;

/// The period a monitoring round covers: a calendar month (`2026-10`) or quarter (`2026-Q4`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    Month { year: i32, month: u8 },
    Quarter { year: i32, quarter: u8 },
}

impl Period {
    /// `YYYY-MM` or `YYYY-Qn`; anything else is `None`.
    pub fn parse(text: &str) -> Option<Period> {
        let text = text.trim();
        let (year, rest) = text.split_once('-')?;
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let year: i32 = year.parse().ok()?;
        if let Some(q) = rest.strip_prefix('Q').or_else(|| rest.strip_prefix('q')) {
            let quarter: u8 = q.parse().ok().filter(|n| (1..=4).contains(n) && q.len() == 1)?;
            return Some(Period::Quarter { year, quarter });
        }
        let month: u8 = rest.parse().ok().filter(|m| (1..=12).contains(m) && rest.len() == 2)?;
        Some(Period::Month { year, month })
    }

    pub fn code(&self) -> String {
        match self {
            Period::Month { year, month } => format!("{year:04}-{month:02}"),
            Period::Quarter { year, quarter } => format!("{year:04}-Q{quarter}"),
        }
    }

    /// `month` or `quarter`.
    pub fn kind(&self) -> &'static str {
        match self {
            Period::Month { .. } => "month",
            Period::Quarter { .. } => "quarter",
        }
    }

    /// The first and last month (1–12) it covers.
    fn months(&self) -> (i32, u8, u8) {
        match *self {
            Period::Month { year, month } => (year, month, month),
            Period::Quarter { year, quarter } => (year, quarter * 3 - 2, quarter * 3),
        }
    }

    /// Its first day.
    pub fn start(&self) -> Date {
        let (year, first, _) = self.months();
        Date::from_calendar_date(year, month_of(first), 1).unwrap_or(Date::MIN)
    }

    /// Its last day.
    pub fn end(&self) -> Date {
        let (year, _, last) = self.months();
        let month = month_of(last);
        Date::from_calendar_date(year, month, month.length(year)).unwrap_or(Date::MAX)
    }

    /// Whether two periods share a day (a month inside a quarter counts as the same period).
    pub fn overlaps(&self, other: &Period) -> bool {
        self.start() <= other.end() && other.start() <= self.end()
    }

    /// The months it covers and the `before` months that lead up to it, as `YYYY-MM`, oldest
    /// first: the window a round's feedback trend shows.
    pub fn trend_months(&self, before: u8) -> Vec<String> {
        let (year, first, last) = self.months();
        let index = |m: u8| year * 12 + i32::from(m) - 1;
        (index(first) - i32::from(before)..=index(last))
            .map(|i| format!("{:04}-{:02}", i.div_euclid(12), i.rem_euclid(12) + 1))
            .collect()
    }
}

fn month_of(n: u8) -> Month {
    Month::try_from(n).unwrap_or(Month::January)
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.code())
    }
}

/// Where a round stands: answers change while it is open; once completed it is frozen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RoundStatus {
    Open,
    Completed,
}

coded!(RoundStatus { Open => "open", Completed => "completed" });

/// Why a round cannot be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RoundRefusal {
    #[error("monitoring rounds are held while the project is in implementation")]
    NotImplementing,
    #[error("a round already covers this period")]
    PeriodTaken,
    #[error("the period has not begun")]
    PeriodInFuture,
}

impl RoundRefusal {
    pub fn code(self) -> &'static str {
        match self {
            RoundRefusal::NotImplementing => "not-implementing",
            RoundRefusal::PeriodTaken => "period-taken",
            RoundRefusal::PeriodInFuture => "period-in-future",
        }
    }
}

/// Check a period as sent: well formed and already begun on `today`. Whether it overlaps
/// another round is the store's to say.
pub fn check_period(text: Option<String>, today: Date) -> Result<Period, Result<FieldProblem, RoundRefusal>> {
    let Some(text) = trimmed(text) else {
        return Err(Ok(FieldProblem { field: "period", code: "required" }));
    };
    let period = Period::parse(&text).ok_or(Ok(FieldProblem { field: "period", code: "invalid-period" }))?;
    if period.start() > today {
        return Err(Err(RoundRefusal::PeriodInFuture));
    }
    Ok(period)
}

/// The items a round answers: the implementation-phase items of the project's checklist
/// version that apply to its sectors.
pub fn round_items<'a>(items: &'a [ChecklistItem], sectors: &[String]) -> Vec<&'a ChecklistItem> {
    items.iter().filter(|i| i.phase == CyclePhase::ImplementationMonitoring && i.applies_to(sectors)).collect()
}

/// Mandatory items among `items` without an answer: what holds a round's completion, or (with
/// the evaluation items) a project's closing.
pub fn unanswered_mandatory(items: &[&ChecklistItem], answers: &BTreeMap<String, Answer>) -> Vec<String> {
    items.iter().filter(|i| i.mandatory && !answers.contains_key(&i.code)).map(|i| i.code.clone()).collect()
}

/// The evaluation items of a project's checklist.
pub fn evaluation_items<'a>(items: &'a [ChecklistItem], sectors: &[String]) -> Vec<&'a ChecklistItem> {
    items.iter().filter(|i| i.phase == CyclePhase::Evaluation && i.applies_to(sectors)).collect()
}

/// A lesson learned, recorded during the evaluation.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct RawLesson {
    pub text: Option<String>,
    pub principle: Option<String>,
    pub sectors: Option<Vec<String>>,
    pub do_differently: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonInput {
    pub text: String,
    pub principle: Option<Principle>,
    /// Empty: the project's own sectors.
    pub sectors: Vec<String>,
    pub do_differently: String,
}

impl RawLesson {
    pub fn validate(self) -> Result<LessonInput, Vec<FieldProblem>> {
        let mut p = Problems::default();
        let text = p.text("text", self.text, MAX_TEXT);
        let principle = p.code("principle", self.principle, Principle::from_code);
        let mut sectors: Vec<String> =
            self.sectors.unwrap_or_default().into_iter().filter_map(|s| trimmed(Some(s))).collect();
        sectors.sort();
        sectors.dedup();
        if sectors.len() > MAX_SECTORS {
            p.add("sectors", "too-many");
        }
        if sectors.iter().any(|s| !is_code(s)) {
            p.add("sectors", "unknown-code");
        }
        let do_differently = p.text("do_differently", self.do_differently, MAX_TEXT);
        p.or(LessonInput { text, principle, sectors, do_differently })
    }
}

/// How a later project took a carried lesson into account, or why it did not.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct RawUptake {
    pub taken: Option<bool>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UptakeInput {
    pub taken: bool,
    /// How it was taken into account, or why not: required either way.
    pub note: String,
}

impl RawUptake {
    pub fn validate(self) -> Result<UptakeInput, Vec<FieldProblem>> {
        let mut p = Problems::default();
        if self.taken.is_none() {
            p.add("taken", "required");
        }
        let note = p.text("note", self.note, MAX_TEXT);
        p.or(UptakeInput { taken: self.taken.unwrap_or(false), note })
    }
}

/// Whether two location paths share ground: one place holds the other.
pub fn places_meet(a: &str, b: &str) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Localized;

    fn d(y: i32, m: u8, day: u8) -> Date {
        Date::from_calendar_date(y, month_of(m), day).unwrap()
    }

    #[test]
    fn periods_are_months_or_quarters() {
        let oct = Period::parse("2026-10").unwrap();
        assert_eq!(
            (oct.code(), oct.kind(), oct.start(), oct.end()),
            ("2026-10".into(), "month", d(2026, 10, 1), d(2026, 10, 31))
        );
        let q1 = Period::parse("2028-Q1").unwrap();
        assert_eq!((q1.code(), q1.start(), q1.end()), ("2028-Q1".into(), d(2028, 1, 1), d(2028, 3, 31)));
        assert_eq!(Period::parse("2026-02").unwrap().end(), d(2026, 2, 28));
        for bad in ["2026-13", "2026-Q5", "2026-1", "26-10", "2026-10-01", "2026", "", "2026-Q", "2026-Q11"] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_month_inside_a_quarter_overlaps_it() {
        let q4 = Period::parse("2026-Q4").unwrap();
        assert!(q4.overlaps(&Period::parse("2026-11").unwrap()));
        assert!(!q4.overlaps(&Period::parse("2026-09").unwrap()));
        assert!(Period::parse("2026-09").unwrap().overlaps(&Period::parse("2026-09").unwrap()));
    }

    #[test]
    fn the_trend_window_runs_up_to_the_periods_last_month() {
        assert_eq!(Period::parse("2026-02").unwrap().trend_months(2), ["2025-12", "2026-01", "2026-02"]);
        assert_eq!(Period::parse("2026-Q1").unwrap().trend_months(1), ["2025-12", "2026-01", "2026-02", "2026-03"]);
    }

    #[test]
    fn a_period_must_have_begun() {
        let today = d(2026, 11, 15);
        assert_eq!(check_period(Some("2026-11".into()), today), Ok(Period::Month { year: 2026, month: 11 }));
        assert_eq!(check_period(Some("2026-12".into()), today), Err(Err(RoundRefusal::PeriodInFuture)));
        assert_eq!(check_period(Some("2026-Q4".into()), today), Ok(Period::Quarter { year: 2026, quarter: 4 }));
        let bad = check_period(Some("Oct 2026".into()), today).unwrap_err().unwrap();
        assert_eq!((bad.field, bad.code), ("period", "invalid-period"));
        assert_eq!(check_period(None, today).unwrap_err().unwrap().code, "required");
    }

    fn item(code: &str, phase: CyclePhase, mandatory: bool) -> ChecklistItem {
        ChecklistItem {
            code: code.into(),
            phase,
            stage: None,
            principle: Principle::Accountability,
            mandatory,
            sectors: vec![],
            question: Localized::default(),
            guidance: Localized::default(),
            reference: String::new(),
        }
    }

    #[test]
    fn only_unanswered_mandatory_items_hold_completion() {
        let items = [
            item("im-01", CyclePhase::ImplementationMonitoring, true),
            item("im-02", CyclePhase::ImplementationMonitoring, false),
            item("ev-01", CyclePhase::Evaluation, true),
            item("ev-02", CyclePhase::Evaluation, true),
        ];
        let round = round_items(&items, &[]);
        assert_eq!(round.len(), 2);
        assert_eq!(unanswered_mandatory(&round, &BTreeMap::new()), ["im-01"]);
        let eval = evaluation_items(&items, &[]);
        let answers = BTreeMap::from([("ev-01".to_owned(), Answer::NotMet)]);
        assert_eq!(unanswered_mandatory(&eval, &answers), ["ev-02"], "any answer counts, even not met");
    }

    #[test]
    fn lessons_need_what_happened_and_what_to_do_differently() {
        let e = RawLesson { principle: Some("luck".into()), ..Default::default() }.validate().unwrap_err();
        let got: Vec<_> = e.iter().map(|p| (p.field, p.code)).collect();
        assert_eq!(got, [("text", "required"), ("principle", "unknown-code"), ("do_differently", "required")]);
        let ok = RawLesson {
            text: Some("Distributions after 15:00 exposed women to harassment on the way home".into()),
            principle: Some("safety-dignity-do-no-harm".into()),
            sectors: Some(vec!["shelter-non-food-items".into(), " shelter-non-food-items ".into()]),
            do_differently: Some("Schedule distributions in the morning from the start".into()),
        }
        .validate()
        .unwrap();
        assert_eq!(ok.sectors, ["shelter-non-food-items"]);
        let e = RawUptake { taken: None, note: None }.validate().unwrap_err();
        assert_eq!(e.len(), 2);
        assert!(
            RawUptake { taken: Some(false), note: Some("No distributions in this project".into()) }.validate().is_ok()
        );
    }

    #[test]
    fn places_meet_when_one_holds_the_other() {
        assert!(places_meet("/AZ/AZ01/", "/AZ/AZ01/AZ0102/"));
        assert!(places_meet("/AZ/AZ01/AZ0102/", "/AZ/AZ01/"));
        assert!(!places_meet("/AZ/AZ01/", "/AZ/AZ02/"));
    }
}
