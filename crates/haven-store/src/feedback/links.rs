//! Links of items to a project, a sector of assistance and a protection principle: checked
//! against the catalog and the project register, changed at triage (the sector's running
//! totals moved in the same transaction), and the figures of the items linked to a project.
//!
//! A sealed item's links live inside its sealed content, never in the clear columns: with
//! the place and the date, "an allegation about project X" can point at the few people who
//! work on it. So sealed items are never counted against a project or a sector.

use haven_core::audit::actions;
use haven_core::feedback::{FieldProblem, Links, LoopClosing, Satisfaction, Status};
use time::OffsetDateTime;
use uuid::Uuid;

use super::rollups::{self, Service};
use crate::identity::Actor;
use crate::sealing::OfficeKey;
use crate::{Store, StoreError, audit, now_utc};

/// The links in `links` that the catalog or the project register does not know, as field
/// problems (`unknown-project`, `unknown-code`).
pub async fn unknown_links(store: &Store, links: &Links) -> Result<Vec<FieldProblem>, StoreError> {
    let mut problems = Vec::new();
    if let Some(project) = links.project_id
        && project_code(store, project).await?.is_none()
    {
        problems.push(FieldProblem { field: "project_id", code: "unknown-project" });
    }
    for (field, kind, code) in [("sector", "sectors", &links.sector), ("principle", "principles", &links.principle)] {
        let Some(code) = code else { continue };
        if crate::catalog::extra_of(store, kind, code).await?.is_none() {
            problems.push(FieldProblem { field, code: "unknown-code" });
        }
    }
    Ok(problems)
}

/// A project's code and title, if the project exists.
pub async fn project_code(store: &Store, id: Uuid) -> Result<Option<(String, String)>, StoreError> {
    Ok(on_pool!(&store.pool, p => {
        sqlx::query_as("SELECT code, title FROM projects WHERE id = $1").bind(id).fetch_optional(p).await
    })?)
}

/// A project's id from its code (what people type on the pages).
pub async fn project_by_code(store: &Store, code: &str) -> Result<Option<Uuid>, StoreError> {
    let row: Option<(Uuid,)> = on_pool!(&store.pool, p => {
        sqlx::query_as("SELECT id FROM projects WHERE code = $1").bind(code.trim()).fetch_optional(p).await
    })?;
    Ok(row.map(|(id,)| id))
}

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("a sealed item's links are sealed: changing them needs the PSEA office key")]
    NoOfficeKey,
    #[error("the item changed meanwhile; reload it")]
    Changed,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for LinkError {
    fn from(e: sqlx::Error) -> Self {
        LinkError::Store(StoreError::Database(e))
    }
}

type LinkRow = (String, Option<Uuid>, Option<String>, Option<String>, Option<Vec<u8>>);

/// Replace an item's links (checked beforehand with [`unknown_links`]). An unsealed item's
/// sector count moves in the same transaction; a sealed item's links are sealed again with
/// its narrative, which needs the office key. The history gets a `links` event and the audit
/// log an entry naming which links changed (not their values, which may be sealed).
pub async fn set_links(
    store: &Store,
    actor: &Actor,
    office_key: Option<&OfficeKey>,
    id: Uuid,
    links: &Links,
) -> Result<(), LinkError> {
    let row: Option<LinkRow> = on_pool!(&store.pool, p => {
        sqlx::query_as("SELECT seal, project_id, sector, principle, sealed_content FROM feedback WHERE id = $1")
            .bind(id).fetch_optional(p).await
    })?;
    let (seal, project_id, sector, principle, sealed_content) = row.ok_or(StoreError::NotFound)?;
    // A sealed item: its content opened, its links replaced and sealed again before the
    // transaction starts (the old bytes guard against a change meanwhile).
    let resealed = match sealed_content.filter(|_| seal != "open") {
        Some(sealed) => {
            let mut content = office_key.ok_or(LinkError::NoOfficeKey)?.open(id, &sealed)?;
            let changed = changed_links(&content.links, links);
            content.links = links.clone();
            let recipient = crate::sealing::recipient(store).await?.ok_or(LinkError::NoOfficeKey)?;
            Some((sealed, recipient.seal(id, &content)?, changed))
        }
        None => None,
    };
    let now = now_utc();
    let mut tx = store.pool.begin().await?;
    let (changed, updated) = match resealed {
        Some((old, new, changed)) => {
            let updated = on_tx!(&mut tx, c => {
                sqlx::query("UPDATE feedback SET sealed_content = $1, updated_at = $2 WHERE id = $3 AND sealed_content = $4")
                    .bind(&new).bind(now).bind(id).bind(&old).execute(c).await.map(|r| r.rows_affected())
            })?;
            (changed, updated)
        }
        None => {
            let before = Links { project_id, sector: sector.clone(), principle };
            let updated = on_tx!(&mut tx, c => {
                sqlx::query(
                    "UPDATE feedback SET project_id = $1, sector = $2, principle = $3, updated_at = $4
                     WHERE id = $5 AND seal = 'open' AND COALESCE(sector, '') = $6",
                )
                .bind(links.project_id).bind(links.sector.as_deref()).bind(links.principle.as_deref()).bind(now)
                .bind(id).bind(sector.as_deref().unwrap_or(""))
                .execute(c).await.map(|r| r.rows_affected())
            })?;
            if updated > 0 {
                let (from, to) = (sector.as_deref().unwrap_or(""), links.sector.as_deref().unwrap_or(""));
                rollups::move_sector(&mut tx, id, from, to).await?;
            }
            (changed_links(&before, links), updated)
        }
    };
    if updated == 0 {
        return Err(LinkError::Changed);
    }
    if changed.is_empty() {
        return Ok(());
    }
    let status: (String,) = on_tx!(&mut tx, c => {
        sqlx::query_as("SELECT status FROM feedback WHERE id = $1").bind(id).fetch_one(&mut *c).await
    })?;
    on_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO feedback_events (id, feedback_id, at, actor_id, actor, step, status_after)
             VALUES ($1, $2, $3, $4, $5, 'links', $6)",
        )
        .bind(Uuid::now_v7()).bind(id).bind(now).bind(actor.id).bind(&actor.name).bind(&status.0)
        .execute(c).await.map(|r| r.rows_affected())
    })?;
    let event = actor.event(actions::FEEDBACK_LINKED, "feedback", id.to_string());
    audit::append(&mut tx, &store.keys, &event.summary(format!("changed: {}", changed.join(", ")))).await?;
    tx.commit().await?;
    Ok(())
}

/// Which links differ between `before` and `after`, by field name.
fn changed_links(before: &Links, after: &Links) -> Vec<&'static str> {
    let mut changed = Vec::new();
    if before.project_id != after.project_id {
        changed.push("project_id");
    }
    if before.sector != after.sector {
        changed.push("sector");
    }
    if before.principle != after.principle {
        changed.push("principle");
    }
    changed
}

type FiguresRow = (
    OffsetDateTime,
    OffsetDateTime,
    Option<OffsetDateTime>,
    OffsetDateTime,
    Option<OffsetDateTime>,
    String,
    Option<String>,
    Option<String>,
);

/// The feedback items linked to `project` and received from `from` (included) to `to`
/// (excluded): how many came in and how they were handled, the same service figures the
/// dashboards give for a period (closed with the loop closed: any way but "not possible").
/// Sealed items are not counted: their links are sealed.
pub async fn linked_to_project(
    store: &Store,
    project: Uuid,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> Result<Service, StoreError> {
    let rows: Vec<FiguresRow> = on_pool!(&store.pool, p => {
        sqlx::query_as(
            "SELECT received_at, acknowledge_by, acknowledged_at, respond_by, responded_at, status, loop_closing,
                satisfaction
             FROM feedback WHERE project_id = $1 AND received_at >= $2 AND received_at < $3 AND seal = 'open'",
        )
        .bind(project).bind(from).bind(to).fetch_all(p).await
    })?;
    let mut f = Service { received: rows.len() as i64, ..Default::default() };
    let mut hours = Vec::new();
    for (received_at, acknowledge_by, acknowledged_at, respond_by, responded_at, status, loop_closing, satisfaction) in
        rows
    {
        if let Some(at) = acknowledged_at {
            f.acknowledged += 1;
            f.acknowledged_in_time += i64::from(at <= acknowledge_by);
        }
        if let Some(at) = responded_at {
            f.responded += 1;
            f.responded_in_time += i64::from(at <= respond_by);
            hours.push((at - received_at).whole_hours().max(0));
        }
        if status == Status::Closed.code() {
            f.closed += 1;
            f.closed_with_loop += i64::from(loop_closing.is_some_and(|l| l != LoopClosing::NotPossible.code()));
            f.satisfied += i64::from(satisfaction.as_deref() == Some(Satisfaction::Satisfied.code()));
        }
    }
    // The lower median, as the dashboards take it from their hour counts.
    hours.sort_unstable();
    f.median_response_hours = (!hours.is_empty()).then(|| hours[(hours.len() - 1) / 2]);
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_links_name_the_fields() {
        let before = Links { sector: Some("health-support".into()), ..Default::default() };
        let after = Links { project_id: Some(Uuid::nil()), sector: Some("health-support".into()), principle: None };
        assert_eq!(changed_links(&before, &after), vec!["project_id"]);
        assert!(changed_links(&after, &after).is_empty());
    }
}
