//! The name-variant table: spellings of one name across languages and scripts, mapped to one
//! group, and the gazetteer: the names one place goes by. The built-in tables ship in
//! `data/name_variants.txt` and `data/place_variants.txt`; an operation can add its own file
//! in the same format (one group per line, spellings separated by `|`; the lines after a line
//! `[places]` are places, after `[names]` names again).

use std::collections::HashMap;

use crate::normalize::{fold, name_tokens, skeleton};

const BUILTIN: &str = include_str!("../data/name_variants.txt");
const BUILTIN_PLACES: &str = include_str!("../data/place_variants.txt");

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
    /// Folded, joined spelling of a place → the key of its place (the first spelling of
    /// its line).
    place_of: HashMap<String, u32>,
    place_names: Vec<String>,
}

/// Which kind of groups the lines of a variant file describe.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Names,
    Places,
}

impl Variants {
    /// The table shipped with Haven.
    pub fn builtin() -> Self {
        let mut v = Self::default();
        // The shipped file is checked by a test; a spelling claimed twice keeps its first group.
        let _ = v.extend(BUILTIN);
        let _ = v.extend_places(BUILTIN_PLACES);
        v
    }

    /// Adds the groups of a variant file. A spelling already in another group stays there and
    /// is reported; lines that are not valid are reported too, and the rest is still added.
    pub fn extend(&mut self, text: &str) -> Result<(), Vec<VariantError>> {
        self.extend_from(text, Section::Names)
    }

    /// Adds the places of a gazetteer file (every line a place, no section header needed).
    pub fn extend_places(&mut self, text: &str) -> Result<(), Vec<VariantError>> {
        self.extend_from(text, Section::Places)
    }

    fn extend_from(&mut self, text: &str, mut section: Section) -> Result<(), Vec<VariantError>> {
        let mut problems = Vec::new();
        for (index, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let result = match line.to_lowercase().as_str() {
                "[places]" => {
                    section = Section::Places;
                    continue;
                }
                "[names]" => {
                    section = Section::Names;
                    continue;
                }
                _ if line.starts_with('[') && line.ends_with(']') => {
                    Err(format!("unknown section {line}: [names] or [places]"))
                }
                _ if section == Section::Places => self.add_place(line),
                _ => self.add_group(line),
            };
            if let Err(message) = result {
                problems.push(VariantError { line: index + 1, message });
            }
        }
        if problems.is_empty() { Ok(()) } else { Err(problems) }
    }

    fn add_place(&mut self, line: &str) -> Result<(), String> {
        let spellings: Vec<String> = line.split('|').map(spelling_key).filter(|k| !k.is_empty()).collect();
        if spellings.len() < 2 {
            return Err("a place needs at least two names separated by |".into());
        }
        let place = match spellings.iter().find_map(|s| self.place_of.get(s)) {
            Some(&existing) => existing,
            None => {
                self.place_names.push(spellings[0].clone());
                (self.place_names.len() - 1) as u32
            }
        };
        let mut clashes = Vec::new();
        for s in spellings {
            match self.place_of.get(&s) {
                Some(&p) if p != place => clashes.push(s),
                Some(_) => {}
                None => {
                    self.place_of.insert(s, place);
                }
            }
        }
        if clashes.is_empty() { Ok(()) } else { Err(format!("already another place: {}", clashes.join(", "))) }
    }

    /// The key of the place a folded place name (as `place_key` writes it) is a name of.
    pub fn place(&self, key: &str) -> Option<&str> {
        self.place_of.get(key).and_then(|&p| self.place_names.get(p as usize)).map(String::as_str)
    }

    pub fn places(&self) -> usize {
        self.place_names.len()
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

/// A place name as the gazetteer is looked up: folded, the article off, words joined
/// ("Tal Afar" and "Talafar" are one key).
pub fn place_key(folded: &str) -> String {
    name_tokens(folded).concat()
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
        assert_eq!(v.extend_places(BUILTIN_PLACES), Ok(()), "the shipped gazetteer has clashes or bad lines");
        assert!(v.places() >= 300, "{} places", v.places());
    }

    #[test]
    fn the_names_of_one_place_share_a_key() {
        let v = Variants::builtin();
        let key = |s: &str| place_key(&fold(s));
        let erbil = v.place(&key("Erbil")).expect("Erbil is in the gazetteer");
        for s in ["Hawler", "HEWLÊR", "Irbil", "هەولێر", "أربيل"] {
            assert_eq!(v.place(&key(s)), Some(erbil), "{s}");
        }
        assert_eq!(v.place(&key("Tal Afar")), v.place(&key("Telafar")));
        assert_ne!(v.place(&key("Mosul")), Some(erbil));
        assert_eq!(v.place(&key("Atlantis")), None);
    }

    #[test]
    fn user_files_add_places_after_a_section_line() {
        let mut v = Variants::default();
        let errors =
            v.extend("ali | aly\n[places]\nZaatari | Al-Zaatari Camp | Za'tari\n[towns]\nx | y\n").unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 4);
        assert!(v.group("aly").is_some());
        assert_eq!(v.place("zaatari"), v.place(&place_key(&fold("Za'tari"))));
        assert!(v.place("zaatari").is_some());
        assert!(v.group("zaatari").is_none());
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
