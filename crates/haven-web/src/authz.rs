//! The authorization layer: every non-public route passes one of these guards.
//!
//! `allow(permission)` asks the policy (`haven_core::authz::decide`), audits a refusal, and
//! hands the handler the resulting [`Access`] proof, which the store's list queries demand.

use std::future::Future;
use std::pin::Pin;

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use haven_core::audit::actions;
use haven_core::authz::{Access, Permission, decide};

use crate::AppState;
use crate::error::WebError;
use crate::identity::Identity;

/// A guard that admits only principals whose roles carry `permission`.
pub fn allow(
    permission: Permission,
) -> impl Fn(Request, Next) -> Pin<Box<dyn Future<Output = Response> + Send>> + Clone {
    move |request, next| Box::pin(check(permission, request, next))
}

/// A guard that admits any signed-in user who has completed the second factor.
pub fn signed_in(request: Request, next: Next) -> Pin<Box<dyn Future<Output = Response> + Send>> {
    Box::pin(async move {
        match request.extensions().get::<Identity>() {
            Some(identity) if !identity.mfa_pending() => next.run(request).await,
            Some(_) => not_signed_in(&request, true),
            None => not_signed_in(&request, false),
        }
    })
}

async fn check(permission: Permission, mut request: Request, next: Next) -> Response {
    let Some(identity) = request.extensions().get::<Identity>().cloned() else {
        return not_signed_in(&request, false);
    };
    if identity.mfa_pending() {
        return not_signed_in(&request, true);
    }
    match decide(&identity.principal, permission) {
        Ok(access) => {
            request.extensions_mut().insert(access);
            next.run(request).await
        }
        Err(denied) => {
            if let Some(state) = request.extensions().get::<AppState>() {
                let event = identity
                    .actor()
                    .event(actions::ACCESS_DENIED, "route", request.uri().path().to_owned())
                    .summary(format!("permission {}", permission.code()));
                let _ = haven_store::audit::record(&state.store.pool, &state.store.keys, &event).await;
            }
            tracing::info!(permission = permission.code(), reason = %denied, "access denied");
            WebError::Forbidden.into_response()
        }
    }
}

fn not_signed_in(request: &Request, mfa_pending: bool) -> Response {
    if request.uri().path().starts_with("/api/") || request.method() != axum::http::Method::GET {
        return WebError::NotAuthenticated.into_response();
    }
    if mfa_pending {
        return Redirect::to("/login/mfa").into_response();
    }
    let next = request.uri().path();
    let target = if next == "/" { "/login".to_owned() } else { format!("/login?next={}", encode_path(next)) };
    Redirect::to(&target).into_response()
}

fn encode_path(path: &str) -> String {
    path.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"/-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The guard's decision, for handlers. Missing means no guard ran: deny.
pub struct Granted(pub Access);

impl<S: Send + Sync> FromRequestParts<S> for Granted {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Access>().cloned().map(Granted).ok_or(WebError::Forbidden)
    }
}
