//! `/api/v1/committees` and `/api/v1/consultations`: counts only, never names.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use haven_core::participation::{PeopleCell, RawCommittee, RawConsultation, RawGroupCount, RawPeopleCell, totals};
use haven_store::participation::{self as store, Committee, Consultation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{create_committee, record_consultation, update_committee};
use crate::AppState;
use crate::audits::api::Created;
use crate::authz::Granted;
use crate::error::{ErrorBody, WebError};
use crate::identity::Identity;

/// How many people of a sex, age bracket and disability status.
#[derive(Deserialize, Serialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct PeopleCellBody {
    /// f, m, x or u
    pub sex: Option<String>,
    /// 0-4, 5-11, 12-17, 18-59, 60-plus
    pub age_bracket: Option<String>,
    pub disability: Option<bool>,
    pub count: Option<i64>,
}

fn raw_cells(cells: Option<Vec<PeopleCellBody>>) -> Option<Vec<RawPeopleCell>> {
    cells.map(|cs| {
        cs.into_iter()
            .map(|c| RawPeopleCell { sex: c.sex, age_bracket: c.age_bracket, disability: c.disability, count: c.count })
            .collect()
    })
}

fn cell_bodies(cells: &[PeopleCell]) -> Vec<PeopleCellBody> {
    cells
        .iter()
        .map(|c| PeopleCellBody {
            sex: Some(c.sex.code().to_owned()),
            age_bracket: Some(c.age_bracket.clone()),
            disability: Some(c.disability),
            count: Some(i64::from(c.count)),
        })
        .collect()
}

/// How many members belong to an at-risk group.
#[derive(Deserialize, Serialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct GroupCountBody {
    /// An at-risk group code from `GET /api/v1/catalog/at-risk-groups`.
    pub group: Option<String>,
    pub count: Option<i64>,
}

/// A committee: its composition as counts. There is no field for names.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct CommitteeBody {
    /// The site's P-code.
    pub site: Option<String>,
    pub project_id: Option<Uuid>,
    pub purpose: Option<String>,
    /// YYYY-MM-DD
    pub formed_on: Option<String>,
    /// Default true.
    pub active: Option<bool>,
    pub members: Option<Vec<PeopleCellBody>>,
    /// Members from at least one at-risk group (at most the members).
    pub at_risk_members: Option<i64>,
    /// Members per at-risk group (each at most `at_risk_members`).
    pub at_risk_groups: Option<Vec<GroupCountBody>>,
}

impl From<CommitteeBody> for RawCommittee {
    fn from(b: CommitteeBody) -> Self {
        RawCommittee {
            site: b.site,
            project_id: b.project_id,
            purpose: b.purpose,
            formed_on: b.formed_on,
            active: b.active,
            members: raw_cells(b.members),
            at_risk_members: b.at_risk_members,
            at_risk_groups: b
                .at_risk_groups
                .map(|gs| gs.into_iter().map(|g| RawGroupCount { group: g.group, count: g.count }).collect()),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CommitteeItem {
    pub id: Uuid,
    pub site: String,
    pub project_id: Option<Uuid>,
    pub purpose: String,
    pub formed_on: Option<String>,
    pub active: bool,
    pub members: Vec<PeopleCellBody>,
    pub at_risk_members: u32,
    pub at_risk_groups: Vec<GroupCountBody>,
    pub member_count: u32,
    /// Female members aged 18 and over.
    pub women: u32,
    pub with_disability: u32,
}

impl From<Committee> for CommitteeItem {
    fn from(c: Committee) -> Self {
        let (member_count, women, with_disability) = totals(&c.composition.members);
        CommitteeItem {
            id: c.id,
            site: c.pcode,
            project_id: c.project_id,
            purpose: c.purpose,
            formed_on: c.formed_on.map(|d| d.to_string()),
            active: c.active,
            members: cell_bodies(&c.composition.members),
            at_risk_members: c.composition.at_risk_members,
            at_risk_groups: c
                .composition
                .groups
                .iter()
                .map(|g| GroupCountBody { group: Some(g.group.clone()), count: Some(i64::from(g.count)) })
                .collect(),
            member_count,
            women,
            with_disability,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CommitteeList {
    pub items: Vec<CommitteeItem>,
}

/// Register a committee.
#[utoipa::path(post, path = "/api/v1/committees", tag = "participation", request_body = CommitteeBody,
    responses(
        (status = 201, description = "Registered", body = Created),
        (status = 422, description = "Invalid fields, each listed", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    me: Identity,
    Granted(access): Granted,
    Json(body): Json<CommitteeBody>,
) -> Result<Response, WebError> {
    let id = create_committee(&state, &me, &access, body.into()).await?;
    Ok((StatusCode::CREATED, Json(Created { id })).into_response())
}

/// Replace a committee (its composition, purpose, whether it is active).
#[utoipa::path(put, path = "/api/v1/committees/{id}", tag = "participation", request_body = CommitteeBody,
    params(("id" = Uuid, Path, description = "The committee")),
    responses(
        (status = 200, description = "Saved", body = CommitteeItem),
        (status = 404, description = "No such committee in the caller's scope", body = ErrorBody),
        (status = 422, description = "Invalid fields, each listed", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    me: Identity,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
    Json(body): Json<CommitteeBody>,
) -> Result<Json<CommitteeItem>, WebError> {
    Ok(Json(update_committee(&state, &me, &access, id, body.into()).await?.into()))
}

/// The committees the caller may see.
#[utoipa::path(get, path = "/api/v1/committees", tag = "participation",
    responses((status = 200, description = "Committees by site", body = CommitteeList)),
    security(("bearer" = [])))]
pub async fn list(State(state): State<AppState>, Granted(access): Granted) -> Result<Json<CommitteeList>, WebError> {
    let items = store::committees(&state.store, &access).await?;
    Ok(Json(CommitteeList { items: items.into_iter().map(CommitteeItem::from).collect() }))
}

/// A community consultation. Participants are counts; there is no field for names.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct ConsultationBody {
    pub site: Option<String>,
    pub project_id: Option<Uuid>,
    /// YYYY-MM-DD, not after today.
    pub held_on: Option<String>,
    pub participants: Option<Vec<PeopleCellBody>>,
    pub topics: Option<String>,
    pub concerns: Option<String>,
    pub decisions: Option<String>,
    /// What the project changed because of the consultation.
    pub changes: Option<String>,
}

impl From<ConsultationBody> for RawConsultation {
    fn from(b: ConsultationBody) -> Self {
        RawConsultation {
            site: b.site,
            project_id: b.project_id,
            held_on: b.held_on,
            participants: raw_cells(b.participants),
            topics: b.topics,
            concerns: b.concerns,
            decisions: b.decisions,
            changes: b.changes,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ConsultationItem {
    pub id: Uuid,
    pub site: String,
    pub project_id: Option<Uuid>,
    pub held_on: String,
    pub participants: Vec<PeopleCellBody>,
    pub participant_count: u32,
    pub women: u32,
    pub with_disability: u32,
    pub topics: String,
    pub concerns: Option<String>,
    pub decisions: Option<String>,
    pub changes: Option<String>,
}

impl From<Consultation> for ConsultationItem {
    fn from(c: Consultation) -> Self {
        let (participant_count, women, with_disability) = totals(&c.participants);
        ConsultationItem {
            id: c.id,
            site: c.pcode,
            project_id: c.project_id,
            held_on: c.held_on.to_string(),
            participants: cell_bodies(&c.participants),
            participant_count,
            women,
            with_disability,
            topics: c.topics,
            concerns: c.concerns,
            decisions: c.decisions,
            changes: c.changes,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ConsultationList {
    pub items: Vec<ConsultationItem>,
}

/// Record a consultation.
#[utoipa::path(post, path = "/api/v1/consultations", tag = "participation", request_body = ConsultationBody,
    responses(
        (status = 201, description = "Recorded", body = Created),
        (status = 422, description = "Invalid fields, each listed", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn create_consultation(
    State(state): State<AppState>,
    me: Identity,
    Granted(access): Granted,
    Json(body): Json<ConsultationBody>,
) -> Result<Response, WebError> {
    let id = record_consultation(&state, &me, &access, body.into()).await?;
    Ok((StatusCode::CREATED, Json(Created { id })).into_response())
}

/// The consultations the caller may see, latest first.
#[utoipa::path(get, path = "/api/v1/consultations", tag = "participation",
    responses((status = 200, description = "Consultations", body = ConsultationList)),
    security(("bearer" = [])))]
pub async fn consultations(
    State(state): State<AppState>,
    Granted(access): Granted,
) -> Result<Json<ConsultationList>, WebError> {
    let items = store::consultations(&state.store, &access).await?;
    Ok(Json(ConsultationList { items: items.into_iter().map(ConsultationItem::from).collect() }))
}
