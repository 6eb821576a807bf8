//! Protection across the project cycle: the register, the checklist per phase × principle,
//! deviations, the do-no-harm register and the endorsement gate, as pages and as the JSON API.

pub mod api;
pub mod evidence;
pub mod pages;
pub mod portfolio;
pub mod round_pages;
pub mod rounds;

use haven_core::authz::{Access, Role};
use haven_core::input::FieldProblem;
use haven_core::projects::{CyclePhase, PhaseError, ProjectInput, RawAnswer, RawProject};
use haven_store::projects::{self as store, EndorsementOutcome, Project};
use uuid::Uuid;

use crate::AppState;
use crate::error::WebError;
use crate::identity::Identity;

/// The setting naming the role that decides on deviations.
pub const APPROVER_ROLE_SETTING: &str = "projects.deviation_approver_role";

/// The roles an organisation may choose to decide on deviations.
pub const APPROVER_ROLES: [Role; 2] = [Role::ProtectionOfficer, Role::HeadquartersReviewer];

/// Who decides on deviations: a protection officer unless the organisation sends them to a
/// headquarters role.
pub async fn approving_role(state: &AppState) -> Result<Role, WebError> {
    let chosen = haven_store::settings::get(&state.store, APPROVER_ROLE_SETTING).await?;
    Ok(chosen
        .as_deref()
        .and_then(Role::from_code)
        .filter(|r| APPROVER_ROLES.contains(r))
        .unwrap_or(Role::ProtectionOfficer))
}

pub(crate) fn invalid(problems: Vec<FieldProblem>) -> WebError {
    WebError::Invalid(problems.into_iter().map(|p| (p.field, p.code)).collect())
}

/// Check a project as sent, then its references against the catalog, places and users.
pub async fn checked(state: &AppState, raw: RawProject) -> Result<ProjectInput, WebError> {
    let input = raw.validate().map_err(invalid)?;
    let unknown = store::unknown_references(&state.store, &input).await?;
    if !unknown.is_empty() {
        return Err(invalid(unknown));
    }
    Ok(input)
}

/// A taken project code is the caller's problem, on the code field.
pub fn code_taken(e: haven_store::StoreError) -> WebError {
    match e {
        haven_store::StoreError::Conflict(_) => WebError::Conflict { code: "code-taken", field: Some("code") },
        other => other.into(),
    }
}

/// Answer a checklist item, checked first.
pub async fn answer(state: &AppState, me: &Identity, p: &Project, item: &str, raw: RawAnswer) -> Result<(), WebError> {
    let input = raw.validate().map_err(invalid)?;
    Ok(store::answer_item(&state.store, &me.actor(), p, item, &input).await?)
}

/// Ask for a deviation from a mandatory item.
pub async fn request_deviation(
    state: &AppState,
    me: &Identity,
    p: &Project,
    item: &str,
    justification: Option<String>,
) -> Result<Uuid, WebError> {
    let text = api::justification_of(justification)?;
    match store::request_deviation(&state.store, &me.actor(), p, item, &text).await? {
        Ok(id) => Ok(id),
        Err("deviation-exists") => Err(WebError::Conflict { code: "deviation-exists", field: None }),
        Err(code) => Err(WebError::Invalid(vec![("item_id", code)])),
    }
}

/// Endorse when the gate allows; a change made meanwhile is a conflict to look at again
/// (`changed-meanwhile`, as every [`haven_store::StoreError::Changed`]).
pub async fn endorse(state: &AppState, me: &Identity, p: &Project) -> Result<EndorsementOutcome, WebError> {
    Ok(store::endorse(&state.store, &me.actor(), p).await?)
}

/// Move the project to the next phase of its cycle.
pub async fn advance(state: &AppState, me: &Identity, access: &Access, id: Uuid) -> Result<CyclePhase, WebError> {
    let code = match store::advance(&state.store, &me.actor(), access, id).await? {
        Ok(phase) => return Ok(phase),
        Err(PhaseError::NotEndorsed) => "not-endorsed",
        Err(PhaseError::Closed) => "project-closed",
        Err(PhaseError::LastPhase) => "last-phase",
    };
    Err(WebError::Conflict { code, field: None })
}

/// A project the caller may see under `access` (else not found).
pub async fn visible(state: &AppState, access: &Access, id: Uuid) -> Result<Project, WebError> {
    Ok(store::get(&state.store, access, id).await?)
}

/// What a refused page form shows above the form: the translated problems, or the refusal.
/// Anything else (not found, a fault) is not the form's to show and goes back as the error.
pub(crate) fn form_message(l: crate::i18n::Lang, e: WebError) -> Result<String, WebError> {
    match e {
        WebError::Invalid(problems) => {
            Ok(problems.iter().map(|(_, code)| l.t(&format!("error-{code}"))).collect::<Vec<_>>().join(" "))
        }
        WebError::InvalidRows(problems) => Ok(problems
            .iter()
            .map(|(_, item, code)| format!("{item}: {}", l.t(&format!("error-{code}"))))
            .collect::<Vec<_>>()
            .join(" ")),
        WebError::Conflict { code, .. } | WebError::Refused(code) => Ok(l.t(&format!("error-{code}"))),
        other => Err(other),
    }
}
