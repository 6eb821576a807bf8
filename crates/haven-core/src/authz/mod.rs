//! The one place that decides who may do what, over which records.
//!
//! Deny by default: a principal holds only the permissions of the roles granted to it
//! (narrowed further by an API token's scopes), and every decision returns either an
//! [`Access`] proof that repositories demand, or a [`Denied`] reason.

mod policy;
mod role;
mod scope;

pub use policy::{Access, Denied, Principal, RoleGrant, decide, may_grant_role, may_reset_credentials};
pub use role::{Permission, Role};
pub use scope::{LocationScope, ScopeFilter};
