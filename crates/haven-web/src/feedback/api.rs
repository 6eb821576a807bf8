//! `/api/v1/feedback`: intake with a token, anonymous intake, lists and reads.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use haven_core::audit::actions;
use haven_core::feedback::{Channel, RawSubmission, Status};
use haven_store::feedback::{self as store, FeedbackRow, ListFilter};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Sight, intake, sight_of};
use crate::AppState;
use crate::authz::Granted;
use crate::error::{ErrorBody, WebError};
use crate::identity::Identity;
use crate::identity::client::ClientIp;

/// A submission: only `text` and `channel` are required.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct FeedbackInput {
    /// What the person said, in their words.
    pub text: Option<String>,
    /// web, sms, whatsapp, hotline, helpdesk, suggestion_box, community_meeting, field_visit, survey, email, other
    pub channel: Option<String>,
    /// A feedback typology code.
    pub category: Option<String>,
    /// sea, fraud, misconduct, child_safeguarding, safety_threat; absent when not sensitive.
    pub sensitive_type: Option<String>,
    /// urgent, action_needed, no_immediate_action, action_taken, to_be_clarified
    pub criticality: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    /// Required (true) when a contact detail is given.
    pub consent_to_contact: Option<bool>,
    /// When and how it is safe to reply.
    pub safe_contact: Option<String>,
    /// A location P-code.
    pub location: Option<String>,
    /// f, m, x or u
    pub sex: Option<String>,
    /// Whole years; or give `age_bracket`.
    pub age: Option<i64>,
    pub age_bracket: Option<String>,
    /// Whether the person has a disability, when already determined; otherwise give
    /// `functioning` (not both).
    pub disability: Option<bool>,
    /// The Washington Group Short Set, question by question: `seeing`, `hearing`, `walking`,
    /// `remembering`, `self_care`, `communicating`, each `none`, `some`, `a_lot` or `cannot`
    /// (leave out what was not answered). Haven records only the result: a disability when
    /// one answer is `a_lot` or `cannot`, none when all six are `none` or `some`.
    #[schema(value_type = Option<Object>, example = json!({"seeing": "none", "walking": "a_lot"}))]
    pub functioning: Option<std::collections::BTreeMap<String, String>>,
    pub language: Option<String>,
    /// The project the feedback is about (its id).
    pub project_id: Option<String>,
    /// The sector of assistance concerned (catalog `sectors` code).
    pub sector: Option<String>,
    /// The protection principle concerned (catalog `principles` code).
    pub principle: Option<String>,
    /// Sensitive reports only: when it happened, `YYYY-MM-DD`, or `YYYY-MM` when only
    /// approximately known; not in the future. Kept only inside the sealed content; on an
    /// item that is not sealed it is refused (422 `sensitive-only`).
    #[schema(example = "2026-03")]
    pub occurred_on: Option<String>,
    /// Sensitive reports only: the alleged perpetrator's organisation, if known (200
    /// characters at most). Kept only inside the sealed content; on an item that is not
    /// sealed it is refused (422 `sensitive-only`).
    pub alleged_organisation: Option<String>,
}

impl From<FeedbackInput> for RawSubmission {
    fn from(i: FeedbackInput) -> Self {
        RawSubmission {
            text: i.text,
            channel: i.channel,
            category: i.category,
            sensitive_type: i.sensitive_type,
            criticality: i.criticality,
            contact_name: i.contact_name,
            contact_phone: i.contact_phone,
            consent_to_contact: i.consent_to_contact,
            safe_contact: i.safe_contact,
            location: i.location,
            sex: i.sex,
            age: i.age,
            age_bracket: i.age_bracket,
            disability: i.disability,
            functioning: i.functioning,
            language: i.language,
            project_id: i.project_id,
            sector: i.sector,
            principle: i.principle,
            occurred_on: i.occurred_on,
            alleged_organisation: i.alleged_organisation,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Created {
    pub id: Uuid,
    /// The code the person keeps to follow their feedback.
    pub reference: String,
}

fn created(r: haven_store::feedback::Recorded) -> Response {
    (StatusCode::CREATED, Json(Created { id: r.id, reference: r.reference })).into_response()
}

/// Record feedback on someone's behalf (help desk, hotline, survey...).
#[utoipa::path(post, path = "/api/v1/feedback", tag = "feedback", request_body = FeedbackInput,
    responses(
        (status = 201, description = "Recorded", body = Created),
        (status = 401, description = "No valid token or session", body = ErrorBody),
        (status = 403, description = "Not allowed", body = ErrorBody),
        (status = 422, description = "Invalid fields, each listed", body = ErrorBody),
        (status = 503, description = "Sensitive feedback cannot be sealed yet: the PSEA office key is not set up", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    me: Identity,
    _g: Granted,
    Json(input): Json<FeedbackInput>,
) -> Result<Response, WebError> {
    Ok(created(intake(&state, input.into(), None, Some(&me.actor())).await?))
}

/// Anonymous feedback (rate limited per address).
#[utoipa::path(post, path = "/api/v1/public/feedback", tag = "feedback", request_body = FeedbackInput,
    responses(
        (status = 201, description = "Recorded", body = Created),
        (status = 422, description = "Invalid fields, each listed", body = ErrorBody),
        (status = 429, description = "Too many submissions from this address", body = ErrorBody)
    ))]
pub async fn create_public(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    Json(input): Json<FeedbackInput>,
) -> Result<Response, WebError> {
    if !state.public_intake.admit(client) {
        return Err(WebError::TooManyRequests);
    }
    Ok(created(intake(&state, input.into(), None, None).await?))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct FeedbackItem {
    pub id: Uuid,
    pub reference: String,
    pub channel: String,
    #[schema(value_type = String, format = DateTime)]
    pub received_at: String,
    pub category: Option<String>,
    /// Shown to PSEA focal points only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sensitive_type: Option<String>,
    /// open, provisional (a keyword hit, until a PSEA focal point decides) or sealed.
    pub seal: String,
    pub criticality: String,
    pub priority: i64,
    pub status: String,
    pub location: Option<String>,
    pub sex: Option<String>,
    pub age_bracket: Option<String>,
    pub disability: Option<bool>,
    pub language: Option<String>,
    pub has_contact: bool,
    pub consent_to_contact: bool,
    /// When the contact details were erased (a set number of days after closure).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub contact_erased_at: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub acknowledge_by: String,
    #[schema(value_type = String, format = DateTime)]
    pub respond_by: String,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub refer_by: Option<String>,
    /// The project, sector and principle the item is linked to. A sealed item's links are
    /// sealed: shown only in its detail, to a PSEA focal point holding the office key.
    pub project_id: Option<Uuid>,
    pub sector: Option<String>,
    pub principle: Option<String>,
    /// The user the item is assigned to.
    pub assigned_to: Option<Uuid>,
    /// A deadline (acknowledge, respond or, sealed items, refer) has passed with the step not
    /// taken, and the item is not closed.
    pub overdue: bool,
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

fn item(r: FeedbackRow, sight: Sight) -> FeedbackItem {
    let overdue = !r.missed(haven_store::now_utc()).is_empty();
    FeedbackItem {
        assigned_to: r.assigned_to,
        overdue,
        id: r.id,
        reference: r.reference,
        channel: r.channel,
        received_at: rfc3339(r.received_at),
        category: r.category,
        sensitive_type: r.sensitive_type.filter(|_| sight.sealed),
        seal: r.seal,
        criticality: r.criticality,
        priority: r.priority,
        status: r.status,
        location: r.location_pcode,
        sex: r.sex,
        age_bracket: r.age_bracket,
        disability: r.disability,
        language: r.language,
        has_contact: r.has_contact,
        consent_to_contact: r.consent_to_contact,
        contact_erased_at: r.contact_erased_at.map(rfc3339),
        acknowledge_by: rfc3339(r.acknowledge_by),
        respond_by: rfc3339(r.respond_by),
        refer_by: r.refer_by.map(rfc3339),
        project_id: r.project_id,
        sector: r.sector,
        principle: r.principle,
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ListParams {
    /// Only items in this status.
    pub status: Option<String>,
    /// Only items from this channel.
    pub channel: Option<String>,
    /// Words that must all appear in the text.
    pub q: Option<String>,
    /// Only items linked to this project (its id).
    pub project_id: Option<String>,
    /// Only items linked to this sector (catalog `sectors` code).
    pub sector: Option<String>,
    /// Only items linked to this principle (catalog `principles` code).
    pub principle: Option<String>,
    /// `true`: only overdue items (a deadline passed with its step not taken, not closed).
    pub overdue: Option<String>,
    /// `me` (the caller's), `none` (unassigned) or a user name.
    pub assignee: Option<String>,
    /// urgent, action_needed, no_immediate_action, action_taken or to_be_clarified
    pub criticality: Option<String>,
    /// 1 (highest) to 5.
    pub priority: Option<String>,
    /// A location P-code: items there and at the places below it.
    pub location: Option<String>,
    /// A feedback typology code.
    pub category: Option<String>,
    /// Received on or after this day (YYYY-MM-DD, the organisation's time zone).
    pub received_from: Option<String>,
    /// Received on or before this day (YYYY-MM-DD, the organisation's time zone).
    pub received_to: Option<String>,
    /// 1-based page number (default 1).
    pub page: Option<u32>,
    /// Items per page, 1 to 200 (default 50).
    pub per_page: Option<u32>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct FeedbackPage {
    pub items: Vec<FeedbackItem>,
    pub page: u32,
    pub per_page: u32,
    pub total: i64,
}

/// Feedback the caller may see, newest first. Sealed items appear only for PSEA focal points.
#[utoipa::path(get, path = "/api/v1/feedback", tag = "feedback", params(ListParams),
    responses(
        (status = 200, description = "A page of items", body = FeedbackPage),
        (status = 400, description = "Bad parameters", body = ErrorBody),
        (status = 401, description = "No valid token or session", body = ErrorBody),
        (status = 403, description = "Not allowed", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    me: Identity,
    granted: Granted,
    Query(q): Query<ListParams>,
) -> Result<Json<FeedbackPage>, WebError> {
    let (page, per_page) = crate::api::PageParams { page: q.page, per_page: q.per_page }.bounds()?;
    let (page, per_page) = (page as u32, per_page as u32);
    let status = match q.status.as_deref() {
        None | Some("") => None,
        Some(s) => Some(Status::from_code(s).ok_or(WebError::BadRequest { code: "invalid", field: Some("status") })?),
    };
    let channel = match q.channel.as_deref() {
        None | Some("") => None,
        Some(c) => Some(Channel::from_code(c).ok_or(WebError::BadRequest { code: "invalid", field: Some("channel") })?),
    };
    let project_id = match q.project_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(p) => {
            Some(Uuid::parse_str(p).map_err(|_| WebError::BadRequest { code: "invalid", field: Some("project_id") })?)
        }
    };
    let sight = sight_of(&me);
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let queue = super::queues::QueueFilters {
        overdue: text(&q.overdue),
        assignee: text(&q.assignee),
        criticality: text(&q.criticality),
        priority: text(&q.priority),
        location: text(&q.location),
        category: text(&q.category),
        received_from: text(&q.received_from),
        received_to: text(&q.received_to),
    };
    let mut filter = ListFilter {
        status,
        channel,
        project_id,
        sector: q.sector.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()),
        principle: q.principle.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()),
        q: q.q.clone(),
        limit: i64::from(per_page),
        offset: i64::from((page - 1) * per_page),
        ..Default::default()
    };
    queue.apply(&state, &me, &mut filter).await?;
    let (rows, total) = store::list(&state.store, &granted.0, sight.sealed, &filter).await?;
    let event = me.actor().event(actions::FEEDBACK_LISTED, "feedback", "api").summary(format!("{} items", rows.len()));
    haven_store::audit::record(&state.store.pool, &state.store.keys, &event).await?;
    let items = rows.into_iter().map(|r| item(r, sight)).collect();
    Ok(Json(FeedbackPage { items, page, per_page, total }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct FeedbackDetail {
    #[serde(flatten)]
    pub item: FeedbackItem,
    /// The narrative; absent for a sealed item opened without the PSEA office key.
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safe_contact: Option<String>,
    /// Sealed items, for a PSEA focal point holding the office key: when it happened (a day,
    /// or a month when approximate), as recorded at intake.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub occurred_on: Option<String>,
    /// Sealed items, for a PSEA focal point holding the office key: the alleged
    /// perpetrator's organisation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alleged_organisation: Option<String>,
}

/// One item. Reading it is audited; opening a sealed item needs the PSEA office key (a focal
/// point's session, or a token they created with their password).
#[utoipa::path(get, path = "/api/v1/feedback/{id}", tag = "feedback",
    params(("id" = Uuid, Path, description = "The item's id")),
    responses(
        (status = 200, description = "The item", body = FeedbackDetail),
        (status = 401, description = "No valid token or session", body = ErrorBody),
        (status = 403, description = "Not allowed", body = ErrorBody),
        (status = 404, description = "No such item, or not visible to the caller", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    me: Identity,
    granted: Granted,
    Path(id): Path<Uuid>,
) -> Result<Json<FeedbackDetail>, WebError> {
    let sight = sight_of(&me);
    let key = me.office_key.as_deref().filter(|_| sight.sealed);
    let d = store::get(&state.store, &granted.0, &me.actor(), sight.sealed, key, id).await?;
    let sealed_locked = d.row.seal().is_sealed() && key.is_none();
    let contact = sight.contact && !sealed_locked;
    let links = d.links.clone();
    let mut item = item(d.row, sight);
    // A sealed item's links come from its sealed content, for the focal point who opened it.
    (item.project_id, item.sector, item.principle) = (links.project_id, links.sector, links.principle);
    Ok(Json(FeedbackDetail {
        item,
        text: (!sealed_locked).then_some(d.narrative),
        contact_name: d.contact_name.filter(|_| contact),
        contact_phone: d.contact_phone.filter(|_| contact),
        safe_contact: d.safe_contact.filter(|_| contact),
        occurred_on: d.occurred_on,
        alleged_organisation: d.alleged_organisation,
    }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct EventItem {
    #[schema(value_type = String, format = DateTime)]
    pub at: String,
    pub actor: String,
    pub step: String,
    pub status_after: String,
    pub assigned_to: Option<Uuid>,
    pub referral_kind: Option<String>,
    /// Where it was referred. A sealed item's is sealed: absent without the office key.
    pub referred_to: Option<String>,
    /// The directory service referred to.
    pub service_id: Option<Uuid>,
    /// Referrals: whether the person's consent was recorded.
    pub consent: Option<bool>,
    /// Absent when there is none, or it is sealed and the caller lacks the office key.
    pub note: Option<String>,
    /// Sealed items' respond steps: the answer given to the person, kept sealed (their
    /// status page stays neutral); absent without the office key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
}

/// The history of an item, oldest first.
#[utoipa::path(get, path = "/api/v1/feedback/{id}/events", tag = "feedback",
    params(("id" = Uuid, Path, description = "The item's id")),
    responses(
        (status = 200, description = "The steps taken", body = [EventItem]),
        (status = 404, description = "No such item, or not visible to the caller", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn events(
    State(state): State<AppState>,
    me: Identity,
    granted: Granted,
    Path(id): Path<Uuid>,
) -> Result<Json<Vec<EventItem>>, WebError> {
    let sight = sight_of(&me);
    store::visible_row(&state.store, &granted.0, sight.sealed, id).await?;
    let key = me.office_key.as_deref().filter(|_| sight.sealed);
    let events = store::lifecycle::events(&state.store, key, id).await?;
    Ok(Json(
        events
            .into_iter()
            .map(|e| EventItem {
                at: rfc3339(e.at),
                actor: e.actor,
                step: e.step,
                status_after: e.status_after,
                assigned_to: e.assigned_to,
                referral_kind: e.referral_kind.map(|k| k.code().to_owned()),
                referred_to: e.referred_to,
                service_id: e.service_id,
                consent: e.consent,
                note: e.note,
                response: e.response,
            })
            .collect(),
    ))
}

/// A step on an item.
#[derive(Deserialize, utoipa::ToSchema, Default)]
#[serde(default)]
pub struct StepBody {
    /// acknowledge, assign, refer, respond, close, reopen or note
    pub step: String,
    pub note: Option<String>,
    /// assign: the user name of the assignee.
    pub assignee: Option<String>,
    /// refer: internal or partner (open items); investigation or assistance (sealed items).
    pub referral_kind: Option<String>,
    /// refer: the team or organisation (optional with `service_id`).
    pub referred_to: Option<String>,
    /// refer: a service of the directory covering the item's place.
    pub service_id: Option<String>,
    /// respond: an approved answer, given in the person's language when it exists (unless
    /// `public_response` is given).
    pub answer_id: Option<Uuid>,
    /// refer: the person consented to the referral. Required for a partner organisation
    /// (open items) and for assistance services (sealed items); refused otherwise with 409
    /// `referral-consent-required`.
    pub consent: bool,
    /// respond: the answer to the person, shown on the public status page. For a sealed item
    /// it is kept sealed in the history and never shown there: the page stays neutral.
    pub public_response: Option<String>,
    /// respond: also send the answer to the person's phone (SMS, or WhatsApp for items that
    /// came that way); needs their consent and a configured gateway. Sealed items get a
    /// neutral message that only points to the status page.
    #[serde(default)]
    pub send_reply: bool,
    /// close: resolved, information_provided, referred_handed_over, no_action_possible, unreachable, duplicate, withdrawn, incomplete
    pub closure_reason: Option<String>,
    /// close: immediately, follow_up_call, follow_up_visit, follow_up_message, through_focal_point, community_meeting, not_possible
    pub loop_closing: Option<String>,
    /// close: satisfied, neutral, dissatisfied, not_asked
    pub satisfaction: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct StepDone {
    pub status: String,
}

/// Take a step on an item. Sealed items: PSEA focal points only.
#[utoipa::path(post, path = "/api/v1/feedback/{id}/steps", tag = "feedback", request_body = StepBody,
    params(("id" = Uuid, Path, description = "The item's id")),
    responses(
        (status = 200, description = "Done: the new status", body = StepDone),
        (status = 403, description = "Not allowed", body = ErrorBody),
        (status = 404, description = "No such item, or not visible to the caller", body = ErrorBody),
        (status = 409, description = "Not possible in the item's status", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn step(
    State(state): State<AppState>,
    me: Identity,
    granted: Granted,
    Path(id): Path<Uuid>,
    Json(body): Json<StepBody>,
) -> Result<Json<StepDone>, WebError> {
    let status = super::take_step(&state, &me, &granted.0, id, body).await?;
    Ok(Json(StepDone { status: status.code().to_owned() }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct SealBody {
    /// confirm (sealed for good) or unseal (not sensitive after all).
    pub decision: String,
    /// confirm: the sensitive sub-type.
    pub sensitive_type: Option<String>,
    /// Why: recorded, sealed, in the history.
    pub reason: String,
}

/// A PSEA focal point's decision on a sealed or provisionally sealed item.
#[utoipa::path(post, path = "/api/v1/feedback/{id}/seal", tag = "feedback", request_body = SealBody,
    params(("id" = Uuid, Path, description = "The item's id")),
    responses(
        (status = 204, description = "Decided"),
        (status = 400, description = "The office key is not in this session or token (code office-key-needed)", body = ErrorBody),
        (status = 403, description = "Not a PSEA focal point", body = ErrorBody),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn seal(
    State(state): State<AppState>,
    me: Identity,
    granted: Granted,
    Path(id): Path<Uuid>,
    Json(body): Json<SealBody>,
) -> Result<StatusCode, WebError> {
    super::decide_seal(&state, &me, &granted.0, id, &body.decision, body.sensitive_type.as_deref(), &body.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct StandDownBody {
    /// The PSEA focal point to stand down (may be the caller).
    pub username: String,
    /// named-in-report or conflict-of-interest
    pub reason: String,
}

/// Stand a PSEA focal point down from a sealed report: they no longer find, open or act on
/// it. Refused when nobody else could take it.
#[utoipa::path(post, path = "/api/v1/feedback/{id}/stand-down", tag = "feedback", request_body = StandDownBody,
    responses(
        (status = 204, description = "Stood down"),
        (status = 404, description = "No such sealed item for the caller", body = ErrorBody),
        (status = 409, description = "They are the last focal point who could take it", body = ErrorBody),
        (status = 422, description = "Unknown user, not a focal point, or unknown reason", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn stand_down(
    State(state): State<AppState>,
    me: Identity,
    granted: Granted,
    Path(id): Path<Uuid>,
    Json(body): Json<StandDownBody>,
) -> Result<StatusCode, WebError> {
    super::stand_down(&state, &me, &granted.0, id, &body.username, &body.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ImportParams {
    /// The file's name, used in messages (default `upload`).
    pub name: Option<String>,
}

impl ImportParams {
    pub fn file_name(&self) -> &str {
        self.name.as_deref().filter(|n| !n.is_empty()).unwrap_or("upload")
    }
}

/// Import a feedback log: the body is a CSV (UTF-8) or XLSX file with a header row. Columns are
/// found by their usual names (text or feedback message, channel, category, location, sex, age,
/// received...). All rows or none: any problem is reported with its line and column.
#[utoipa::path(post, path = "/api/v1/feedback/import", tag = "feedback", params(ImportParams),
    request_body(content = Vec<u8>, content_type = "text/csv"),
    responses(
        (status = 201, description = "Imported", body = crate::feedback::import::ImportReport),
        (status = 403, description = "Not allowed", body = ErrorBody),
        (status = 422, description = "Problems, each with its line and column; nothing was stored", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn import(
    State(state): State<AppState>,
    me: Identity,
    _g: Granted,
    Query(q): Query<ImportParams>,
    body: axum::body::Bytes,
) -> Result<Response, WebError> {
    let lexicon = haven_store::feedback::lexicon::current(&state.store).await?;
    let report = super::import::import_file(&state.store, &lexicon, &me.actor(), q.file_name(), &body).await?;
    Ok((StatusCode::CREATED, Json(report)).into_response())
}
