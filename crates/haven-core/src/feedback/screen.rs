//! The keyword screen: proposes a sensitive type when a narrative contains words from an
//! editable multilingual lexicon. It only ever raises sensitivity: an item the person or the
//! agent marked sensitive stays so whatever the screen finds.

use super::SensitiveType;
use crate::text::fold_for_search;

const BUILTIN: &str = include_str!("../../data/feedback_keywords.txt");

/// Languages a lexicon line may be written for.
const LANGUAGES: [&str; 4] = ["en", "fr", "es", "ar"];

/// What is wrong with one line of a lexicon; the code is also the translation key's suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LexiconProblem {
    #[error("unknown sensitive type")]
    UnknownType,
    #[error("a phrase before any [section]")]
    PhraseBeforeSection,
    #[error("expected \"language: phrase\"")]
    NotLanguagePhrase,
    #[error("unknown language (use en, fr, es or ar)")]
    UnknownLanguage,
    #[error("empty phrase")]
    EmptyPhrase,
    #[error("* may only end the last word")]
    StarNotLast,
}

impl LexiconProblem {
    pub fn code(self) -> &'static str {
        match self {
            LexiconProblem::UnknownType => "lexicon-unknown-type",
            LexiconProblem::PhraseBeforeSection => "lexicon-phrase-before-section",
            LexiconProblem::NotLanguagePhrase => "lexicon-not-language-phrase",
            LexiconProblem::UnknownLanguage => "lexicon-unknown-language",
            LexiconProblem::EmptyPhrase => "lexicon-empty-phrase",
            LexiconProblem::StarNotLast => "lexicon-star-not-last",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LexiconError {
    #[error("line {line}: {problem}")]
    Line { line: usize, problem: LexiconProblem },
    /// A lexicon in use must keep every sensitive type: without a phrase, reports of that
    /// kind that nobody marked would never be sealed.
    #[error("no phrase for [{}]: the screen would never propose it", .0.code())]
    TypeMissing(SensitiveType),
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
            let err = |problem| LexiconError::Line { line: i + 1, problem };
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                kind = Some(SensitiveType::from_code(section.trim()).ok_or_else(|| err(LexiconProblem::UnknownType))?);
                continue;
            }
            let kind = kind.ok_or_else(|| err(LexiconProblem::PhraseBeforeSection))?;
            let (lang, phrase) = line.split_once(':').ok_or_else(|| err(LexiconProblem::NotLanguagePhrase))?;
            if !LANGUAGES.contains(&lang.trim()) {
                return Err(err(LexiconProblem::UnknownLanguage));
            }
            let words = words(phrase);
            if words.is_empty() {
                return Err(err(LexiconProblem::EmptyPhrase));
            }
            if words.iter().rev().skip(1).any(|w| w.contains('*')) || words.iter().any(|w| w == "*") {
                return Err(err(LexiconProblem::StarNotLast));
            }
            entries.push(Entry { kind, words, phrase: phrase.trim().to_owned() });
        }
        Ok(Lexicon { entries })
    }

    /// Parse a lexicon to be used by the screen: well formed, and with at least one phrase
    /// for every sensitive type.
    pub fn parse_for_use(text: &str) -> Result<Lexicon, LexiconError> {
        Lexicon::parse(text)?.for_use()
    }

    /// This lexicon, if it keeps at least one phrase for every sensitive type.
    pub fn for_use(self) -> Result<Lexicon, LexiconError> {
        match SensitiveType::ALL.iter().copied().find(|k| self.count_of(*k) == 0) {
            Some(missing) => Err(LexiconError::TypeMissing(missing)),
            None => Ok(self),
        }
    }

    /// Phrases of one sensitive type.
    pub fn count_of(&self, kind: SensitiveType) -> usize {
        self.entries.iter().filter(|e| e.kind == kind).count()
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
        let line = |text: &str| match Lexicon::parse(text) {
            Err(LexiconError::Line { line, problem }) => (line, problem),
            other => panic!("expected a line error, got {other:?}"),
        };
        assert_eq!(line("# c\n[sea]\nen: rape\n[gossip]\n"), (4, LexiconProblem::UnknownType));
        assert_eq!(line("[sea]\nde: vergewaltigung\n"), (2, LexiconProblem::UnknownLanguage));
        assert_eq!(line("en: x\n"), (1, LexiconProblem::PhraseBeforeSection));
        assert_eq!(line("[sea]\nrape\n"), (2, LexiconProblem::NotLanguagePhrase));
        assert_eq!(line("[sea]\n\nen: ...\n"), (3, LexiconProblem::EmptyPhrase));
        assert_eq!(line("[sea]\nen: sex* for\n"), (2, LexiconProblem::StarNotLast));
        let e = Lexicon::parse("[gossip]\n").expect_err("bad section");
        assert_eq!(e.to_string(), "line 1: unknown sensitive type");
    }

    #[test]
    fn a_lexicon_in_use_keeps_every_sensitive_type() {
        let without_fraud: String =
            BUILTIN.split("\n[").filter(|section| !section.starts_with("fraud]")).collect::<Vec<_>>().join("\n[");
        assert!(Lexicon::parse(&without_fraud).is_ok());
        assert_eq!(
            Lexicon::parse_for_use(&without_fraud).expect_err("fraud dropped"),
            LexiconError::TypeMissing(SensitiveType::Fraud)
        );
        let lexicon = Lexicon::parse_for_use(BUILTIN).expect("the shipped lexicon is usable");
        assert!(SensitiveType::ALL.iter().all(|k| lexicon.count_of(*k) > 0));
    }
}
