//! Moving a SQLite deployment to PostgreSQL: every table copied row by row with its own
//! types, then verified by row counts and by the audit chain on the target.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::audit::{self, ChainBreak};
use crate::db::Pool;
use crate::{Store, StoreError};

/// Tables in an order that satisfies foreign keys. Sessions are not copied: everyone signs
/// in again on the new server.
pub const TABLES: [&str; 54] = [
    "settings",
    "agencies",
    "locations",
    "users",
    "user_roles",
    "recovery_codes",
    "api_tokens",
    "catalog_entries",
    "catalog_versions",
    "notifications",
    "psea_office",
    "psea_key_wraps",
    "services",
    "service_locations",
    "answers",
    "answer_versions",
    // Before feedback: items may be linked to a project.
    "checklist_versions",
    "projects",
    "feedback",
    "feedback_terms",
    "feedback_events",
    "feedback_callbacks",
    "feedback_counts",
    "feedback_service",
    "feedback_service_by",
    "feedback_response_hours",
    "mail_outbox",
    "escalation_targets",
    "feedback_escalations",
    "feedback_outbox",
    "feedback_recusals",
    "whatsapp_senders",
    "project_sectors",
    "project_locations",
    "checklist_answers",
    "checklist_evidence",
    "project_deviations",
    "dnh_risks",
    "project_events",
    "project_endorsements",
    "project_scores",
    "project_progress",
    "audit_rounds",
    "audit_actions",
    "committees",
    "consultations",
    "indicator_plans",
    "indicator_plan_lines",
    "indicator_values",
    "project_rounds",
    "project_round_answers",
    "project_lessons",
    "project_lesson_uptake",
    "audit_log",
];

/// Tables deliberately left behind: sign-ins start afresh on the new server, and the
/// migration history is the target's own.
pub const NOT_COPIED: [&str; 2] = ["sessions", "_sqlx_migrations"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    pub rows: Vec<(&'static str, i64)>,
    pub audit_entries: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the target database is not empty (table {0} has rows); copy only into a new database")]
    TargetNotEmpty(&'static str),
    #[error("table {table}: {source_rows} rows in the source but {target_rows} in the target")]
    CountMismatch { table: &'static str, source_rows: i64, target_rows: i64 },
    #[error("the audit chain does not verify on the target: {0}")]
    Chain(ChainBreak),
}

impl From<sqlx::Error> for CopyError {
    fn from(e: sqlx::Error) -> Self {
        CopyError::Store(StoreError::Database(e))
    }
}

async fn count(pool: &Pool, table: &str) -> Result<i64, StoreError> {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    let (n,): (i64,) = on_pool!(pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_one(p).await)?;
    Ok(n)
}

/// Copy `source` (the running deployment's store) into the migrated, empty `target`.
pub async fn copy_all(source: &Store, target: &Pool) -> Result<CopyReport, CopyError> {
    target.migrate().await?;
    for table in TABLES {
        if count(target, table).await? > 0 {
            return Err(CopyError::TargetNotEmpty(table));
        }
    }
    let mut tx = target.begin().await?;
    copy_tables(&source.pool, &mut tx).await?;
    tx.commit().await?;
    let mut rows = Vec::new();
    for table in TABLES {
        let (source_rows, target_rows) = (count(&source.pool, table).await?, count(target, table).await?);
        if source_rows != target_rows {
            return Err(CopyError::CountMismatch { table, source_rows, target_rows });
        }
        rows.push((table, target_rows));
    }
    let verified = audit::verify(target, &source.keys, None).await?.map_err(CopyError::Chain)?;
    Ok(CopyReport { rows, audit_entries: verified.entries })
}

/// Read every row of a table from the source with the given row type.
macro_rules! read_all {
    ($pool:expr, $ty:ty, $sql:expr) => {
        on_pool!($pool, p => sqlx::query_as::<_, $ty>($sql).fetch_all(p).await)?
    };
}

/// Bind the fields of each row into an INSERT on the target transaction.
macro_rules! insert_all {
    ($tx:expr, $rows:expr, $sql:expr, |$r:ident| $($field:expr),+) => {
        for $r in &$rows {
            on_tx!($tx, c => sqlx::query($sql)$(.bind($field))+.execute(c).await.map(|_| ()))?;
        }
    };
}

async fn copy_tables(source: &Pool, tx: &mut crate::Tx<'_>) -> Result<(), CopyError> {
    let rows = read_all!(source, (String, String, OffsetDateTime), "SELECT key, value, updated_at FROM settings");
    insert_all!(tx, rows, "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)", |r| &r.0, &r.1, r.2);

    let rows = read_all!(source, (Uuid, String, String), "SELECT id, code, name FROM agencies");
    insert_all!(tx, rows, "INSERT INTO agencies (id, code, name) VALUES ($1, $2, $3)", |r| r.0, &r.1, &r.2);

    type LocationRow = (String, i64, Option<String>, String, String, Option<String>, Option<String>, OffsetDateTime);
    let rows = read_all!(
        source,
        LocationRow,
        "SELECT pcode, level, parent_pcode, path, name_en, name_fr, name_ar, updated_at FROM locations ORDER BY level, pcode"
    );
    insert_all!(
        tx,
        rows,
        "INSERT INTO locations (pcode, level, parent_pcode, path, name_en, name_fr, name_ar, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        |r| &r.0,
        r.1,
        &r.2,
        &r.3,
        &r.4,
        &r.5,
        &r.6,
        r.7
    );

    let rows = read_all!(source, crate::copy::UserRow, "SELECT * FROM users");
    insert_all!(tx, rows,
        "INSERT INTO users (id, username, display_name_enc, email_enc, email_token, password_hash, disabled, agency_id,
            failed_logins, last_failed_at, locked_until, totp_secret_enc, totp_enabled, totp_last_step, must_change_password,
            preferred_lang, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
        |r| r.id, &r.username, &r.display_name_enc, &r.email_enc, &r.email_token, &r.password_hash, r.disabled, r.agency_id,
            r.failed_logins, r.last_failed_at, r.locked_until, &r.totp_secret_enc, r.totp_enabled, r.totp_last_step,
            r.must_change_password, &r.preferred_lang, r.created_at, r.updated_at);

    type GrantRow = (Uuid, String, Option<Uuid>, Option<String>, Option<Uuid>, OffsetDateTime);
    let rows = read_all!(
        source,
        GrantRow,
        "SELECT user_id, role, agency_id, location_path, granted_by, granted_at FROM user_roles"
    );
    insert_all!(
        tx,
        rows,
        "INSERT INTO user_roles (user_id, role, agency_id, location_path, granted_by, granted_at) VALUES ($1, $2, $3, $4, $5, $6)",
        |r| r.0,
        &r.1,
        r.2,
        &r.3,
        r.4,
        r.5
    );

    let rows = read_all!(
        source,
        (Uuid, Vec<u8>, Option<OffsetDateTime>),
        "SELECT user_id, code_hash, used_at FROM recovery_codes"
    );
    insert_all!(
        tx,
        rows,
        "INSERT INTO recovery_codes (user_id, code_hash, used_at) VALUES ($1, $2, $3)",
        |r| r.0,
        &r.1,
        r.2
    );

    type TokenRow = (
        String,
        Uuid,
        String,
        Vec<u8>,
        Option<String>,
        OffsetDateTime,
        OffsetDateTime,
        Option<OffsetDateTime>,
        Option<OffsetDateTime>,
        Option<Vec<u8>>,
    );
    let rows = read_all!(
        source,
        TokenRow,
        "SELECT id, user_id, name, secret_hash, scopes, created_at, expires_at, last_used_at, revoked_at, sealed_key FROM api_tokens"
    );
    insert_all!(tx, rows,
        "INSERT INTO api_tokens (id, user_id, name, secret_hash, scopes, created_at, expires_at, last_used_at, revoked_at, sealed_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        |r| &r.0, r.1, &r.2, &r.3, &r.4, r.5, r.6, r.7, r.8, &r.9);

    type EntryRow = (String, String, i64, String, String, String, bool, String);
    let rows = read_all!(
        source,
        EntryRow,
        "SELECT kind, code, position, name, description, extra, is_local, version FROM catalog_entries"
    );
    insert_all!(
        tx,
        rows,
        "INSERT INTO catalog_entries (kind, code, position, name, description, extra, is_local, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        |r| &r.0,
        &r.1,
        r.2,
        &r.3,
        &r.4,
        &r.5,
        r.6,
        &r.7
    );

    let rows = read_all!(
        source,
        (String, String, String, i64, OffsetDateTime),
        "SELECT kind, version, source, item_count, loaded_at FROM catalog_versions"
    );
    insert_all!(
        tx,
        rows,
        "INSERT INTO catalog_versions (kind, version, source, item_count, loaded_at) VALUES ($1, $2, $3, $4, $5)",
        |r| &r.0,
        &r.1,
        &r.2,
        r.3,
        r.4
    );

    type NoticeRow = (Uuid, Uuid, String, Option<Uuid>, OffsetDateTime, Option<OffsetDateTime>);
    let rows =
        read_all!(source, NoticeRow, "SELECT id, user_id, kind, subject_id, created_at, read_at FROM notifications");
    insert_all!(
        tx,
        rows,
        "INSERT INTO notifications (id, user_id, kind, subject_id, created_at, read_at) VALUES ($1, $2, $3, $4, $5, $6)",
        |r| r.0,
        r.1,
        &r.2,
        r.3,
        r.4,
        r.5
    );

    let rows = read_all!(
        source,
        (i64, String, Option<Uuid>, OffsetDateTime),
        "SELECT id, recipient, created_by, created_at FROM psea_office"
    );
    insert_all!(
        tx,
        rows,
        "INSERT INTO psea_office (id, recipient, created_by, created_at) VALUES ($1, $2, $3, $4)",
        |r| r.0,
        &r.1,
        r.2,
        r.3
    );

    let rows = read_all!(
        source,
        (String, Option<Uuid>, String, OffsetDateTime),
        "SELECT holder, user_id, wrapped, created_at FROM psea_key_wraps"
    );
    insert_all!(
        tx,
        rows,
        "INSERT INTO psea_key_wraps (holder, user_id, wrapped, created_at) VALUES ($1, $2, $3, $4)",
        |r| &r.0,
        r.1,
        &r.2,
        r.3
    );

    copy_directory(source, tx).await?;

    let rows = read_all!(source, FeedbackCopyRow, "SELECT * FROM feedback");
    insert_all!(
        tx,
        rows,
        "INSERT INTO feedback (id, reference, channel, channel_message_id, received_at, recorded_by, category,
            sensitive_type, seal, criticality, priority, status, location_pcode, location_path, agency_id, sex,
            age_bracket, disability, language, consent_to_contact, has_contact, narrative_enc, contact_enc,
            sealed_content, public_response, acknowledge_by, respond_by, refer_by, acknowledged_at, responded_at,
            closed_at, updated_at, assigned_to, referral_kind, referred_to, referred_at, closure_reason, loop_closing,
            satisfaction, reopened_count, sealed_contact, contact_erased_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
            $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36, $37, $38, $39, $40, $41, $42)",
        |r| r.id,
        &r.reference,
        &r.channel,
        &r.channel_message_id,
        r.received_at,
        r.recorded_by,
        &r.category,
        &r.sensitive_type,
        &r.seal,
        &r.criticality,
        r.priority,
        &r.status,
        &r.location_pcode,
        &r.location_path,
        r.agency_id,
        &r.sex,
        &r.age_bracket,
        r.disability,
        &r.language,
        r.consent_to_contact,
        r.has_contact,
        &r.narrative_enc,
        &r.contact_enc,
        &r.sealed_content,
        &r.public_response,
        r.acknowledge_by,
        r.respond_by,
        r.refer_by,
        r.acknowledged_at,
        r.responded_at,
        r.closed_at,
        r.updated_at,
        r.assigned_to,
        &r.referral_kind,
        &r.referred_to,
        r.referred_at,
        &r.closure_reason,
        &r.loop_closing,
        &r.satisfaction,
        r.reopened_count,
        &r.sealed_contact,
        r.contact_erased_at
    );

    let rows = read_all!(source, (Uuid, Vec<u8>), "SELECT feedback_id, token FROM feedback_terms");
    insert_all!(tx, rows, "INSERT INTO feedback_terms (feedback_id, token) VALUES ($1, $2)", |r| r.0, &r.1);

    let rows = read_all!(source, EventCopyRow, "SELECT * FROM feedback_events");
    insert_all!(tx, rows,
        "INSERT INTO feedback_events (id, feedback_id, at, actor_id, actor, step, status_after, assigned_to, referral_kind,
            referred_to, note_enc, note_sealed, deadline, service_id, consent)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        |r| r.id, r.feedback_id, r.at, r.actor_id, &r.actor, &r.step, &r.status_after, r.assigned_to, &r.referral_kind,
            &r.referred_to, &r.note_enc, &r.note_sealed, &r.deadline, r.service_id, r.consent);

    type CallbackRow = (
        Uuid,
        Uuid,
        OffsetDateTime,
        Uuid,
        Option<Uuid>,
        OffsetDateTime,
        Option<OffsetDateTime>,
        Option<String>,
        Option<Uuid>,
    );
    let rows = read_all!(
        source,
        CallbackRow,
        "SELECT id, feedback_id, due_at, assigned_to, created_by, created_at, done_at, outcome, done_by FROM feedback_callbacks"
    );
    insert_all!(tx, rows,
        "INSERT INTO feedback_callbacks (id, feedback_id, due_at, assigned_to, created_by, created_at, done_at, outcome, done_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        |r| r.0, r.1, r.2, r.3, r.4, r.5, r.6, &r.7, r.8);

    type CountRow = (String, String, String, String, String, bool, i64);
    let rows = read_all!(
        source,
        CountRow,
        "SELECT month, dimension, key, location_path, agency, sealed, n FROM feedback_counts"
    );
    insert_all!(
        tx,
        rows,
        "INSERT INTO feedback_counts (month, dimension, key, location_path, agency, sealed, n) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        |r| &r.0,
        &r.1,
        &r.2,
        &r.3,
        &r.4,
        r.5,
        r.6
    );

    type ServiceRow = (String, String, String, bool, i64, i64, i64, i64, i64, i64, i64);
    let rows = read_all!(
        source,
        ServiceRow,
        "SELECT month, location_path, agency, sealed, acknowledged, acknowledged_in_time, responded, responded_in_time,
            closed, closed_with_loop, satisfied FROM feedback_service"
    );
    insert_all!(tx, rows,
        "INSERT INTO feedback_service (month, location_path, agency, sealed, acknowledged, acknowledged_in_time, responded,
            responded_in_time, closed, closed_with_loop, satisfied) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        |r| &r.0, &r.1, &r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9, r.10);

    type ServiceByRow = (String, String, String, String, String, bool, i64, i64, i64, i64, i64, i64, i64);
    let rows = read_all!(
        source,
        ServiceByRow,
        "SELECT dimension, month, key, location_path, agency, sealed, acknowledged, acknowledged_in_time, responded,
            responded_in_time, closed, closed_with_loop, satisfied FROM feedback_service_by"
    );
    insert_all!(
        tx,
        rows,
        "INSERT INTO feedback_service_by (dimension, month, key, location_path, agency, sealed, acknowledged,
            acknowledged_in_time, responded, responded_in_time, closed, closed_with_loop, satisfied)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        |r| &r.0,
        &r.1,
        &r.2,
        &r.3,
        &r.4,
        r.5,
        r.6,
        r.7,
        r.8,
        r.9,
        r.10,
        r.11,
        r.12
    );

    let rows = read_all!(
        source,
        (String, String, String, bool, i64, i64),
        "SELECT month, location_path, agency, sealed, hours, n FROM feedback_response_hours"
    );
    insert_all!(
        tx,
        rows,
        "INSERT INTO feedback_response_hours (month, location_path, agency, sealed, hours, n) VALUES ($1, $2, $3, $4, $5, $6)",
        |r| &r.0,
        &r.1,
        &r.2,
        r.3,
        r.4,
        r.5
    );

    copy_outbound(source, tx).await?;
    copy_projects(source, tx).await?;
    copy_audits(source, tx).await?;
    copy_participation(source, tx).await?;
    crate::indicators::copy(source, tx).await?;
    crate::projects::rounds::copy_rows(source, tx).await?;

    type AuditRow = (i64, OffsetDateTime, Option<Uuid>, String, String, String, String, String, Vec<u8>, Vec<u8>);
    let rows = read_all!(
        source,
        AuditRow,
        "SELECT seq, at, actor_id, actor, action, entity_kind, entity_id, summary, prev_hash, hash FROM audit_log ORDER BY seq"
    );
    insert_all!(
        tx,
        rows,
        "INSERT INTO audit_log (seq, at, actor_id, actor, action, entity_kind, entity_id, summary, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        |r| r.0,
        r.1,
        r.2,
        &r.3,
        &r.4,
        &r.5,
        &r.6,
        &r.7,
        &r.8,
        &r.9
    );
    Ok(())
}

/// Notification e-mail, escalations and their targets, replies to people, focal points
/// stood down.
async fn copy_outbound(source: &Pool, tx: &mut crate::Tx<'_>) -> Result<(), CopyError> {
    type MailRow = (
        Uuid,
        Uuid,
        String,
        Option<Uuid>,
        String,
        i64,
        OffsetDateTime,
        Option<String>,
        OffsetDateTime,
        Option<OffsetDateTime>,
    );
    let rows = read_all!(
        source,
        MailRow,
        "SELECT id, user_id, kind, subject_id, status, attempts, next_attempt_at, last_error, created_at, sent_at FROM mail_outbox"
    );
    insert_all!(tx, rows,
        "INSERT INTO mail_outbox (id, user_id, kind, subject_id, status, attempts, next_attempt_at, last_error, created_at, sent_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        |r| r.0, r.1, &r.2, r.3, &r.4, r.5, r.6, &r.7, r.8, r.9);

    let rows = read_all!(
        source,
        (Uuid, Option<Uuid>, Uuid, OffsetDateTime),
        "SELECT id, agency_id, user_id, created_at FROM escalation_targets"
    );
    insert_all!(
        tx,
        rows,
        "INSERT INTO escalation_targets (id, agency_id, user_id, created_at) VALUES ($1, $2, $3, $4)",
        |r| r.0,
        r.1,
        r.2,
        r.3
    );

    let rows = read_all!(
        source,
        (Uuid, String, OffsetDateTime, OffsetDateTime),
        "SELECT feedback_id, deadline, due_at, escalated_at FROM feedback_escalations"
    );
    insert_all!(
        tx,
        rows,
        "INSERT INTO feedback_escalations (feedback_id, deadline, due_at, escalated_at) VALUES ($1, $2, $3, $4)",
        |r| r.0,
        &r.1,
        r.2,
        r.3
    );

    let rows = read_all!(source, OutboxCopyRow, "SELECT * FROM feedback_outbox");
    insert_all!(tx, rows,
        "INSERT INTO feedback_outbox (id, feedback_id, channel, recipient_enc, body_enc, status, attempts, next_attempt_at,
            last_error, provider_id, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        |r| r.id, r.feedback_id, &r.channel, &r.recipient_enc, &r.body_enc, &r.status, r.attempts, r.next_attempt_at,
            &r.last_error, &r.provider_id, r.created_by, r.created_at, r.updated_at);

    let rows = read_all!(
        source,
        (Uuid, Uuid, String, OffsetDateTime),
        "SELECT feedback_id, user_id, reason, created_at FROM feedback_recusals"
    );
    insert_all!(
        tx,
        rows,
        "INSERT INTO feedback_recusals (feedback_id, user_id, reason, created_at) VALUES ($1, $2, $3, $4)",
        |r| r.0,
        r.1,
        &r.2,
        r.3
    );
    Ok(())
}

#[derive(sqlx::FromRow)]
pub struct OutboxCopyRow {
    id: Uuid,
    feedback_id: Uuid,
    channel: String,
    recipient_enc: Option<Vec<u8>>,
    body_enc: Option<Vec<u8>>,
    status: String,
    attempts: i64,
    next_attempt_at: OffsetDateTime,
    last_error: Option<String>,
    provider_id: Option<String>,
    created_by: Option<Uuid>,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
pub struct UserRow {
    id: Uuid,
    username: String,
    display_name_enc: Vec<u8>,
    email_enc: Option<Vec<u8>>,
    email_token: Option<Vec<u8>>,
    password_hash: String,
    disabled: bool,
    agency_id: Option<Uuid>,
    failed_logins: i64,
    last_failed_at: Option<OffsetDateTime>,
    locked_until: Option<OffsetDateTime>,
    totp_secret_enc: Option<Vec<u8>>,
    totp_enabled: bool,
    totp_last_step: Option<i64>,
    must_change_password: bool,
    preferred_lang: Option<String>,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
pub struct FeedbackCopyRow {
    id: Uuid,
    reference: String,
    channel: String,
    channel_message_id: Option<String>,
    received_at: OffsetDateTime,
    recorded_by: Option<Uuid>,
    category: Option<String>,
    sensitive_type: Option<String>,
    seal: String,
    criticality: String,
    priority: i64,
    status: String,
    location_pcode: Option<String>,
    location_path: Option<String>,
    agency_id: Option<Uuid>,
    sex: Option<String>,
    age_bracket: Option<String>,
    disability: Option<bool>,
    language: Option<String>,
    consent_to_contact: bool,
    has_contact: bool,
    narrative_enc: Option<Vec<u8>>,
    contact_enc: Option<Vec<u8>>,
    sealed_content: Option<Vec<u8>>,
    public_response: Option<String>,
    acknowledge_by: OffsetDateTime,
    respond_by: OffsetDateTime,
    refer_by: Option<OffsetDateTime>,
    acknowledged_at: Option<OffsetDateTime>,
    responded_at: Option<OffsetDateTime>,
    closed_at: Option<OffsetDateTime>,
    updated_at: OffsetDateTime,
    assigned_to: Option<Uuid>,
    referral_kind: Option<String>,
    referred_to: Option<String>,
    referred_at: Option<OffsetDateTime>,
    closure_reason: Option<String>,
    loop_closing: Option<String>,
    satisfaction: Option<String>,
    reopened_count: i64,
    sealed_contact: Option<Vec<u8>>,
    contact_erased_at: Option<OffsetDateTime>,
}

#[derive(sqlx::FromRow)]
pub struct EventCopyRow {
    id: Uuid,
    feedback_id: Uuid,
    at: OffsetDateTime,
    actor_id: Option<Uuid>,
    actor: String,
    step: String,
    status_after: String,
    assigned_to: Option<Uuid>,
    referral_kind: Option<String>,
    referred_to: Option<String>,
    note_enc: Option<Vec<u8>>,
    note_sealed: Option<Vec<u8>>,
    deadline: Option<String>,
    service_id: Option<Uuid>,
    consent: Option<bool>,
}

#[derive(sqlx::FromRow)]
pub struct ServiceCopyRow {
    id: Uuid,
    organisation: String,
    name: String,
    service_type: String,
    description: String,
    contact: String,
    opening_hours: String,
    languages: String,
    referral_criteria: String,
    accepts_referrals: bool,
    active: bool,
    updated_by: String,
    updated_at: OffsetDateTime,
}

/// The service directory and the approved answers.
async fn copy_directory(source: &Pool, tx: &mut crate::Tx<'_>) -> Result<(), CopyError> {
    let rows = read_all!(source, ServiceCopyRow, "SELECT * FROM services");
    insert_all!(
        tx,
        rows,
        "INSERT INTO services (id, organisation, name, service_type, description, contact, opening_hours, languages,
            referral_criteria, accepts_referrals, active, updated_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        |r| r.id,
        &r.organisation,
        &r.name,
        &r.service_type,
        &r.description,
        &r.contact,
        &r.opening_hours,
        &r.languages,
        &r.referral_criteria,
        r.accepts_referrals,
        r.active,
        &r.updated_by,
        r.updated_at
    );

    let rows = read_all!(source, (Uuid, String, String), "SELECT service_id, pcode, path FROM service_locations");
    insert_all!(
        tx,
        rows,
        "INSERT INTO service_locations (service_id, pcode, path) VALUES ($1, $2, $3)",
        |r| r.0,
        &r.1,
        &r.2
    );

    type AnswerRow = (Uuid, Option<String>, OffsetDateTime, Option<OffsetDateTime>);
    let rows = read_all!(source, AnswerRow, "SELECT id, category, created_at, retired_at FROM answers");
    insert_all!(
        tx,
        rows,
        "INSERT INTO answers (id, category, created_at, retired_at) VALUES ($1, $2, $3, $4)",
        |r| r.0,
        &r.1,
        r.2,
        r.3
    );

    type VersionRow = (Uuid, String, i64, String, String, Option<Uuid>, String, OffsetDateTime);
    let rows = read_all!(
        source,
        VersionRow,
        "SELECT answer_id, language, version, question, body, approved_by, approver, approved_at FROM answer_versions"
    );
    insert_all!(
        tx,
        rows,
        "INSERT INTO answer_versions (answer_id, language, version, question, body, approved_by, approver, approved_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        |r| r.0,
        &r.1,
        r.2,
        &r.3,
        &r.4,
        r.5,
        &r.6,
        r.7
    );
    Ok(())
}

/// Projects with their checklists, deviations, risks, history and endorsements.
async fn copy_projects(source: &Pool, tx: &mut crate::Tx<'_>) -> Result<(), CopyError> {
    let rows =
        read_all!(source, (String, String, OffsetDateTime), "SELECT version, items, frozen_at FROM checklist_versions");
    insert_all!(
        tx,
        rows,
        "INSERT INTO checklist_versions (version, items, frozen_at) VALUES ($1, $2, $3)",
        |r| &r.0,
        &r.1,
        r.2
    );

    let rows = read_all!(source, crate::projects::ProjectRow, "SELECT * FROM projects");
    insert_all!(tx, rows,
        "INSERT INTO projects (id, code, title, summary, crisis_phase, start_date, end_date, dimension, details, targeting,
            manager_id, focal_point_id, agency_id, phase, status, checklist_version, reopened_because, register_changed_at,
            created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)",
        |r| r.id, &r.code, &r.title, &r.summary, &r.crisis_phase, &r.start_date, &r.end_date, &r.dimension, &r.details,
            &r.targeting, r.manager_id, r.focal_point_id, r.agency_id, &r.phase, &r.status, &r.checklist_version,
            &r.reopened_because, r.register_changed_at, r.created_by, r.created_at, r.updated_at);

    let rows = read_all!(source, (Uuid, String), "SELECT project_id, sector FROM project_sectors");
    insert_all!(tx, rows, "INSERT INTO project_sectors (project_id, sector) VALUES ($1, $2)", |r| r.0, &r.1);

    let rows = read_all!(source, (Uuid, String, String), "SELECT project_id, pcode, path FROM project_locations");
    insert_all!(
        tx,
        rows,
        "INSERT INTO project_locations (project_id, pcode, path) VALUES ($1, $2, $3)",
        |r| r.0,
        &r.1,
        &r.2
    );

    type AnswerRow = (Uuid, String, String, Option<String>, Option<String>, Uuid, OffsetDateTime);
    let rows = read_all!(
        source,
        AnswerRow,
        "SELECT project_id, item_code, answer, justification, evidence_link, answered_by, answered_at FROM checklist_answers"
    );
    insert_all!(tx, rows,
        "INSERT INTO checklist_answers (project_id, item_code, answer, justification, evidence_link, answered_by, answered_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        |r| r.0, &r.1, &r.2, &r.3, &r.4, r.5, r.6);
    copy_evidence(source, tx).await?;

    type DeviationRow = (
        Uuid,
        Uuid,
        String,
        String,
        Uuid,
        OffsetDateTime,
        String,
        Option<Uuid>,
        Option<OffsetDateTime>,
        Option<String>,
    );
    let rows = read_all!(
        source,
        DeviationRow,
        "SELECT id, project_id, item_code, justification, requested_by, requested_at, state, decided_by, decided_at,
            decision_note FROM project_deviations"
    );
    insert_all!(
        tx,
        rows,
        "INSERT INTO project_deviations (id, project_id, item_code, justification, requested_by, requested_at, state,
            decided_by, decided_at, decision_note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        |r| r.0,
        r.1,
        &r.2,
        &r.3,
        r.4,
        r.5,
        &r.6,
        r.7,
        r.8,
        &r.9
    );

    let rows = read_all!(source, crate::projects::gate::RiskRow, "SELECT * FROM dnh_risks");
    insert_all!(tx, rows,
        "INSERT INTO dnh_risks (id, project_id, title, description, gpc_risk, at_risk_groups, likelihood, impact, mitigation,
            owner_id, due_date, status, review_date, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        |r| r.id, r.project_id, &r.title, &r.description, &r.gpc_risk, &r.at_risk_groups, r.likelihood, r.impact,
            &r.mitigation, r.owner_id, &r.due_date, &r.status, &r.review_date, r.created_at, r.updated_at);

    type EventRow = (Uuid, Uuid, String, String, Uuid, String, OffsetDateTime);
    let rows = read_all!(
        source,
        EventRow,
        "SELECT id, project_id, kind, detail, actor_id, actor_name, at FROM project_events"
    );
    insert_all!(
        tx,
        rows,
        "INSERT INTO project_events (id, project_id, kind, detail, actor_id, actor_name, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        |r| r.0,
        r.1,
        &r.2,
        &r.3,
        r.4,
        &r.5,
        r.6
    );

    type EndorsementRow = (Uuid, Uuid, Uuid, String, OffsetDateTime, String, String, String);
    let rows = read_all!(
        source,
        EndorsementRow,
        "SELECT id, project_id, endorsed_by, endorser_name, endorsed_at, checklist_version, snapshot, snapshot_sha256
         FROM project_endorsements"
    );
    insert_all!(
        tx,
        rows,
        "INSERT INTO project_endorsements (id, project_id, endorsed_by, endorser_name, endorsed_at, checklist_version,
            snapshot, snapshot_sha256) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        |r| r.0,
        r.1,
        r.2,
        &r.3,
        r.4,
        &r.5,
        &r.6,
        &r.7
    );

    type ScoreRow = (Uuid, String, i64, String, i64, i64);
    let rows = read_all!(
        source,
        ScoreRow,
        "SELECT project_id, phase, phase_order, principle, met, applicable FROM project_scores"
    );
    insert_all!(
        tx,
        rows,
        "INSERT INTO project_scores (project_id, phase, phase_order, principle, met, applicable) VALUES ($1, $2, $3, $4, $5, $6)",
        |r| r.0,
        &r.1,
        r.2,
        &r.3,
        r.4,
        r.5
    );

    type ProgressRow = (Uuid, i64, i64, i64, i64, i64, i64, i64, i64);
    let rows = read_all!(
        source,
        ProgressRow,
        "SELECT project_id, safety_met, safety_applicable, access_met, access_applicable, accountability_met,
            accountability_applicable, participation_met, participation_applicable FROM project_progress"
    );
    insert_all!(
        tx,
        rows,
        "INSERT INTO project_progress (project_id, safety_met, safety_applicable, access_met, access_applicable,
            accountability_met, accountability_applicable, participation_met, participation_applicable)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        |r| r.0,
        r.1,
        r.2,
        r.3,
        r.4,
        r.5,
        r.6,
        r.7,
        r.8
    );
    Ok(())
}

/// Safety audit rounds and their actions.
async fn copy_audits(source: &Pool, tx: &mut crate::Tx<'_>) -> Result<(), CopyError> {
    let rows = read_all!(source, crate::audits::RoundRow, "SELECT * FROM audit_rounds");
    insert_all!(
        tx,
        rows,
        "INSERT INTO audit_rounds (id, pcode, path, agency_id, audited_on, team_notes, catalog_version, items, answers,
            risk_halves, max_points, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        |r| r.id,
        &r.pcode,
        &r.path,
        r.agency_id,
        &r.audited_on,
        &r.team_notes,
        &r.catalog_version,
        &r.items,
        &r.answers,
        r.risk_halves,
        r.max_points,
        r.created_by,
        r.created_at
    );

    let rows = read_all!(source, crate::audits::ActionRow, "SELECT * FROM audit_actions");
    insert_all!(
        tx,
        rows,
        "INSERT INTO audit_actions (id, round_id, pcode, path, agency_id, text, domain, owner_id, deadline, status,
            closed_at, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        |r| r.id,
        r.round_id,
        &r.pcode,
        &r.path,
        r.agency_id,
        &r.text,
        &r.domain,
        r.owner_id,
        &r.deadline,
        &r.status,
        r.closed_at,
        r.created_by,
        r.created_at,
        r.updated_at
    );
    Ok(())
}

/// Committees and consultations.
async fn copy_participation(source: &Pool, tx: &mut crate::Tx<'_>) -> Result<(), CopyError> {
    let rows = read_all!(source, crate::participation::CommitteeRow, "SELECT * FROM committees");
    insert_all!(tx, rows,
        "INSERT INTO committees (id, pcode, path, agency_id, project_id, purpose, formed_on, active, composition, members,
            women, with_disability, at_risk_members, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        |r| r.id, &r.pcode, &r.path, r.agency_id, r.project_id, &r.purpose, &r.formed_on, r.active, &r.composition,
            r.members, r.women, r.with_disability, r.at_risk_members, r.created_by, r.created_at, r.updated_at);

    let rows = read_all!(source, crate::participation::ConsultationRow, "SELECT * FROM consultations");
    insert_all!(
        tx,
        rows,
        "INSERT INTO consultations (id, pcode, path, agency_id, project_id, held_on, participants, participant_count,
            with_disability, topics, concerns, decisions, changes, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        |r| r.id,
        &r.pcode,
        &r.path,
        r.agency_id,
        r.project_id,
        &r.held_on,
        &r.participants,
        r.participant_count,
        r.with_disability,
        &r.topics,
        &r.concerns,
        &r.decisions,
        &r.changes,
        r.created_by,
        r.created_at
    );
    Ok(())
}

/// Evidence files one at a time: each can be megabytes, and a deployment has thousands.
async fn copy_evidence(source: &Pool, tx: &mut crate::Tx<'_>) -> Result<(), CopyError> {
    type EvidenceRow = (Uuid, Uuid, String, Vec<u8>, String, i64, String, Vec<u8>, Uuid, OffsetDateTime);
    let ids = read_all!(source, (Uuid,), "SELECT id FROM checklist_evidence ORDER BY id");
    for (id,) in ids {
        let r: EvidenceRow = on_pool!(source, p => {
            sqlx::query_as(
                "SELECT id, project_id, item_code, file_name_enc, media_type, size_bytes, sha256, content_enc, uploaded_by, uploaded_at
                 FROM checklist_evidence WHERE id = $1",
            )
            .bind(id).fetch_one(p).await
        })?;
        on_tx!(tx, c => {
            sqlx::query(
                "INSERT INTO checklist_evidence (id, project_id, item_code, file_name_enc, media_type, size_bytes, sha256, content_enc, uploaded_by, uploaded_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(r.0).bind(r.1).bind(&r.2).bind(&r.3).bind(&r.4).bind(r.5).bind(&r.6).bind(&r.7).bind(r.8).bind(r.9)
            .execute(c).await.map(|_| ())
        })?;
    }
    Ok(())
}
