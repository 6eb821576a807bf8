//! The checklist a project keeps: the frozen catalog version it started with, its answers
//! and the deviations asked for and decided on mandatory items.

use std::collections::{BTreeMap, BTreeSet};

use haven_core::audit::actions;
use haven_core::authz::Role;
use haven_core::catalog::CatalogKind;
use haven_core::projects::{
    Answer, AnswerInput, ChecklistItem, DeviationRefusal, DeviationState, may_approve_deviation,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Project, event, json, lock};
use crate::identity::Actor;
use crate::{Store, StoreError, Tx, audit, now_utc};

/// The checklist as the catalog holds it now, and its version label: the shipped version,
/// with the count of the organisation's own items when it has added some.
pub async fn current_checklist(store: &Store) -> Result<(String, Vec<ChecklistItem>), StoreError> {
    let entries = crate::catalog::entries(store, CatalogKind::Checklist).await?;
    let shipped = entries.iter().find(|e| !e.is_local).map(|e| e.version.clone()).unwrap_or_else(|| "none".into());
    let local = entries.iter().filter(|e| e.is_local).count();
    let version = if local == 0 { shipped } else { format!("{shipped}+local.{local}") };
    let items = entries
        .iter()
        .map(|e| {
            let item = haven_core::catalog::CatalogItem {
                code: e.code.clone(),
                name: e.name.clone(),
                description: e.description.clone(),
                extra: e.extra.clone(),
            };
            ChecklistItem::from_catalog(&item)
                .map_err(|(field, m)| StoreError::Invalid(format!("checklist item {}: {field}: {m}", e.code)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((version, items))
}

/// Keep a copy of a checklist version, once.
pub(crate) async fn freeze(tx: &mut Tx<'_>, version: &str, items: &[ChecklistItem]) -> Result<(), StoreError> {
    let items = json(&items)?;
    Ok(on_tx!(tx, c => {
        sqlx::query("INSERT INTO checklist_versions (version, items, frozen_at) VALUES ($1, $2, $3) ON CONFLICT (version) DO NOTHING")
            .bind(version).bind(&items).bind(now_utc()).execute(c).await.map(|_| ())
    })?)
}

/// Every item of a frozen checklist version (all sectors).
pub async fn checklist_items(store: &Store, version: &str) -> Result<Vec<ChecklistItem>, StoreError> {
    let row: Option<(String,)> = on_pool!(&store.pool, p => {
        sqlx::query_as("SELECT items FROM checklist_versions WHERE version = $1").bind(version).fetch_optional(p).await
    })?;
    let (items,) = row.ok_or(StoreError::NotFound)?;
    serde_json::from_str(&items).map_err(|_| StoreError::Invalid(format!("checklist version {version} is unreadable")))
}

/// The current answer to an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemAnswer {
    pub answer: Answer,
    pub justification: Option<String>,
    pub evidence_link: Option<String>,
    pub answered_by: String,
    pub answered_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Deviation {
    pub id: Uuid,
    pub item_code: String,
    pub justification: String,
    pub requested_by: Uuid,
    pub requested_at: OffsetDateTime,
    pub state: String,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<OffsetDateTime>,
    pub decision_note: Option<String>,
}

impl Deviation {
    pub fn state(&self) -> Option<DeviationState> {
        DeviationState::from_code(&self.state)
    }
}

/// One item of a project's checklist with its answer and its latest deviation.
#[derive(Debug, Clone)]
pub struct ChecklistLine {
    pub item: ChecklistItem,
    pub answer: Option<ItemAnswer>,
    pub deviation: Option<Deviation>,
}

#[derive(sqlx::FromRow)]
struct AnswerRow {
    item_code: String,
    answer: String,
    justification: Option<String>,
    evidence_link: Option<String>,
    answered_by: String,
    answered_at: OffsetDateTime,
}

/// The items of the project's checklist version that apply to its sectors, in catalog
/// order, with their answers and deviations.
pub async fn checklist(store: &Store, project: &Project) -> Result<Vec<ChecklistLine>, StoreError> {
    let items = checklist_items(store, &project.checklist_version).await?;
    let answers: Vec<AnswerRow> = on_pool!(&store.pool, p => {
        sqlx::query_as(
            "SELECT a.item_code, a.answer, a.justification, a.evidence_link, COALESCE(u.username, '') AS answered_by, a.answered_at
             FROM checklist_answers a LEFT JOIN users u ON u.id = a.answered_by WHERE a.project_id = $1",
        )
        .bind(project.id).fetch_all(p).await
    })?;
    let mut answers: BTreeMap<String, ItemAnswer> = answers
        .into_iter()
        .filter_map(|r| {
            Some((
                r.item_code,
                ItemAnswer {
                    answer: Answer::from_code(&r.answer)?,
                    justification: r.justification,
                    evidence_link: r.evidence_link,
                    answered_by: r.answered_by,
                    answered_at: r.answered_at,
                },
            ))
        })
        .collect();
    let mut deviations = latest_deviations(store, project.id).await?;
    Ok(items
        .into_iter()
        .filter(|i| i.applies_to(&project.sectors))
        .map(|item| ChecklistLine {
            answer: answers.remove(&item.code),
            deviation: deviations.remove(&item.code),
            item,
        })
        .collect())
}

async fn latest_deviations(store: &Store, project: Uuid) -> Result<BTreeMap<String, Deviation>, StoreError> {
    let rows: Vec<Deviation> = on_pool!(&store.pool, p => {
        sqlx::query_as(
            "SELECT id, item_code, justification, requested_by, requested_at, state, decided_by, decided_at, decision_note
             FROM project_deviations WHERE project_id = $1 ORDER BY requested_at, id",
        )
        .bind(project).fetch_all(p).await
    })?;
    Ok(rows.into_iter().map(|d| (d.item_code.clone(), d)).collect())
}

pub(super) fn item_of<'a>(
    items: &'a [ChecklistItem],
    project: &Project,
    code: &str,
) -> Result<&'a ChecklistItem, StoreError> {
    items.iter().find(|i| i.code == code && i.applies_to(&project.sectors)).ok_or(StoreError::NotFound)
}

/// Answer an item of the project's checklist (not found when the item is not on it). The
/// answer it replaces stays in the project's history.
pub async fn answer_item(
    store: &Store,
    actor: &Actor,
    project: &Project,
    item_code: &str,
    input: &AnswerInput,
) -> Result<(), StoreError> {
    answer_items(store, actor, project, &[(item_code.to_owned(), input.clone())]).await
}

/// Answer several items at once, all or none (not found when one is not on the checklist).
pub async fn answer_items(
    store: &Store,
    actor: &Actor,
    project: &Project,
    answers: &[(String, AnswerInput)],
) -> Result<(), StoreError> {
    let items = checklist_items(store, &project.checklist_version).await?;
    for (code, _) in answers {
        item_of(&items, project, code)?;
    }
    let by = actor.id.ok_or_else(|| StoreError::Invalid("answers are given by a user".into()))?;
    let mut tx = store.pool.begin().await?;
    lock(&mut tx, project.id).await?;
    let mut audit_events = Vec::with_capacity(answers.len());
    for (item_code, input) in answers {
        let previous: Option<(String,)> = on_tx!(&mut tx, c => {
            sqlx::query_as("SELECT answer FROM checklist_answers WHERE project_id = $1 AND item_code = $2")
                .bind(project.id).bind(item_code).fetch_optional(c).await
        })?;
        on_tx!(&mut tx, c => {
            sqlx::query(
                "INSERT INTO checklist_answers (project_id, item_code, answer, justification, evidence_link, answered_by, answered_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (project_id, item_code) DO UPDATE SET answer = excluded.answer, justification = excluded.justification,
                    evidence_link = excluded.evidence_link, answered_by = excluded.answered_by, answered_at = excluded.answered_at",
            )
            .bind(project.id).bind(item_code).bind(input.answer.code()).bind(&input.justification).bind(&input.evidence_link)
            .bind(by).bind(now_utc())
            .execute(c).await.map(|_| ())
        })?;
        let detail = serde_json::json!({
            "item": item_code,
            "answer": input.answer.code(),
            "previous": previous.map(|p| p.0),
            "justification": input.justification,
        });
        event(&mut tx, actor, project.id, "answered", detail).await?;
        let summary = format!("{item_code} {}", input.answer.code());
        audit_events.push(actor.event(actions::CHECKLIST_ANSWERED, "project", project.id.to_string()).summary(summary));
    }
    super::scores::recompute(&mut tx, project.id, &project.sectors, &items).await?;
    audit::append_all(&mut tx, &store.keys, &audit_events).await?;
    tx.commit().await
}

/// Ask for a deviation from a mandatory analysis, design or endorsement item. The inner
/// error is a problem code: the item is not mandatory, or a deviation is already pending or
/// approved.
pub async fn request_deviation(
    store: &Store,
    actor: &Actor,
    project: &Project,
    item_code: &str,
    justification: &str,
) -> Result<Result<Uuid, &'static str>, StoreError> {
    let items = checklist_items(store, &project.checklist_version).await?;
    let item = item_of(&items, project, item_code)?;
    if !(item.mandatory && item.before_endorsement()) {
        return Ok(Err("not-mandatory"));
    }
    let by = actor.id.ok_or_else(|| StoreError::Invalid("deviations are asked for by a user".into()))?;
    let mut tx = store.pool.begin().await?;
    lock(&mut tx, project.id).await?;
    let open: Option<(String,)> = on_tx!(&mut tx, c => {
        sqlx::query_as("SELECT state FROM project_deviations WHERE project_id = $1 AND item_code = $2 AND state IN ('requested', 'approved')")
            .bind(project.id).bind(item_code).fetch_optional(c).await
    })?;
    if open.is_some() {
        return Ok(Err("deviation-exists"));
    }
    let id = Uuid::now_v7();
    on_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO project_deviations (id, project_id, item_code, justification, requested_by, requested_at, state)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id).bind(project.id).bind(item_code).bind(justification).bind(by).bind(now_utc())
        .bind(DeviationState::Requested.code())
        .execute(c).await.map(|_| ())
    })?;
    event(
        &mut tx,
        actor,
        project.id,
        "deviation-requested",
        serde_json::json!({ "item": item_code, "justification": justification }),
    )
    .await?;
    let audit_event =
        actor.event(actions::DEVIATION_REQUESTED, "project", project.id.to_string()).summary(item_code.to_owned());
    audit::append(&mut tx, &store.keys, &audit_event).await?;
    tx.commit().await?;
    Ok(Ok(id))
}

/// Approve or reject a pending deviation. Refused (inner error) to the project's manager,
/// to whoever asked for it, and to anyone without the approving role.
#[allow(clippy::too_many_arguments)]
pub async fn decide_deviation(
    store: &Store,
    actor: &Actor,
    actor_roles: &BTreeSet<Role>,
    approving_role: Role,
    project: &Project,
    deviation: Uuid,
    approve: bool,
    note: Option<&str>,
) -> Result<Result<(), DeviationRefusal>, StoreError> {
    let by = actor.id.ok_or_else(|| StoreError::Invalid("deviations are decided by a user".into()))?;
    let mut tx = store.pool.begin().await?;
    lock(&mut tx, project.id).await?;
    let row: Option<(Uuid, String, String)> = on_tx!(&mut tx, c => {
        sqlx::query_as("SELECT requested_by, item_code, state FROM project_deviations WHERE id = $1 AND project_id = $2")
            .bind(deviation).bind(project.id).fetch_optional(c).await
    })?;
    let (requester, item_code, state) = row.ok_or(StoreError::NotFound)?;
    if state != DeviationState::Requested.code() {
        return Err(StoreError::Conflict("deviation already decided".into()));
    }
    let managers = super::managers(&mut tx, project).await?;
    if let Err(refusal) = may_approve_deviation(by, actor_roles, approving_role, &managers, requester) {
        return Ok(Err(refusal));
    }
    let decided = if approve { DeviationState::Approved } else { DeviationState::Rejected };
    on_tx!(&mut tx, c => {
        sqlx::query("UPDATE project_deviations SET state = $1, decided_by = $2, decided_at = $3, decision_note = $4 WHERE id = $5")
            .bind(decided.code()).bind(by).bind(now_utc()).bind(note).bind(deviation).execute(c).await.map(|_| ())
    })?;
    let detail = serde_json::json!({ "item": item_code, "decision": decided.code(), "note": note });
    event(&mut tx, actor, project.id, "deviation-decided", detail).await?;
    let summary = format!("{item_code} {}", decided.code());
    let audit_event = actor.event(actions::DEVIATION_DECIDED, "project", project.id.to_string()).summary(summary);
    audit::append(&mut tx, &store.keys, &audit_event).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Move the project to the catalog's current checklist version: an explicit, audited step.
/// Answers to items that remain keep their value; the scores follow the new items. Returns the
/// versions moved from and to, or `None` when the project already uses the current one.
pub async fn upgrade_checklist(
    store: &Store,
    actor: &Actor,
    project: &Project,
) -> Result<Option<(String, String)>, StoreError> {
    let (version, items) = current_checklist(store).await?;
    if version == project.checklist_version {
        return Ok(None);
    }
    let mut tx = store.pool.begin().await?;
    lock(&mut tx, project.id).await?;
    freeze(&mut tx, &version, &items).await?;
    on_tx!(&mut tx, c => {
        sqlx::query("UPDATE projects SET checklist_version = $1 WHERE id = $2").bind(&version).bind(project.id).execute(c).await.map(|_| ())
    })?;
    super::scores::recompute(&mut tx, project.id, &project.sectors, &items).await?;
    let detail = serde_json::json!({ "from": project.checklist_version, "to": version });
    event(&mut tx, actor, project.id, "checklist-upgraded", detail).await?;
    let summary = format!("{} -> {version}", project.checklist_version);
    let audit_event = actor.event(actions::CHECKLIST_UPGRADED, "project", project.id.to_string()).summary(summary);
    audit::append(&mut tx, &store.keys, &audit_event).await?;
    tx.commit().await?;
    Ok(Some((project.checklist_version.clone(), version)))
}
