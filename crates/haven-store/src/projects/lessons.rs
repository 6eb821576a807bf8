//! The evaluation's end: lessons learned, the closing that freezes the project, and the
//! lessons carried into later projects that share a sector or a place, with how each later
//! project took them into account.

use std::collections::BTreeMap;

use haven_core::audit::actions;
use haven_core::authz::Access;
use haven_core::projects::{
    Answer, CyclePhase, LessonInput, Principle, ProjectStatus, UptakeInput, evaluation_items, places_meet,
    unanswered_mandatory,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::checklist::checklist;
use super::{ListFilter, Project, event, json, location_paths, lock};
use crate::identity::Actor;
use crate::scope::bind_scope_args;
use crate::{Store, StoreError, audit, now_utc};

/// A lesson learned in a project's evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lesson {
    pub id: Uuid,
    pub project_id: Uuid,
    pub text: String,
    pub principle: Option<Principle>,
    pub sectors: Vec<String>,
    pub do_differently: String,
    pub recorder_name: String,
    pub recorded_at: OffsetDateTime,
}

/// A row of `project_lessons` as stored (also what a database copy moves).
#[derive(sqlx::FromRow)]
pub(crate) struct LessonRow {
    pub(crate) id: Uuid,
    pub(crate) project_id: Uuid,
    pub(crate) text: String,
    pub(crate) principle: Option<String>,
    pub(crate) sectors: String,
    pub(crate) do_differently: String,
    pub(crate) recorded_by: Uuid,
    pub(crate) recorder_name: String,
    pub(crate) recorded_at: OffsetDateTime,
}

impl LessonRow {
    fn into_lesson(self) -> Result<Lesson, StoreError> {
        Ok(Lesson {
            id: self.id,
            project_id: self.project_id,
            text: self.text,
            principle: self.principle.as_deref().and_then(Principle::from_code),
            sectors: serde_json::from_str(&self.sectors)
                .map_err(|_| StoreError::Invalid("stored lesson has unreadable sectors".into()))?,
            do_differently: self.do_differently,
            recorder_name: self.recorder_name,
            recorded_at: self.recorded_at,
        })
    }
}

/// Record a lesson learned. Refused (inner error) outside the evaluation phase. Without
/// sectors of its own, it speaks to the project's.
pub async fn add_lesson(
    store: &Store,
    actor: &Actor,
    project: &Project,
    input: &LessonInput,
) -> Result<Result<Uuid, &'static str>, StoreError> {
    if project.phase != CyclePhase::Evaluation {
        return Ok(Err("not-evaluating"));
    }
    let by = actor.id.ok_or_else(|| StoreError::Invalid("lessons are recorded by a user".into()))?;
    let sectors = if input.sectors.is_empty() { &project.sectors } else { &input.sectors };
    let id = Uuid::now_v7();
    let mut tx = store.pool.begin().await?;
    lock(&mut tx, project.id).await?;
    on_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO project_lessons (id, project_id, text, principle, sectors, do_differently, recorded_by, recorder_name, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id).bind(project.id).bind(&input.text).bind(input.principle.map(|p| p.code())).bind(json(sectors)?)
        .bind(&input.do_differently).bind(by).bind(&actor.name).bind(now_utc())
        .execute(c).await.map(|_| ())
    })?;
    event(&mut tx, actor, project.id, "lesson-recorded", serde_json::json!({ "lesson": id })).await?;
    let audit_event = actor.event(actions::LESSON_RECORDED, "project", project.id.to_string()).summary(id.to_string());
    audit::append(&mut tx, &store.keys, &audit_event).await?;
    tx.commit().await?;
    Ok(Ok(id))
}

const LESSON_COLUMNS: &str =
    "id, project_id, text, principle, sectors, do_differently, recorded_by, recorder_name, recorded_at";

/// The project's own lessons, oldest first. The caller has read the project.
pub async fn lessons(store: &Store, project: Uuid) -> Result<Vec<Lesson>, StoreError> {
    let sql = format!("SELECT {LESSON_COLUMNS} FROM project_lessons WHERE project_id = $1 ORDER BY recorded_at, id");
    let rows: Vec<LessonRow> =
        on_pool!(&store.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(project).fetch_all(p).await)?;
    rows.into_iter().map(LessonRow::into_lesson).collect()
}

/// Why a project cannot be closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClosingBlocked {
    /// Only an evaluated project closes.
    NotEvaluating,
    /// Mandatory evaluation items without an answer.
    Unanswered(Vec<String>),
}

/// Close the project once its mandatory evaluation items are answered: the status becomes
/// closed and every later change is refused. A refusal is audited with what held it.
pub async fn close(store: &Store, actor: &Actor, project: &Project) -> Result<Result<(), ClosingBlocked>, StoreError> {
    if project.status == ProjectStatus::Closed {
        return Err(StoreError::Frozen("project-closed"));
    }
    let blocked = if project.phase == CyclePhase::Evaluation {
        let lines = checklist(store, project).await?;
        let items: Vec<_> = lines.iter().map(|l| l.item.clone()).collect();
        let answers: BTreeMap<String, Answer> =
            lines.iter().filter_map(|l| Some((l.item.code.clone(), l.answer.as_ref()?.answer))).collect();
        let unanswered = unanswered_mandatory(&evaluation_items(&items, &project.sectors), &answers);
        (!unanswered.is_empty()).then_some(ClosingBlocked::Unanswered(unanswered))
    } else {
        Some(ClosingBlocked::NotEvaluating)
    };
    let mut tx = store.pool.begin().await?;
    if let Some(blocked) = blocked {
        let summary = match &blocked {
            ClosingBlocked::NotEvaluating => "not in evaluation".to_owned(),
            ClosingBlocked::Unanswered(codes) => codes.join(","),
        };
        let audit_event = actor.event(actions::CLOSING_REFUSED, "project", project.id.to_string()).summary(summary);
        audit::append(&mut tx, &store.keys, &audit_event).await?;
        tx.commit().await?;
        return Ok(Err(blocked));
    }
    lock(&mut tx, project.id).await?;
    on_tx!(&mut tx, c => {
        sqlx::query("UPDATE projects SET status = $1 WHERE id = $2").bind(ProjectStatus::Closed.code()).bind(project.id)
            .execute(c).await.map(|_| ())
    })?;
    event(&mut tx, actor, project.id, "closed", serde_json::json!({ "from": project.status.code() })).await?;
    audit::append(&mut tx, &store.keys, &actor.event(actions::PROJECT_CLOSED, "project", project.id.to_string()))
        .await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// How a later project took a lesson into account, or why it did not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uptake {
    pub taken: bool,
    pub note: String,
    pub recorder_name: String,
    pub recorded_at: OffsetDateTime,
}

/// A lesson of a closed project that shares a sector or a place with this one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarriedLesson {
    pub lesson: Lesson,
    pub from_code: String,
    pub from_title: String,
    /// The sectors it shares with this project (empty when it meets by place only).
    pub shared_sectors: Vec<String>,
    pub shared_place: bool,
    pub uptake: Option<Uptake>,
}

/// The place paths of every project the `visible` subquery selects, by project.
async fn place_paths_of_all(
    store: &Store,
    visible: &str,
    args: &[crate::scope::Arg],
) -> Result<BTreeMap<Uuid, Vec<String>>, StoreError> {
    let sql = format!("SELECT project_id, path FROM project_locations WHERE project_id IN ({visible})");
    let rows: Vec<(Uuid, String)> = on_pool!(&store.pool, p => {
        bind_scope_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), args).fetch_all(p).await
    })?;
    let mut by_project: BTreeMap<Uuid, Vec<String>> = BTreeMap::new();
    for (project, path) in rows {
        by_project.entry(project).or_default().push(path);
    }
    Ok(by_project)
}

type UptakeRow = (Uuid, bool, String, String, OffsetDateTime);

async fn uptakes(store: &Store, project: Uuid) -> Result<BTreeMap<Uuid, Uptake>, StoreError> {
    let rows: Vec<UptakeRow> = on_pool!(&store.pool, p => {
        sqlx::query_as(
            "SELECT lesson_id, taken, note, recorder_name, recorded_at FROM project_lesson_uptake WHERE project_id = $1",
        )
        .bind(project).fetch_all(p).await
    })?;
    Ok(rows
        .into_iter()
        .map(|(lesson, taken, note, recorder_name, recorded_at)| {
            (lesson, Uptake { taken, note, recorder_name, recorded_at })
        })
        .collect())
}

/// The lessons of the closed projects the caller may see that share a sector (the lesson's)
/// or a place (one holding the other) with `project`, with the uptake recorded for each.
pub async fn carried_lessons(
    store: &Store,
    access: &Access,
    project: &Project,
) -> Result<Vec<CarriedLesson>, StoreError> {
    // Three reads whatever the number of closed projects: their lessons and places come in
    // one query each, restricted by the same visibility condition as the list.
    let closed = ListFilter { status: Some(ProjectStatus::Closed), ..Default::default() };
    let others: BTreeMap<Uuid, super::ProjectLine> = super::list(store, access, &closed)
        .await?
        .into_iter()
        .filter(|o| o.id != project.id)
        .map(|o| (o.id, o))
        .collect();
    if others.is_empty() {
        return Ok(Vec::new());
    }
    let mut args = Vec::new();
    let visible = format!("SELECT projects.id FROM projects WHERE {}", super::filtered(access, &closed, &mut args));
    let sql = format!("SELECT {LESSON_COLUMNS} FROM project_lessons WHERE project_id IN ({visible})");
    let rows: Vec<LessonRow> = on_pool!(&store.pool, p => {
        bind_scope_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), &args).fetch_all(p).await
    })?;
    let places = place_paths_of_all(store, &visible, &args).await?;
    let mine: Vec<String> = location_paths(store, &project.locations).await?.into_iter().map(|p| p.1).collect();
    let mut taken = uptakes(store, project.id).await?;
    let mut out = Vec::new();
    for lesson in rows.into_iter().map(LessonRow::into_lesson) {
        let lesson = lesson?;
        let Some(other) = others.get(&lesson.project_id) else { continue };
        let theirs = places.get(&other.id).map(Vec::as_slice).unwrap_or_default();
        let shared_place = mine.iter().any(|a| theirs.iter().any(|b| places_meet(a, b)));
        let shared_sectors: Vec<String> =
            lesson.sectors.iter().filter(|s| project.sectors.contains(s)).cloned().collect();
        if shared_sectors.is_empty() && !shared_place {
            continue;
        }
        out.push(CarriedLesson {
            uptake: taken.remove(&lesson.id),
            from_code: other.code.clone(),
            from_title: other.title.clone(),
            lesson,
            shared_sectors,
            shared_place,
        });
    }
    out.sort_by(|a, b| {
        (&a.from_code, a.lesson.recorded_at, a.lesson.id).cmp(&(&b.from_code, b.lesson.recorded_at, b.lesson.id))
    });
    Ok(out)
}

/// Record how the project takes a carried lesson into account, or why not, while it is being
/// designed (refused, inner error, later). Not found unless the lesson is carried to it.
pub async fn record_uptake(
    store: &Store,
    actor: &Actor,
    access: &Access,
    project: &Project,
    lesson: Uuid,
    input: &UptakeInput,
) -> Result<Result<(), &'static str>, StoreError> {
    if !matches!(project.phase, CyclePhase::DevelopmentDesign | CyclePhase::Endorsement) {
        return Ok(Err("not-designing"));
    }
    if !carried_lessons(store, access, project).await?.iter().any(|c| c.lesson.id == lesson) {
        return Err(StoreError::NotFound);
    }
    let by = actor.id.ok_or_else(|| StoreError::Invalid("uptake is recorded by a user".into()))?;
    let mut tx = store.pool.begin().await?;
    lock(&mut tx, project.id).await?;
    on_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO project_lesson_uptake (project_id, lesson_id, taken, note, recorded_by, recorder_name, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (project_id, lesson_id) DO UPDATE SET taken = excluded.taken, note = excluded.note,
                recorded_by = excluded.recorded_by, recorder_name = excluded.recorder_name, recorded_at = excluded.recorded_at",
        )
        .bind(project.id).bind(lesson).bind(input.taken).bind(&input.note).bind(by).bind(&actor.name).bind(now_utc())
        .execute(c).await.map(|_| ())
    })?;
    let detail = serde_json::json!({ "lesson": lesson, "taken": input.taken, "note": input.note });
    event(&mut tx, actor, project.id, "lesson-uptake", detail).await?;
    let summary = format!("{lesson} {}", if input.taken { "taken" } else { "not-taken" });
    audit::append(
        &mut tx,
        &store.keys,
        &actor.event(actions::LESSON_UPTAKE, "project", project.id.to_string()).summary(summary),
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// The uptake of carried lessons, for the endorsement snapshot: `None` when there is none.
pub(crate) async fn uptake_snapshot(store: &Store, project: Uuid) -> Result<Option<serde_json::Value>, StoreError> {
    let taken = uptakes(store, project).await?;
    if taken.is_empty() {
        return Ok(None);
    }
    let list: Vec<serde_json::Value> = taken
        .iter()
        .map(|(lesson, u)| serde_json::json!({ "lesson": lesson, "taken": u.taken, "note": u.note }))
        .collect();
    Ok(Some(serde_json::Value::Array(list)))
}

type UptakeCopyRow = (Uuid, Uuid, bool, String, Uuid, String, OffsetDateTime);

/// Copy the lessons and their uptake into a new database.
pub(crate) async fn copy_rows(source: &crate::Pool, tx: &mut crate::Tx<'_>) -> Result<(), StoreError> {
    let sql = format!("SELECT {LESSON_COLUMNS} FROM project_lessons ORDER BY recorded_at, id");
    let lessons: Vec<LessonRow> = on_pool!(source, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?;
    for l in &lessons {
        on_tx!(tx, c => {
            sqlx::query(
                "INSERT INTO project_lessons (id, project_id, text, principle, sectors, do_differently, recorded_by, recorder_name, recorded_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(l.id).bind(l.project_id).bind(&l.text).bind(&l.principle).bind(&l.sectors).bind(&l.do_differently)
            .bind(l.recorded_by).bind(&l.recorder_name).bind(l.recorded_at)
            .execute(c).await.map(|_| ())
        })?;
    }
    let uptake: Vec<UptakeCopyRow> = on_pool!(source, p => {
        sqlx::query_as(
            "SELECT project_id, lesson_id, taken, note, recorded_by, recorder_name, recorded_at FROM project_lesson_uptake",
        )
        .fetch_all(p).await
    })?;
    for u in &uptake {
        on_tx!(tx, c => {
            sqlx::query(
                "INSERT INTO project_lesson_uptake (project_id, lesson_id, taken, note, recorded_by, recorder_name, recorded_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(u.0).bind(u.1).bind(u.2).bind(&u.3).bind(u.4).bind(&u.5).bind(u.6)
            .execute(c).await.map(|_| ())
        })?;
    }
    Ok(())
}
