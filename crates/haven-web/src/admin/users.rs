//! Users and roles. Administrators manage accounts, but the PSEA focal point role and the
//! credentials of PSEA focal points are in the hands of the focal points themselves
//! (`haven_core::authz::may_grant_role`, `may_reset_credentials`).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use haven_core::authz::{LocationScope, Permission, Role, RoleGrant, decide, may_grant_role, may_reset_credentials};
use haven_core::identity::{PasswordPolicy, Username, UsernameProblem};
use haven_core::secret::Secret;
use haven_store::identity::{self as users, NewUser, UserSummary};
use haven_store::notifications;
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::authz::Granted;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::identity::Identity;
use crate::identity::account::password_problem_text;
use crate::pages::Chrome;

#[derive(Template, WebTemplate)]
#[template(path = "users.html")]
struct ListPage {
    c: Chrome,
    users: Vec<UserSummary>,
    can_manage: bool,
    form: NewUserForm,
    errors: FieldErrors,
}

#[derive(Default)]
struct FieldErrors {
    username: Option<String>,
    display_name: Option<String>,
    password: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
pub struct NewUserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: Secret,
    #[serde(default)]
    role: String,
}

async fn list_page(
    state: &AppState,
    l: Lang,
    me: &Identity,
    granted: &Granted,
    form: NewUserForm,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let listed = users::list_users(&state.store, &granted.0).await?;
    let c = Chrome::new(l, Some(me), state);
    let can_manage = c.can("users-manage");
    let failed = errors.username.is_some() || errors.display_name.is_some() || errors.password.is_some();
    let status = if failed { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((status, ListPage { c, users: listed, can_manage, form, errors }).into_response())
}

pub async fn list(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    granted: Granted,
) -> Result<Response, WebError> {
    list_page(&state, l, &me, &granted, NewUserForm::default(), FieldErrors::default()).await
}

pub async fn create(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    granted: Granted,
    Form(form): Form<NewUserForm>,
) -> Result<Response, WebError> {
    let mut errors = FieldErrors::default();
    let username = match Username::parse(&form.username) {
        Ok(u) => Some(u),
        Err(UsernameProblem::Length) => {
            errors.username = Some(l.t("users-username-length"));
            None
        }
        Err(UsernameProblem::Characters) => {
            errors.username = Some(l.t("users-username-characters"));
            None
        }
    };
    if form.display_name.trim().is_empty() {
        errors.display_name = Some(l.t("users-display-name-required"));
    }
    if let Err(p) = PasswordPolicy::default().check(&form.password, form.username.trim()) {
        errors.password = Some(password_problem_text(l, p));
    }
    let role = if form.role.is_empty() { None } else { Role::from_code(&form.role) };
    let (Some(username), None, None) = (username, &errors.display_name, &errors.password) else {
        let mut shown = form.clone();
        shown.password.clear();
        return list_page(&state, l, &me, &granted, shown, errors).await;
    };
    let mut grants = Vec::new();
    if let Some(role) = role {
        let psea_exist = !users::holders_of(&state.store, Role::PseaFocalPoint).await?.is_empty();
        may_grant_role(&me.principal, Uuid::nil(), role, psea_exist).map_err(|_| WebError::Forbidden)?;
        grants.push(RoleGrant { role, agency: None, location: None });
    }
    let new = NewUser {
        username,
        display_name: form.display_name.trim().to_owned(),
        email: Some(form.email.trim().to_owned()).filter(|e| !e.is_empty()),
        password_hash: users::hash_password(&form.password).await?,
        agency_id: None,
        must_change_password: true,
    };
    match users::create_user(&state.store, &me.actor(), &new, &grants).await {
        Ok(id) => Ok(Redirect::to(&format!("/admin/users/{id}")).into_response()),
        Err(haven_store::StoreError::Conflict(_)) => {
            let errors = FieldErrors { username: Some(l.t("users-username-taken")), ..FieldErrors::default() };
            let mut shown = form.clone();
            shown.password.clear();
            list_page(&state, l, &me, &granted, shown, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "user.html")]
struct DetailPage {
    c: Chrome,
    user: UserSummary,
    all_roles: Vec<Role>,
    can_manage: bool,
    message: Option<String>,
}

async fn detail_page(
    state: &AppState,
    l: Lang,
    me: &Identity,
    id: Uuid,
    message: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let access = decide(&me.principal, Permission::UsersRead).map_err(|_| WebError::Forbidden)?;
    let user = users::user_summary(&state.store, id).await?;
    if let Some(allowed) = &access.filter().agencies
        && !user.agency_id.is_some_and(|a| allowed.contains(&a))
    {
        return Err(WebError::NotFound);
    }
    let c = Chrome::new(l, Some(me), state);
    let can_manage = c.can("users-manage") || c.roles.contains(&Role::PseaFocalPoint);
    Ok((status, DetailPage { c, user, all_roles: Role::ALL.to_vec(), can_manage, message }).into_response())
}

pub async fn detail(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    detail_page(&state, l, &me, id, None, StatusCode::OK).await
}

pub async fn disable(
    State(state): State<AppState>,
    me: Identity,
    _g: Granted,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    if id == me.user_id() {
        return Err(WebError::BadRequest { code: "cannot-disable-self", field: None });
    }
    users::set_disabled(&state.store, &me.actor(), id, true).await?;
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}

pub async fn enable(
    State(state): State<AppState>,
    me: Identity,
    _g: Granted,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    users::set_disabled(&state.store, &me.actor(), id, false).await?;
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}

#[derive(Deserialize)]
pub struct GrantForm {
    role: String,
    #[serde(default)]
    location: String,
}

/// Grant a role. PSEA grants are decided by the policy (another focal point, or the very
/// first one) and announced to every other focal point.
pub async fn grant_role(
    State(state): State<AppState>,
    me: Identity,
    Path(id): Path<Uuid>,
    Form(form): Form<GrantForm>,
) -> Result<Response, WebError> {
    let role = Role::from_code(&form.role).ok_or(WebError::BadRequest { code: "invalid", field: Some("role") })?;
    let location = match form.location.trim() {
        "" => None,
        path => {
            Some(LocationScope::new(path).ok_or(WebError::BadRequest { code: "invalid", field: Some("location") })?)
        }
    };
    let focal_points = users::holders_of(&state.store, Role::PseaFocalPoint).await?;
    if let Err(denied) = may_grant_role(&me.principal, id, role, !focal_points.is_empty()) {
        tracing::info!(reason = %denied, "role grant refused");
        return Err(WebError::Forbidden);
    }
    users::user_summary(&state.store, id).await?;
    users::grant_role(&state.store, &me.actor(), id, &RoleGrant { role, agency: None, location }).await?;
    if role == Role::PseaFocalPoint {
        let others: Vec<Uuid> = focal_points.into_iter().filter(|u| *u != id).collect();
        notifications::notify(&state.store, &others, "psea-focal-point-added", Some(id)).await?;
    }
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}

pub async fn revoke_role(
    State(state): State<AppState>,
    me: Identity,
    Path((id, role)): Path<(Uuid, String)>,
) -> Result<Response, WebError> {
    let role = Role::from_code(&role).ok_or(WebError::NotFound)?;
    let focal_points = users::holders_of(&state.store, Role::PseaFocalPoint).await?;
    // Revoking follows the granting rule once focal points exist: only another focal point
    // removes a focal point.
    may_grant_role(&me.principal, id, role, true).map_err(|_| WebError::Forbidden)?;
    users::revoke_role(&state.store, &me.actor(), id, role).await?;
    if role == Role::PseaFocalPoint {
        let others: Vec<Uuid> = focal_points.into_iter().filter(|u| *u != id).collect();
        notifications::notify(&state.store, &others, "psea-focal-point-removed", Some(id)).await?;
    }
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}

async fn check_reset(state: &AppState, me: &Identity, id: Uuid) -> Result<bool, WebError> {
    let roles = users::roles_of(&state.store, id).await?;
    may_reset_credentials(&me.principal, id, &roles).map_err(|_| WebError::Forbidden)?;
    Ok(roles.contains(&Role::PseaFocalPoint))
}

async fn notify_psea_reset(state: &AppState, me: &Identity, id: Uuid, kind: &str) -> Result<(), WebError> {
    let others: Vec<Uuid> = users::holders_of(&state.store, Role::PseaFocalPoint)
        .await?
        .into_iter()
        .filter(|u| *u != id && *u != me.user_id())
        .collect();
    notifications::notify(&state.store, &others, kind, Some(id)).await?;
    Ok(())
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: Secret,
}

pub async fn reset_password(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Path(id): Path<Uuid>,
    Form(form): Form<ResetForm>,
) -> Result<Response, WebError> {
    let is_psea = check_reset(&state, &me, id).await?;
    let target = users::user_summary(&state.store, id).await?;
    if let Err(p) = PasswordPolicy::default().check(&form.password, &target.username) {
        return detail_page(&state, l, &me, id, Some(password_problem_text(l, p)), StatusCode::UNPROCESSABLE_ENTITY)
            .await;
    }
    let hash = users::hash_password(&form.password).await?;
    users::set_password(&state.store, &me.actor(), id, &hash, true).await?;
    if is_psea {
        notify_psea_reset(&state, &me, id, "psea-credentials-reset").await?;
    }
    detail_page(&state, l, &me, id, Some(l.t("users-password-was-reset")), StatusCode::OK).await
}

pub async fn reset_mfa(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    let is_psea = check_reset(&state, &me, id).await?;
    users::reset_totp(&state.store, &me.actor(), id).await?;
    if is_psea {
        notify_psea_reset(&state, &me, id, "psea-credentials-reset").await?;
    }
    detail_page(&state, l, &me, id, Some(l.t("users-mfa-was-reset")), StatusCode::OK).await
}
