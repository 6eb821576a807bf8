use std::fmt;

/// A sign-in name: 2 to 64 characters of lower-case ASCII letters, digits, `.`, `-`, `_`.
/// Staff names themselves (any script) live in the encrypted display name.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Username(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UsernameProblem {
    #[error("a user name has 2 to 64 characters")]
    Length,
    #[error("a user name uses only lower-case letters a-z, digits, '.', '-' and '_'")]
    Characters,
}

impl Username {
    pub fn parse(raw: &str) -> Result<Username, UsernameProblem> {
        let name = raw.trim().to_ascii_lowercase();
        if !(2..=64).contains(&name.len()) {
            return Err(UsernameProblem::Length);
        }
        if !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b)) {
            return Err(UsernameProblem::Characters);
        }
        Ok(Username(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Username({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_lowercases() {
        assert_eq!(Username::parse(" Amina.K ").unwrap().as_str(), "amina.k");
    }

    #[test]
    fn rejects_bad_names() {
        assert_eq!(Username::parse("a"), Err(UsernameProblem::Length));
        assert_eq!(Username::parse("amina k"), Err(UsernameProblem::Characters));
        assert_eq!(Username::parse("أمينة"), Err(UsernameProblem::Characters));
    }
}
