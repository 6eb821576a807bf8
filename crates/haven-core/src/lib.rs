//! Haven's domain: the types and rules every capability shares.
//!
//! Nothing here touches a database, the network or the clock: callers pass `now` in, so the
//! rules are plain functions that unit and property tests can drive directly.

/// Implements the stable code ↔ variant mapping of a closed list.
macro_rules! coded {
    ($name:ident { $($variant:ident => $code:literal),+ $(,)? }) => {
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn from_code(code: &str) -> Option<$name> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

pub mod audit;
pub mod audits;
pub mod authz;
pub mod catalog;
pub mod disclosure;
pub mod feedback;
pub mod identity;
pub mod indicators;
pub mod input;
pub mod locations;
pub mod participation;
pub mod projects;
pub mod secret;
pub mod settings;
pub mod text;
