//! What leaves Haven about items: escalation of missed deadlines (once per deadline, with its
//! event and audit entry), the escalation targets of each organisation, replies to the person
//! queued for a messaging gateway, and PSEA focal points stood down from a sealed report.

use haven_core::audit::actions;
use haven_core::feedback::{Channel, Deadline, DeadlineState, MessageStatus, Seal, Status, missed};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::crypto::FieldPlace;
use crate::identity::Actor;
use crate::{Store, StoreError, Tx, audit, now_utc};

// ---------- escalation ----------

/// A deadline an open item has missed and that has not been escalated yet.
#[derive(Debug, Clone)]
pub struct Overdue {
    pub id: Uuid,
    pub deadline: Deadline,
    pub due_at: OffsetDateTime,
    pub sealed: bool,
    pub agency_id: Option<Uuid>,
    pub assigned_to: Option<Uuid>,
}

/// An open item's deadlines, and whether each was escalated already (one query, no per-item
/// look-ups).
#[derive(sqlx::FromRow)]
struct DeadlineRow {
    id: Uuid,
    status: String,
    seal: String,
    agency_id: Option<Uuid>,
    assigned_to: Option<Uuid>,
    acknowledge_by: OffsetDateTime,
    acknowledged_at: Option<OffsetDateTime>,
    respond_by: OffsetDateTime,
    responded_at: Option<OffsetDateTime>,
    refer_by: Option<OffsetDateTime>,
    referred_at: Option<OffsetDateTime>,
    acknowledge_escalated: bool,
    respond_escalated: bool,
    refer_escalated: bool,
}

/// Up to `limit` missed deadlines not yet escalated, oldest items first.
pub async fn overdue(store: &Store, now: OffsetDateTime, limit: i64) -> Result<Vec<Overdue>, StoreError> {
    let rows: Vec<DeadlineRow> = on_pool!(&store.pool, p => {
        sqlx::query_as(
            "SELECT * FROM (SELECT f.id, f.status, f.seal, f.agency_id, f.assigned_to, f.acknowledge_by,
                f.acknowledged_at, f.respond_by, f.responded_at, f.refer_by, f.referred_at, f.received_at,
                EXISTS (SELECT 1 FROM feedback_escalations e WHERE e.feedback_id = f.id AND e.deadline = 'acknowledge'
                    AND e.due_at = f.acknowledge_by) AS acknowledge_escalated,
                EXISTS (SELECT 1 FROM feedback_escalations e WHERE e.feedback_id = f.id AND e.deadline = 'respond'
                    AND e.due_at = f.respond_by) AS respond_escalated,
                EXISTS (SELECT 1 FROM feedback_escalations e WHERE e.feedback_id = f.id AND e.deadline = 'refer'
                    AND e.due_at = f.refer_by) AS refer_escalated
             FROM feedback f WHERE f.status <> 'closed') x
             WHERE (acknowledged_at IS NULL AND acknowledge_by < $1 AND NOT acknowledge_escalated)
                OR (responded_at IS NULL AND respond_by < $1 AND NOT respond_escalated)
                OR (referred_at IS NULL AND refer_by < $1 AND NOT refer_escalated)
             ORDER BY received_at LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(p)
        .await
    })?;
    let mut out = Vec::new();
    for r in rows {
        let state = DeadlineState {
            status: Status::from_code(&r.status).unwrap_or(Status::Received),
            acknowledge_by: r.acknowledge_by,
            acknowledged_at: r.acknowledged_at,
            respond_by: r.respond_by,
            responded_at: r.responded_at,
            refer_by: r.refer_by,
            referred_at: r.referred_at,
        };
        let sealed = Seal::from_code(&r.seal).is_none_or(Seal::is_sealed);
        for (deadline, due_at) in missed(&state, now) {
            let escalated = match deadline {
                Deadline::Acknowledge => r.acknowledge_escalated,
                Deadline::Respond => r.respond_escalated,
                Deadline::Refer => r.refer_escalated,
            };
            if !escalated {
                out.push(Overdue {
                    id: r.id,
                    deadline,
                    due_at,
                    sealed,
                    agency_id: r.agency_id,
                    assigned_to: r.assigned_to,
                });
            }
        }
    }
    Ok(out)
}

/// Record the escalation of a missed deadline: its row, an event in the item's history and
/// an audit entry, in one transaction. Returns false when another sweep got there first.
pub async fn record_escalation(store: &Store, item: &Overdue, now: OffsetDateTime) -> Result<bool, StoreError> {
    let mut tx = store.pool.begin().await?;
    let inserted = on_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO feedback_escalations (feedback_id, deadline, due_at, escalated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING",
        )
        .bind(item.id).bind(item.deadline.code()).bind(item.due_at).bind(now)
        .execute(c).await.map(|r| r.rows_affected())
    })?;
    if inserted == 0 {
        return Ok(false);
    }
    on_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO feedback_events (id, feedback_id, at, actor, step, status_after, deadline)
             SELECT $1, id, $2, 'system', 'escalate', status, $3 FROM feedback WHERE id = $4",
        )
        .bind(Uuid::now_v7()).bind(now).bind(item.deadline.code()).bind(item.id)
        .execute(c).await.map(|r| r.rows_affected())
    })?;
    let event = Actor::system("escalation")
        .event(actions::FEEDBACK_ESCALATED, "feedback", item.id.to_string())
        .summary(format!("{} overdue since {}", item.deadline.code(), item.due_at));
    audit::append(&mut tx, &store.keys, &event).await?;
    tx.commit().await?;
    Ok(true)
}

/// Someone who hears of overdue items of an organisation (or of all, `agency` absent).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Target {
    pub id: Uuid,
    pub agency_id: Option<Uuid>,
    pub agency: Option<String>,
    pub user_id: Uuid,
    pub username: String,
}

pub async fn targets(store: &Store) -> Result<Vec<Target>, StoreError> {
    Ok(on_pool!(&store.pool, p => {
        sqlx::query_as(
            "SELECT t.id, t.agency_id, a.name AS agency, t.user_id, u.username FROM escalation_targets t
             JOIN users u ON u.id = t.user_id LEFT JOIN agencies a ON a.id = t.agency_id
             ORDER BY a.name, u.username",
        )
        .fetch_all(p)
        .await
    })?)
}

/// Who hears of an overdue item of `agency`: its own targets, or the general ones when it
/// has none. Disabled accounts are left out.
pub async fn targets_for(store: &Store, agency: Option<Uuid>) -> Result<Vec<Uuid>, StoreError> {
    let select = |agency: Option<Uuid>| async move {
        let rows: Vec<(Uuid,)> = on_pool!(&store.pool, p => {
            sqlx::query_as(
                "SELECT t.user_id FROM escalation_targets t JOIN users u ON u.id = t.user_id
                 WHERE u.disabled = $1 AND ((t.agency_id IS NULL AND $2 IS NULL) OR t.agency_id = $2)",
            )
            .bind(false)
            .bind(agency)
            .fetch_all(p)
            .await
        })?;
        Ok::<_, StoreError>(rows.into_iter().map(|(u,)| u).collect::<Vec<_>>())
    };
    let own = match agency {
        Some(a) => select(Some(a)).await?,
        None => Vec::new(),
    };
    if own.is_empty() { select(None).await } else { Ok(own) }
}

pub async fn add_target(store: &Store, actor: &Actor, agency: Option<Uuid>, user: Uuid) -> Result<(), StoreError> {
    let mut tx = store.pool.begin().await?;
    let inserted = on_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO escalation_targets (id, agency_id, user_id, created_at)
             SELECT $1, $2, $3, $4 WHERE NOT EXISTS (SELECT 1 FROM escalation_targets
                WHERE user_id = $3 AND ((agency_id IS NULL AND $2 IS NULL) OR agency_id = $2))",
        )
        .bind(Uuid::now_v7()).bind(agency).bind(user).bind(now_utc())
        .execute(c).await.map(|r| r.rows_affected())
    })?;
    if inserted == 0 {
        return Err(StoreError::Conflict("escalation target".into()));
    }
    let summary = format!("agency {}", agency.map_or_else(|| "any".to_owned(), |a| a.to_string()));
    audit::append(
        &mut tx,
        &store.keys,
        &actor.event(actions::ESCALATION_TARGET_ADDED, "user", user.to_string()).summary(summary),
    )
    .await?;
    tx.commit().await
}

pub async fn remove_target(store: &Store, actor: &Actor, id: Uuid) -> Result<(), StoreError> {
    let mut tx = store.pool.begin().await?;
    let gone = on_tx!(&mut tx, c => {
        sqlx::query("DELETE FROM escalation_targets WHERE id = $1").bind(id).execute(c).await.map(|r| r.rows_affected())
    })?;
    if gone == 0 {
        return Err(StoreError::NotFound);
    }
    audit::append(&mut tx, &store.keys, &actor.event(actions::ESCALATION_TARGET_REMOVED, "escalation", id.to_string()))
        .await?;
    tx.commit().await
}

// ---------- replies to the person ----------

/// A reply to send to the person: on which channel, to which number, saying what.
#[derive(Clone)]
pub struct Reply {
    pub channel: Channel,
    pub to: String,
    pub text: String,
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reply").field("channel", &self.channel).finish_non_exhaustive()
    }
}

fn outbox_place<'a>(column: &'a str, row: &'a str) -> FieldPlace<'a> {
    FieldPlace { table: "feedback_outbox", column, row }
}

/// Queue a reply inside the transaction of the step that answers the item.
pub(crate) async fn queue_reply(
    tx: &mut Tx<'_>,
    store: &Store,
    item: Uuid,
    reply: &Reply,
    by: Option<Uuid>,
    now: OffsetDateTime,
) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    let row = id.to_string();
    let to = store.keys.encrypt_str(outbox_place("recipient_enc", &row), &reply.to);
    let body = store.keys.encrypt_str(outbox_place("body_enc", &row), &reply.text);
    on_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO feedback_outbox (id, feedback_id, channel, recipient_enc, body_enc, status, next_attempt_at,
                created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, 'queued', $6, $7, $6, $6)",
        )
        .bind(id).bind(item).bind(reply.channel.code()).bind(&to).bind(&body).bind(now).bind(by)
        .execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(id)
}

/// A reply taken by a sender.
pub struct PendingReply {
    pub id: Uuid,
    pub feedback_id: Uuid,
    pub channel: Channel,
    pub reply: Reply,
    pub attempts: i64,
}

type PendingRow = (Uuid, Uuid, String, Vec<u8>, Vec<u8>, i64);

/// Take up to `limit` replies on `channels` that are due, so that no other sender sends them
/// meanwhile (one statement for the pass). Replies on other channels wait for their gateway.
pub async fn take_due_replies(
    store: &Store,
    now: OffsetDateTime,
    limit: i64,
    channels: &[Channel],
) -> Result<Vec<PendingReply>, StoreError> {
    if channels.is_empty() {
        return Ok(Vec::new());
    }
    let listed: Vec<String> = (0..channels.len()).map(|i| format!("${}", i + 4)).collect();
    let filter = format!("AND recipient_enc IS NOT NULL AND channel IN ({})", listed.join(", "));
    let returning = "id, feedback_id, channel, recipient_enc, body_enc, attempts";
    let sql = crate::notifications::claim_due_sql(store.pool.engine(), "feedback_outbox", &filter, returning);
    let mut tx = store.pool.begin().await?;
    let taken: Vec<PendingRow> = on_tx!(&mut tx, c => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(crate::notifications::lease_until(now)).bind(now).bind(limit);
        for channel in channels {
            q = q.bind(channel.code());
        }
        q.fetch_all(&mut *c).await
    })?;
    tx.commit().await?;
    let mut out = Vec::with_capacity(taken.len());
    for (id, feedback_id, channel, to, body, attempts) in taken {
        let Some(channel) = Channel::from_code(&channel) else { continue };
        let row = id.to_string();
        let reply = Reply {
            channel,
            to: store.keys.decrypt_str(outbox_place("recipient_enc", &row), &to)?,
            text: store.keys.decrypt_str(outbox_place("body_enc", &row), &body)?,
        };
        out.push(PendingReply { id, feedback_id, channel, reply, attempts });
    }
    Ok(out)
}

/// Why a reply that was waiting is not sent: its item's contact details were erased.
pub const CONTACT_ERASED: &str = "contact-erased";

/// Give up the replies of `item` that have not gone out, wiping their number and text,
/// inside the transaction that erases the item's contact details. Returns how many.
pub(crate) async fn cancel_replies(tx: &mut Tx<'_>, item: Uuid, now: OffsetDateTime) -> Result<u64, StoreError> {
    Ok(on_tx!(tx, c => {
        sqlx::query(
            "UPDATE feedback_outbox SET status = $1, last_error = $2, recipient_enc = NULL, body_enc = NULL,
                updated_at = $3
             WHERE feedback_id = $4 AND status IN ('queued', 'sending')",
        )
        .bind(MessageStatus::Failed.code()).bind(CONTACT_ERASED).bind(now).bind(item)
        .execute(c).await.map(|r| r.rows_affected())
    })?)
}

/// How a try went.
#[derive(Debug, Clone)]
pub enum SendOutcome {
    /// The gateway took it, under its own id.
    Sent { provider_id: Option<String> },
    /// Try again at `at`.
    Retry { error: String, at: OffsetDateTime },
    /// Refused for good, or out of tries.
    Failed { error: String },
}

/// Record how a try went. Once the gateway has the message or it has failed for good, the
/// number and the text are wiped: Haven keeps only that a reply went out and how it fared. A
/// retry is not recorded for a reply given up meanwhile (its item's contact was erased).
pub async fn reply_outcome(store: &Store, id: Uuid, outcome: &SendOutcome) -> Result<(), StoreError> {
    let now = now_utc();
    let (status, error, next, provider) = match outcome {
        SendOutcome::Sent { provider_id } => (MessageStatus::Sent, None, now, provider_id.as_deref()),
        SendOutcome::Retry { error, at } => (MessageStatus::Queued, Some(error.as_str()), *at, None),
        SendOutcome::Failed { error } => (MessageStatus::Failed, Some(error.as_str()), now, None),
    };
    let wipe = status != MessageStatus::Queued;
    on_pool!(&store.pool, p => {
        sqlx::query(
            "UPDATE feedback_outbox SET status = $1, last_error = $2, next_attempt_at = $3, provider_id = $4,
                updated_at = $5,
                recipient_enc = CASE WHEN $6 THEN NULL ELSE recipient_enc END,
                body_enc = CASE WHEN $6 THEN NULL ELSE body_enc END
             WHERE id = $7 AND ($6 OR recipient_enc IS NOT NULL)",
        )
        .bind(status.code()).bind(error).bind(next).bind(provider).bind(now).bind(wipe).bind(id)
        .execute(p).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// A gateway's delivery report for the message it knows as `provider_id`. Returns false for
/// a message Haven did not send; a report never moves a message back.
pub async fn delivery_report(store: &Store, provider_id: &str, status: MessageStatus) -> Result<bool, StoreError> {
    let current: Option<(String,)> = on_pool!(&store.pool, p => {
        sqlx::query_as("SELECT status FROM feedback_outbox WHERE provider_id = $1").bind(provider_id).fetch_optional(p).await
    })?;
    let Some((current,)) = current else { return Ok(false) };
    let current = MessageStatus::from_code(&current).unwrap_or(MessageStatus::Sent);
    if current.may_become(status) {
        on_pool!(&store.pool, p => {
            sqlx::query("UPDATE feedback_outbox SET status = $1, updated_at = $2 WHERE provider_id = $3")
                .bind(status.code()).bind(now_utc()).bind(provider_id)
                .execute(p).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(true)
}

/// A reply as the item page shows it: no number, no text.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReplyState {
    pub id: Uuid,
    pub channel: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

pub async fn replies_of(store: &Store, item: Uuid) -> Result<Vec<ReplyState>, StoreError> {
    Ok(on_pool!(&store.pool, p => {
        sqlx::query_as(
            "SELECT id, channel, status, attempts, last_error, created_at, updated_at FROM feedback_outbox
             WHERE feedback_id = $1 ORDER BY created_at",
        )
        .bind(item)
        .fetch_all(p)
        .await
    })?)
}

// ---------- focal points stood down ----------

/// Why a focal point does not see a sealed report.
pub const RECUSAL_NAMED: &str = "named-in-report";

/// Stand focal points down from a sealed report, with the reason (a code), audited.
pub async fn recuse(store: &Store, actor: &Actor, item: Uuid, users: &[Uuid], reason: &str) -> Result<(), StoreError> {
    if users.is_empty() {
        return Ok(());
    }
    let mut tx = store.pool.begin().await?;
    let events = recuse_in(&mut tx, actor, item, users, reason).await?;
    audit::append_all(&mut tx, &store.keys, &events).await?;
    tx.commit().await
}

/// Stand `users` down from `item` within `tx`; returns the audit entries to append.
pub(crate) async fn recuse_in(
    tx: &mut Tx<'_>,
    actor: &Actor,
    item: Uuid,
    users: &[Uuid],
    reason: &str,
) -> Result<Vec<haven_core::audit::AuditEvent>, StoreError> {
    let now = now_utc();
    let mut events = Vec::with_capacity(users.len());
    for user in users {
        on_tx!(&mut *tx, c => {
            sqlx::query(
                "INSERT INTO feedback_recusals (feedback_id, user_id, reason, created_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT DO NOTHING",
            )
            .bind(item).bind(user).bind(reason).bind(now)
            .execute(c).await.map(|r| r.rows_affected())
        })?;
        events.push(
            actor.event(actions::FEEDBACK_RECUSED, "feedback", item.to_string()).summary(format!("{reason}: {user}")),
        );
    }
    Ok(events)
}

/// The focal points stood down from `item`.
pub async fn recused(store: &Store, item: Uuid) -> Result<Vec<Uuid>, StoreError> {
    let rows: Vec<(Uuid,)> = on_pool!(&store.pool, p => {
        sqlx::query_as("SELECT user_id FROM feedback_recusals WHERE feedback_id = $1").bind(item).fetch_all(p).await
    })?;
    Ok(rows.into_iter().map(|(u,)| u).collect())
}
