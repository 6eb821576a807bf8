//! Haven's domain: the types and rules every capability shares.
//!
//! Nothing here touches a database, the network or the clock: callers pass `now` in, so the
//! rules are plain functions that unit and property tests can drive directly.

pub mod audit;
pub mod authz;
pub mod catalog;
pub mod disclosure;
pub mod feedback;
pub mod identity;
pub mod locations;
pub mod secret;
pub mod settings;
pub mod text;
