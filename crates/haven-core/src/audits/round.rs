//! A round as sent (site, date, short team notes, one answer per item) and the actions its
//! findings become, checked field by field; and the screen that keeps incident reports out.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::score::{AuditAnswer, AuditItem};
use crate::input::{FieldProblem, Problems, is_code};
use crate::text::fold_for_search;

const MAX_NOTES: usize = 500;
const MAX_ACTION: usize = 1_000;

/// Phrases that tell of something that happened to someone, or name a person: an audit
/// records what was observed of a place, never an individual incident (IASC GBV Guidelines).
const INCIDENT_PHRASES: [&str; 36] = [
    "was raped",
    "were raped",
    "was assaulted",
    "were assaulted",
    "was attacked",
    "were attacked",
    "was beaten",
    "was abused",
    "was kidnapped",
    "was abducted",
    "was harassed",
    "was touched",
    "her name",
    "his name",
    "named",
    "survivor",
    "victim",
    "victims",
    "a ete violee",
    "a ete agressee",
    "a ete agresse",
    "a ete battue",
    "a ete enlevee",
    "a ete harcelee",
    "son nom",
    "s appelle",
    "victime",
    "survivante",
    "اغتصبت",
    "تعرضت",
    "اعتدي",
    "اسمها",
    "اسمه",
    "الضحية",
    "ضحية",
    "الناجية",
];

fn words(text: &str) -> Vec<String> {
    fold_for_search(text).split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_owned).collect()
}

/// Whether `text` reads like an individual incident report or names someone.
pub fn incident_screen(text: &str) -> bool {
    let found = words(text);
    INCIDENT_PHRASES.iter().any(|phrase| {
        let phrase = words(phrase);
        !phrase.is_empty() && found.windows(phrase.len()).any(|w| w == phrase.as_slice())
    })
}

/// A free text that must not carry an incident: too long or incident-like is a problem.
fn observation_text(
    p: &mut Problems,
    field: &'static str,
    value: Option<String>,
    max: usize,
    required: bool,
) -> String {
    let text =
        if required { p.text(field, value, max) } else { p.optional_text(field, value, max).unwrap_or_default() };
    if incident_screen(&text) {
        p.add(field, "incident-details");
    }
    text
}

/// A round as sent by the form or the API. There is deliberately no field for people.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RawRound {
    /// The site's P-code.
    pub site: Option<String>,
    pub audited_on: Option<String>,
    pub team_notes: Option<String>,
    /// Item code → yes, partly, no or na.
    pub answers: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundInput {
    pub site: String,
    pub audited_on: Date,
    pub team_notes: Option<String>,
    pub answers: BTreeMap<String, AuditAnswer>,
}

impl RawRound {
    /// Check the round against the item set it will be scored on: every item answered once,
    /// no unknown item, a date not after `today`.
    pub fn validate(self, items: &[AuditItem], today: Date) -> Result<RoundInput, Vec<FieldProblem>> {
        let mut p = Problems::default();
        let site = p.text("site", self.site, 64);
        if !site.is_empty() && !is_code(&site) {
            p.add("site", "unknown-code");
        }
        let audited_on = p.required_date("audited_on", self.audited_on);
        if audited_on.is_some_and(|d| d > today) {
            p.add("audited_on", "in-the-future");
        }
        let notes = observation_text(&mut p, "team_notes", self.team_notes, MAX_NOTES, false);
        let raw = self.answers.unwrap_or_default();
        let mut answers = BTreeMap::new();
        let mut bad_value = false;
        for (code, value) in raw {
            match AuditAnswer::from_code(value.trim()) {
                Some(a) => {
                    answers.insert(code, a);
                }
                None => bad_value = true,
            }
        }
        if bad_value {
            p.add("answers", "invalid-answer");
        }
        if answers.keys().any(|c| !items.iter().any(|i| &i.code == c)) {
            p.add("answers", "unknown-item");
        }
        if items.iter().any(|i| !answers.contains_key(&i.code)) && !bad_value {
            p.add("answers", "unanswered");
        }
        p.or(RoundInput {
            site,
            audited_on: audited_on.unwrap_or(today),
            team_notes: Some(notes).filter(|n| !n.is_empty()),
            answers,
        })
    }
}

/// Where an action stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActionStatus {
    Open,
    InProgress,
    Done,
}

coded!(ActionStatus { Open => "open", InProgress => "in-progress", Done => "done" });

/// An action as sent.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RawAction {
    pub text: Option<String>,
    /// A safety audit domain code.
    pub domain: Option<String>,
    pub owner_id: Option<Uuid>,
    pub deadline: Option<String>,
    pub status: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionInput {
    pub text: String,
    pub domain: String,
    pub owner_id: Option<Uuid>,
    pub deadline: Date,
    pub status: ActionStatus,
}

impl RawAction {
    /// Check an action; `domains` are the codes of the round's item set.
    pub fn validate(self, domains: &[String]) -> Result<ActionInput, Vec<FieldProblem>> {
        let mut p = Problems::default();
        let text = observation_text(&mut p, "text", self.text, MAX_ACTION, true);
        let domain = p.text("domain", self.domain, 64);
        if !domain.is_empty() && !domains.contains(&domain) {
            p.add("domain", "unknown-code");
        }
        let deadline = p.required_date("deadline", self.deadline);
        let status = p.code("status", self.status, ActionStatus::from_code).unwrap_or(ActionStatus::Open);
        let placeholder = Date::MIN;
        p.or(ActionInput { text, domain, owner_id: self.owner_id, deadline: deadline.unwrap_or(placeholder), status })
    }
}

/// Done on time: closed no later than the end of the deadline's day (UTC).
pub fn on_time(deadline: Date, status: ActionStatus, closed_at: Option<OffsetDateTime>) -> bool {
    status == ActionStatus::Done && closed_at.is_some_and(|c| c.to_offset(time::UtcOffset::UTC).date() <= deadline)
}

/// Not done and past its deadline's day.
pub fn is_overdue(deadline: Date, status: ActionStatus, today: Date) -> bool {
    status != ActionStatus::Done && deadline < today
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    fn items() -> Vec<AuditItem> {
        vec![
            AuditItem { code: "a1".into(), domain: "lighting".into(), points: 3 },
            AuditItem { code: "a2".into(), domain: "shelter".into(), points: 2 },
        ]
    }

    fn codes(e: Vec<FieldProblem>) -> Vec<(&'static str, &'static str)> {
        e.into_iter().map(|p| (p.field, p.code)).collect()
    }

    #[test]
    fn a_round_reports_every_problem() {
        let raw = RawRound {
            site: Some("a b".into()),
            audited_on: Some("2026-13-01".into()),
            team_notes: Some("Her name is Amina and she was attacked near the latrines".into()),
            answers: Some([("a1".to_owned(), "maybe".to_owned()), ("zz".to_owned(), "yes".to_owned())].into()),
        };
        assert_eq!(
            codes(raw.validate(&items(), date!(2026 - 03 - 01)).unwrap_err()),
            [
                ("site", "unknown-code"),
                ("audited_on", "invalid-date"),
                ("team_notes", "incident-details"),
                ("answers", "invalid-answer"),
                ("answers", "unknown-item")
            ]
        );
        let missing = RawRound {
            site: Some("XY01".into()),
            audited_on: Some("2026-03-02".into()),
            answers: Some([("a1".to_owned(), "no".to_owned())].into()),
            ..Default::default()
        };
        assert_eq!(
            codes(missing.validate(&items(), date!(2026 - 03 - 01)).unwrap_err()),
            [("audited_on", "in-the-future"), ("answers", "unanswered")]
        );
    }

    #[test]
    fn a_complete_round_passes() {
        let ok = RawRound {
            site: Some("XY01".into()),
            audited_on: Some("2026-02-20".into()),
            team_notes: Some("Two women's and two men's group discussions; observation at dusk".into()),
            answers: Some([("a1".to_owned(), "partly".to_owned()), ("a2".to_owned(), " na ".to_owned())].into()),
        }
        .validate(&items(), date!(2026 - 03 - 01))
        .unwrap();
        assert_eq!(ok.answers["a2"], AuditAnswer::NotApplicable);
        assert_eq!(ok.audited_on, date!(2026 - 02 - 20));
    }

    #[test]
    fn the_screen_catches_incidents_and_names_in_three_languages() {
        assert!(incident_screen("A girl was raped near block C"));
        assert!(incident_screen("Elle a été violée hier"));
        assert!(incident_screen("اسمها فاطمة"));
        assert!(incident_screen("one survivor told us"));
        assert!(!incident_screen("Latrines lack locks; women avoid the path after dark"));
        assert!(!incident_screen("Les latrines n'ont pas de verrou"));
    }

    #[test]
    fn actions_need_text_domain_and_deadline() {
        let domains = vec!["lighting".to_owned()];
        assert_eq!(
            codes(
                RawAction { domain: Some("roads".into()), status: Some("later".into()), ..Default::default() }
                    .validate(&domains)
                    .unwrap_err()
            ),
            [("text", "required"), ("domain", "unknown-code"), ("deadline", "required"), ("status", "unknown-code")]
        );
        let ok = RawAction {
            text: Some("Install solar lights on the path to the latrines".into()),
            domain: Some("lighting".into()),
            deadline: Some("2026-04-01".into()),
            ..Default::default()
        }
        .validate(&domains)
        .unwrap();
        assert_eq!((ok.status, ok.deadline), (ActionStatus::Open, date!(2026 - 04 - 01)));
    }

    #[test]
    fn on_time_means_closed_by_the_end_of_the_deadline_day() {
        let d = date!(2026 - 04 - 01);
        assert!(on_time(d, ActionStatus::Done, Some(datetime!(2026-04-01 23:59:59 UTC))));
        assert!(!on_time(d, ActionStatus::Done, Some(datetime!(2026-04-02 00:00:00 UTC))));
        assert!(!on_time(d, ActionStatus::InProgress, None));
        assert!(is_overdue(d, ActionStatus::Open, date!(2026 - 04 - 02)));
        assert!(!is_overdue(d, ActionStatus::Open, d));
        assert!(!is_overdue(d, ActionStatus::Done, date!(2026 - 05 - 01)));
    }
}
