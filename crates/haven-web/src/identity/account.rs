//! The signed-in user's own account: password, language, second factor, API tokens,
//! signing out everywhere.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Extension, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use haven_core::identity::{PasswordPolicy, PasswordProblem};
use haven_core::secret::Secret;
use haven_store::identity::{self as users, TokenInfo};
use serde::Deserialize;
use time::Duration;

use crate::AppState;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::identity::{Identity, clear_session_cookie};
use crate::pages::Chrome;

#[derive(Template, WebTemplate)]
#[template(path = "account.html")]
struct AccountPage {
    c: Chrome,
    display_name: String,
    totp_enabled: bool,
    tokens: Vec<TokenRow>,
    new_token: Option<String>,
    message: Option<String>,
    password_error: Option<String>,
    token_name_error: Option<String>,
}

struct TokenRow {
    id: String,
    name: String,
    created: String,
    expires: String,
    last_used: String,
    revoked: bool,
}

fn token_row(l: Lang, t: TokenInfo) -> TokenRow {
    TokenRow {
        id: t.id,
        name: t.name,
        created: l.datetime(t.created_at),
        expires: l.datetime(t.expires_at),
        last_used: t.last_used_at.map(|d| l.datetime(d)).unwrap_or_else(|| l.t("account-token-never-used")),
        revoked: t.revoked_at.is_some(),
    }
}

#[derive(Default)]
struct Outcome {
    new_token: Option<String>,
    message: Option<String>,
    password_error: Option<String>,
    token_name_error: Option<String>,
}

async fn render(
    state: &AppState,
    l: Lang,
    me: &Identity,
    outcome: Outcome,
    status: StatusCode,
) -> Result<Response, WebError> {
    let summary = users::user_summary(&state.store, me.user_id()).await?;
    let tokens = users::list_tokens(&state.store, me.user_id()).await?.into_iter().map(|t| token_row(l, t)).collect();
    let page = AccountPage {
        c: Chrome::new(l, Some(me), state),
        display_name: summary.display_name,
        totp_enabled: summary.totp_enabled,
        tokens,
        new_token: outcome.new_token,
        message: outcome.message,
        password_error: outcome.password_error,
        token_name_error: outcome.token_name_error,
    };
    Ok((status, page).into_response())
}

pub async fn page(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
) -> Result<Response, WebError> {
    render(&state, l, &me, Outcome::default(), StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: Secret,
    #[serde(default)]
    new_password: Secret,
    #[serde(default)]
    confirm: Secret,
}

pub fn password_problem_text(l: Lang, p: PasswordProblem) -> String {
    match p {
        PasswordProblem::TooShort { min } => l.tn("password-too-short", "min", min as i64),
        PasswordProblem::TooLong { max } => l.tn("password-too-long", "max", max as i64),
        PasswordProblem::ContainsUsername => l.t("password-contains-username"),
    }
}

pub async fn change_password(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Form(form): Form<PasswordForm>,
) -> Result<Response, WebError> {
    let fail = |msg: String| Outcome { password_error: Some(msg), ..Outcome::default() };
    let record = users::login_record_by_id(&state.store, me.user_id()).await?.ok_or(WebError::NotAuthenticated)?;
    if !users::verify_password(&form.current, &record.password_hash).await {
        return render(&state, l, &me, fail(l.t("account-current-password-wrong")), StatusCode::UNPROCESSABLE_ENTITY)
            .await;
    }
    if form.new_password != form.confirm {
        return render(&state, l, &me, fail(l.t("account-passwords-differ")), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    if let Err(p) = PasswordPolicy::default().check(&form.new_password, &me.username) {
        return render(&state, l, &me, fail(password_problem_text(l, p)), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let hash = users::hash_password(&form.new_password).await?;
    // A focal point's wrap of the PSEA office key follows the password.
    let office_key = match haven_store::sealing::is_enrolled(&state.store, me.user_id()).await? {
        true => haven_store::sealing::unlock_with_password(&state.store, me.user_id(), &form.current).await?,
        false => None,
    };
    users::set_password(&state.store, &me.actor(), me.user_id(), &hash, false).await?;
    if let Some(key) = office_key {
        haven_store::sealing::enrol(&state.store, &me.actor(), &key, me.user_id(), &form.new_password).await?;
    }
    let ok = Outcome { message: Some(l.t("account-password-changed")), ..Outcome::default() };
    render(&state, l, &me, ok, StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct LanguageForm {
    lang: String,
}

pub async fn set_language(
    State(state): State<AppState>,
    me: Identity,
    Form(form): Form<LanguageForm>,
) -> Result<Response, WebError> {
    let lang = Lang::from_code(&form.lang).ok_or(WebError::BadRequest { code: "invalid", field: Some("lang") })?;
    users::set_preferred_lang(&state.store, me.user_id(), lang.code()).await?;
    let cookie = format!("{}={}; Path=/; Max-Age=31536000; SameSite=Lax", crate::LANG_COOKIE, lang.code());
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/account")).into_response())
}

pub async fn logout_everywhere(State(state): State<AppState>, me: Identity) -> Result<Response, WebError> {
    users::end_all_sessions(&state.store, &me.actor(), me.user_id()).await?;
    Ok(([(header::SET_COOKIE, clear_session_cookie(state.config.secure))], Redirect::to("/login")).into_response())
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    days: Option<String>,
}

pub const DEFAULT_TOKEN_DAYS: i64 = 90;

pub async fn create_token(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Form(form): Form<TokenForm>,
) -> Result<Response, WebError> {
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        let o = Outcome { token_name_error: Some(l.t("account-token-name-required")), ..Outcome::default() };
        return render(&state, l, &me, o, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let days = match form.days.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        None => DEFAULT_TOKEN_DAYS,
        Some(d) => match d.parse::<i64>() {
            Ok(n) if (1..=365).contains(&n) => n,
            _ => {
                let o = Outcome { token_name_error: Some(l.t("account-token-days-invalid")), ..Outcome::default() };
                return render(&state, l, &me, o, StatusCode::UNPROCESSABLE_ENTITY).await;
            }
        },
    };
    let token =
        users::create_token(&state.store, &me.actor(), me.user_id(), name, None, Duration::days(days), None).await?;
    let o = Outcome { new_token: Some(token), ..Outcome::default() };
    render(&state, l, &me, o, StatusCode::OK).await
}

pub async fn revoke_token(
    State(state): State<AppState>,
    me: Identity,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    users::revoke_token(&state.store, &me.actor(), me.user_id(), &id).await?;
    Ok(Redirect::to("/account").into_response())
}
