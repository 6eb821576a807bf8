//! One mapping from errors to responses.
//!
//! Handlers return [`WebError`]. It becomes a bare response carrying an [`ErrorInfo`]
//! extension; the `render_errors` middleware then writes the body in the caller's
//! language: the JSON error shape under `/api/`, an HTML page elsewhere. The same
//! middleware rewrites the framework's own rejections (bad JSON, wrong content type, bad
//! path or query) so every API failure has one shape and never echoes submitted values.

use axum::Json;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use haven_store::StoreError;
use serde::Serialize;

use crate::i18n::Lang;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("not signed in")]
    NotAuthenticated,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("bad request: {code}")]
    BadRequest { code: &'static str, field: Option<&'static str> },
    #[error("conflict")]
    Conflict { code: &'static str, field: Option<&'static str> },
    #[error("too many requests")]
    TooManyRequests,
    /// Allowed in general, refused here for a stated reason (a stable code).
    #[error("refused: {0}")]
    Refused(&'static str),
    /// Several fields are wrong: each with its problem code.
    #[error("invalid input")]
    Invalid(Vec<(&'static str, &'static str)>),
    #[error("service unavailable: {0}")]
    Unavailable(&'static str),
    /// A file that cannot be read as a table (the message names the file and line).
    #[error("unreadable file: {0}")]
    InvalidFile(String),
    /// A file with problems on some of its rows: line, column, problem code.
    #[error("invalid file")]
    InvalidRows(Vec<(u64, String, &'static str)>),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => WebError::NotFound,
            StoreError::Conflict(_) => WebError::Conflict { code: "already-exists", field: None },
            StoreError::Frozen(code) => WebError::Conflict { code, field: None },
            StoreError::Changed(_) => WebError::Conflict { code: "changed-meanwhile", field: None },
            other => WebError::Internal(other.to_string()),
        }
    }
}

/// What went wrong, for the renderer: a stable code (also the translation key suffix).
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub code: &'static str,
    pub field: Option<&'static str>,
    /// Every field problem, when there are several.
    pub problems: Vec<ProblemInfo>,
}

/// One problem: the line of a file (for imports), the field or column, a stable code.
#[derive(Debug, Clone)]
pub struct ProblemInfo {
    pub row: Option<u64>,
    pub field: String,
    pub code: &'static str,
}

impl WebError {
    fn status_and_info(&self) -> (StatusCode, ErrorInfo) {
        let info = |code, field| ErrorInfo { code, field, problems: Vec::new() };
        match self {
            WebError::NotAuthenticated => (StatusCode::UNAUTHORIZED, info("not-authenticated", None)),
            WebError::Forbidden => (StatusCode::FORBIDDEN, info("forbidden", None)),
            WebError::NotFound => (StatusCode::NOT_FOUND, info("not-found", None)),
            WebError::BadRequest { code, field } => (StatusCode::BAD_REQUEST, info(code, *field)),
            WebError::Conflict { code, field } => (StatusCode::CONFLICT, info(code, *field)),
            WebError::TooManyRequests => (StatusCode::TOO_MANY_REQUESTS, info("too-many-requests", None)),
            WebError::Refused(code) => (StatusCode::FORBIDDEN, info(code, None)),
            WebError::Invalid(problems) => {
                let first = problems.first().copied();
                let info = ErrorInfo {
                    code: first.map(|p| p.1).unwrap_or("invalid"),
                    field: first.map(|p| p.0),
                    problems: problems
                        .iter()
                        .map(|(field, code)| ProblemInfo { row: None, field: (*field).to_owned(), code })
                        .collect(),
                };
                (StatusCode::UNPROCESSABLE_ENTITY, info)
            }
            WebError::InvalidFile(_) => (StatusCode::UNPROCESSABLE_ENTITY, info("unreadable-file", None)),
            WebError::InvalidRows(problems) => {
                let info = ErrorInfo {
                    code: "invalid-file",
                    field: None,
                    problems: problems
                        .iter()
                        .map(|(row, field, code)| ProblemInfo { row: Some(*row), field: field.clone(), code })
                        .collect(),
                };
                (StatusCode::UNPROCESSABLE_ENTITY, info)
            }
            WebError::Unavailable(code) => (StatusCode::SERVICE_UNAVAILABLE, info(code, None)),
            WebError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, info("internal", None)),
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if let WebError::Internal(detail) = &self {
            // The detail may name a table or query, never a person's data (no values are logged).
            tracing::error!(error = %detail, "internal error");
        }
        let (status, info) = self.status_and_info();
        let mut response = status.into_response();
        response.extensions_mut().insert(info);
        response
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable code.
    pub code: String,
    /// Human-readable message in the caller's language.
    pub message: String,
    /// The input field concerned, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every field that is wrong, when the input was checked field by field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<FieldProblemBody>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct FieldProblemBody {
    /// The line of the file, for imports (the header is line 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u64>,
    pub field: String,
    pub code: String,
    pub message: String,
}

/// A stable code for a status the framework produced on its own.
fn code_for_status(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "bad-request",
        StatusCode::UNAUTHORIZED => "not-authenticated",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not-found",
        StatusCode::METHOD_NOT_ALLOWED => "method-not-allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload-too-large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported-media-type",
        StatusCode::UNPROCESSABLE_ENTITY => "unprocessable",
        StatusCode::TOO_MANY_REQUESTS => "too-many-requests",
        StatusCode::REQUEST_TIMEOUT => "timeout",
        StatusCode::SERVICE_UNAVAILABLE => "unavailable",
        _ => "internal",
    }
}

pub async fn render_errors(request: Request, next: Next) -> Response {
    // Machines call the API and the webhooks: they get the JSON shape.
    let is_api = request.uri().path().starts_with("/api/") || request.uri().path().starts_with("/webhooks/");
    let lang = request.extensions().get::<Lang>().copied().unwrap_or_default();
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let info = response.extensions().get::<ErrorInfo>().cloned();
    // A handler's own page (a form shown again with its errors) passes through untouched.
    let has_own_body = info.is_none()
        && response.headers().get(header::CONTENT_TYPE).is_some_and(|v| {
            let v = v.to_str().unwrap_or("");
            (is_api && v.starts_with("application/json")) || (!is_api && v.starts_with("text/html"))
        });
    if has_own_body {
        return response;
    }
    let info = info.unwrap_or(ErrorInfo { code: code_for_status(status), field: None, problems: Vec::new() });
    let message = lang.t(&format!("error-{}", info.code));
    let mut out = if is_api {
        let body = ErrorBody {
            error: ErrorDetail {
                code: info.code.to_owned(),
                message,
                field: info.field.map(str::to_owned),
                problems: info
                    .problems
                    .iter()
                    .map(|p| FieldProblemBody {
                        row: p.row,
                        field: p.field.clone(),
                        code: p.code.to_owned(),
                        message: lang.t(&format!("error-{}", p.code)),
                    })
                    .collect(),
            },
        };
        (status, Json(body)).into_response()
    } else {
        crate::pages::error_page(lang, status, &message)
    };
    for name in [header::WWW_AUTHENTICATE, header::RETRY_AFTER, header::LOCATION, header::ALLOW] {
        if let Some(v) = response.headers().get(&name) {
            out.headers_mut().insert(name, v.clone());
        }
    }
    if is_api && status == StatusCode::UNAUTHORIZED {
        out.headers_mut().insert(header::WWW_AUTHENTICATE, axum::http::HeaderValue::from_static("Bearer"));
    }
    out
}

pub fn empty(status: StatusCode) -> Response {
    Response::builder().status(status).body(Body::empty()).unwrap_or_default()
}
