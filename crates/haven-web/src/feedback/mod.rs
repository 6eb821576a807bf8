//! Community feedback and complaints: intake on the public form, the JSON API and (later)
//! the messaging webhooks, all through [`intake`]; lists and reads that show each caller
//! only what they may see; the public status page.

pub mod answers;
pub mod api;
pub mod callbacks;
pub mod dashboard;
pub mod directory;
pub mod export;
pub mod functioning;
pub mod import;
pub mod lexicon;
pub mod links;
pub mod pages;
pub mod public;
pub mod queues;
pub mod webhooks;

use haven_core::authz::{Access, Permission, decide};
use haven_core::feedback::{
    CategoryTargets, LoopClosing, RawSubmission, ReferralKind, Satisfaction, Seal, SensitiveType, ServiceLevels,
    Status, Step,
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
    links::check(state, &submission.links).await?;
    if submission.occurred_after(received_at.date()) {
        return Err(WebError::Invalid(vec![("occurred_on", "in-the-future")]));
    }
    let lexicon = haven_store::feedback::lexicon::current(&state.store).await?;
    let (sensitive_type, seal) = screen(&lexicon, &submission);
    check_sealed_only(&submission, seal)?;
    let notice = match seal {
        Seal::Open => None,
        _ => sealed_notice(state, &submission.text).await,
    };
    let levels = levels_for(&state.store, submission.category.as_deref()).await?;
    let agency_id = intake_agency(state, submission.channel, recorded_by).await?;
    let item = NewFeedback {
        submission,
        sensitive_type,
        seal,
        channel_message_id: channel_message_id.map(str::to_owned),
        received_at,
        recorded_by: recorded_by.cloned(),
        agency_id,
        levels,
        notice,
    };
    let recorded = state.intake.record(item).await.map_err(|e| match e {
        RecordError::UnknownLocation(_) => WebError::Invalid(vec![("location", "unknown-location")]),
        RecordError::SealingUnavailable => WebError::Unavailable("feedback-not-set-up"),
        RecordError::Store(e) => e.into(),
    })?;
    Ok(recorded)
}

/// When it happened and the alleged perpetrator's organisation are the minimum of a sensitive
/// report, kept only inside its sealed content: an item that is not sealed may not carry them
/// (refused, so that nothing of an allegation is stored in the clear or silently dropped).
pub fn check_sealed_only(submission: &haven_core::feedback::Submission, seal: Seal) -> Result<(), WebError> {
    let fields = submission.sealed_only_fields();
    if seal == Seal::Open && !fields.is_empty() {
        return Err(WebError::Invalid(fields.into_iter().map(|f| (f, "sensitive-only")).collect()));
    }
    Ok(())
}

/// The setting naming the organisation that receives a channel's feedback when nobody
/// records it on someone's behalf (the public form and API, SMS, WhatsApp).
pub fn channel_agency_setting(channel: haven_core::feedback::Channel) -> String {
    format!("feedback.channel_agency.{}", channel.code())
}

/// The channels whose organisation the settings page sets.
pub const SELF_SERVICE_CHANNELS: [haven_core::feedback::Channel; 3] =
    [haven_core::feedback::Channel::Web, haven_core::feedback::Channel::Sms, haven_core::feedback::Channel::Whatsapp];

/// The organisation an item belongs to: the recording user's when staff record it, else the
/// one configured for its channel; `None` (the whole installation) when there is none.
pub async fn intake_agency(
    state: &AppState,
    channel: haven_core::feedback::Channel,
    recorded_by: Option<&Actor>,
) -> Result<Option<Uuid>, WebError> {
    if let Some(user) = recorded_by.and_then(|a| a.id) {
        return Ok(store::recording_agency(&state.store, user).await?);
    }
    // Read from the settings intake keeps for a moment, so the public channels pay nothing.
    let settings = haven_store::settings::all(&state.store).await?;
    let key = channel_agency_setting(channel);
    Ok(settings.iter().find(|(k, _)| *k == key).and_then(|(_, v)| Uuid::parse_str(v.trim()).ok()))
}

/// Who is told that a sealed item arrived, in the item's own commit: the PSEA focal points,
/// except any the report names (they are stood down from it); when that leaves nobody, the
/// escalation targets, told that a sealed report needs a focal point. When they cannot be
/// read the item is stored all the same, untold, and the failure logged.
async fn sealed_notice(state: &AppState, text: &str) -> Option<store::SealedNotice> {
    let routed = async {
        let holders = haven_store::identity::holders_of(&state.store, haven_core::authz::Role::PseaFocalPoint).await?;
        let mut recused = Vec::new();
        for holder in &holders {
            let user = haven_store::identity::user_summary(&state.store, *holder).await?;
            if haven_core::feedback::names_person(text, &user.display_name) {
                recused.push(*holder);
            }
        }
        let others: Vec<Uuid> = holders.into_iter().filter(|h| !recused.contains(h)).collect();
        let notice = if others.is_empty() {
            let told = store::outbound::targets_for(&state.store, None).await?;
            store::SealedNotice { recused, told, no_focal_point: true }
        } else {
            store::SealedNotice { recused, told: others, no_focal_point: false }
        };
        Ok::<_, haven_store::StoreError>(notice)
    };
    routed.await.map_err(|e| tracing::warn!(error = %e, "focal points not notified of a sealed item")).ok()
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

/// The setting of per-category service levels.
pub const CATEGORY_TARGETS: &str = "feedback.category_targets";

/// Per-category targets (setting `feedback.category_targets`); none when unset. The settings
/// page refuses unreadable values, so one written otherwise counts as none, with a warning.
pub async fn category_targets(store: &haven_store::Store) -> Result<CategoryTargets, WebError> {
    let settings = haven_store::settings::all(store).await?;
    let Some((_, text)) = settings.iter().find(|(k, _)| k == CATEGORY_TARGETS) else {
        return Ok(CategoryTargets::default());
    };
    Ok(CategoryTargets::parse(text).unwrap_or_else(|e| {
        tracing::warn!(error = %e, "feedback.category_targets ignored");
        CategoryTargets::default()
    }))
}

/// The service levels of an item of `category`: the general ones, or its category's.
pub async fn levels_for(store: &haven_store::Store, category: Option<&str>) -> Result<ServiceLevels, WebError> {
    Ok(service_levels(store).await?.for_category(&category_targets(store).await?, category))
}

/// The organisation's time zone (setting `organisation.time_zone`), in which feedback pages
/// show times and read typed ones; UTC when unset or not a zone Haven knows.
pub async fn zone(state: &AppState) -> Result<haven_core::settings::LocalZone, WebError> {
    let name = haven_store::settings::get(&state.store, haven_store::settings::TIME_ZONE).await?;
    Ok(name.and_then(|n| haven_core::settings::LocalZone::named(&n).ok()).unwrap_or_default())
}

/// Erase the contact details of items closed longer ago than the setting
/// `feedback.contact_erase_days` allows (90 days by default). Returns how many.
pub async fn erase_contacts(store: &haven_store::Store) -> Result<usize, WebError> {
    let retention = crate::admin::settings::contact_retention(store).await?;
    let now = haven_store::now_utc();
    // When WhatsApp senders last wrote matters for a day only.
    store::whatsapp::forget_before(store, now - crate::outbound::whatsapp::WINDOW).await?;
    Ok(store::erasure::erase_due(store, retention, now).await?)
}

/// The server's hourly erasure of contact details (the first run right after start).
pub async fn erase_contacts_periodically(store: haven_store::Store) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tick.tick().await;
        match erase_contacts(&store).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(items = n, "contact details erased after closure"),
            Err(e) => tracing::warn!(error = %e, "erasure of contact details failed"),
        }
    }
}

/// A form's field problems as its page shows them: the field and the translated message.
pub fn form_errors(l: crate::i18n::Lang, problems: Vec<(&'static str, &'static str)>) -> Vec<(&'static str, String)> {
    problems.into_iter().map(|(f, code)| (f, l.t(&format!("error-{code}")))).collect()
}

/// The message for `field` among a form's problems.
pub fn field_error<'a>(errors: &'a [(&'static str, String)], field: &str) -> Option<&'a str> {
    errors.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
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

/// The permission that works on an item: `sealed-write` (PSEA focal points) for sealed
/// ones, `feedback-write` for the others.
pub fn work_permission(row: &store::FeedbackRow) -> Permission {
    if row.seal().is_sealed() { Permission::SealedWrite } else { Permission::FeedbackWrite }
}

/// An item the caller can see and may work on (steps, call-backs).
pub async fn workable_row(
    state: &AppState,
    me: &Identity,
    access: &Access,
    id: Uuid,
) -> Result<store::FeedbackRow, WebError> {
    let row = store::visible_row(&state.store, access, sight_of(me).sealed, id).await?;
    decide(&me.principal, work_permission(&row)).map_err(|_| WebError::Forbidden)?;
    Ok(row)
}

/// A directory service to refer an item to: active, taking referrals, and covering the
/// item's place when it has one.
async fn referral_service(state: &AppState, row: &store::FeedbackRow, id: Uuid) -> Result<String, WebError> {
    let service = haven_store::feedback::directory::get(&state.store, id)
        .await
        .map_err(|_| WebError::Invalid(vec![("service_id", "unknown-service")]))?;
    if !service.active || !service.accepts_referrals {
        return Err(WebError::Invalid(vec![("service_id", "service-no-referrals")]));
    }
    if row.location_path.as_deref().is_some_and(|p| !service.serves(p)) {
        return Err(WebError::Invalid(vec![("service_id", "service-not-here")]));
    }
    Ok(service.label())
}

/// Take a step on an item the caller can see: open items need `feedback-write`, sealed
/// ones `sealed-write` (PSEA focal points).
pub async fn take_step(
    state: &AppState,
    me: &Identity,
    access: &Access,
    id: Uuid,
    mut body: api::StepBody,
) -> Result<Status, WebError> {
    let sight = sight_of(me);
    let row = workable_row(state, me, access, id).await?;
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
    let service_id = match (step, body.service_id.as_deref().map(str::trim).filter(|s| !s.is_empty())) {
        (Step::Refer(_), Some(service)) => {
            let service =
                Uuid::parse_str(service).map_err(|_| WebError::Invalid(vec![("service_id", "unknown-service")]))?;
            let label = referral_service(state, &row, service).await?;
            if body.referred_to.as_deref().is_none_or(|r| r.trim().is_empty()) {
                body.referred_to = Some(label);
            }
            Some(service)
        }
        _ => None,
    };
    if matches!(step, Step::Refer(_)) && body.referred_to.as_deref().is_none_or(|r| r.trim().is_empty()) {
        return Err(WebError::Invalid(vec![("referred_to", "required")]));
    }
    if let (Step::Respond, Some(answer)) = (step, body.answer_id)
        && body.public_response.as_deref().is_none_or(|r| r.trim().is_empty())
    {
        // An approved answer, in the person's language when there is one.
        let language = row.language.as_deref().unwrap_or("en");
        body.public_response = Some(
            answers::text_for(state, answer, language)
                .await
                .map_err(|_| WebError::Invalid(vec![("answer_id", "unknown-answer")]))?,
        );
    }
    if step == Step::Note && body.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
        return Err(WebError::Invalid(vec![("note", "required")]));
    }
    let key = me.office_key.as_deref().filter(|_| sight.sealed);
    let reply = match (step, body.send_reply) {
        (Step::Respond, true) => {
            Some(reply_to_person(state, me, access, key, id, body.public_response.as_deref()).await?)
        }
        _ => None,
    };
    let input = StepInput {
        note: body.note,
        assignee,
        referred_to: body.referred_to,
        service_id,
        consent: body.consent,
        public_response: body.public_response,
        loop_closing: code_field(body.loop_closing.as_deref(), "loop_closing", LoopClosing::from_code)?,
        satisfaction: code_field(body.satisfaction.as_deref(), "satisfaction", Satisfaction::from_code)?,
        reply,
    };
    store::lifecycle::act(&state.store, &me.actor(), key, id, step, &input).await.map_err(|e| match e {
        ActError::Step(s) => WebError::Conflict { code: s.code(), field: None },
        ActError::LoopClosingMissing => WebError::Invalid(vec![("loop_closing", "required")]),
        ActError::NoOfficeKey => WebError::BadRequest { code: "office-key-needed", field: None },
        ActError::Changed => WebError::Conflict { code: "changed", field: None },
        ActError::Store(e) => e.into(),
    })
}

/// The message that answers the person on their phone: the public response in their
/// language, or for a sealed item a neutral pointer to the status page (a shared phone must
/// not reveal a complaint about abuse).
async fn reply_to_person(
    state: &AppState,
    me: &Identity,
    access: &Access,
    key: Option<&haven_store::sealing::OfficeKey>,
    id: Uuid,
    response: Option<&str>,
) -> Result<store::outbound::Reply, WebError> {
    let gateway_off = || WebError::Invalid(vec![("send_reply", "gateway-off")]);
    let outbound = &state.config.outbound;
    if outbound.sms.is_none() && outbound.whatsapp.is_none() {
        return Err(gateway_off());
    }
    let Some(response) = response.map(str::trim).filter(|r| !r.is_empty()) else {
        return Err(WebError::Invalid(vec![("public_response", "required")]));
    };
    let d = store::get(&state.store, access, &me.actor(), sight_of(me).sealed, key, id).await?;
    let phone = d.contact_phone.as_deref().map(str::trim).filter(|p| !p.is_empty());
    let (Some(phone), true) = (phone, d.row.consent_to_contact) else {
        return Err(WebError::Invalid(vec![("send_reply", "no-consented-contact")]));
    };
    let l = d.row.language.as_deref().and_then(crate::i18n::Lang::from_code).unwrap_or_default();
    let text = if d.row.seal().is_sealed() {
        l.t1("feedback-reply-neutral", "reference", &d.row.reference)
    } else {
        l.t2("feedback-reply", "reference", &d.row.reference, "response", response)
    };
    let channel = reply_channel(&d.row);
    if outbound.route(channel).is_none() {
        return Err(gateway_off());
    }
    Ok(store::outbound::Reply { channel, to: phone.to_owned(), text })
}

/// The channel a reply to the person goes back on: WhatsApp for an item that came by
/// WhatsApp, a text message for any other.
pub fn reply_channel(row: &store::FeedbackRow) -> haven_core::feedback::Channel {
    match row.channel() {
        Some(haven_core::feedback::Channel::Whatsapp) => haven_core::feedback::Channel::Whatsapp,
        _ => haven_core::feedback::Channel::Sms,
    }
}

/// Why a focal point is stood down from a sealed report.
pub const STAND_DOWN_REASONS: [&str; 2] = [store::outbound::RECUSAL_NAMED, "conflict-of-interest"];

/// A PSEA focal point stands a focal point (themselves or another) down from a sealed
/// report: it names them in other words, or they have a conflict of interest. At least one
/// focal point must still be able to take the report.
pub async fn stand_down(
    state: &AppState,
    me: &Identity,
    access: &Access,
    id: Uuid,
    username: &str,
    reason: &str,
) -> Result<(), WebError> {
    let row = store::visible_row(&state.store, access, true, id).await?;
    if !row.seal().is_sealed() {
        return Err(WebError::Conflict { code: "not-sealed", field: None });
    }
    let Some(reason) = STAND_DOWN_REASONS.into_iter().find(|r| *r == reason.trim()) else {
        return Err(WebError::Invalid(vec![("reason", "unknown-code")]));
    };
    let user = haven_store::identity::user_id_by_username(&state.store, &username.trim().to_ascii_lowercase())
        .await
        .map_err(|_| WebError::Invalid(vec![("username", "unknown-user")]))?;
    let holders = haven_store::identity::holders_of(&state.store, haven_core::authz::Role::PseaFocalPoint).await?;
    if !holders.contains(&user) {
        return Err(WebError::Invalid(vec![("username", "not-a-focal-point")]));
    }
    let recused = store::outbound::recused(&state.store, id).await?;
    if holders.iter().all(|h| *h == user || recused.contains(h)) {
        return Err(WebError::Conflict { code: "last-focal-point", field: Some("username") });
    }
    store::outbound::recuse(&state.store, &me.actor(), id, &[user], reason).await?;
    Ok(())
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
