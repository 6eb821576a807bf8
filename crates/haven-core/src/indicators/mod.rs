//! Protection mainstreaming indicators: their definitions (from the `pm-indicators` catalog),
//! a project's plan (which it tracks, baseline, target, reporting period), values entered from
//! surveys and project records, and the small-cell protection of disaggregated figures.

mod entry;
mod period;
mod suppress;

pub use entry::{
    Cell, Keys, PlanInput, PlanLine, RawCell, RawPlan, RawPlanLine, RawValue, ValueInput, margin_of_error, percent_of,
};
pub use period::{Period, PeriodKind};
pub use suppress::{SMALL_CELL, Shown, TableRow, is_small, protect};

use serde_json::{Map, Value};

use crate::catalog::Localized;

/// What an indicator's figure is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    Percent,
    YesNo,
    Count,
}

coded!(Unit { Percent => "percent", YesNo => "yes-no", Count => "count" });

/// How Haven computes an indicator from its own records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Computation {
    FeedbackAnsweredInTime,
    FeedbackClosedWithLoop,
    CommitteeWomenShare,
    CommitteeAtRiskShare,
    SitesAudited3Months,
    AuditActionsClosedOnTime,
    /// Reached counts are entered per period; the target comes from the project register.
    DisabilityReached,
}

coded!(Computation {
    FeedbackAnsweredInTime => "feedback-answered-in-time",
    FeedbackClosedWithLoop => "feedback-closed-with-loop",
    CommitteeWomenShare => "committee-women-share",
    CommitteeAtRiskShare => "committee-at-risk-share",
    SitesAudited3Months => "sites-audited-3-months",
    AuditActionsClosedOnTime => "audit-actions-closed-on-time",
    DisabilityReached => "disability-reached",
});

/// Where an indicator's values come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    Survey,
    ProjectRecords,
    Computed(Computation),
}

impl Source {
    pub fn code(self) -> &'static str {
        match self {
            Source::Survey => "survey",
            Source::ProjectRecords => "project-records",
            Source::Computed(_) => "computed",
        }
    }
}

/// What a figure is broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dimension {
    Sex,
    Age,
    Disability,
    Location,
    PopulationGroup,
}

coded!(Dimension {
    Sex => "sex",
    Age => "age",
    Disability => "disability",
    Location => "location",
    PopulationGroup => "population-group",
});

/// One indicator of the catalog.
#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    pub code: String,
    pub principles: Vec<String>,
    pub unit: Unit,
    pub source: Source,
    pub disaggregation: Vec<Dimension>,
    pub name: Localized,
    pub description: Localized,
    pub numerator: Localized,
    pub denominator: Localized,
}

fn localized(extra: &Map<String, Value>, key: &str) -> Localized {
    extra.get(key).and_then(|v| serde_json::from_value(v.clone()).ok()).unwrap_or_default()
}

impl Definition {
    /// Read a catalog entry's fields; `None` when they do not describe an indicator.
    pub fn from_catalog(
        code: &str,
        name: Localized,
        description: Localized,
        extra: &Map<String, Value>,
    ) -> Option<Definition> {
        let unit = Unit::from_code(extra.get("unit")?.as_str()?)?;
        let source = match extra.get("data_source")?.as_str()? {
            "survey" => Source::Survey,
            "project-records" => Source::ProjectRecords,
            "computed" => Source::Computed(Computation::from_code(extra.get("computation")?.as_str()?)?),
            _ => return None,
        };
        let strings = |key: &str| -> Vec<String> {
            extra
                .get(key)
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
                .unwrap_or_default()
        };
        let disaggregation = strings("disaggregation").iter().filter_map(|d| Dimension::from_code(d)).collect();
        Some(Definition {
            code: code.to_owned(),
            principles: strings("principles"),
            unit,
            source,
            disaggregation,
            name,
            description,
            numerator: localized(extra, "numerator"),
            denominator: localized(extra, "denominator"),
        })
    }

    /// Whether values are typed in (surveys, project records, persons with disabilities
    /// reached) rather than computed from Haven's records alone.
    pub fn is_entered(&self) -> bool {
        !matches!(self.source, Source::Computed(c) if c != Computation::DisabilityReached)
    }

    /// Whether the figures count people, so that small cells could single someone out.
    /// Sites, audit actions, incidents and yes/no judgements are not people.
    pub fn counts_people(&self) -> bool {
        self.unit == Unit::Percent
            && !matches!(
                self.source,
                Source::Computed(Computation::SitesAudited3Months | Computation::AuditActionsClosedOnTime)
            )
    }

    /// The dimensions a value of this indicator may be broken down by.
    pub fn allows(&self, dimension: Dimension) -> bool {
        self.disaggregation.contains(&dimension)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extra(pairs: serde_json::Value) -> Map<String, Value> {
        pairs.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn a_catalog_entry_becomes_a_definition() {
        let e = extra(serde_json::json!({
            "unit": "percent", "data_source": "computed", "computation": "committee-women-share",
            "disaggregation": ["location", "galaxy"], "principles": ["participation-empowerment"],
            "numerator": {"en": "Women members"}
        }));
        let d = Definition::from_catalog("pmi-08a", Localized::default(), Localized::default(), &e).unwrap();
        assert_eq!(d.source, Source::Computed(Computation::CommitteeWomenShare));
        assert_eq!(d.disaggregation, [Dimension::Location]);
        assert_eq!(d.numerator.get("en"), "Women members");
        assert!(!d.is_entered() && d.counts_people());
        let bad = extra(serde_json::json!({"unit": "percent", "data_source": "computed", "computation": "guess"}));
        assert!(Definition::from_catalog("x", Localized::default(), Localized::default(), &bad).is_none());
    }

    #[test]
    fn sites_and_yes_no_judgements_are_not_people() {
        let of = |json: serde_json::Value| {
            Definition::from_catalog("x", Localized::default(), Localized::default(), &extra(json)).unwrap()
        };
        let sites = of(
            serde_json::json!({"unit": "percent", "data_source": "computed", "computation": "sites-audited-3-months"}),
        );
        let yes_no = of(serde_json::json!({"unit": "yes-no", "data_source": "project-records"}));
        let reached =
            of(serde_json::json!({"unit": "percent", "data_source": "computed", "computation": "disability-reached"}));
        assert!(!sites.counts_people() && !yes_no.counts_people() && reached.counts_people());
        assert!(reached.is_entered() && yes_no.is_entered() && !sites.is_entered());
    }
}
