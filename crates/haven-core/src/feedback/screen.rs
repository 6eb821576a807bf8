//! The keyword screen: proposes a sensitive type when a narrative contains words from an
//! editable multilingual lexicon. It only ever raises sensitivity: an item the person or the
//! agent marked sensitive stays so whatever the screen finds.

use super::SensitiveType;
use crate::text::fold_for_search;

const BUILTIN: &str = include_str!("../../data/feedback_keywords.txt");

/// Languages a lexicon line may be written for.
const LANGUAGES: [&str; 4] = ["en", "fr", "es", "ar"];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LexiconError {
    #[error("line {line}: {message}")]
    Line { line: usize, message: String },
}

#[derive(Debug, Clone)]
struct Entry {
    kind: SensitiveType,
    /// Folded words; the last may end with `*` (any ending).
    words: Vec<String>,
    phrase: String,
}

/// A parsed lexicon.
#[derive(Debug, Clone)]
pub struct Lexicon {
    entries: Vec<Entry>,
}

/// One lexicon entry found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreenHit {
    pub kind: SensitiveType,
    pub phrase: String,
}

/// Words of a folded text, split on anything that is not a letter or digit.
fn words(text: &str) -> Vec<String> {
    let folded = fold_for_search(text);
    folded
        .split(|c: char| !(c.is_alphanumeric() || c == '*'))
        .filter(|w| !w.is_empty())
        .map(|w| without_arabic_article(w).to_owned())
        .collect()
}

/// The Arabic article and the prepositions joined to it are written as one word with the
/// noun ("للتحرش", "بالرشوة"): the screen matches the noun.
fn without_arabic_article(word: &str) -> &str {
    for prefix in ["وال", "فال", "بال", "كال", "لل", "ال"] {
        if let Some(rest) = word.strip_prefix(prefix)
            && rest.chars().count() >= 3
        {
            return rest;
        }
    }
    word
}

impl Lexicon {
    /// The lexicon shipped with Haven.
    pub fn builtin() -> Lexicon {
        // The shipped file is checked by a unit test, so it always parses.
        Lexicon::parse(BUILTIN).unwrap_or(Lexicon { entries: Vec::new() })
    }

    pub fn builtin_text() -> &'static str {
        BUILTIN
    }

    /// Parse a lexicon: `[sensitive_type]` sections of `language: phrase` lines.
    pub fn parse(text: &str) -> Result<Lexicon, LexiconError> {
        let mut entries = Vec::new();
        let mut kind = None;
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            let err = |message: String| LexiconError::Line { line: i + 1, message };
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                kind = Some(
                    SensitiveType::from_code(section.trim())
                        .ok_or_else(|| err(format!("unknown sensitive type [{section}]")))?,
                );
                continue;
            }
            let kind = kind.ok_or_else(|| err("a phrase before any [section]".into()))?;
            let (lang, phrase) = line.split_once(':').ok_or_else(|| err("expected \"language: phrase\"".into()))?;
            if !LANGUAGES.contains(&lang.trim()) {
                return Err(err(format!("unknown language {:?} (use en, fr, es or ar)", lang.trim())));
            }
            let words = words(phrase);
            if words.is_empty() {
                return Err(err("empty phrase".into()));
            }
            if words.iter().rev().skip(1).any(|w| w.contains('*')) || words.iter().any(|w| w == "*") {
                return Err(err("* may only end the last word".into()));
            }
            entries.push(Entry { kind, words, phrase: phrase.trim().to_owned() });
        }
        Ok(Lexicon { entries })
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every entry found in `text`, in lexicon order.
    pub fn screen(&self, text: &str) -> Vec<ScreenHit> {
        let text_words = words(text);
        self.entries
            .iter()
            .filter(|e| contains_phrase(&text_words, &e.words))
            .map(|e| ScreenHit { kind: e.kind, phrase: e.phrase.clone() })
            .collect()
    }

    /// Whether any entry of `kind` is in the words of a text.
    fn finds(&self, kind: SensitiveType, text_words: &[String]) -> bool {
        self.entries.iter().any(|e| e.kind == kind && contains_phrase(text_words, &e.words))
    }

    /// The sensitive type to record: what was declared, else the most serious type the
    /// screen found (in the order SEA, child safeguarding, safety threat, fraud, misconduct).
    pub fn propose(&self, declared: Option<SensitiveType>, text: &str) -> Option<SensitiveType> {
        if declared.is_some() {
            return declared;
        }
        // Runs on every intake: the text is split once and no hit is copied out.
        let text_words = words(text);
        const ORDER: [SensitiveType; 5] = [
            SensitiveType::Sea,
            SensitiveType::ChildSafeguarding,
            SensitiveType::SafetyThreat,
            SensitiveType::Fraud,
            SensitiveType::Misconduct,
        ];
        ORDER.into_iter().find(|k| self.finds(*k, &text_words))
    }
}

fn word_matches(pattern: &str, word: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(stem) => word.starts_with(stem),
        None => pattern == word,
    }
}

fn contains_phrase(text: &[String], phrase: &[String]) -> bool {
    text.windows(phrase.len()).any(|window| window.iter().zip(phrase).all(|(w, p)| word_matches(p, w)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_lexicon_parses_and_covers_every_type_in_every_language() {
        let lexicon = Lexicon::parse(BUILTIN).expect("shipped lexicon parses");
        for kind in SensitiveType::ALL {
            for lang in LANGUAGES {
                let section = format!("[{}]", kind.code());
                let body = BUILTIN.split(&section).nth(1).expect("section").split("\n[").next().expect("body");
                assert!(body.lines().any(|l| l.starts_with(&format!("{lang}:"))), "{kind} has no {lang} entry");
            }
        }
        assert!(lexicon.len() > 100);
    }

    #[test]
    fn finds_phrases_across_languages_and_spellings() {
        let l = Lexicon::builtin();
        assert_eq!(
            l.propose(None, "The distributor ASKED ME FOR SEX before giving the card"),
            Some(SensitiveType::Sea)
        );
        assert_eq!(l.propose(None, "On m'a demandé de coucher avec lui"), Some(SensitiveType::Sea));
        assert_eq!(l.propose(None, "الموظف طلب مني رشوة"), Some(SensitiveType::Fraud));
        assert_eq!(l.propose(None, "hubo un soborno en la lista"), Some(SensitiveType::Fraud));
        assert_eq!(l.propose(None, "تعرضت للتحرش في المخيم"), Some(SensitiveType::Sea));
        assert_eq!(l.propose(None, "The water point near block C is broken"), None);
    }

    #[test]
    fn never_lowers_what_was_declared() {
        let l = Lexicon::builtin();
        assert_eq!(l.propose(Some(SensitiveType::Misconduct), "asked me for sex"), Some(SensitiveType::Misconduct));
        assert_eq!(l.propose(Some(SensitiveType::Fraud), "all is well"), Some(SensitiveType::Fraud));
    }

    #[test]
    fn whole_words_only() {
        let l = Lexicon::parse("[fraud]\nen: vol\n").expect("parses");
        assert!(l.screen("the volunteer helped").is_empty());
        assert_eq!(l.screen("un vol a eu lieu").len(), 1);
    }

    #[test]
    fn bad_lines_are_reported_with_their_number() {
        let e = Lexicon::parse("# c\n[sea]\nen: rape\n[gossip]\n").expect_err("bad section");
        assert_eq!(e.to_string(), "line 4: unknown sensitive type [gossip]");
        let e = Lexicon::parse("[sea]\nde: vergewaltigung\n").expect_err("bad language");
        assert!(e.to_string().starts_with("line 2: unknown language"));
        let e = Lexicon::parse("en: x\n").expect_err("no section");
        assert_eq!(e.to_string(), "line 1: a phrase before any [section]");
    }
}
