//! Cross-site request forgery protection for every state-changing request.
//!
//! Signed-in browsers: the session's synchronizer token, sent as the `csrf` form field or the
//! `X-CSRF-Token` header. Before sign-in (the login form): a double-submit cookie. Calls with
//! an API token carry no ambient credentials and need neither.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use haven_store::identity::constant_time_eq;

use crate::AppState;
use crate::error::WebError;
use crate::identity::{Identity, cookie};

pub const PRE_SESSION_COOKIE: &str = "haven_csrf";
const FORM_LIMIT: usize = 256 * 1024;
/// Multipart forms carry an evidence file; the body limit layer has already bounded them.
const UPLOAD_LIMIT: usize = crate::projects::evidence::UPLOAD_BODY_LIMIT;

pub async fn verify(State(_state): State<AppState>, request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    if request.headers().contains_key(header::AUTHORIZATION) {
        return next.run(request).await;
    }
    // Anonymous intake endpoints act for nobody (a forged request gains nothing); webhooks
    // are authenticated by their signatures.
    if request.uri().path().starts_with("/api/v1/public/") || request.uri().path().starts_with("/webhooks/") {
        return next.run(request).await;
    }
    let expected = match request.extensions().get::<Identity>() {
        Some(identity) if identity.session.is_some() => Some(identity.csrf_token().to_owned()),
        Some(_) => return next.run(request).await,
        None => cookie(request.headers(), PRE_SESSION_COOKIE),
    };
    let Some(expected) = expected.filter(|e| !e.is_empty()) else {
        return csrf_failure();
    };
    if let Some(sent) = request.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()) {
        return if constant_time_eq(sent.as_bytes(), expected.as_bytes()) {
            next.run(request).await
        } else {
            csrf_failure()
        };
    }
    let content_type =
        request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let is_multipart = content_type.starts_with("multipart/form-data");
    if !content_type.starts_with("application/x-www-form-urlencoded") && !is_multipart {
        return csrf_failure();
    }
    let limit = if is_multipart { UPLOAD_LIMIT } else { FORM_LIMIT };
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, limit).await else {
        return WebError::BadRequest { code: "payload-too-large", field: None }.into_response();
    };
    let sent = if is_multipart {
        multipart_token(&parts, bytes.clone()).await
    } else {
        form_urlencoded::parse(&bytes).find(|(k, _)| k == "csrf").map(|(_, v)| v.into_owned())
    };
    match sent {
        Some(sent) if constant_time_eq(sent.as_bytes(), expected.as_bytes()) => {
            next.run(Request::from_parts(parts, Body::from(bytes))).await
        }
        _ => csrf_failure(),
    }
}

/// The `csrf` field of a multipart form, read from a copy of the buffered body. The form puts
/// it first, so the file after it is not parsed here.
async fn multipart_token(parts: &axum::http::request::Parts, bytes: axum::body::Bytes) -> Option<String> {
    use axum::extract::FromRequest;
    let copy = Request::from_parts(parts.clone(), Body::from(bytes));
    let mut form = axum::extract::Multipart::from_request(copy, &()).await.ok()?;
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some("csrf") {
            return field.text().await.ok();
        }
    }
    None
}

fn csrf_failure() -> Response {
    let mut response = WebError::BadRequest { code: "csrf", field: None }.into_response();
    *response.status_mut() = axum::http::StatusCode::FORBIDDEN;
    response
}
