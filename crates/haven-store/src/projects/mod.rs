//! Projects: the register, the checklist each keeps, deviations, the do-no-harm register and
//! the endorsement gate. Every read narrows to the caller's scope (agency, and the location
//! subtrees that hold one of the project's places); every change is audited with it.

mod checklist;
pub mod evidence;
pub(crate) mod gate;
pub(crate) mod lessons;
mod portfolio;
pub(crate) mod rounds;
mod scores;

pub use checklist::{
    ChecklistLine, Deviation, answer_item, answer_items, checklist, checklist_items, current_checklist,
    decide_deviation, request_deviation, upgrade_checklist,
};
pub use gate::{
    Endorsement, EndorsementOutcome, Risk, add_risk, endorse, endorsement, endorsements, gate, gate_of,
    review_register, risks, update_risk,
};
pub use lessons::{
    CarriedLesson, ClosingBlocked, Lesson, Uptake, add_lesson, carried_lessons, close, lessons, record_uptake,
};
pub use portfolio::{PortfolioLine, PortfolioSummary, PrincipleTotal, portfolio, portfolio_page, portfolio_summary};
pub use rounds::{
    FeedbackMonth, Round, RoundAnswer, SiteFindings, answer_round, answers_by_round, complete_round,
    feedback_categories, feedback_months, feedback_sectors, open_round, place_paths, round, round_answers, rounds,
    site_findings,
};
pub use scores::phase_order;

use haven_core::audit::actions;
use haven_core::authz::Access;
use haven_core::catalog::CatalogKind;
use haven_core::input::FieldProblem;
use haven_core::projects::{
    CrisisPhase, CyclePhase, Dimension, MaterialChange, ProjectInput, ProjectStatus, TargetCell, Targeting,
    material_changes, next_phase,
};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::identity::Actor;
use crate::scope::{self, Arg, bind_scope_args};
use crate::{Store, StoreError, Tx, audit, conflict_on_unique, now_utc};

/// The parts of a project kept as one JSON document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Details {
    pub partners: Vec<String>,
    pub pillars: Vec<String>,
    pub action_types: Vec<String>,
    pub target_population: Vec<TargetCell>,
    pub at_risk_groups: Vec<String>,
    pub selection_notes: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub summary: Option<String>,
    pub crisis_phase: Option<CrisisPhase>,
    pub start_date: Option<Date>,
    pub end_date: Option<Date>,
    pub dimension: Dimension,
    pub details: Details,
    pub targeting: Targeting,
    pub manager_id: Option<Uuid>,
    pub focal_point_id: Option<Uuid>,
    pub agency_id: Option<Uuid>,
    pub phase: CyclePhase,
    pub status: ProjectStatus,
    pub checklist_version: String,
    pub reopened_because: Vec<MaterialChange>,
    pub register_changed_at: OffsetDateTime,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub sectors: Vec<String>,
    /// P-codes of the project's places.
    pub locations: Vec<String>,
}

/// A row of `projects` as stored (also what a database copy moves).
#[derive(sqlx::FromRow)]
pub(crate) struct ProjectRow {
    pub(crate) id: Uuid,
    pub(crate) code: String,
    pub(crate) title: String,
    pub(crate) summary: Option<String>,
    pub(crate) crisis_phase: Option<String>,
    pub(crate) start_date: Option<String>,
    pub(crate) end_date: Option<String>,
    pub(crate) dimension: String,
    pub(crate) details: String,
    pub(crate) targeting: String,
    pub(crate) manager_id: Option<Uuid>,
    pub(crate) focal_point_id: Option<Uuid>,
    pub(crate) agency_id: Option<Uuid>,
    pub(crate) phase: String,
    pub(crate) status: String,
    pub(crate) checklist_version: String,
    pub(crate) reopened_because: Option<String>,
    pub(crate) register_changed_at: OffsetDateTime,
    pub(crate) created_by: Uuid,
    pub(crate) created_at: OffsetDateTime,
    pub(crate) updated_at: OffsetDateTime,
}

const COLUMNS: &str = "id, code, title, summary, crisis_phase, start_date, end_date, dimension, details, targeting, \
    manager_id, focal_point_id, agency_id, phase, status, checklist_version, reopened_because, register_changed_at, \
    created_by, created_at, updated_at";

fn corrupt(what: &str) -> StoreError {
    StoreError::Invalid(format!("stored project has an unreadable {what}"))
}

pub(crate) fn iso(date: Option<Date>) -> Option<String> {
    date.map(haven_core::input::iso_date)
}

pub(crate) fn parse_date(text: Option<String>) -> Result<Option<Date>, StoreError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    text.map(|t| Date::parse(&t, &format).map_err(|_| corrupt("date"))).transpose()
}

pub(crate) fn json<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Invalid(e.to_string()))
}

impl ProjectRow {
    fn into_project(self, sectors: Vec<String>, locations: Vec<String>) -> Result<Project, StoreError> {
        Ok(Project {
            id: self.id,
            code: self.code,
            title: self.title,
            summary: self.summary,
            crisis_phase: self.crisis_phase.as_deref().and_then(CrisisPhase::from_code),
            start_date: parse_date(self.start_date)?,
            end_date: parse_date(self.end_date)?,
            dimension: Dimension::from_code(&self.dimension).ok_or_else(|| corrupt("dimension"))?,
            details: serde_json::from_str(&self.details).map_err(|_| corrupt("details"))?,
            targeting: serde_json::from_str(&self.targeting).map_err(|_| corrupt("targeting"))?,
            manager_id: self.manager_id,
            focal_point_id: self.focal_point_id,
            agency_id: self.agency_id,
            phase: CyclePhase::from_code(&self.phase).ok_or_else(|| corrupt("phase"))?,
            status: ProjectStatus::from_code(&self.status).ok_or_else(|| corrupt("status"))?,
            checklist_version: self.checklist_version,
            reopened_because: self
                .reopened_because
                .unwrap_or_default()
                .split(',')
                .filter_map(MaterialChange::from_code)
                .collect(),
            register_changed_at: self.register_changed_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
            sectors,
            locations,
        })
    }
}

/// The scope condition on `projects`: its agency, and one of its places under an allowed subtree.
fn visible(access: &Access, args: &mut Vec<Arg>) -> String {
    scope::clause(
        access.filter(),
        "projects.agency_id",
        |p| {
            format!(
                "EXISTS (SELECT 1 FROM project_locations pl WHERE pl.project_id = projects.id AND pl.path LIKE {p})"
            )
        },
        args,
    )
}

/// Codes in `input` that the catalog, the location tree or the user list does not know.
pub async fn unknown_references(store: &Store, input: &ProjectInput) -> Result<Vec<FieldProblem>, StoreError> {
    let mut problems = Vec::new();
    let checks: [(&'static str, CatalogKind, &Vec<String>); 4] = [
        ("sectors", CatalogKind::Sectors, &input.sectors),
        ("pillars", CatalogKind::Pillars, &input.pillars),
        ("action_types", CatalogKind::ActionTypes, &input.action_types),
        ("at_risk_groups", CatalogKind::AtRiskGroups, &input.at_risk_groups),
    ];
    for (field, kind, codes) in checks {
        if codes.is_empty() {
            continue;
        }
        let known: Vec<String> = crate::catalog::entries(store, kind).await?.into_iter().map(|e| e.code).collect();
        if codes.iter().any(|c| !known.contains(c)) {
            problems.push(FieldProblem { field, code: "unknown-code" });
        }
    }
    if location_paths(store, &input.locations).await?.len() != input.locations.len() {
        problems.push(FieldProblem { field: "locations", code: "unknown-code" });
    }
    for (field, user) in [("manager_id", input.manager_id), ("focal_point_id", input.focal_point_id)] {
        if let Some(id) = user
            && crate::identity::login_record_by_id(store, id).await?.is_none()
        {
            problems.push(FieldProblem { field, code: "unknown-user" });
        }
    }
    Ok(problems)
}

pub(crate) async fn location_paths(store: &Store, pcodes: &[String]) -> Result<Vec<(String, String)>, StoreError> {
    let mut out = Vec::new();
    for pcode in pcodes {
        let row: Option<(String,)> = on_pool!(&store.pool, p => {
            sqlx::query_as("SELECT path FROM locations WHERE pcode = $1").bind(pcode).fetch_optional(p).await
        })?;
        if let Some((path,)) = row {
            out.push((pcode.clone(), path));
        }
    }
    Ok(out)
}

fn details_of(input: &ProjectInput) -> Details {
    Details {
        partners: input.partners.clone(),
        pillars: input.pillars.clone(),
        action_types: input.action_types.clone(),
        target_population: input.target_population.clone(),
        at_risk_groups: input.at_risk_groups.clone(),
        selection_notes: input.selection_notes.clone(),
    }
}

/// Record an event in the project's history.
pub(crate) async fn event(
    tx: &mut Tx<'_>,
    actor: &Actor,
    project: Uuid,
    kind: &str,
    detail: serde_json::Value,
) -> Result<(), StoreError> {
    let actor_id = actor.id.ok_or_else(|| StoreError::Invalid("project changes need a signed-in user".into()))?;
    Ok(on_tx!(tx, c => {
        sqlx::query("INSERT INTO project_events (id, project_id, kind, detail, actor_id, actor_name, at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(Uuid::now_v7()).bind(project).bind(kind).bind(detail.to_string()).bind(actor_id).bind(&actor.name).bind(now_utc())
            .execute(c).await.map(|_| ())
    })?)
}

async fn replace_places(
    tx: &mut Tx<'_>,
    id: Uuid,
    sectors: &[String],
    places: &[(String, String)],
) -> Result<(), StoreError> {
    on_tx!(tx, c => sqlx::query("DELETE FROM project_sectors WHERE project_id = $1").bind(id).execute(c).await.map(|_| ()))?;
    on_tx!(tx, c => sqlx::query("DELETE FROM project_locations WHERE project_id = $1").bind(id).execute(c).await.map(|_| ()))?;
    if !sectors.is_empty() {
        insert_rows!(tx, "INSERT INTO project_sectors (project_id, sector)", "", sectors, |s| [id, s]);
    }
    if !places.is_empty() {
        insert_rows!(tx, "INSERT INTO project_locations (project_id, pcode, path)", "", places, |l| [id, &l.0, &l.1]);
    }
    Ok(())
}

/// Register a project on the current checklist version; returns its id. References must
/// have been checked with [`unknown_references`].
pub async fn create(
    store: &Store,
    actor: &Actor,
    input: &ProjectInput,
    agency: Option<Uuid>,
) -> Result<Uuid, StoreError> {
    let creator = actor.id.ok_or_else(|| StoreError::Invalid("projects are created by a user".into()))?;
    let places = location_paths(store, &input.locations).await?;
    let (version, items) = checklist::current_checklist(store).await?;
    let id = Uuid::now_v7();
    let now = now_utc();
    let mut tx = store.pool.begin().await?;
    checklist::freeze(&mut tx, &version, &items).await?;
    let details = json(&details_of(input))?;
    let targeting = json(&input.targeting)?;
    let manager = input.manager_id.or(Some(creator));
    on_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO projects (id, code, title, summary, crisis_phase, start_date, end_date, dimension, details, targeting,
                manager_id, focal_point_id, agency_id, phase, status, checklist_version, reopened_because, register_changed_at,
                created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, NULL, $17, $18, $19, $20)",
        )
        .bind(id).bind(&input.code).bind(&input.title).bind(&input.summary).bind(input.crisis_phase.map(|p| p.code()))
        .bind(iso(input.start_date)).bind(iso(input.end_date)).bind(input.dimension.code()).bind(&details).bind(&targeting)
        .bind(manager).bind(input.focal_point_id).bind(agency).bind(CyclePhase::DevelopmentDesign.code())
        .bind(ProjectStatus::Draft.code()).bind(&version).bind(now).bind(creator).bind(now).bind(now)
        .execute(c).await.map(|_| ())
    })
    .map_err(|e| conflict_on_unique(e, "project code"))?;
    replace_places(&mut tx, id, &input.sectors, &places).await?;
    scores::recompute(&mut tx, id, &input.sectors, &items).await?;
    event(&mut tx, actor, id, "created", serde_json::json!({ "checklist_version": version })).await?;
    let audit_event =
        actor.event(actions::PROJECT_CREATED, "project", id.to_string()).summary(format!("code {}", input.code));
    audit::append(&mut tx, &store.keys, &audit_event).await?;
    tx.commit().await?;
    Ok(id)
}

async fn sectors_and_places(store: &Store, id: Uuid) -> Result<(Vec<String>, Vec<String>), StoreError> {
    let sectors: Vec<(String,)> = on_pool!(&store.pool, p => {
        sqlx::query_as("SELECT sector FROM project_sectors WHERE project_id = $1 ORDER BY sector").bind(id).fetch_all(p).await
    })?;
    let places: Vec<(String,)> = on_pool!(&store.pool, p => {
        sqlx::query_as("SELECT pcode FROM project_locations WHERE project_id = $1 ORDER BY pcode").bind(id).fetch_all(p).await
    })?;
    Ok((sectors.into_iter().map(|s| s.0).collect(), places.into_iter().map(|s| s.0).collect()))
}

/// One project the caller may see (else not found).
pub async fn get(store: &Store, access: &Access, id: Uuid) -> Result<Project, StoreError> {
    let mut args = vec![Arg::Id(id)];
    let scope = visible(access, &mut args);
    let sql = format!("SELECT {COLUMNS} FROM projects WHERE id = $1 AND {scope}");
    let row: Option<ProjectRow> = on_pool!(&store.pool, p => {
        bind_scope_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), &args).fetch_optional(p).await
    })?;
    let row = row.ok_or(StoreError::NotFound)?;
    let (sectors, places) = sectors_and_places(store, id).await?;
    row.into_project(sectors, places)
}

/// What the list of projects filters on.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub sector: Option<String>,
    pub phase: Option<CyclePhase>,
    pub status: Option<ProjectStatus>,
    /// Words of the code or title.
    pub q: Option<String>,
}

/// A line of the project list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProjectLine {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub phase: String,
    pub status: String,
    pub updated_at: OffsetDateTime,
}

/// The condition on `projects` for the caller's scope and a list filter.
pub(crate) fn filtered(access: &Access, filter: &ListFilter, args: &mut Vec<Arg>) -> String {
    let mut wh = visible(access, args);
    if let Some(sector) = &filter.sector {
        args.push(Arg::Text(sector.clone()));
        wh.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM project_sectors s WHERE s.project_id = projects.id AND s.sector = ${})",
            args.len()
        ));
    }
    if let Some(phase) = filter.phase {
        args.push(Arg::Text(phase.code().to_owned()));
        wh.push_str(&format!(" AND projects.phase = ${}", args.len()));
    }
    if let Some(status) = filter.status {
        args.push(Arg::Text(status.code().to_owned()));
        wh.push_str(&format!(" AND projects.status = ${}", args.len()));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        for word in q.split_whitespace().take(8) {
            args.push(Arg::Text(format!("%{}%", word.to_lowercase())));
            wh.push_str(&format!(
                " AND (LOWER(projects.code) LIKE ${0} OR LOWER(projects.title) LIKE ${0})",
                args.len()
            ));
        }
    }
    wh
}

/// One page of the projects the caller may see, by code, and how many there are in all.
pub async fn list_page(
    store: &Store,
    access: &Access,
    filter: &ListFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<ProjectLine>, i64), StoreError> {
    let mut args = Vec::new();
    let wh = filtered(access, filter, &mut args);
    let count_sql = format!("SELECT COUNT(*) FROM projects WHERE {wh}");
    let (total,): (i64,) = on_pool!(&store.pool, p => {
        bind_scope_args!(sqlx::query_as(sqlx::AssertSqlSafe(count_sql)), &args).fetch_one(p).await
    })?;
    let sql = format!(
        "SELECT id, code, title, phase, status, updated_at FROM projects WHERE {wh} ORDER BY code LIMIT {limit} OFFSET {offset}",
        limit = limit.max(0),
        offset = offset.max(0)
    );
    let lines = on_pool!(&store.pool, p => {
        bind_scope_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), &args).fetch_all(p).await
    })?;
    Ok((lines, total))
}

/// The projects the caller may see, by code.
pub async fn list(store: &Store, access: &Access, filter: &ListFilter) -> Result<Vec<ProjectLine>, StoreError> {
    let mut args = Vec::new();
    let wh = filtered(access, filter, &mut args);
    let sql = format!("SELECT id, code, title, phase, status, updated_at FROM projects WHERE {wh} ORDER BY code");
    Ok(on_pool!(&store.pool, p => {
        bind_scope_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), &args).fetch_all(p).await
    })?)
}

/// Take the project's row lock (PostgreSQL) or the write lock (SQLite) first, so that a
/// gate decision and the changes it depends on never interleave. A closed project is frozen:
/// every change to it stops here.
pub(crate) async fn lock(tx: &mut Tx<'_>, id: Uuid) -> Result<(), StoreError> {
    let n = on_tx!(tx, c => {
        sqlx::query("UPDATE projects SET updated_at = $1 WHERE id = $2 AND status <> $3")
            .bind(now_utc()).bind(id).bind(ProjectStatus::Closed.code()).execute(c).await.map(|r| r.rows_affected())
    })?;
    if n > 0 {
        return Ok(());
    }
    let exists: Option<(String,)> = on_tx!(tx, c => {
        sqlx::query_as("SELECT status FROM projects WHERE id = $1").bind(id).fetch_optional(c).await
    })?;
    if exists.is_some() { Err(StoreError::Frozen("project-closed")) } else { Err(StoreError::NotFound) }
}

/// [`lock`], only if the project has not changed since it was read at `seen` (every change
/// moves `updated_at`): an edit made on what was read must not undo a decision taken since,
/// such as an endorsement.
async fn lock_unchanged(tx: &mut Tx<'_>, id: Uuid, seen: OffsetDateTime) -> Result<(), StoreError> {
    let n = on_tx!(tx, c => {
        sqlx::query("UPDATE projects SET updated_at = $1 WHERE id = $2 AND updated_at = $3 AND status <> $4")
            .bind(now_utc()).bind(id).bind(seen).bind(ProjectStatus::Closed.code()).execute(c).await.map(|r| r.rows_affected())
    })?;
    if n > 0 {
        return Ok(());
    }
    lock(tx, id).await?;
    Err(StoreError::Changed("the project changed while it was being edited"))
}

/// Everyone who has managed the project: the current manager and each earlier one.
pub(crate) async fn managers(tx: &mut Tx<'_>, project: &Project) -> Result<Vec<Uuid>, StoreError> {
    let rows: Vec<(String,)> = on_tx!(tx, c => {
        sqlx::query_as("SELECT detail FROM project_events WHERE project_id = $1 AND kind = 'manager-changed'")
            .bind(project.id).fetch_all(c).await
    })?;
    let mut all: Vec<Uuid> = project.manager_id.into_iter().collect();
    for (detail,) in rows {
        let v: serde_json::Value = serde_json::from_str(&detail)
            .map_err(|_| StoreError::Invalid("stored manager change is unreadable".into()))?;
        for key in ["from", "to"] {
            if let Some(id) = v[key].as_str().and_then(|s| Uuid::parse_str(s).ok()) {
                all.push(id);
            }
        }
    }
    all.sort();
    all.dedup();
    Ok(all)
}

/// Save a new version of the register fields. A material change to an endorsed project
/// opens the gate again and says why; any material change also calls for a new review of
/// the do-no-harm register. Returns the material changes.
pub async fn update(
    store: &Store,
    actor: &Actor,
    access: &Access,
    id: Uuid,
    input: &ProjectInput,
) -> Result<Vec<MaterialChange>, StoreError> {
    let before = get(store, access, id).await?;
    let places = location_paths(store, &input.locations).await?;
    let changes = material_changes(
        (&before.sectors, &before.locations, &before.targeting),
        (&input.sectors, &input.locations, &input.targeting),
    );
    let status = before.status.after_changes(&changes);
    let now = now_utc();
    let reopened_because = if status == ProjectStatus::Reopened && before.status == ProjectStatus::Endorsed {
        Some(changes.iter().map(|c| c.code()).collect::<Vec<_>>().join(","))
    } else {
        before.reopened_because.iter().map(|c| c.code()).collect::<Vec<_>>().join(",").into()
    }
    .filter(|s: &String| !s.is_empty());
    let register_changed_at = if changes.is_empty() { before.register_changed_at } else { now };
    let items = checklist::checklist_items(store, &before.checklist_version).await?;
    let manager = input.manager_id.or(before.manager_id);
    let mut tx = store.pool.begin().await?;
    lock_unchanged(&mut tx, id, before.updated_at).await?;
    on_tx!(&mut tx, c => {
        sqlx::query(
            "UPDATE projects SET code = $1, title = $2, summary = $3, crisis_phase = $4, start_date = $5, end_date = $6,
                dimension = $7, details = $8, targeting = $9, manager_id = $10, focal_point_id = $11, status = $12,
                reopened_because = $13, register_changed_at = $14, updated_at = $15
             WHERE id = $16",
        )
        .bind(&input.code).bind(&input.title).bind(&input.summary).bind(input.crisis_phase.map(|p| p.code()))
        .bind(iso(input.start_date)).bind(iso(input.end_date)).bind(input.dimension.code()).bind(json(&details_of(input))?)
        .bind(json(&input.targeting)?).bind(manager).bind(input.focal_point_id)
        .bind(status.code()).bind(&reopened_because).bind(register_changed_at).bind(now).bind(id)
        .execute(c).await.map(|_| ())
    })
    .map_err(|e| conflict_on_unique(e, "project code"))?;
    replace_places(&mut tx, id, &input.sectors, &places).await?;
    scores::recompute(&mut tx, id, &input.sectors, &items).await?;
    let codes: Vec<&str> = changes.iter().map(|c| c.code()).collect();
    event(&mut tx, actor, id, "updated", serde_json::json!({ "material_changes": codes })).await?;
    if manager != before.manager_id {
        event(&mut tx, actor, id, "manager-changed", serde_json::json!({ "from": before.manager_id, "to": manager }))
            .await?;
    }
    let mut events = vec![actor.event(actions::PROJECT_UPDATED, "project", id.to_string())];
    if status == ProjectStatus::Reopened && before.status == ProjectStatus::Endorsed {
        event(&mut tx, actor, id, "reopened", serde_json::json!({ "because": codes })).await?;
        events.push(actor.event(actions::PROJECT_REOPENED, "project", id.to_string()).summary(codes.join(",")));
    }
    audit::append_all(&mut tx, &store.keys, &events).await?;
    tx.commit().await?;
    Ok(changes)
}

/// Move the project to the next phase of the cycle (implementation only once endorsed).
pub async fn advance(
    store: &Store,
    actor: &Actor,
    access: &Access,
    id: Uuid,
) -> Result<Result<CyclePhase, haven_core::projects::PhaseError>, StoreError> {
    let project = get(store, access, id).await?;
    let next = match next_phase(project.phase, project.status) {
        Ok(next) => next,
        Err(e) => return Ok(Err(e)),
    };
    let mut tx = store.pool.begin().await?;
    lock(&mut tx, id).await?;
    on_tx!(&mut tx, c => {
        sqlx::query("UPDATE projects SET phase = $1 WHERE id = $2").bind(next.code()).bind(id).execute(c).await.map(|_| ())
    })?;
    scores::refresh_progress(&mut tx, id).await?;
    event(&mut tx, actor, id, "phase", serde_json::json!({ "from": project.phase.code(), "to": next.code() })).await?;
    let audit_event = actor.event(actions::PROJECT_PHASE_CHANGED, "project", id.to_string()).summary(next.code());
    audit::append(&mut tx, &store.keys, &audit_event).await?;
    tx.commit().await?;
    Ok(Ok(next))
}

/// One line of a project's history.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProjectEvent {
    pub kind: String,
    pub detail: String,
    pub actor_name: String,
    pub at: OffsetDateTime,
}

/// The project's history, oldest first. The caller has read the project (scope checked).
pub async fn events(store: &Store, id: Uuid) -> Result<Vec<ProjectEvent>, StoreError> {
    Ok(on_pool!(&store.pool, p => {
        sqlx::query_as("SELECT kind, detail, actor_name, at FROM project_events WHERE project_id = $1 ORDER BY at, id")
            .bind(id).fetch_all(p).await
    })?)
}

/// The agency a user belongs to: their projects are the agency's.
pub async fn agency_of(store: &Store, user: Uuid) -> Result<Option<Uuid>, StoreError> {
    let row: Option<(Option<Uuid>,)> = on_pool!(&store.pool, p => {
        sqlx::query_as("SELECT agency_id FROM users WHERE id = $1").bind(user).fetch_optional(p).await
    })?;
    Ok(row.and_then(|r| r.0))
}
