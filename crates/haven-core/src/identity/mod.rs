//! Rules about people who sign in to Haven: user names, passwords, lockout, sessions.

mod lockout;
mod password;
mod session;
mod username;

pub use lockout::{LockoutPolicy, LoginGate};
pub use password::{PasswordPolicy, PasswordProblem};
pub use session::SessionPolicy;
pub use username::{Username, UsernameProblem};
