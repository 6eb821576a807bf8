//! The name-variant table: spellings of one name across languages and scripts, mapped to one
//! group. The built-in table ships in `data/name_variants.txt`; an operation can add its own
//! file in the same format (one group per line, spellings separated by `|`).

use std::collections::HashMap;

use crate::normalize::{fold, name_tokens, skeleton};

const BUILTIN: &str = include_str!("../data/name_variants.txt");

/// A problem in a variant file, with its line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct VariantError {
    pub line: usize,
    pub message: String,
}

/// Folded, tokenized spelling → group number. Group names are the first spelling of each line.
#[derive(Debug, Clone, Default)]
pub struct Variants {
    group_of: HashMap<String, u32>,
    /// Consonant skeleton of every spelling → the smallest group with a spelling of that
    /// skeleton: where a spelling the table does not know belongs, for blocking.
    skeleton_group: HashMap<String, u32>,
    names: Vec<String>,
}

impl Variants {
    /// The table shipped with Haven.
    pub fn builtin() -> Self {
        let mut v = Self::default();
        // The shipped file is checked by a test; a spelling claimed twice keeps its first group.
        let _ = v.extend(BUILTIN);
        v
    }

    /// Adds the groups of a variant file. A spelling already in another group stays there and
    /// is reported; lines that are not valid are reported too, and the rest is still added.
    pub fn extend(&mut self, text: &str) -> Result<(), Vec<VariantError>> {
        let mut problems = Vec::new();
        for (index, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Err(message) = self.add_group(line) {
                problems.push(VariantError { line: index + 1, message });
            }
        }
        if problems.is_empty() { Ok(()) } else { Err(problems) }
    }

    fn add_group(&mut self, line: &str) -> Result<(), String> {
        let spellings: Vec<String> =
            line.split('|').map(spelling_key).filter(|k: &String| !k.is_empty()).collect::<Vec<_>>();
        if spellings.len() < 2 {
            return Err("a group needs at least two spellings separated by |".into());
        }
        let group = match spellings.iter().find_map(|s| self.group_of.get(s)) {
            Some(&existing) => existing,
            None => {
                self.names.push(spellings[0].clone());
                (self.names.len() - 1) as u32
            }
        };
        let mut clashes = Vec::new();
        for s in spellings {
            match self.group_of.get(&s) {
                Some(&g) if g != group => clashes.push(s),
                Some(_) => {}
                None => {
                    let slot = self.skeleton_group.entry(skeleton(&s)).or_insert(group);
                    *slot = (*slot).min(group);
                    self.group_of.insert(s, group);
                }
            }
        }
        if clashes.is_empty() { Ok(()) } else { Err(format!("already in another group: {}", clashes.join(", "))) }
    }

    /// The group of a token as `name_tokens` produces it.
    pub fn group(&self, token: &str) -> Option<u32> {
        self.group_of.get(token).copied()
    }

    /// The group a spelling the table does not hold most likely belongs to: the (smallest)
    /// group with a spelling of the same consonant skeleton.
    pub fn group_of_skeleton(&self, skeleton: &str) -> Option<u32> {
        self.skeleton_group.get(skeleton).copied()
    }

    pub fn group_name(&self, group: u32) -> Option<&str> {
        self.names.get(group as usize).map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// A spelling written the way tokens are compared: folded, particles handled, and, when it
/// is several words, joined.
fn spelling_key(spelling: &str) -> String {
    name_tokens(&fold(spelling.trim())).concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_table_is_clean_and_large() {
        let mut v = Variants::default();
        let result = v.extend(BUILTIN);
        assert_eq!(result, Ok(()), "the shipped variant table has clashes or bad lines");
        assert!(v.len() >= 300, "{} groups", v.len());
    }

    #[test]
    fn spellings_across_scripts_share_a_group() {
        let v = Variants::builtin();
        let key = |s: &str| name_tokens(&fold(s)).concat();
        let mohammed = v.group(&key("Mohammed")).expect("mohammed is in the table");
        for s in ["Muhammad", "Mohamed", "محمد", "Mehmet"] {
            assert_eq!(v.group(&key(s)), Some(mohammed), "{s}");
        }
        assert_ne!(v.group(&key("Hassan")), v.group(&key("Hussein")));
    }

    #[test]
    fn user_files_report_lines_and_clashes() {
        let mut v = Variants::default();
        let errors = v.extend("# comment\nali | aly\n\nlonely\nalee | ali\nomar | umar\numar | aly\n").unwrap_err();
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].line, 4);
        assert_eq!(errors[1].line, 7);
        assert!(errors[1].message.contains("aly"));
        assert_eq!(v.group("alee"), v.group("aly"));
    }
}
