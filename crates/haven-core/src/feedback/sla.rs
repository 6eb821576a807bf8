//! Service levels: when an item must be acknowledged, responded to and, for sealed items,
//! referred. Calendar time; "the same day" is the end of the day of receipt where the
//! operation works (its UTC offset).

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime, Time, UtcOffset};

use super::Criticality;

/// The configurable targets. Defaults: acknowledge within 24 hours, respond within 7 days,
/// life-threatening items the same day, sealed items referred within 24 hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceLevels {
    pub acknowledge_hours: u32,
    pub respond_days: u32,
    pub referral_hours: u32,
    /// Minutes east of UTC of the operation's local time (for "the same day").
    pub utc_offset_minutes: i32,
}

impl Default for ServiceLevels {
    fn default() -> Self {
        ServiceLevels { acknowledge_hours: 24, respond_days: 7, referral_hours: 24, utc_offset_minutes: 0 }
    }
}

/// Targets of one category that replace the general ones (acknowledge, respond); urgent
/// items stay due the same day, sealed ones referred as set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CategoryTarget {
    pub acknowledge_hours: u32,
    pub respond_days: u32,
}

/// Per-category targets (setting `feedback.category_targets`): one line per category,
/// `code: acknowledge hours/respond days`, e.g. `request-support: 48/14`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CategoryTargets(std::collections::BTreeMap<String, CategoryTarget>);

/// What is wrong with a line of category targets (1-based).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetProblem {
    #[error("line {0}: write `category: hours/days`, e.g. request-support: 48/14")]
    Syntax(usize),
    #[error("line {0}: acknowledge within 1 to 720 hours and respond within 1 to 365 days")]
    OutOfRange(usize),
    #[error("line {0}: {1} is given twice")]
    Twice(usize, String),
}

impl CategoryTargets {
    /// Read the setting's text; blank lines and `#` comments are skipped.
    pub fn parse(text: &str) -> Result<CategoryTargets, TargetProblem> {
        let mut out = std::collections::BTreeMap::new();
        for (i, line) in text.lines().enumerate().map(|(i, l)| (i + 1, l.trim())) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let syntax = || TargetProblem::Syntax(i);
            let (code, targets) = line.split_once(':').ok_or_else(syntax)?;
            let (hours, days) = targets.split_once('/').ok_or_else(syntax)?;
            let code = code.trim();
            let valid_code =
                !code.is_empty() && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            let (Ok(hours), Ok(days), true) = (hours.trim().parse::<u32>(), days.trim().parse::<u32>(), valid_code)
            else {
                return Err(syntax());
            };
            if !(1..=720).contains(&hours) || !(1..=365).contains(&days) {
                return Err(TargetProblem::OutOfRange(i));
            }
            let target = CategoryTarget { acknowledge_hours: hours, respond_days: days };
            if out.insert(code.to_owned(), target).is_some() {
                return Err(TargetProblem::Twice(i, code.to_owned()));
            }
        }
        Ok(CategoryTargets(out))
    }

    /// The setting's text, one line per category in code order.
    pub fn to_setting(&self) -> String {
        let lines: Vec<String> =
            self.0.iter().map(|(c, t)| format!("{c}: {}/{}", t.acknowledge_hours, t.respond_days)).collect();
        lines.join("\n")
    }

    pub fn codes(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }
}

impl ServiceLevels {
    /// The levels for an item of `category`: its own targets when it has some.
    pub fn for_category(self, targets: &CategoryTargets, category: Option<&str>) -> ServiceLevels {
        match category.and_then(|c| targets.0.get(c)) {
            Some(t) => ServiceLevels { acknowledge_hours: t.acknowledge_hours, respond_days: t.respond_days, ..self },
            None => self,
        }
    }
}

/// The deadlines of one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub acknowledge_by: OffsetDateTime,
    pub respond_by: OffsetDateTime,
    /// Sealed items only: referral to the organisation of the alleged perpetrator.
    pub refer_by: Option<OffsetDateTime>,
}

impl ServiceLevels {
    pub fn due(&self, received_at: OffsetDateTime, criticality: Criticality, sealed: bool) -> Due {
        let acknowledge_by = received_at + Duration::hours(i64::from(self.acknowledge_hours));
        let respond_by = if criticality == Criticality::Urgent {
            self.end_of_local_day(received_at)
        } else {
            received_at + Duration::days(i64::from(self.respond_days))
        };
        let refer_by = sealed.then(|| received_at + Duration::hours(i64::from(self.referral_hours)));
        Due { acknowledge_by: acknowledge_by.min(respond_by), respond_by, refer_by }
    }

    /// The last second of the local day containing `at`, in UTC.
    fn end_of_local_day(&self, at: OffsetDateTime) -> OffsetDateTime {
        let offset = UtcOffset::from_whole_seconds(self.utc_offset_minutes.clamp(-18 * 60 + 1, 18 * 60 - 1) * 60)
            .unwrap_or(UtcOffset::UTC);
        let local = at.to_offset(offset);
        local.replace_time(Time::MIDNIGHT).to_offset(UtcOffset::UTC) + Duration::days(1) - Duration::seconds(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;

    #[test]
    fn defaults_follow_common_practice() {
        let at = datetime!(2026-03-06 22:30 UTC);
        let due = ServiceLevels::default().due(at, Criticality::ActionNeeded, false);
        assert_eq!(due.acknowledge_by, datetime!(2026-03-07 22:30 UTC));
        assert_eq!(due.respond_by, datetime!(2026-03-13 22:30 UTC));
        assert_eq!(due.refer_by, None);
        let sealed = ServiceLevels::default().due(at, Criticality::ActionNeeded, true);
        assert_eq!(sealed.refer_by, Some(datetime!(2026-03-07 22:30 UTC)));
    }

    #[test]
    fn life_threatening_is_due_the_same_local_day() {
        // 22:30 UTC is already the next day in Baghdad (UTC+3).
        let levels = ServiceLevels { utc_offset_minutes: 180, ..Default::default() };
        let due = levels.due(datetime!(2026-03-06 22:30 UTC), Criticality::Urgent, false);
        assert_eq!(due.respond_by, datetime!(2026-03-07 20:59:59 UTC));
        assert_eq!(due.acknowledge_by, due.respond_by);
        let west = ServiceLevels { utc_offset_minutes: -300, ..Default::default() };
        let due = west.due(datetime!(2026-03-06 02:00 UTC), Criticality::Urgent, false);
        assert_eq!(due.respond_by, datetime!(2026-03-06 04:59:59 UTC));
    }

    #[test]
    fn category_targets_override_the_general_ones_except_same_day_urgency() {
        let targets =
            CategoryTargets::parse("# slower for requests\nrequest-support: 48/14\n\nquestion-crisis:2/ 1").unwrap();
        assert_eq!(targets.to_setting(), "question-crisis: 2/1\nrequest-support: 48/14");
        assert_eq!(CategoryTargets::parse(&targets.to_setting()), Ok(targets.clone()));
        let at = datetime!(2026-03-06 10:00 UTC);
        let general = ServiceLevels::default();
        let levels = general.for_category(&targets, Some("request-support"));
        let due = levels.due(at, Criticality::ActionNeeded, false);
        assert_eq!(
            (due.acknowledge_by, due.respond_by),
            (datetime!(2026-03-08 10:00 UTC), datetime!(2026-03-20 10:00 UTC))
        );
        assert_eq!(general.for_category(&targets, Some("other")), general);
        assert_eq!(general.for_category(&targets, None), general);
        let urgent = levels.due(at, Criticality::Urgent, false);
        assert_eq!(urgent.respond_by, datetime!(2026-03-06 23:59:59 UTC));
        assert_eq!(CategoryTargets::parse("request-support 48/14"), Err(TargetProblem::Syntax(1)));
        assert_eq!(CategoryTargets::parse("a: 1/1\nb: x/1"), Err(TargetProblem::Syntax(2)));
        assert_eq!(CategoryTargets::parse("a: 0/1"), Err(TargetProblem::OutOfRange(1)));
        assert_eq!(CategoryTargets::parse("a: 1/366"), Err(TargetProblem::OutOfRange(1)));
        assert_eq!(CategoryTargets::parse("a: 1/1\na: 2/2"), Err(TargetProblem::Twice(2, "a".into())));
        assert_eq!(CategoryTargets::parse("  \n"), Ok(CategoryTargets::default()));
    }

    proptest! {
        #[test]
        fn deadlines_never_precede_receipt_and_urgent_comes_first(
            secs in 1_600_000_000i64..1_900_000_000,
            offset in -720i32..=840,
            ack in 1u32..200,
            days in 1u32..60,
        ) {
            let at = OffsetDateTime::from_unix_timestamp(secs).expect("in range");
            let levels = ServiceLevels { acknowledge_hours: ack, respond_days: days, referral_hours: 24, utc_offset_minutes: offset };
            let urgent = levels.due(at, Criticality::Urgent, true);
            let normal = levels.due(at, Criticality::ActionNeeded, true);
            prop_assert!(urgent.respond_by >= at && urgent.respond_by < at + Duration::days(1));
            prop_assert!(urgent.acknowledge_by <= urgent.respond_by);
            prop_assert!(normal.acknowledge_by > at && normal.respond_by > at);
            prop_assert!(urgent.respond_by <= normal.respond_by);
            prop_assert_eq!(urgent.refer_by, Some(at + Duration::hours(24)));
        }
    }
}
