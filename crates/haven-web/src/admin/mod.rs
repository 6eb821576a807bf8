//! Administration: users and roles, the audit viewer, organisation settings.

pub mod audit;
pub mod escalation;
pub mod settings;
pub mod users;
