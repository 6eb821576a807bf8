//! Community feedback and complaints: intake on the public form, the JSON API and (later)
//! the messaging webhooks, all through [`intake`]; lists and reads that show each caller
//! only what they may see; the public status page.

pub mod api;
pub mod dashboard;
pub mod export;
pub mod import;
pub mod pages;
pub mod public;
pub mod webhooks;

use haven_core::authz::{Access, Permission, decide};
use haven_core::feedback::{
    LoopClosing, RawSubmission, ReferralKind, Satisfaction, Seal, SensitiveType, ServiceLevels, Status, Step,
};
use haven_store::feedback::lifecycle::{ActError, SealDecision, StepInput, close_step};
use haven_store::feedback::{self as store, NewFeedback, RecordError, Recorded};
use haven_store::identity::Actor;
use uuid::Uuid;

use crate::AppState;
use crate::error::WebError;
use crate::identity::Identity;

/// Check, screen, seal if sensitive, and store one submission. The response is sent only
/// after the record and its audit entry are committed.
pub async fn intake(
    state: &AppState,
    raw: RawSubmission,
    channel_message_id: Option<&str>,
    recorded_by: Option<&Actor>,
) -> Result<Recorded, WebError> {
    intake_at(state, raw, channel_message_id, recorded_by, None).await
}

/// [`intake`] for a message the channel received at `received_at` (now when absent or in
/// the future).
pub async fn intake_at(
    state: &AppState,
    raw: RawSubmission,
    channel_message_id: Option<&str>,
    recorded_by: Option<&Actor>,
    received_at: Option<time::OffsetDateTime>,
) -> Result<Recorded, WebError> {
    let now = haven_store::now_utc();
    let received_at = received_at.filter(|t| *t <= now).unwrap_or(now);
    let mut submission =
        raw.validate().map_err(|problems| WebError::Invalid(problems.iter().map(|p| (p.field, p.code)).collect()))?;
    if let Some(code) = &submission.category {
        // A category such as "allegation of SEA" declares the item sensitive.
        let implied =
            store::category(&state.store, code).await?.ok_or(WebError::Invalid(vec![("category", "unknown-code")]))?;
        submission.sensitive_type = submission.sensitive_type.or(implied);
    }
    let (sensitive_type, seal) = screen(&state.lexicon, &submission);
    let levels = service_levels(&state.store).await?;
    let item = NewFeedback {
        submission,
        sensitive_type,
        seal,
        channel_message_id: channel_message_id.map(str::to_owned),
        received_at,
        recorded_by: recorded_by.cloned(),
        levels,
    };
    let recorded = state.intake.record(item).await.map_err(|e| match e {
        RecordError::UnknownLocation(_) => WebError::Invalid(vec![("location", "unknown-location")]),
        RecordError::SealingUnavailable => WebError::Unavailable("feedback-not-set-up"),
        RecordError::Store(e) => e.into(),
    })?;
    if recorded.created && recorded.sealed {
        notify_focal_points(state, recorded.id).await;
    }
    Ok(recorded)
}

/// Tell every PSEA focal point, in the app, that a sealed item arrived: its id only, never
/// its content. The item is stored whatever happens here; a failure is logged.
async fn notify_focal_points(state: &AppState, id: Uuid) {
    let sent = async {
        let holders = haven_store::identity::holders_of(&state.store, haven_core::authz::Role::PseaFocalPoint).await?;
        haven_store::notifications::notify(&state.store, &holders, "feedback-sealed", Some(id)).await
    };
    if let Err(e) = sent.await {
        tracing::warn!(error = %e, "focal points not notified of a sealed item");
    }
}

/// The sensitive type to record and the seal: sealed when declared, provisionally sealed when
/// only the keyword screen finds something.
pub fn screen(
    lexicon: &haven_core::feedback::Lexicon,
    s: &haven_core::feedback::Submission,
) -> (Option<SensitiveType>, Seal) {
    let proposed = lexicon.propose(s.sensitive_type, &s.text);
    let seal = match (s.sensitive_type, proposed) {
        (Some(_), _) => Seal::Sealed,
        (None, Some(_)) => Seal::Provisional,
        (None, None) => Seal::Open,
    };
    (proposed, seal)
}

/// The operation's service levels (settings `feedback.*`), defaults where unset.
pub async fn service_levels(store: &haven_store::Store) -> Result<ServiceLevels, WebError> {
    let mut levels = ServiceLevels::default();
    let read = |v: Option<String>| v.and_then(|v| v.trim().parse::<i64>().ok());
    let settings = haven_store::settings::all(store).await?;
    let get = |key: &str| settings.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    if let Some(h) = read(get("feedback.acknowledge_hours")).and_then(|v| u32::try_from(v).ok()).filter(|v| *v > 0) {
        levels.acknowledge_hours = h;
    }
    if let Some(d) = read(get("feedback.respond_days")).and_then(|v| u32::try_from(v).ok()).filter(|v| *v > 0) {
        levels.respond_days = d;
    }
    if let Some(h) = read(get("feedback.referral_hours")).and_then(|v| u32::try_from(v).ok()).filter(|v| *v > 0) {
        levels.referral_hours = h;
    }
    if let Some(m) = read(get("feedback.utc_offset_minutes")).and_then(|v| i32::try_from(v).ok()) {
        levels.utc_offset_minutes = m;
    }
    Ok(levels)
}

/// What the caller may see of feedback beyond unsealed items.
#[derive(Debug, Clone, Copy)]
pub struct Sight {
    /// PSEA focal points: sealed items appear in their lists.
    pub sealed: bool,
    /// Contact details of unsealed items: roles that record and handle feedback.
    pub contact: bool,
}

pub fn sight_of(me: &Identity) -> Sight {
    Sight {
        sealed: decide(&me.principal, Permission::SealedRead).is_ok(),
        contact: decide(&me.principal, Permission::FeedbackWrite).is_ok()
            || decide(&me.principal, Permission::SealedRead).is_ok(),
    }
}

/// Read an optional code field: absent or empty is `None`, an unknown code is a field error.
fn code_field<T>(
    value: Option<&str>,
    field: &'static str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>, WebError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => parse(v).map(Some).ok_or(WebError::Invalid(vec![(field, "unknown-code")])),
    }
}

/// Take a step on an item the caller can see: open items need `feedback-write`, sealed
/// ones `sealed-write` (PSEA focal points).
pub async fn take_step(
    state: &AppState,
    me: &Identity,
    access: &Access,
    id: Uuid,
    body: api::StepBody,
) -> Result<Status, WebError> {
    let sight = sight_of(me);
    let row = store::visible_row(&state.store, access, sight.sealed, id).await?;
    let needed = if row.seal().is_sealed() { Permission::SealedWrite } else { Permission::FeedbackWrite };
    decide(&me.principal, needed).map_err(|_| WebError::Forbidden)?;
    let step = match body.step.trim() {
        "acknowledge" => Step::Acknowledge,
        "assign" => Step::Assign,
        "respond" => Step::Respond,
        "reopen" => Step::Reopen,
        "note" => Step::Note,
        "refer" => Step::Refer(
            code_field(body.referral_kind.as_deref(), "referral_kind", ReferralKind::from_code)?
                .ok_or(WebError::Invalid(vec![("referral_kind", "required")]))?,
        ),
        "close" => close_step(body.closure_reason.as_deref().unwrap_or("").trim())
            .ok_or(WebError::Invalid(vec![("closure_reason", "required")]))?,
        "" => return Err(WebError::Invalid(vec![("step", "required")])),
        _ => return Err(WebError::Invalid(vec![("step", "unknown-code")])),
    };
    let assignee = match (step, body.assignee.as_deref().map(str::trim).filter(|a| !a.is_empty())) {
        (Step::Assign, None) => return Err(WebError::Invalid(vec![("assignee", "required")])),
        (Step::Assign, Some(name)) => Some(
            haven_store::identity::user_id_by_username(&state.store, &name.to_ascii_lowercase())
                .await
                .map_err(|_| WebError::Invalid(vec![("assignee", "unknown-user")]))?,
        ),
        _ => None,
    };
    if matches!(step, Step::Refer(_)) && body.referred_to.as_deref().is_none_or(|r| r.trim().is_empty()) {
        return Err(WebError::Invalid(vec![("referred_to", "required")]));
    }
    if step == Step::Note && body.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
        return Err(WebError::Invalid(vec![("note", "required")]));
    }
    let input = StepInput {
        note: body.note,
        assignee,
        referred_to: body.referred_to,
        consent: body.consent,
        public_response: body.public_response,
        loop_closing: code_field(body.loop_closing.as_deref(), "loop_closing", LoopClosing::from_code)?,
        satisfaction: code_field(body.satisfaction.as_deref(), "satisfaction", Satisfaction::from_code)?,
    };
    let key = me.office_key.as_deref().filter(|_| sight.sealed);
    store::lifecycle::act(&state.store, &me.actor(), key, id, step, &input).await.map_err(|e| match e {
        ActError::Step(s) => WebError::Conflict { code: s.code(), field: None },
        ActError::LoopClosingMissing => WebError::Invalid(vec![("loop_closing", "required")]),
        ActError::NoOfficeKey => WebError::BadRequest { code: "office-key-needed", field: None },
        ActError::Changed => WebError::Conflict { code: "changed", field: None },
        ActError::Store(e) => e.into(),
    })
}

/// A PSEA focal point confirms or lifts a seal; needs the office key in the session or token.
pub async fn decide_seal(
    state: &AppState,
    me: &Identity,
    access: &Access,
    id: Uuid,
    decision: &str,
    sensitive_type: Option<&str>,
    reason: &str,
) -> Result<(), WebError> {
    store::visible_row(&state.store, access, true, id).await?;
    let Some(key) = me.office_key.as_deref() else {
        return Err(WebError::BadRequest { code: "office-key-needed", field: None });
    };
    if reason.trim().is_empty() {
        return Err(WebError::Invalid(vec![("reason", "required")]));
    }
    let decision = match decision.trim() {
        "confirm" => SealDecision::Confirm(
            code_field(sensitive_type, "sensitive_type", SensitiveType::from_code)?
                .ok_or(WebError::Invalid(vec![("sensitive_type", "required")]))?,
        ),
        "unseal" => SealDecision::Unseal,
        _ => return Err(WebError::Invalid(vec![("decision", "unknown-code")])),
    };
    store::lifecycle::decide_seal(&state.store, &me.actor(), key, id, decision, reason).await.map_err(|e| match e {
        haven_store::StoreError::Invalid(_) => WebError::Conflict { code: "not-sealed", field: None },
        other => other.into(),
    })
}
