//! Values that must never reach a log: passwords, one-time codes, tokens.

use std::fmt;
use std::ops::Deref;

use serde::Deserialize;

/// A secret string. Its `Debug` prints a placeholder and it has no `Display`, so a form or
/// struct holding one can be logged or `dbg!`-ed without leaking it.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// Forgets the value, e.g. before a form is shown again.
    pub fn clear(&mut self) {
        self.0.clear();
    }
}

impl Deref for Secret {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let s = Secret::new("hunter2-correct-horse");
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert_eq!(&*s, "hunter2-correct-horse");
    }

    #[test]
    fn deserializes_from_a_plain_string() {
        let s: Secret = serde_json::from_str("\"abc\"").unwrap();
        assert_eq!(&*s, "abc");
    }
}
