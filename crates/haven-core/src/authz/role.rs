use serde::{Deserialize, Serialize};

/// The roles of a Haven deployment. Codes are stable: they are stored and appear in the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Administrator,
    ProtectionOfficer,
    ProjectManager,
    CaseWorker,
    FeedbackAgent,
    PseaFocalPoint,
    MeOfficer,
    Viewer,
    /// Decides on deviations where the organisation sends them to headquarters.
    HeadquartersReviewer,
}

impl Role {
    pub const ALL: [Role; 9] = [
        Role::Administrator,
        Role::ProtectionOfficer,
        Role::ProjectManager,
        Role::CaseWorker,
        Role::FeedbackAgent,
        Role::PseaFocalPoint,
        Role::MeOfficer,
        Role::Viewer,
        Role::HeadquartersReviewer,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::ProtectionOfficer => "protection-officer",
            Role::ProjectManager => "project-manager",
            Role::CaseWorker => "case-worker",
            Role::FeedbackAgent => "feedback-agent",
            Role::PseaFocalPoint => "psea-focal-point",
            Role::MeOfficer => "me-officer",
            Role::Viewer => "viewer",
            Role::HeadquartersReviewer => "headquarters-reviewer",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Roles whose holders must use a second factor outside the demo, by default.
    pub fn requires_mfa_by_default(self) -> bool {
        matches!(self, Role::Administrator | Role::PseaFocalPoint)
    }

    /// What a role may do. Administrators run the system but read no sealed or case data.
    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::Administrator => &[
                CatalogRead,
                CatalogEdit,
                UsersRead,
                UsersManage,
                AuditRead,
                SettingsManage,
                LocationsManage,
                ServicesRead,
                ServicesManage,
                AnswersManage,
            ],
            Role::ProtectionOfficer => &[
                CatalogRead,
                CaseRead,
                CaseWrite,
                FeedbackRead,
                FeedbackFiguresRead,
                FeedbackWrite,
                AnalysisRead,
                AnalysisWrite,
                ProjectsRead,
                ProjectsWrite,
                ProjectsApprove,
                ServicesRead,
                ServicesManage,
                AnswersManage,
                SafetyAuditsWrite,
                ParticipationWrite,
                IndicatorsRead,
                IndicatorsWrite,
                IndicatorsSmallCells,
                LexiconManage,
            ],
            Role::ProjectManager => &[
                CatalogRead,
                ProjectsRead,
                ProjectsWrite,
                FeedbackRead,
                FeedbackFiguresRead,
                ServicesRead,
                IndicatorsRead,
                SafetyAuditsWrite,
                ParticipationWrite,
            ],
            Role::CaseWorker => &[CatalogRead, CaseRead, CaseWrite, ServicesRead],
            Role::FeedbackAgent => &[CatalogRead, FeedbackRead, FeedbackFiguresRead, FeedbackWrite, ServicesRead],
            Role::PseaFocalPoint => {
                &[CatalogRead, FeedbackRead, FeedbackFiguresRead, SealedRead, SealedWrite, ServicesRead, LexiconManage]
            }
            Role::MeOfficer => {
                &[CatalogRead, ProjectsRead, IndicatorsRead, IndicatorsWrite, ParticipationWrite, FeedbackFiguresRead]
            }
            Role::Viewer => &[CatalogRead, ProjectsRead, IndicatorsRead],
            Role::HeadquartersReviewer => &[CatalogRead, ProjectsRead, ProjectsApprove, IndicatorsRead],
        }
    }
}

/// Every action Haven guards. A route names exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Permission {
    CatalogRead,
    CatalogEdit,
    UsersRead,
    UsersManage,
    AuditRead,
    SettingsManage,
    LocationsManage,
    CaseRead,
    CaseWrite,
    FeedbackRead,
    FeedbackWrite,
    SealedRead,
    SealedWrite,
    AnalysisRead,
    AnalysisWrite,
    ProjectsRead,
    ProjectsWrite,
    /// Decide on deviations from mandatory checklist items and endorse projects.
    ProjectsApprove,
    IndicatorsRead,
    IndicatorsWrite,
    /// Look up the service directory.
    ServicesRead,
    /// Maintain the service directory.
    ServicesManage,
    /// Approve the answers agents give to frequent information requests.
    AnswersManage,
    /// Record safety audit rounds of sites and follow their actions.
    SafetyAuditsWrite,
    /// Record committees and community consultations.
    ParticipationWrite,
    /// See indicator cells of fewer than 5 people, which others see as "<5".
    IndicatorsSmallCells,
    /// Edit the keyword screen's lexicon, which proposes sealing at intake.
    LexiconManage,
    /// Read the feedback mechanism's counts and service levels (small cells suppressed
    /// unless the role is in protection), not the items.
    FeedbackFiguresRead,
}

impl Permission {
    pub const ALL: [Permission; 28] = [
        Permission::CatalogRead,
        Permission::CatalogEdit,
        Permission::UsersRead,
        Permission::UsersManage,
        Permission::AuditRead,
        Permission::SettingsManage,
        Permission::LocationsManage,
        Permission::CaseRead,
        Permission::CaseWrite,
        Permission::FeedbackRead,
        Permission::FeedbackWrite,
        Permission::SealedRead,
        Permission::SealedWrite,
        Permission::AnalysisRead,
        Permission::AnalysisWrite,
        Permission::ProjectsRead,
        Permission::ProjectsWrite,
        Permission::ProjectsApprove,
        Permission::IndicatorsRead,
        Permission::IndicatorsWrite,
        Permission::ServicesRead,
        Permission::ServicesManage,
        Permission::AnswersManage,
        Permission::SafetyAuditsWrite,
        Permission::ParticipationWrite,
        Permission::IndicatorsSmallCells,
        Permission::LexiconManage,
        Permission::FeedbackFiguresRead,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Permission::CatalogRead => "catalog-read",
            Permission::CatalogEdit => "catalog-edit",
            Permission::UsersRead => "users-read",
            Permission::UsersManage => "users-manage",
            Permission::AuditRead => "audit-read",
            Permission::SettingsManage => "settings-manage",
            Permission::LocationsManage => "locations-manage",
            Permission::CaseRead => "case-read",
            Permission::CaseWrite => "case-write",
            Permission::FeedbackRead => "feedback-read",
            Permission::FeedbackWrite => "feedback-write",
            Permission::SealedRead => "sealed-read",
            Permission::SealedWrite => "sealed-write",
            Permission::AnalysisRead => "analysis-read",
            Permission::AnalysisWrite => "analysis-write",
            Permission::ProjectsRead => "projects-read",
            Permission::ProjectsWrite => "projects-write",
            Permission::ProjectsApprove => "projects-approve",
            Permission::IndicatorsRead => "indicators-read",
            Permission::IndicatorsWrite => "indicators-write",
            Permission::ServicesRead => "services-read",
            Permission::ServicesManage => "services-manage",
            Permission::AnswersManage => "answers-manage",
            Permission::SafetyAuditsWrite => "safety-audits-write",
            Permission::ParticipationWrite => "participation-write",
            Permission::IndicatorsSmallCells => "indicators-small-cells",
            Permission::LexiconManage => "lexicon-manage",
            Permission::FeedbackFiguresRead => "feedback-figures-read",
        }
    }

    pub fn from_code(code: &str) -> Option<Permission> {
        Permission::ALL.into_iter().find(|p| p.code() == code)
    }

    /// Permissions over sealed or personal case data: never held by administrators, and their
    /// use is audited even for reads.
    pub fn is_sensitive(self) -> bool {
        matches!(self, Permission::CaseRead | Permission::CaseWrite | Permission::SealedRead | Permission::SealedWrite)
    }
}
