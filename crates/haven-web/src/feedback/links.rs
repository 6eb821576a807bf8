//! Links of an item to a project, a sector and a principle: checked against the catalog and
//! the project register, changed at triage (`PUT /api/v1/feedback/{id}/links` and the item
//! page), and shown with their names.

use axum::Form;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use haven_core::catalog::CatalogKind;
use haven_core::feedback::{Links, RawLinks};
use haven_store::feedback::links::{self as store, LinkError};
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::authz::Granted;
use crate::error::{ErrorBody, WebError};
use crate::i18n::Lang;
use crate::identity::Identity;

/// Refuse links the catalog or the project register does not know, naming each field.
pub async fn check(state: &AppState, links: &Links) -> Result<(), WebError> {
    let problems = store::unknown_links(&state.store, links).await?;
    if problems.is_empty() {
        Ok(())
    } else {
        Err(WebError::Invalid(problems.iter().map(|p| (p.field, p.code)).collect()))
    }
}

/// Replace the links of an item the caller may work on. A sealed item's links are sealed with
/// it: only a PSEA focal point holding the office key changes them.
pub async fn change(
    state: &AppState,
    me: &Identity,
    granted: &Granted,
    id: Uuid,
    raw: RawLinks,
) -> Result<(), WebError> {
    let mut problems = Vec::new();
    let links = raw.validate(&mut problems);
    if !problems.is_empty() {
        return Err(WebError::Invalid(problems.iter().map(|p| (p.field, p.code)).collect()));
    }
    super::workable_row(state, me, &granted.0, id).await?;
    check(state, &links).await?;
    let key = me.office_key.as_deref().filter(|_| super::sight_of(me).sealed);
    store::set_links(&state.store, &me.actor(), key, id, &links).await.map_err(|e| match e {
        LinkError::NoOfficeKey => WebError::BadRequest { code: "office-key-needed", field: None },
        LinkError::Changed => WebError::Conflict { code: "changed", field: None },
        LinkError::Store(e) => e.into(),
    })
}

/// The links of an item, all three given each time: an absent or empty one is removed.
#[derive(Deserialize, utoipa::ToSchema, Default)]
#[serde(default)]
pub struct LinksBody {
    /// The project's id.
    pub project_id: Option<String>,
    /// A sector of assistance (catalog `sectors` code).
    pub sector: Option<String>,
    /// A protection principle (catalog `principles` code).
    pub principle: Option<String>,
}

/// Link an item to a project, a sector and a principle (triage). Sealed items: PSEA focal
/// points with the office key; their links stay sealed.
#[utoipa::path(put, path = "/api/v1/feedback/{id}/links", tag = "feedback", request_body = LinksBody,
    params(("id" = Uuid, Path, description = "The item's id")),
    responses(
        (status = 204, description = "Linked"),
        (status = 400, description = "A sealed item, and the office key is not in this session or token", body = ErrorBody),
        (status = 403, description = "Not allowed to work on this item", body = ErrorBody),
        (status = 404, description = "No such item, or not visible to the caller", body = ErrorBody),
        (status = 409, description = "The item changed meanwhile", body = ErrorBody),
        (status = 422, description = "Unknown project, sector or principle, each named", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn api_put(
    State(state): State<AppState>,
    me: Identity,
    granted: Granted,
    Path(id): Path<Uuid>,
    Json(body): Json<LinksBody>,
) -> Result<StatusCode, WebError> {
    let raw = RawLinks { project_id: body.project_id, sector: body.sector, principle: body.principle };
    change(&state, &me, &granted, id, raw).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The item page's links form: the project by its code.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LinksForm {
    project: String,
    sector: String,
    principle: String,
}

pub async fn form_post(
    State(state): State<AppState>,
    me: Identity,
    granted: Granted,
    Path(id): Path<Uuid>,
    Form(form): Form<LinksForm>,
) -> Result<Response, WebError> {
    let outcome = async {
        let project_id = project_from_code(&state, &form.project).await?;
        let raw = RawLinks {
            project_id: project_id.map(|p| p.to_string()),
            sector: Some(form.sector),
            principle: Some(form.principle),
        };
        change(&state, &me, &granted, id, raw).await
    };
    super::pages::back_to_item(id, "#links", outcome.await)
}

/// A project typed by its code on a page: none when empty, a field error when unknown.
pub async fn project_from_code(state: &AppState, code: &str) -> Result<Option<Uuid>, WebError> {
    let code = code.trim();
    if code.is_empty() {
        return Ok(None);
    }
    match store::project_by_code(&state.store, code).await? {
        Some(id) => Ok(Some(id)),
        None => Err(WebError::Invalid(vec![("project", "unknown-project")])),
    }
}

/// A catalog kind's codes and names in the page's language.
pub async fn choices(state: &AppState, l: Lang, kind: CatalogKind) -> Result<Vec<(String, String)>, WebError> {
    Ok(haven_store::catalog::entries(&state.store, kind)
        .await?
        .into_iter()
        .map(|e| (e.code.clone(), e.name.get(l.code()).to_owned()))
        .collect())
}

/// An item's links as its page shows them: the project's code and title, the sector's and the
/// principle's names (the code when the catalog no longer has it).
#[derive(Debug, Clone, Default)]
pub struct LinksView {
    pub project_code: String,
    pub project: Option<String>,
    pub sector_code: String,
    pub sector: Option<String>,
    pub principle_code: String,
    pub principle: Option<String>,
}

pub async fn view(state: &AppState, l: Lang, links: &Links) -> Result<LinksView, WebError> {
    let project = match links.project_id {
        Some(id) => store::project_code(&state.store, id).await?,
        None => None,
    };
    let name = |choices: Vec<(String, String)>, code: &Option<String>| {
        code.as_ref().map(|c| choices.iter().find(|(k, _)| k == c).map(|(_, n)| n.clone()).unwrap_or_else(|| c.clone()))
    };
    Ok(LinksView {
        project_code: project.as_ref().map(|(code, _)| code.clone()).unwrap_or_default(),
        project: project.map(|(code, title)| format!("{code} · {title}")),
        sector_code: links.sector.clone().unwrap_or_default(),
        sector: name(choices(state, l, CatalogKind::Sectors).await?, &links.sector),
        principle_code: links.principle.clone().unwrap_or_default(),
        principle: name(choices(state, l, CatalogKind::Principles).await?, &links.principle),
    })
}
