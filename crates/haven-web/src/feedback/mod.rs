//! Community feedback and complaints: intake on the public form, the JSON API and (later)
//! the messaging webhooks, all through [`intake`]; lists and reads that show each caller
//! only what they may see; the public status page.

pub mod api;
pub mod public;
pub mod webhooks;

use haven_core::authz::{Permission, decide};
use haven_core::feedback::{RawSubmission, Seal, ServiceLevels};
use haven_store::feedback::{self as store, NewFeedback, RecordError, Recorded};
use haven_store::identity::Actor;

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
    let submission =
        raw.validate().map_err(|problems| WebError::Invalid(problems.iter().map(|p| (p.field, p.code)).collect()))?;
    let sensitive_type = state.lexicon.propose(submission.sensitive_type, &submission.text);
    let seal = match (submission.sensitive_type, sensitive_type) {
        (Some(_), _) => Seal::Sealed,
        (None, Some(_)) => Seal::Provisional,
        (None, None) => Seal::Open,
    };
    let levels = service_levels(state).await?;
    let new = NewFeedback {
        submission: &submission,
        sensitive_type,
        seal,
        channel_message_id,
        received_at,
        recorded_by,
        levels: &levels,
    };
    store::record(&state.store, new).await.map_err(|e| match e {
        RecordError::UnknownLocation(_) => WebError::Invalid(vec![("location", "unknown-location")]),
        RecordError::SealingUnavailable => WebError::Unavailable("feedback-not-set-up"),
        RecordError::Store(e) => e.into(),
    })
}

/// The operation's service levels (settings `feedback.*`), defaults where unset.
pub async fn service_levels(state: &AppState) -> Result<ServiceLevels, WebError> {
    let mut levels = ServiceLevels::default();
    let read = |v: Option<String>| v.and_then(|v| v.trim().parse::<i64>().ok());
    let settings = haven_store::settings::all(&state.store).await?;
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
