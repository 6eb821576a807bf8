//! Protection across the project cycle: the project register, the checklist per phase and
//! principle, targeting that cannot discriminate, the do-no-harm register and the
//! endorsement gate. Everything here is a rule on values; the store keeps them.

mod checklist;
mod evidence;
mod gate;
mod register;
mod risks;
mod rounds;
mod targeting;

pub use checklist::{Answer, AnswerInput, ChecklistItem, PrincipleScore, RawAnswer, Stage, principle_scores};
pub use evidence::{EvidenceFile, MAX_EVIDENCE_BYTES, RawEvidence, accept_evidence, media_type_of};
pub use gate::{
    DeviationRefusal, DeviationState, GateItem, MaterialChange, Unmet, material_changes, may_approve_deviation,
    register_reviewed, unmet_conditions,
};
pub use register::{
    CrisisPhase, CyclePhase, Dimension, PhaseError, PopulationGroup, ProjectInput, ProjectStatus, RawProject,
    RawTargetCell, TargetCell, next_phase,
};
pub use risks::{RawRisk, RiskInput, RiskLevel, RiskStatus};
pub use rounds::{
    LessonInput, Period, RawLesson, RawUptake, RoundRefusal, RoundStatus, UptakeInput, check_period, evaluation_items,
    places_meet, round_items, unanswered_mandatory,
};
pub use targeting::{
    Attribute, Criterion, Ground, RawCriterion, RawTargeting, Refusal, Rule, Targeting, TargetingMode, screen_notes,
};

/// The four protection mainstreaming principles (catalog kind `principles`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Principle {
    SafetyDignityDoNoHarm,
    MeaningfulAccess,
    Accountability,
    ParticipationEmpowerment,
}

coded!(Principle {
    SafetyDignityDoNoHarm => "safety-dignity-do-no-harm",
    MeaningfulAccess => "meaningful-access",
    Accountability => "accountability",
    ParticipationEmpowerment => "participation-empowerment",
});
