//! Feedback records: intake on every channel (idempotent per channel message), sealed
//! storage of sensitive items, lists and reads filtered by the caller's access, and the
//! public status by reference code.
//!
//! Unsealed narratives and contact details are encrypted under the field key and searched
//! through keyed word tokens. Sealed items keep both inside `sealed_content`, encrypted to
//! the PSEA office key (see [`crate::sealing`]): nothing about them is searchable, and only
//! a caller holding the office key can open them.

use haven_core::audit::actions;
use haven_core::authz::Access;
use haven_core::feedback::{
    Channel, Criticality, ReferenceCode, Seal, SensitiveType, ServiceLevels, Sex, Status, Submission,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::crypto::{FieldPlace, random_bytes};
use crate::identity::Actor;
use crate::sealing::{OfficeKey, SealedContent};
use crate::{Store, StoreError, Tx, audit, now_utc};

pub mod answers;
pub mod directory;
pub mod erasure;
pub mod lexicon;
pub mod lifecycle;
pub mod links;
pub mod outbound;
mod queue;
pub mod rollups;
pub mod whatsapp;

pub use queue::IntakeQueue;

const TABLE: &str = "feedback";
const TERM_PURPOSE: &str = "feedback-text";

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("location {0} is not in the location tree")]
    UnknownLocation(String),
    #[error("sensitive feedback cannot be sealed: the PSEA office key is not set up")]
    SealingUnavailable,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for RecordError {
    fn from(e: sqlx::Error) -> Self {
        RecordError::Store(StoreError::Database(e))
    }
}

/// Everything decided about an item before it is stored.
#[derive(Debug, Clone)]
pub struct NewFeedback {
    pub submission: Submission,
    /// What was declared or what the keyword screen proposed.
    pub sensitive_type: Option<SensitiveType>,
    pub seal: Seal,
    /// The channel's own id of the message (Twilio MessageSid, WhatsApp wamid, gateway id).
    pub channel_message_id: Option<String>,
    pub received_at: OffsetDateTime,
    /// The agent or API user who typed it; `None` for the person themselves.
    pub recorded_by: Option<Actor>,
    /// The organisation the item belongs to: the recording user's, or the one configured
    /// for the channel; `None` for the whole installation (docs/feedback.md, "Organisations").
    pub agency_id: Option<Uuid>,
    pub levels: ServiceLevels,
    /// Sealed items: who is told of it, written in the item's own commit.
    pub notice: Option<SealedNotice>,
}

/// Who learns that a sealed item arrived (its id only, never its content), decided before it
/// is stored and written in the same commit as the item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SealedNotice {
    /// The focal points the report names: stood down from it (audited), and not told.
    pub recused: Vec<Uuid>,
    /// The other focal points, told of the item; when there are none, the escalation targets,
    /// told that a sealed report needs a focal point.
    pub told: Vec<Uuid>,
    pub no_focal_point: bool,
}

/// Who recuses the focal points a sealed report names, in the audit log.
const ROUTING_ACTOR: &str = "psea-routing";

/// The answer to an intake: the item and whether this call created it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub id: Uuid,
    pub reference: String,
    /// False when the channel had already delivered this message.
    pub created: bool,
    pub sealed: bool,
}

#[derive(Serialize, Deserialize, Default)]
struct Contact {
    name: Option<String>,
    phone: Option<String>,
    safe_contact: Option<String>,
}

fn place<'a>(column: &'static str, row: &'a str) -> FieldPlace<'a> {
    FieldPlace { table: TABLE, column, row }
}

/// An unsealed item's narrative and contact, encrypted under the field key for row `key`.
fn seal_under_field_key(
    store: &Store,
    key: &str,
    narrative: &str,
    contact: &Contact,
) -> Result<(Vec<u8>, Option<Vec<u8>>), StoreError> {
    let narrative = store.keys.encrypt_str(place("narrative_enc", key), narrative);
    let contact_enc = (contact.name.is_some() || contact.phone.is_some() || contact.safe_contact.is_some())
        .then(|| serde_json::to_string(contact).map(|j| store.keys.encrypt_str(place("contact_enc", key), &j)))
        .transpose()
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    Ok((narrative, contact_enc))
}

/// The reverse of [`seal_under_field_key`].
fn open_under_field_key(
    store: &Store,
    key: &str,
    narrative_enc: Option<Vec<u8>>,
    contact_enc: Option<Vec<u8>>,
) -> Result<(Option<String>, Contact), StoreError> {
    let narrative = narrative_enc.map(|n| store.keys.decrypt_str(place("narrative_enc", key), &n)).transpose()?;
    let contact = match contact_enc {
        Some(c) => serde_json::from_str(&store.keys.decrypt_str(place("contact_enc", key), &c)?)
            .map_err(|e| StoreError::Invalid(e.to_string()))?,
        None => Contact::default(),
    };
    Ok((narrative, contact))
}

fn new_reference() -> ReferenceCode {
    ReferenceCode::from_random(u64::from_le_bytes(random_bytes()))
}

/// A typology category: `None` when the code is not in the catalog, else the sensitive
/// sub-type it implies (allegations of SEA, fraud, misconduct), if any.
pub async fn category(store: &Store, code: &str) -> Result<Option<Option<SensitiveType>>, StoreError> {
    let extra = crate::catalog::extra_of(store, "feedback-typology", code).await?;
    Ok(extra.map(|extra| {
        serde_json::from_str::<serde_json::Value>(&extra)
            .ok()
            .and_then(|v| v.get("sensitive_type").and_then(|t| t.as_str()).and_then(SensitiveType::from_code))
    }))
}

/// The organisation of the items a user records: their own, or, when their account names
/// none, the one organisation their roles are limited to (so that a role limited to an
/// organisation sees what its holder records). `None`: the whole installation.
/// Read on every staff intake, so kept for a moment like the settings.
pub async fn recording_agency(store: &Store, user: Uuid) -> Result<Option<Uuid>, StoreError> {
    let recent = &store.recent.recording_agencies;
    if let Some(kept) = recent.get(&user) {
        return Ok(kept);
    }
    let start = recent.start_read();
    let agency = match crate::projects::agency_of(store, user).await? {
        Some(own) => Some(own),
        None => {
            let rows: Vec<(Option<Uuid>,)> = on_pool!(&store.pool, p => {
                sqlx::query_as("SELECT DISTINCT agency_id FROM user_roles WHERE user_id = $1").bind(user).fetch_all(p).await
            })?;
            match rows.as_slice() {
                [(Some(only),)] => Some(*only),
                _ => None,
            }
        }
    };
    recent.keep(start, user, agency, std::time::Instant::now() + crate::recent::KEPT_FOR);
    Ok(agency)
}

/// Whether a location code is in the tree.
pub async fn location_exists(store: &Store, pcode: &str) -> Result<bool, StoreError> {
    Ok(location_path(store, pcode).await?.is_some())
}

/// The path of a location code in the tree, if it is there. Read on every intake, so kept
/// for a moment like the settings (codes not found are not kept).
pub async fn location_path(store: &Store, pcode: &str) -> Result<Option<String>, StoreError> {
    store
        .recent
        .location_paths
        .kept_or_read(pcode.to_owned(), || async {
            let row: Option<(String,)> = on_pool!(&store.pool, p => {
                sqlx::query_as("SELECT path FROM locations WHERE pcode = $1").bind(pcode).fetch_optional(p).await
            })?;
            Ok(row.map(|(path,)| path))
        })
        .await
}

async fn by_channel_message(store: &Store, channel: Channel, message: &str) -> Result<Option<Recorded>, StoreError> {
    let row: Option<(Uuid, String, String)> = on_pool!(&store.pool, p => {
        sqlx::query_as("SELECT id, reference, seal FROM feedback WHERE channel = $1 AND channel_message_id = $2")
            .bind(channel.code()).bind(message).fetch_optional(p).await
    })?;
    Ok(row.map(|(id, reference, seal)| Recorded {
        id,
        reference,
        created: false,
        sealed: Seal::from_code(&seal).is_none_or(Seal::is_sealed),
    }))
}

/// An item ready to insert: everything computed, content encrypted or sealed.
struct Prepared {
    new: NewFeedback,
    id: Uuid,
    reference: ReferenceCode,
    location_path: Option<String>,
    narrative_enc: Option<Vec<u8>>,
    contact_enc: Option<Vec<u8>>,
    sealed_content: Option<Vec<u8>>,
    sealed_contact: Option<Vec<u8>>,
    terms: Vec<Vec<u8>>,
    due: haven_core::feedback::Due,
}

impl Prepared {
    fn recorded(&self) -> Recorded {
        let sealed = self.new.seal.is_sealed();
        Recorded { id: self.id, reference: self.reference.as_str().to_owned(), created: true, sealed }
    }

    /// Where the item counts on the dashboards.
    fn dims(&self) -> rollups::Dims<'_> {
        let s = &self.new.submission;
        rollups::Dims {
            month: rollups::month_of(self.new.received_at),
            channel: s.channel.code(),
            category: s.category.as_deref().unwrap_or(""),
            location_path: self.location_path.as_deref().unwrap_or(""),
            agency: rollups::agency_key(self.new.agency_id),
            sex: s.sex.map(|x| x.code()).unwrap_or(""),
            age_bracket: s.age_bracket.as_deref().unwrap_or(""),
            disability: rollups::disability_key(s.disability),
            sector: self.clear_links().sector.as_deref().unwrap_or(""),
            sealed: self.new.seal.is_sealed(),
        }
    }

    /// The links stored in the clear: none for a sealed item, whose links are sealed.
    fn clear_links(&self) -> &haven_core::feedback::Links {
        static NONE: haven_core::feedback::Links =
            haven_core::feedback::Links { project_id: None, sector: None, principle: None };
        if self.new.seal.is_sealed() { &NONE } else { &self.new.submission.links }
    }

    /// Its audit entry: who recorded it on which channel, never what it says.
    fn event(&self) -> haven_core::audit::AuditEvent {
        let (new, channel) = (&self.new, self.new.submission.channel.code());
        let summary = if new.seal.is_sealed() {
            format!("channel {channel}, {}", new.seal.code())
        } else {
            format!("channel {channel}")
        };
        let actor = match &new.recorded_by {
            Some(actor) => actor.clone(),
            None => Actor::system(&format!("channel:{channel}")),
        };
        actor.event(actions::FEEDBACK_RECORDED, "feedback", self.id.to_string()).summary(summary)
    }
}

async fn prepare(store: &Store, new: NewFeedback) -> Result<Prepared, RecordError> {
    let s = &new.submission;
    let location_path = match &s.location {
        None => None,
        Some(code) => {
            Some(location_path(store, code).await?.ok_or_else(|| RecordError::UnknownLocation(code.clone()))?)
        }
    };
    let id = Uuid::now_v7();
    let sealed = new.seal.is_sealed();
    let (narrative_enc, contact_enc, sealed_content, sealed_contact, terms) = if sealed {
        let recipient = crate::sealing::recipient(store).await?.ok_or(RecordError::SealingUnavailable)?;
        // Its links stay sealed with the narrative (docs/feedback.md, "Links").
        // So are when it happened and the alleged perpetrator's organisation.
        let content = SealedContent {
            narrative: s.text.clone(),
            links: s.links.clone(),
            occurred_on: s.occurred_on.clone(),
            alleged_organisation: s.alleged_organisation.clone(),
            ..Default::default()
        };
        // The contact is sealed apart, so that it can be erased without the office key.
        let contact = SealedContent {
            contact_name: s.contact_name.clone(),
            contact_phone: s.contact_phone.clone(),
            safe_contact: s.safe_contact.clone(),
            ..Default::default()
        };
        let sealed_contact = contact.has_contact().then(|| recipient.seal(id, &contact)).transpose()?;
        (None, None, Some(recipient.seal(id, &content)?), sealed_contact, Vec::new())
    } else {
        let contact = Contact {
            name: s.contact_name.clone(),
            phone: s.contact_phone.clone(),
            safe_contact: s.safe_contact.clone(),
        };
        let (narrative, contact_enc) = seal_under_field_key(store, &id.to_string(), &s.text, &contact)?;
        (Some(narrative), contact_enc, None, None, store.keys.name_tokens(TERM_PURPOSE, &s.text))
    };
    let due = new.levels.due(new.received_at, s.criticality, sealed);
    let reference = new_reference();
    Ok(Prepared {
        new,
        id,
        reference,
        location_path,
        narrative_enc,
        contact_enc,
        sealed_content,
        sealed_contact,
        terms,
        due,
    })
}

/// Insert prepared items, their search terms, running totals and audit entries, with one
/// statement per table. Returns whether each row went in: not when the channel delivered
/// the message already (perhaps earlier in the same batch), or the reference collided.
async fn insert_batch(tx: &mut Tx<'_>, store: &Store, items: &[Prepared]) -> Result<Vec<bool>, StoreError> {
    let now = now_utc();
    let affected = insert_rows!(
        tx,
        "INSERT INTO feedback (id, reference, channel, channel_message_id, received_at, recorded_by, category,
            sensitive_type, seal, criticality, priority, status, location_pcode, location_path, sex, age_bracket,
            disability, language, consent_to_contact, has_contact, narrative_enc, contact_enc, sealed_content,
            acknowledge_by, respond_by, refer_by, updated_at, sealed_contact, project_id, sector, principle,
            agency_id)",
        "ON CONFLICT DO NOTHING",
        items,
        |p| [
            p.id,
            p.reference.as_str(),
            p.new.submission.channel.code(),
            p.new.channel_message_id.as_deref(),
            p.new.received_at,
            p.new.recorded_by.as_ref().and_then(|a| a.id),
            p.new.submission.category.as_deref(),
            p.new.sensitive_type.map(|t| t.code()),
            p.new.seal.code(),
            p.new.submission.criticality.code(),
            i64::from(p.new.submission.criticality.priority()),
            Status::Received.code(),
            p.new.submission.location.as_deref(),
            p.location_path.as_deref(),
            p.new.submission.sex.map(|x| x.code()),
            p.new.submission.age_bracket.as_deref(),
            p.new.submission.disability,
            p.new.submission.language.as_deref(),
            p.new.submission.consent_to_contact,
            p.new.submission.has_contact(),
            p.narrative_enc.as_deref(),
            p.contact_enc.as_deref(),
            p.sealed_content.as_deref(),
            p.due.acknowledge_by,
            p.due.respond_by,
            p.due.refer_by,
            now,
            p.sealed_contact.as_deref(),
            p.clear_links().project_id,
            p.clear_links().sector.as_deref(),
            p.clear_links().principle.as_deref(),
            p.new.agency_id,
        ]
    );
    let inserted = if affected as usize == items.len() { vec![true; items.len()] } else { present(tx, items).await? };
    let stored: Vec<&Prepared> = items.iter().zip(&inserted).filter(|(_, i)| **i).map(|(p, _)| p).collect();
    let terms: Vec<(Uuid, &[u8])> = stored.iter().flat_map(|p| p.terms.iter().map(|t| (p.id, t.as_slice()))).collect();
    insert_terms(tx, &terms).await?;
    let counts: Vec<_> = stored.iter().map(|p| (p.dims(), 1)).collect();
    rollups::count(tx, &counts).await?;
    let mut events: Vec<_> = stored.iter().map(|p| p.event()).collect();
    events.extend(tell_of_sealed(tx, &stored).await?);
    audit::append_all(tx, &store.keys, &events).await?;
    Ok(inserted)
}

/// The notices of the sealed items among `stored`, and the recusals of the focal points
/// their reports name; returns the recusals' audit entries.
async fn tell_of_sealed(
    tx: &mut Tx<'_>,
    stored: &[&Prepared],
) -> Result<Vec<haven_core::audit::AuditEvent>, StoreError> {
    let mut events = Vec::new();
    let (now, actor) = (now_utc(), Actor::system(ROUTING_ACTOR));
    for p in stored {
        let Some(notice) = &p.new.notice else { continue };
        events.extend(outbound::recuse_in(tx, &actor, p.id, &notice.recused, outbound::RECUSAL_NAMED).await?);
        let (kind, subject) = if notice.no_focal_point {
            ("feedback-sealed-no-focal-point", None)
        } else {
            ("feedback-sealed", Some(p.id))
        };
        crate::notifications::notify_in(tx, &notice.told, kind, subject, now).await?;
    }
    Ok(events)
}

/// Index items by the keyed tokens of their words: (item, token).
async fn insert_terms(tx: &mut Tx<'_>, terms: &[(Uuid, &[u8])]) -> Result<(), StoreError> {
    insert_rows!(tx, "INSERT INTO feedback_terms (feedback_id, token)", "ON CONFLICT DO NOTHING", terms, |t| [
        t.0, t.1
    ]);
    Ok(())
}

/// Which of `items` have their row in the table (after an insert that skipped some).
async fn present(tx: &mut Tx<'_>, items: &[Prepared]) -> Result<Vec<bool>, StoreError> {
    let mut out = Vec::with_capacity(items.len());
    for p in items {
        let (n,): (i64,) = on_tx!(tx, c => {
            sqlx::query_as("SELECT COUNT(*) FROM feedback WHERE id = $1").bind(p.id).fetch_one(&mut *c).await
        })?;
        out.push(n > 0);
    }
    Ok(out)
}

/// The item already stored for the channel's message, if the channel delivered it before.
async fn redelivered(store: &Store, new: &NewFeedback) -> Result<Option<Recorded>, StoreError> {
    match &new.channel_message_id {
        Some(message) => by_channel_message(store, new.submission.channel, message).await,
        None => Ok(None),
    }
}

/// Store one item with its audit entry, in one transaction committed before returning.
pub async fn record(store: &Store, new: NewFeedback) -> Result<Recorded, RecordError> {
    if let Some(existing) = redelivered(store, &new).await? {
        return Ok(existing);
    }
    record_prepared(store, prepare(store, new).await?).await
}

/// [`record`] for a prepared item: its own transaction, a new reference on a collision.
async fn record_prepared(store: &Store, mut prepared: Prepared) -> Result<Recorded, RecordError> {
    for _ in 0..3 {
        let mut tx = store.pool.begin().await?;
        if insert_batch(&mut tx, store, std::slice::from_ref(&prepared)).await?[0] {
            tx.commit().await?;
            return Ok(prepared.recorded());
        }
        drop(tx);
        // Either the channel delivered this message concurrently, or the reference
        // collided (one chance in 2^60 per pair): tell them apart.
        if let Some(existing) = redelivered(store, &prepared.new).await? {
            return Ok(existing);
        }
        prepared.reference = new_reference();
    }
    Err(StoreError::Conflict("feedback reference".into()).into())
}

/// Store several items in one transaction: all of them, or none (imports).
pub async fn record_all(store: &Store, items: Vec<NewFeedback>) -> Result<Vec<Recorded>, RecordError> {
    let mut prepared = Vec::with_capacity(items.len());
    for new in items {
        prepared.push(prepare(store, new).await?);
    }
    let mut tx = store.pool.begin().await?;
    if insert_batch(&mut tx, store, &prepared).await?.contains(&false) {
        // Rolled back with the transaction: nothing of the file is kept.
        return Err(StoreError::Conflict("feedback reference".into()).into());
    }
    tx.commit().await?;
    Ok(prepared.iter().map(Prepared::recorded).collect())
}

/// One item as lists show it: no narrative, no contact details.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FeedbackRow {
    pub id: Uuid,
    pub reference: String,
    pub channel: String,
    pub received_at: OffsetDateTime,
    pub category: Option<String>,
    pub sensitive_type: Option<String>,
    pub seal: String,
    pub criticality: String,
    pub priority: i64,
    pub status: String,
    pub location_pcode: Option<String>,
    pub sex: Option<String>,
    pub age_bracket: Option<String>,
    pub disability: Option<bool>,
    pub language: Option<String>,
    pub consent_to_contact: bool,
    pub has_contact: bool,
    pub public_response: Option<String>,
    pub acknowledge_by: OffsetDateTime,
    pub respond_by: OffsetDateTime,
    pub refer_by: Option<OffsetDateTime>,
    pub location_path: Option<String>,
    /// When the contact details were erased, some time after closure.
    pub contact_erased_at: Option<OffsetDateTime>,
    /// Links in the clear (unsealed items only; a sealed item's are in its sealed content).
    pub project_id: Option<Uuid>,
    pub sector: Option<String>,
    pub principle: Option<String>,
    pub assigned_to: Option<Uuid>,
    pub acknowledged_at: Option<OffsetDateTime>,
    pub responded_at: Option<OffsetDateTime>,
    pub referred_at: Option<OffsetDateTime>,
}

const ROW_COLUMNS: &str = "id, reference, channel, received_at, category, sensitive_type, seal, criticality, priority,
    status, location_pcode, sex, age_bracket, disability, language, consent_to_contact, has_contact, public_response,
    acknowledge_by, respond_by, refer_by, location_path, contact_erased_at, project_id, sector, principle, assigned_to,
    acknowledged_at, responded_at, referred_at";

impl FeedbackRow {
    pub fn channel(&self) -> Option<Channel> {
        Channel::from_code(&self.channel)
    }
    pub fn seal(&self) -> Seal {
        Seal::from_code(&self.seal).unwrap_or(Seal::Sealed)
    }
    pub fn status(&self) -> Option<Status> {
        Status::from_code(&self.status)
    }
    pub fn criticality(&self) -> Option<Criticality> {
        Criticality::from_code(&self.criticality)
    }
    pub fn sex(&self) -> Option<Sex> {
        self.sex.as_deref().and_then(Sex::from_code)
    }
    /// The deadlines it has missed at `now` (none once closed), as escalation counts them.
    pub fn missed(&self, now: OffsetDateTime) -> Vec<(haven_core::feedback::Deadline, OffsetDateTime)> {
        let state = haven_core::feedback::DeadlineState {
            status: self.status().unwrap_or(Status::Received),
            acknowledge_by: self.acknowledge_by,
            acknowledged_at: self.acknowledged_at,
            respond_by: self.respond_by,
            responded_at: self.responded_at,
            refer_by: self.refer_by,
            referred_at: self.referred_at,
        };
        haven_core::feedback::missed(&state, now)
    }

    pub fn links(&self) -> haven_core::feedback::Links {
        haven_core::feedback::Links {
            project_id: self.project_id,
            sector: self.sector.clone(),
            principle: self.principle.clone(),
        }
    }
}

/// Which items a list shows.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub status: Option<Status>,
    pub channel: Option<Channel>,
    /// Words that must all appear in the narrative (unsealed items only).
    pub q: Option<String>,
    /// Items linked to this project, sector or principle (unsealed items only: a sealed
    /// item's links are sealed).
    pub project_id: Option<Uuid>,
    pub sector: Option<String>,
    pub principle: Option<String>,
    /// Only items with a deadline missed at this moment (the overdue queue).
    pub overdue_at: Option<OffsetDateTime>,
    pub assignee: Option<Assignee>,
    pub criticality: Option<Criticality>,
    pub priority: Option<i64>,
    /// Items at this place or below it (a location path).
    pub location_path: Option<String>,
    /// A typology code.
    pub category: Option<String>,
    /// Received at or after this moment.
    pub received_from: Option<OffsetDateTime>,
    /// Received before this moment.
    pub received_before: Option<OffsetDateTime>,
    pub limit: i64,
    pub offset: i64,
}

/// Whose items a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assignee {
    User(Uuid),
    Nobody,
}

impl ListFilter {
    /// The filters beyond the caller's visibility, as a WHERE clause with its arguments.
    fn clauses(&self, args: &mut Vec<Arg>) -> String {
        let mut wh = String::new();
        let mut text = |args: &mut Vec<Arg>, column: &str, op: &str, value: String| {
            args.push(Arg::Text(value));
            wh.push_str(&format!(" AND {column} {op} ${}", args.len()));
        };
        if let Some(status) = self.status {
            text(args, "status", "=", status.code().to_owned());
        }
        if let Some(channel) = self.channel {
            text(args, "channel", "=", channel.code().to_owned());
        }
        for (column, value) in [("sector", &self.sector), ("principle", &self.principle), ("category", &self.category)]
        {
            if let Some(value) = value {
                text(args, column, "=", value.clone());
            }
        }
        if let Some(criticality) = self.criticality {
            text(args, "criticality", "=", criticality.code().to_owned());
        }
        if let Some(path) = &self.location_path {
            text(args, "location_path", "LIKE", format!("{path}%"));
        }
        let mut extra = Vec::new();
        if let Some(project) = self.project_id {
            args.push(Arg::Id(project));
            extra.push(format!("project_id = ${}", args.len()));
        }
        if let Some(priority) = self.priority {
            args.push(Arg::Int(priority));
            extra.push(format!("priority = ${}", args.len()));
        }
        match self.assignee {
            Some(Assignee::User(user)) => {
                args.push(Arg::Id(user));
                extra.push(format!("assigned_to = ${}", args.len()));
            }
            Some(Assignee::Nobody) => extra.push("assigned_to IS NULL".to_owned()),
            None => {}
        }
        for (op, at) in [(">=", self.received_from), ("<", self.received_before)] {
            if let Some(at) = at {
                args.push(Arg::Time(at));
                extra.push(format!("received_at {op} ${}", args.len()));
            }
        }
        if let Some(now) = self.overdue_at {
            // As `haven_core::feedback::missed` decides, for escalation too.
            args.push(Arg::Time(now));
            let n = args.len();
            extra.push(format!(
                "status <> 'closed' AND ((acknowledged_at IS NULL AND acknowledge_by < ${n})
                    OR (responded_at IS NULL AND respond_by < ${n}) OR (referred_at IS NULL AND refer_by < ${n}))"
            ));
        }
        for clause in extra {
            wh.push_str(&format!(" AND {clause}"));
        }
        wh
    }
}

/// A value bound into a query built at run time.
enum Arg {
    Text(String),
    Bytes(Vec<u8>),
    Id(Uuid),
    Int(i64),
    Time(OffsetDateTime),
}

/// The WHERE clause every read applies: the caller's scope, and sealed items only for
/// those who may read them.
fn visibility(access: &Access, see_sealed: bool, args: &mut Vec<Arg>) -> String {
    let mut clauses = Vec::new();
    if see_sealed {
        // A focal point stood down from a report (it names them) does not see it.
        args.push(Arg::Id(access.user_id()));
        clauses.push(format!(
            "(seal = 'open' OR NOT EXISTS (SELECT 1 FROM feedback_recusals r WHERE r.feedback_id = feedback.id
                AND r.user_id = ${}))",
            args.len()
        ));
    } else {
        clauses.push("seal = 'open'".to_owned());
    }
    let filter = access.filter();
    if let Some(scopes) = &filter.locations {
        let mut any = Vec::new();
        for scope in scopes {
            args.push(Arg::Text(format!("{}%", scope.as_str())));
            any.push(format!("location_path LIKE ${}", args.len()));
        }
        clauses.push(if any.is_empty() { "FALSE".to_owned() } else { format!("({})", any.join(" OR ")) });
    }
    if let Some(agencies) = &filter.agencies {
        let mut any = Vec::new();
        for agency in agencies {
            args.push(Arg::Id(*agency));
            any.push(format!("agency_id = ${}", args.len()));
        }
        clauses.push(if any.is_empty() { "FALSE".to_owned() } else { format!("({})", any.join(" OR ")) });
    }
    if clauses.is_empty() { "TRUE".to_owned() } else { clauses.join(" AND ") }
}

macro_rules! bind_args {
    ($query:expr, $args:expr) => {{
        let mut q = $query;
        for a in $args {
            q = match a {
                Arg::Text(t) => q.bind(t.clone()),
                Arg::Bytes(b) => q.bind(b.clone()),
                Arg::Id(u) => q.bind(*u),
                Arg::Int(n) => q.bind(*n),
                Arg::Time(t) => q.bind(*t),
            };
        }
        q
    }};
}

/// A page of items the caller may see, newest first, and how many there are in all.
pub async fn list(
    store: &Store,
    access: &Access,
    see_sealed: bool,
    filter: &ListFilter,
) -> Result<(Vec<FeedbackRow>, i64), StoreError> {
    let mut args = Vec::new();
    let mut wh = visibility(access, see_sealed, &mut args);
    wh.push_str(&filter.clauses(&mut args));
    if let Some(q) = filter.q.as_deref().filter(|q| !q.trim().is_empty()) {
        let tokens = store.keys.name_tokens(TERM_PURPOSE, q);
        if tokens.is_empty() {
            return Ok((Vec::new(), 0));
        }
        for token in tokens {
            args.push(Arg::Bytes(token));
            wh.push_str(&format!(" AND id IN (SELECT feedback_id FROM feedback_terms WHERE token = ${})", args.len()));
        }
    }
    let count_sql = format!("SELECT COUNT(*) FROM feedback WHERE {wh}");
    let (total,): (i64,) = on_pool!(&store.pool, p => {
        bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(count_sql)), &args).fetch_one(p).await
    })?;
    let page_sql = format!(
        "SELECT {ROW_COLUMNS} FROM feedback WHERE {wh} ORDER BY received_at DESC, id DESC LIMIT {} OFFSET {}",
        filter.limit.clamp(1, 500),
        filter.offset.max(0)
    );
    let rows: Vec<FeedbackRow> = on_pool!(&store.pool, p => {
        bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(page_sql)), &args).fetch_all(p).await
    })?;
    Ok((rows, total))
}

/// An exported item: its row and, for unsealed items only, its narrative and contact.
pub struct ExportItem {
    pub row: FeedbackRow,
    /// The code of the project the item is linked to.
    pub project_code: Option<String>,
    pub narrative: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
}

/// An export under way: the query of every item the caller may see, oldest first, already
/// audited. [`Export::send_each`] streams the rows, so that no export holds every item in memory.
pub struct Export {
    sql: String,
    args: Vec<Arg>,
    /// How many items the caller could see when the export began.
    pub items: i64,
}

/// Begin an export of the items the caller may see: counts them and records one audit entry
/// with the count. Unsealed content is decrypted as rows are sent; sealed content is never
/// exported, not even to PSEA focal points.
pub async fn export(store: &Store, access: &Access, actor: &Actor, see_sealed: bool) -> Result<Export, StoreError> {
    let mut args = Vec::new();
    let wh = visibility(access, see_sealed, &mut args);
    let count_sql = format!("SELECT COUNT(*) FROM feedback WHERE {wh}");
    let (items,): (i64,) = on_pool!(&store.pool, p => {
        bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(count_sql)), &args).fetch_one(p).await
    })?;
    let event = actor.event(actions::FEEDBACK_EXPORTED, "feedback", "export").summary(format!("{items} items"));
    audit::record(&store.pool, &store.keys, &event).await?;
    let sql = format!(
        "SELECT {ROW_COLUMNS}, narrative_enc, contact_enc,
            (SELECT code FROM projects WHERE projects.id = feedback.project_id) AS project_code
         FROM feedback WHERE {wh} ORDER BY received_at, id"
    );
    Ok(Export { sql, args, items })
}

impl Export {
    /// Read the rows one at a time from the database and send each, decrypted, to `sink`,
    /// which bounds how many wait in memory. Stops early, without error, when the receiver is
    /// gone (the client went away). Returns how many were sent.
    pub async fn send_each(
        self,
        store: &Store,
        sink: tokio::sync::mpsc::Sender<ExportItem>,
    ) -> Result<u64, StoreError> {
        use futures_util::TryStreamExt;
        use sqlx::{FromRow, Row};
        let mut sent = 0u64;
        on_pool!(&store.pool, p => {
            let mut rows = bind_args!(sqlx::query(sqlx::AssertSqlSafe(self.sql)), &self.args).fetch(p);
            while let Some(r) = rows.try_next().await? {
                let row = FeedbackRow::from_row(&r)?;
                let (narrative, contact) =
                    open_under_field_key(store, &row.id.to_string(), r.try_get("narrative_enc")?, r.try_get("contact_enc")?)?;
                let item = ExportItem {
                    project_code: r.try_get("project_code")?,
                    row,
                    narrative,
                    contact_name: contact.name,
                    contact_phone: contact.phone,
                };
                if sink.send(item).await.is_err() {
                    break;
                }
                sent += 1;
            }
        });
        Ok(sent)
    }
}

/// One item's row, if the caller may see it (no content, no audit entry: for checks before
/// acting on it).
pub async fn visible_row(
    store: &Store,
    access: &Access,
    see_sealed: bool,
    id: Uuid,
) -> Result<FeedbackRow, StoreError> {
    let mut args = Vec::new();
    let wh = visibility(access, see_sealed, &mut args);
    args.push(Arg::Id(id));
    let sql = format!("SELECT {ROW_COLUMNS} FROM feedback WHERE {wh} AND id = ${}", args.len());
    let row: Option<FeedbackRow> = on_pool!(&store.pool, p => {
        bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), &args).fetch_optional(p).await
    })?;
    row.ok_or(StoreError::NotFound)
}

/// One item with its content, for a caller who may see it.
#[derive(Clone)]
pub struct FeedbackDetail {
    pub row: FeedbackRow,
    pub narrative: String,
    /// The links: the row's for an unsealed item, the sealed content's for a sealed one
    /// opened with the office key, none for a sealed one without it.
    pub links: haven_core::feedback::Links,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub safe_contact: Option<String>,
    /// Sealed items opened with the office key: when it happened and the alleged
    /// perpetrator's organisation, as recorded at intake.
    pub occurred_on: Option<String>,
    pub alleged_organisation: Option<String>,
}

impl std::fmt::Debug for FeedbackDetail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FeedbackDetail").field("row", &self.row).finish_non_exhaustive()
    }
}

/// Read one item and audit the read. A sealed item is found only by a caller allowed to see
/// sealed items, and opened only with the office key (each opening audited); without the key
/// its content stays hidden. Anything the caller may not see is "not found".
pub async fn get(
    store: &Store,
    access: &Access,
    actor: &Actor,
    see_sealed: bool,
    office_key: Option<&OfficeKey>,
    id: Uuid,
) -> Result<FeedbackDetail, StoreError> {
    let mut args = Vec::new();
    let wh = visibility(access, see_sealed, &mut args);
    args.push(Arg::Id(id));
    let sql = format!(
        "SELECT {ROW_COLUMNS}, narrative_enc, contact_enc, sealed_content, sealed_contact FROM feedback WHERE {wh} AND id = ${}",
        args.len()
    );
    type Content = (Option<Vec<u8>>, Option<Vec<u8>>, Option<Vec<u8>>, Option<Vec<u8>>);
    let found: Option<(FeedbackRow, Content)> = on_pool!(&store.pool, p => {
        bind_args!(sqlx::query(sqlx::AssertSqlSafe(sql)), &args).fetch_optional(p).await
            .and_then(|r| r.map(|r| {
                use sqlx::{FromRow, Row};
                Ok((FeedbackRow::from_row(&r)?, (r.try_get("narrative_enc")?, r.try_get("contact_enc")?, r.try_get("sealed_content")?, r.try_get("sealed_contact")?)))
            }).transpose())
    })?;
    let Some((row, (narrative_enc, contact_enc, sealed_content, sealed_contact))) = found else {
        return Err(StoreError::NotFound);
    };
    let key = id.to_string();
    let (detail, action) = match (sealed_content, office_key) {
        (Some(sealed), Some(office)) => {
            let c = office.open(id, &sealed)?;
            let contact = match &sealed_contact {
                Some(apart) => office.open(id, apart)?,
                None if row.contact_erased_at.is_some() => {
                    erasure::reseal_without_contact(store, id, &c).await?;
                    SealedContent::default()
                }
                // Sealed before contacts were kept apart: inside the narrative's envelope.
                None => c.clone(),
            };
            let detail = FeedbackDetail {
                row,
                narrative: c.narrative,
                links: c.links,
                contact_name: contact.contact_name,
                contact_phone: contact.contact_phone,
                safe_contact: contact.safe_contact,
                occurred_on: c.occurred_on,
                alleged_organisation: c.alleged_organisation,
            };
            (detail, actions::SEALED_OPENED)
        }
        (Some(_), None) => {
            let detail = FeedbackDetail {
                row,
                narrative: String::new(),
                links: Default::default(),
                contact_name: None,
                contact_phone: None,
                safe_contact: None,
                occurred_on: None,
                alleged_organisation: None,
            };
            (detail, actions::FEEDBACK_VIEWED)
        }
        (None, _) => {
            let (narrative, contact) = open_under_field_key(store, &key, narrative_enc, contact_enc)?;
            let detail = FeedbackDetail {
                links: row.links(),
                row,
                narrative: narrative.unwrap_or_default(),
                contact_name: contact.name,
                contact_phone: contact.phone,
                safe_contact: contact.safe_contact,
                occurred_on: None,
                alleged_organisation: None,
            };
            (detail, actions::FEEDBACK_VIEWED)
        }
    };
    audit::record(&store.pool, &store.keys, &actor.event(action, "feedback", key)).await?;
    Ok(detail)
}

/// What the public status page may say about a reference: the status, whether the item is
/// sealed (so the page stays neutral) and the public response, never for a sealed item (a
/// shared phone must not show an answer about abuse). Never the content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicStatus {
    pub status: Status,
    pub sealed: bool,
    pub public_response: Option<String>,
}

pub async fn public_status(store: &Store, reference: &ReferenceCode) -> Result<Option<PublicStatus>, StoreError> {
    let row: Option<(String, String, Option<String>)> = on_pool!(&store.pool, p => {
        sqlx::query_as("SELECT status, seal, public_response FROM feedback WHERE reference = $1")
            .bind(reference.as_str()).fetch_optional(p).await
    })?;
    Ok(row.map(|(status, seal, public_response)| {
        let sealed = Seal::from_code(&seal).is_none_or(Seal::is_sealed);
        PublicStatus {
            status: Status::from_code(&status).unwrap_or(Status::Received),
            sealed,
            public_response: public_response.filter(|_| !sealed),
        }
    }))
}

// Declared after `bind_args!`, which it uses.
pub mod callbacks;
