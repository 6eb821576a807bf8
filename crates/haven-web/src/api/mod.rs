//! The JSON API under `/api/v1`, and its OpenAPI 3.1 document generated from these handlers.

use axum::Json;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use haven_core::audit::actions;
use serde::{Deserialize, Serialize};
use utoipa::OpenApi;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};

use crate::AppState;
use crate::authz::Granted;
use crate::error::{ErrorBody, WebError};
use crate::identity::Identity;

#[derive(OpenApi)]
#[openapi(
    info(title = "Haven API", description = "Protection information system: JSON API. Authenticate with a personal API token: `Authorization: Bearer hvn_...`."),
    paths(me, users, audit, crate::catalog::api_list, crate::feedback::api::create, crate::feedback::api::create_public,
        crate::feedback::api::list, crate::feedback::api::get, crate::feedback::api::events, crate::feedback::api::step,
        crate::feedback::links::api_put,
        crate::feedback::api::seal, crate::feedback::api::import, crate::feedback::dashboard::stats,
        crate::feedback::dashboard::service, crate::feedback::dashboard::top_issues, crate::feedback::export::export,
        crate::feedback::export::export_aggregates, crate::feedback::api::stand_down,
        crate::feedback::directory::api_list, crate::feedback::directory::api_get, crate::feedback::directory::api_create,
        crate::feedback::directory::api_update, crate::feedback::directory::api_import, crate::feedback::answers::api_list,
        crate::feedback::lexicon::api_get, crate::feedback::lexicon::api_put,
        crate::feedback::answers::api_versions, crate::feedback::answers::api_create, crate::feedback::answers::api_approve,
        crate::feedback::callbacks::api_schedule, crate::feedback::callbacks::api_outcome, crate::feedback::callbacks::api_queue,
        crate::projects::api::create, crate::projects::api::update, crate::projects::api::list, crate::projects::api::get,
        crate::projects::api::checklist, crate::projects::api::answer, crate::projects::api::request_deviation,
        crate::projects::api::decide_deviation, crate::projects::api::add_risk, crate::projects::api::update_risk,
        crate::projects::api::risks, crate::projects::api::review, crate::projects::api::endorse,
        crate::projects::api::endorsements, crate::projects::api::advance, crate::projects::api::answer_many, crate::projects::api::upgrade,
        crate::projects::portfolio::api, crate::projects::portfolio::export,
        crate::projects::evidence::api_attach, crate::projects::evidence::api_list, crate::projects::evidence::download,
        crate::projects::evidence::api_remove,
        crate::audits::api::create, crate::audits::api::get, crate::audits::api::site, crate::audits::api::add_action,
        crate::audits::api::put_action, crate::audits::api::actions, crate::participation::api::create,
        crate::participation::api::update, crate::participation::api::list, crate::participation::api::create_consultation,
        crate::participation::api::consultations,
        crate::indicators::api::get_plan, crate::indicators::api::put_plan, crate::indicators::api::values,
        crate::indicators::api::record, crate::indicators::api::portfolio_api),
    components(schemas(ErrorBody, Me, UserItem, UserPage, AuditItem, AuditPage, crate::catalog::CatalogList, crate::catalog::CatalogEntry,
        crate::feedback::api::FeedbackInput, crate::feedback::api::Created, crate::feedback::api::FeedbackItem,
        crate::feedback::api::FeedbackPage, crate::feedback::api::FeedbackDetail, crate::error::FieldProblemBody,
        crate::feedback::api::EventItem, crate::feedback::api::StepBody, crate::feedback::links::LinksBody, crate::feedback::api::StepDone, crate::feedback::api::SealBody, crate::feedback::api::StandDownBody,
        crate::feedback::import::ImportReport, crate::feedback::dashboard::Breakdowns, crate::feedback::dashboard::Cell,
        crate::feedback::dashboard::ServiceLevels, crate::feedback::dashboard::TopIssues,
        crate::feedback::dashboard::ServiceTable, crate::feedback::dashboard::ServiceCell,
        crate::feedback::directory::ServiceItem,
        crate::feedback::directory::ServiceCreated, crate::feedback::directory::ServicesImported,
        crate::feedback::lexicon::LexiconBody, crate::feedback::lexicon::LexiconInput,
        crate::feedback::answers::AnswerItem, crate::feedback::answers::AnswerTextItem, crate::feedback::answers::AnswerApproved,
        crate::feedback::callbacks::ScheduleBody, crate::feedback::callbacks::CallbackCreated,
        crate::feedback::callbacks::OutcomeBody, crate::feedback::callbacks::CallbackItem,
        crate::projects::api::ProjectBody, crate::projects::api::TargetCellBody, crate::projects::api::TargetingBody,
        crate::projects::api::CriterionBody, crate::projects::api::ProjectCreated, crate::projects::api::ProjectSaved,
        crate::projects::api::ProjectLineItem, crate::projects::api::ProjectList, crate::projects::api::ScoreItem,
        crate::projects::api::ProjectDetail, crate::projects::api::ChecklistEntry, crate::projects::api::DeviationItem,
        crate::projects::api::ChecklistBody, crate::projects::api::AnswerBody, crate::projects::api::DeviationBody,
        crate::projects::api::DeviationCreated, crate::projects::api::DecisionBody, crate::projects::api::RiskBody,
        crate::projects::api::RiskCreated, crate::projects::api::RiskList, crate::projects::api::ReviewBody,
        crate::projects::api::EndorsementItem, crate::projects::api::BlockedBody, crate::projects::api::BlockedDetail,
        crate::projects::api::EndorsementList, crate::projects::api::PhaseBody, crate::projects::api::AnswersBody, crate::projects::api::UpgradeBody,
        crate::projects::portfolio::PortfolioItem, crate::projects::portfolio::PortfolioBody,
        crate::projects::evidence::EvidenceEntry, crate::projects::evidence::EvidenceCreated,
        crate::projects::evidence::EvidenceUpload,
        crate::audits::api::RoundBody, crate::audits::api::Created, crate::audits::api::TallyBody,
        crate::audits::api::DomainBody, crate::audits::api::RoundSummary, crate::audits::api::AnswerItem,
        crate::audits::api::ActionItem, crate::audits::api::RoundDetail, crate::audits::api::SiteTrend,
        crate::audits::api::ActionBody, crate::audits::api::ActionList, crate::participation::api::PeopleCellBody,
        crate::participation::api::GroupCountBody, crate::participation::api::CommitteeBody,
        crate::participation::api::CommitteeItem, crate::participation::api::CommitteeList,
        crate::participation::api::ConsultationBody, crate::participation::api::ConsultationItem,
        crate::participation::api::ConsultationList,
        crate::indicators::api::CountBody, crate::indicators::api::CellBody, crate::indicators::api::BreakdownBody,
        crate::indicators::api::ValueBody, crate::indicators::api::TrackedBody, crate::indicators::api::PlanView,
        crate::indicators::api::PlanLineBody, crate::indicators::api::PlanBody, crate::indicators::api::SeriesBody,
        crate::indicators::api::CellEntryBody, crate::indicators::api::ValueEntryBody, crate::indicators::api::PooledBody,
        crate::indicators::api::PortfolioIndicator, crate::indicators::api::PortfolioBody)),
    modifiers(&BearerAuth),
    tags((name = "identity"), (name = "users"), (name = "audit"), (name = "catalog"), (name = "feedback"), (name = "services"),
        (name = "answers"), (name = "projects"), (name = "audits"), (name = "participation"),
        (name = "indicators"))
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

pub async fn openapi_json() -> impl IntoResponse {
    let mut doc = ApiDoc::openapi();
    doc.merge(crate::projects::rounds::RoundsDoc::openapi());
    Json(doc)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    pub id: uuid::Uuid,
    pub username: String,
    pub roles: Vec<String>,
    pub permissions: Vec<String>,
}

/// The caller: user name, roles and effective permissions.
#[utoipa::path(get, path = "/api/v1/me", tag = "identity",
    responses(
        (status = 200, description = "The caller", body = Me),
        (status = 401, description = "No valid token or session", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn me(me: Identity) -> Json<Me> {
    Json(Me {
        id: me.user_id(),
        username: me.username.clone(),
        roles: me.principal.roles().into_iter().map(|r| r.code().to_owned()).collect(),
        permissions: me.principal.permissions().into_iter().map(|p| p.code().to_owned()).collect(),
    })
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct PageParams {
    /// 1-based page number (default 1).
    pub page: Option<u32>,
    /// Items per page, 1 to 200 (default 50).
    pub per_page: Option<u32>,
}

impl PageParams {
    pub(crate) fn bounds(&self) -> Result<(usize, usize), WebError> {
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(50);
        if page == 0 {
            return Err(WebError::BadRequest { code: "invalid", field: Some("page") });
        }
        if !(1..=200).contains(&per_page) {
            return Err(WebError::BadRequest { code: "invalid", field: Some("per_page") });
        }
        Ok((page as usize, per_page as usize))
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct UserItem {
    pub id: uuid::Uuid,
    pub username: String,
    pub disabled: bool,
    pub mfa: bool,
    pub roles: Vec<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct UserPage {
    pub items: Vec<UserItem>,
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
}

/// Users visible to the caller (no personal data beyond the user name).
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(PageParams),
    responses(
        (status = 200, description = "A page of users", body = UserPage),
        (status = 400, description = "Bad paging parameters", body = ErrorBody),
        (status = 401, description = "No valid token or session", body = ErrorBody),
        (status = 403, description = "Not allowed", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn users(
    State(state): State<AppState>,
    granted: Granted,
    Query(q): Query<PageParams>,
) -> Result<Json<UserPage>, WebError> {
    let (page, per_page) = q.bounds()?;
    let all = haven_store::identity::list_users(&state.store, &granted.0).await?;
    let total = all.len() as u64;
    let items = all
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|u| UserItem {
            id: u.id,
            username: u.username,
            disabled: u.disabled,
            mfa: u.totp_enabled,
            roles: u.roles.iter().map(|g| g.role.code().to_owned()).collect(),
        })
        .collect();
    Ok(Json(UserPage { items, page: page as u32, per_page: per_page as u32, total }))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct AuditParams {
    /// Only actions starting with this text, e.g. `identity.`.
    pub action: Option<String>,
    /// Entries with a sequence number below this (the `next_before` of the previous page).
    pub before: Option<i64>,
    /// Entries per page, 1 to 500 (default 100).
    pub limit: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditItem {
    pub seq: i64,
    #[schema(value_type = String, format = DateTime)]
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity_kind: String,
    pub entity_id: String,
    pub summary: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditItem>,
    /// Pass as `before` to get the next (older) page; absent on the last page.
    pub next_before: Option<i64>,
}

/// The audit log, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditParams),
    responses(
        (status = 200, description = "A page of entries", body = AuditPage),
        (status = 400, description = "Bad parameters", body = ErrorBody),
        (status = 401, description = "No valid token or session", body = ErrorBody),
        (status = 403, description = "Not allowed", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn audit(
    State(state): State<AppState>,
    me: Identity,
    _g: Granted,
    Query(q): Query<AuditParams>,
) -> Result<Json<AuditPage>, WebError> {
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(WebError::BadRequest { code: "invalid", field: Some("limit") });
    }
    let entries = haven_store::audit::list(&state.store.pool, q.action.as_deref(), q.before, limit).await?;
    let event = me.actor().event(actions::AUDIT_VIEWED, "audit", "api").summary(format!("{} entries", entries.len()));
    haven_store::audit::record(&state.store.pool, &state.store.keys, &event).await?;
    let next_before = (entries.len() as i64 == limit).then(|| entries.last().map(|e| e.entry.seq)).flatten();
    let rfc3339 = time::format_description::well_known::Rfc3339;
    let items = entries
        .into_iter()
        .map(|e| AuditItem {
            seq: e.entry.seq,
            at: e.entry.at.format(&rfc3339).unwrap_or_default(),
            actor: e.entry.actor,
            action: e.entry.action,
            entity_kind: e.entry.entity_kind,
            entity_id: e.entry.entity_id,
            summary: e.entry.summary,
        })
        .collect();
    Ok(Json(AuditPage { items, next_before }))
}
