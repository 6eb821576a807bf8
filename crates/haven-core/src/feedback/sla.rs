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
