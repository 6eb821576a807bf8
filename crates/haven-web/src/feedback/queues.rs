//! The queue filters of the feedback list, shared by the page (`/feedback`) and the API
//! (`GET /api/v1/feedback`): overdue, assignee ("me", nobody, or a user), criticality,
//! priority, place (with the places below it), category, and the dates received.

use haven_core::feedback::Criticality;
use haven_store::feedback::{Assignee, ListFilter};
use time::{Date, PrimitiveDateTime, Time};

use crate::AppState;
use crate::error::WebError;
use crate::identity::Identity;

/// The filters as typed or given; empty means "any".
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct QueueFilters {
    pub overdue: String,
    pub assignee: String,
    pub criticality: String,
    pub priority: String,
    pub location: String,
    pub category: String,
    pub received_from: String,
    pub received_to: String,
}

fn bad(code: &'static str, field: &'static str) -> WebError {
    WebError::BadRequest { code, field: Some(field) }
}

fn date(text: &str, field: &'static str) -> Result<Option<Date>, WebError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    match text.trim() {
        "" => Ok(None),
        t => Date::parse(t, &format).map(Some).map_err(|_| bad("invalid-date", field)),
    }
}

impl QueueFilters {
    /// Add the filters to `filter`, checked: an unknown value is a 400 naming the field. Dates
    /// are days in the organisation's time zone, both ends included.
    pub async fn apply(&self, state: &AppState, me: &Identity, filter: &mut ListFilter) -> Result<(), WebError> {
        filter.overdue_at = match self.overdue.trim() {
            "" | "false" | "0" | "no" => None,
            "true" | "1" | "yes" | "on" => Some(haven_store::now_utc()),
            _ => return Err(bad("invalid", "overdue")),
        };
        filter.assignee = match self.assignee.trim() {
            "" => None,
            "me" => Some(Assignee::User(me.user_id())),
            "none" => Some(Assignee::Nobody),
            name => Some(Assignee::User(
                haven_store::identity::user_id_by_username(&state.store, &name.to_ascii_lowercase())
                    .await
                    .map_err(|_| bad("unknown-user", "assignee"))?,
            )),
        };
        filter.criticality = match self.criticality.trim() {
            "" => None,
            c => Some(Criticality::from_code(c).ok_or(bad("unknown-code", "criticality"))?),
        };
        filter.priority = match self.priority.trim() {
            "" => None,
            p => {
                Some(p.parse::<i64>().ok().filter(|p| (1..=5).contains(p)).ok_or(bad("invalid-priority", "priority"))?)
            }
        };
        filter.location_path = match self.location.trim() {
            "" => None,
            code => Some(
                haven_store::feedback::location_path(&state.store, code)
                    .await?
                    .ok_or(bad("unknown-location", "location"))?,
            ),
        };
        filter.category = match self.category.trim() {
            "" => None,
            code => {
                haven_store::feedback::category(&state.store, code).await?.ok_or(bad("unknown-code", "category"))?;
                Some(code.to_owned())
            }
        };
        let (from, to) = (date(&self.received_from, "received_from")?, date(&self.received_to, "received_to")?);
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            return Err(bad("before-start", "received_to"));
        }
        let zone = super::zone(state).await?;
        let midnight = |d: Date| zone.moment(PrimitiveDateTime::new(d, Time::MIDNIGHT));
        filter.received_from = match from {
            Some(from) => Some(midnight(from).ok_or(bad("invalid-date", "received_from"))?),
            None => None,
        };
        filter.received_before = match to {
            Some(to) => Some(to.next_day().and_then(midnight).ok_or(bad("invalid-date", "received_to"))?),
            None => None,
        };
        Ok(())
    }
}
