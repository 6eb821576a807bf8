/// What a new password must satisfy. Length beats composition rules (NIST SP 800-63B).
#[derive(Debug, Clone, Copy)]
pub struct PasswordPolicy {
    pub min_chars: usize,
    pub max_chars: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    #[error("the password is too short")]
    TooShort { min: usize },
    #[error("the password is too long")]
    TooLong { max: usize },
    #[error("the password may not contain the user name")]
    ContainsUsername,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy { min_chars: 12, max_chars: 256 }
    }
}

impl PasswordPolicy {
    pub fn check(&self, password: &str, username: &str) -> Result<(), PasswordProblem> {
        let chars = password.chars().count();
        if chars < self.min_chars {
            return Err(PasswordProblem::TooShort { min: self.min_chars });
        }
        if chars > self.max_chars {
            return Err(PasswordProblem::TooLong { max: self.max_chars });
        }
        if username.len() >= 3 && password.to_lowercase().contains(&username.to_lowercase()) {
            return Err(PasswordProblem::ContainsUsername);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_length_in_characters_not_bytes() {
        let p = PasswordPolicy::default();
        assert_eq!(p.check("short", "x"), Err(PasswordProblem::TooShort { min: 12 }));
        assert!(p.check("كلمة سر طويلة جدا", "amina").is_ok());
        assert_eq!(p.check("my-amina-password", "amina"), Err(PasswordProblem::ContainsUsername));
    }
}
