//! The Washington Group Short Set on Functioning (WG-SS): six questions on difficulty seeing,
//! hearing, walking, remembering, with self-care and communicating, each answered "no
//! difficulty", "some", "a lot" or "cannot do at all". A person is counted with a disability
//! when at least one answer is "a lot" or "cannot do at all" (the Washington Group's
//! recommended cut-off). Only that result is kept with a feedback item: the answers are
//! health data the mechanism does not need.

use std::collections::BTreeMap;

/// The six domains, in the order the questions must be asked (`Domain::ALL`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Domain {
    Seeing,
    Hearing,
    Walking,
    Remembering,
    SelfCare,
    Communicating,
}

coded!(Domain {
    Seeing => "seeing",
    Hearing => "hearing",
    Walking => "walking",
    Remembering => "remembering",
    SelfCare => "self_care",
    Communicating => "communicating",
});

/// The answer categories, read out with every question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Difficulty {
    None,
    Some,
    ALot,
    CannotDo,
}

coded!(Difficulty {
    None => "none",
    Some => "some",
    ALot => "a_lot",
    CannotDo => "cannot",
});

/// What is wrong with a set of answers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FunctioningError {
    #[error("unknown question {0:?}")]
    UnknownDomain(String),
    #[error("unknown answer {0:?}")]
    UnknownAnswer(String),
}

/// The answers given; a question refused, not known or not asked is absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShortSet {
    answers: BTreeMap<Domain, Difficulty>,
}

impl ShortSet {
    /// Answers by domain code (`seeing`...) and answer code (`none`, `some`, `a_lot`,
    /// `cannot`); an empty answer counts as not given.
    pub fn parse<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<ShortSet, FunctioningError> {
        let mut answers = BTreeMap::new();
        for (domain, answer) in pairs {
            let d = Domain::from_code(domain.trim()).ok_or_else(|| FunctioningError::UnknownDomain(domain.into()))?;
            let answer = answer.trim();
            if answer.is_empty() {
                continue;
            }
            let a = Difficulty::from_code(answer).ok_or_else(|| FunctioningError::UnknownAnswer(answer.into()))?;
            answers.insert(d, a);
        }
        Ok(ShortSet { answers })
    }

    pub fn is_empty(&self) -> bool {
        self.answers.is_empty()
    }

    /// With a disability (one answer "a lot" or "cannot do at all"), without (all six
    /// answered, none of them so), or not known (some unanswered, none of them so).
    pub fn disability(&self) -> Option<bool> {
        if self.answers.values().any(|a| *a >= Difficulty::ALot) {
            Some(true)
        } else if self.answers.len() == Domain::ALL.len() {
            Some(false)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(pairs: &[(&str, &str)]) -> ShortSet {
        ShortSet::parse(pairs.iter().copied()).expect("valid answers")
    }

    #[test]
    fn one_domain_with_a_lot_of_difficulty_is_a_disability() {
        assert_eq!(set(&[("walking", "a_lot")]).disability(), Some(true));
        assert_eq!(set(&[("seeing", "some"), ("communicating", "cannot")]).disability(), Some(true));
    }

    #[test]
    fn some_difficulty_everywhere_is_not_a_disability_by_the_recommended_cut_off() {
        let all_some: Vec<(&str, &str)> = Domain::ALL.iter().map(|d| (d.code(), "some")).collect();
        assert_eq!(set(&all_some).disability(), Some(false));
    }

    #[test]
    fn unanswered_questions_leave_it_unknown_unless_another_answer_decides() {
        assert_eq!(set(&[]).disability(), None);
        assert_eq!(set(&[("seeing", "none"), ("hearing", ""), ("walking", "some")]).disability(), None);
        assert!(set(&[("seeing", "")]).is_empty());
    }

    #[test]
    fn unknown_questions_and_answers_are_refused() {
        assert_eq!(ShortSet::parse([("smelling", "none")]), Err(FunctioningError::UnknownDomain("smelling".into())));
        assert_eq!(ShortSet::parse([("seeing", "yes")]), Err(FunctioningError::UnknownAnswer("yes".into())));
    }
}
