//! Who is calling: browser sessions (cookie) and API tokens (bearer), sign-in, the second
//! factor, and the account page.

pub mod account;
pub mod client;
pub mod login;
pub mod mfa;

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::Response;
use haven_core::authz::{Principal, Role};
use haven_store::identity::{self as users, Actor, SessionRecord};
use haven_store::now_utc;

use crate::AppState;
use crate::error::WebError;

pub const SESSION_COOKIE: &str = "haven_session";

/// The signed-in caller.
#[derive(Debug, Clone)]
pub struct Identity {
    pub principal: Principal,
    pub username: String,
    /// Present for browser sessions, absent for API tokens.
    pub session: Option<SessionRecord>,
    pub preferred_lang: Option<String>,
    /// The PSEA office key, for a focal point whose session or token carries it.
    pub office_key: Option<std::sync::Arc<haven_store::sealing::OfficeKey>>,
}

impl Identity {
    pub fn user_id(&self) -> uuid::Uuid {
        self.principal.user_id
    }

    pub fn actor(&self) -> Actor {
        Actor { id: Some(self.principal.user_id), name: self.username.clone() }
    }

    /// A session that passed the password but not yet the second factor.
    pub fn mfa_pending(&self) -> bool {
        self.session.as_ref().is_some_and(|s| !s.mfa_done)
    }

    pub fn csrf_token(&self) -> &str {
        self.session.as_ref().map(|s| s.csrf_token.as_str()).unwrap_or("")
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Identity {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Identity>().cloned().ok_or(WebError::NotAuthenticated)
    }
}

/// Read one cookie's value.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|line| {
        line.split(';').find_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k == name).then(|| v.to_owned())
        })
    })
}

/// Resolve the caller from a bearer token or the session cookie; unknown, expired or
/// disabled credentials leave the request anonymous.
pub async fn identify(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    request.extensions_mut().insert(state.clone());
    let found = match bearer(request.headers()) {
        Some(token) => from_token(&state, &token).await,
        None => match cookie(request.headers(), SESSION_COOKIE) {
            Some(value) => from_session(&state, &value).await,
            None => Ok(None),
        },
    };
    match found {
        Ok(Some(identity)) => {
            request.extensions_mut().insert(identity);
        }
        Ok(None) => {}
        Err(e) => return axum::response::IntoResponse::into_response(e),
    }
    next.run(request).await
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").map(|t| t.trim().to_owned())
}

async fn from_token(state: &AppState, token: &str) -> Result<Option<Identity>, WebError> {
    let Some(auth) = users::authenticate_token(&state.store, token).await? else { return Ok(None) };
    let principal = auth.principal;
    let office_key = auth.office_key.filter(|_| principal.has_role(Role::PseaFocalPoint)).map(std::sync::Arc::new);
    Ok(Some(Identity {
        principal,
        username: auth.username,
        session: None,
        preferred_lang: auth.preferred_lang,
        office_key,
    }))
}

async fn from_session(state: &AppState, value: &str) -> Result<Option<Identity>, WebError> {
    let Some(session) = users::load_session(&state.store, value).await? else { return Ok(None) };
    let now = now_utc();
    if !state.config.session_policy.is_live(session.created_at, session.last_seen_at, now) {
        let actor = Actor { id: Some(session.user_id), name: String::new() };
        users::end_session(&state.store, &actor, &session.id_hash).await?;
        return Ok(None);
    }
    let Some(record) = users::login_record_by_id(&state.store, session.user_id).await? else { return Ok(None) };
    if record.disabled {
        return Ok(None);
    }
    users::touch_session(&state.store, &session, now).await?;
    let principal = users::principal(&state.store, session.user_id).await?;
    let office_key = match &session.sealed_key {
        Some(sealed) if principal.has_role(Role::PseaFocalPoint) => {
            haven_store::sealing::OfficeKey::from_session(value, sealed).map(std::sync::Arc::new)
        }
        _ => None,
    };
    Ok(Some(Identity {
        principal,
        username: record.username,
        session: Some(session),
        preferred_lang: record.preferred_lang,
        office_key,
    }))
}

/// The session cookie header value.
pub fn session_cookie(value: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict{secure}")
}

pub fn clear_session_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}")
}

/// Per-address limit on attempts within a window: sign-in (on top of the per-account
/// lockout), anonymous feedback, reference look-ups. Addresses come from [`client::ClientIp`].
pub struct Throttle {
    window: Duration,
    max_per_window: u32,
    attempts: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl Default for Throttle {
    /// The sign-in limit: 20 a minute.
    fn default() -> Self {
        Throttle::new(Duration::from_secs(60), 20)
    }
}

impl Throttle {
    pub fn new(window: Duration, max_per_window: u32) -> Throttle {
        Throttle { window, max_per_window, attempts: Mutex::new(HashMap::new()) }
    }

    /// Count an attempt; false when the address is over the limit.
    pub fn admit(&self, ip: IpAddr) -> bool {
        let now = Instant::now();
        let Ok(mut map) = self.attempts.lock() else { return true };
        if map.len() > 10_000 {
            map.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = map.entry(ip).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= self.max_per_window
    }
}

/// Remove expired sessions every ten minutes.
pub async fn sweep_sessions(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    loop {
        tick.tick().await;
        if let Err(e) = users::purge_sessions(&state.store, &state.config.session_policy).await {
            tracing::warn!(error = %e, "session sweep failed");
        }
    }
}
