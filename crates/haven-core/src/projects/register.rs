//! The project register: what a project is, checked field by field.

use serde::{Deserialize, Serialize};
use time::Date;
use uuid::Uuid;

use crate::feedback::Sex;
use crate::input::{FieldProblem, Problems, is_code, trimmed};

use super::targeting::{RawTargeting, Targeting};

const MAX_CODE: usize = 40;
const MAX_TITLE: usize = 200;
const MAX_SUMMARY: usize = 4_000;
const MAX_PARTNER: usize = 200;
const MAX_LIST: usize = 50;
const MAX_CELLS: usize = 400;
const MAX_SELECTION_NOTES: usize = 4_000;

/// Where in a crisis the project sits (MCOF framing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CrisisPhase {
    Before,
    During,
    After,
}

coded!(CrisisPhase { Before => "before", During => "during", After => "after" });

/// How the project relates to protection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Dimension {
    Mainstreaming,
    Integration,
    Specialised,
}

coded!(Dimension { Mainstreaming => "mainstreaming", Integration => "integration", Specialised => "specialised" });

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PopulationGroup {
    Idp,
    Refugee,
    Migrant,
    Returnee,
    Host,
}

coded!(PopulationGroup { Idp => "idp", Refugee => "refugee", Migrant => "migrant", Returnee => "returnee", Host => "host" });

/// The seeds' four phases of the project cycle (catalog kind `phases`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CyclePhase {
    DevelopmentDesign,
    Endorsement,
    ImplementationMonitoring,
    Evaluation,
}

coded!(CyclePhase {
    DevelopmentDesign => "development-design",
    Endorsement => "endorsement",
    ImplementationMonitoring => "implementation-monitoring",
    Evaluation => "evaluation",
});

/// Where the project stands with the endorsement gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProjectStatus {
    /// Not endorsed yet.
    Draft,
    Endorsed,
    /// Was endorsed; a material change opened the gate again.
    Reopened,
    /// Evaluated and closed.
    Closed,
}

coded!(ProjectStatus { Draft => "draft", Endorsed => "endorsed", Reopened => "reopened", Closed => "closed" });

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhaseError {
    #[error("a project moves to implementation only once endorsed")]
    NotEndorsed,
    #[error("the project is closed")]
    Closed,
    #[error("the evaluation is the last phase")]
    LastPhase,
}

/// The phase after `phase`. Implementation needs an endorsed project: the gate stands
/// between design and delivery.
pub fn next_phase(phase: CyclePhase, status: ProjectStatus) -> Result<CyclePhase, PhaseError> {
    if status == ProjectStatus::Closed {
        return Err(PhaseError::Closed);
    }
    match phase {
        CyclePhase::DevelopmentDesign => Ok(CyclePhase::Endorsement),
        CyclePhase::Endorsement if status == ProjectStatus::Endorsed => Ok(CyclePhase::ImplementationMonitoring),
        CyclePhase::Endorsement => Err(PhaseError::NotEndorsed),
        CyclePhase::ImplementationMonitoring => Ok(CyclePhase::Evaluation),
        CyclePhase::Evaluation => Err(PhaseError::LastPhase),
    }
}

/// One cell of the target population: how many people of a sex, age bracket, disability and
/// population group the project means to reach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetCell {
    pub sex: Sex,
    pub age_bracket: String,
    pub disability: bool,
    pub group: PopulationGroup,
    pub count: u32,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RawTargetCell {
    pub sex: Option<String>,
    pub age_bracket: Option<String>,
    pub disability: Option<bool>,
    pub group: Option<String>,
    pub count: Option<i64>,
}

/// A project as sent by a form or the API: every field optional and untyped, so that each
/// problem is reported against its field.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RawProject {
    pub code: Option<String>,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub sectors: Option<Vec<String>>,
    pub crisis_phase: Option<String>,
    pub locations: Option<Vec<String>>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub partners: Option<Vec<String>>,
    pub dimension: Option<String>,
    pub pillars: Option<Vec<String>>,
    pub action_types: Option<Vec<String>>,
    pub manager_id: Option<Uuid>,
    pub focal_point_id: Option<Uuid>,
    pub target_population: Option<Vec<RawTargetCell>>,
    pub at_risk_groups: Option<Vec<String>>,
    pub selection_notes: Option<String>,
    pub targeting: Option<RawTargeting>,
}

/// A checked project. Catalog codes are well formed; whether they exist in the catalog, and
/// whether the users exist, is checked by the caller against the store.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectInput {
    pub code: String,
    pub title: String,
    pub summary: Option<String>,
    pub sectors: Vec<String>,
    pub crisis_phase: Option<CrisisPhase>,
    pub locations: Vec<String>,
    pub start_date: Option<Date>,
    pub end_date: Option<Date>,
    pub partners: Vec<String>,
    pub dimension: Dimension,
    pub pillars: Vec<String>,
    pub action_types: Vec<String>,
    pub manager_id: Option<Uuid>,
    pub focal_point_id: Option<Uuid>,
    pub target_population: Vec<TargetCell>,
    pub at_risk_groups: Vec<String>,
    pub selection_notes: Option<String>,
    pub targeting: Targeting,
}

const AGE_BRACKETS: [&str; 5] = ["0-4", "5-11", "12-17", "18-59", "60-plus"];

/// A list of codes: trimmed, deduplicated, each well formed.
fn codes(p: &mut Problems, field: &'static str, value: Option<Vec<String>>) -> Vec<String> {
    let mut out: Vec<String> = value.unwrap_or_default().into_iter().filter_map(|c| trimmed(Some(c))).collect();
    let mut seen = std::collections::BTreeSet::new();
    out.retain(|c| seen.insert(c.clone()));
    if out.len() > MAX_LIST {
        p.add(field, "too-many");
    }
    if out.iter().any(|c| !is_code(c)) {
        p.add(field, "unknown-code");
    }
    out
}

fn target_cells(p: &mut Problems, value: Option<Vec<RawTargetCell>>) -> Vec<TargetCell> {
    let raw = value.unwrap_or_default();
    if raw.len() > MAX_CELLS {
        p.add("target_population", "too-many");
        return Vec::new();
    }
    let mut cells = Vec::new();
    let mut bad = false;
    for r in raw {
        let sex = r.sex.as_deref().map(str::trim).and_then(Sex::from_code);
        let bracket = r.age_bracket.map(|b| b.trim().to_owned()).filter(|b| AGE_BRACKETS.contains(&b.as_str()));
        let group = r.group.as_deref().map(str::trim).and_then(PopulationGroup::from_code);
        let count = r.count.and_then(|c| u32::try_from(c).ok());
        match (sex, bracket, group, count) {
            (Some(sex), Some(age_bracket), Some(group), Some(count)) => {
                cells.push(TargetCell { sex, age_bracket, disability: r.disability.unwrap_or(false), group, count })
            }
            _ => bad = true,
        }
    }
    if bad {
        p.add("target_population", "invalid-cell");
    }
    let mut keys = std::collections::BTreeSet::new();
    if !cells.iter().all(|c| keys.insert((c.sex.code(), c.age_bracket.clone(), c.disability, c.group))) {
        p.add("target_population", "duplicate-cell");
    }
    cells
}

impl RawProject {
    /// Check every field; all problems are returned together.
    pub fn validate(self) -> Result<ProjectInput, Vec<FieldProblem>> {
        let mut p = Problems::default();
        let code = p.text("code", self.code, MAX_CODE);
        if !code.is_empty() && !code.chars().all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c)) {
            p.add("code", "invalid-code");
        }
        let title = p.text("title", self.title, MAX_TITLE);
        let summary = p.optional_text("summary", self.summary, MAX_SUMMARY);
        let sectors = codes(&mut p, "sectors", self.sectors);
        if sectors.is_empty() {
            p.add("sectors", "required");
        }
        let crisis_phase = p.code("crisis_phase", self.crisis_phase, CrisisPhase::from_code);
        let locations = codes(&mut p, "locations", self.locations);
        let start_date = p.date("start_date", self.start_date);
        let end_date = p.date("end_date", self.end_date);
        if let (Some(s), Some(e)) = (start_date, end_date)
            && e < s
        {
            p.add("end_date", "before-start");
        }
        let partners: Vec<String> =
            self.partners.unwrap_or_default().into_iter().filter_map(|x| trimmed(Some(x))).collect();
        if partners.len() > MAX_LIST {
            p.add("partners", "too-many");
        }
        if partners.iter().any(|x| x.chars().count() > MAX_PARTNER) {
            p.add("partners", "too-long");
        }
        let dimension = p.code("dimension", self.dimension, Dimension::from_code).unwrap_or(Dimension::Mainstreaming);
        let pillars = codes(&mut p, "pillars", self.pillars);
        let action_types = codes(&mut p, "action_types", self.action_types);
        let target_population = target_cells(&mut p, self.target_population);
        let at_risk_groups = codes(&mut p, "at_risk_groups", self.at_risk_groups);
        let selection_notes = p.optional_text("selection_notes", self.selection_notes, MAX_SELECTION_NOTES);
        // The project's own notes on selection fall under the same guard as its criteria:
        // "priority to families of one clan" must not come back in prose.
        if selection_notes.as_deref().and_then(super::screen_notes).is_some() {
            p.add("selection_notes", "prohibited-ground");
        }
        let targeting = match self.targeting.unwrap_or_default().validate() {
            Ok(t) => t,
            Err(problems) => {
                p.0.extend(problems);
                Targeting::default()
            }
        };
        p.or(ProjectInput {
            code,
            title,
            summary,
            sectors,
            crisis_phase,
            locations,
            start_date,
            end_date,
            partners,
            dimension,
            pillars,
            action_types,
            manager_id: self.manager_id,
            focal_point_id: self.focal_point_id,
            target_population,
            at_risk_groups,
            selection_notes,
            targeting,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal() -> RawProject {
        RawProject {
            code: Some("IQ-NFI-2026-01".into()),
            title: Some("Winter NFI distribution".into()),
            sectors: Some(vec!["shelter-non-food-items".into()]),
            ..Default::default()
        }
    }

    #[test]
    fn selection_notes_naming_a_prohibited_ground_are_refused() {
        let raw =
            RawProject { selection_notes: Some("Priority to families of the majority religion".into()), ..minimal() };
        let problems = raw.validate().unwrap_err();
        assert!(problems.iter().any(|p| p.field == "selection_notes" && p.code == "prohibited-ground"), "{problems:?}");
        let raw = RawProject { selection_notes: Some("Older people living alone first".into()), ..minimal() };
        assert!(raw.validate().is_ok());
    }

    #[test]
    fn code_title_and_sectors_are_enough() {
        let p = minimal().validate().unwrap();
        assert_eq!(p.sectors, ["shelter-non-food-items"]);
        assert_eq!(p.dimension, Dimension::Mainstreaming);
        assert_eq!(p.targeting.mode, None);
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let raw = RawProject {
            code: Some("bad code!".into()),
            sectors: Some(vec![]),
            start_date: Some("2026-05-01".into()),
            end_date: Some("2026-04-01".into()),
            crisis_phase: Some("someday".into()),
            target_population: Some(vec![RawTargetCell { sex: Some("q".into()), ..Default::default() }]),
            ..Default::default()
        };
        let problems = raw.validate().unwrap_err();
        let got: Vec<_> = problems.iter().map(|p| (p.field, p.code)).collect();
        for expected in [
            ("code", "invalid-code"),
            ("title", "required"),
            ("sectors", "required"),
            ("crisis_phase", "unknown-code"),
            ("end_date", "before-start"),
            ("target_population", "invalid-cell"),
        ] {
            assert!(got.contains(&expected), "{expected:?} missing from {got:?}");
        }
    }

    #[test]
    fn target_cells_are_unique_per_combination() {
        let cell = || RawTargetCell {
            sex: Some("f".into()),
            age_bracket: Some("18-59".into()),
            disability: Some(true),
            group: Some("idp".into()),
            count: Some(120),
        };
        let mut raw = minimal();
        raw.target_population = Some(vec![cell()]);
        assert_eq!(raw.clone().validate().unwrap().target_population[0].count, 120);
        raw.target_population = Some(vec![cell(), cell()]);
        let e = raw.validate().unwrap_err();
        assert_eq!((e[0].field, e[0].code), ("target_population", "duplicate-cell"));
    }

    #[test]
    fn implementation_needs_endorsement() {
        use CyclePhase::*;
        assert_eq!(next_phase(DevelopmentDesign, ProjectStatus::Draft), Ok(Endorsement));
        assert_eq!(next_phase(Endorsement, ProjectStatus::Draft), Err(PhaseError::NotEndorsed));
        assert_eq!(next_phase(Endorsement, ProjectStatus::Reopened), Err(PhaseError::NotEndorsed));
        assert_eq!(next_phase(Endorsement, ProjectStatus::Endorsed), Ok(ImplementationMonitoring));
        assert_eq!(next_phase(ImplementationMonitoring, ProjectStatus::Reopened), Ok(Evaluation));
        assert_eq!(next_phase(Evaluation, ProjectStatus::Endorsed), Err(PhaseError::LastPhase));
        assert_eq!(next_phase(Evaluation, ProjectStatus::Closed), Err(PhaseError::Closed));
    }
}
