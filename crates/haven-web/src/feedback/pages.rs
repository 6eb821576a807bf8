//! The staff pages: the feedback list, one item with its history and the steps the caller
//! may take, and the agent form for help desks and hotlines (keyboard-driven).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use haven_core::authz::{Permission, decide};
use haven_core::catalog::CatalogKind;
use haven_core::feedback::{
    Channel, ClosureReason, Criticality, LoopClosing, RawSubmission, ReferralKind, Satisfaction, SensitiveType, Status,
};
use haven_store::feedback::{self as store, FeedbackRow, ListFilter};
use serde::Deserialize;
use uuid::Uuid;

use super::{intake, sight_of};
use crate::AppState;
use crate::authz::Granted;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::identity::Identity;
use crate::pages::Chrome;

/// A select's options: value and translated label.
type Options = Vec<(&'static str, String)>;

fn options<T: Copy>(l: Lang, prefix: &str, all: &[T], code: impl Fn(T) -> &'static str) -> Options {
    all.iter().map(|v| (code(*v), l.t(&format!("{prefix}-{}", code(*v))))).collect()
}

/// One line of the list.
pub struct Line {
    pub row: FeedbackRow,
    pub received: String,
    pub due: String,
    pub overdue: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "feedback_list.html")]
pub struct ListPage {
    c: Chrome,
    lines: Vec<Line>,
    total: i64,
    q: String,
    status: String,
    statuses: Options,
    channels: Options,
    channel: String,
    can_record: bool,
    sectors: Vec<(String, String)>,
    principles: Vec<(String, String)>,
    sector: String,
    principle: String,
    project: String,
    /// The project filter names no project.
    project_error: Option<String>,
    f: ListQuery,
    criticalities: Options,
    categories: Vec<(String, String)>,
    /// The queue filter that could not be read: its field and message.
    filter_error: Option<(&'static str, String)>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    q: String,
    status: String,
    channel: String,
    sector: String,
    principle: String,
    /// A project's code.
    project: String,
    /// Overdue, assignee, criticality, priority, place, category, dates received.
    #[serde(flatten)]
    queue: super::queues::QueueFilters,
}

pub async fn list(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    granted: Granted,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let sight = sight_of(&me);
    let (project_id, project_error) = match super::links::project_from_code(&state, &q.project).await {
        Ok(p) => (p, None),
        Err(WebError::Invalid(_)) => (None, Some(l.t("error-unknown-project"))),
        Err(e) => return Err(e),
    };
    let mut filter = ListFilter {
        status: Status::from_code(&q.status),
        channel: Channel::from_code(&q.channel),
        q: Some(q.q.clone()).filter(|s| !s.trim().is_empty()),
        project_id,
        sector: Some(q.sector.clone()).filter(|s| !s.is_empty()),
        principle: Some(q.principle.clone()).filter(|s| !s.is_empty()),
        limit: 200,
        offset: 0,
        ..Default::default()
    };
    let filter_error = match q.queue.apply(&state, &me, &mut filter).await {
        Ok(()) => None,
        Err(WebError::BadRequest { code, field: Some(field) }) => Some((field, l.t(&format!("error-{code}")))),
        Err(e) => return Err(e),
    };
    let (rows, total) = if project_error.is_some() || filter_error.is_some() {
        (Vec::new(), 0)
    } else {
        store::list(&state.store, &granted.0, sight.sealed, &filter).await?
    };
    let event = me.actor().event(haven_core::audit::actions::FEEDBACK_LISTED, "feedback", "page");
    haven_store::audit::record(&state.store.pool, &state.store.keys, &event.summary(format!("{} items", rows.len())))
        .await?;
    let now = haven_store::now_utc();
    let zone = super::zone(&state).await?;
    let lines = rows
        .into_iter()
        .map(|row| {
            let due_at = if row.status() == Some(Status::Received) { row.acknowledge_by } else { row.respond_by };
            let due_at = row.refer_by.filter(|_| row.status() == Some(Status::Received)).unwrap_or(due_at);
            Line {
                received: l.datetime_in(row.received_at, &zone),
                due: l.datetime_in(due_at, &zone),
                // As the overdue filter and escalation decide.
                overdue: !row.missed(now).is_empty(),
                row,
            }
        })
        .collect();
    let page = ListPage {
        c: Chrome::new(l, Some(&me), &state),
        lines,
        total,
        q: q.q.clone(),
        status: q.status.clone(),
        statuses: options(l, "feedback-status", Status::ALL, Status::code),
        channels: options(l, "feedback-channel", Channel::ALL, Channel::code),
        channel: q.channel.clone(),
        can_record: decide(&me.principal, Permission::FeedbackWrite).is_ok(),
        sectors: super::links::choices(&state, l, CatalogKind::Sectors).await?,
        principles: super::links::choices(&state, l, CatalogKind::Principles).await?,
        sector: q.sector.clone(),
        principle: q.principle.clone(),
        project: q.project.clone(),
        project_error,
        criticalities: options(l, "feedback-criticality", Criticality::ALL, Criticality::code),
        categories: super::links::choices(&state, l, CatalogKind::FeedbackTypology).await?,
        filter_error,
        f: q,
    };
    let status = if page.filter_error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    Ok((status, page).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "feedback_item.html")]
pub struct ItemPage {
    c: Chrome,
    d: store::FeedbackDetail,
    sealed: bool,
    locked: bool,
    show_contact: bool,
    can_act: bool,
    can_decide_seal: bool,
    received: String,
    respond_by: String,
    refer_by: Option<String>,
    history: Vec<(String, String, String, Option<String>)>,
    error: Option<String>,
    closures: Options,
    loops: Options,
    satisfactions: Options,
    referrals: Options,
    sensitive_types: Options,
    /// The respond form can also send the answer to the person's phone.
    can_reply: bool,
    /// ... and does so unless unticked (the person wrote by SMS or WhatsApp).
    reply_by_default: bool,
    /// Replies sent to the person: when, channel, delivery status.
    replies: Vec<(String, String, String)>,
    /// Sealed items: the focal points who can be stood down (user name, display name).
    focal_points: Vec<(String, String)>,
    stand_down_reasons: Options,
    /// Directory services covering the item's place that take referrals: id and label.
    services: Vec<(String, String)>,
    callbacks: Vec<CallbackLine>,
    outcomes: Options,
    can_call_back: bool,
    /// The call-back form's default time: two hours from now.
    default_due: String,
    /// The organisation's time zone, in which times are shown and typed.
    zone_name: String,
    contact_erased: Option<String>,
    answers_q: String,
    answers: Vec<super::answers::AnswerView>,
    /// The approved answer the agent chose, to send as the response.
    response: String,
    links: super::links::LinksView,
    sectors: Vec<(String, String)>,
    principles: Vec<(String, String)>,
}

/// A call-back as the item page shows it.
pub struct CallbackLine {
    pub row: haven_store::feedback::callbacks::CallbackRow,
    pub due: String,
    pub overdue: bool,
    /// The outcome's label, once recorded.
    pub outcome: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ItemQuery {
    error: String,
    /// Words to find approved answers with.
    answers_q: String,
    /// An approved answer to put in the response, and its language.
    answer: String,
    answer_language: String,
}

pub async fn item(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    granted: Granted,
    Path(id): Path<Uuid>,
    Query(q): Query<ItemQuery>,
) -> Result<Response, WebError> {
    let sight = sight_of(&me);
    let key = me.office_key.as_deref().filter(|_| sight.sealed);
    let d = store::get(&state.store, &granted.0, &me.actor(), sight.sealed, key, id).await?;
    let sealed = d.row.seal().is_sealed();
    let locked = sealed && key.is_none();
    let needed = if sealed { Permission::SealedWrite } else { Permission::FeedbackWrite };
    let zone = super::zone(&state).await?;
    let history = store::lifecycle::events(&state.store, key, id)
        .await?
        .into_iter()
        .map(|e| {
            let what = match (&e.referral_kind, &e.referred_to) {
                _ if e.deadline.is_some() => l.t1(
                    "feedback-step-escalate",
                    "deadline",
                    l.t(&format!("feedback-deadline-{}", e.deadline.map_or("", |d| d.code()))),
                ),
                (Some(k), to) => {
                    // A sealed item's target is sealed: shown only with the office key.
                    let to = to.as_deref().map(|t| format!(": {t}")).unwrap_or_default();
                    let consent = match e.consent {
                        Some(true) => format!(" · {}", l.t("feedback-with-consent")),
                        _ => String::new(),
                    };
                    format!(
                        "{} ({}{to}){consent}",
                        l.t(&format!("feedback-step-{}", e.step)),
                        l.t(&format!("feedback-referral-{}", k.code()))
                    )
                }
                _ => l.t(&format!("feedback-step-{}", e.step)),
            };
            // A sealed item's answer to the person is in its history only, never public.
            let what = match &e.response {
                Some(r) => format!("{what} · {}: {r}", l.t("feedback-response-sealed")),
                None => what,
            };
            (l.datetime_in(e.at, &zone), e.actor, what, e.note)
        })
        .collect();
    let referrals: &[ReferralKind] = if sealed {
        &[ReferralKind::Investigation, ReferralKind::Assistance]
    } else {
        &[ReferralKind::Internal, ReferralKind::Partner]
    };
    let replies = haven_store::feedback::outbound::replies_of(&state.store, id)
        .await?
        .into_iter()
        .map(|r| {
            let status = l.t(&format!("feedback-message-{}", r.status));
            (l.datetime_in(r.created_at, &zone), l.t(&format!("feedback-channel-{}", r.channel)), status)
        })
        .collect();
    let show_contact = sight.contact && !locked;
    // Only when a gateway carries a reply on the item's channel.
    let can_reply = state.config.outbound.route(super::reply_channel(&d.row)).is_some()
        && show_contact
        && d.row.consent_to_contact
        && d.contact_phone.as_deref().is_some_and(|p| !p.trim().is_empty());
    let reply_by_default = matches!(d.row.channel(), Some(Channel::Sms | Channel::Whatsapp));
    let focal_points = if sealed && key.is_some() { standable_focal_points(&state, id).await? } else { Vec::new() };
    let can_act = decide(&me.principal, needed).is_ok() && !locked;
    let now = haven_store::now_utc();
    let callbacks = haven_store::feedback::callbacks::of_item(&state.store, id)
        .await?
        .into_iter()
        .map(|row| CallbackLine {
            due: l.datetime_in(row.due_at, &zone),
            overdue: row.done_at.is_none() && haven_core::feedback::is_overdue(row.due_at, now),
            outcome: row.outcome().map(|o| l.t(&format!("callback-outcome-{}", o.code()))),
            row,
        })
        .collect();
    let services = if can_act && d.row.status != "closed" {
        super::directory::serving(&state, d.row.location_pcode.as_deref())
            .await?
            .into_iter()
            .map(|s| {
                (s.id.to_string(), format!("{} ({})", s.label(), l.t(&format!("service-type-{}", s.service_type))))
            })
            .collect()
    } else {
        Vec::new()
    };
    let item_language = d.row.language.clone().unwrap_or_else(|| l.code().to_owned());
    let answers = if q.answers_q.trim().is_empty() {
        Vec::new()
    } else {
        // The agent searches in any language; the text is shown in the person's.
        super::answers::found(&state, l, &q.answers_q, None, &item_language, None).await?
    };
    let response = match Uuid::parse_str(q.answer.trim()) {
        Ok(answer) => {
            let language =
                if q.answer_language.is_empty() { item_language.as_str() } else { q.answer_language.as_str() };
            super::answers::text_for(&state, answer, language).await.unwrap_or_default()
        }
        Err(_) => String::new(),
    };
    let links = if locked { Default::default() } else { super::links::view(&state, l, &d.links).await? };
    let page = ItemPage {
        c: Chrome::new(l, Some(&me), &state),
        links,
        sectors: super::links::choices(&state, l, CatalogKind::Sectors).await?,
        principles: super::links::choices(&state, l, CatalogKind::Principles).await?,
        focal_points,
        stand_down_reasons: options(l, "feedback-stand-down", &super::STAND_DOWN_REASONS, |r| r),
        can_reply,
        reply_by_default,
        replies,
        can_call_back: can_act && d.row.has_contact && d.row.consent_to_contact && d.row.contact_erased_at.is_none(),
        // Typed in the organisation's zone, like every time the page shows.
        default_due: zone
            .local(now + time::Duration::hours(2))
            .0
            .format(time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]"))
            .unwrap_or_default(),
        zone_name: zone.name().to_owned(),
        contact_erased: d.row.contact_erased_at.map(|t| l.datetime_in(t, &zone)),
        callbacks,
        outcomes: super::callbacks::outcome_choices(l),
        services,
        answers_q: q.answers_q,
        answers,
        response,
        received: l.datetime_in(d.row.received_at, &zone),
        respond_by: l.datetime_in(d.row.respond_by, &zone),
        refer_by: d.row.refer_by.map(|t| l.datetime_in(t, &zone)),
        sealed,
        locked,
        show_contact,
        can_act,
        can_decide_seal: sealed && key.is_some() && decide(&me.principal, Permission::SealedWrite).is_ok(),
        d,
        history,
        error: Some(q.error).filter(|e| !e.is_empty()).map(|e| l.t(&format!("error-{e}"))),
        closures: options(l, "feedback-closure", ClosureReason::ALL, ClosureReason::code),
        loops: options(l, "feedback-loop", LoopClosing::ALL, LoopClosing::code),
        satisfactions: options(l, "feedback-satisfaction", Satisfaction::ALL, Satisfaction::code),
        referrals: options(l, "feedback-referral", referrals, ReferralKind::code),
        sensitive_types: options(l, "feedback-about", SensitiveType::ALL, SensitiveType::code),
    };
    Ok(page.into_response())
}

/// The PSEA focal points still on a sealed report.
async fn standable_focal_points(state: &AppState, id: Uuid) -> Result<Vec<(String, String)>, WebError> {
    let recused = haven_store::feedback::outbound::recused(&state.store, id).await?;
    let mut out = Vec::new();
    for holder in haven_store::identity::holders_of(&state.store, haven_core::authz::Role::PseaFocalPoint).await? {
        if !recused.contains(&holder) {
            let user = haven_store::identity::user_summary(&state.store, holder).await?;
            out.push((user.username, user.display_name));
        }
    }
    Ok(out)
}

/// The step forms post here; any refusal comes back on the item page.
pub async fn step(
    State(state): State<AppState>,
    me: Identity,
    granted: Granted,
    Path(id): Path<Uuid>,
    Form(form): Form<super::api::StepBody>,
) -> Result<Response, WebError> {
    back_to_item(id, "", super::take_step(&state, &me, &granted.0, id, form).await.map(|_| ()))
}

/// Back to the item (at `anchor`, e.g. `#callbacks`), carrying the refusal's code when the
/// step or decision was refused.
pub fn back_to_item(id: Uuid, anchor: &str, outcome: Result<(), WebError>) -> Result<Response, WebError> {
    let code = match outcome {
        Ok(()) => return Ok(Redirect::to(&format!("/feedback/items/{id}{anchor}")).into_response()),
        Err(WebError::Invalid(p)) => p.first().map(|p| p.1).unwrap_or("invalid"),
        Err(WebError::Conflict { code, .. }) | Err(WebError::BadRequest { code, .. }) => code,
        Err(e) => return Err(e),
    };
    Ok(Redirect::to(&format!("/feedback/items/{id}?error={code}{anchor}")).into_response())
}

#[derive(Deserialize)]
pub struct SealForm {
    decision: String,
    #[serde(default)]
    sensitive_type: String,
    #[serde(default)]
    reason: String,
}

pub async fn seal(
    State(state): State<AppState>,
    me: Identity,
    granted: Granted,
    Path(id): Path<Uuid>,
    Form(form): Form<SealForm>,
) -> Result<Response, WebError> {
    let kind = Some(form.sensitive_type.as_str()).filter(|s| !s.is_empty());
    back_to_item(id, "", super::decide_seal(&state, &me, &granted.0, id, &form.decision, kind, &form.reason).await)
}

#[derive(Deserialize)]
pub struct StandDownForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    reason: String,
}

pub async fn stand_down(
    State(state): State<AppState>,
    me: Identity,
    granted: Granted,
    Path(id): Path<Uuid>,
    Form(form): Form<StandDownForm>,
) -> Result<Response, WebError> {
    let outcome = super::stand_down(&state, &me, &granted.0, id, &form.username, &form.reason).await;
    if outcome.is_ok() && form.username.trim().eq_ignore_ascii_case(&me.username) {
        // They can no longer see the item.
        return Ok(Redirect::to("/feedback").into_response());
    }
    back_to_item(id, "", outcome)
}

/// What an agent typed, kept to show the form again with its errors.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct AgentForm {
    channel: String,
    text: String,
    about: String,
    category: String,
    criticality: String,
    location: String,
    sex: String,
    age: String,
    /// The Washington Group Short Set's answers.
    #[serde(flatten)]
    functioning: super::functioning::FunctioningForm,
    contact_name: String,
    contact_phone: String,
    consent_to_contact: Option<String>,
    safe_contact: String,
    language: String,
    /// The project's code.
    project: String,
    sector: String,
    principle: String,
    /// Sensitive reports only (kept sealed): when it happened, the alleged organisation.
    occurred_on: String,
    alleged_organisation: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "feedback_record.html")]
pub struct RecordPage {
    c: Chrome,
    form: AgentForm,
    errors: Vec<(&'static str, String)>,
    channels: Options,
    abouts: Options,
    criticalities: Options,
    sexes: Options,
    wg_questions: Vec<super::functioning::Question>,
    wg_answers: Vec<(&'static str, String)>,
    locations: Vec<(String, String)>,
    categories: Vec<(String, String)>,
    sectors: Vec<(String, String)>,
    principles: Vec<(String, String)>,
    /// The reference of the item just recorded, when it was sealed (the agent cannot open it).
    sealed_reference: Option<String>,
}

impl RecordPage {
    fn error(&self, field: &str) -> Option<&str> {
        super::field_error(&self.errors, field)
    }
}

async fn record_page(
    state: &AppState,
    l: Lang,
    me: &Identity,
    form: AgentForm,
    errors: Vec<(&'static str, String)>,
    sealed_reference: Option<String>,
) -> Result<RecordPage, WebError> {
    let mut abouts = vec![("", l.t("feedback-about-general"))];
    abouts.extend(options(l, "feedback-about", SensitiveType::ALL, SensitiveType::code));
    let mut sexes = vec![("", l.t("feedback-sex-none"))];
    sexes.extend(["f", "m", "x", "u"].into_iter().map(|s| (s, l.t(&format!("feedback-sex-{s}")))));
    let locations = super::directory::location_choices(state, l).await?;
    let categories = super::answers::categories(state, l).await?;
    Ok(RecordPage {
        categories,
        c: Chrome::new(l, Some(me), state),
        wg_questions: form.functioning.questions(l),
        wg_answers: super::functioning::answer_options(l),
        form,
        errors,
        channels: options(l, "feedback-channel", &Channel::AGENT, Channel::code),
        abouts,
        criticalities: options(l, "feedback-criticality", Criticality::ALL, Criticality::code),
        sexes,
        locations,
        sectors: super::links::choices(state, l, CatalogKind::Sectors).await?,
        principles: super::links::choices(state, l, CatalogKind::Principles).await?,
        sealed_reference,
    })
}

pub async fn record_form(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    _g: Granted,
) -> Result<Response, WebError> {
    let form = AgentForm { channel: "helpdesk".into(), criticality: "to_be_clarified".into(), ..Default::default() };
    Ok(record_page(&state, l, &me, form, Vec::new(), None).await?.into_response())
}

pub async fn record_submit(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    _g: Granted,
    Form(form): Form<AgentForm>,
) -> Result<Response, WebError> {
    let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let project_id = match super::links::project_from_code(&state, &form.project).await {
        Ok(p) => p,
        Err(WebError::Invalid(problems)) => {
            let page = record_page(&state, l, &me, form, super::form_errors(l, problems), None).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        Err(e) => return Err(e),
    };
    let age = form.age.trim();
    let raw = RawSubmission {
        text: Some(form.text.clone()),
        channel: Some(form.channel.clone()),
        sensitive_type: opt(&form.about),
        category: opt(&form.category),
        criticality: opt(&form.criticality),
        location: opt(&form.location),
        sex: opt(&form.sex),
        age: if age.is_empty() { None } else { Some(age.parse::<i64>().unwrap_or(-1)) },
        functioning: form.functioning.answers(),
        contact_name: opt(&form.contact_name),
        contact_phone: opt(&form.contact_phone),
        consent_to_contact: Some(form.consent_to_contact.is_some()),
        safe_contact: opt(&form.safe_contact),
        language: opt(&form.language),
        project_id: project_id.map(|p| p.to_string()),
        sector: opt(&form.sector),
        principle: opt(&form.principle),
        occurred_on: opt(&form.occurred_on),
        alleged_organisation: opt(&form.alleged_organisation),
        ..Default::default()
    };
    match intake(&state, raw, None, Some(&me.actor())).await {
        Ok(recorded) => {
            if recorded.sealed && !sight_of(&me).sealed {
                // Once submitted, a sealed item is out of the agent's hands: only its reference.
                let fresh =
                    AgentForm { channel: form.channel, criticality: "to_be_clarified".into(), ..Default::default() };
                let page = record_page(&state, l, &me, fresh, Vec::new(), Some(recorded.reference)).await?;
                return Ok((StatusCode::CREATED, page).into_response());
            }
            Ok(Redirect::to(&format!("/feedback/items/{}", recorded.id)).into_response())
        }
        Err(WebError::Invalid(problems)) => {
            let page = record_page(&state, l, &me, form, super::form_errors(l, problems), None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e),
    }
}
