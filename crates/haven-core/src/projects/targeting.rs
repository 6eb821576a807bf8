//! Selection criteria that can never discriminate. Criteria are structured (an attribute from
//! a closed list of needs-based attributes, a condition, a weight or an eligibility rule) so
//! the guard can read them; attributes on prohibited grounds are refused with the ground, and
//! free-text notes that bring such a ground back in are refused too.

use serde::{Deserialize, Serialize};

use crate::input::{FieldProblem, Problems, trimmed};
use crate::text::fold_for_search;

const MAX_CRITERIA: usize = 40;
const MAX_CONDITION: usize = 300;
const MAX_NOTES: usize = 1_000;

/// How people are selected: everyone in the project's locations, or by criteria.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetingMode {
    Blanket,
    Criteria,
}

coded!(TargetingMode { Blanket => "blanket", Criteria => "criteria" });

/// The needs-based attributes a criterion may use (domain notes §8.3: needs and exposure to
/// risk, never membership of a group).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Attribute {
    Age,
    Disability,
    SpecificNeed,
    HouseholdSize,
    HouseholdComposition,
    DependencyRatio,
    ExposureToRisk,
    ShelterCondition,
    DocumentationLoss,
    FoodInsecurity,
    DistanceToServices,
    /// Allowed only where the need differs by sex (dignity kits, menstrual hygiene), and the
    /// notes must say which need.
    SexSpecificNeed,
}

coded!(Attribute {
    Age => "age",
    Disability => "disability",
    SpecificNeed => "specific-need",
    HouseholdSize => "household-size",
    HouseholdComposition => "household-composition",
    DependencyRatio => "dependency-ratio",
    ExposureToRisk => "exposure-to-risk",
    ShelterCondition => "shelter-condition",
    DocumentationLoss => "documentation-loss",
    FoodInsecurity => "food-insecurity",
    DistanceToServices => "distance-to-services",
    SexSpecificNeed => "sex-specific-need",
});

/// Grounds on which assistance must never distinguish between people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ground {
    Nationality,
    Ethnicity,
    Religion,
    PoliticalOpinion,
    Clan,
    Caste,
    LanguageGroup,
    Sogiesc,
    LegalStatus,
}

coded!(Ground {
    Nationality => "nationality",
    Ethnicity => "ethnicity",
    Religion => "religion",
    PoliticalOpinion => "political-opinion",
    Clan => "clan",
    Caste => "caste",
    LanguageGroup => "language-group",
    Sogiesc => "sogiesc",
    LegalStatus => "legal-status",
});

/// Words that name each ground, folded (lower case, no diacritics, Arabic variants folded),
/// in English, French, Spanish and Arabic. A phrase matches as consecutive words.
const GROUND_TERMS: &[(Ground, &[&str])] = &[
    (
        Ground::Nationality,
        &[
            "nationality",
            "nationalities",
            "citizenship",
            "national origin",
            "country of origin",
            "nationalite",
            "citoyennete",
            "nacionalidad",
            "ciudadania",
            "الجنسيه",
            "جنسيه",
            "المواطنه",
        ],
    ),
    (
        Ground::Ethnicity,
        &[
            "ethnicity",
            "ethnic",
            "race",
            "racial",
            "ethnie",
            "ethnique",
            "etnia",
            "etnico",
            "etnica",
            "raza",
            "العرق",
            "عرق",
            "عرقي",
            "الاثنيه",
            "اثنيه",
        ],
    ),
    (
        Ground::Religion,
        &[
            "religion",
            "religious",
            "faith",
            "belief",
            "sect",
            "denomination",
            "muslim",
            "christian",
            "yazidi",
            "sunni",
            "shia",
            "religieux",
            "religieuse",
            "croyance",
            "confession",
            "religioso",
            "religiosa",
            "creencia",
            "الدين",
            "دين",
            "ديانه",
            "الديانه",
            "مذهب",
            "المذهب",
            "طائفه",
            "الطائفه",
        ],
    ),
    (
        Ground::PoliticalOpinion,
        &[
            "political opinion",
            "political opinions",
            "political affiliation",
            "political party",
            "party membership",
            "opinion politique",
            "appartenance politique",
            "parti politique",
            "opinion politica",
            "afiliacion politica",
            "partido politico",
            "الرأي السياسي",
            "الانتماء السياسي",
            "الانتماء الحزبي",
        ],
    ),
    (Ground::Clan, &["clan", "clans", "tribe", "tribal", "tribu", "clanique", "القبيله", "قبيله", "العشيره", "عشيره"]),
    (
        Ground::Caste,
        &["caste", "castes", "casta", "social class", "classe sociale", "clase social", "الطبقه الاجتماعيه"],
    ),
    (
        Ground::LanguageGroup,
        &["language group", "mother tongue", "groupe linguistique", "langue maternelle", "lengua materna", "اللغه الام"],
    ),
    (
        Ground::Sogiesc,
        &[
            "sogiesc",
            "sexual orientation",
            "gender identity",
            "lgbt",
            "lgbti",
            "lgbtiq",
            "gay",
            "lesbian",
            "transgender",
            "orientation sexuelle",
            "identite de genre",
            "orientacion sexual",
            "identidad de genero",
            "الميول الجنسيه",
            "التوجه الجنسي",
            "الهويه الجنسانيه",
        ],
    ),
    (
        Ground::LegalStatus,
        &[
            "legal status",
            "migration status",
            "immigration status",
            "residency status",
            "undocumented",
            "statut migratoire",
            "statut juridique",
            "estatus migratorio",
            "situacion migratoria",
            "الوضع القانوني",
        ],
    ),
];

/// Folded words of a text, for matching ground terms as whole words.
fn words(text: &str) -> Vec<String> {
    fold_for_search(text).split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_owned).collect()
}

/// The first prohibited ground a text names, if any (whole words or phrases).
pub fn screen_notes(text: &str) -> Option<Ground> {
    let found = words(text);
    GROUND_TERMS.iter().find_map(|(ground, terms)| {
        terms
            .iter()
            .any(|term| {
                let term: Vec<String> = words(term);
                !term.is_empty() && found.windows(term.len()).any(|w| w == term.as_slice())
            })
            .then_some(*ground)
    })
}

/// What a criterion does with its attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "value")]
pub enum Rule {
    /// Who meets the condition is eligible; others are not.
    Eligibility,
    /// Meeting the condition adds this weight (1–100) to a priority score.
    Weight(u8),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    pub attribute: Attribute,
    pub condition: String,
    pub rule: Rule,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Targeting {
    /// `None`: not decided yet (the gate is not passed).
    pub mode: Option<TargetingMode>,
    pub criteria: Vec<Criterion>,
}

/// Why a criterion was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The attribute is a prohibited ground.
    ProhibitedAttribute(Ground),
    /// The condition or the notes bring a prohibited ground in.
    ProhibitedText(Ground),
    /// Not a known needs-based attribute.
    UnknownAttribute,
    /// A sex-specific need must say which need.
    NeedNotStated,
}

impl Refusal {
    /// Stable code: the suffix of the explanation's translation key.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::ProhibitedAttribute(_) | Refusal::ProhibitedText(_) => "prohibited-ground",
            Refusal::UnknownAttribute => "unknown-attribute",
            Refusal::NeedNotStated => "need-not-stated",
        }
    }

    pub fn ground(self) -> Option<Ground> {
        match self {
            Refusal::ProhibitedAttribute(g) | Refusal::ProhibitedText(g) => Some(g),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RawCriterion {
    pub attribute: Option<String>,
    pub condition: Option<String>,
    /// Present for a weighted criterion; absent (or `eligibility: true`) for an eligibility rule.
    pub weight: Option<i64>,
    pub eligibility: Option<bool>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RawTargeting {
    pub mode: Option<String>,
    pub criteria: Option<Vec<RawCriterion>>,
}

impl RawCriterion {
    /// Check one criterion: its shape, then the guard.
    pub fn check(self) -> Result<Criterion, Refusal> {
        let attribute_text = trimmed(self.attribute).unwrap_or_default();
        let key = attribute_text.to_ascii_lowercase().replace(['_', ' '], "-");
        let attribute = match Attribute::from_code(&key) {
            Some(a) => a,
            None => {
                return Err(screen_notes(&attribute_text)
                    .or_else(|| Ground::from_code(&key))
                    .map(Refusal::ProhibitedAttribute)
                    .unwrap_or(Refusal::UnknownAttribute));
            }
        };
        let condition = trimmed(self.condition).unwrap_or_default();
        let notes = trimmed(self.notes);
        for text in [Some(&condition), notes.as_ref()].into_iter().flatten() {
            if let Some(g) = screen_notes(text) {
                return Err(Refusal::ProhibitedText(g));
            }
        }
        if attribute == Attribute::SexSpecificNeed && notes.is_none() {
            return Err(Refusal::NeedNotStated);
        }
        let rule = match (self.weight, self.eligibility) {
            (Some(w), None | Some(false)) => Rule::Weight(u8::try_from(w).unwrap_or(0)),
            _ => Rule::Eligibility,
        };
        Ok(Criterion { attribute, condition, rule, notes })
    }
}

impl RawTargeting {
    pub fn validate(self) -> Result<Targeting, Vec<FieldProblem>> {
        let mut p = Problems::default();
        let mode = p.code("targeting.mode", self.mode, TargetingMode::from_code);
        let raw = self.criteria.unwrap_or_default();
        if raw.len() > MAX_CRITERIA {
            p.add("targeting.criteria", "too-many");
        }
        let mut criteria = Vec::new();
        for r in raw {
            if trimmed(r.condition.clone()).is_none() {
                p.add("targeting.criteria", "condition-required");
                continue;
            }
            if r.condition.as_deref().is_some_and(|c| c.chars().count() > MAX_CONDITION)
                || r.notes.as_deref().is_some_and(|n| n.chars().count() > MAX_NOTES)
            {
                p.add("targeting.criteria", "too-long");
                continue;
            }
            if r.weight.is_some_and(|w| !(1..=100).contains(&w)) {
                p.add("targeting.criteria", "weight-out-of-range");
                continue;
            }
            match r.check() {
                Ok(c) => criteria.push(c),
                Err(refusal) => p.add("targeting.criteria", refusal.code()),
            }
        }
        if mode == Some(TargetingMode::Blanket) && !criteria.is_empty() {
            p.add("targeting.mode", "blanket-with-criteria");
        }
        p.or(Targeting { mode, criteria })
    }
}

impl Targeting {
    /// The guard as the gate applies it: a decided mode, criteria when selecting by criteria,
    /// and every criterion still clear (the term lists can grow after a criterion was saved).
    pub fn passes(&self) -> bool {
        match self.mode {
            None => false,
            Some(TargetingMode::Blanket) => self.criteria.is_empty(),
            Some(TargetingMode::Criteria) => {
                !self.criteria.is_empty()
                    && self.criteria.iter().all(|c| {
                        [Some(&c.condition), c.notes.as_ref()].into_iter().flatten().all(|t| screen_notes(t).is_none())
                    })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn criterion(attribute: &str, condition: &str, notes: Option<&str>) -> RawCriterion {
        RawCriterion {
            attribute: Some(attribute.into()),
            condition: Some(condition.into()),
            notes: notes.map(str::to_owned),
            ..Default::default()
        }
    }

    #[test]
    fn needs_based_criteria_pass() {
        for (a, c) in [
            ("age", "60 or older"),
            ("disability", "difficulty walking (Washington Group: a lot or cannot)"),
            ("specific_need", "unaccompanied child"),
            ("Household composition", "female-headed with children under 5"),
            ("exposure-to-risk", "living within 1 km of the front line"),
        ] {
            assert!(criterion(a, c, None).check().is_ok(), "{a}");
        }
    }

    #[test]
    fn prohibited_attributes_are_refused_with_their_ground() {
        for (a, g) in [
            ("nationality", Ground::Nationality),
            ("Ethnicity", Ground::Ethnicity),
            ("religion", Ground::Religion),
            ("political_opinion", Ground::PoliticalOpinion),
            ("clan", Ground::Clan),
            ("sexual orientation", Ground::Sogiesc),
            ("Nationalité", Ground::Nationality),
            ("الدين", Ground::Religion),
            ("القبيلة", Ground::Clan),
            ("religión", Ground::Religion),
        ] {
            assert_eq!(criterion(a, "any", None).check(), Err(Refusal::ProhibitedAttribute(g)), "{a}");
        }
        assert_eq!(criterion("shoe size", "42", None).check(), Err(Refusal::UnknownAttribute));
    }

    #[test]
    fn a_ground_brought_back_in_the_text_is_refused() {
        let c = criterion("household-size", "6 or more", Some("only Yazidi families"));
        assert_eq!(c.check(), Err(Refusal::ProhibitedText(Ground::Religion)));
        let c = criterion("specific-need", "from the majority tribe", None);
        assert_eq!(c.check(), Err(Refusal::ProhibitedText(Ground::Clan)));
        // Whole words only: "classroom" is not "class", "sectoral" is not "sect".
        let c = criterion("distance-to-services", "more than 5 km to a classroom", Some("sectoral guidance"));
        assert!(c.check().is_ok());
    }

    #[test]
    fn a_sex_specific_need_must_say_which() {
        assert_eq!(criterion("sex-specific-need", "women and girls 12-49", None).check(), Err(Refusal::NeedNotStated));
        assert!(
            criterion("sex-specific-need", "women and girls 12-49", Some("menstrual hygiene kits")).check().is_ok()
        );
    }

    #[test]
    fn the_gate_needs_a_decided_mode_and_criteria_when_selecting() {
        let mut t = Targeting::default();
        assert!(!t.passes());
        t.mode = Some(TargetingMode::Blanket);
        assert!(t.passes());
        t.mode = Some(TargetingMode::Criteria);
        assert!(!t.passes());
        t.criteria.push(criterion("age", "60+", None).check().unwrap());
        assert!(t.passes());
    }

    #[test]
    fn validation_reports_each_refusal() {
        let raw = RawTargeting {
            mode: Some("criteria".into()),
            criteria: Some(vec![
                criterion("nationality", "Syrian", None),
                criterion("age", "60+", None),
                RawCriterion { weight: Some(500), ..criterion("disability", "any", None) },
            ]),
        };
        let e = raw.validate().unwrap_err();
        let codes: Vec<_> = e.iter().map(|p| p.code).collect();
        assert_eq!(codes, ["prohibited-ground", "weight-out-of-range"]);
    }
}
