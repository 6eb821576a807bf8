//! The lifecycle of an item: received → acknowledged → assigned or referred → responded →
//! closed, with reopening. Which action may follow which status is decided here, once.

use serde::{Deserialize, Serialize};

use super::Status;

/// How the loop was closed with the person (IFRC logbook list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoopClosing {
    Immediately,
    FollowUpCall,
    FollowUpVisit,
    FollowUpMessage,
    ThroughFocalPoint,
    CommunityMeeting,
    NotPossible,
}

coded!(LoopClosing {
    Immediately => "immediately",
    FollowUpCall => "follow_up_call",
    FollowUpVisit => "follow_up_visit",
    FollowUpMessage => "follow_up_message",
    ThroughFocalPoint => "through_focal_point",
    CommunityMeeting => "community_meeting",
    NotPossible => "not_possible",
});

/// Why an item was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosureReason {
    Resolved,
    InformationProvided,
    ReferredHandedOver,
    NoActionPossible,
    Unreachable,
    Duplicate,
    Withdrawn,
    Incomplete,
}

coded!(ClosureReason {
    Resolved => "resolved",
    InformationProvided => "information_provided",
    ReferredHandedOver => "referred_handed_over",
    NoActionPossible => "no_action_possible",
    Unreachable => "unreachable",
    Duplicate => "duplicate",
    Withdrawn => "withdrawn",
    Incomplete => "incomplete",
});

impl ClosureReason {
    /// Reasons that close without an answer to the person, so without closing the loop.
    pub fn needs_no_loop(self) -> bool {
        matches!(
            self,
            ClosureReason::Unreachable
                | ClosureReason::Duplicate
                | ClosureReason::Withdrawn
                | ClosureReason::Incomplete
        )
    }
}

/// The person's satisfaction when the loop was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Satisfaction {
    Satisfied,
    Neutral,
    Dissatisfied,
    NotAsked,
}

coded!(Satisfaction {
    Satisfied => "satisfied",
    Neutral => "neutral",
    Dissatisfied => "dissatisfied",
    NotAsked => "not_asked",
});

/// Where a referral goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferralKind {
    /// Another team of the organisation.
    Internal,
    /// A partner organisation: only with the person's consent.
    Partner,
    /// Sealed items: the organisation of the alleged perpetrator or its investigation office.
    Investigation,
    /// Sealed items: assistance services for the survivor, only with their consent.
    Assistance,
}

coded!(ReferralKind {
    Internal => "internal",
    Partner => "partner",
    Investigation => "investigation",
    Assistance => "assistance",
});

/// Something done to an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Acknowledge,
    Assign,
    Refer(ReferralKind),
    Respond,
    Close(ClosureReason),
    Reopen,
    Note,
}

impl Step {
    pub fn code(self) -> &'static str {
        match self {
            Step::Acknowledge => "acknowledge",
            Step::Assign => "assign",
            Step::Refer(_) => "refer",
            Step::Respond => "respond",
            Step::Close(_) => "close",
            Step::Reopen => "reopen",
            Step::Note => "note",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    #[error("a closed item must be reopened first")]
    Closed,
    #[error("only a closed item can be reopened")]
    NotClosed,
    #[error("respond before closing, or close with a reason that needs no answer")]
    NotResponded,
    #[error("sealed items are referred for investigation or assistance")]
    SealedReferral,
    #[error("investigation and assistance referrals are for sealed items")]
    OpenReferral,
    #[error("a referral outside the organisation (a partner, assistance services) needs the person's consent")]
    NoConsent,
}

impl StepError {
    /// A stable code for the web layer and translations.
    pub fn code(self) -> &'static str {
        match self {
            StepError::Closed => "item-closed",
            StepError::NotClosed => "item-not-closed",
            StepError::NotResponded => "not-responded",
            StepError::SealedReferral => "sealed-referral",
            StepError::OpenReferral => "open-referral",
            StepError::NoConsent => "referral-consent-required",
        }
    }
}

/// The status after `step`, or why it may not be taken. `sealed` is the item's seal and
/// `consent` the person's recorded consent to be referred outside the organisation (to a
/// partner, or a survivor to assistance services).
pub fn next_status(current: Status, step: Step, sealed: bool, consent: bool) -> Result<Status, StepError> {
    if current == Status::Closed && !matches!(step, Step::Reopen | Step::Note) {
        return Err(StepError::Closed);
    }
    match step {
        Step::Note => Ok(current),
        Step::Acknowledge => Ok(if current == Status::Received { Status::Acknowledged } else { current }),
        Step::Assign => Ok(match current {
            Status::Responded => Status::Responded,
            _ => Status::Assigned,
        }),
        Step::Refer(kind) => {
            match (sealed, kind) {
                (true, ReferralKind::Internal | ReferralKind::Partner) => return Err(StepError::SealedReferral),
                (false, ReferralKind::Investigation | ReferralKind::Assistance) => return Err(StepError::OpenReferral),
                (true, ReferralKind::Assistance) | (false, ReferralKind::Partner) if !consent => {
                    return Err(StepError::NoConsent);
                }
                _ => {}
            }
            Ok(if current == Status::Responded { Status::Responded } else { Status::Referred })
        }
        Step::Respond => Ok(Status::Responded),
        Step::Close(reason) => {
            if current != Status::Responded && !reason.needs_no_loop() {
                return Err(StepError::NotResponded);
            }
            Ok(Status::Closed)
        }
        Step::Reopen => {
            if current == Status::Closed {
                Ok(Status::Acknowledged)
            } else {
                Err(StepError::NotClosed)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_usual_path() {
        let mut s = Status::Received;
        for step in [Step::Acknowledge, Step::Assign, Step::Respond, Step::Close(ClosureReason::Resolved)] {
            s = next_status(s, step, false, false).expect("allowed");
        }
        assert_eq!(s, Status::Closed);
        assert_eq!(next_status(s, Step::Respond, false, false), Err(StepError::Closed));
        assert_eq!(next_status(s, Step::Reopen, false, false), Ok(Status::Acknowledged));
    }

    #[test]
    fn closing_needs_an_answer_unless_there_is_nobody_to_answer() {
        assert_eq!(
            next_status(Status::Assigned, Step::Close(ClosureReason::Resolved), false, false),
            Err(StepError::NotResponded)
        );
        assert_eq!(
            next_status(Status::Received, Step::Close(ClosureReason::Duplicate), false, false),
            Ok(Status::Closed)
        );
    }

    #[test]
    fn sealed_referrals_go_to_investigators_and_to_services_only_with_consent() {
        let refer = |k| Step::Refer(k);
        assert_eq!(
            next_status(Status::Received, refer(ReferralKind::Investigation), true, false),
            Ok(Status::Referred)
        );
        assert_eq!(
            next_status(Status::Received, refer(ReferralKind::Assistance), true, false),
            Err(StepError::NoConsent)
        );
        assert_eq!(next_status(Status::Received, refer(ReferralKind::Assistance), true, true), Ok(Status::Referred));
        assert_eq!(
            next_status(Status::Received, refer(ReferralKind::Partner), true, true),
            Err(StepError::SealedReferral)
        );
        assert_eq!(
            next_status(Status::Received, refer(ReferralKind::Investigation), false, true),
            Err(StepError::OpenReferral)
        );
    }

    #[test]
    fn partner_referrals_need_consent_and_internal_ones_do_not() {
        let refer = |k| Step::Refer(k);
        assert_eq!(
            next_status(Status::Acknowledged, refer(ReferralKind::Partner), false, false),
            Err(StepError::NoConsent)
        );
        assert_eq!(next_status(Status::Acknowledged, refer(ReferralKind::Partner), false, true), Ok(Status::Referred));
        assert_eq!(
            next_status(Status::Acknowledged, refer(ReferralKind::Internal), false, false),
            Ok(Status::Referred)
        );
    }

    fn any_step() -> impl Strategy<Value = Step> {
        prop_oneof![
            Just(Step::Acknowledge),
            Just(Step::Assign),
            Just(Step::Refer(ReferralKind::Internal)),
            Just(Step::Refer(ReferralKind::Investigation)),
            Just(Step::Refer(ReferralKind::Assistance)),
            Just(Step::Respond),
            Just(Step::Close(ClosureReason::Resolved)),
            Just(Step::Close(ClosureReason::Withdrawn)),
            Just(Step::Reopen),
            Just(Step::Note),
        ]
    }

    proptest! {
        #[test]
        fn only_closing_closes_and_only_reopening_leaves_closed(
            steps in proptest::collection::vec(any_step(), 0..30), sealed: bool, consent: bool,
        ) {
            let mut s = Status::Received;
            for step in steps {
                if let Ok(next) = next_status(s, step, sealed, consent) {
                    prop_assert_eq!(next == Status::Closed && s != Status::Closed, matches!(step, Step::Close(_)));
                    if s == Status::Closed && next != Status::Closed {
                        prop_assert_eq!(step, Step::Reopen);
                    }
                    if next == Status::Closed && s != Status::Closed {
                        // Closed with an answer, or for a reason that needs none.
                        let Step::Close(reason) = step else { unreachable!() };
                        prop_assert!(s == Status::Responded || reason.needs_no_loop());
                    }
                    s = next;
                }
            }
        }
    }
}
