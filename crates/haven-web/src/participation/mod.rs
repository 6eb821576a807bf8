//! Participation: committees and community consultations, as pages and as the JSON API.
//! Everything is counts; no form or body has a field for a person's name.

pub mod api;
pub mod pages;

use haven_core::authz::Access;
use haven_core::catalog::CatalogKind;
use haven_core::input::FieldProblem;
use haven_core::participation::{CommitteeInput, RawCommittee, RawConsultation};
use haven_store::participation::{self as store, Committee};
use uuid::Uuid;

use crate::AppState;
use crate::audits::{invalid, today};
use crate::error::WebError;
use crate::identity::Identity;

/// The site's path, and whether the project (when named) is one the caller may see.
async fn references(
    state: &AppState,
    access: &Access,
    site: &str,
    project: Option<Uuid>,
    problems: &mut Vec<FieldProblem>,
) -> Result<String, WebError> {
    let path = haven_store::audits::site_path(&state.store, site).await?;
    if path.is_none() && !site.is_empty() {
        problems.push(FieldProblem { field: "site", code: "unknown-code" });
    }
    if let Some(id) = project {
        match haven_store::projects::get(&state.store, access, id).await {
            Ok(_) => {}
            Err(haven_store::StoreError::NotFound) => {
                problems.push(FieldProblem { field: "project_id", code: "unknown-code" })
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(path.unwrap_or_default())
}

/// Check a committee, then its site, project and at-risk groups against the store.
async fn checked_committee(
    state: &AppState,
    access: &Access,
    raw: RawCommittee,
) -> Result<(CommitteeInput, String), WebError> {
    let (site, project) = (raw.site.clone().unwrap_or_default(), raw.project_id);
    let checked = raw.validate(today());
    let mut problems = checked.as_ref().err().cloned().unwrap_or_default();
    let path = references(state, access, site.trim(), project, &mut problems).await?;
    if let Ok(input) = &checked {
        let known: Vec<String> = haven_store::catalog::entries(&state.store, CatalogKind::AtRiskGroups)
            .await?
            .into_iter()
            .map(|e| e.code)
            .collect();
        if input.composition.groups.iter().any(|g| !known.contains(&g.group)) {
            problems.push(FieldProblem { field: "at_risk_groups", code: "unknown-code" });
        }
    }
    match checked {
        Ok(input) if problems.is_empty() => Ok((input, path)),
        _ => Err(invalid(problems)),
    }
}

pub async fn create_committee(
    state: &AppState,
    me: &Identity,
    access: &Access,
    raw: RawCommittee,
) -> Result<Uuid, WebError> {
    let (input, path) = checked_committee(state, access, raw).await?;
    let agency = haven_store::projects::agency_of(&state.store, me.user_id()).await?;
    Ok(store::create_committee(&state.store, &me.actor(), &input, &path, agency).await?)
}

pub async fn update_committee(
    state: &AppState,
    me: &Identity,
    access: &Access,
    id: Uuid,
    raw: RawCommittee,
) -> Result<Committee, WebError> {
    store::committee(&state.store, access, id).await?;
    let (input, path) = checked_committee(state, access, raw).await?;
    Ok(store::update_committee(&state.store, &me.actor(), access, id, &input, &path).await?)
}

pub async fn record_consultation(
    state: &AppState,
    me: &Identity,
    access: &Access,
    raw: RawConsultation,
) -> Result<Uuid, WebError> {
    let (site, project) = (raw.site.clone().unwrap_or_default(), raw.project_id);
    let checked = raw.validate(today());
    let mut problems = checked.as_ref().err().cloned().unwrap_or_default();
    let path = references(state, access, site.trim(), project, &mut problems).await?;
    let input = match checked {
        Ok(input) if problems.is_empty() => input,
        _ => return Err(invalid(problems)),
    };
    let agency = haven_store::projects::agency_of(&state.store, me.user_id()).await?;
    Ok(store::record_consultation(&state.store, &me.actor(), &input, &path, agency).await?)
}
