//! Organisation settings: name, time zone, working week, and the feedback service levels
//! per category.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use haven_core::audits::Thresholds;
use haven_core::authz::Role;
use haven_core::catalog::CatalogKind;
use haven_core::feedback::{CategoryTargets, ContactRetention, TargetProblem};
use haven_core::settings::{WorkingWeek, check_time_zone};
use haven_store::settings::{self, CONTACT_ERASE_DAYS, MFA_REQUIRED_ROLES, ORG_NAME, TIME_ZONE, WORKING_WEEK};
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
    erase_error: Option<String>,
    thresholds_error: Option<String>,
    /// The roles that may be chosen to decide on deviations from the project checklist.
    approver_roles: Vec<Role>,
    approver_error: Option<String>,
    /// The time zone names Haven knows, offered as the field's suggestions.
    time_zones: Vec<String>,
    /// Per self-service channel: its code, its label and the chosen organisation's id (empty:
    /// the whole installation).
    channel_agencies: Vec<(&'static str, String, String)>,
    /// The organisations to choose from: id and name.
    agencies: Vec<(String, String)>,
    agency_error: Option<String>,
    targets_error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct SettingsForm {
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    working_week: String,
    #[serde(default)]
    contact_erase_days: String,
    /// Safety audit risk levels: `medium,high,very-high` percents of the maximum.
    #[serde(default)]
    audit_thresholds: String,
    #[serde(default)]
    deviation_approver: String,
    /// Feedback service levels per category, `code: hours/days` a line; empty for none.
    #[serde(default)]
    category_targets: String,
    /// Checkboxes `mfa-<role code>`, and the selects `channel_agency-<channel code>`.
    #[serde(flatten)]
    checkboxes: std::collections::HashMap<String, String>,
}

const CHANNEL_AGENCY_FIELD: &str = "channel_agency-";

/// The organisation chosen for each self-service channel: the form's choice, or the saved
/// setting when the form lacks the field (an older client).
async fn channel_agencies(
    state: &AppState,
    l: Lang,
    form: Option<&SettingsForm>,
) -> Result<Vec<(&'static str, String, String)>, WebError> {
    let mut out = Vec::new();
    for channel in crate::feedback::SELF_SERVICE_CHANNELS {
        let chosen = match form.and_then(|f| f.checkboxes.get(&format!("{CHANNEL_AGENCY_FIELD}{}", channel.code()))) {
            Some(v) => v.trim().to_owned(),
            None => settings::get(&state.store, &crate::feedback::channel_agency_setting(channel))
                .await?
                .unwrap_or_default(),
        };
        out.push((channel.code(), l.t(&format!("feedback-channel-{}", channel.code())), chosen));
    }
    Ok(out)
}

async fn agency_choices(state: &AppState) -> Result<Vec<(String, String)>, WebError> {
    Ok(haven_store::identity::agencies(&state.store).await?.into_iter().map(|(id, n)| (id.to_string(), n)).collect())
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
        contact_erase_days: contact_retention(&state.store).await?.days.to_string(),
        audit_thresholds: haven_store::audits::thresholds(&state.store).await?.to_setting(),
        deviation_approver: crate::projects::approving_role(&state).await?.code().to_owned(),
        category_targets: crate::feedback::category_targets(&state.store).await?.to_setting(),
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
        erase_error: None,
        thresholds_error: None,
        approver_roles: crate::projects::APPROVER_ROLES.to_vec(),
        approver_error: None,
        time_zones: haven_core::settings::time_zone_names(),
        channel_agencies: channel_agencies(&state, l, None).await?,
        agencies: agency_choices(&state).await?,
        agency_error: None,
        targets_error: None,
    };
    Ok(page.into_response())
}

/// Per-category service levels as typed, checked: readable, and naming categories of the
/// typology. The error is the message to show.
async fn category_targets(state: &AppState, l: Lang, text: &str) -> Result<Result<CategoryTargets, String>, WebError> {
    let targets = match CategoryTargets::parse(text) {
        Ok(t) => t,
        Err(TargetProblem::Syntax(line) | TargetProblem::OutOfRange(line)) => {
            return Ok(Err(l.t1("settings-category-targets-invalid", "line", line)));
        }
        Err(TargetProblem::Twice(line, _)) => return Ok(Err(l.t1("settings-category-targets-twice", "line", line))),
    };
    let known = haven_store::catalog::entries(&state.store, CatalogKind::FeedbackTypology).await?;
    let unknown = targets.codes().find(|c| !known.iter().any(|e| e.code == *c)).map(str::to_owned);
    Ok(match unknown {
        Some(code) => Err(l.t1("settings-category-targets-unknown", "code", code)),
        None => Ok(targets),
    })
}

/// How long contact details are kept after closure: the setting, or the default.
pub async fn contact_retention(store: &haven_store::Store) -> Result<ContactRetention, WebError> {
    Ok(settings::get(store, CONTACT_ERASE_DAYS).await?.and_then(|v| ContactRetention::parse(&v)).unwrap_or_default())
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
    // A form without the field (an older client) keeps the current value.
    let retention = match form.contact_erase_days.trim() {
        "" => Some(contact_retention(&state.store).await?),
        days => ContactRetention::parse(days),
    };
    let erase_error = retention.is_none().then(|| l.t("settings-contact-erase-days-invalid"));
    // A form without the field (an older client) keeps the current thresholds.
    let thresholds = match form.audit_thresholds.trim() {
        "" => Some(haven_store::audits::thresholds(&state.store).await?),
        text => Thresholds::parse(text),
    };
    let thresholds_error = thresholds.is_none().then(|| l.t("settings-audit-thresholds-invalid"));
    // A form without the field (an older client) keeps the current approving role.
    let approver = match form.deviation_approver.trim() {
        "" => Some(crate::projects::approving_role(&state).await?),
        code => Role::from_code(code).filter(|r| crate::projects::APPROVER_ROLES.contains(r)),
    };
    let approver_error = approver.is_none().then(|| l.t("settings-deviation-approver-invalid"));
    let chosen_agencies = channel_agencies(&state, l, Some(&form)).await?;
    let agencies = agency_choices(&state).await?;
    let agency_error = chosen_agencies
        .iter()
        .any(|(_, _, id)| !id.is_empty() && !agencies.iter().any(|(a, _)| a == id))
        .then(|| l.t("settings-channel-agency-invalid"));
    let targets = category_targets(&state, l, &form.category_targets).await?;
    let targets_error = targets.as_ref().err().cloned();
    let c = Chrome::new(l, Some(&me), &state);
    let chosen: Vec<(Role, bool)> =
        Role::ALL.into_iter().map(|r| (r, form.checkboxes.contains_key(&format!("mfa-{}", r.code())))).collect();
    let (Ok(week), None, Some(retention), Some(thresholds), Some(approver), None, Ok(targets)) =
        (week, &tz_error, retention, thresholds, approver, &agency_error, targets)
    else {
        let page = SettingsPage {
            c,
            form,
            mfa_roles: chosen,
            message: None,
            tz_error,
            week_error,
            erase_error,
            thresholds_error,
            approver_roles: crate::projects::APPROVER_ROLES.to_vec(),
            approver_error,
            time_zones: haven_core::settings::time_zone_names(),
            channel_agencies: chosen_agencies,
            agencies,
            agency_error,
            targets_error,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let actor = me.actor();
    settings::set(&state.store, &actor, ORG_NAME, form.organisation.trim()).await?;
    settings::set(&state.store, &actor, TIME_ZONE, form.time_zone.trim()).await?;
    settings::set(&state.store, &actor, WORKING_WEEK, &week.to_setting()).await?;
    settings::set(&state.store, &actor, CONTACT_ERASE_DAYS, &retention.days.to_string()).await?;
    settings::set(&state.store, &actor, haven_store::audits::THRESHOLDS_SETTING, &thresholds.to_setting()).await?;
    settings::set(&state.store, &actor, crate::projects::APPROVER_ROLE_SETTING, approver.code()).await?;
    settings::set(&state.store, &actor, crate::feedback::CATEGORY_TARGETS, &targets.to_setting()).await?;
    let required: Vec<&str> = chosen.iter().filter(|(_, on)| *on).map(|(r, _)| r.code()).collect();
    settings::set(&state.store, &actor, MFA_REQUIRED_ROLES, &required.join(",")).await?;
    for (channel, (_, _, agency)) in crate::feedback::SELF_SERVICE_CHANNELS.iter().zip(&chosen_agencies) {
        let key = crate::feedback::channel_agency_setting(*channel);
        if settings::get(&state.store, &key).await?.unwrap_or_default() != *agency {
            settings::set(&state.store, &actor, &key, agency).await?;
        }
    }
    let form = SettingsForm {
        working_week: week.to_setting(),
        audit_thresholds: thresholds.to_setting(),
        deviation_approver: approver.code().to_owned(),
        category_targets: targets.to_setting(),
        ..form
    };
    let page = SettingsPage {
        c,
        form,
        mfa_roles: chosen,
        message: Some(l.t("settings-saved")),
        tz_error: None,
        week_error: None,
        erase_error: None,
        thresholds_error: None,
        approver_roles: crate::projects::APPROVER_ROLES.to_vec(),
        approver_error: None,
        time_zones: haven_core::settings::time_zone_names(),
        channel_agencies: chosen_agencies,
        agencies,
        agency_error: None,
        targets_error: None,
    };
    Ok(page.into_response())
}
