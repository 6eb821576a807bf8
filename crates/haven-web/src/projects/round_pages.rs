//! The pages of monitoring rounds, evaluation and lessons: the rounds of a project with the
//! trend per principle, one round in one view, and the evaluation's lessons with the closing;
//! plus the carried lessons a project in design shows on its own page.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use haven_core::authz::{Access, Permission};
use haven_core::catalog::CatalogKind;
use haven_core::projects::{Answer, CyclePhase, Principle, ProjectStatus, RawAnswer, RawLesson, RawUptake};
use haven_store::projects::{self as store, ClosingBlocked, Project};
use serde::Deserialize;
use uuid::Uuid;

use super::pages::{Choices, catalog_choices, coded_choices};
use super::rounds::{
    FeedbackTrend, RoundContext, add_lesson, checked_answers, is_open, note_of, open, read_access, record_uptake,
    risk_overdue, round_context, rounds_with_scores, today,
};
use super::visible;
use crate::AppState;
use crate::authz::Granted;
use crate::charts::LineChart;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::identity::Identity;
use crate::pages::Chrome;

/// A catalog's names in the reader's language, by code.
async fn names(state: &AppState, l: Lang, kind: CatalogKind) -> Result<HashMap<String, String>, WebError> {
    Ok(catalog_choices(state, l, kind).await?.into_iter().collect())
}

fn name(names: &HashMap<String, String>, code: &str) -> String {
    names.get(code).cloned().unwrap_or_else(|| code.to_owned())
}

fn percent_text(l: Lang, p: Option<u32>) -> String {
    p.map(|p| format!("{}%", l.number(i64::from(p)))).unwrap_or_else(|| "–".into())
}

// ---------- the rounds of a project ----------

pub struct RoundLine {
    pub id: Uuid,
    pub period: String,
    pub status: String,
    pub status_label: String,
    pub scores: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "project_rounds.html")]
pub struct RoundsPage {
    c: Chrome,
    p: Project,
    principles: Vec<String>,
    lines: Vec<RoundLine>,
    charts: Vec<LineChart>,
    can_open: bool,
    error: Option<String>,
    period: String,
}

async fn rounds_page(
    state: &AppState,
    l: Lang,
    me: &Identity,
    access: &Access,
    id: Uuid,
    error: Option<String>,
    period: String,
) -> Result<RoundsPage, WebError> {
    let p = visible(state, access, id).await?;
    let principle_names = names(state, l, CatalogKind::Principles).await?;
    let rounds = rounds_with_scores(state, &p).await?;
    let completed: Vec<_> = rounds.iter().filter(|(r, _)| !is_open(r)).collect();
    let charts = if completed.is_empty() {
        Vec::new()
    } else {
        Principle::ALL
            .iter()
            .enumerate()
            .map(|(i, principle)| {
                let values: Vec<(String, Option<f64>)> = completed
                    .iter()
                    .map(|(r, s)| {
                        let pct = s[i].percent();
                        (format!("{}: {}", r.period, percent_text(l, pct)), pct.map(f64::from))
                    })
                    .collect();
                LineChart::new(name(&principle_names, principle.code()), &values)
            })
            .collect()
    };
    let lines = rounds
        .iter()
        .map(|(r, s)| RoundLine {
            id: r.id,
            period: r.period.code(),
            status: r.status.code().to_owned(),
            status_label: l.t(&format!("round-status-{}", r.status.code())),
            scores: s.iter().map(|x| percent_text(l, x.percent())).collect(),
        })
        .collect();
    let c = Chrome::new(l, Some(me), state);
    Ok(RoundsPage {
        can_open: c.can(Permission::ProjectsWrite.code())
            && p.phase == CyclePhase::ImplementationMonitoring
            && p.status != ProjectStatus::Closed,
        c,
        principles: Principle::ALL.iter().map(|x| name(&principle_names, x.code())).collect(),
        lines,
        charts,
        error,
        period,
        p,
    })
}

pub async fn rounds(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    Ok(rounds_page(&state, l, &me, &access, id, None, String::new()).await?.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OpenForm {
    period: String,
}

pub async fn open_round(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
    Form(form): Form<OpenForm>,
) -> Result<Response, WebError> {
    let p = visible(&state, &access, id).await?;
    match open(&state, &me, &p, Some(form.period.clone())).await {
        Ok(round) => Ok(Redirect::to(&format!("/projects/{id}/rounds/{round}")).into_response()),
        Err(e) => {
            let error = Some(super::form_message(l, e)?);
            let page = rounds_page(&state, l, &me, &read_access(&me)?, id, error, form.period).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

// ---------- one round ----------

pub struct RoundItemView {
    pub code: String,
    pub question: String,
    pub mandatory: bool,
    pub answer: String,
    pub answer_label: String,
    pub justification: String,
    pub evidence_link: String,
    pub answered: String,
}

pub struct PrincipleBlock {
    pub label: String,
    pub percent: String,
    pub items: Vec<RoundItemView>,
}

pub struct RiskLine {
    pub title: String,
    pub level: String,
    pub level_label: String,
    pub due_date: String,
    pub status_label: String,
    pub overdue: bool,
}

pub struct ActionLine {
    pub text: String,
    pub domain: String,
    pub deadline: String,
    pub status_label: String,
    pub overdue: bool,
}

pub struct SiteBlock {
    pub pcode: String,
    pub name: String,
    pub latest_round: Uuid,
    pub latest_on: String,
    pub percent: String,
    pub actions: Vec<ActionLine>,
}

pub struct FeedbackLine {
    pub month: String,
    pub received: String,
    pub in_time: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "project_round.html")]
pub struct RoundPage {
    c: Chrome,
    p: Project,
    round_id: Uuid,
    period: String,
    status: String,
    status_label: String,
    opened: String,
    completed: String,
    note: String,
    open: bool,
    can_write: bool,
    blocks: Vec<PrincipleBlock>,
    risks: Vec<RiskLine>,
    sites: Vec<SiteBlock>,
    feedback: Vec<FeedbackLine>,
    feedback_chart: Option<LineChart>,
    categories: Vec<(String, String)>,
    sectors: Vec<(String, String)>,
    suppressed: bool,
    no_places: bool,
    answer_choices: Choices,
    error: Option<String>,
}

fn feedback_lines(l: Lang, f: &FeedbackTrend) -> (Vec<FeedbackLine>, Option<LineChart>) {
    let count = |n: &Option<u64>| n.map(|n| l.number(n as i64)).unwrap_or_else(|| l.t("round-suppressed"));
    let pct = |p: &Option<f64>| p.map(|p| format!("{p}%")).unwrap_or_else(|| "–".into());
    let lines = f
        .months
        .iter()
        .map(|(month, n, p)| FeedbackLine { month: month.clone(), received: count(n), in_time: pct(p) })
        .collect();
    let values: Vec<(String, Option<f64>)> =
        f.months.iter().map(|(m, _, p)| (format!("{m}: {}", pct(p)), *p)).collect();
    let chart = values.iter().any(|v| v.1.is_some()).then(|| LineChart::new(l.t("round-feedback-in-time"), &values));
    (lines, chart)
}

async fn round_page(
    state: &AppState,
    l: Lang,
    me: &Identity,
    access: &Access,
    id: Uuid,
    round: Uuid,
    error: Option<String>,
) -> Result<RoundPage, WebError> {
    let p = visible(state, access, id).await?;
    let ctx: RoundContext = round_context(state, me, access, &p, round).await?;
    let principle_names = names(state, l, CatalogKind::Principles).await?;
    let domains = names(state, l, CatalogKind::SafetyAuditDomains).await?;
    let places: HashMap<String, String> = haven_store::locations::all(&state.store)
        .await?
        .into_iter()
        .map(|row| {
            let localized = haven_store::locations::localized_name(&row);
            (row.pcode.clone(), localized.get(l.code()).to_owned())
        })
        .collect();
    let blocks = Principle::ALL
        .iter()
        .zip(&ctx.scores)
        .map(|(principle, score)| PrincipleBlock {
            label: name(&principle_names, principle.code()),
            percent: percent_text(l, score.percent()),
            items: ctx
                .items
                .iter()
                .filter(|(i, _)| i.principle == *principle)
                .map(|(i, a)| RoundItemView {
                    code: i.code.clone(),
                    question: i.question.get(l.code()).to_owned(),
                    mandatory: i.mandatory,
                    answer: a.as_ref().map(|a| a.answer.code().to_owned()).unwrap_or_default(),
                    answer_label: match a {
                        Some(a) => l.t(&format!("project-answer-{}", a.answer.code())),
                        None => l.t("project-answer-none"),
                    },
                    justification: a.as_ref().and_then(|a| a.justification.clone()).unwrap_or_default(),
                    evidence_link: a.as_ref().and_then(|a| a.evidence_link.clone()).unwrap_or_default(),
                    answered: a
                        .as_ref()
                        .map(|a| format!("{} · {}", a.answered_by, l.datetime(a.answered_at)))
                        .unwrap_or_default(),
                })
                .collect(),
        })
        .filter(|b| !b.items.is_empty())
        .collect();
    let today = today();
    let risks = ctx
        .open_risks
        .iter()
        .map(|r| RiskLine {
            title: r.title.clone(),
            level: r.level().code().to_owned(),
            level_label: l.t(&format!("project-level-{}", r.level().code())),
            due_date: r.due_date.clone().unwrap_or_default(),
            status_label: l.t(&format!("project-risk-{}", r.status)),
            overdue: risk_overdue(r, today),
        })
        .collect();
    let sites = ctx
        .sites
        .iter()
        .map(|s| SiteBlock {
            pcode: s.pcode.clone(),
            name: name(&places, &s.pcode),
            latest_round: s.latest_round,
            latest_on: s.latest_on.to_string(),
            percent: s
                .latest
                .percent()
                .map(|p| format!("{}%", (p * 10.0).round() / 10.0))
                .unwrap_or_else(|| "–".into()),
            actions: s
                .open_actions
                .iter()
                .map(|a| ActionLine {
                    text: a.text.clone(),
                    domain: name(&domains, &a.domain),
                    deadline: a.deadline.to_string(),
                    status_label: l.t(&format!("audit-action-status-{}", a.status.code())),
                    overdue: a.is_overdue(today),
                })
                .collect(),
        })
        .collect();
    let (feedback, feedback_chart) = feedback_lines(l, &ctx.feedback);
    let categories = ctx
        .feedback
        .categories
        .iter()
        .map(|(key, n)| {
            let label = match key.as_str() {
                "sealed" => l.t("feedback-seal-sealed"),
                "" => l.t("feedback-not-given"),
                other => other.to_owned(),
            };
            (label, n.map(|n| l.number(n as i64)).unwrap_or_else(|| l.t("round-suppressed")))
        })
        .collect();
    let sector_names = names(state, l, CatalogKind::Sectors).await?;
    let sectors = ctx
        .feedback
        .sectors
        .iter()
        .map(|(code, n)| {
            (name(&sector_names, code), n.map(|n| l.number(n as i64)).unwrap_or_else(|| l.t("round-suppressed")))
        })
        .collect();
    let r = &ctx.round;
    let c = Chrome::new(l, Some(me), state);
    Ok(RoundPage {
        can_write: c.can(Permission::ProjectsWrite.code()) && p.status != ProjectStatus::Closed,
        c,
        round_id: r.id,
        period: r.period.code(),
        status: r.status.code().to_owned(),
        status_label: l.t(&format!("round-status-{}", r.status.code())),
        opened: format!("{} · {}", r.opener_name, l.datetime(r.opened_at)),
        completed: match (&r.completer_name, r.completed_at) {
            (Some(who), Some(at)) => format!("{who} · {}", l.datetime(at)),
            _ => String::new(),
        },
        note: r.note.clone().unwrap_or_default(),
        open: is_open(r),
        blocks,
        risks,
        sites,
        feedback,
        feedback_chart,
        categories,
        sectors,
        suppressed: ctx.feedback.suppressed,
        no_places: ctx.feedback.no_places,
        answer_choices: coded_choices(l, "project-answer", Answer::ALL, Answer::code),
        error,
        p,
    })
}

pub async fn round(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
    Path((id, round)): Path<(Uuid, Uuid)>,
) -> Result<Response, WebError> {
    Ok(round_page(&state, l, &me, &access, id, round, None).await?.into_response())
}

/// The round page again with the problem (422), or back to it when done.
async fn after_round(
    state: &AppState,
    l: Lang,
    me: &Identity,
    (id, round): (Uuid, Uuid),
    outcome: Result<(), WebError>,
) -> Result<Response, WebError> {
    let e = match outcome {
        Ok(()) => return Ok(Redirect::to(&format!("/projects/{id}/rounds/{round}")).into_response()),
        Err(e) => e,
    };
    let error = Some(super::form_message(l, e)?);
    let page = round_page(state, l, me, &read_access(me)?, id, round, error).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// The round's form: `answer-<item>`, `justification-<item>` and `evidence-<item>` for each
/// item; items left without an answer are not saved.
pub async fn answer(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
    Path((id, round)): Path<(Uuid, Uuid)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let field =
        |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned()).filter(|v| !v.is_empty());
    let raw: Vec<(String, RawAnswer)> = pairs
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("answer-")?.to_owned(), v.trim().to_owned())))
        .filter(|(_, v)| !v.is_empty())
        .map(|(item, answer)| {
            let raw = RawAnswer {
                answer: Some(answer),
                justification: field(&format!("justification-{item}")),
                evidence_link: field(&format!("evidence-{item}")),
            };
            (item, raw)
        })
        .collect();
    let outcome = async {
        let answers = checked_answers(raw)?;
        let p = visible(&state, &access, id).await?;
        let r = store::round(&state.store, p.id, round).await?;
        Ok(store::answer_round(&state.store, &me.actor(), &p, &r, &answers).await?)
    }
    .await;
    after_round(&state, l, &me, (id, round), outcome).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CompleteForm {
    note: String,
}

pub async fn complete(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
    Path((id, round)): Path<(Uuid, Uuid)>,
    Form(form): Form<CompleteForm>,
) -> Result<Response, WebError> {
    let outcome = async {
        let note = note_of(Some(form.note))?;
        let p = visible(&state, &access, id).await?;
        let r = store::round(&state.store, p.id, round).await?;
        match store::complete_round(&state.store, &me.actor(), &p, &r, note.as_deref()).await? {
            Ok(()) => Ok(()),
            Err(unanswered) => Err(WebError::InvalidRows(
                unanswered
                    .into_iter()
                    .enumerate()
                    .map(|(i, item)| (i as u64 + 1, item, "mandatory-unanswered"))
                    .collect(),
            )),
        }
    }
    .await;
    after_round(&state, l, &me, (id, round), outcome).await
}

// ---------- evaluation and lessons ----------

pub struct LessonView {
    pub id: Uuid,
    pub text: String,
    pub principle: String,
    pub sectors: String,
    pub do_differently: String,
    pub recorded: String,
}

pub struct CarriedView {
    pub lesson: LessonView,
    pub from: String,
    pub shared: String,
    pub uptake: Option<(bool, String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "project_lessons.html")]
pub struct LessonsPage {
    c: Chrome,
    p: Project,
    status_label: String,
    lessons: Vec<LessonView>,
    carried: Vec<CarriedView>,
    evaluating: bool,
    designing: bool,
    can_write: bool,
    unanswered: Vec<String>,
    principles: Choices,
    sectors: Choices,
    error: Option<String>,
}

fn lesson_view(
    l: Lang,
    lesson: &store::Lesson,
    principles: &HashMap<String, String>,
    sectors: &HashMap<String, String>,
) -> LessonView {
    LessonView {
        id: lesson.id,
        text: lesson.text.clone(),
        principle: lesson.principle.map(|p| name(principles, p.code())).unwrap_or_default(),
        sectors: lesson.sectors.iter().map(|s| name(sectors, s)).collect::<Vec<_>>().join(", "),
        do_differently: lesson.do_differently.clone(),
        recorded: format!("{} · {}", lesson.recorder_name, l.datetime(lesson.recorded_at)),
    }
}

/// The lessons carried to a project from closed ones, as its pages show them.
pub(crate) async fn carried_views(
    state: &AppState,
    l: Lang,
    access: &Access,
    p: &Project,
) -> Result<Vec<CarriedView>, WebError> {
    let principles = names(state, l, CatalogKind::Principles).await?;
    let sectors = names(state, l, CatalogKind::Sectors).await?;
    Ok(store::carried_lessons(&state.store, access, p)
        .await?
        .into_iter()
        .map(|c| {
            let mut shared: Vec<String> = c.shared_sectors.iter().map(|s| name(&sectors, s)).collect();
            if c.shared_place {
                shared.push(l.t("lessons-shared-place"));
            }
            CarriedView {
                lesson: lesson_view(l, &c.lesson, &principles, &sectors),
                from: format!("{} · {}", c.from_code, c.from_title),
                shared: shared.join(", "),
                uptake: c
                    .uptake
                    .map(|u| (u.taken, u.note, format!("{} · {}", u.recorder_name, l.datetime(u.recorded_at)))),
            }
        })
        .collect())
}

async fn lessons_page(
    state: &AppState,
    l: Lang,
    me: &Identity,
    access: &Access,
    id: Uuid,
    error: Option<String>,
) -> Result<LessonsPage, WebError> {
    let p = visible(state, access, id).await?;
    let principle_names = names(state, l, CatalogKind::Principles).await?;
    let sector_names = names(state, l, CatalogKind::Sectors).await?;
    let lessons = store::lessons(&state.store, p.id)
        .await?
        .iter()
        .map(|x| lesson_view(l, x, &principle_names, &sector_names))
        .collect();
    let lines = store::checklist(&state.store, &p).await?;
    let unanswered = lines
        .iter()
        .filter(|x| x.item.phase == CyclePhase::Evaluation && x.item.mandatory && x.answer.is_none())
        .map(|x| format!("{} · {}", x.item.code, x.item.question.get(l.code())))
        .collect();
    let c = Chrome::new(l, Some(me), state);
    let open = p.status != ProjectStatus::Closed;
    Ok(LessonsPage {
        can_write: c.can(Permission::ProjectsWrite.code()) && open,
        carried: carried_views(state, l, access, &p).await?,
        evaluating: p.phase == CyclePhase::Evaluation && open,
        designing: matches!(p.phase, CyclePhase::DevelopmentDesign | CyclePhase::Endorsement),
        status_label: l.t(&format!("project-status-{}", p.status.code())),
        principles: Principle::ALL.iter().map(|x| (x.code().to_owned(), name(&principle_names, x.code()))).collect(),
        sectors: p.sectors.iter().map(|s| (s.clone(), name(&sector_names, s))).collect(),
        c,
        lessons,
        unanswered,
        error,
        p,
    })
}

pub async fn lessons(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    Ok(lessons_page(&state, l, &me, &access, id, None).await?.into_response())
}

async fn after_lessons(
    state: &AppState,
    l: Lang,
    me: &Identity,
    id: Uuid,
    outcome: Result<(), WebError>,
) -> Result<Response, WebError> {
    let e = match outcome {
        Ok(()) => return Ok(Redirect::to(&format!("/projects/{id}/lessons")).into_response()),
        Err(e) => e,
    };
    let error = Some(super::form_message(l, e)?);
    let page = lessons_page(state, l, me, &read_access(me)?, id, error).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

pub async fn add(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let one =
        |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).filter(|v| !v.trim().is_empty());
    let raw = RawLesson {
        text: one("text"),
        principle: one("principle"),
        sectors: Some(pairs.iter().filter(|(k, _)| k == "sectors").map(|(_, v)| v.clone()).collect()),
        do_differently: one("do_differently"),
    };
    let outcome = async {
        let p = visible(&state, &access, id).await?;
        add_lesson(&state, &me, &p, raw).await.map(|_| ())
    }
    .await;
    after_lessons(&state, l, &me, id, outcome).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UptakeForm {
    taken: String,
    note: String,
}

pub async fn uptake(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
    Path((id, lesson)): Path<(Uuid, Uuid)>,
    Form(form): Form<UptakeForm>,
) -> Result<Response, WebError> {
    let taken = match form.taken.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    let outcome = async {
        let p = visible(&state, &access, id).await?;
        record_uptake(&state, &me, &read_access(&me)?, &p, lesson, RawUptake { taken, note: Some(form.note) }).await
    }
    .await;
    after_lessons(&state, l, &me, id, outcome).await
}

pub async fn close(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    let outcome = async {
        let p = visible(&state, &access, id).await?;
        match store::close(&state.store, &me.actor(), &p).await? {
            Ok(()) => Ok(()),
            Err(ClosingBlocked::NotEvaluating) => Err(WebError::Conflict { code: "not-evaluating", field: None }),
            Err(ClosingBlocked::Unanswered(items)) => Err(WebError::InvalidRows(
                items.into_iter().enumerate().map(|(i, item)| (i as u64 + 1, item, "mandatory-unanswered")).collect(),
            )),
        }
    }
    .await;
    after_lessons(&state, l, &me, id, outcome).await
}
