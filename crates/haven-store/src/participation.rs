//! Participation: committees of a site and community consultations, as counts (never names),
//! and the composition figures the protection mainstreaming indicators read. Reads narrow to
//! the caller's scope by the site's location path; changes are audited in the same
//! transaction.

use haven_core::audit::actions;
use haven_core::authz::Access;
use haven_core::participation::{CommitteeInput, Composition as Cells, ConsultationInput, PeopleCell, totals};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::identity::Actor;
use crate::projects::{iso, json, parse_date};
use crate::scope::{Arg, bind_scope_args, by_path};
use crate::{Store, StoreError, audit, now_utc};

fn corrupt(what: &str) -> StoreError {
    StoreError::Invalid(format!("stored participation record has an unreadable {what}"))
}

/// A row of `committees` as stored (also what a database copy moves).
#[derive(sqlx::FromRow)]
pub(crate) struct CommitteeRow {
    pub(crate) id: Uuid,
    pub(crate) pcode: String,
    pub(crate) path: String,
    pub(crate) agency_id: Option<Uuid>,
    pub(crate) project_id: Option<Uuid>,
    pub(crate) purpose: String,
    pub(crate) formed_on: Option<String>,
    pub(crate) active: bool,
    pub(crate) composition: String,
    pub(crate) members: i64,
    pub(crate) women: i64,
    pub(crate) with_disability: i64,
    pub(crate) at_risk_members: i64,
    pub(crate) created_by: Uuid,
    pub(crate) created_at: OffsetDateTime,
    pub(crate) updated_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committee {
    pub id: Uuid,
    pub pcode: String,
    pub project_id: Option<Uuid>,
    pub purpose: String,
    pub formed_on: Option<Date>,
    pub active: bool,
    pub composition: Cells,
    pub updated_at: OffsetDateTime,
}

impl CommitteeRow {
    fn into_committee(self) -> Result<Committee, StoreError> {
        Ok(Committee {
            id: self.id,
            pcode: self.pcode,
            project_id: self.project_id,
            purpose: self.purpose,
            formed_on: parse_date(self.formed_on)?,
            active: self.active,
            composition: serde_json::from_str(&self.composition).map_err(|_| corrupt("composition"))?,
            updated_at: self.updated_at,
        })
    }
}

/// Register a committee at a site whose `path` the caller looked up.
pub async fn create_committee(
    store: &Store,
    actor: &Actor,
    input: &CommitteeInput,
    path: &str,
    agency: Option<Uuid>,
) -> Result<Uuid, StoreError> {
    let creator = actor.id.ok_or_else(|| StoreError::Invalid("committees are recorded by a user".into()))?;
    let (members, women, disabled) = totals(&input.composition.members);
    let id = Uuid::now_v7();
    let now = now_utc();
    let mut tx = store.pool.begin().await?;
    on_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO committees (id, pcode, path, agency_id, project_id, purpose, formed_on, active, composition, members,
                women, with_disability, at_risk_members, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        )
        .bind(id).bind(&input.site).bind(path).bind(agency).bind(input.project_id).bind(&input.purpose)
        .bind(iso(input.formed_on)).bind(input.active).bind(json(&input.composition)?).bind(i64::from(members))
        .bind(i64::from(women)).bind(i64::from(disabled)).bind(i64::from(input.composition.at_risk_members))
        .bind(creator).bind(now).bind(now)
        .execute(c).await.map(|_| ())
    })?;
    let event = actor
        .event(actions::COMMITTEE_SAVED, "committee", id.to_string())
        .summary(format!("site {}, {members} members", input.site));
    audit::append(&mut tx, &store.keys, &event).await?;
    tx.commit().await?;
    Ok(id)
}

/// Replace a committee the caller may see (its site may move to `path`).
pub async fn update_committee(
    store: &Store,
    actor: &Actor,
    access: &Access,
    id: Uuid,
    input: &CommitteeInput,
    path: &str,
) -> Result<Committee, StoreError> {
    committee(store, access, id).await?;
    let (members, women, disabled) = totals(&input.composition.members);
    let mut tx = store.pool.begin().await?;
    on_tx!(&mut tx, c => {
        sqlx::query(
            "UPDATE committees SET pcode = $1, path = $2, project_id = $3, purpose = $4, formed_on = $5, active = $6,
                composition = $7, members = $8, women = $9, with_disability = $10, at_risk_members = $11, updated_at = $12
             WHERE id = $13",
        )
        .bind(&input.site).bind(path).bind(input.project_id).bind(&input.purpose).bind(iso(input.formed_on))
        .bind(input.active).bind(json(&input.composition)?).bind(i64::from(members)).bind(i64::from(women))
        .bind(i64::from(disabled)).bind(i64::from(input.composition.at_risk_members)).bind(now_utc()).bind(id)
        .execute(c).await.map(|_| ())
    })?;
    let state = if input.active { "active" } else { "inactive" };
    let event = actor
        .event(actions::COMMITTEE_SAVED, "committee", id.to_string())
        .summary(format!("site {}, {members} members, {state}", input.site));
    audit::append(&mut tx, &store.keys, &event).await?;
    tx.commit().await?;
    committee(store, access, id).await
}

/// One committee the caller may see (else not found).
pub async fn committee(store: &Store, access: &Access, id: Uuid) -> Result<Committee, StoreError> {
    let mut args = vec![Arg::Id(id)];
    let scope = by_path(access, "committees", &mut args);
    let sql = format!("SELECT * FROM committees WHERE id = $1 AND {scope}");
    let row: Option<CommitteeRow> = on_pool!(&store.pool, p => {
        bind_scope_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), &args).fetch_optional(p).await
    })?;
    row.ok_or(StoreError::NotFound)?.into_committee()
}

/// The committees the caller may see, by site, active first.
pub async fn committees(store: &Store, access: &Access) -> Result<Vec<Committee>, StoreError> {
    let mut args = Vec::new();
    let scope = by_path(access, "committees", &mut args);
    let sql = format!("SELECT * FROM committees WHERE {scope} ORDER BY pcode, active DESC, created_at");
    let rows: Vec<CommitteeRow> = on_pool!(&store.pool, p => {
        bind_scope_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), &args).fetch_all(p).await
    })?;
    rows.into_iter().map(CommitteeRow::into_committee).collect()
}

/// A row of `consultations` as stored (also what a database copy moves).
#[derive(sqlx::FromRow)]
pub(crate) struct ConsultationRow {
    pub(crate) id: Uuid,
    pub(crate) pcode: String,
    pub(crate) path: String,
    pub(crate) agency_id: Option<Uuid>,
    pub(crate) project_id: Option<Uuid>,
    pub(crate) held_on: String,
    pub(crate) participants: String,
    pub(crate) participant_count: i64,
    pub(crate) with_disability: i64,
    pub(crate) topics: String,
    pub(crate) concerns: Option<String>,
    pub(crate) decisions: Option<String>,
    pub(crate) changes: Option<String>,
    pub(crate) created_by: Uuid,
    pub(crate) created_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consultation {
    pub id: Uuid,
    pub pcode: String,
    pub project_id: Option<Uuid>,
    pub held_on: Date,
    pub participants: Vec<PeopleCell>,
    pub topics: String,
    pub concerns: Option<String>,
    pub decisions: Option<String>,
    pub changes: Option<String>,
}

/// Record a consultation held at a site whose `path` the caller looked up.
pub async fn record_consultation(
    store: &Store,
    actor: &Actor,
    input: &ConsultationInput,
    path: &str,
    agency: Option<Uuid>,
) -> Result<Uuid, StoreError> {
    let creator = actor.id.ok_or_else(|| StoreError::Invalid("consultations are recorded by a user".into()))?;
    let (people, _, disabled) = totals(&input.participants);
    let id = Uuid::now_v7();
    let mut tx = store.pool.begin().await?;
    on_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO consultations (id, pcode, path, agency_id, project_id, held_on, participants, participant_count,
                with_disability, topics, concerns, decisions, changes, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(id).bind(&input.site).bind(path).bind(agency).bind(input.project_id).bind(iso(Some(input.held_on)))
        .bind(json(&input.participants)?).bind(i64::from(people)).bind(i64::from(disabled)).bind(&input.topics)
        .bind(&input.concerns).bind(&input.decisions).bind(&input.changes).bind(creator).bind(now_utc())
        .execute(c).await.map(|_| ())
    })?;
    let event = actor
        .event(actions::CONSULTATION_RECORDED, "consultation", id.to_string())
        .summary(format!("site {} on {}, {people} participants", input.site, input.held_on));
    audit::append(&mut tx, &store.keys, &event).await?;
    tx.commit().await?;
    Ok(id)
}

/// The consultations the caller may see, latest first.
pub async fn consultations(store: &Store, access: &Access) -> Result<Vec<Consultation>, StoreError> {
    let mut args = Vec::new();
    let scope = by_path(access, "consultations", &mut args);
    let sql = format!("SELECT * FROM consultations WHERE {scope} ORDER BY held_on DESC, created_at DESC");
    let rows: Vec<ConsultationRow> = on_pool!(&store.pool, p => {
        bind_scope_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), &args).fetch_all(p).await
    })?;
    rows.into_iter()
        .map(|r| {
            Ok(Consultation {
                id: r.id,
                pcode: r.pcode,
                project_id: r.project_id,
                held_on: parse_date(Some(r.held_on))?.ok_or_else(|| corrupt("date"))?,
                participants: serde_json::from_str(&r.participants).map_err(|_| corrupt("participants"))?,
                topics: r.topics,
                concerns: r.concerns,
                decisions: r.decisions,
                changes: r.changes,
            })
        })
        .collect()
}

/// Who sits on active committees, summed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Composition {
    pub members: i64,
    /// Female members aged 18 and over.
    pub women: i64,
    /// Members from at least one at-risk group.
    pub at_risk_members: i64,
    pub with_disability: i64,
}

/// For the indicators "% of committee members who are women" and "... from at-risk groups":
/// the members of the active committees at the sites `pcodes` (deduplicated), and only of
/// `project`'s committees when given. Not scoped: the caller has read the project.
pub async fn committee_composition(
    store: &Store,
    pcodes: &[String],
    project: Option<Uuid>,
) -> Result<Composition, StoreError> {
    let mut sites: Vec<&String> = pcodes.iter().collect();
    sites.sort();
    sites.dedup();
    let mut out = Composition::default();
    for pcode in sites {
        let rows: Vec<(Option<Uuid>, i64, i64, i64, i64)> = on_pool!(&store.pool, p => {
            sqlx::query_as(
                "SELECT project_id, members, women, at_risk_members, with_disability FROM committees
                 WHERE pcode = $1 AND active = TRUE",
            )
            .bind(pcode).fetch_all(p).await
        })?;
        for (of_project, members, women, at_risk, disabled) in rows {
            if project.is_some() && of_project != project {
                continue;
            }
            out.members += members;
            out.women += women;
            out.at_risk_members += at_risk;
            out.with_disability += disabled;
        }
    }
    Ok(out)
}
