use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The interface languages Haven ships. English is the fallback.
pub const LANGUAGES: [&str; 3] = ["en", "fr", "ar"];

/// A text in several languages, keyed by language code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Localized(pub BTreeMap<String, String>);

impl Localized {
    /// The text in `lang`, else in English, else in any language present.
    pub fn get(&self, lang: &str) -> &str {
        self.0
            .get(lang)
            .or_else(|| self.0.get("en"))
            .or_else(|| self.0.values().next())
            .map(String::as_str)
            .unwrap_or("")
    }

    pub fn missing_languages(&self) -> Vec<&'static str> {
        LANGUAGES.into_iter().filter(|l| self.0.get(*l).is_none_or(|t| t.trim().is_empty())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn falls_back_to_english() {
        let t = Localized([("en".to_owned(), "Shelter".to_owned()), ("ar".to_owned(), "المأوى".to_owned())].into());
        assert_eq!(t.get("ar"), "المأوى");
        assert_eq!(t.get("fr"), "Shelter");
        assert_eq!(t.missing_languages(), vec!["fr"]);
    }
}
