//! What leaves Haven about an item: escalation of missed deadlines, and replies to the person
//! through a messaging gateway with retries and delivery status.

use time::{Duration, OffsetDateTime};

use super::Status;

/// A service-level deadline an item can miss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Deadline {
    Acknowledge,
    Respond,
    /// Sealed items: the referral to the investigating organisation.
    Refer,
}

coded!(Deadline { Acknowledge => "acknowledge", Respond => "respond", Refer => "refer" });

/// Where an item stands against its deadlines.
#[derive(Debug, Clone, Copy)]
pub struct DeadlineState {
    pub status: Status,
    pub acknowledge_by: OffsetDateTime,
    pub acknowledged_at: Option<OffsetDateTime>,
    pub respond_by: OffsetDateTime,
    pub responded_at: Option<OffsetDateTime>,
    pub refer_by: Option<OffsetDateTime>,
    pub referred_at: Option<OffsetDateTime>,
}

/// The deadlines the item has missed at `now`, each with when it was due. A closed item
/// misses nothing; a step taken, even late, settles its deadline.
pub fn missed(item: &DeadlineState, now: OffsetDateTime) -> Vec<(Deadline, OffsetDateTime)> {
    if item.status == Status::Closed {
        return Vec::new();
    }
    let checks = [
        (Deadline::Acknowledge, Some(item.acknowledge_by), item.acknowledged_at),
        (Deadline::Respond, Some(item.respond_by), item.responded_at),
        (Deadline::Refer, item.refer_by, item.referred_at),
    ];
    checks
        .into_iter()
        .filter_map(|(deadline, due, done)| match (due, done) {
            (Some(due), None) if now > due => Some((deadline, due)),
            _ => None,
        })
        .collect()
}

/// How long to wait before trying a message again after its `attempts`-th failed try; `None`
/// once it has had its last chance (a day and a half of tries in all).
pub fn retry_delay(attempts: i64) -> Option<Duration> {
    match attempts {
        ..=0 => Some(Duration::ZERO),
        1 => Some(Duration::minutes(1)),
        2 => Some(Duration::minutes(5)),
        3 => Some(Duration::minutes(30)),
        4 => Some(Duration::hours(2)),
        5 => Some(Duration::hours(8)),
        6 => Some(Duration::hours(24)),
        _ => None,
    }
}

/// Where a reply to the person stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MessageStatus {
    /// Waiting for its (next) try.
    Queued,
    /// Taken by a sender.
    Sending,
    /// The gateway took it.
    Sent,
    /// The gateway says it reached the phone.
    Delivered,
    /// The gateway says it did not reach the phone.
    Undelivered,
    /// Refused by the gateway, or out of tries.
    Failed,
}

coded!(MessageStatus {
    Queued => "queued",
    Sending => "sending",
    Sent => "sent",
    Delivered => "delivered",
    Undelivered => "undelivered",
    Failed => "failed",
});

impl MessageStatus {
    /// A gateway's delivery report, in Twilio's words (which RapidPro and others echo).
    pub fn from_report(status: &str) -> Option<MessageStatus> {
        match status.trim().to_ascii_lowercase().as_str() {
            "accepted" | "queued" | "sending" | "scheduled" => Some(MessageStatus::Sent),
            "sent" => Some(MessageStatus::Sent),
            "delivered" | "read" => Some(MessageStatus::Delivered),
            "undelivered" => Some(MessageStatus::Undelivered),
            "failed" | "canceled" => Some(MessageStatus::Failed),
            _ => None,
        }
    }

    /// A later report may move a message forward, never back (reports arrive out of order).
    pub fn may_become(self, next: MessageStatus) -> bool {
        let rank = |s: MessageStatus| match s {
            MessageStatus::Queued | MessageStatus::Sending => 0,
            MessageStatus::Sent => 1,
            MessageStatus::Delivered | MessageStatus::Undelivered | MessageStatus::Failed => 2,
        };
        rank(next) > rank(self)
    }
}

/// Whether a report names this person: every word of their name (two letters or more) is in
/// it. Used to keep a PSEA focal point away from a report about them; a focal point can also
/// be stood down by hand when a report names them otherwise.
pub fn names_person(text: &str, display_name: &str) -> bool {
    let words = crate::text::search_tokens(text);
    let name: Vec<String> =
        crate::text::search_tokens(display_name).into_iter().filter(|w| w.chars().count() >= 2).collect();
    !name.is_empty() && name.iter().all(|w| words.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;

    fn state(status: Status, offsets: [Option<i64>; 3]) -> DeadlineState {
        let t0 = datetime!(2026-03-01 08:00 UTC);
        let at = |h: Option<i64>| h.map(|h| t0 + Duration::hours(h));
        DeadlineState {
            status,
            acknowledge_by: t0 + Duration::hours(24),
            acknowledged_at: at(offsets[0]),
            respond_by: t0 + Duration::days(7),
            responded_at: at(offsets[1]),
            refer_by: Some(t0 + Duration::hours(24)),
            referred_at: at(offsets[2]),
        }
    }

    #[test]
    fn an_untouched_item_misses_its_deadlines_one_by_one() {
        let item = state(Status::Received, [None, None, None]);
        let t0 = datetime!(2026-03-01 08:00 UTC);
        assert!(missed(&item, t0 + Duration::hours(24)).is_empty(), "due at, not yet missed");
        let day_two: Vec<_> = missed(&item, t0 + Duration::hours(25)).into_iter().map(|m| m.0).collect();
        assert_eq!(day_two, [Deadline::Acknowledge, Deadline::Refer]);
        let week_two: Vec<_> = missed(&item, t0 + Duration::days(8)).into_iter().map(|m| m.0).collect();
        assert_eq!(week_two, [Deadline::Acknowledge, Deadline::Respond, Deadline::Refer]);
    }

    #[test]
    fn a_late_step_settles_its_deadline() {
        let item = state(Status::Acknowledged, [Some(30), None, Some(40)]);
        let t0 = datetime!(2026-03-01 08:00 UTC);
        assert!(missed(&item, t0 + Duration::days(2)).is_empty());
    }

    #[test]
    fn retries_stop_after_the_last_chance() {
        let total: Duration = (1..=6).filter_map(retry_delay).sum();
        assert_eq!(total, Duration::minutes(36) + Duration::hours(34));
        assert_eq!(retry_delay(7), None);
    }

    #[test]
    fn delivery_reports_never_move_a_message_back() {
        assert!(MessageStatus::Sent.may_become(MessageStatus::Delivered));
        assert!(!MessageStatus::Delivered.may_become(MessageStatus::Sent));
        assert!(!MessageStatus::Delivered.may_become(MessageStatus::Failed));
        assert_eq!(MessageStatus::from_report("DELIVERED"), Some(MessageStatus::Delivered));
        assert_eq!(MessageStatus::from_report("bogus"), None);
    }

    #[test]
    fn a_report_names_a_person_by_their_full_name() {
        let text = "The focal point AMINA Diallo told me to keep quiet";
        assert!(names_person(text, "Amina Diallo"));
        assert!(names_person("Diallo, Ámina", "Amina Diallo"));
        assert!(!names_person("Amina from the clinic helped", "Amina Diallo"));
        assert!(!names_person("anything", ""));
    }

    proptest! {
        #[test]
        fn missed_deadlines_are_past_and_unsettled(
            status in prop::sample::select(Status::ALL.to_vec()),
            done in prop::array::uniform3(prop::option::of(0i64..400)),
            now_h in -10i64..400,
        ) {
            let item = state(status, done);
            let now = datetime!(2026-03-01 08:00 UTC) + Duration::hours(now_h);
            for (deadline, due) in missed(&item, now) {
                prop_assert!(status != Status::Closed);
                prop_assert!(due < now);
                let settled = match deadline {
                    Deadline::Acknowledge => item.acknowledged_at,
                    Deadline::Respond => item.responded_at,
                    Deadline::Refer => item.referred_at,
                };
                prop_assert!(settled.is_none());
            }
        }
    }
}
