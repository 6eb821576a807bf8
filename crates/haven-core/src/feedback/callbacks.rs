//! Call-backs: an agent promises to call a person back at a time, and records how the call
//! went. Contact details are erased a set number of days after an item closes.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// How a call-back went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallbackOutcome {
    Reached,
    NoAnswer,
    /// The person could not talk safely (someone was listening): call another time.
    UnsafeToTalk,
    WrongNumber,
}

coded!(CallbackOutcome {
    Reached => "reached",
    NoAnswer => "no_answer",
    UnsafeToTalk => "unsafe_to_talk",
    WrongNumber => "wrong_number",
});

impl CallbackOutcome {
    /// The step recorded in the item's history.
    pub fn step(self) -> String {
        format!("callback-{}", self.code().replace('_', "-"))
    }
}

/// The step recorded when a call-back is scheduled.
pub const CALLBACK_SCHEDULED: &str = "callback-scheduled";

/// Whether a pending call-back is late.
pub fn is_overdue(due_at: OffsetDateTime, now: OffsetDateTime) -> bool {
    due_at < now
}

/// How long contact details are kept after an item closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContactRetention {
    pub days: u32,
}

impl Default for ContactRetention {
    fn default() -> Self {
        ContactRetention { days: 90 }
    }
}

impl ContactRetention {
    /// At most ten years: a longer wait is a typing error.
    pub const MAX_DAYS: u32 = 3_650;

    /// Read the setting: whole days from 1 to [`Self::MAX_DAYS`].
    pub fn parse(value: &str) -> Option<ContactRetention> {
        value
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|d| (1..=Self::MAX_DAYS).contains(d))
            .map(|days| ContactRetention { days })
    }

    /// Items closed before this time have their contact details erased.
    pub fn closed_before(self, now: OffsetDateTime) -> OffsetDateTime {
        now - Duration::days(i64::from(self.days))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_is_whole_days_within_ten_years() {
        assert_eq!(ContactRetention::parse(" 30 "), Some(ContactRetention { days: 30 }));
        for bad in ["0", "-5", "3651", "ninety", ""] {
            assert_eq!(ContactRetention::parse(bad), None, "{bad}");
        }
        let now = time::macros::datetime!(2026-05-01 12:00 UTC);
        assert_eq!(ContactRetention::default().closed_before(now), time::macros::datetime!(2026-01-31 12:00 UTC));
    }

    #[test]
    fn outcomes_are_steps_of_the_history() {
        assert_eq!(CallbackOutcome::UnsafeToTalk.step(), "callback-unsafe-to-talk");
        assert_eq!(CallbackOutcome::from_code("wrong_number"), Some(CallbackOutcome::WrongNumber));
    }
}
