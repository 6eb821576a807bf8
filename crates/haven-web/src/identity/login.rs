//! Sign-in and sign-out.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Extension, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use haven_core::identity::LoginGate;
use haven_core::secret::Secret;
use haven_store::identity as users;
use serde::Deserialize;

use crate::AppState;
use crate::csrf::PRE_SESSION_COOKIE;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::identity::client::ClientIp;
use crate::identity::{Identity, clear_session_cookie, cookie, session_cookie};
use crate::pages::Chrome;

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub c: Chrome,
    pub next: String,
    pub username: String,
    pub error: Option<String>,
    pub username_error: Option<String>,
    pub password_error: Option<String>,
}

#[derive(Deserialize)]
pub struct NextParam {
    next: Option<String>,
}

/// Only local paths are followed after sign-in (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

pub async fn form(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Option<Extension<Identity>>,
    headers: axum::http::HeaderMap,
    Query(q): Query<NextParam>,
) -> Response {
    if me.as_ref().is_some_and(|m| !m.mfa_pending()) {
        return Redirect::to("/").into_response();
    }
    let token = cookie(&headers, PRE_SESSION_COOKIE).unwrap_or_else(users::new_secret);
    let mut c = Chrome::new(l, None, &state);
    c.csrf = token.clone();
    let page = LoginPage {
        c,
        next: safe_next(q.next.as_deref()),
        username: String::new(),
        error: None,
        username_error: None,
        password_error: None,
    };
    let cookie = format!(
        "{PRE_SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{}",
        if state.config.secure { "; Secure" } else { "" }
    );
    ([(header::SET_COOKIE, cookie)], page).into_response()
}

#[derive(Deserialize)]
pub struct Credentials {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: Secret,
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    csrf: String,
}

pub async fn submit(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    ClientIp(client): ClientIp,
    Form(form): Form<Credentials>,
) -> Result<Response, WebError> {
    let again =
        |status: StatusCode, error: Option<String>, username_error: Option<String>, password_error: Option<String>| {
            let mut c = Chrome::new(l, None, &state);
            c.csrf = form.csrf.clone();
            let page = LoginPage {
                c,
                next: safe_next(form.next.as_deref()),
                username: form.username.clone(),
                error,
                username_error,
                password_error,
            };
            (status, page).into_response()
        };
    if !state.throttle.admit(client) {
        return Ok(again(StatusCode::TOO_MANY_REQUESTS, Some(l.t("login-throttled")), None, None));
    }
    let username = form.username.trim().to_ascii_lowercase();
    if username.is_empty() || form.password.is_empty() {
        let ue = username.is_empty().then(|| l.t("login-username-required"));
        let pe = form.password.is_empty().then(|| l.t("login-password-required"));
        return Ok(again(StatusCode::UNPROCESSABLE_ENTITY, None, ue, pe));
    }
    let wrong = || again(StatusCode::UNAUTHORIZED, Some(l.t("login-failed")), None, None);
    let Some(record) = users::login_record(&state.store, &username).await? else {
        users::dummy_verify(&form.password).await;
        return Ok(wrong());
    };
    let now = haven_store::now_utc();
    if let LoginGate::LockedUntil(_) = state.config.lockout_policy.gate(record.locked_until, now) {
        return Ok(again(StatusCode::TOO_MANY_REQUESTS, Some(l.t("login-locked")), None, None));
    }
    if record.disabled || !users::verify_password(&form.password, &record.password_hash).await {
        if users::record_login_failure(&state.store, &record, &state.config.lockout_policy).await?.is_some() {
            return Ok(again(StatusCode::TOO_MANY_REQUESTS, Some(l.t("login-locked")), None, None));
        }
        return Ok(wrong());
    }
    let roles = users::roles_of(&state.store, record.id).await?;
    let required = crate::admin::settings::mfa_required_roles(&state).await?;
    let mfa_needed = record.totp_enabled || roles.iter().any(|r| required.contains(r));
    // A PSEA focal point's password also opens the office key, bound to this session only.
    let office_key = if roles.contains(&haven_core::authz::Role::PseaFocalPoint) {
        haven_store::sealing::unlock_with_password(&state.store, record.id, &form.password).await?
    } else {
        None
    };
    let secret = users::start_session(&state.store, &record, !mfa_needed, office_key.as_ref()).await?;
    let target = if mfa_needed { "/login/mfa".to_owned() } else { safe_next(form.next.as_deref()) };
    let mut response = Redirect::to(&target).into_response();
    let h = response.headers_mut();
    if let Ok(v) = session_cookie(&secret, state.config.secure).parse() {
        h.append(header::SET_COOKIE, v);
    }
    if let Some(lang) = record.preferred_lang.as_deref().and_then(Lang::from_code)
        && let Ok(v) = format!("{}={}; Path=/; Max-Age=31536000; SameSite=Lax", crate::LANG_COOKIE, lang.code()).parse()
    {
        h.append(header::SET_COOKIE, v);
    }
    Ok(response)
}

pub async fn logout(State(state): State<AppState>, me: Identity) -> Result<Response, WebError> {
    if let Some(session) = &me.session {
        users::end_session(&state.store, &me.actor(), &session.id_hash).await?;
    }
    Ok(([(header::SET_COOKIE, clear_session_cookie(state.config.secure))], Redirect::to("/login")).into_response())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn follows_only_local_paths() {
        assert_eq!(safe_next(Some("/catalog")), "/catalog");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
