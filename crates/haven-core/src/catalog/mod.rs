//! Reference data: principles, phases, sectors, at-risk groups, risks, action types,
//! pillars, age brackets, the feedback typology. Files in `catalog/` are parsed and checked here, then loaded.

mod file;
mod localized;

pub use file::{CatalogFile, CatalogItem, CatalogProblem, check_code};
pub use localized::{LANGUAGES, Localized};

/// The kinds of reference data, as they appear in file names and API paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CatalogKind {
    Principles,
    Phases,
    Sectors,
    AtRiskGroups,
    Risks,
    ActionTypes,
    Pillars,
    AgeBrackets,
    FeedbackTypology,
    /// The protection mainstreaming checklist: items per phase × principle, general and per sector.
    Checklist,
    /// Protection mainstreaming M&E indicators.
    PmIndicators,
    SafetyAuditDomains,
    SafetyAuditItems,
}

impl CatalogKind {
    pub const ALL: [CatalogKind; 13] = [
        CatalogKind::Principles,
        CatalogKind::Phases,
        CatalogKind::Sectors,
        CatalogKind::AtRiskGroups,
        CatalogKind::Risks,
        CatalogKind::ActionTypes,
        CatalogKind::Pillars,
        CatalogKind::AgeBrackets,
        CatalogKind::FeedbackTypology,
        CatalogKind::Checklist,
        CatalogKind::PmIndicators,
        CatalogKind::SafetyAuditDomains,
        CatalogKind::SafetyAuditItems,
    ];

    pub fn code(self) -> &'static str {
        match self {
            CatalogKind::Principles => "principles",
            CatalogKind::Phases => "phases",
            CatalogKind::Sectors => "sectors",
            CatalogKind::AtRiskGroups => "at-risk-groups",
            CatalogKind::Risks => "risks",
            CatalogKind::ActionTypes => "action-types",
            CatalogKind::Pillars => "pillars",
            CatalogKind::AgeBrackets => "age-brackets",
            CatalogKind::FeedbackTypology => "feedback-typology",
            CatalogKind::Checklist => "checklist",
            CatalogKind::PmIndicators => "pm-indicators",
            CatalogKind::SafetyAuditDomains => "safety-audit-domains",
            CatalogKind::SafetyAuditItems => "safety-audit-items",
        }
    }

    pub fn from_code(code: &str) -> Option<CatalogKind> {
        CatalogKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Whether an organisation may add its own entries with a code and names only. Kinds whose
    /// items carry structure (a checklist item's phase and principle, an indicator's formula,
    /// an audit question's points) change only with a new catalog version.
    pub fn takes_simple_entries(self) -> bool {
        !matches!(self, CatalogKind::Checklist | CatalogKind::PmIndicators | CatalogKind::SafetyAuditItems)
    }
}
