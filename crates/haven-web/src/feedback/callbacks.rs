//! Call-backs for help desks and hotlines: scheduled on an item (its safe-contact preference
//! shown beside the form), listed as a queue of what is due per agent and for the team, and
//! closed with an outcome. Sealed items' call-backs are for PSEA focal points only.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use haven_core::authz::{Access, decide};
use haven_core::feedback::{CallbackOutcome, is_overdue};
use haven_store::feedback::callbacks::{self as store, CallbackError, QueueEntry};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::pages::back_to_item;
use super::{sight_of, work_permission, workable_row};
use crate::AppState;
use crate::authz::Granted;
use crate::error::{ErrorBody, WebError};
use crate::i18n::Lang;
use crate::identity::Identity;
use crate::pages::Chrome;

fn callback_error(e: CallbackError) -> WebError {
    match e {
        CallbackError::NoContact => WebError::Conflict { code: "no-contact", field: None },
        CallbackError::AlreadyDone => WebError::Conflict { code: "callback-done", field: None },
        CallbackError::Store(e) => e.into(),
    }
}

/// A due time as typed: RFC 3339, or a form's `YYYY-MM-DDTHH:MM` in the organisation's time
/// zone (as pages show times).
pub fn parse_due(value: &str, zone: &haven_core::settings::LocalZone) -> Option<OffsetDateTime> {
    let value = value.trim();
    if let Ok(t) = OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339) {
        return Some(t);
    }
    let local = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    time::PrimitiveDateTime::parse(value, &local).ok().and_then(|t| zone.moment(t))
}

/// Schedule a call-back on an item the caller may work on, for `assignee` (a user name; the
/// caller when empty), who must be able to work on it too.
async fn schedule(
    state: &AppState,
    me: &Identity,
    access: &Access,
    item: Uuid,
    due: &str,
    assignee: Option<&str>,
) -> Result<Uuid, WebError> {
    let row = workable_row(state, me, access, item).await?;
    let due_at =
        parse_due(due, &super::zone(state).await?).ok_or(WebError::Invalid(vec![("due_at", "invalid-time")]))?;
    let assignee = match assignee.map(str::trim).filter(|a| !a.is_empty()) {
        None => me.user_id(),
        Some(name) => {
            let id = haven_store::identity::user_id_by_username(&state.store, &name.to_ascii_lowercase())
                .await
                .map_err(|_| WebError::Invalid(vec![("assignee", "unknown-user")]))?;
            let principal = haven_store::identity::principal(&state.store, id).await?;
            // A sealed item's call-back goes to a PSEA focal point, an open one's to an agent.
            decide(&principal, work_permission(&row))
                .map_err(|_| WebError::Invalid(vec![("assignee", "assignee-not-allowed")]))?;
            id
        }
    };
    store::schedule(&state.store, &me.actor(), &row, due_at, assignee).await.map_err(callback_error)
}

/// Record a call-back's outcome, if the caller may work on its item.
async fn record(
    state: &AppState,
    me: &Identity,
    access: &Access,
    callback: Uuid,
    outcome: &str,
) -> Result<Uuid, WebError> {
    let outcome =
        CallbackOutcome::from_code(outcome.trim()).ok_or(WebError::Invalid(vec![("outcome", "unknown-code")]))?;
    let item = store::item_of(&state.store, callback).await?;
    workable_row(state, me, access, item).await?;
    store::record_outcome(&state.store, &me.actor(), callback, outcome).await.map_err(callback_error)?;
    Ok(item)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ScheduleForm {
    due_at: String,
    assignee: String,
}

pub async fn schedule_form(
    State(state): State<AppState>,
    me: Identity,
    granted: Granted,
    Path(id): Path<Uuid>,
    Form(form): Form<ScheduleForm>,
) -> Result<Response, WebError> {
    let done = schedule(&state, &me, &granted.0, id, &form.due_at, Some(&form.assignee)).await;
    back_to_item(id, "#callbacks", done.map(|_| ()))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OutcomeForm {
    outcome: String,
    /// Where to go back: `queue` or the item (default).
    back: String,
}

pub async fn outcome_form(
    State(state): State<AppState>,
    me: Identity,
    granted: Granted,
    Path(id): Path<Uuid>,
    Form(form): Form<OutcomeForm>,
) -> Result<Response, WebError> {
    let item = store::item_of(&state.store, id).await?;
    let done = record(&state, &me, &granted.0, id, &form.outcome).await.map(|_| ());
    if form.back == "queue" && done.is_ok() {
        return Ok(Redirect::to("/feedback/callbacks").into_response());
    }
    back_to_item(item, "#callbacks", done)
}

/// One line of the queue.
pub struct QueueLine {
    pub e: QueueEntry,
    pub due: String,
    pub overdue: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "feedback_callbacks.html")]
pub struct QueuePage {
    c: Chrome,
    team: bool,
    lines: Vec<QueueLine>,
    outcomes: Vec<(&'static str, String)>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct QueueQuery {
    /// `team` for everyone's call-backs; the caller's own otherwise.
    who: String,
}

async fn queue_of(state: &AppState, me: &Identity, access: &Access, team: bool) -> Result<Vec<QueueEntry>, WebError> {
    let sight = sight_of(me);
    let key = me.office_key.as_deref().filter(|_| sight.sealed);
    let mine = (!team).then(|| me.user_id());
    Ok(store::queue(&state.store, access, &me.actor(), sight.sealed, sight.contact, key, mine).await?)
}

pub fn outcome_choices(l: Lang) -> Vec<(&'static str, String)> {
    CallbackOutcome::ALL.iter().map(|o| (o.code(), l.t(&format!("callback-outcome-{}", o.code())))).collect()
}

pub async fn page(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    granted: Granted,
    Query(q): Query<QueueQuery>,
) -> Result<Response, WebError> {
    let team = q.who == "team";
    let now = haven_store::now_utc();
    let zone = super::zone(&state).await?;
    let lines = queue_of(&state, &me, &granted.0, team)
        .await?
        .into_iter()
        .map(|e| QueueLine {
            due: l.datetime_in(e.callback.due_at, &zone),
            overdue: is_overdue(e.callback.due_at, now),
            e,
        })
        .collect();
    let page = QueuePage { c: Chrome::new(l, Some(&me), &state), team, lines, outcomes: outcome_choices(l) };
    Ok(page.into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ScheduleBody {
    /// When to call, RFC 3339.
    pub due_at: String,
    /// The user name of the agent who will call; the caller when absent.
    pub assignee: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CallbackCreated {
    pub id: Uuid,
}

/// Schedule a call-back on an item (the person must have left contact details with consent).
#[utoipa::path(post, path = "/api/v1/feedback/{id}/callbacks", tag = "feedback", request_body = ScheduleBody,
    params(("id" = Uuid, Path, description = "The item's id")),
    responses(
        (status = 201, description = "Scheduled", body = CallbackCreated),
        (status = 403, description = "Not allowed to work on this item", body = ErrorBody),
        (status = 404, description = "No such item, or not visible to the caller", body = ErrorBody),
        (status = 409, description = "No contact details to call (code no-contact)", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn api_schedule(
    State(state): State<AppState>,
    me: Identity,
    granted: Granted,
    Path(id): Path<Uuid>,
    Json(body): Json<ScheduleBody>,
) -> Result<Response, WebError> {
    let id = schedule(&state, &me, &granted.0, id, &body.due_at, body.assignee.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(CallbackCreated { id })).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct OutcomeBody {
    /// reached, no_answer, unsafe_to_talk or wrong_number
    pub outcome: String,
}

/// Record how a call-back went; it joins the item's history.
#[utoipa::path(post, path = "/api/v1/callbacks/{id}/outcome", tag = "feedback", request_body = OutcomeBody,
    params(("id" = Uuid, Path, description = "The call-back's id")),
    responses(
        (status = 204, description = "Recorded"),
        (status = 404, description = "No such call-back, or its item is not visible to the caller", body = ErrorBody),
        (status = 409, description = "It already has an outcome (code callback-done)", body = ErrorBody),
        (status = 422, description = "Unknown outcome", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn api_outcome(
    State(state): State<AppState>,
    me: Identity,
    granted: Granted,
    Path(id): Path<Uuid>,
    Json(body): Json<OutcomeBody>,
) -> Result<StatusCode, WebError> {
    record(&state, &me, &granted.0, id, &body.outcome).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CallbackItem {
    pub id: Uuid,
    pub feedback_id: Uuid,
    pub reference: String,
    #[schema(value_type = String, format = DateTime)]
    pub due_at: String,
    pub overdue: bool,
    pub assignee: String,
    /// Present only for roles that handle contacts (and, for sealed items, with the office key).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_phone: Option<String>,
    /// When and how it is safe to call.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safe_contact: Option<String>,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct QueueParams {
    /// `team` for everyone's call-backs; the caller's own otherwise.
    pub who: Option<String>,
}

/// Pending call-backs, the earliest due first. Reading contacts here is audited.
#[utoipa::path(get, path = "/api/v1/callbacks", tag = "feedback", params(QueueParams),
    responses((status = 200, description = "The queue", body = [CallbackItem])),
    security(("bearer" = [])))]
pub async fn api_queue(
    State(state): State<AppState>,
    me: Identity,
    granted: Granted,
    Query(q): Query<QueueParams>,
) -> Result<Json<Vec<CallbackItem>>, WebError> {
    let now = haven_store::now_utc();
    let rfc = |t: OffsetDateTime| t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    let entries = queue_of(&state, &me, &granted.0, q.who.as_deref() == Some("team")).await?;
    Ok(Json(
        entries
            .into_iter()
            .map(|e| {
                let contact = e.contact.unwrap_or_default();
                CallbackItem {
                    id: e.callback.id,
                    feedback_id: e.callback.feedback_id,
                    reference: e.reference,
                    due_at: rfc(e.callback.due_at),
                    overdue: is_overdue(e.callback.due_at, now),
                    assignee: e.callback.assignee,
                    contact_name: contact.name,
                    contact_phone: contact.phone,
                    safe_contact: contact.safe_contact,
                }
            })
            .collect(),
    ))
}
