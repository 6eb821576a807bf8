//! Organisation settings: name, time zone, working week.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use haven_core::authz::Role;
use haven_core::settings::{WorkingWeek, check_time_zone};
use haven_store::settings::{self, MFA_REQUIRED_ROLES, ORG_NAME, TIME_ZONE, WORKING_WEEK};
use serde::Deserialize;

use crate::AppState;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::identity::Identity;
use crate::pages::Chrome;

#[derive(Template, WebTemplate)]
#[template(path = "settings.html")]
struct SettingsPage {
    c: Chrome,
    form: SettingsForm,
    mfa_roles: Vec<(Role, bool)>,
    message: Option<String>,
    tz_error: Option<String>,
    week_error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct SettingsForm {
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    working_week: String,
    /// Checkboxes `mfa-<role code>`.
    #[serde(flatten)]
    checkboxes: std::collections::HashMap<String, String>,
}

/// The roles whose holders must use a second factor: the setting when an administrator has
/// saved one, otherwise the deployment's default (administrators and PSEA focal points
/// outside the demo).
pub async fn mfa_required_roles(state: &AppState) -> Result<std::collections::BTreeSet<Role>, WebError> {
    Ok(match settings::get(&state.store, MFA_REQUIRED_ROLES).await? {
        Some(list) => list.split(',').filter_map(Role::from_code).collect(),
        None => state.config.mfa_required_roles.clone(),
    })
}

async fn mfa_rows(state: &AppState) -> Result<Vec<(Role, bool)>, WebError> {
    let required = mfa_required_roles(state).await?;
    Ok(Role::ALL.into_iter().map(|r| (r, required.contains(&r))).collect())
}

pub async fn page(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
) -> Result<Response, WebError> {
    let form = SettingsForm {
        organisation: settings::get(&state.store, ORG_NAME).await?.unwrap_or_default(),
        time_zone: settings::get(&state.store, TIME_ZONE).await?.unwrap_or_else(|| "UTC".into()),
        working_week: settings::get(&state.store, WORKING_WEEK).await?.unwrap_or_else(|| "mon,tue,wed,thu,fri".into()),
        checkboxes: Default::default(),
    };
    let mfa_roles = mfa_rows(&state).await?;
    let page = SettingsPage {
        c: Chrome::new(l, Some(&me), &state),
        form,
        mfa_roles,
        message: None,
        tz_error: None,
        week_error: None,
    };
    Ok(page.into_response())
}

pub async fn save(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Form(form): Form<SettingsForm>,
) -> Result<Response, WebError> {
    let tz_error = check_time_zone(form.time_zone.trim()).err().map(|_| l.t("settings-time-zone-invalid"));
    let week = WorkingWeek::parse(&form.working_week);
    let week_error = week.as_ref().err().map(|_| l.t("settings-working-week-invalid"));
    let c = Chrome::new(l, Some(&me), &state);
    let chosen: Vec<(Role, bool)> =
        Role::ALL.into_iter().map(|r| (r, form.checkboxes.contains_key(&format!("mfa-{}", r.code())))).collect();
    let (Ok(week), None) = (week, &tz_error) else {
        let page = SettingsPage { c, form, mfa_roles: chosen, message: None, tz_error, week_error };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let actor = me.actor();
    settings::set(&state.store, &actor, ORG_NAME, form.organisation.trim()).await?;
    settings::set(&state.store, &actor, TIME_ZONE, form.time_zone.trim()).await?;
    settings::set(&state.store, &actor, WORKING_WEEK, &week.to_setting()).await?;
    let required: Vec<&str> = chosen.iter().filter(|(_, on)| *on).map(|(r, _)| r.code()).collect();
    settings::set(&state.store, &actor, MFA_REQUIRED_ROLES, &required.join(",")).await?;
    let form = SettingsForm { working_week: week.to_setting(), ..form };
    let page = SettingsPage {
        c,
        form,
        mfa_roles: chosen,
        message: Some(l.t("settings-saved")),
        tz_error: None,
        week_error: None,
    };
    Ok(page.into_response())
}
