//! `/api/v1/audits`, `/api/v1/sites/{pcode}/audits` and `/api/v1/audit-actions`: rounds,
//! their scores and trend, and the actions findings became.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use haven_core::audits::{RawAction, RawRound, Tally, Thresholds};
use haven_store::audits::{self as store, Action, ActionFilter, Round};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{add_action as add, one_decimal, record, thresholds, today, update_action};
use crate::AppState;
use crate::authz::Granted;
use crate::error::{ErrorBody, WebError};
use crate::identity::Identity;

/// An audit round. There is no field for a person or an incident: audits observe places.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct RoundBody {
    /// The site's P-code (location tree).
    pub site: Option<String>,
    /// YYYY-MM-DD, not after today.
    pub audited_on: Option<String>,
    /// Short notes of the audit team (500 characters); refused if it reads like an incident report.
    pub team_notes: Option<String>,
    /// Every item of `GET /api/v1/catalog/safety-audit-items`, answered `yes`, `partly`, `no` or `na`.
    pub answers: Option<BTreeMap<String, String>>,
}

impl From<RoundBody> for RawRound {
    fn from(b: RoundBody) -> Self {
        RawRound { site: b.site, audited_on: b.audited_on, team_notes: b.team_notes, answers: b.answers }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Created {
    pub id: Uuid,
}

/// Record an audit round, scored on the current item set (frozen with the round).
#[utoipa::path(post, path = "/api/v1/audits", tag = "audits", request_body = RoundBody,
    responses(
        (status = 201, description = "Recorded", body = Created),
        (status = 422, description = "Invalid fields, each listed", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    me: Identity,
    _g: Granted,
    Json(body): Json<RoundBody>,
) -> Result<Response, WebError> {
    let id = record(&state, &me, body.into()).await?;
    Ok((StatusCode::CREATED, Json(Created { id })).into_response())
}

/// Risk against the applicable maximum, and its level.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TallyBody {
    /// Risk points ("no" counts an item's points, "partly" half).
    pub risk: f64,
    /// The points of the items that applied.
    pub max: u32,
    /// Risk as a percent of `max`, one decimal; absent when nothing applied.
    pub percent: Option<f64>,
    /// lower, medium, high or very-high.
    pub level: Option<String>,
}

impl TallyBody {
    pub fn new(t: &Tally, thresholds: &Thresholds) -> TallyBody {
        TallyBody {
            risk: t.risk(),
            max: t.max,
            percent: t.percent().map(one_decimal),
            level: thresholds.level(t).map(|l| l.code().to_owned()),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DomainBody {
    pub domain: String,
    #[serde(flatten)]
    pub tally: TallyBody,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RoundSummary {
    pub id: Uuid,
    pub site: String,
    pub audited_on: String,
    pub total: TallyBody,
    pub domains: Vec<DomainBody>,
}

pub(crate) fn summary(r: &Round, thresholds: &Thresholds) -> RoundSummary {
    let score = r.score();
    RoundSummary {
        id: r.id,
        site: r.pcode.clone(),
        audited_on: r.audited_on.to_string(),
        total: TallyBody::new(&score.total, thresholds),
        domains: score
            .domains
            .iter()
            .map(|d| DomainBody { domain: d.domain.clone(), tally: TallyBody::new(&d.tally, thresholds) })
            .collect(),
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AnswerItem {
    pub item: String,
    pub domain: String,
    pub points: u8,
    pub answer: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ActionItem {
    pub id: Uuid,
    pub round_id: Uuid,
    pub site: String,
    pub text: String,
    pub domain: String,
    pub owner_id: Option<Uuid>,
    pub deadline: String,
    /// open, in-progress or done.
    pub status: String,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>)]
    pub closed_at: Option<time::OffsetDateTime>,
    pub overdue: bool,
}

impl From<Action> for ActionItem {
    fn from(a: Action) -> Self {
        ActionItem {
            overdue: a.is_overdue(today()),
            id: a.id,
            round_id: a.round_id,
            site: a.pcode,
            text: a.text,
            domain: a.domain,
            owner_id: a.owner_id,
            deadline: a.deadline.to_string(),
            status: a.status.code().to_owned(),
            closed_at: a.closed_at,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RoundDetail {
    #[serde(flatten)]
    pub summary: RoundSummary,
    pub team_notes: Option<String>,
    pub catalog_version: String,
    pub answers: Vec<AnswerItem>,
    pub actions: Vec<ActionItem>,
}

/// A round with its score per domain, its answers on the frozen item set, and its actions.
#[utoipa::path(get, path = "/api/v1/audits/{id}", tag = "audits",
    params(("id" = Uuid, Path, description = "The round")),
    responses(
        (status = 200, description = "The round", body = RoundDetail),
        (status = 404, description = "No such round in the caller's scope", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
) -> Result<Json<RoundDetail>, WebError> {
    let round = store::round(&state.store, &access, id).await?;
    let filter = ActionFilter { round: Some(id), ..Default::default() };
    let actions = store::actions(&state.store, &access, &filter).await?;
    let answers = round
        .items
        .iter()
        .map(|i| AnswerItem {
            item: i.code.clone(),
            domain: i.domain.clone(),
            points: i.points,
            answer: round.answers.get(&i.code).map(|a| a.code().to_owned()),
        })
        .collect();
    Ok(Json(RoundDetail {
        summary: summary(&round, &thresholds(&state).await?),
        team_notes: round.team_notes,
        catalog_version: round.catalog_version,
        answers,
        actions: actions.into_iter().map(ActionItem::from).collect(),
    }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SiteTrend {
    pub site: String,
    /// Oldest first: the score of each round, in total and per domain.
    pub rounds: Vec<RoundSummary>,
}

/// The rounds of a site, oldest first, with their scores: the trend.
#[utoipa::path(get, path = "/api/v1/sites/{pcode}/audits", tag = "audits",
    params(("pcode" = String, Path, description = "The site's P-code")),
    responses(
        (status = 200, description = "The site's rounds", body = SiteTrend),
        (status = 404, description = "No such site", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn site(
    State(state): State<AppState>,
    Granted(access): Granted,
    Path(pcode): Path<String>,
) -> Result<Json<SiteTrend>, WebError> {
    if store::site_path(&state.store, &pcode).await?.is_none() {
        return Err(WebError::NotFound);
    }
    let rounds = store::site_rounds(&state.store, &access, &pcode).await?;
    let t = thresholds(&state).await?;
    Ok(Json(SiteTrend { rounds: rounds.iter().map(|r| summary(r, &t)).collect(), site: pcode }))
}

/// An action a finding became.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct ActionBody {
    /// What is to be done (1,000 characters; no incident or name).
    pub text: Option<String>,
    /// A domain of the round's item set.
    pub domain: Option<String>,
    pub owner_id: Option<Uuid>,
    /// YYYY-MM-DD
    pub deadline: Option<String>,
    /// open (default), in-progress or done.
    pub status: Option<String>,
}

impl From<ActionBody> for RawAction {
    fn from(b: ActionBody) -> Self {
        RawAction { text: b.text, domain: b.domain, owner_id: b.owner_id, deadline: b.deadline, status: b.status }
    }
}

/// Turn a finding of the round into an action.
#[utoipa::path(post, path = "/api/v1/audits/{id}/actions", tag = "audits", request_body = ActionBody,
    params(("id" = Uuid, Path, description = "The round")),
    responses(
        (status = 201, description = "Added", body = Created),
        (status = 404, description = "No such round in the caller's scope", body = ErrorBody),
        (status = 422, description = "Invalid fields, each listed", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn add_action(
    State(state): State<AppState>,
    me: Identity,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
    Json(body): Json<ActionBody>,
) -> Result<Response, WebError> {
    let id = add(&state, &me, &access, id, body.into()).await?;
    Ok((StatusCode::CREATED, Json(Created { id })).into_response())
}

/// Change an action; done stamps when it was closed.
#[utoipa::path(put, path = "/api/v1/audit-actions/{id}", tag = "audits", request_body = ActionBody,
    params(("id" = Uuid, Path, description = "The action")),
    responses(
        (status = 200, description = "Saved", body = ActionItem),
        (status = 404, description = "No such action in the caller's scope", body = ErrorBody),
        (status = 422, description = "Invalid fields, each listed", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn put_action(
    State(state): State<AppState>,
    me: Identity,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
    Json(body): Json<ActionBody>,
) -> Result<Json<ActionItem>, WebError> {
    Ok(Json(update_action(&state, &me, &access, id, body.into()).await?.into()))
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
pub struct ActionParams {
    /// Only actions not done whose deadline has passed.
    pub overdue: Option<bool>,
    /// Only actions not done.
    pub open: Option<bool>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ActionList {
    pub items: Vec<ActionItem>,
}

/// Actions the caller may see, soonest deadline first.
#[utoipa::path(get, path = "/api/v1/audit-actions", tag = "audits", params(ActionParams),
    responses((status = 200, description = "Actions", body = ActionList)),
    security(("bearer" = [])))]
pub async fn actions(
    State(state): State<AppState>,
    Granted(access): Granted,
    Query(params): Query<ActionParams>,
) -> Result<Json<ActionList>, WebError> {
    let filter = ActionFilter {
        open_only: params.open.unwrap_or(false),
        overdue_on: params.overdue.unwrap_or(false).then(today),
        round: None,
    };
    let items = store::actions(&state.store, &access, &filter).await?;
    Ok(Json(ActionList { items: items.into_iter().map(ActionItem::from).collect() }))
}
