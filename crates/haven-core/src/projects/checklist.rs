//! The protection checklist: items per phase × principle (general items and the standards of
//! each tagged sector), the answers, and the score per principle.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::catalog::{CatalogItem, Localized};
use crate::input::{FieldProblem, Problems, trimmed};

use super::{CyclePhase, Principle};

const MAX_JUSTIFICATION: usize = 4_000;
const MAX_LINK: usize = 2_000;

/// The two steps of the development-and-design phase: it opens with the situation and
/// vulnerability analysis, whose findings shape the design.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    Analysis,
    Design,
}

coded!(Stage { Analysis => "analysis", Design => "design" });

/// One checklist item, as the catalog version a project uses defines it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChecklistItem {
    pub code: String,
    pub phase: CyclePhase,
    pub stage: Option<Stage>,
    pub principle: Principle,
    pub mandatory: bool,
    /// Empty for the general items; else the sectors whose standard this is.
    pub sectors: Vec<String>,
    pub question: Localized,
    pub guidance: Localized,
    pub reference: String,
}

impl ChecklistItem {
    /// Read an item of the `checklist` catalog kind; the error names the faulty field.
    pub fn from_catalog(item: &CatalogItem) -> Result<ChecklistItem, (String, String)> {
        let bad = |field: &str, message: &str| (field.to_owned(), message.to_owned());
        let text = |field: &str| item.extra.get(field).and_then(|v| v.as_str());
        let phase = text("phase").and_then(CyclePhase::from_code).ok_or_else(|| bad("phase", "not a phase code"))?;
        let stage = match (phase, text("stage")) {
            (CyclePhase::DevelopmentDesign, Some(s)) => {
                Some(Stage::from_code(s).ok_or_else(|| bad("stage", "use analysis or design"))?)
            }
            (CyclePhase::DevelopmentDesign, None) => return Err(bad("stage", "required in development-design")),
            (_, Some(_)) => return Err(bad("stage", "only for development-design")),
            (_, None) => None,
        };
        let principle =
            text("principle").and_then(Principle::from_code).ok_or_else(|| bad("principle", "not a principle code"))?;
        let mandatory =
            item.extra.get("mandatory").and_then(|v| v.as_bool()).ok_or_else(|| bad("mandatory", "true or false"))?;
        let sectors = match item.extra.get("sectors") {
            None => Vec::new(),
            Some(v) => v
                .as_array()
                .and_then(|a| a.iter().map(|s| s.as_str().map(str::to_owned)).collect::<Option<Vec<_>>>())
                .ok_or_else(|| bad("sectors", "a list of sector codes"))?,
        };
        Ok(ChecklistItem {
            code: item.code.clone(),
            phase,
            stage,
            principle,
            mandatory,
            sectors,
            question: item.name.clone(),
            guidance: item.description.clone(),
            reference: text("reference").unwrap_or_default().to_owned(),
        })
    }

    /// A general item, or the standard of one of the project's sectors.
    pub fn applies_to(&self, project_sectors: &[String]) -> bool {
        self.sectors.is_empty() || self.sectors.iter().any(|s| project_sectors.contains(s))
    }

    /// Counts towards the endorsement gate: the analysis, design and endorsement items.
    pub fn before_endorsement(&self) -> bool {
        matches!(self.phase, CyclePhase::DevelopmentDesign | CyclePhase::Endorsement)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Met,
    Partly,
    NotMet,
    #[serde(rename = "na")]
    NotApplicable,
}

coded!(Answer { Met => "met", Partly => "partly", NotMet => "not_met", NotApplicable => "na" });

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RawAnswer {
    pub answer: Option<String>,
    pub justification: Option<String>,
    pub evidence_link: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerInput {
    pub answer: Answer,
    pub justification: Option<String>,
    pub evidence_link: Option<String>,
}

impl RawAnswer {
    /// Every answer but "met" must say why.
    pub fn validate(self) -> Result<AnswerInput, Vec<FieldProblem>> {
        let mut p = Problems::default();
        let answer = match trimmed(self.answer) {
            None => {
                p.add("answer", "required");
                None
            }
            Some(a) => p.code("answer", Some(a), Answer::from_code),
        };
        let justification = p.optional_text("justification", self.justification, MAX_JUSTIFICATION);
        if answer.is_some_and(|a| a != Answer::Met) && justification.is_none() {
            p.add("justification", "justification-required");
        }
        let evidence_link = p.optional_text("evidence_link", self.evidence_link, MAX_LINK);
        if evidence_link.as_deref().is_some_and(|l| !(l.starts_with("https://") || l.starts_with("http://"))) {
            p.add("evidence_link", "invalid-link");
        }
        match answer {
            Some(answer) => p.or(AnswerInput { answer, justification, evidence_link }),
            None => Err(p.0),
        }
    }
}

/// A principle's score: the share of applicable items answered "met".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PrincipleScore {
    pub principle: Principle,
    pub met: u32,
    /// Items not answered "not applicable" (unanswered items count: they are not met yet).
    pub applicable: u32,
}

impl PrincipleScore {
    /// Whole percent, or `None` when no item applies.
    pub fn percent(&self) -> Option<u32> {
        (self.applicable > 0).then(|| (self.met * 100 + self.applicable / 2) / self.applicable)
    }
}

/// The score of each principle over `items` (already narrowed to a phase or a round), with
/// `answers` by item code.
pub fn principle_scores(items: &[&ChecklistItem], answers: &BTreeMap<String, Answer>) -> Vec<PrincipleScore> {
    Principle::ALL
        .iter()
        .map(|&principle| {
            let mut score = PrincipleScore { principle, met: 0, applicable: 0 };
            for item in items.iter().filter(|i| i.principle == principle) {
                match answers.get(&item.code) {
                    Some(Answer::NotApplicable) => {}
                    Some(Answer::Met) => {
                        score.met += 1;
                        score.applicable += 1;
                    }
                    _ => score.applicable += 1,
                }
            }
            score
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::CatalogFile;

    fn item(code: &str, principle: Principle) -> ChecklistItem {
        ChecklistItem {
            code: code.into(),
            phase: CyclePhase::ImplementationMonitoring,
            stage: None,
            principle,
            mandatory: false,
            sectors: vec![],
            question: Localized::default(),
            guidance: Localized::default(),
            reference: String::new(),
        }
    }

    const ONE_ITEM: &str = r#"
kind = "checklist"
version = "t"
[[items]]
code = "sa-01"
name = { en = "Was a risk analysis done?" }
phase = "development-design"
stage = "analysis"
principle = "safety-dignity-do-no-harm"
mandatory = true
sectors = []
"#;

    #[test]
    fn reads_catalog_items_and_names_bad_fields() {
        let file = CatalogFile::parse("checklist.toml", ONE_ITEM).unwrap();
        let first = ChecklistItem::from_catalog(&file.items[0]).unwrap();
        assert_eq!(
            (first.phase, first.stage, first.mandatory),
            (CyclePhase::DevelopmentDesign, Some(Stage::Analysis), true)
        );
        assert!(first.applies_to(&[]));
        assert!(first.before_endorsement());
        let bad = ONE_ITEM.replace("phase = \"development-design\"", "phase = \"evaluation\"");
        let e = CatalogFile::parse("checklist.toml", &bad).unwrap_err();
        assert_eq!(e.to_string(), "checklist.toml: item 1: field 'stage': only for development-design");
        let bad = ONE_ITEM.replace("mandatory = true", "mandatory = \"yes\"");
        let e = CatalogFile::parse("checklist.toml", &bad).unwrap_err();
        assert_eq!(e.to_string(), "checklist.toml: item 1: field 'mandatory': true or false");
    }

    #[test]
    fn sector_standards_apply_only_to_their_sectors() {
        let mut i = item("sec-shelter-01", Principle::SafetyDignityDoNoHarm);
        i.sectors = vec!["shelter-non-food-items".into()];
        assert!(i.applies_to(&["shelter-non-food-items".into(), "health-support".into()]));
        assert!(!i.applies_to(&["health-support".into()]));
    }

    #[test]
    fn every_answer_but_met_needs_a_justification() {
        let raw = |a: &str, j: Option<&str>| RawAnswer {
            answer: Some(a.into()),
            justification: j.map(str::to_owned),
            evidence_link: None,
        };
        assert!(raw("met", None).validate().is_ok());
        for a in ["partly", "not_met", "na"] {
            let e = raw(a, None).validate().unwrap_err();
            assert_eq!((e[0].field, e[0].code), ("justification", "justification-required"), "{a}");
            assert!(raw(a, Some("Distribution site not chosen yet")).validate().is_ok());
        }
        let e = raw("maybe", None).validate().unwrap_err();
        assert_eq!((e[0].field, e[0].code), ("answer", "unknown-code"));
        let e =
            RawAnswer { evidence_link: Some("file:///etc/passwd".into()), ..raw("met", None) }.validate().unwrap_err();
        assert_eq!(e[0].code, "invalid-link");
    }

    #[test]
    fn scores_count_met_over_applicable() {
        let items = [
            item("a", Principle::Accountability),
            item("b", Principle::Accountability),
            item("c", Principle::Accountability),
            item("d", Principle::MeaningfulAccess),
        ];
        let refs: Vec<&ChecklistItem> = items.iter().collect();
        let answers = BTreeMap::from([
            ("a".to_owned(), Answer::Met),
            ("b".to_owned(), Answer::NotApplicable),
            ("d".to_owned(), Answer::Partly),
        ]);
        let scores = principle_scores(&refs, &answers);
        let acc = scores.iter().find(|s| s.principle == Principle::Accountability).unwrap();
        assert_eq!((acc.met, acc.applicable, acc.percent()), (1, 2, Some(50)));
        let access = scores.iter().find(|s| s.principle == Principle::MeaningfulAccess).unwrap();
        assert_eq!(access.percent(), Some(0));
        let safety = scores.iter().find(|s| s.principle == Principle::SafetyDignityDoNoHarm).unwrap();
        assert_eq!(safety.percent(), None);
    }
}
