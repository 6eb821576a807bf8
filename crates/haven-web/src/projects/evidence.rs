//! Evidence files on checklist answers: upload (multipart, as a page form or through the API),
//! list, download and removal. Files are checked in the core, encrypted by the store and only
//! ever sent back as attachments.

use axum::Json;
use axum::extract::{Extension, Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use haven_core::projects::{MAX_EVIDENCE_BYTES, RawEvidence, accept_evidence};
use haven_store::projects::evidence::{self as store, Evidence};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::pages::after;
use super::{invalid, visible};
use crate::AppState;
use crate::authz::Granted;
use crate::error::{ErrorBody, WebError};
use crate::i18n::Lang;
use crate::identity::Identity;

/// The request body an upload may take: the file and the form around it.
pub const UPLOAD_BODY_LIMIT: usize = MAX_EVIDENCE_BYTES + 64 * 1024;

/// Whether a path takes an evidence upload (the body limit is raised there only).
pub fn is_upload_path(path: &str) -> bool {
    (path.starts_with("/projects/") || path.starts_with("/api/v1/projects/")) && path.ends_with("/evidence")
}

/// A file attached to an item, as the API lists it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct EvidenceEntry {
    pub id: Uuid,
    pub item_id: String,
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: i64,
    /// Hex SHA-256 of the content.
    pub sha256: String,
    pub uploaded_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub uploaded_at: OffsetDateTime,
}

impl From<Evidence> for EvidenceEntry {
    fn from(e: Evidence) -> Self {
        EvidenceEntry {
            id: e.id,
            item_id: e.item_code,
            file_name: e.file_name,
            media_type: e.media_type,
            size_bytes: e.size_bytes,
            sha256: e.sha256,
            uploaded_by: e.uploaded_by,
            uploaded_at: e.uploaded_at,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct EvidenceCreated {
    pub id: Uuid,
    pub sha256: String,
}

/// The multipart form of an upload: `file` (the document); other fields are ignored.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // Documents the request body only.
pub struct EvidenceUpload {
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// The `file` part of the upload: its name as sent and its bytes.
async fn file_part(mut form: Multipart) -> Result<(Option<String>, Vec<u8>), WebError> {
    while let Some(field) = form.next_field().await.map_err(upload_error)? {
        if field.name() == Some("file") {
            let name = field.file_name().map(str::to_owned);
            let bytes = field.bytes().await.map_err(upload_error)?;
            return Ok((name, bytes.to_vec()));
        }
    }
    Err(WebError::Invalid(vec![("file", "required")]))
}

fn upload_error(e: axum::extract::multipart::MultipartError) -> WebError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        WebError::Invalid(vec![("file", "file-too-large")])
    } else {
        WebError::BadRequest { code: "invalid-upload", field: Some("file") }
    }
}

async fn attach(
    state: &AppState,
    me: &Identity,
    access: &haven_core::authz::Access,
    id: Uuid,
    item: &str,
    form: Multipart,
) -> Result<(Uuid, String), WebError> {
    let project = visible(state, access, id).await?;
    let (name, content) = file_part(form).await?;
    let file = accept_evidence(&RawEvidence { file_name: name.as_deref(), content: &content }).map_err(invalid)?;
    Ok(store::attach(&state.store, &me.actor(), &project, item, &file, &content).await?)
}

/// Attach a file to a checklist item as evidence (PDF, image, office document, text; 10 MiB
/// at most). The file is stored encrypted.
#[utoipa::path(post, path = "/api/v1/projects/{id}/checklist/{item_id}/evidence", tag = "projects",
    request_body(content = EvidenceUpload, content_type = "multipart/form-data"),
    params(("id" = Uuid, Path, description = "The project"), ("item_id" = String, Path, description = "The item's id")),
    responses(
        (status = 201, description = "Attached", body = EvidenceCreated),
        (status = 404, description = "No such project, or the item is not on its checklist", body = ErrorBody),
        (status = 422, description = "No file, an empty or too large file, a type not accepted, or content that does not match the name", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn api_attach(
    State(state): State<AppState>,
    me: Identity,
    Granted(access): Granted,
    Path((id, item)): Path<(Uuid, String)>,
    form: Multipart,
) -> Result<Response, WebError> {
    let (id, sha256) = attach(&state, &me, &access, id, &item, form).await?;
    Ok((StatusCode::CREATED, Json(EvidenceCreated { id, sha256 })).into_response())
}

/// The files attached to the project's checklist items (without their content).
#[utoipa::path(get, path = "/api/v1/projects/{id}/evidence", tag = "projects",
    params(("id" = Uuid, Path, description = "The project")),
    responses((status = 200, description = "The files", body = Vec<EvidenceEntry>)),
    security(("bearer" = [])))]
pub async fn api_list(
    State(state): State<AppState>,
    Granted(access): Granted,
    Path(id): Path<Uuid>,
) -> Result<Json<Vec<EvidenceEntry>>, WebError> {
    let project = visible(&state, &access, id).await?;
    let files = store::list(&state.store, project.id).await?;
    Ok(Json(files.into_iter().map(EvidenceEntry::from).collect()))
}

/// Download an evidence file. Every download is written to the audit log.
#[utoipa::path(get, path = "/api/v1/projects/{id}/evidence/{evidence_id}", tag = "projects",
    params(("id" = Uuid, Path, description = "The project"), ("evidence_id" = Uuid, Path, description = "The file")),
    responses(
        (status = 200, description = "The file, as an attachment", content_type = "application/octet-stream"),
        (status = 404, description = "No such project or file", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn download(
    State(state): State<AppState>,
    me: Identity,
    Granted(access): Granted,
    Path((id, evidence)): Path<(Uuid, Uuid)>,
) -> Result<Response, WebError> {
    let project = visible(&state, &access, id).await?;
    let (file, content) = store::download(&state.store, &me.actor(), project.id, evidence).await?;
    let mut response = content.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_str(&file.media_type).map_err(internal)?);
    headers
        .insert(header::CONTENT_DISPOSITION, HeaderValue::from_str(&disposition(&file.file_name)).map_err(internal)?);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

fn internal(e: impl std::fmt::Display) -> WebError {
    WebError::Internal(e.to_string())
}

/// `attachment` with an ASCII fallback name and the UTF-8 name (RFC 6266 / RFC 5987), so an
/// Arabic or French file name survives the download.
fn disposition(file_name: &str) -> String {
    let fallback: String = file_name
        .chars()
        .map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' })
        .collect();
    let mut encoded = String::new();
    for byte in file_name.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// Remove an evidence file attached by mistake; its content is deleted.
#[utoipa::path(delete, path = "/api/v1/projects/{id}/evidence/{evidence_id}", tag = "projects",
    params(("id" = Uuid, Path, description = "The project"), ("evidence_id" = Uuid, Path, description = "The file")),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No such project or file", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn api_remove(
    State(state): State<AppState>,
    me: Identity,
    Granted(access): Granted,
    Path((id, evidence)): Path<(Uuid, Uuid)>,
) -> Result<StatusCode, WebError> {
    let project = visible(&state, &access, id).await?;
    store::remove(&state.store, &me.actor(), &project, evidence).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The page form's upload: back to the item, or the project page with the problem shown there.
pub async fn page_attach(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Granted(access): Granted,
    Path((id, item)): Path<(Uuid, String)>,
    form: Multipart,
) -> Result<Response, WebError> {
    let outcome = attach(&state, &me, &access, id, &item, form).await.map(|_| ());
    after(&state, l, &me, id, &format!("item-{item}"), outcome.map_err(|e| (Some(item.clone()), e))).await
}

pub async fn page_remove(
    State(state): State<AppState>,
    me: Identity,
    Granted(access): Granted,
    Path((id, evidence)): Path<(Uuid, Uuid)>,
) -> Result<Response, WebError> {
    let project = visible(&state, &access, id).await?;
    let item = store::remove(&state.store, &me.actor(), &project, evidence).await?;
    Ok(Redirect::to(&format!("/projects/{id}#item-{item}")).into_response())
}

#[cfg(test)]
mod tests {
    use super::disposition;

    #[test]
    fn download_names_survive_in_any_script() {
        assert_eq!(disposition("plan.pdf"), "attachment; filename=\"plan.pdf\"; filename*=UTF-8''plan.pdf");
        let arabic = disposition("خطة الموقع.pdf");
        assert!(arabic.starts_with("attachment; filename=\"___ ______.pdf\"; filename*=UTF-8''%D8%AE"), "{arabic}");
        assert!(!disposition("a\"b.pdf").contains("a\"b"));
    }
}
