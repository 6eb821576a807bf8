//! What every form and API body shares: field-by-field problems and the small checks that
//! produce them.

/// One reason an input was refused: the field and a stable problem code (also the suffix of
/// its translation key, `error-<code>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: &'static str,
    pub code: &'static str,
}

/// The age brackets Haven disaggregates by.
pub const AGE_BRACKETS: [&str; 5] = ["0-4", "5-11", "12-17", "18-59", "60-plus"];

/// The value trimmed, or `None` when nothing is left.
pub fn trimmed(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// A code of letters, digits, `-`, `_` and `.`: catalog and location codes.
pub fn is_code(value: &str) -> bool {
    !value.is_empty() && value.len() <= 64 && value.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

/// A date as `YYYY-MM-DD`, the form every date field takes.
pub fn iso_date(date: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

/// Collects problems while a validation runs, so every problem is reported at once.
#[derive(Debug, Default)]
pub struct Problems(pub Vec<FieldProblem>);

impl Problems {
    pub fn add(&mut self, field: &'static str, code: &'static str) {
        self.0.push(FieldProblem { field, code });
    }

    /// `value` when no problem was found, else every problem.
    pub fn or<T>(self, value: T) -> Result<T, Vec<FieldProblem>> {
        if self.0.is_empty() { Ok(value) } else { Err(self.0) }
    }

    /// A required text no longer than `max` characters.
    pub fn text(&mut self, field: &'static str, value: Option<String>, max: usize) -> String {
        match trimmed(value) {
            None => {
                self.add(field, "required");
                String::new()
            }
            Some(t) => self.short(field, t, max),
        }
    }

    /// An optional text no longer than `max` characters.
    pub fn optional_text(&mut self, field: &'static str, value: Option<String>, max: usize) -> Option<String> {
        trimmed(value).map(|t| self.short(field, t, max))
    }

    fn short(&mut self, field: &'static str, t: String, max: usize) -> String {
        if t.chars().count() > max {
            self.add(field, "too-long");
        }
        t
    }

    /// An optional `YYYY-MM-DD` date.
    pub fn date(&mut self, field: &'static str, value: Option<String>) -> Option<time::Date> {
        let v = trimmed(value)?;
        let format = time::macros::format_description!("[year]-[month]-[day]");
        time::Date::parse(&v, &format).map_err(|_| self.add(field, "invalid-date")).ok()
    }

    /// A required `YYYY-MM-DD` date.
    pub fn required_date(&mut self, field: &'static str, value: Option<String>) -> Option<time::Date> {
        if trimmed(value.clone()).is_none() {
            self.add(field, "required");
            return None;
        }
        self.date(field, value)
    }

    /// An optional coded value, parsed by `parse`.
    pub fn code<T>(
        &mut self,
        field: &'static str,
        value: Option<String>,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Option<T> {
        let v = trimmed(value)?;
        let parsed = parse(&v);
        if parsed.is_none() {
            self.add(field, "unknown-code");
        }
        parsed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_collect_every_field() {
        let mut p = Problems::default();
        assert_eq!(p.text("title", Some("  ".into()), 10), "");
        assert_eq!(p.text("code", Some("abcdefghijk".into()), 10), "abcdefghijk");
        assert_eq!(p.code("phase", Some("later".into()), |_| None::<u8>), None);
        assert_eq!(p.optional_text("notes", None, 3), None);
        let e = p.or(()).unwrap_err();
        let fields: Vec<_> = e.iter().map(|f| (f.field, f.code)).collect();
        assert_eq!(fields, [("title", "required"), ("code", "too-long"), ("phase", "unknown-code")]);
    }

    #[test]
    fn codes_are_short_and_plain() {
        assert!(is_code("IQ-NIN_01.2"));
        assert!(!is_code(""));
        assert!(!is_code("a b"));
        assert!(!is_code(&"x".repeat(65)));
    }
}
