//! Steps on an item (acknowledge, assign, refer, respond, close, reopen, note) and the PSEA
//! focal point's seal decisions, each with its event and audit entry in one transaction.

use haven_core::audit::actions;
use haven_core::feedback::{
    ClosureReason, Deadline, LoopClosing, ReferralKind, Satisfaction, Seal, SensitiveType, Status, Step, StepError,
    next_status,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::rollups::{self, ServiceDelta, ServiceKey};
use super::{Contact, TERM_PURPOSE, insert_terms, seal_under_field_key};
use crate::crypto::FieldPlace;
use crate::identity::Actor;
use crate::sealing::{OfficeKey, SealedContent};
use crate::{Store, StoreError, audit, now_utc};

/// What a step carries besides itself.
#[derive(Clone, Default)]
pub struct StepInput {
    pub note: Option<String>,
    pub assignee: Option<Uuid>,
    pub referred_to: Option<String>,
    /// refer: the directory service chosen (its label is `referred_to`).
    pub service_id: Option<Uuid>,
    /// The person's consent to be referred outside the organisation: to a partner, or (sealed
    /// items) to assistance services. Recorded on the referral's event.
    pub consent: bool,
    /// The answer to the person: on the public status page for an open item; kept sealed in
    /// the history for a sealed one, whose status page stays neutral.
    pub public_response: Option<String>,
    pub loop_closing: Option<LoopClosing>,
    pub satisfaction: Option<Satisfaction>,
    /// The answer to send to the person through a messaging gateway (respond steps).
    pub reply: Option<super::outbound::Reply>,
}

impl std::fmt::Debug for StepInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StepInput")
            .field("assignee", &self.assignee)
            .field("consent", &self.consent)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ActError {
    #[error(transparent)]
    Step(#[from] StepError),
    #[error("closing the loop needs how it was closed")]
    LoopClosingMissing,
    #[error("a sealed item's note needs the PSEA office key")]
    NoOfficeKey,
    #[error("the item changed meanwhile; reload it")]
    Changed,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for ActError {
    fn from(e: sqlx::Error) -> Self {
        ActError::Store(StoreError::Database(e))
    }
}

struct Current {
    status: Status,
    seal: Seal,
    received_at: OffsetDateTime,
    location_path: Option<String>,
    agency_id: Option<Uuid>,
    acknowledged_at: Option<OffsetDateTime>,
    responded_at: Option<OffsetDateTime>,
    acknowledge_by: OffsetDateTime,
    respond_by: OffsetDateTime,
    loop_closing: Option<String>,
    satisfaction: Option<String>,
    /// The groups its service figures also count under.
    sex: Option<String>,
    age_bracket: Option<String>,
    disability: Option<bool>,
}

type CurrentRow = (
    String,
    String,
    OffsetDateTime,
    Option<String>,
    Option<Uuid>,
    Option<OffsetDateTime>,
    Option<OffsetDateTime>,
    OffsetDateTime,
    OffsetDateTime,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<bool>,
);

async fn current(store: &Store, id: Uuid) -> Result<Current, StoreError> {
    let row: Option<CurrentRow> = on_pool!(&store.pool, p => {
        sqlx::query_as(
            "SELECT status, seal, received_at, location_path, agency_id, acknowledged_at, responded_at, acknowledge_by,
                respond_by, loop_closing, satisfaction, sex, age_bracket, disability FROM feedback WHERE id = $1",
        )
        .bind(id).fetch_optional(p).await
    })?;
    let r = row.ok_or(StoreError::NotFound)?;
    Ok(Current {
        status: Status::from_code(&r.0).unwrap_or(Status::Received),
        seal: Seal::from_code(&r.1).unwrap_or(Seal::Sealed),
        received_at: r.2,
        location_path: r.3,
        agency_id: r.4,
        acknowledged_at: r.5,
        responded_at: r.6,
        acknowledge_by: r.7,
        respond_by: r.8,
        loop_closing: r.9,
        satisfaction: r.10,
        sex: r.11,
        age_bracket: r.12,
        disability: r.13,
    })
}

/// How a step changes the service figures of the item's month and place.
fn service_delta(item: &Current, step: Step, next: Status, input: &StepInput, now: OffsetDateTime) -> ServiceDelta {
    let mut d = ServiceDelta::default();
    if item.acknowledged_at.is_none() && next != Status::Received {
        d.acknowledged = 1;
        d.acknowledged_in_time = i64::from(now <= item.acknowledge_by);
    }
    if step == Step::Respond && item.responded_at.is_none() {
        d.responded = 1;
        d.responded_in_time = i64::from(now <= item.respond_by);
    }
    let loop_closed = |l: Option<&str>| l.is_some_and(|l| l != LoopClosing::NotPossible.code());
    if next == Status::Closed && item.status != Status::Closed {
        d.closed = 1;
        d.closed_with_loop = i64::from(loop_closed(input.loop_closing.map(|l| l.code())));
        d.satisfied = i64::from(input.satisfaction == Some(Satisfaction::Satisfied));
    }
    if step == Step::Reopen {
        d.closed = -1;
        d.closed_with_loop = -i64::from(loop_closed(item.loop_closing.as_deref()));
        d.satisfied = -i64::from(item.satisfaction.as_deref() == Some(Satisfaction::Satisfied.code()));
    }
    d
}

/// Take `step` on item `id`, which the caller has already been shown (visibility checked by
/// the caller's read). Returns the new status.
pub async fn act(
    store: &Store,
    actor: &Actor,
    office_key: Option<&OfficeKey>,
    id: Uuid,
    step: Step,
    input: &StepInput,
) -> Result<Status, ActError> {
    let item = current(store, id).await?;
    let sealed = item.seal.is_sealed();
    let next = next_status(item.status, step, sealed, input.consent)?;
    if let Step::Close(reason) = step
        && !reason.needs_no_loop()
        && input.loop_closing.is_none()
    {
        return Err(ActError::LoopClosingMissing);
    }
    let event_id = Uuid::now_v7();
    let event_row = event_id.to_string();
    let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    let note = given(&input.note);
    let referral = match step {
        Step::Refer(kind) => Some(kind),
        _ => None,
    };
    let referred_to = given(&input.referred_to).filter(|_| referral.is_some());
    let response = given(&input.public_response).filter(|_| step == Step::Respond);
    // A sealed item's note, referral target and answer are sealed with the step: nothing of
    // them in the clear, neither on the item nor in its history.
    let (note_enc, note_sealed, clear_referred_to, clear_response) = if sealed {
        let content =
            SealedContent { narrative: note.unwrap_or_default(), referred_to, response, ..Default::default() };
        let sealed_step = if content == SealedContent::default() {
            None
        } else {
            // The office's public key seals it; the focal point must hold the key to act at all.
            if office_key.is_none() {
                return Err(ActError::NoOfficeKey);
            }
            let recipient = crate::sealing::recipient(store).await?.ok_or(ActError::NoOfficeKey)?;
            Some(recipient.seal(event_id, &content)?)
        };
        (None, sealed_step, None, None)
    } else {
        let note_enc = note.map(|n| store.keys.encrypt_str(event_place(&event_row), &n));
        (note_enc, None, referred_to, response)
    };
    let consent = referral.map(|_| input.consent);
    let now = now_utc();
    let mut tx = store.pool.begin().await?;
    let updated = on_tx!(&mut tx, c => {
        sqlx::query(
            "UPDATE feedback SET status = $1, updated_at = $2,
                acknowledged_at = CASE WHEN acknowledged_at IS NULL AND $1 <> 'received' THEN $2 ELSE acknowledged_at END,
                assigned_to = CASE WHEN $3 THEN $4 ELSE assigned_to END,
                referral_kind = CASE WHEN $5 THEN $6 ELSE referral_kind END,
                referred_to = CASE WHEN $5 THEN $7 ELSE referred_to END,
                referred_at = CASE WHEN $5 THEN $2 ELSE referred_at END,
                responded_at = CASE WHEN $8 THEN $2 ELSE responded_at END,
                public_response = CASE WHEN $8 AND $9 IS NOT NULL THEN $9 ELSE public_response END,
                closed_at = CASE WHEN $1 = 'closed' THEN $2 WHEN $10 THEN NULL ELSE closed_at END,
                closure_reason = CASE WHEN $1 = 'closed' THEN $11 WHEN $10 THEN NULL ELSE closure_reason END,
                loop_closing = CASE WHEN $1 = 'closed' THEN $12 ELSE loop_closing END,
                satisfaction = CASE WHEN $1 = 'closed' THEN $13 ELSE satisfaction END,
                reopened_count = reopened_count + CASE WHEN $10 THEN 1 ELSE 0 END
             WHERE id = $14 AND status = $15",
        )
        .bind(next.code())
        .bind(now)
        .bind(step == Step::Assign)
        .bind(input.assignee)
        .bind(referral.is_some())
        .bind(referral.map(|k| k.code()))
        .bind(clear_referred_to.as_deref())
        .bind(step == Step::Respond)
        .bind(clear_response.as_deref())
        .bind(step == Step::Reopen)
        .bind(match step { Step::Close(r) => Some(r.code()), _ => None })
        .bind(input.loop_closing.map(|l| l.code()))
        .bind(input.satisfaction.map(|s| s.code()))
        .bind(id)
        .bind(item.status.code())
        .execute(c).await.map(|r| r.rows_affected())
    })?;
    if updated == 0 {
        return Err(ActError::Changed);
    }
    on_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO feedback_events (id, feedback_id, at, actor_id, actor, step, status_after, assigned_to,
                referral_kind, referred_to, note_enc, note_sealed, service_id, consent)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(event_id)
        .bind(id)
        .bind(now)
        .bind(actor.id)
        .bind(&actor.name)
        .bind(step.code())
        .bind(next.code())
        .bind(input.assignee.filter(|_| step == Step::Assign))
        .bind(referral.map(|k| k.code()))
        .bind(clear_referred_to.as_deref())
        .bind(&note_enc)
        .bind(&note_sealed)
        .bind(input.service_id.filter(|_| referral.is_some()))
        .bind(consent)
        .execute(c).await.map(|r| r.rows_affected())
    })?;
    let key = ServiceKey {
        month: rollups::month_of(item.received_at),
        location_path: item.location_path.clone().unwrap_or_default(),
        agency: rollups::agency_key(item.agency_id),
        sealed,
    };
    let delta = service_delta(&item, step, next, input, now);
    rollups::service(&mut tx, &key, delta).await?;
    let groups = rollups::Groups {
        sex: item.sex.as_deref().unwrap_or(""),
        age_bracket: item.age_bracket.as_deref().unwrap_or(""),
        disability: rollups::disability_key(item.disability),
    };
    rollups::service_by(&mut tx, &key, &groups, delta).await?;
    if let (Step::Respond, Some(reply)) = (step, &input.reply) {
        super::outbound::queue_reply(&mut tx, store, id, reply, actor.id, now).await?;
    }
    if step == Step::Respond && item.responded_at.is_none() {
        rollups::response_time(&mut tx, &key, (now - item.received_at).whole_hours()).await?;
    }
    let summary = match referral {
        Some(kind) => format!("{} ({}) → {}", step.code(), kind.code(), next.code()),
        None => format!("{} → {}", step.code(), next.code()),
    };
    audit::append(
        &mut tx,
        &store.keys,
        &actor.event(actions::FEEDBACK_STEP, "feedback", id.to_string()).summary(summary),
    )
    .await?;
    tx.commit().await?;
    Ok(next)
}

fn event_place(row: &str) -> FieldPlace<'_> {
    FieldPlace { table: "feedback_events", column: "note_enc", row }
}

/// One step in an item's history, as shown to whoever may see the item.
#[derive(Clone)]
pub struct Event {
    pub at: OffsetDateTime,
    pub actor: String,
    pub step: String,
    pub status_after: String,
    pub assigned_to: Option<Uuid>,
    pub referral_kind: Option<ReferralKind>,
    pub referred_to: Option<String>,
    /// The directory service a referral went to.
    pub service_id: Option<Uuid>,
    /// `None` when there is no note, or it is sealed and the office key is absent.
    pub note: Option<String>,
    /// A sealed item's answer to the person, for a caller holding the office key.
    pub response: Option<String>,
    /// Referrals: whether the person's consent was recorded.
    pub consent: Option<bool>,
    /// Escalations: the deadline that was missed.
    pub deadline: Option<Deadline>,
}

impl std::fmt::Debug for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Event").field("at", &self.at).field("step", &self.step).finish_non_exhaustive()
    }
}

type EventRow = (
    Uuid,
    OffsetDateTime,
    String,
    String,
    String,
    Option<Uuid>,
    Option<String>,
    Option<String>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Option<String>,
    Option<Uuid>,
    Option<bool>,
);

/// The history of an item, oldest first.
pub async fn events(store: &Store, office_key: Option<&OfficeKey>, id: Uuid) -> Result<Vec<Event>, StoreError> {
    let rows: Vec<EventRow> = on_pool!(&store.pool, p => {
        sqlx::query_as(
            "SELECT id, at, actor, step, status_after, assigned_to, referral_kind, referred_to, note_enc, note_sealed,
                deadline, service_id, consent FROM feedback_events WHERE feedback_id = $1 ORDER BY at, id",
        )
        .bind(id)
        .fetch_all(p)
        .await
    })?;
    let mut out = Vec::with_capacity(rows.len());
    for (
        event_id,
        at,
        actor,
        step,
        status_after,
        assigned_to,
        referral_kind,
        referred_to,
        note_enc,
        note_sealed,
        deadline,
        service_id,
        consent,
    ) in rows
    {
        let row = event_id.to_string();
        let (note, referred_to, response) = match (note_enc, note_sealed, office_key) {
            (Some(n), _, _) => (Some(store.keys.decrypt_str(event_place(&row), &n)?), referred_to, None),
            (None, Some(s), Some(key)) => {
                let opened = key.open(event_id, &s)?;
                let note = Some(opened.narrative).filter(|n| !n.is_empty());
                (note, opened.referred_to.or(referred_to), opened.response)
            }
            _ => (None, referred_to, None),
        };
        out.push(Event {
            at,
            actor,
            step,
            status_after,
            assigned_to,
            referral_kind: referral_kind.as_deref().and_then(ReferralKind::from_code),
            referred_to,
            service_id,
            note,
            response,
            consent,
            deadline: deadline.as_deref().and_then(Deadline::from_code),
        });
    }
    Ok(out)
}

/// A PSEA focal point's decision on a sealed or provisionally sealed item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealDecision {
    /// Sensitive: sealed for good, as this sub-type.
    Confirm(SensitiveType),
    /// Not sensitive after all: content moves under the field key and becomes searchable.
    Unseal,
}

/// Apply a seal decision, with its reason recorded (sealed) in the history.
pub async fn decide_seal(
    store: &Store,
    actor: &Actor,
    office_key: &OfficeKey,
    id: Uuid,
    decision: SealDecision,
    reason: &str,
) -> Result<(), StoreError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::Invalid("a seal decision needs a reason".into()));
    }
    type SealRow = (String, String, Option<Vec<u8>>, Option<Vec<u8>>);
    let row: Option<SealRow> = on_pool!(&store.pool, p => {
        sqlx::query_as("SELECT seal, status, sealed_content, sealed_contact FROM feedback WHERE id = $1")
            .bind(id).fetch_optional(p).await
    })?;
    let (seal, status, sealed_content, sealed_contact) = row.ok_or(StoreError::NotFound)?;
    if !Seal::from_code(&seal).is_none_or(Seal::is_sealed) {
        return Err(StoreError::Invalid("the item is not sealed".into()));
    }
    let recipient = crate::sealing::recipient(store).await?.ok_or(StoreError::NotFound)?;
    let event_id = Uuid::now_v7();
    let mut reason_sealed =
        recipient.seal(event_id, &SealedContent { narrative: reason.to_owned(), ..Default::default() })?;
    let now = now_utc();
    let key = id.to_string();
    let mut tx = store.pool.begin().await?;
    let (step, summary) = match decision {
        SealDecision::Confirm(kind) => {
            on_tx!(&mut tx, c => {
                sqlx::query("UPDATE feedback SET seal = 'sealed', sensitive_type = $1, updated_at = $2 WHERE id = $3")
                    .bind(kind.code()).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected())
            })?;
            ("seal-confirmed", format!("sealed as {}", kind.code()))
        }
        SealDecision::Unseal => {
            let mut content = office_key.open(id, &sealed_content.ok_or(StoreError::NotFound)?)?;
            if let Some(apart) = &sealed_contact {
                let c = office_key.open(id, apart)?;
                (content.contact_name, content.contact_phone, content.safe_contact) =
                    (c.contact_name, c.contact_phone, c.safe_contact);
            }
            let contact = Contact {
                name: content.contact_name,
                phone: content.contact_phone,
                safe_contact: content.safe_contact,
            };
            let (narrative, contact_enc) = seal_under_field_key(store, &key, &content.narrative, &contact)?;
            // When it happened and the alleged organisation are for sealed reports only: they
            // stay sealed, with the reason, in the history.
            if content.occurred_on.is_some() || content.alleged_organisation.is_some() {
                let kept = SealedContent {
                    narrative: reason.to_owned(),
                    occurred_on: content.occurred_on.clone(),
                    alleged_organisation: content.alleged_organisation.clone(),
                    ..Default::default()
                };
                reason_sealed = recipient.seal(event_id, &kept)?;
            }
            // Its links come out of the sealed content with the narrative.
            let links = &content.links;
            on_tx!(&mut tx, c => {
                sqlx::query(
                    "UPDATE feedback SET seal = 'open', sensitive_type = NULL, sealed_content = NULL, sealed_contact = NULL,
                        refer_by = NULL, project_id = $5, sector = $6, principle = $7,
                        narrative_enc = $1, contact_enc = $2, updated_at = $3 WHERE id = $4",
                )
                .bind(&narrative).bind(&contact_enc).bind(now).bind(id)
                .bind(links.project_id).bind(links.sector.as_deref()).bind(links.principle.as_deref())
                .execute(c).await.map(|r| r.rows_affected())
            })?;
            let tokens = store.keys.name_tokens(TERM_PURPOSE, &content.narrative);
            let terms: Vec<(Uuid, &[u8])> = tokens.iter().map(|t| (id, t.as_slice())).collect();
            insert_terms(&mut tx, &terms).await?;
            rollups::unseal(&mut tx, id).await?;
            ("unsealed", "unsealed".to_owned())
        }
    };
    on_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO feedback_events (id, feedback_id, at, actor_id, actor, step, status_after, note_sealed)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(event_id).bind(id).bind(now).bind(actor.id).bind(&actor.name).bind(step).bind(&status).bind(&reason_sealed)
        .execute(c).await.map(|r| r.rows_affected())
    })?;
    audit::append(&mut tx, &store.keys, &actor.event(actions::FEEDBACK_SEAL_DECIDED, "feedback", key).summary(summary))
        .await?;
    tx.commit().await
}

/// Parse the closure reason of a close step.
pub fn close_step(reason: &str) -> Option<Step> {
    ClosureReason::from_code(reason).map(Step::Close)
}
