//! Safety audits of sites: observation rounds scored from the catalog's items (more risk
//! points = higher risk, as in IOM DTM safety audits), risk levels by configurable shares of
//! the applicable maximum, and the actions findings become. Audits are by observation and
//! separate group discussions: nothing here has a field for a name or an incident.

mod round;
mod score;

pub use round::{ActionInput, ActionStatus, RawAction, RawRound, RoundInput, incident_screen, is_overdue, on_time};
pub use score::{AuditAnswer, AuditItem, AuditLevel, DomainTally, Score, Tally, Thresholds, score};
