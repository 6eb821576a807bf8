//! The audit log's entries and their canonical encoding, the input of the hash chain.
//!
//! The chain itself (keyed hashing, storage, verification) is in `haven-store`; this module
//! fixes exactly which bytes are hashed, so that every column of an entry is covered and no
//! two different entries encode alike.

use time::OffsetDateTime;
use uuid::Uuid;

/// One entry as stored. `summary` never holds personal data: it says what happened, not to
/// whom (entity ids point to the record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: OffsetDateTime,
    pub actor_id: Option<Uuid>,
    pub actor: String,
    pub action: String,
    pub entity_kind: String,
    pub entity_id: String,
    pub summary: String,
}

/// A change to record, before it has a place in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub actor_id: Option<Uuid>,
    pub actor: String,
    pub action: &'static str,
    pub entity_kind: &'static str,
    pub entity_id: String,
    pub summary: String,
}

impl AuditEvent {
    pub fn new(action: &'static str, entity_kind: &'static str, entity_id: impl Into<String>) -> AuditEvent {
        AuditEvent {
            actor_id: None,
            actor: "system".to_owned(),
            action,
            entity_kind,
            entity_id: entity_id.into(),
            summary: String::new(),
        }
    }

    pub fn by(mut self, actor_id: Option<Uuid>, actor: impl Into<String>) -> AuditEvent {
        self.actor_id = actor_id;
        self.actor = actor.into();
        self
    }

    pub fn summary(mut self, summary: impl Into<String>) -> AuditEvent {
        self.summary = summary.into();
        self
    }
}

/// The bytes the chain hashes: every column, length-prefixed, then the previous hash.
pub fn canonical_bytes(entry: &AuditEntry, prev_hash: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(b"haven-audit-v1");
    out.extend_from_slice(&entry.seq.to_be_bytes());
    let micros = entry.at.unix_timestamp_nanos() / 1_000;
    out.extend_from_slice(&micros.to_be_bytes());
    push_field(&mut out, entry.actor_id.map(|u| u.to_string()).unwrap_or_default().as_bytes());
    push_field(&mut out, entry.actor.as_bytes());
    push_field(&mut out, entry.action.as_bytes());
    push_field(&mut out, entry.entity_kind.as_bytes());
    push_field(&mut out, entry.entity_id.as_bytes());
    push_field(&mut out, entry.summary.as_bytes());
    push_field(&mut out, prev_hash);
    out
}

fn push_field(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
    out.extend_from_slice(bytes);
}

/// Action names, so the viewer can translate and filter them.
pub mod actions {
    pub const SIGN_IN: &str = "identity.sign-in";
    pub const SIGN_IN_FAILED: &str = "identity.sign-in-failed";
    pub const ACCOUNT_LOCKED: &str = "identity.account-locked";
    pub const SIGN_OUT: &str = "identity.sign-out";
    pub const SIGN_OUT_EVERYWHERE: &str = "identity.sign-out-everywhere";
    pub const PASSWORD_CHANGED: &str = "identity.password-changed";
    pub const PASSWORD_RESET: &str = "identity.password-reset";
    pub const MFA_ENROLLED: &str = "identity.mfa-enrolled";
    pub const MFA_RESET: &str = "identity.mfa-reset";
    pub const MFA_FAILED: &str = "identity.mfa-failed";
    pub const RECOVERY_CODE_USED: &str = "identity.recovery-code-used";
    pub const TOKEN_CREATED: &str = "identity.token-created";
    pub const TOKEN_REVOKED: &str = "identity.token-revoked";
    pub const USER_CREATED: &str = "users.created";
    pub const USER_DISABLED: &str = "users.disabled";
    pub const USER_ENABLED: &str = "users.enabled";
    pub const ROLE_GRANTED: &str = "users.role-granted";
    pub const ROLE_REVOKED: &str = "users.role-revoked";
    pub const ACCESS_DENIED: &str = "authz.denied";
    pub const SETTING_CHANGED: &str = "settings.changed";
    pub const CATALOG_LOADED: &str = "catalog.loaded";
    pub const CATALOG_ENTRY_ADDED: &str = "catalog.entry-added";
    pub const LOCATIONS_IMPORTED: &str = "locations.imported";
    pub const KEYS_ROTATED: &str = "keys.rotated";
    pub const AUDIT_VIEWED: &str = "audit.viewed";
    pub const BACKUP_MADE: &str = "backup.made";
    pub const DATABASE_COPIED: &str = "database.copied";
    pub const DEMO_SEEDED: &str = "demo.seeded";
    pub const PSEA_OFFICE_SET_UP: &str = "psea.office-set-up";
    pub const PSEA_KEY_ENROLLED: &str = "psea.key-enrolled";
    pub const FEEDBACK_RECORDED: &str = "feedback.recorded";
    pub const FEEDBACK_VIEWED: &str = "feedback.viewed";
    pub const FEEDBACK_LISTED: &str = "feedback.listed";
    pub const SEALED_OPENED: &str = "feedback.sealed-opened";
    pub const FEEDBACK_STEP: &str = "feedback.step";
    pub const FEEDBACK_EXPORTED: &str = "feedback.exported";
    pub const FEEDBACK_SEAL_DECIDED: &str = "feedback.seal-decided";
    pub const FEEDBACK_ESCALATED: &str = "feedback.escalated";
    pub const FEEDBACK_RECUSED: &str = "feedback.recused";
    pub const FEEDBACK_LINKED: &str = "feedback.linked";
    pub const ESCALATION_TARGET_ADDED: &str = "escalation.target-added";
    pub const ESCALATION_TARGET_REMOVED: &str = "escalation.target-removed";
    pub const CONTACT_ERASED: &str = "feedback.contact-erased";
    pub const CALLBACKS_LISTED: &str = "feedback.callbacks-listed";
    pub const CALLBACK_SCHEDULED: &str = "feedback.callback-scheduled";
    pub const CALLBACK_DONE: &str = "feedback.callback-done";
    pub const SERVICE_SAVED: &str = "services.saved";
    pub const SERVICES_IMPORTED: &str = "services.imported";
    pub const ANSWER_APPROVED: &str = "answers.approved";
    pub const ANSWER_RETIRED: &str = "answers.retired";
    pub const PROJECT_CREATED: &str = "projects.created";
    pub const PROJECT_UPDATED: &str = "projects.updated";
    pub const PROJECT_REOPENED: &str = "projects.reopened";
    pub const CHECKLIST_ANSWERED: &str = "projects.checklist-answered";
    pub const CHECKLIST_UPGRADED: &str = "projects.checklist-upgraded";
    pub const DEVIATION_REQUESTED: &str = "projects.deviation-requested";
    pub const DEVIATION_DECIDED: &str = "projects.deviation-decided";
    pub const RISK_SAVED: &str = "projects.risk-saved";
    pub const REGISTER_REVIEWED: &str = "projects.register-reviewed";
    pub const PROJECT_ENDORSED: &str = "projects.endorsed";
    pub const ENDORSEMENT_REFUSED: &str = "projects.endorsement-refused";
    pub const PROJECT_PHASE_CHANGED: &str = "projects.phase-changed";
    pub const EVIDENCE_ATTACHED: &str = "projects.evidence-attached";
    pub const EVIDENCE_READ: &str = "projects.evidence-read";
    pub const EVIDENCE_REMOVED: &str = "projects.evidence-removed";
    pub const ROUND_OPENED: &str = "projects.round-opened";
    pub const ROUND_ANSWERED: &str = "projects.round-answered";
    pub const ROUND_COMPLETED: &str = "projects.round-completed";
    pub const LESSON_RECORDED: &str = "projects.lesson-recorded";
    pub const LESSON_UPTAKE: &str = "projects.lesson-uptake";
    pub const PROJECT_CLOSED: &str = "projects.closed";
    pub const CLOSING_REFUSED: &str = "projects.closing-refused";
    pub const AUDIT_ROUND_RECORDED: &str = "audits.round-recorded";
    pub const AUDIT_ACTION_SAVED: &str = "audits.action-saved";
    pub const COMMITTEE_SAVED: &str = "participation.committee-saved";
    pub const CONSULTATION_RECORDED: &str = "participation.consultation-recorded";
    pub const INDICATOR_PLAN_SAVED: &str = "indicators.plan-saved";
    pub const INDICATOR_VALUE_RECORDED: &str = "indicators.value-recorded";
    pub const INDICATOR_SMALL_CELLS_READ: &str = "indicators.small-cells-read";
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn entry() -> AuditEntry {
        AuditEntry {
            seq: 7,
            at: datetime!(2026-03-01 12:00:00.123456 UTC),
            actor_id: None,
            actor: "admin".into(),
            action: "users.created".into(),
            entity_kind: "user".into(),
            entity_id: "abc".into(),
            summary: "created".into(),
        }
    }

    #[test]
    fn every_column_changes_the_bytes() {
        let base = canonical_bytes(&entry(), b"prev");
        let variants = [
            AuditEntry { seq: 8, ..entry() },
            AuditEntry { at: datetime!(2026-03-01 12:00:00.123457 UTC), ..entry() },
            AuditEntry { actor_id: Some(Uuid::nil()), ..entry() },
            AuditEntry { actor: "admin2".into(), ..entry() },
            AuditEntry { action: "users.disabled".into(), ..entry() },
            AuditEntry { entity_kind: "role".into(), ..entry() },
            AuditEntry { entity_id: "abd".into(), ..entry() },
            AuditEntry { summary: "created!".into(), ..entry() },
        ];
        for v in variants {
            assert_ne!(canonical_bytes(&v, b"prev"), base);
        }
        assert_ne!(canonical_bytes(&entry(), b"prev2"), base);
    }

    #[test]
    fn field_boundaries_are_unambiguous() {
        let a = AuditEntry { entity_kind: "ab".into(), entity_id: "c".into(), ..entry() };
        let b = AuditEntry { entity_kind: "a".into(), entity_id: "bc".into(), ..entry() };
        assert_ne!(canonical_bytes(&a, b""), canonical_bytes(&b, b""));
    }
}
