//! `/api/v1/projects`: the register, checklist answers, deviations, the do-no-harm register
//! and endorsement.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use haven_core::projects::{
    CyclePhase, ProjectStatus, RawAnswer, RawCriterion, RawProject, RawRisk, RawTargetCell, RawTargeting, Unmet,
    principle_scores,
};
use haven_store::projects::{self as store, ChecklistLine, EndorsementOutcome, Project};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{approving_role, checked, code_taken, invalid, visible};
use crate::AppState;
use crate::authz::Granted;
use crate::error::{ErrorBody, WebError};
use crate::i18n::Lang;
use crate::identity::Identity;

/// A project: only `code`, `title` and `sectors` are required.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct ProjectBody {
    pub code: Option<String>,
    pub title: Option<String>,
    pub summary: Option<String>,
    /// Sector codes from `GET /api/v1/catalog/sectors`.
    pub sectors: Option<Vec<String>>,
    /// before, during or after (the crisis).
    pub crisis_phase: Option<String>,
    /// Location P-codes.
    pub locations: Option<Vec<String>>,
    /// YYYY-MM-DD
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    /// Implementing partners.
    pub partners: Option<Vec<String>>,
    /// mainstreaming, integration or specialised
    pub dimension: Option<String>,
    /// PiHA pillar codes.
    pub pillars: Option<Vec<String>>,
    /// Framework action type codes.
    pub action_types: Option<Vec<String>>,
    pub manager_id: Option<Uuid>,
    pub focal_point_id: Option<Uuid>,
    #[schema(value_type = Option<Vec<Object>>)]
    pub target_population: Option<Vec<TargetCellBody>>,
    /// At-risk group codes targeted.
    pub at_risk_groups: Option<Vec<String>>,
    pub selection_notes: Option<String>,
    pub targeting: Option<TargetingBody>,
}

/// One cell of the target population.
#[derive(Deserialize, Serialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct TargetCellBody {
    /// f, m, x or u
    pub sex: Option<String>,
    /// 0-4, 5-11, 12-17, 18-59, 60-plus
    pub age_bracket: Option<String>,
    pub disability: Option<bool>,
    /// idp, refugee, migrant, returnee, host
    pub group: Option<String>,
    pub count: Option<i64>,
}

/// How people are selected.
#[derive(Deserialize, Serialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct TargetingBody {
    /// blanket (everyone in the project's places) or criteria
    pub mode: Option<String>,
    pub criteria: Option<Vec<CriterionBody>>,
}

/// A selection criterion on a needs-based attribute.
#[derive(Deserialize, Serialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct CriterionBody {
    /// age, disability, specific-need, household-size, household-composition, dependency-ratio,
    /// exposure-to-risk, shelter-condition, documentation-loss, food-insecurity,
    /// distance-to-services, sex-specific-need. Prohibited grounds (nationality, ethnicity,
    /// religion, political opinion, clan...) are refused.
    pub attribute: Option<String>,
    pub condition: Option<String>,
    /// 1 to 100 for a weighted criterion; absent for an eligibility rule.
    pub weight: Option<i64>,
    pub eligibility: Option<bool>,
    pub notes: Option<String>,
}

impl From<ProjectBody> for RawProject {
    fn from(b: ProjectBody) -> Self {
        RawProject {
            code: b.code,
            title: b.title,
            summary: b.summary,
            sectors: b.sectors,
            crisis_phase: b.crisis_phase,
            locations: b.locations,
            start_date: b.start_date,
            end_date: b.end_date,
            partners: b.partners,
            dimension: b.dimension,
            pillars: b.pillars,
            action_types: b.action_types,
            manager_id: b.manager_id,
            focal_point_id: b.focal_point_id,
            target_population: b.target_population.map(|cells| {
                cells
                    .into_iter()
                    .map(|c| RawTargetCell {
                        sex: c.sex,
                        age_bracket: c.age_bracket,
                        disability: c.disability,
                        group: c.group,
                        count: c.count,
                    })
                    .collect()
            }),
            at_risk_groups: b.at_risk_groups,
            selection_notes: b.selection_notes,
            targeting: b.targeting.map(|t| RawTargeting {
                mode: t.mode,
                criteria: t.criteria.map(|cs| {
                    cs.into_iter()
                        .map(|c| RawCriterion {
                            attribute: c.attribute,
                            condition: c.condition,
                            weight: c.weight,
                            eligibility: c.eligibility,
                            notes: c.notes,
                        })
                        .collect()
                }),
            }),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ProjectCreated {
    pub id: Uuid,
}

/// Register a project. It starts in development and design, on the current checklist version.
#[utoipa::path(post, path = "/api/v1/projects", tag = "projects", request_body = ProjectBody,
    responses(
        (status = 201, description = "Registered", body = ProjectCreated),
        (status = 409, description = "The code is taken", body = ErrorBody),
        (status = 422, description = "Invalid fields, each listed; refused selection criteria say why", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    me: Identity,
    _g: Granted,
    Json(body): Json<ProjectBody>,
) -> Result<Response, WebError> {
    let input = checked(&state, body.into()).await?;
    let agency = store::agency_of(&state.store, me.user_id()).await?;
    let id = store::create(&state.store, &me.actor(), &input, agency).await.map_err(code_taken)?;
    Ok((StatusCode::CREATED, Json(ProjectCreated { id })).into_response())
}

/// Change the register. A material change (sectors, places, targeting) to an endorsed
/// project re-opens the gate; the answer says which changes were material.
#[utoipa::path(put, path = "/api/v1/projects/{id}", tag = "projects", request_body = ProjectBody,
    params(("id" = Uuid, Path, description = "The project")),
    responses(
        (status = 200, description = "Saved", body = ProjectSaved),
        (status = 404, description = "No such project in the caller's scope", body = ErrorBody),
        (status = 422, description = "Invalid fields, each listed", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    me: Identity,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
    Json(body): Json<ProjectBody>,
) -> Result<Json<ProjectSaved>, WebError> {
    let input = checked(&state, body.into()).await?;
    let changes = store::update(&state.store, &me.actor(), &access, id, &input).await.map_err(code_taken)?;
    let project = visible(&state, &access, id).await?;
    Ok(Json(ProjectSaved {
        status: project.status.code().to_owned(),
        material_changes: changes.iter().map(|c| c.code().to_owned()).collect(),
    }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ProjectSaved {
    pub status: String,
    /// sectors, locations, targeting: what changed materially.
    pub material_changes: Vec<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ProjectLineItem {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub phase: String,
    pub status: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ProjectList {
    pub items: Vec<ProjectLineItem>,
    pub page: u32,
    pub per_page: u32,
    /// Projects matching the filters, on every page.
    pub total: i64,
}

#[derive(Deserialize, Default, Clone, utoipa::IntoParams)]
#[serde(default)]
pub struct ListParams {
    pub sector: Option<String>,
    pub phase: Option<String>,
    pub status: Option<String>,
    /// Words of the code or title.
    pub q: Option<String>,
    /// 1-based page of the list (default 1).
    pub page: Option<u32>,
    /// Projects per page, 1 to 200 (default 50).
    pub per_page: Option<u32>,
}

impl ListParams {
    /// The page asked for, checked: (page, per page, offset).
    pub(super) fn window(&self) -> Result<(u32, u32, i64), WebError> {
        let (page, per_page) = crate::api::PageParams { page: self.page, per_page: self.per_page }.bounds()?;
        let offset = (page - 1).saturating_mul(per_page);
        Ok((page as u32, per_page as u32, i64::try_from(offset).unwrap_or(i64::MAX)))
    }
}

pub(super) fn list_filter(p: &ListParams) -> Result<store::ListFilter, WebError> {
    let empty = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    let phase = match empty(&p.phase) {
        None => None,
        Some(v) => {
            Some(CyclePhase::from_code(&v).ok_or(WebError::BadRequest { code: "invalid", field: Some("phase") })?)
        }
    };
    let status = match empty(&p.status) {
        None => None,
        Some(v) => {
            Some(ProjectStatus::from_code(&v).ok_or(WebError::BadRequest { code: "invalid", field: Some("status") })?)
        }
    };
    Ok(store::ListFilter { sector: empty(&p.sector), phase, status, q: empty(&p.q) })
}

/// The projects the caller may see.
#[utoipa::path(get, path = "/api/v1/projects", tag = "projects", params(ListParams),
    responses((status = 200, description = "Projects by code", body = ProjectList)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Granted(access): Granted,
    Query(params): Query<ListParams>,
) -> Result<Json<ProjectList>, WebError> {
    let (page, per_page, offset) = params.window()?;
    let (lines, total) =
        store::list_page(&state.store, &access, &list_filter(&params)?, i64::from(per_page), offset).await?;
    let items = lines
        .into_iter()
        .map(|l| ProjectLineItem { id: l.id, code: l.code, title: l.title, phase: l.phase, status: l.status })
        .collect();
    Ok(Json(ProjectList { items, page, per_page, total }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ScoreItem {
    pub principle: String,
    pub met: u32,
    pub applicable: u32,
    /// Whole percent of applicable items met; absent when none applies.
    pub percent: Option<u32>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ProjectDetail {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub summary: Option<String>,
    pub sectors: Vec<String>,
    pub locations: Vec<String>,
    pub crisis_phase: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub dimension: String,
    /// The phase of the project cycle: development-design, endorsement,
    /// implementation-monitoring, evaluation.
    pub phase: String,
    /// draft, endorsed, reopened or closed.
    pub status: String,
    /// Why an endorsed project was opened again.
    pub reopened_because: Vec<String>,
    pub checklist_version: String,
    pub manager_id: Option<Uuid>,
    pub focal_point_id: Option<Uuid>,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    #[schema(value_type = Object)]
    pub targeting: serde_json::Value,
    /// What blocks endorsement now: checklist item ids, `dnh_review`, `targeting`.
    pub unmet: Vec<String>,
    /// Per principle, over the analysis, design and endorsement items.
    pub scores: Vec<ScoreItem>,
}

fn scores_of(lines: &[ChecklistLine], phases: &[CyclePhase]) -> Vec<ScoreItem> {
    let items: Vec<_> = lines.iter().filter(|l| phases.contains(&l.item.phase)).map(|l| &l.item).collect();
    let answers = lines.iter().filter_map(|l| Some((l.item.code.clone(), l.answer.as_ref()?.answer))).collect();
    principle_scores(&items, &answers)
        .into_iter()
        .map(|s| ScoreItem {
            principle: s.principle.code().to_owned(),
            met: s.met,
            applicable: s.applicable,
            percent: s.percent(),
        })
        .collect()
}

pub(super) fn unmet_codes(unmet: &[Unmet]) -> Vec<String> {
    unmet.iter().map(|u| u.code().to_owned()).collect()
}

fn iso(d: Option<time::Date>) -> Option<String> {
    d.map(haven_core::input::iso_date)
}

async fn detail(state: &AppState, p: Project) -> Result<ProjectDetail, WebError> {
    let lines = store::checklist(&state.store, &p).await?;
    let unmet = store::gate_of(&state.store, &p, &lines).await?;
    Ok(ProjectDetail {
        scores: scores_of(&lines, &[CyclePhase::DevelopmentDesign, CyclePhase::Endorsement]),
        unmet: unmet_codes(&unmet),
        id: p.id,
        code: p.code,
        title: p.title,
        summary: p.summary,
        sectors: p.sectors,
        locations: p.locations,
        crisis_phase: p.crisis_phase.map(|c| c.code().to_owned()),
        start_date: iso(p.start_date),
        end_date: iso(p.end_date),
        dimension: p.dimension.code().to_owned(),
        phase: p.phase.code().to_owned(),
        status: p.status.code().to_owned(),
        reopened_because: p.reopened_because.iter().map(|c| c.code().to_owned()).collect(),
        checklist_version: p.checklist_version,
        manager_id: p.manager_id,
        focal_point_id: p.focal_point_id,
        details: serde_json::to_value(&p.details).unwrap_or_default(),
        targeting: serde_json::to_value(&p.targeting).unwrap_or_default(),
    })
}

/// One project, with what blocks its endorsement and its scores per principle.
#[utoipa::path(get, path = "/api/v1/projects/{id}", tag = "projects",
    params(("id" = Uuid, Path, description = "The project")),
    responses(
        (status = 200, description = "The project", body = ProjectDetail),
        (status = 404, description = "No such project in the caller's scope", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
) -> Result<Json<ProjectDetail>, WebError> {
    let p = visible(&state, &access, id).await?;
    Ok(Json(detail(&state, p).await?))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ChecklistEntry {
    /// The item's id (stable across the checklist version).
    pub id: String,
    pub phase: String,
    /// analysis or design, within development-design.
    pub stage: Option<String>,
    pub principle: String,
    pub mandatory: bool,
    /// Empty for general items; the sectors whose standard this is.
    pub sectors: Vec<String>,
    pub question: String,
    pub guidance: String,
    /// met, partly, not_met, na; absent until answered.
    pub answer: Option<String>,
    pub justification: Option<String>,
    pub evidence_link: Option<String>,
    /// The latest deviation asked for: requested, approved or rejected.
    pub deviation: Option<DeviationItem>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DeviationItem {
    pub id: Uuid,
    pub state: String,
    pub justification: String,
    pub decision_note: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ChecklistBody {
    pub checklist_version: String,
    pub items: Vec<ChecklistEntry>,
}

/// The project's checklist: the items of its version for its sectors, in order, with answers.
#[utoipa::path(get, path = "/api/v1/projects/{id}/checklist", tag = "projects",
    params(("id" = Uuid, Path, description = "The project")),
    responses((status = 200, description = "The checklist", body = ChecklistBody)),
    security(("bearer" = [])))]
pub async fn checklist(
    State(state): State<AppState>,
    axum::extract::Extension(l): axum::extract::Extension<Lang>,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
) -> Result<Json<ChecklistBody>, WebError> {
    let p = visible(&state, &access, id).await?;
    let lines = store::checklist(&state.store, &p).await?;
    let items = lines
        .into_iter()
        .map(|line| ChecklistEntry {
            id: line.item.code.clone(),
            phase: line.item.phase.code().to_owned(),
            stage: line.item.stage.map(|s| s.code().to_owned()),
            principle: line.item.principle.code().to_owned(),
            mandatory: line.item.mandatory,
            sectors: line.item.sectors.clone(),
            question: line.item.question.get(l.code()).to_owned(),
            guidance: line.item.guidance.get(l.code()).to_owned(),
            answer: line.answer.as_ref().map(|a| a.answer.code().to_owned()),
            justification: line.answer.as_ref().and_then(|a| a.justification.clone()),
            evidence_link: line.answer.as_ref().and_then(|a| a.evidence_link.clone()),
            deviation: line.deviation.map(|d| DeviationItem {
                id: d.id,
                state: d.state,
                justification: d.justification,
                decision_note: d.decision_note,
            }),
        })
        .collect();
    Ok(Json(ChecklistBody { checklist_version: p.checklist_version, items }))
}

/// An answer to a checklist item.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct AnswerBody {
    /// met, partly, not_met or na
    pub answer: Option<String>,
    /// Required for every answer but met.
    pub justification: Option<String>,
    /// A link to the evidence (optional).
    pub evidence_link: Option<String>,
}

/// Answer a checklist item.
#[utoipa::path(put, path = "/api/v1/projects/{id}/checklist/{item_id}", tag = "projects", request_body = AnswerBody,
    params(("id" = Uuid, Path, description = "The project"), ("item_id" = String, Path, description = "The item's id")),
    responses(
        (status = 204, description = "Saved"),
        (status = 404, description = "No such project, or the item is not on its checklist", body = ErrorBody),
        (status = 422, description = "Invalid answer, or a justification is missing", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn answer(
    State(state): State<AppState>,
    me: Identity,
    Granted(access): Granted,
    Path((id, item)): Path<(Uuid, String)>,
    Json(body): Json<AnswerBody>,
) -> Result<StatusCode, WebError> {
    let p = visible(&state, &access, id).await?;
    let raw = RawAnswer { answer: body.answer, justification: body.justification, evidence_link: body.evidence_link };
    super::answer(&state, &me, &p, &item, raw).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct DeviationBody {
    /// Why the project cannot meet the item, and how the risk is handled instead.
    pub justification: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DeviationCreated {
    pub id: Uuid,
}

const MAX_JUSTIFICATION: usize = 4_000;

pub(super) fn justification_of(text: Option<String>) -> Result<String, WebError> {
    match text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()) {
        None => Err(WebError::Invalid(vec![("justification", "required")])),
        Some(t) if t.chars().count() > MAX_JUSTIFICATION => Err(WebError::Invalid(vec![("justification", "too-long")])),
        Some(t) => Ok(t),
    }
}

/// Ask for a deviation from a mandatory analysis, design or endorsement item.
#[utoipa::path(post, path = "/api/v1/projects/{id}/checklist/{item_id}/deviation", tag = "projects",
    request_body = DeviationBody,
    params(("id" = Uuid, Path, description = "The project"), ("item_id" = String, Path, description = "The item's id")),
    responses(
        (status = 201, description = "Asked for", body = DeviationCreated),
        (status = 409, description = "A deviation is already pending or approved", body = ErrorBody),
        (status = 422, description = "No justification, or the item is not mandatory", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn request_deviation(
    State(state): State<AppState>,
    me: Identity,
    Granted(access): Granted,
    Path((id, item)): Path<(Uuid, String)>,
    Json(body): Json<DeviationBody>,
) -> Result<Response, WebError> {
    let p = visible(&state, &access, id).await?;
    let id = super::request_deviation(&state, &me, &p, &item, body.justification).await?;
    Ok((StatusCode::CREATED, Json(DeviationCreated { id })).into_response())
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct DecisionBody {
    pub approve: bool,
    pub note: Option<String>,
}

/// Approve or reject a deviation. Only the organisation's approving role (a protection
/// officer by default), never the project's manager nor whoever asked for it.
#[utoipa::path(post, path = "/api/v1/projects/{id}/deviations/{deviation_id}/decision", tag = "projects",
    request_body = DecisionBody,
    params(("id" = Uuid, Path, description = "The project"), ("deviation_id" = Uuid, Path, description = "The deviation")),
    responses(
        (status = 204, description = "Decided"),
        (status = 403, description = "The caller may not decide on it (role, manager or requester)", body = ErrorBody),
        (status = 409, description = "Already decided", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn decide_deviation(
    State(state): State<AppState>,
    me: Identity,
    Granted(access): Granted,
    Path((id, deviation)): Path<(Uuid, Uuid)>,
    Json(body): Json<DecisionBody>,
) -> Result<StatusCode, WebError> {
    decide(&state, &me, &access, id, deviation, body.approve, body.note).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(super) async fn decide(
    state: &AppState,
    me: &Identity,
    access: &haven_core::authz::Access,
    id: Uuid,
    deviation: Uuid,
    approve: bool,
    note: Option<String>,
) -> Result<(), WebError> {
    let p = visible(state, access, id).await?;
    let role = approving_role(state).await?;
    let note = note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > MAX_JUSTIFICATION) {
        return Err(WebError::Invalid(vec![("note", "too-long")]));
    }
    let roles = me.principal.roles();
    match store::decide_deviation(&state.store, &me.actor(), &roles, role, &p, deviation, approve, note.as_deref())
        .await
    {
        Ok(Ok(())) => Ok(()),
        Ok(Err(refusal)) => Err(WebError::Refused(refusal.code())),
        Err(haven_store::StoreError::Conflict(_)) => Err(WebError::Conflict { code: "already-decided", field: None }),
        Err(e) => Err(e.into()),
    }
}

/// A do-no-harm risk.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct RiskBody {
    pub title: Option<String>,
    pub description: Option<String>,
    /// The GPC protection risk it relates to (catalog `risks`).
    pub gpc_risk: Option<String>,
    /// At-risk groups it would affect (catalog `at-risk-groups`).
    pub at_risk_groups: Option<Vec<String>>,
    /// 1 (rare) to 5 (almost certain)
    pub likelihood: Option<i64>,
    /// 1 (minor) to 5 (severe)
    pub impact: Option<i64>,
    pub mitigation: Option<String>,
    pub owner_id: Option<Uuid>,
    /// YYYY-MM-DD
    pub due_date: Option<String>,
    /// open, mitigating or closed
    pub status: Option<String>,
    /// YYYY-MM-DD
    pub review_date: Option<String>,
}

impl From<RiskBody> for RawRisk {
    fn from(b: RiskBody) -> Self {
        RawRisk {
            title: b.title,
            description: b.description,
            gpc_risk: b.gpc_risk,
            at_risk_groups: b.at_risk_groups,
            likelihood: b.likelihood,
            impact: b.impact,
            mitigation: b.mitigation,
            owner_id: b.owner_id,
            due_date: b.due_date,
            status: b.status,
            review_date: b.review_date,
        }
    }
}

pub(super) async fn checked_risk(state: &AppState, raw: RawRisk) -> Result<haven_core::projects::RiskInput, WebError> {
    let risk = raw.validate().map_err(invalid)?;
    let mut problems = Vec::new();
    if let Some(code) = &risk.gpc_risk {
        let known = haven_store::catalog::entries(&state.store, haven_core::catalog::CatalogKind::Risks).await?;
        if !known.iter().any(|e| &e.code == code) {
            problems.push(("gpc_risk", "unknown-code"));
        }
    }
    if !risk.at_risk_groups.is_empty() {
        let known = haven_store::catalog::entries(&state.store, haven_core::catalog::CatalogKind::AtRiskGroups).await?;
        if risk.at_risk_groups.iter().any(|g| !known.iter().any(|e| &e.code == g)) {
            problems.push(("at_risk_groups", "unknown-code"));
        }
    }
    if let Some(owner) = risk.owner_id
        && haven_store::identity::login_record_by_id(&state.store, owner).await?.is_none()
    {
        problems.push(("owner_id", "unknown-user"));
    }
    if problems.is_empty() { Ok(risk) } else { Err(WebError::Invalid(problems)) }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RiskCreated {
    pub id: Uuid,
}

/// Add a risk the project itself could create to its do-no-harm register.
#[utoipa::path(post, path = "/api/v1/projects/{id}/risks", tag = "projects", request_body = RiskBody,
    params(("id" = Uuid, Path, description = "The project")),
    responses(
        (status = 201, description = "Added", body = RiskCreated),
        (status = 422, description = "Invalid fields, each listed", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn add_risk(
    State(state): State<AppState>,
    me: Identity,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
    Json(body): Json<RiskBody>,
) -> Result<Response, WebError> {
    let risk = checked_risk(&state, body.into()).await?;
    let p = visible(&state, &access, id).await?;
    let id = store::add_risk(&state.store, &me.actor(), &p, &risk).await?;
    Ok((StatusCode::CREATED, Json(RiskCreated { id })).into_response())
}

/// Change a risk of the register.
#[utoipa::path(put, path = "/api/v1/projects/{id}/risks/{risk_id}", tag = "projects", request_body = RiskBody,
    params(("id" = Uuid, Path, description = "The project"), ("risk_id" = Uuid, Path, description = "The risk")),
    responses((status = 204, description = "Saved"), (status = 422, description = "Invalid fields", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update_risk(
    State(state): State<AppState>,
    me: Identity,
    Granted(access): Granted,
    Path((id, risk_id)): Path<(Uuid, Uuid)>,
    Json(body): Json<RiskBody>,
) -> Result<StatusCode, WebError> {
    let risk = checked_risk(&state, body.into()).await?;
    let p = visible(&state, &access, id).await?;
    store::update_risk(&state.store, &me.actor(), &p, risk_id, &risk).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RiskList {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<haven_store::projects::Risk>,
}

/// The do-no-harm register, highest risks first.
#[utoipa::path(get, path = "/api/v1/projects/{id}/risks", tag = "projects",
    params(("id" = Uuid, Path, description = "The project")),
    responses((status = 200, description = "The register", body = RiskList)),
    security(("bearer" = [])))]
pub async fn risks(
    State(state): State<AppState>,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
) -> Result<Json<RiskList>, WebError> {
    let p = visible(&state, &access, id).await?;
    Ok(Json(RiskList { items: store::risks(&state.store, p.id).await? }))
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct ReviewBody {
    pub note: Option<String>,
}

/// Record that the do-no-harm register was reviewed as it stands.
#[utoipa::path(post, path = "/api/v1/projects/{id}/risks/review", tag = "projects", request_body = ReviewBody,
    params(("id" = Uuid, Path, description = "The project")),
    responses((status = 204, description = "Recorded")),
    security(("bearer" = [])))]
pub async fn review(
    State(state): State<AppState>,
    me: Identity,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
    body: Option<Json<ReviewBody>>,
) -> Result<StatusCode, WebError> {
    let note = body.and_then(|b| b.0.note).map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > MAX_JUSTIFICATION) {
        return Err(WebError::Invalid(vec![("note", "too-long")]));
    }
    let p = visible(&state, &access, id).await?;
    store::review_register(&state.store, &me.actor(), &p, note.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct EndorsementItem {
    pub id: Uuid,
    pub endorsed_by: String,
    #[schema(value_type = String, format = DateTime)]
    pub endorsed_at: String,
    pub checklist_version: String,
    /// SHA-256 of the snapshot the endorsement covers.
    pub snapshot_sha256: String,
}

impl From<store::Endorsement> for EndorsementItem {
    fn from(e: store::Endorsement) -> Self {
        EndorsementItem {
            id: e.id,
            endorsed_by: e.endorser_name,
            endorsed_at: e.endorsed_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
            checklist_version: e.checklist_version,
            snapshot_sha256: e.snapshot_sha256,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct BlockedBody {
    pub error: BlockedDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct BlockedDetail {
    /// endorsement_blocked
    pub code: String,
    pub message: String,
    /// Every unmet condition: checklist item ids, `dnh_review`, `targeting`.
    pub unmet: Vec<String>,
}

/// Endorse the project: 200 with the immutable record, or 409 listing every unmet condition.
#[utoipa::path(post, path = "/api/v1/projects/{id}/endorse", tag = "projects",
    params(("id" = Uuid, Path, description = "The project")),
    responses(
        (status = 200, description = "Endorsed", body = EndorsementItem),
        (status = 409, description = "Blocked: every unmet condition is listed", body = BlockedBody)
    ),
    security(("bearer" = [])))]
pub async fn endorse(
    State(state): State<AppState>,
    axum::extract::Extension(l): axum::extract::Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    let p = visible(&state, &access, id).await?;
    match super::endorse(&state, &me, &p).await? {
        EndorsementOutcome::Endorsed(record) => Ok(Json(EndorsementItem::from(record)).into_response()),
        EndorsementOutcome::Blocked(unmet) => {
            let body = BlockedBody {
                error: BlockedDetail {
                    code: "endorsement_blocked".into(),
                    message: l.t("error-endorsement-blocked"),
                    unmet: unmet_codes(&unmet),
                },
            };
            Ok((StatusCode::CONFLICT, Json(body)).into_response())
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct EndorsementList {
    pub items: Vec<EndorsementItem>,
}

/// The project's endorsements, newest first.
#[utoipa::path(get, path = "/api/v1/projects/{id}/endorsements", tag = "projects",
    params(("id" = Uuid, Path, description = "The project")),
    responses((status = 200, description = "Endorsements", body = EndorsementList)),
    security(("bearer" = [])))]
pub async fn endorsements(
    State(state): State<AppState>,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
) -> Result<Json<EndorsementList>, WebError> {
    let p = visible(&state, &access, id).await?;
    let items = store::endorsements(&state.store, p.id).await?.into_iter().map(EndorsementItem::from).collect();
    Ok(Json(EndorsementList { items }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PhaseBody {
    pub phase: String,
}

/// Move the project to the next phase of the cycle; implementation needs endorsement.
#[utoipa::path(post, path = "/api/v1/projects/{id}/phase", tag = "projects",
    params(("id" = Uuid, Path, description = "The project")),
    responses(
        (status = 200, description = "Moved", body = PhaseBody),
        (status = 409, description = "Not endorsed yet, closed, or already in the last phase", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn advance(
    State(state): State<AppState>,
    me: Identity,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
) -> Result<Json<PhaseBody>, WebError> {
    match store::advance(&state.store, &me.actor(), &access, id).await? {
        Ok(phase) => Ok(Json(PhaseBody { phase: phase.code().to_owned() })),
        Err(haven_core::projects::PhaseError::NotEndorsed) => {
            Err(WebError::Conflict { code: "not-endorsed", field: None })
        }
        Err(haven_core::projects::PhaseError::Closed) => {
            Err(WebError::Conflict { code: "project-closed", field: None })
        }
        Err(haven_core::projects::PhaseError::LastPhase) => Err(WebError::Conflict { code: "last-phase", field: None }),
    }
}

/// Several answers at once, by item id.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct AnswersBody {
    #[schema(value_type = Object)]
    pub answers: std::collections::BTreeMap<String, AnswerBody>,
}

/// Answer several checklist items at once: all are saved, or none. A problem names the item
/// (as `field`) and its position in the body (as `row`, from 1).
#[utoipa::path(put, path = "/api/v1/projects/{id}/checklist", tag = "projects", request_body = AnswersBody,
    params(("id" = Uuid, Path, description = "The project")),
    responses(
        (status = 204, description = "Saved"),
        (status = 404, description = "No such project, or an item is not on its checklist", body = ErrorBody),
        (status = 422, description = "Invalid answers, each with its item", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn answer_many(
    State(state): State<AppState>,
    me: Identity,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
    Json(body): Json<AnswersBody>,
) -> Result<StatusCode, WebError> {
    let mut answers = Vec::with_capacity(body.answers.len());
    let mut problems = Vec::new();
    for (i, (item, a)) in body.answers.into_iter().enumerate() {
        let raw = RawAnswer { answer: a.answer, justification: a.justification, evidence_link: a.evidence_link };
        match raw.validate() {
            Ok(input) => answers.push((item, input)),
            Err(ps) => problems.extend(ps.into_iter().map(|p| (i as u64 + 1, item.clone(), p.code))),
        }
    }
    if !problems.is_empty() {
        return Err(WebError::InvalidRows(problems));
    }
    let p = visible(&state, &access, id).await?;
    store::answer_items(&state.store, &me.actor(), &p, &answers).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct UpgradeBody {
    pub from: String,
    pub to: String,
}

/// Move the project to the current checklist version (audited). Answers to items that remain
/// are kept.
#[utoipa::path(post, path = "/api/v1/projects/{id}/checklist/upgrade", tag = "projects",
    params(("id" = Uuid, Path, description = "The project")),
    responses(
        (status = 200, description = "Moved", body = UpgradeBody),
        (status = 409, description = "The project already uses the current version", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn upgrade(
    State(state): State<AppState>,
    me: Identity,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
) -> Result<Json<UpgradeBody>, WebError> {
    let p = visible(&state, &access, id).await?;
    match store::upgrade_checklist(&state.store, &me.actor(), &p).await? {
        Some((from, to)) => Ok(Json(UpgradeBody { from, to })),
        None => Err(WebError::Conflict { code: "checklist-current", field: None }),
    }
}
