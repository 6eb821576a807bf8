//! Monitoring rounds, evaluation and lessons as the JSON API: open a round for a month or a
//! quarter, answer its implementation items, complete it (then frozen); read one round with
//! its open do-no-harm risks, the safety audits of sites within the project's places and the
//! feedback received there; record lessons, close an evaluated project, and record how a new
//! project takes the lessons of closed ones into account.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use haven_core::authz::{Access, Role};
use haven_core::disclosure::{THRESHOLD, suppress};
use haven_core::projects::{
    AnswerInput, ChecklistItem, Period, PrincipleScore, RawAnswer, RawLesson, RawUptake, RoundRefusal, RoundStatus,
    check_period, principle_scores,
};
use haven_store::projects::{self as store, ClosingBlocked, Project, Risk, Round, RoundAnswer, SiteFindings};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::api::{AnswersBody, ScoreItem};
use super::{invalid, visible};
use crate::AppState;
use crate::authz::Granted;
use crate::error::{ErrorBody, WebError};
use crate::i18n::Lang;
use crate::identity::Identity;

/// How many months before a round's period its feedback trend shows.
const FEEDBACK_MONTHS_BEFORE: u8 = 5;

pub(crate) fn today() -> time::Date {
    crate::audits::today()
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

pub(crate) fn score_items(scores: &[PrincipleScore]) -> Vec<ScoreItem> {
    scores
        .iter()
        .map(|s| ScoreItem {
            principle: s.principle.code().to_owned(),
            met: s.met,
            applicable: s.applicable,
            percent: s.percent(),
        })
        .collect()
}

/// The item definitions a round answers, in checklist order.
pub(crate) async fn round_item_defs(state: &AppState, round: &Round) -> Result<Vec<ChecklistItem>, WebError> {
    let items = store::checklist_items(&state.store, &round.checklist_version).await?;
    Ok(items.into_iter().filter(|i| round.items.contains(&i.code)).collect())
}

/// A round's score per principle: items met over items not answered "not applicable".
pub(crate) fn round_scores(
    items: &[ChecklistItem],
    answers: &BTreeMap<String, haven_core::projects::Answer>,
) -> Vec<PrincipleScore> {
    principle_scores(&items.iter().collect::<Vec<_>>(), answers)
}

/// Every round of the project with its scores, oldest period first.
pub(crate) async fn rounds_with_scores(
    state: &AppState,
    project: &Project,
) -> Result<Vec<(Round, Vec<PrincipleScore>)>, WebError> {
    let rounds = store::rounds(&state.store, project.id).await?;
    let mut answers = store::answers_by_round(&state.store, project.id).await?;
    let mut defs: BTreeMap<String, Vec<ChecklistItem>> = BTreeMap::new();
    let mut out = Vec::with_capacity(rounds.len());
    for round in rounds {
        if !defs.contains_key(&round.checklist_version) {
            defs.insert(
                round.checklist_version.clone(),
                store::checklist_items(&state.store, &round.checklist_version).await?,
            );
        }
        let items: Vec<ChecklistItem> =
            defs[&round.checklist_version].iter().filter(|i| round.items.contains(&i.code)).cloned().collect();
        let scores = round_scores(&items, &answers.remove(&round.id).unwrap_or_default());
        out.push((round, scores));
    }
    Ok(out)
}

/// Whether the caller sees small cells: protection officers and PSEA focal points, as on the
/// feedback dashboard.
pub(crate) fn sees_small_cells(me: &Identity) -> bool {
    me.principal.has_role(Role::ProtectionOfficer) || me.principal.has_role(Role::PseaFocalPoint)
}

/// The feedback received in the project's places around a round, as the caller may see it.
pub(crate) struct FeedbackTrend {
    /// Month, items received (absent when suppressed), % answered within target.
    pub months: Vec<(String, Option<u64>, Option<f64>)>,
    pub categories: Vec<(String, Option<u64>)>,
    /// Items linked to each of the project's sectors.
    pub sectors: Vec<(String, Option<u64>)>,
    pub suppressed: bool,
    /// The project has no places: nothing to filter on.
    pub no_places: bool,
}

fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (1000.0 * part as f64 / whole as f64).round() / 10.0)
}

pub(crate) async fn feedback_trend(
    state: &AppState,
    me: &Identity,
    access: &Access,
    (place_paths, sectors): (&[String], &[String]),
    period: &Period,
) -> Result<FeedbackTrend, WebError> {
    let months = period.trend_months(FEEDBACK_MONTHS_BEFORE);
    let rows = store::feedback_months(&state.store, access, place_paths, &months).await?;
    let see_sealed = crate::feedback::sight_of(me).sealed;
    let categories = store::feedback_categories(&state.store, access, see_sealed, place_paths, &months).await?;
    let by_sector = store::feedback_sectors(&state.store, access, place_paths, &months, sectors).await?;
    let small = sees_small_cells(me);
    let shown = |counts: &[u64]| {
        if small { counts.iter().map(|n| Some(*n)).collect() } else { suppress(counts, THRESHOLD).cells }
    };
    let received: Vec<u64> = rows.iter().map(|r| r.received.max(0) as u64).collect();
    let month_cells: Vec<Option<u64>> = shown(&received);
    let category_counts: Vec<u64> = categories.iter().map(|c| c.1.max(0) as u64).collect();
    let category_cells: Vec<Option<u64>> = shown(&category_counts);
    let sector_counts: Vec<u64> = by_sector.iter().map(|c| c.1.max(0) as u64).collect();
    let sector_cells: Vec<Option<u64>> = shown(&sector_counts);
    let suppressed = month_cells.iter().chain(&category_cells).chain(&sector_cells).any(Option::is_none);
    Ok(FeedbackTrend {
        months: rows
            .iter()
            .zip(month_cells)
            .map(|(r, cell)| {
                let enough = small || r.received >= THRESHOLD as i64;
                (r.month.clone(), cell, percent(r.responded_in_time, r.received).filter(|_| enough))
            })
            .collect(),
        categories: categories.into_iter().map(|c| c.0).zip(category_cells).collect(),
        sectors: by_sector.into_iter().map(|c| c.0).zip(sector_cells).collect(),
        suppressed,
        no_places: place_paths.is_empty(),
    })
}

/// Everything a round's one view shows.
pub(crate) struct RoundContext {
    pub round: Round,
    pub items: Vec<(ChecklistItem, Option<RoundAnswer>)>,
    pub scores: Vec<PrincipleScore>,
    pub open_risks: Vec<Risk>,
    pub sites: Vec<SiteFindings>,
    pub feedback: FeedbackTrend,
}

pub(crate) async fn round_context(
    state: &AppState,
    me: &Identity,
    access: &Access,
    project: &Project,
    round_id: Uuid,
) -> Result<RoundContext, WebError> {
    let round = store::round(&state.store, project.id, round_id).await?;
    let defs = round_item_defs(state, &round).await?;
    let mut answers = store::round_answers(&state.store, round.id).await?;
    let plain = answers.iter().map(|(c, a)| (c.clone(), a.answer)).collect();
    let scores = round_scores(&defs, &plain);
    let items = defs
        .into_iter()
        .map(|i| {
            let a = answers.remove(&i.code);
            (i, a)
        })
        .collect();
    let open_risks = store::risks(&state.store, project.id).await?.into_iter().filter(Risk::is_open).collect();
    let paths = place_paths(state, project).await?;
    let sites = store::site_findings(&state.store, access, &paths, today()).await?;
    let feedback = feedback_trend(state, me, access, (&paths, &project.sectors), &round.period).await?;
    Ok(RoundContext { round, items, scores, open_risks, sites, feedback })
}

pub(crate) async fn place_paths(state: &AppState, project: &Project) -> Result<Vec<String>, WebError> {
    Ok(store::place_paths(&state.store, project).await?)
}

/// A risk whose due date has passed while it is still open.
pub(crate) fn risk_overdue(risk: &Risk, today: time::Date) -> bool {
    risk.is_open() && risk.due_date.as_deref().is_some_and(|d| d < haven_core::input::iso_date(today).as_str())
}

// ---------- bodies ----------

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct RoundBody {
    /// A month (`2026-10`) or a quarter (`2026-Q4`) that has begun and that no other round
    /// of the project covers.
    pub period: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RoundCreated {
    pub id: Uuid,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RoundSummary {
    pub id: Uuid,
    /// `2026-10` or `2026-Q4`.
    pub period: String,
    /// month or quarter
    pub kind: String,
    /// open or completed (then frozen)
    pub status: String,
    pub opened_by: String,
    #[schema(value_type = String, format = DateTime)]
    pub opened_at: String,
    pub completed_by: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub completed_at: Option<String>,
    pub note: Option<String>,
    /// Per principle: items met over items not answered "not applicable" (unanswered items
    /// count as not met).
    pub scores: Vec<ScoreItem>,
}

fn summary(round: &Round, scores: &[PrincipleScore]) -> RoundSummary {
    RoundSummary {
        id: round.id,
        period: round.period.code(),
        kind: round.period.kind().to_owned(),
        status: round.status.code().to_owned(),
        opened_by: round.opener_name.clone(),
        opened_at: rfc3339(round.opened_at),
        completed_by: round.completer_name.clone(),
        completed_at: round.completed_at.map(rfc3339),
        note: round.note.clone(),
        scores: score_items(scores),
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RoundList {
    /// Oldest period first: the trend.
    pub items: Vec<RoundSummary>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RoundItem {
    pub id: String,
    pub principle: String,
    pub mandatory: bool,
    pub question: String,
    /// met, partly, not_met, na; absent until answered.
    pub answer: Option<String>,
    pub justification: Option<String>,
    pub evidence_link: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RoundRisk {
    pub id: Uuid,
    pub title: String,
    /// low, medium, high, very-high
    pub level: String,
    pub status: String,
    pub due_date: Option<String>,
    pub overdue: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RoundAction {
    pub id: Uuid,
    pub text: String,
    pub domain: String,
    pub deadline: String,
    pub status: String,
    pub overdue: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RoundSite {
    pub pcode: String,
    pub latest_round: Uuid,
    pub latest_on: String,
    /// Risk points as a per cent of the applicable maximum, one decimal.
    pub latest_risk_percent: Option<f64>,
    pub open_actions: Vec<RoundAction>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct FeedbackMonthItem {
    pub month: String,
    /// Absent when suppressed (fewer than five, outside protection roles).
    pub received: Option<u64>,
    /// Per cent of items received that month answered within target.
    pub responded_in_time_pct: Option<f64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct FeedbackCategoryItem {
    /// A category code, or `sealed` for sealed reports the caller may not see.
    pub key: String,
    pub count: Option<u64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RoundFeedback {
    pub months: Vec<FeedbackMonthItem>,
    pub categories: Vec<FeedbackCategoryItem>,
    /// Items linked to each of the project's sectors (key: the sector code).
    pub sectors: Vec<FeedbackCategoryItem>,
    pub suppressed: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RoundDetail {
    pub round: RoundSummary,
    pub items: Vec<RoundItem>,
    /// The project's do-no-harm risks not closed, highest first.
    pub open_risks: Vec<RoundRisk>,
    /// Audited sites within the project's places.
    pub sites: Vec<RoundSite>,
    /// Feedback received in the project's places, the round's months and five before.
    pub feedback: RoundFeedback,
}

fn detail(l: Lang, ctx: RoundContext) -> RoundDetail {
    let today = today();
    RoundDetail {
        round: summary(&ctx.round, &ctx.scores),
        items: ctx
            .items
            .iter()
            .map(|(i, a)| RoundItem {
                id: i.code.clone(),
                principle: i.principle.code().to_owned(),
                mandatory: i.mandatory,
                question: i.question.get(l.code()).to_owned(),
                answer: a.as_ref().map(|a| a.answer.code().to_owned()),
                justification: a.as_ref().and_then(|a| a.justification.clone()),
                evidence_link: a.as_ref().and_then(|a| a.evidence_link.clone()),
            })
            .collect(),
        open_risks: ctx
            .open_risks
            .iter()
            .map(|r| RoundRisk {
                id: r.id,
                title: r.title.clone(),
                level: r.level().code().to_owned(),
                status: r.status.clone(),
                due_date: r.due_date.clone(),
                overdue: risk_overdue(r, today),
            })
            .collect(),
        sites: ctx
            .sites
            .iter()
            .map(|s| RoundSite {
                pcode: s.pcode.clone(),
                latest_round: s.latest_round,
                latest_on: s.latest_on.to_string(),
                latest_risk_percent: s.latest.percent().map(|p| (p * 10.0).round() / 10.0),
                open_actions: s
                    .open_actions
                    .iter()
                    .map(|a| RoundAction {
                        id: a.id,
                        text: a.text.clone(),
                        domain: a.domain.clone(),
                        deadline: a.deadline.to_string(),
                        status: a.status.code().to_owned(),
                        overdue: a.is_overdue(today),
                    })
                    .collect(),
            })
            .collect(),
        feedback: RoundFeedback {
            months: ctx
                .feedback
                .months
                .iter()
                .map(|(month, received, pct)| FeedbackMonthItem {
                    month: month.clone(),
                    received: *received,
                    responded_in_time_pct: *pct,
                })
                .collect(),
            categories: ctx
                .feedback
                .categories
                .iter()
                .map(|(key, count)| FeedbackCategoryItem { key: key.clone(), count: *count })
                .collect(),
            sectors: ctx
                .feedback
                .sectors
                .iter()
                .map(|(key, count)| FeedbackCategoryItem { key: key.clone(), count: *count })
                .collect(),
            suppressed: ctx.feedback.suppressed,
        },
    }
}

// ---------- shared steps (API and pages) ----------

/// Open a round for the period as sent.
pub(crate) async fn open(
    state: &AppState,
    me: &Identity,
    p: &Project,
    period: Option<String>,
) -> Result<Uuid, WebError> {
    let period = match check_period(period, today()) {
        Ok(period) => period,
        Err(Ok(problem)) => return Err(invalid(vec![problem])),
        Err(Err(refusal)) => return Err(WebError::Invalid(vec![("period", refusal.code())])),
    };
    match store::open_round(&state.store, &me.actor(), p, period).await? {
        Ok(id) => Ok(id),
        Err(refusal @ (RoundRefusal::NotImplementing | RoundRefusal::PeriodTaken)) => {
            Err(WebError::Conflict { code: refusal.code(), field: Some("period") })
        }
        Err(refusal) => Err(WebError::Invalid(vec![("period", refusal.code())])),
    }
}

/// Answers checked one by one; a problem names the item and its place in the batch.
pub(crate) fn checked_answers(raw: Vec<(String, RawAnswer)>) -> Result<Vec<(String, AnswerInput)>, WebError> {
    let mut answers = Vec::with_capacity(raw.len());
    let mut problems = Vec::new();
    for (i, (item, a)) in raw.into_iter().enumerate() {
        match a.validate() {
            Ok(input) => answers.push((item, input)),
            Err(ps) => problems.extend(ps.into_iter().map(|p| (i as u64 + 1, item.clone(), p.code))),
        }
    }
    if problems.is_empty() { Ok(answers) } else { Err(WebError::InvalidRows(problems)) }
}

/// Record a lesson, its sectors checked against the catalog.
pub(crate) async fn add_lesson(state: &AppState, me: &Identity, p: &Project, raw: RawLesson) -> Result<Uuid, WebError> {
    let input = raw.validate().map_err(invalid)?;
    if !input.sectors.is_empty() {
        let known = haven_store::catalog::entries(&state.store, haven_core::catalog::CatalogKind::Sectors).await?;
        if input.sectors.iter().any(|s| !known.iter().any(|e| &e.code == s)) {
            return Err(WebError::Invalid(vec![("sectors", "unknown-code")]));
        }
    }
    match store::add_lesson(&state.store, &me.actor(), p, &input).await? {
        Ok(id) => Ok(id),
        Err(code) => Err(WebError::Conflict { code, field: None }),
    }
}

/// Record how the project takes a carried lesson into account.
pub(crate) async fn record_uptake(
    state: &AppState,
    me: &Identity,
    access: &Access,
    p: &Project,
    lesson: Uuid,
    raw: RawUptake,
) -> Result<(), WebError> {
    let input = raw.validate().map_err(invalid)?;
    match store::record_uptake(&state.store, &me.actor(), access, p, lesson, &input).await? {
        Ok(()) => Ok(()),
        Err(code) => Err(WebError::Conflict { code, field: None }),
    }
}

// ---------- routes ----------

/// The project's monitoring rounds with their scores per principle, oldest first.
#[utoipa::path(get, path = "/api/v1/projects/{id}/rounds", tag = "projects",
    params(("id" = Uuid, Path, description = "The project")),
    responses(
        (status = 200, description = "The rounds", body = RoundList),
        (status = 404, description = "No such project in the caller's scope", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
) -> Result<Json<RoundList>, WebError> {
    let p = visible(&state, &access, id).await?;
    let items = rounds_with_scores(&state, &p).await?.iter().map(|(r, s)| summary(r, s)).collect();
    Ok(Json(RoundList { items }))
}

/// Open a monitoring round for a month or a quarter of implementation.
#[utoipa::path(post, path = "/api/v1/projects/{id}/rounds", tag = "projects", request_body = RoundBody,
    params(("id" = Uuid, Path, description = "The project")),
    responses(
        (status = 201, description = "Opened", body = RoundCreated),
        (status = 409, description = "Not in implementation (`not-implementing`), a round already covers the period (`period-taken`), or the project is closed", body = ErrorBody),
        (status = 422, description = "Not a month or a quarter, or it has not begun", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    me: Identity,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
    Json(body): Json<RoundBody>,
) -> Result<Response, WebError> {
    let p = visible(&state, &access, id).await?;
    let id = open(&state, &me, &p, body.period).await?;
    Ok((StatusCode::CREATED, Json(RoundCreated { id })).into_response())
}

/// One round in one view: its checklist and scores, open do-no-harm risks (overdue marked),
/// safety audits of sites within the project's places, and feedback received there.
#[utoipa::path(get, path = "/api/v1/projects/{id}/rounds/{round_id}", tag = "projects",
    params(("id" = Uuid, Path, description = "The project"), ("round_id" = Uuid, Path, description = "The round")),
    responses(
        (status = 200, description = "The round", body = RoundDetail),
        (status = 404, description = "No such project or round in the caller's scope", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
    Path((id, round)): Path<(Uuid, Uuid)>,
) -> Result<Json<RoundDetail>, WebError> {
    let p = visible(&state, &access, id).await?;
    Ok(Json(detail(l, round_context(&state, &me, &access, &p, round).await?)))
}

/// Answer items of an open round, all or none. A problem names the item (as `field`) and its
/// position in the body (as `row`).
#[utoipa::path(put, path = "/api/v1/projects/{id}/rounds/{round_id}/checklist", tag = "projects", request_body = AnswersBody,
    params(("id" = Uuid, Path, description = "The project"), ("round_id" = Uuid, Path, description = "The round")),
    responses(
        (status = 204, description = "Saved"),
        (status = 404, description = "No such round, or an item is not the round's", body = ErrorBody),
        (status = 409, description = "The round is completed (`round-completed`) or the project closed", body = ErrorBody),
        (status = 422, description = "Invalid answers, each with its item", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn answer(
    State(state): State<AppState>,
    me: Identity,
    Granted(access): Granted,
    Path((id, round)): Path<(Uuid, Uuid)>,
    Json(body): Json<AnswersBody>,
) -> Result<StatusCode, WebError> {
    let raw = body
        .answers
        .into_iter()
        .map(|(item, a)| {
            (item, RawAnswer { answer: a.answer, justification: a.justification, evidence_link: a.evidence_link })
        })
        .collect();
    let answers = checked_answers(raw)?;
    let p = visible(&state, &access, id).await?;
    let round = store::round(&state.store, p.id, round).await?;
    store::answer_round(&state.store, &me.actor(), &p, &round, &answers).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct CompleteBody {
    /// What the round found, in a few words (optional).
    pub note: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct IncompleteBody {
    pub error: IncompleteDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct IncompleteDetail {
    /// round_incomplete or closing_blocked
    pub code: String,
    pub message: String,
    /// The mandatory items still without an answer.
    pub unanswered: Vec<String>,
}

const MAX_NOTE: usize = 4_000;

pub(crate) fn note_of(text: Option<String>) -> Result<Option<String>, WebError> {
    let note = text.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > MAX_NOTE) {
        return Err(WebError::Invalid(vec![("note", "too-long")]));
    }
    Ok(note)
}

fn incomplete(l: Lang, code: &str, unanswered: Vec<String>) -> Response {
    let message = l.t(&format!("error-{}", code.replace('_', "-")));
    let body = IncompleteBody { error: IncompleteDetail { code: code.to_owned(), message, unanswered } };
    (StatusCode::CONFLICT, Json(body)).into_response()
}

/// Complete a round: who and when are recorded and it is frozen. 409 lists the mandatory
/// items still unanswered.
#[utoipa::path(post, path = "/api/v1/projects/{id}/rounds/{round_id}/complete", tag = "projects", request_body = CompleteBody,
    params(("id" = Uuid, Path, description = "The project"), ("round_id" = Uuid, Path, description = "The round")),
    responses(
        (status = 200, description = "Completed", body = RoundSummary),
        (status = 409, description = "Mandatory items unanswered (listed), or already completed", body = IncompleteBody)
    ),
    security(("bearer" = [])))]
pub async fn complete(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
    Path((id, round)): Path<(Uuid, Uuid)>,
    body: Option<Json<CompleteBody>>,
) -> Result<Response, WebError> {
    let note = note_of(body.and_then(|b| b.0.note))?;
    let p = visible(&state, &access, id).await?;
    let r = store::round(&state.store, p.id, round).await?;
    if let Err(unanswered) = store::complete_round(&state.store, &me.actor(), &p, &r, note.as_deref()).await? {
        return Ok(incomplete(l, "round_incomplete", unanswered));
    }
    let done =
        rounds_with_scores(&state, &p).await?.into_iter().find(|(x, _)| x.id == round).ok_or(WebError::NotFound)?;
    Ok(Json(summary(&done.0, &done.1)).into_response())
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct LessonBody {
    /// What happened.
    pub text: Option<String>,
    /// The principle it concerns (catalog `principles`), if one.
    pub principle: Option<String>,
    /// Sector codes it speaks to; the project's own when absent.
    pub sectors: Option<Vec<String>>,
    /// What to do differently next time.
    pub do_differently: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct LessonCreated {
    pub id: Uuid,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct LessonItem {
    pub id: Uuid,
    pub text: String,
    pub principle: Option<String>,
    pub sectors: Vec<String>,
    pub do_differently: String,
    pub recorded_by: String,
    #[schema(value_type = String, format = DateTime)]
    pub recorded_at: String,
}

fn lesson_item(l: &store::Lesson) -> LessonItem {
    LessonItem {
        id: l.id,
        text: l.text.clone(),
        principle: l.principle.map(|p| p.code().to_owned()),
        sectors: l.sectors.clone(),
        do_differently: l.do_differently.clone(),
        recorded_by: l.recorder_name.clone(),
        recorded_at: rfc3339(l.recorded_at),
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct UptakeItem {
    /// Whether the project takes the lesson into account.
    pub taken: bool,
    /// How, or why not.
    pub note: String,
    pub recorded_by: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CarriedItem {
    pub lesson: LessonItem,
    /// The closed project it comes from.
    pub from_project: String,
    pub shared_sectors: Vec<String>,
    pub shared_place: bool,
    /// Absent until the project records it.
    pub uptake: Option<UptakeItem>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct LessonsBody {
    /// This project's own lessons (from its evaluation).
    pub lessons: Vec<LessonItem>,
    /// Lessons of closed projects sharing a sector or a place with this one.
    pub carried: Vec<CarriedItem>,
}

/// The project's lessons, and those carried to it from closed projects sharing a sector or a
/// place, with how it takes each into account.
#[utoipa::path(get, path = "/api/v1/projects/{id}/lessons", tag = "projects",
    params(("id" = Uuid, Path, description = "The project")),
    responses((status = 200, description = "Lessons", body = LessonsBody)),
    security(("bearer" = [])))]
pub async fn lessons(
    State(state): State<AppState>,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
) -> Result<Json<LessonsBody>, WebError> {
    let p = visible(&state, &access, id).await?;
    let lessons = store::lessons(&state.store, p.id).await?.iter().map(lesson_item).collect();
    let carried = store::carried_lessons(&state.store, &access, &p)
        .await?
        .into_iter()
        .map(|c| CarriedItem {
            lesson: lesson_item(&c.lesson),
            from_project: c.from_code,
            shared_sectors: c.shared_sectors,
            shared_place: c.shared_place,
            uptake: c.uptake.map(|u| UptakeItem { taken: u.taken, note: u.note, recorded_by: u.recorder_name }),
        })
        .collect();
    Ok(Json(LessonsBody { lessons, carried }))
}

/// Record a lesson learned, during the evaluation.
#[utoipa::path(post, path = "/api/v1/projects/{id}/lessons", tag = "projects", request_body = LessonBody,
    params(("id" = Uuid, Path, description = "The project")),
    responses(
        (status = 201, description = "Recorded", body = LessonCreated),
        (status = 409, description = "Not in evaluation (`not-evaluating`) or closed", body = ErrorBody),
        (status = 422, description = "Invalid fields, each listed", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn add(
    State(state): State<AppState>,
    me: Identity,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
    Json(body): Json<LessonBody>,
) -> Result<Response, WebError> {
    let p = visible(&state, &access, id).await?;
    let raw = RawLesson {
        text: body.text,
        principle: body.principle,
        sectors: body.sectors,
        do_differently: body.do_differently,
    };
    let id = add_lesson(&state, &me, &p, raw).await?;
    Ok((StatusCode::CREATED, Json(LessonCreated { id })).into_response())
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct UptakeBody {
    /// Whether the project takes the lesson into account.
    pub taken: Option<bool>,
    /// How it does, or why it does not.
    pub note: Option<String>,
}

/// Record how the project (in design or endorsement) takes a carried lesson into account, or
/// why not. It appears in the project's history and in the next endorsement's snapshot.
#[utoipa::path(put, path = "/api/v1/projects/{id}/lessons/{lesson_id}/uptake", tag = "projects", request_body = UptakeBody,
    params(("id" = Uuid, Path, description = "The project"), ("lesson_id" = Uuid, Path, description = "A carried lesson")),
    responses(
        (status = 204, description = "Recorded"),
        (status = 404, description = "The lesson is not carried to this project", body = ErrorBody),
        (status = 409, description = "The project is past its design (`not-designing`)", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn uptake(
    State(state): State<AppState>,
    me: Identity,
    Granted(access): Granted,
    Path((id, lesson)): Path<(Uuid, Uuid)>,
    Json(body): Json<UptakeBody>,
) -> Result<StatusCode, WebError> {
    let p = visible(&state, &access, id).await?;
    let read = read_access(&me)?;
    record_uptake(&state, &me, &read, &p, lesson, RawUptake { taken: body.taken, note: body.note }).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's reading scope: carried lessons come from the closed projects they may read.
pub(crate) fn read_access(me: &Identity) -> Result<Access, WebError> {
    haven_core::authz::decide(&me.principal, haven_core::authz::Permission::ProjectsRead)
        .map_err(|_| WebError::Forbidden)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ClosedBody {
    /// closed
    pub status: String,
}

/// Close an evaluated project once its mandatory evaluation items are answered; it is frozen
/// from then on. 409 lists the items still unanswered.
#[utoipa::path(post, path = "/api/v1/projects/{id}/close", tag = "projects",
    params(("id" = Uuid, Path, description = "The project")),
    responses(
        (status = 200, description = "Closed", body = ClosedBody),
        (status = 409, description = "Mandatory evaluation items unanswered (`closing_blocked`, listed), not in evaluation, or already closed", body = IncompleteBody)
    ),
    security(("bearer" = [])))]
pub async fn close(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    let p = visible(&state, &access, id).await?;
    match store::close(&state.store, &me.actor(), &p).await? {
        Ok(()) => Ok(Json(ClosedBody { status: "closed".into() }).into_response()),
        Err(ClosingBlocked::NotEvaluating) => Err(WebError::Conflict { code: "not-evaluating", field: None }),
        Err(ClosingBlocked::Unanswered(items)) => Ok(incomplete(l, "closing_blocked", items)),
    }
}

/// The rounds' part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list, create, get, answer, complete, lessons, add, uptake, close),
    components(schemas(
        RoundBody,
        RoundCreated,
        RoundSummary,
        RoundList,
        RoundItem,
        RoundRisk,
        RoundAction,
        RoundSite,
        FeedbackMonthItem,
        FeedbackCategoryItem,
        RoundFeedback,
        RoundDetail,
        CompleteBody,
        IncompleteBody,
        IncompleteDetail,
        LessonBody,
        LessonCreated,
        LessonItem,
        UptakeItem,
        CarriedItem,
        LessonsBody,
        UptakeBody,
        ClosedBody
    ))
)]
pub struct RoundsDoc;

/// Whether the round is still open to answers.
pub(crate) fn is_open(round: &Round) -> bool {
    round.status == RoundStatus::Open
}
