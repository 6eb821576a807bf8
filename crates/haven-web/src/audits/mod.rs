//! Safety audits of sites, as pages and as the JSON API: rounds scored on the catalog's
//! observation questions, risk levels, the actions findings become, and the trend per site.

pub mod api;
pub mod pages;

use haven_core::audits::{ActionInput, RawAction, RawRound, Thresholds};
use haven_core::authz::Access;
use haven_core::input::FieldProblem;
use haven_store::audits::{self as store, Round};
use time::Date;
use uuid::Uuid;

use crate::AppState;
use crate::error::WebError;
use crate::identity::Identity;

pub(crate) fn invalid(problems: Vec<FieldProblem>) -> WebError {
    WebError::Invalid(problems.into_iter().map(|p| (p.field, p.code)).collect())
}

/// Today's date (UTC): audit dates may not be later, deadlines pass after it.
pub(crate) fn today() -> Date {
    time::OffsetDateTime::now_utc().date()
}

/// Check a round against the current item set and the location tree, then record it.
pub async fn record(state: &AppState, me: &Identity, raw: RawRound) -> Result<Uuid, WebError> {
    let (version, items) = store::current_items(&state.store).await?;
    let input = raw.validate(&items, today()).map_err(invalid)?;
    if store::site_path(&state.store, &input.site).await?.is_none() {
        return Err(invalid(vec![FieldProblem { field: "site", code: "unknown-code" }]));
    }
    let agency = haven_store::projects::agency_of(&state.store, me.user_id()).await?;
    Ok(store::record_round(&state.store, &me.actor(), &input, (&version, &items), agency).await?)
}

/// Check an action against the round's domains and the users.
pub async fn checked_action(state: &AppState, round: &Round, raw: RawAction) -> Result<ActionInput, WebError> {
    let owner_unknown = match raw.owner_id {
        Some(id) => !store::user_exists(&state.store, id).await?,
        None => false,
    };
    match (raw.validate(&round.domains()), owner_unknown) {
        (Ok(input), false) => Ok(input),
        (checked, unknown) => {
            let mut problems = checked.err().unwrap_or_default();
            if unknown {
                problems.push(FieldProblem { field: "owner_id", code: "unknown-user" });
            }
            Err(invalid(problems))
        }
    }
}

/// Add an action to a round the caller may see.
pub async fn add_action(
    state: &AppState,
    me: &Identity,
    access: &Access,
    round_id: Uuid,
    raw: RawAction,
) -> Result<Uuid, WebError> {
    let round = store::round(&state.store, access, round_id).await?;
    let input = checked_action(state, &round, raw).await?;
    let agency = haven_store::projects::agency_of(&state.store, me.user_id()).await?;
    Ok(store::add_action(&state.store, &me.actor(), &round, &input, agency).await?)
}

/// Change an action the caller may see.
pub async fn update_action(
    state: &AppState,
    me: &Identity,
    access: &Access,
    id: Uuid,
    raw: RawAction,
) -> Result<store::Action, WebError> {
    let before = store::action(&state.store, access, id).await?;
    let round = store::round(&state.store, access, before.round_id).await?;
    let input = checked_action(state, &round, raw).await?;
    Ok(store::update_action(&state.store, &me.actor(), access, id, &input).await?)
}

/// Percent rounded to one decimal, for display and the API.
pub(crate) fn one_decimal(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

pub(crate) async fn thresholds(state: &AppState) -> Result<Thresholds, WebError> {
    Ok(store::thresholds(&state.store).await?)
}
