//! The Washington Group Short Set on the feedback forms: six questions, each a select
//! `wg_<domain>`, asked in the set's order with its lead-in. Only the disability they show
//! is recorded (see `haven_core::feedback::ShortSet`).

use std::collections::BTreeMap;

use haven_core::feedback::{Difficulty, Domain};
use serde::Deserialize;

use crate::i18n::Lang;

/// The answers as a form sends them; empty: not asked or not answered.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct FunctioningForm {
    wg_seeing: String,
    wg_hearing: String,
    wg_walking: String,
    wg_remembering: String,
    wg_self_care: String,
    wg_communicating: String,
}

/// One question as a form shows it.
pub struct Question {
    pub field: String,
    pub label: String,
    pub chosen: String,
}

impl FunctioningForm {
    fn answer(&self, domain: Domain) -> &str {
        match domain {
            Domain::Seeing => &self.wg_seeing,
            Domain::Hearing => &self.wg_hearing,
            Domain::Walking => &self.wg_walking,
            Domain::Remembering => &self.wg_remembering,
            Domain::SelfCare => &self.wg_self_care,
            Domain::Communicating => &self.wg_communicating,
        }
    }

    /// The answers given, by domain code; `None` when no question was answered.
    pub fn answers(&self) -> Option<BTreeMap<String, String>> {
        let given: BTreeMap<String, String> = Domain::ALL
            .iter()
            .copied()
            .map(|d| (d.code().to_owned(), self.answer(d).trim().to_owned()))
            .filter(|(_, a)| !a.is_empty())
            .collect();
        (!given.is_empty()).then_some(given)
    }

    pub fn questions(&self, l: Lang) -> Vec<Question> {
        Domain::ALL
            .iter()
            .copied()
            .map(|d| Question {
                field: format!("wg_{}", d.code()),
                label: l.t(&format!("wg-question-{}", d.code())),
                chosen: self.answer(d).to_owned(),
            })
            .collect()
    }
}

/// The answer categories, read out with every question, after an empty "not answered".
pub fn answer_options(l: Lang) -> Vec<(&'static str, String)> {
    let mut options = vec![("", l.t("wg-answer-unanswered"))];
    options.extend(Difficulty::ALL.iter().map(|a| (a.code(), l.t(&format!("wg-answer-{}", a.code())))));
    options
}
