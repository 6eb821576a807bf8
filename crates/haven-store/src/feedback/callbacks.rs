//! Call-backs promised to people: scheduled on an item for an agent, listed as a queue of
//! what is due, and closed with an outcome. Scheduling and each outcome are steps in the
//! item's history. The queue shows how to reach each person, so reading it is audited.

use haven_core::audit::actions;
use haven_core::authz::Access;
use haven_core::feedback::{CALLBACK_SCHEDULED, CallbackOutcome, Seal};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Arg, Contact, FeedbackRow, open_under_field_key, visibility};
use crate::identity::Actor;
use crate::sealing::OfficeKey;
use crate::{Store, StoreError, Tx, audit, now_utc};

#[derive(Debug, thiserror::Error)]
pub enum CallbackError {
    #[error("the person gave no contact details, or they were erased")]
    NoContact,
    #[error("this call-back already has an outcome")]
    AlreadyDone,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for CallbackError {
    fn from(e: sqlx::Error) -> Self {
        CallbackError::Store(StoreError::Database(e))
    }
}

/// One call-back of an item.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CallbackRow {
    pub id: Uuid,
    pub feedback_id: Uuid,
    pub due_at: OffsetDateTime,
    pub assigned_to: Uuid,
    pub assignee: String,
    pub done_at: Option<OffsetDateTime>,
    pub outcome: Option<String>,
}

impl CallbackRow {
    pub fn outcome(&self) -> Option<CallbackOutcome> {
        self.outcome.as_deref().and_then(CallbackOutcome::from_code)
    }
}

const COLUMNS: &str = "c.id, c.feedback_id, c.due_at, c.assigned_to,
    (SELECT username FROM users u WHERE u.id = c.assigned_to) AS assignee, c.done_at, c.outcome";

/// A step in the item's history that leaves its status as it is.
async fn history_step(
    tx: &mut Tx<'_>,
    actor: &Actor,
    item: Uuid,
    step: &str,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    on_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO feedback_events (id, feedback_id, at, actor_id, actor, step, status_after)
             VALUES ($1, $2, $3, $4, $5, $6, (SELECT status FROM feedback WHERE id = $2))",
        )
        .bind(Uuid::now_v7()).bind(item).bind(now).bind(actor.id).bind(&actor.name).bind(step)
        .execute(c).await.map(|_| ())
    })?;
    Ok(())
}

/// Schedule a call-back on an item the caller was shown, for `assignee`, due at `due_at`.
/// Only a person who gave contact details (with consent) can be called back.
pub async fn schedule(
    store: &Store,
    actor: &Actor,
    item: &FeedbackRow,
    due_at: OffsetDateTime,
    assignee: Uuid,
) -> Result<Uuid, CallbackError> {
    if !item.has_contact || !item.consent_to_contact || item.contact_erased_at.is_some() {
        return Err(CallbackError::NoContact);
    }
    let id = Uuid::now_v7();
    let now = now_utc();
    let mut tx = store.pool.begin().await?;
    on_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO feedback_callbacks (id, feedback_id, due_at, assigned_to, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id).bind(item.id).bind(due_at).bind(assignee).bind(actor.id).bind(now)
        .execute(c).await.map(|_| ())
    })?;
    history_step(&mut tx, actor, item.id, CALLBACK_SCHEDULED, now).await?;
    audit::append(&mut tx, &store.keys, &actor.event(actions::CALLBACK_SCHEDULED, "feedback", item.id.to_string()))
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// The item a call-back belongs to (so the caller can check they may see it).
pub async fn item_of(store: &Store, callback: Uuid) -> Result<Uuid, StoreError> {
    let row: Option<(Uuid,)> = on_pool!(&store.pool, p => {
        sqlx::query_as("SELECT feedback_id FROM feedback_callbacks WHERE id = $1").bind(callback).fetch_optional(p).await
    })?;
    row.map(|(id,)| id).ok_or(StoreError::NotFound)
}

/// Record how a call-back went; it leaves the queue and the outcome joins the history.
pub async fn record_outcome(
    store: &Store,
    actor: &Actor,
    callback: Uuid,
    outcome: CallbackOutcome,
) -> Result<(), CallbackError> {
    let item = item_of(store, callback).await?;
    let now = now_utc();
    let mut tx = store.pool.begin().await?;
    let n = on_tx!(&mut tx, c => {
        sqlx::query("UPDATE feedback_callbacks SET done_at = $1, outcome = $2, done_by = $3 WHERE id = $4 AND done_at IS NULL")
            .bind(now).bind(outcome.code()).bind(actor.id).bind(callback).execute(c).await.map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Err(CallbackError::AlreadyDone);
    }
    history_step(&mut tx, actor, item, &outcome.step(), now).await?;
    let event = actor.event(actions::CALLBACK_DONE, "feedback", item.to_string()).summary(outcome.code().to_owned());
    audit::append(&mut tx, &store.keys, &event).await?;
    tx.commit().await?;
    Ok(())
}

/// The call-backs of one item, the next due first, then those done.
pub async fn of_item(store: &Store, item: Uuid) -> Result<Vec<CallbackRow>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM feedback_callbacks c WHERE c.feedback_id = $1
         ORDER BY CASE WHEN c.done_at IS NULL THEN 0 ELSE 1 END, c.due_at, c.id"
    );
    Ok(on_pool!(&store.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(item).fetch_all(p).await)?)
}

/// A pending call-back with what the agent needs to make it.
#[derive(Clone)]
pub struct QueueEntry {
    pub callback: CallbackRow,
    pub reference: String,
    pub seal: Seal,
    pub status: String,
    /// `None` when the caller may not see contacts, or the item is sealed and the office key
    /// is absent.
    pub contact: Option<QueueContact>,
}

#[derive(Clone, Default)]
pub struct QueueContact {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub safe_contact: Option<String>,
}

impl std::fmt::Debug for QueueEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueueEntry").field("callback", &self.callback).finish_non_exhaustive()
    }
}

type QueueRow = (CallbackRow, String, String, String, Option<Vec<u8>>, Option<Vec<u8>>);

/// Pending call-backs of items the caller may see (sealed ones for PSEA focal points only),
/// the earliest due first; only `assignee`'s when given. Contacts are opened when
/// `show_contact` (and, for sealed items, with the office key), and the reading is audited.
pub async fn queue(
    store: &Store,
    access: &Access,
    actor: &Actor,
    see_sealed: bool,
    show_contact: bool,
    office_key: Option<&OfficeKey>,
    assignee: Option<Uuid>,
) -> Result<Vec<QueueEntry>, StoreError> {
    let mut args = Vec::new();
    let visible = visibility(access, see_sealed, &mut args);
    let mine = match assignee {
        Some(a) => {
            args.push(Arg::Id(a));
            format!(" AND c.assigned_to = ${}", args.len())
        }
        None => String::new(),
    };
    let sql = format!(
        "SELECT {COLUMNS}, f.reference, f.seal, f.status, f.contact_enc, f.sealed_contact
         FROM feedback_callbacks c JOIN feedback f ON f.id = c.feedback_id
         WHERE c.done_at IS NULL AND f.contact_erased_at IS NULL
            AND c.feedback_id IN (SELECT id FROM feedback WHERE {visible}){mine}
         ORDER BY c.due_at, c.id LIMIT 500"
    );
    let rows: Vec<QueueRow> = on_pool!(&store.pool, p => {
        bind_args!(sqlx::query(sqlx::AssertSqlSafe(sql)), &args).fetch_all(p).await.and_then(|rows| {
            use sqlx::{FromRow, Row};
            rows.iter()
                .map(|r| Ok((CallbackRow::from_row(r)?, r.try_get("reference")?, r.try_get("seal")?, r.try_get("status")?,
                    r.try_get("contact_enc")?, r.try_get("sealed_contact")?)))
                .collect()
        })
    })?;
    let mut out = Vec::with_capacity(rows.len());
    for (callback, reference, seal, status, contact_enc, sealed_contact) in rows {
        let seal = Seal::from_code(&seal).unwrap_or(Seal::Sealed);
        let contact = match (show_contact, seal.is_sealed(), office_key) {
            (false, _, _) | (true, true, None) => None,
            (true, false, _) => {
                let (_, c): (_, Contact) =
                    open_under_field_key(store, &callback.feedback_id.to_string(), None, contact_enc)?;
                Some(QueueContact { name: c.name, phone: c.phone, safe_contact: c.safe_contact })
            }
            (true, true, Some(key)) => match sealed_contact {
                Some(s) => {
                    let c = key.open(callback.feedback_id, &s)?;
                    Some(QueueContact { name: c.contact_name, phone: c.contact_phone, safe_contact: c.safe_contact })
                }
                None => Some(QueueContact::default()),
            },
        };
        out.push(QueueEntry { callback, reference, seal, status, contact });
    }
    let opened = out.iter().filter(|e| e.contact.is_some()).count();
    let event = actor.event(actions::CALLBACKS_LISTED, "feedback", "callbacks");
    audit::record(
        &store.pool,
        &store.keys,
        &event.summary(format!("{} call-backs, {opened} contacts shown", out.len())),
    )
    .await?;
    Ok(out)
}
