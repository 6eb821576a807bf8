//! The do-no-harm register, its reviews, and the endorsement gate with its immutable record.

use haven_core::audit::actions;
use haven_core::projects::{
    CyclePhase, GateItem, ProjectStatus, RiskInput, RiskLevel, RiskStatus, Unmet, register_reviewed, unmet_conditions,
};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use super::checklist::{ChecklistLine, checklist};
use super::{Project, event, iso, json, lock};
use crate::identity::Actor;
use crate::{Store, StoreError, audit, now_utc};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Risk {
    pub id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub gpc_risk: Option<String>,
    pub at_risk_groups: Vec<String>,
    pub likelihood: i64,
    pub impact: i64,
    pub mitigation: Option<String>,
    pub owner_id: Option<Uuid>,
    pub due_date: Option<String>,
    pub status: String,
    pub review_date: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl Risk {
    pub fn level(&self) -> RiskLevel {
        RiskLevel::of(self.likelihood.clamp(1, 5) as u8, self.impact.clamp(1, 5) as u8)
    }
    pub fn is_open(&self) -> bool {
        self.status != RiskStatus::Closed.code()
    }
}

/// A row of `dnh_risks` as stored (also what a database copy moves).
#[derive(sqlx::FromRow)]
pub(crate) struct RiskRow {
    pub(crate) id: Uuid,
    pub(crate) project_id: Uuid,
    pub(crate) title: String,
    pub(crate) description: Option<String>,
    pub(crate) gpc_risk: Option<String>,
    pub(crate) at_risk_groups: String,
    pub(crate) likelihood: i64,
    pub(crate) impact: i64,
    pub(crate) mitigation: Option<String>,
    pub(crate) owner_id: Option<Uuid>,
    pub(crate) due_date: Option<String>,
    pub(crate) status: String,
    pub(crate) review_date: Option<String>,
    pub(crate) created_at: OffsetDateTime,
    pub(crate) updated_at: OffsetDateTime,
}

/// The project's do-no-harm register, highest risks first.
pub async fn risks(store: &Store, project: Uuid) -> Result<Vec<Risk>, StoreError> {
    let rows: Vec<RiskRow> = on_pool!(&store.pool, p => {
        sqlx::query_as(
            "SELECT * FROM dnh_risks WHERE project_id = $1 ORDER BY likelihood * impact DESC, created_at",
        )
        .bind(project).fetch_all(p).await
    })?;
    rows.into_iter()
        .map(|r| {
            Ok(Risk {
                at_risk_groups: serde_json::from_str(&r.at_risk_groups)
                    .map_err(|_| StoreError::Invalid("stored risk has unreadable groups".into()))?,
                id: r.id,
                title: r.title,
                description: r.description,
                gpc_risk: r.gpc_risk,
                likelihood: r.likelihood,
                impact: r.impact,
                mitigation: r.mitigation,
                owner_id: r.owner_id,
                due_date: r.due_date,
                status: r.status,
                review_date: r.review_date,
                updated_at: r.updated_at,
            })
        })
        .collect()
}

/// Add a risk to the register; the register then needs a new review.
pub async fn add_risk(store: &Store, actor: &Actor, project: &Project, risk: &RiskInput) -> Result<Uuid, StoreError> {
    save_risk(store, actor, project, None, risk).await
}

/// Change a risk of the register; the register then needs a new review.
pub async fn update_risk(
    store: &Store,
    actor: &Actor,
    project: &Project,
    id: Uuid,
    risk: &RiskInput,
) -> Result<Uuid, StoreError> {
    save_risk(store, actor, project, Some(id), risk).await
}

async fn save_risk(
    store: &Store,
    actor: &Actor,
    project: &Project,
    existing: Option<Uuid>,
    risk: &RiskInput,
) -> Result<Uuid, StoreError> {
    let now = now_utc();
    let groups = json(&risk.at_risk_groups)?;
    let mut tx = store.pool.begin().await?;
    lock(&mut tx, project.id).await?;
    let id = match existing {
        None => {
            let id = Uuid::now_v7();
            on_tx!(&mut tx, c => {
                sqlx::query(
                    "INSERT INTO dnh_risks (id, project_id, title, description, gpc_risk, at_risk_groups, likelihood, impact,
                        mitigation, owner_id, due_date, status, review_date, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
                )
                .bind(id).bind(project.id).bind(&risk.title).bind(&risk.description).bind(&risk.gpc_risk).bind(&groups)
                .bind(i64::from(risk.likelihood)).bind(i64::from(risk.impact)).bind(&risk.mitigation).bind(risk.owner_id)
                .bind(iso(risk.due_date)).bind(risk.status.code()).bind(iso(risk.review_date)).bind(now).bind(now)
                .execute(c).await.map(|_| ())
            })?;
            id
        }
        Some(id) => {
            let n = on_tx!(&mut tx, c => {
                sqlx::query(
                    "UPDATE dnh_risks SET title = $1, description = $2, gpc_risk = $3, at_risk_groups = $4, likelihood = $5,
                        impact = $6, mitigation = $7, owner_id = $8, due_date = $9, status = $10, review_date = $11, updated_at = $12
                     WHERE id = $13 AND project_id = $14",
                )
                .bind(&risk.title).bind(&risk.description).bind(&risk.gpc_risk).bind(&groups)
                .bind(i64::from(risk.likelihood)).bind(i64::from(risk.impact)).bind(&risk.mitigation).bind(risk.owner_id)
                .bind(iso(risk.due_date)).bind(risk.status.code()).bind(iso(risk.review_date)).bind(now).bind(id).bind(project.id)
                .execute(c).await.map(|r| r.rows_affected())
            })?;
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            id
        }
    };
    on_tx!(&mut tx, c => {
        sqlx::query("UPDATE projects SET register_changed_at = $1 WHERE id = $2").bind(now).bind(project.id).execute(c).await.map(|_| ())
    })?;
    let detail = serde_json::json!({ "risk": id, "level": risk.level().code(), "status": risk.status.code() });
    event(&mut tx, actor, project.id, "risk-saved", detail).await?;
    audit::append(
        &mut tx,
        &store.keys,
        &actor.event(actions::RISK_SAVED, "project", project.id.to_string()).summary(id.to_string()),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Record that the register was reviewed (as it stands now).
pub async fn review_register(
    store: &Store,
    actor: &Actor,
    project: &Project,
    note: Option<&str>,
) -> Result<(), StoreError> {
    let mut tx = store.pool.begin().await?;
    lock(&mut tx, project.id).await?;
    let open: Vec<(i64,)> = on_tx!(&mut tx, c => {
        sqlx::query_as("SELECT COUNT(*) FROM dnh_risks WHERE project_id = $1 AND status <> 'closed'").bind(project.id).fetch_all(c).await
    })?;
    let detail = serde_json::json!({ "note": note, "open_risks": open.first().map(|r| r.0).unwrap_or(0) });
    event(&mut tx, actor, project.id, "dnh-review", detail).await?;
    audit::append(&mut tx, &store.keys, &actor.event(actions::REGISTER_REVIEWED, "project", project.id.to_string()))
        .await?;
    tx.commit().await
}

async fn last_review(store: &Store, project: Uuid) -> Result<Option<OffsetDateTime>, StoreError> {
    let (at,): (Option<OffsetDateTime>,) = on_pool!(&store.pool, p => {
        sqlx::query_as("SELECT MAX(at) FROM project_events WHERE project_id = $1 AND kind = 'dnh-review'")
            .bind(project).fetch_one(p).await
    })?;
    Ok(at)
}

/// Every condition that blocks the project's endorsement now (empty: it may be endorsed).
pub async fn gate(store: &Store, project: &Project) -> Result<Vec<Unmet>, StoreError> {
    gate_of(store, project, &checklist(store, project).await?).await
}

/// [`gate`] for a checklist the caller has already read (a page showing both).
pub async fn gate_of(store: &Store, project: &Project, lines: &[ChecklistLine]) -> Result<Vec<Unmet>, StoreError> {
    let items: Vec<GateItem> = lines
        .iter()
        .map(|l| GateItem {
            code: l.item.code.clone(),
            mandatory: l.item.mandatory,
            before_endorsement: l.item.before_endorsement(),
            answer: l.answer.as_ref().map(|a| a.answer),
            deviation: l.deviation.as_ref().and_then(|d| d.state()),
        })
        .collect();
    let reviewed = register_reviewed(last_review(store, project.id).await?, Some(project.register_changed_at));
    Ok(unmet_conditions(&items, &project.targeting, reviewed))
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Endorsement {
    pub id: Uuid,
    pub project_id: Uuid,
    pub endorsed_by: Uuid,
    pub endorser_name: String,
    pub endorsed_at: OffsetDateTime,
    pub checklist_version: String,
    pub snapshot: String,
    pub snapshot_sha256: String,
}

#[derive(Debug, Clone)]
pub enum EndorsementOutcome {
    Endorsed(Endorsement),
    Blocked(Vec<Unmet>),
}

/// What the endorsement covers, as canonical JSON (keys sorted): the register, the
/// checklist version and answers, approved deviations, the risks and the last review.
async fn snapshot(store: &Store, project: &Project, lines: &[ChecklistLine]) -> Result<String, StoreError> {
    let answers: serde_json::Map<String, serde_json::Value> = lines
        .iter()
        .filter_map(|l| {
            let a = l.answer.as_ref()?;
            Some((
                l.item.code.clone(),
                serde_json::json!({ "answer": a.answer.code(), "justification": a.justification }),
            ))
        })
        .collect();
    let deviations: Vec<serde_json::Value> = lines
        .iter()
        .filter_map(|l| l.deviation.as_ref())
        .filter(|d| d.state == "approved")
        .map(|d| {
            serde_json::json!({
                "item": d.item_code, "justification": d.justification, "decided_by": d.decided_by,
                "decided_at": d.decided_at.map(|t| t.unix_timestamp()),
            })
        })
        .collect();
    let value = serde_json::json!({
        "project": {
            "id": project.id, "code": project.code, "title": project.title, "summary": project.summary,
            "sectors": project.sectors, "locations": project.locations,
            "crisis_phase": project.crisis_phase.map(|p| p.code()), "start_date": iso(project.start_date),
            "end_date": iso(project.end_date), "dimension": project.dimension.code(), "details": project.details,
            "targeting": project.targeting, "manager_id": project.manager_id, "focal_point_id": project.focal_point_id,
        },
        "checklist_version": project.checklist_version,
        "answers": answers,
        "deviations": deviations,
        "risks": risks(store, project.id).await?,
        "register_reviewed_at": last_review(store, project.id).await?.map(|t| t.unix_timestamp()),
    });
    let mut value = value;
    // Only when lessons were carried: earlier snapshots keep their exact form.
    if let Some(lessons) = super::lessons::uptake_snapshot(store, project.id).await? {
        value["lessons_carried"] = lessons;
    }
    json(&value)
}

/// Endorse the project when the gate allows it. The record is written once (the database
/// refuses any change to it) with a SHA-256 of the snapshot it endorsed; the project moves
/// on to implementation and monitoring. A change made meanwhile by someone else makes this
/// a conflict: the caller looks again.
pub async fn endorse(store: &Store, actor: &Actor, project: &Project) -> Result<EndorsementOutcome, StoreError> {
    let by = actor.id.ok_or_else(|| StoreError::Invalid("endorsement is given by a user".into()))?;
    if project.status == ProjectStatus::Closed {
        return Err(StoreError::Frozen("project-closed"));
    }
    let lines = checklist(store, project).await?;
    let unmet = gate_of(store, project, &lines).await?;
    if !unmet.is_empty() {
        let mut tx = store.pool.begin().await?;
        let codes: Vec<&str> = unmet.iter().map(|u| u.code()).collect();
        let audit_event =
            actor.event(actions::ENDORSEMENT_REFUSED, "project", project.id.to_string()).summary(codes.join(","));
        audit::append(&mut tx, &store.keys, &audit_event).await?;
        tx.commit().await?;
        return Ok(EndorsementOutcome::Blocked(unmet));
    }
    let snapshot = snapshot(store, project, &lines).await?;
    let digest = Sha256::digest(snapshot.as_bytes());
    let record = Endorsement {
        id: Uuid::now_v7(),
        project_id: project.id,
        endorsed_by: by,
        endorser_name: actor.name.clone(),
        endorsed_at: now_utc(),
        checklist_version: project.checklist_version.clone(),
        snapshot_sha256: digest.iter().map(|b| format!("{b:02x}")).collect(),
        snapshot,
    };
    let phase = match project.phase {
        CyclePhase::DevelopmentDesign | CyclePhase::Endorsement => CyclePhase::ImplementationMonitoring,
        later => later,
    };
    let mut tx = store.pool.begin().await?;
    // Only if nothing changed since the gate was read (every change bumps `updated_at`).
    let n = on_tx!(&mut tx, c => {
        sqlx::query(
            "UPDATE projects SET status = $1, phase = $2, reopened_because = NULL, updated_at = $3 WHERE id = $4 AND updated_at = $5",
        )
        .bind(ProjectStatus::Endorsed.code()).bind(phase.code()).bind(record.endorsed_at).bind(project.id).bind(project.updated_at)
        .execute(c).await.map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Err(StoreError::Changed("the project changed while it was being endorsed"));
    }
    super::scores::refresh_progress(&mut tx, project.id).await?;
    on_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO project_endorsements (id, project_id, endorsed_by, endorser_name, endorsed_at, checklist_version, snapshot, snapshot_sha256)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(record.id).bind(record.project_id).bind(record.endorsed_by).bind(&record.endorser_name).bind(record.endorsed_at)
        .bind(&record.checklist_version).bind(&record.snapshot).bind(&record.snapshot_sha256)
        .execute(c).await.map(|_| ())
    })?;
    let detail = serde_json::json!({ "endorsement": record.id, "sha256": record.snapshot_sha256 });
    event(&mut tx, actor, project.id, "endorsed", detail).await?;
    let audit_event = actor
        .event(actions::PROJECT_ENDORSED, "project", project.id.to_string())
        .summary(record.snapshot_sha256.clone());
    audit::append(&mut tx, &store.keys, &audit_event).await?;
    tx.commit().await?;
    Ok(EndorsementOutcome::Endorsed(record))
}

const ENDORSEMENT_COLUMNS: &str =
    "id, project_id, endorsed_by, endorser_name, endorsed_at, checklist_version, snapshot, snapshot_sha256";

/// The project's endorsements, newest first.
pub async fn endorsements(store: &Store, project: Uuid) -> Result<Vec<Endorsement>, StoreError> {
    let sql = format!(
        "SELECT {ENDORSEMENT_COLUMNS} FROM project_endorsements WHERE project_id = $1 ORDER BY endorsed_at DESC"
    );
    Ok(on_pool!(&store.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(project).fetch_all(p).await)?)
}

pub async fn endorsement(store: &Store, project: Uuid, id: Uuid) -> Result<Endorsement, StoreError> {
    let sql = format!("SELECT {ENDORSEMENT_COLUMNS} FROM project_endorsements WHERE project_id = $1 AND id = $2");
    let row: Option<Endorsement> = on_pool!(&store.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(project).bind(id).fetch_optional(p).await)?;
    row.ok_or(StoreError::NotFound)
}
