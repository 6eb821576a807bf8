//! Browsing reference data (pages and `GET /api/v1/catalog/{kind}`), and adding local entries.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::Json;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use haven_core::catalog::{CatalogItem, CatalogKind, Localized};
use haven_store::{catalog, locations};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::authz::Granted;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::identity::Identity;
use crate::pages::Chrome;

/// One catalog entry in the caller's language.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CatalogEntry {
    /// Stable code.
    pub code: String,
    /// Name in the caller's language (English when missing).
    pub name: String,
    pub description: String,
    /// True for entries the organisation added itself.
    pub local: bool,
    /// Kind-specific fields: order, UNHCR codes, age limits, level and parent for locations.
    #[schema(value_type = Object)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CatalogList {
    pub items: Vec<CatalogEntry>,
}

fn kind_from_path(kind: &str) -> Option<Option<CatalogKind>> {
    if kind == "locations" {
        return Some(None);
    }
    CatalogKind::from_code(kind).map(Some)
}

async fn entries_in(state: &AppState, l: Lang, kind: Option<CatalogKind>) -> Result<Vec<CatalogEntry>, WebError> {
    Ok(match kind {
        Some(kind) => catalog::entries(&state.store, kind)
            .await?
            .into_iter()
            .map(|e| CatalogEntry {
                name: e.name.get(l.code()).to_owned(),
                description: e.description.get(l.code()).to_owned(),
                code: e.code,
                local: e.is_local,
                extra: e.extra,
            })
            .collect(),
        None => locations::all(&state.store)
            .await?
            .into_iter()
            .map(|row| {
                let mut extra = serde_json::Map::new();
                extra.insert("level".into(), row.level.into());
                extra.insert("parent".into(), row.parent_pcode.clone().into());
                CatalogEntry {
                    name: row.name(l.code()).to_owned(),
                    description: String::new(),
                    code: row.pcode.clone(),
                    local: false,
                    extra,
                }
            })
            .collect(),
    })
}

/// List a catalog kind.
#[utoipa::path(
    get,
    path = "/api/v1/catalog/{kind}",
    tag = "catalog",
    params(("kind" = String, Path, description = "principles, phases, sectors, at-risk-groups, risks, action-types, pillars, age-brackets or locations")),
    responses(
        (status = 200, description = "The entries, in the caller's language", body = CatalogList),
        (status = 401, description = "No valid token or session", body = crate::error::ErrorBody),
        (status = 403, description = "Not allowed", body = crate::error::ErrorBody),
        (status = 404, description = "Unknown kind", body = crate::error::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub async fn api_list(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    _granted: Granted,
    Path(kind): Path<String>,
) -> Result<Json<CatalogList>, WebError> {
    let kind = kind_from_path(&kind).ok_or(WebError::NotFound)?;
    Ok(Json(CatalogList { items: entries_in(&state, l, kind).await? }))
}

#[derive(Template, WebTemplate)]
#[template(path = "catalog_index.html")]
struct IndexPage {
    c: Chrome,
    kinds: Vec<(String, String, usize)>,
}

fn all_kind_codes() -> Vec<&'static str> {
    let mut codes: Vec<&str> = CatalogKind::ALL.iter().map(|k| k.code()).collect();
    codes.push("locations");
    codes
}

pub async fn index(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
) -> Result<Response, WebError> {
    let mut kinds = Vec::new();
    for code in all_kind_codes() {
        let kind = kind_from_path(code).ok_or(WebError::NotFound)?;
        let count = entries_in(&state, l, kind).await?.len();
        kinds.push((code.to_owned(), l.t(&format!("catalog-kind-{code}")), count));
    }
    Ok(IndexPage { c: Chrome::new(l, Some(&me), &state), kinds }.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "catalog_kind.html")]
struct KindPage {
    c: Chrome,
    code: String,
    title: String,
    entries: Vec<CatalogEntry>,
    can_add: bool,
    error: Option<String>,
    error_field: String,
}

async fn kind_page(
    state: &AppState,
    l: Lang,
    me: &Identity,
    code: &str,
    error: Option<(String, &str)>,
) -> Result<Response, WebError> {
    let kind = kind_from_path(code).ok_or(WebError::NotFound)?;
    let entries = entries_in(state, l, kind).await?;
    let c = Chrome::new(l, Some(me), state);
    let can_add = kind.is_some_and(CatalogKind::takes_simple_entries) && c.can("catalog-edit");
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let (error, error_field) = match error {
        Some((e, f)) => (Some(e), f.to_owned()),
        None => (None, String::new()),
    };
    let page = KindPage {
        c,
        code: code.to_owned(),
        title: l.t(&format!("catalog-kind-{code}")),
        entries,
        can_add,
        error,
        error_field,
    };
    Ok((status, page).into_response())
}

pub async fn page(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    kind_page(&state, l, &me, &code, None).await
}

#[derive(Deserialize)]
pub struct NewEntry {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    name_fr: String,
    #[serde(default)]
    name_ar: String,
}

pub async fn add_entry(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    _granted: Granted,
    Path(code): Path<String>,
    Form(form): Form<NewEntry>,
) -> Result<Response, WebError> {
    let kind = CatalogKind::from_code(&code).ok_or(WebError::NotFound)?;
    if !kind.takes_simple_entries() {
        return Err(WebError::Conflict { code: "catalog-structured-kind", field: None });
    }
    let entry_code = form.code.trim().to_owned();
    if haven_core::catalog::check_code(&entry_code).is_err() {
        return kind_page(&state, l, &me, &code, Some((l.t("catalog-code-invalid"), "code"))).await;
    }
    if form.name_en.trim().is_empty() {
        return kind_page(&state, l, &me, &code, Some((l.t("catalog-name-required"), "name_en"))).await;
    }
    let mut name = Localized::default();
    for (lang, text) in [("en", &form.name_en), ("fr", &form.name_fr), ("ar", &form.name_ar)] {
        if !text.trim().is_empty() {
            name.0.insert(lang.to_owned(), text.trim().to_owned());
        }
    }
    let item = CatalogItem { code: entry_code, name, description: Localized::default(), extra: Default::default() };
    match catalog::add_local(&state.store, &me.actor(), kind, &item).await {
        Ok(()) => Ok(Redirect::to(&format!("/catalog/{code}")).into_response()),
        Err(haven_store::StoreError::Conflict(_)) => {
            kind_page(&state, l, &me, &code, Some((l.t("catalog-code-taken"), "code"))).await
        }
        Err(e) => Err(e.into()),
    }
}
