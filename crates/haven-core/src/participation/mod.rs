//! Participation: committees of a site and community consultations, recorded as counts by
//! sex, age bracket and disability (and, for committees, per at-risk group). There is no
//! field for a name, ever: the indicators need proportions, not people.

use serde::{Deserialize, Serialize};
use time::Date;
use uuid::Uuid;

use crate::feedback::Sex;
use crate::input::{AGE_BRACKETS, FieldProblem, Problems, is_code};

const MAX_PURPOSE: usize = 300;
const MAX_TEXT: usize = 4_000;
const MAX_CELLS: usize = 60;
const MAX_GROUPS: usize = 30;
/// More people than this in one cell is a typing error, not a committee or a meeting.
const MAX_COUNT: i64 = 100_000;

/// How many people of a sex, age bracket and disability status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeopleCell {
    pub sex: Sex,
    pub age_bracket: String,
    pub disability: bool,
    pub count: u32,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RawPeopleCell {
    pub sex: Option<String>,
    pub age_bracket: Option<String>,
    pub disability: Option<bool>,
    pub count: Option<i64>,
}

/// How many members belong to an at-risk group (catalog kind `at-risk-groups`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupCount {
    pub group: String,
    pub count: u32,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RawGroupCount {
    pub group: Option<String>,
    pub count: Option<i64>,
}

/// Whether a bracket is an adult one: women are female members aged 18 and over.
fn adult(bracket: &str) -> bool {
    matches!(bracket, "18-59" | "60-plus")
}

/// Totals over cells: everyone, women (female, 18 and over), and persons with disabilities.
pub fn totals(cells: &[PeopleCell]) -> (u32, u32, u32) {
    let sum = |keep: &dyn Fn(&PeopleCell) -> bool| cells.iter().filter(|c| keep(c)).map(|c| c.count).sum::<u32>();
    (sum(&|_| true), sum(&|c| c.sex == Sex::Female && adult(&c.age_bracket)), sum(&|c| c.disability))
}

fn people(p: &mut Problems, field: &'static str, raw: Option<Vec<RawPeopleCell>>) -> Vec<PeopleCell> {
    let raw = raw.unwrap_or_default();
    if raw.len() > MAX_CELLS {
        p.add(field, "too-many");
        return Vec::new();
    }
    let mut cells = Vec::new();
    let mut bad = false;
    for r in raw {
        let sex = r.sex.as_deref().map(str::trim).and_then(Sex::from_code);
        let bracket = r.age_bracket.map(|b| b.trim().to_owned()).filter(|b| AGE_BRACKETS.contains(&b.as_str()));
        let count = r.count.filter(|c| (0..=MAX_COUNT).contains(c)).and_then(|c| u32::try_from(c).ok());
        match (sex, bracket, count) {
            (Some(sex), Some(age_bracket), Some(count)) => {
                cells.push(PeopleCell { sex, age_bracket, disability: r.disability.unwrap_or(false), count })
            }
            _ => bad = true,
        }
    }
    if bad {
        p.add(field, "invalid-cell");
    }
    let mut keys = std::collections::BTreeSet::new();
    if !cells.iter().all(|c| keys.insert((c.sex.code(), c.age_bracket.clone(), c.disability))) {
        p.add(field, "duplicate-cell");
    }
    if !bad && totals(&cells).0 == 0 {
        p.add(field, "required");
    }
    cells.retain(|c| c.count > 0);
    cells
}

fn count(p: &mut Problems, field: &'static str, value: Option<i64>) -> u32 {
    match value {
        None => 0,
        Some(v) if (0..=MAX_COUNT).contains(&v) => u32::try_from(v).unwrap_or(0),
        Some(_) => {
            p.add(field, "out-of-range");
            0
        }
    }
}

fn site(p: &mut Problems, value: Option<String>) -> String {
    let site = p.text("site", value, 64);
    if !site.is_empty() && !is_code(&site) {
        p.add("site", "unknown-code");
    }
    site
}

/// A committee's composition: counts only.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Composition {
    pub members: Vec<PeopleCell>,
    /// Members belonging to at least one at-risk group (a person may belong to several, so
    /// this is not the sum of `groups`).
    pub at_risk_members: u32,
    pub groups: Vec<GroupCount>,
}

/// A committee as sent. There is deliberately no field for members' names.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RawCommittee {
    pub site: Option<String>,
    pub project_id: Option<Uuid>,
    pub purpose: Option<String>,
    pub formed_on: Option<String>,
    pub active: Option<bool>,
    pub members: Option<Vec<RawPeopleCell>>,
    pub at_risk_members: Option<i64>,
    pub at_risk_groups: Option<Vec<RawGroupCount>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitteeInput {
    pub site: String,
    pub project_id: Option<Uuid>,
    pub purpose: String,
    pub formed_on: Option<Date>,
    pub active: bool,
    pub composition: Composition,
}

impl RawCommittee {
    /// Check every field: at-risk members cannot outnumber members, nor a group its at-risk members.
    pub fn validate(self, today: Date) -> Result<CommitteeInput, Vec<FieldProblem>> {
        let mut p = Problems::default();
        let site = site(&mut p, self.site);
        let purpose = p.text("purpose", self.purpose, MAX_PURPOSE);
        let formed_on = p.date("formed_on", self.formed_on);
        if formed_on.is_some_and(|d| d > today) {
            p.add("formed_on", "in-the-future");
        }
        let members = people(&mut p, "members", self.members);
        let at_risk_members = count(&mut p, "at_risk_members", self.at_risk_members);
        if at_risk_members > totals(&members).0 {
            p.add("at_risk_members", "more-than-members");
        }
        let raw_groups = self.at_risk_groups.unwrap_or_default();
        if raw_groups.len() > MAX_GROUPS {
            p.add("at_risk_groups", "too-many");
        }
        let mut groups: Vec<GroupCount> = Vec::new();
        let mut bad = false;
        for g in raw_groups {
            let code = g.group.map(|c| c.trim().to_owned()).filter(|c| is_code(c));
            let n = g.count.filter(|c| (0..=MAX_COUNT).contains(c)).and_then(|c| u32::try_from(c).ok());
            match (code, n) {
                (Some(group), Some(count)) if !groups.iter().any(|x| x.group == group) => {
                    groups.push(GroupCount { group, count })
                }
                _ => bad = true,
            }
        }
        if bad {
            p.add("at_risk_groups", "invalid-cell");
        }
        if groups.iter().any(|g| g.count > at_risk_members) {
            p.add("at_risk_groups", "more-than-at-risk");
        }
        groups.retain(|g| g.count > 0);
        p.or(CommitteeInput {
            site,
            project_id: self.project_id,
            purpose,
            formed_on,
            active: self.active.unwrap_or(true),
            composition: Composition { members, at_risk_members, groups },
        })
    }
}

/// A consultation as sent. Participants are counts; there is no field for a name.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RawConsultation {
    pub site: Option<String>,
    pub project_id: Option<Uuid>,
    pub held_on: Option<String>,
    pub participants: Option<Vec<RawPeopleCell>>,
    pub topics: Option<String>,
    pub concerns: Option<String>,
    pub decisions: Option<String>,
    /// What the project changed because of it.
    pub changes: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsultationInput {
    pub site: String,
    pub project_id: Option<Uuid>,
    pub held_on: Date,
    pub participants: Vec<PeopleCell>,
    pub topics: String,
    pub concerns: Option<String>,
    pub decisions: Option<String>,
    pub changes: Option<String>,
}

impl RawConsultation {
    pub fn validate(self, today: Date) -> Result<ConsultationInput, Vec<FieldProblem>> {
        let mut p = Problems::default();
        let site = site(&mut p, self.site);
        let held_on = p.required_date("held_on", self.held_on);
        if held_on.is_some_and(|d| d > today) {
            p.add("held_on", "in-the-future");
        }
        let participants = people(&mut p, "participants", self.participants);
        let topics = p.text("topics", self.topics, MAX_TEXT);
        let concerns = p.optional_text("concerns", self.concerns, MAX_TEXT);
        let decisions = p.optional_text("decisions", self.decisions, MAX_TEXT);
        let changes = p.optional_text("changes", self.changes, MAX_TEXT);
        p.or(ConsultationInput {
            site,
            project_id: self.project_id,
            held_on: held_on.unwrap_or(today),
            participants,
            topics,
            concerns,
            decisions,
            changes,
        })
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn cell(sex: &str, bracket: &str, disability: bool, count: i64) -> RawPeopleCell {
        RawPeopleCell {
            sex: Some(sex.into()),
            age_bracket: Some(bracket.into()),
            disability: Some(disability),
            count: Some(count),
        }
    }

    fn codes(e: Vec<FieldProblem>) -> Vec<(&'static str, &'static str)> {
        e.into_iter().map(|p| (p.field, p.code)).collect()
    }

    #[test]
    fn a_committee_is_counted_by_hand() {
        let c = RawCommittee {
            site: Some("XY01".into()),
            purpose: Some("Water point management".into()),
            members: Some(vec![
                cell("f", "18-59", false, 4),
                cell("f", "60-plus", true, 1),
                cell("f", "12-17", false, 2),
                cell("m", "18-59", true, 3),
            ]),
            at_risk_members: Some(3),
            at_risk_groups: Some(vec![RawGroupCount { group: Some("ARG-FHH".into()), count: Some(2) }]),
            ..Default::default()
        }
        .validate(date!(2026 - 03 - 01))
        .unwrap();
        // 10 members; women are the 5 adult female members (the two girls are not); 4 with disabilities.
        assert_eq!(totals(&c.composition.members), (10, 5, 4));
        assert!(c.active);
    }

    #[test]
    fn every_committee_problem_is_listed() {
        let e = RawCommittee {
            site: Some("a b".into()),
            formed_on: Some("2027-01-01".into()),
            members: Some(vec![
                cell("f", "18-59", false, 2),
                cell("f", "18-59", false, 1),
                cell("q", "18-59", false, 1),
            ]),
            at_risk_members: Some(5),
            at_risk_groups: Some(vec![RawGroupCount { group: Some("ARG-PWD".into()), count: Some(6) }]),
            ..Default::default()
        }
        .validate(date!(2026 - 03 - 01))
        .unwrap_err();
        assert_eq!(
            codes(e),
            [
                ("site", "unknown-code"),
                ("purpose", "required"),
                ("formed_on", "in-the-future"),
                ("members", "invalid-cell"),
                ("members", "duplicate-cell"),
                ("at_risk_members", "more-than-members"),
                ("at_risk_groups", "more-than-at-risk")
            ]
        );
    }

    #[test]
    fn a_consultation_needs_people_and_topics() {
        let e = RawConsultation { site: Some("XY01".into()), participants: Some(vec![]), ..Default::default() }
            .validate(date!(2026 - 03 - 01))
            .unwrap_err();
        assert_eq!(codes(e), [("held_on", "required"), ("participants", "required"), ("topics", "required")]);
        let ok = RawConsultation {
            site: Some("XY01".into()),
            held_on: Some("2026-02-01".into()),
            participants: Some(vec![cell("f", "18-59", false, 12), cell("m", "18-59", true, 0)]),
            topics: Some("Where and when distributions happen".into()),
            changes: Some("Distributions moved to mornings".into()),
            ..Default::default()
        }
        .validate(date!(2026 - 03 - 01))
        .unwrap();
        assert_eq!(ok.participants.len(), 1);
    }
}
