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
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return csrf_failure();
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, FORM_LIMIT).await else {
        return WebError::BadRequest { code: "payload-too-large", field: None }.into_response();
    };
    let sent = form_urlencoded::parse(&bytes).find(|(k, _)| k == "csrf").map(|(_, v)| v.into_owned());
    match sent {
        Some(sent) if constant_time_eq(sent.as_bytes(), expected.as_bytes()) => {
            next.run(Request::from_parts(parts, Body::from(bytes))).await
        }
        _ => csrf_failure(),
    }
}

fn csrf_failure() -> Response {
    let mut response = WebError::BadRequest { code: "csrf", field: None }.into_response();
    *response.status_mut() = axum::http::StatusCode::FORBIDDEN;
    response
}
