//! Community feedback and complaints: the channels people use, the typology, sensitivity,
//! criticality and the lifecycle, and the rules on them (validation of what arrives, the
//! keyword screen that proposes sensitivity, reference codes, service levels).

mod answers;
mod callbacks;
mod directory;
mod directory_import;
mod functioning;
mod import;
mod intake;
mod lifecycle;
mod links;
mod outbound;
mod reference;
mod screen;
mod sla;

pub use answers::{ANSWER_LANGUAGES, AnswerText, RawAnswerText, matches as answer_matches};
pub use callbacks::{CALLBACK_SCHEDULED, CallbackOutcome, ContactRetention, is_overdue};
pub use directory::{MAX_LOCATIONS, RawService, Service, ServiceType, is_language_code, serves, split_list};
pub use directory_import::rows_to_services;
pub use functioning::{Difficulty, Domain, FunctioningError, ShortSet};
pub use import::{ImportedRow, RowProblem, parse_when, rows_to_submissions};
pub use intake::{FieldProblem, RawSubmission, Submission, age_bracket_of};
pub use lifecycle::{ClosureReason, LoopClosing, ReferralKind, Satisfaction, Step, StepError, next_status};
pub use links::{Links, RawLinks};
pub use outbound::{Deadline, DeadlineState, MessageStatus, missed, names_person, retry_delay};
pub use reference::{ReferenceCode, parse_reference};
pub use screen::{Lexicon, LexiconError, LexiconProblem, ScreenHit};
pub use sla::{CategoryTarget, CategoryTargets, Due, ServiceLevels, TargetProblem};

use serde::{Deserialize, Serialize};

/// How the feedback reached the organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Web,
    Sms,
    Whatsapp,
    Hotline,
    Helpdesk,
    SuggestionBox,
    CommunityMeeting,
    FieldVisit,
    Survey,
    Email,
    Other,
}

coded!(Channel {
    Web => "web",
    Sms => "sms",
    Whatsapp => "whatsapp",
    Hotline => "hotline",
    Helpdesk => "helpdesk",
    SuggestionBox => "suggestion_box",
    CommunityMeeting => "community_meeting",
    FieldVisit => "field_visit",
    Survey => "survey",
    Email => "email",
    Other => "other",
});

impl Channel {
    /// Channels an agent records on somebody's behalf (the agent form's choices).
    pub const AGENT: [Channel; 8] = [
        Channel::Helpdesk,
        Channel::Hotline,
        Channel::SuggestionBox,
        Channel::CommunityMeeting,
        Channel::FieldVisit,
        Channel::Survey,
        Channel::Email,
        Channel::Other,
    ];
}

/// The sensitive sub-types: each is sealed and handled by PSEA focal points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SensitiveType {
    /// Sexual exploitation and abuse by someone working in the response.
    Sea,
    /// Fraud or corruption.
    Fraud,
    /// Other staff misconduct.
    Misconduct,
    ChildSafeguarding,
    SafetyThreat,
}

coded!(SensitiveType {
    Sea => "sea",
    Fraud => "fraud",
    Misconduct => "misconduct",
    ChildSafeguarding => "child_safeguarding",
    SafetyThreat => "safety_threat",
});

/// The complainant's sex as given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Sex {
    #[serde(rename = "f")]
    Female,
    #[serde(rename = "m")]
    Male,
    /// Another identity.
    #[serde(rename = "x")]
    Other,
    #[serde(rename = "u")]
    Unknown,
}

coded!(Sex { Female => "f", Male => "m", Other => "x", Unknown => "u" });

/// The IFRC criticality scale; its order is the priority (1 first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Criticality {
    /// Life-threatening or an immediate protection risk.
    Urgent,
    ActionNeeded,
    NoImmediateAction,
    ActionTaken,
    ToBeClarified,
}

coded!(Criticality {
    Urgent => "urgent",
    ActionNeeded => "action_needed",
    NoImmediateAction => "no_immediate_action",
    ActionTaken => "action_taken",
    ToBeClarified => "to_be_clarified",
});

impl Criticality {
    /// Priority 1 (most urgent) to 4. "To be clarified" is worked like "action needed"
    /// until somebody clarifies it.
    pub fn priority(self) -> u8 {
        match self {
            Criticality::Urgent => 1,
            Criticality::ActionNeeded | Criticality::ToBeClarified => 2,
            Criticality::NoImmediateAction => 3,
            Criticality::ActionTaken => 4,
        }
    }
}

/// Where an item stands in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Received,
    Acknowledged,
    Assigned,
    Referred,
    Responded,
    Closed,
}

coded!(Status {
    Received => "received",
    Acknowledged => "acknowledged",
    Assigned => "assigned",
    Referred => "referred",
    Responded => "responded",
    Closed => "closed",
});

/// Whether an item is sealed, and how firmly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Seal {
    Open,
    /// A keyword hit sealed it until a PSEA focal point decides.
    Provisional,
    Sealed,
}

coded!(Seal { Open => "open", Provisional => "provisional", Sealed => "sealed" });

impl Seal {
    pub fn is_sealed(self) -> bool {
        self != Seal::Open
    }
}
