//! The service directory for help desks and hotlines: agents look up who does what where
//! (page and `/api/v1/services`); administrators and protection officers maintain it.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use haven_core::authz::{Permission, decide};
use haven_core::feedback::{RawService, Service, ServiceType, rows_to_services};
use haven_store::feedback::directory::{self as store, DirectoryError, ServiceFilter, ServiceRow};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::AppState;
use crate::authz::Granted;
use crate::error::{ErrorBody, WebError};
use crate::i18n::Lang;
use crate::identity::Identity;
use crate::pages::Chrome;

fn directory_error(e: DirectoryError) -> WebError {
    match e {
        DirectoryError::UnknownLocation(_) => WebError::Invalid(vec![("locations", "unknown-location")]),
        DirectoryError::Store(e) => e.into(),
    }
}

fn checked(raw: RawService) -> Result<Service, WebError> {
    raw.validate().map_err(|ps| WebError::Invalid(ps.iter().map(|p| (p.field, p.code)).collect()))
}

/// Locations as a select shows them: P-code and indented name.
pub async fn location_choices(state: &AppState, l: Lang) -> Result<Vec<(String, String)>, WebError> {
    Ok(haven_store::locations::all(&state.store)
        .await?
        .into_iter()
        .map(|loc| (loc.pcode.clone(), format!("{}{}", "· ".repeat(loc.level as usize), loc.name(l.code()))))
        .collect())
}

fn type_choices(l: Lang) -> Vec<(&'static str, String)> {
    ServiceType::ALL.iter().map(|t| (t.code(), l.t(&format!("service-type-{}", t.code())))).collect()
}

/// A service as a page shows it.
pub struct ServiceView {
    pub row: ServiceRow,
    pub type_name: String,
    pub places: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "feedback_services.html")]
pub struct DirectoryPage {
    c: Chrome,
    services: Vec<ServiceView>,
    locations: Vec<(String, String)>,
    types: Vec<(&'static str, String)>,
    location: String,
    service_type: String,
    can_manage: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DirectoryQuery {
    location: String,
    #[serde(rename = "type")]
    service_type: String,
}

fn filter_of(location: &str, service_type: &str, include_inactive: bool) -> Result<ServiceFilter, WebError> {
    let service_type = match service_type.trim() {
        "" => None,
        t => Some(ServiceType::from_code(t).ok_or(WebError::BadRequest { code: "invalid", field: Some("type") })?),
    };
    let location = Some(location.trim().to_owned()).filter(|l| !l.is_empty());
    Ok(ServiceFilter { location, service_type, include_inactive })
}

/// The services covering a place, for an item's referral step.
pub async fn serving(state: &AppState, location: Option<&str>) -> Result<Vec<ServiceRow>, WebError> {
    let filter = ServiceFilter { location: location.map(str::to_owned), ..Default::default() };
    let mut found = store::list(&state.store, &filter).await.map_err(directory_error)?;
    found.retain(|s| s.accepts_referrals);
    Ok(found)
}

pub async fn page(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    _g: Granted,
    Query(q): Query<DirectoryQuery>,
) -> Result<Response, WebError> {
    let can_manage = decide(&me.principal, Permission::ServicesManage).is_ok();
    let filter = filter_of(&q.location, &q.service_type, can_manage)?;
    let locations = location_choices(&state, l).await?;
    let names: std::collections::HashMap<&str, &str> =
        locations.iter().map(|(code, name)| (code.as_str(), name.trim_start_matches("· "))).collect();
    let services = store::list(&state.store, &filter)
        .await
        .map_err(directory_error)?
        .into_iter()
        .map(|row| ServiceView {
            type_name: l.t(&format!("service-type-{}", row.service_type)),
            places: row
                .locations
                .iter()
                .map(|(code, _)| names.get(code.as_str()).copied().unwrap_or(code))
                .collect::<Vec<_>>()
                .join(", "),
            row,
        })
        .collect();
    let page = DirectoryPage {
        c: Chrome::new(l, Some(&me), &state),
        services,
        types: type_choices(l),
        locations,
        location: q.location,
        service_type: q.service_type,
        can_manage,
    };
    Ok(page.into_response())
}

/// What the service form sent, kept to show it again with its errors.
#[derive(Default, Clone)]
pub struct ServiceForm {
    organisation: String,
    name: String,
    service_type: String,
    description: String,
    locations: Vec<String>,
    contact: String,
    opening_hours: String,
    languages: String,
    referral_criteria: String,
    accepts_referrals: bool,
    active: bool,
}

impl ServiceForm {
    /// Read a posted form (a multiple select sends `locations` once per choice; a tick box
    /// is sent only when ticked).
    fn raw_of_body(body: &[u8]) -> RawService {
        let mut raw = RawService { accepts_referrals: Some(false), active: Some(false), ..Default::default() };
        for (k, v) in form_urlencoded::parse(body) {
            match k.as_ref() {
                "accepts_referrals" => raw.accepts_referrals = Some(true),
                "active" => raw.active = Some(true),
                field => {
                    raw.set_text(field, &v);
                }
            }
        }
        raw
    }

    /// The form as typed, to show it again with its errors.
    fn of_raw(raw: &RawService) -> ServiceForm {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        ServiceForm {
            organisation: text(&raw.organisation),
            name: text(&raw.name),
            service_type: text(&raw.service_type),
            description: text(&raw.description),
            locations: raw.locations.clone(),
            contact: text(&raw.contact),
            opening_hours: text(&raw.opening_hours),
            languages: raw.languages.join(", "),
            referral_criteria: text(&raw.referral_criteria),
            accepts_referrals: raw.accepts_referrals.unwrap_or(false),
            active: raw.active.unwrap_or(false),
        }
    }

    fn of(row: &ServiceRow) -> ServiceForm {
        ServiceForm {
            organisation: row.organisation.clone(),
            name: row.name.clone(),
            service_type: row.service_type.clone(),
            description: row.description.clone(),
            locations: row.locations.iter().map(|(c, _)| c.clone()).collect(),
            contact: row.contact.clone(),
            opening_hours: row.opening_hours.clone(),
            languages: row.languages.join(", "),
            referral_criteria: row.referral_criteria.clone(),
            accepts_referrals: row.accepts_referrals,
            active: row.active,
        }
    }

    fn has_location(&self, code: &str) -> bool {
        self.locations.iter().any(|l| l == code)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "feedback_service_form.html")]
pub struct FormPage {
    c: Chrome,
    /// `None` for a new service.
    id: Option<Uuid>,
    form: ServiceForm,
    errors: Vec<(&'static str, String)>,
    locations: Vec<(String, String)>,
    types: Vec<(&'static str, String)>,
}

impl FormPage {
    fn error(&self, field: &str) -> Option<&str> {
        super::field_error(&self.errors, field)
    }
    fn action(&self) -> String {
        self.id.map(|id| format!("/feedback/services/{id}")).unwrap_or_else(|| "/feedback/services".into())
    }
}

async fn form_page(
    state: &AppState,
    l: Lang,
    me: &Identity,
    id: Option<Uuid>,
    form: ServiceForm,
    errors: Vec<(&'static str, String)>,
) -> Result<FormPage, WebError> {
    Ok(FormPage {
        c: Chrome::new(l, Some(me), state),
        id,
        form,
        errors,
        locations: location_choices(state, l).await?,
        types: type_choices(l),
    })
}

pub async fn new_form(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    _g: Granted,
) -> Result<Response, WebError> {
    let form = ServiceForm { accepts_referrals: true, active: true, ..Default::default() };
    Ok(form_page(&state, l, &me, None, form, Vec::new()).await?.into_response())
}

pub async fn edit_form(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    _g: Granted,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    let row = store::get(&state.store, id).await?;
    Ok(form_page(&state, l, &me, Some(id), ServiceForm::of(&row), Vec::new()).await?.into_response())
}

/// Save a new or changed service; the form comes back with its errors.
async fn save_form(
    state: &AppState,
    l: Lang,
    me: &Identity,
    id: Option<Uuid>,
    body: &[u8],
) -> Result<Response, WebError> {
    let raw = ServiceForm::raw_of_body(body);
    let form = ServiceForm::of_raw(&raw);
    let saved = match checked(raw) {
        Ok(s) => match id {
            None => store::create(&state.store, &me.actor(), &s).await.map(|_| ()),
            Some(id) => store::update(&state.store, &me.actor(), id, &s).await,
        }
        .map_err(directory_error),
        Err(e) => Err(e),
    };
    match saved {
        Ok(()) => Ok(Redirect::to("/feedback/services").into_response()),
        Err(WebError::Invalid(problems)) => {
            let page = form_page(state, l, me, id, form, super::form_errors(l, problems)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn create_form(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    _g: Granted,
    body: axum::body::Bytes,
) -> Result<Response, WebError> {
    save_form(&state, l, &me, None, &body).await
}

pub async fn update_form(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    _g: Granted,
    Path(id): Path<Uuid>,
    body: axum::body::Bytes,
) -> Result<Response, WebError> {
    store::get(&state.store, id).await?;
    save_form(&state, l, &me, Some(id), &body).await
}

/// A service in the API.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ServiceItem {
    pub id: Uuid,
    pub organisation: String,
    pub name: String,
    /// health, gbv_case_management, child_protection, legal_aid, shelter, cash, food, wash,
    /// education, mhpss, documentation, psea_investigation, other
    pub service_type: String,
    pub description: String,
    /// The P-codes of the places covered; a region covers everything under it.
    pub locations: Vec<String>,
    pub contact: String,
    pub opening_hours: String,
    pub languages: Vec<String>,
    /// Who may be referred, and how.
    pub referral_criteria: String,
    /// Takes referrals (made with the person's consent).
    pub accepts_referrals: bool,
    pub active: bool,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: String,
}

impl From<ServiceRow> for ServiceItem {
    fn from(r: ServiceRow) -> Self {
        ServiceItem {
            id: r.id,
            organisation: r.organisation,
            name: r.name,
            service_type: r.service_type,
            description: r.description,
            locations: r.locations.into_iter().map(|(c, _)| c).collect(),
            contact: r.contact,
            opening_hours: r.opening_hours,
            languages: r.languages,
            referral_criteria: r.referral_criteria,
            accepts_referrals: r.accepts_referrals,
            active: r.active,
            updated_at: r.updated_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ServiceParams {
    /// Services covering this place (a location P-code), including those at its region.
    pub location: Option<String>,
    /// Only this type of service.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub service_type: Option<String>,
    /// Inactive services too (needs services-manage).
    #[serde(default)]
    pub include_inactive: bool,
}

/// The service directory: services by place and type.
#[utoipa::path(get, path = "/api/v1/services", tag = "services", params(ServiceParams),
    responses(
        (status = 200, description = "The services", body = [ServiceItem]),
        (status = 400, description = "Unknown type", body = ErrorBody),
        (status = 422, description = "Unknown location", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn api_list(
    State(state): State<AppState>,
    me: Identity,
    _g: Granted,
    Query(q): Query<ServiceParams>,
) -> Result<Json<Vec<ServiceItem>>, WebError> {
    let inactive = q.include_inactive && decide(&me.principal, Permission::ServicesManage).is_ok();
    let filter = filter_of(q.location.as_deref().unwrap_or(""), q.service_type.as_deref().unwrap_or(""), inactive)?;
    let found = store::list(&state.store, &filter).await.map_err(|e| match e {
        DirectoryError::UnknownLocation(_) => WebError::Invalid(vec![("location", "unknown-location")]),
        other => directory_error(other),
    })?;
    Ok(Json(found.into_iter().map(ServiceItem::from).collect()))
}

/// One service.
#[utoipa::path(get, path = "/api/v1/services/{id}", tag = "services",
    params(("id" = Uuid, Path, description = "The service's id")),
    responses((status = 200, description = "The service", body = ServiceItem), (status = 404, description = "No such service", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn api_get(
    State(state): State<AppState>,
    _g: Granted,
    Path(id): Path<Uuid>,
) -> Result<Json<ServiceItem>, WebError> {
    Ok(Json(store::get(&state.store, id).await?.into()))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ServiceCreated {
    pub id: Uuid,
}

/// Add a service (services-manage). Every field problem is listed.
#[utoipa::path(post, path = "/api/v1/services", tag = "services", request_body = inline(serde_json::Value),
    responses((status = 201, description = "Added", body = ServiceCreated), (status = 422, description = "Invalid fields", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn api_create(
    State(state): State<AppState>,
    me: Identity,
    _g: Granted,
    Json(raw): Json<RawService>,
) -> Result<Response, WebError> {
    let id = store::create(&state.store, &me.actor(), &checked(raw)?).await.map_err(directory_error)?;
    Ok((StatusCode::CREATED, Json(ServiceCreated { id })).into_response())
}

/// Replace a service's details (services-manage); `active: false` takes it out of look-ups.
#[utoipa::path(put, path = "/api/v1/services/{id}", tag = "services", request_body = inline(serde_json::Value),
    params(("id" = Uuid, Path, description = "The service's id")),
    responses((status = 204, description = "Saved"), (status = 404, description = "No such service", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn api_update(
    State(state): State<AppState>,
    me: Identity,
    _g: Granted,
    Path(id): Path<Uuid>,
    Json(raw): Json<RawService>,
) -> Result<StatusCode, WebError> {
    store::update(&state.store, &me.actor(), id, &checked(raw)?).await.map_err(directory_error)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ServicesImported {
    pub imported: usize,
}

/// Import a service mapping (services-manage): the body is a CSV (UTF-8) or XLSX file with a
/// header row: organisation, service, type, locations (P-codes), contact, and optionally
/// description, opening hours, languages, referral criteria, accepts referrals, active. All
/// rows or none: any problem is reported with its line and column.
#[utoipa::path(post, path = "/api/v1/services/import", tag = "services", params(super::api::ImportParams),
    request_body(content = Vec<u8>, content_type = "text/csv"),
    responses(
        (status = 201, description = "Imported", body = ServicesImported),
        (status = 422, description = "Problems, each with its line and column; nothing was stored", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn api_import(
    State(state): State<AppState>,
    me: Identity,
    _g: Granted,
    Query(q): Query<super::api::ImportParams>,
    body: axum::body::Bytes,
) -> Result<Response, WebError> {
    let table = haven_io::read_table(q.file_name(), &body).map_err(super::import::table_problem)?;
    let known: std::collections::HashSet<String> =
        haven_store::locations::all(&state.store).await?.into_iter().map(|l| l.pcode).collect();
    let rows = rows_to_services(&table.headers, &table.rows, |code| known.contains(code))
        .map_err(|ps| WebError::InvalidRows(ps.into_iter().map(|p| (p.line, p.column, p.code)).collect()))?;
    let services: Vec<Service> = rows.into_iter().map(|(_, s)| s).collect();
    let imported = store::create_all(&state.store, &me.actor(), &services).await.map_err(directory_error)?;
    Ok((StatusCode::CREATED, Json(ServicesImported { imported })).into_response())
}
