//! Approved answers to frequent information requests: the question people ask and the text
//! agents may give, per language, each new text approved by someone (versioned).

use serde::Deserialize;

use super::directory::is_language_code;
use super::intake::FieldProblem;

/// The languages every deployment offers answers in; others may be added by code.
pub const ANSWER_LANGUAGES: [&str; 3] = ["en", "fr", "ar"];

const MAX_QUESTION: usize = 500;
const MAX_BODY: usize = 4_000;

/// One language's text of an answer, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RawAnswerText {
    pub language: Option<String>,
    pub question: Option<String>,
    pub body: Option<String>,
    /// A feedback typology code (only when creating an answer).
    pub category: Option<String>,
}

/// A checked text, ready to be approved as a new version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerText {
    pub language: String,
    pub question: String,
    pub body: String,
    pub category: Option<String>,
}

impl RawAnswerText {
    pub fn validate(self) -> Result<AnswerText, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let trimmed = |v: Option<String>| v.map(|v| v.trim().to_owned()).unwrap_or_default();
        let language = trimmed(self.language).to_ascii_lowercase();
        if language.is_empty() {
            problems.push(FieldProblem { field: "language", code: "required" });
        } else if !is_language_code(&language) {
            problems.push(FieldProblem { field: "language", code: "invalid-language" });
        }
        for (field, value, max) in
            [("question", trimmed(self.question.clone()), MAX_QUESTION), ("body", trimmed(self.body.clone()), MAX_BODY)]
        {
            if value.is_empty() {
                problems.push(FieldProblem { field, code: "required" });
            } else if value.chars().count() > max {
                problems.push(FieldProblem { field, code: "too-long" });
            }
        }
        let category = Some(trimmed(self.category)).filter(|c| !c.is_empty());
        if category.as_deref().is_some_and(|c| !c.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))) {
            problems.push(FieldProblem { field: "category", code: "unknown-code" });
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(AnswerText { language, question: trimmed(self.question), body: trimmed(self.body), category })
    }
}

/// Whether an answer's question and body contain every word of `query` (folded: case,
/// accents, Arabic letter variants and the Arabic article do not matter; a word matches the
/// start of a word).
pub fn matches(query: &str, question: &str, body: &str) -> bool {
    let words = crate::text::search_tokens(query);
    let haystack: Vec<String> =
        crate::text::search_tokens(&format!("{question} {body}")).into_iter().flat_map(forms).collect();
    words.into_iter().all(|w| forms(w).iter().any(|f| haystack.iter().any(|h| h.starts_with(f.as_str()))))
}

/// A word, and without the Arabic article when it has one ("الأسرة" and "أسرة" are the same
/// word to someone searching; "التزام" keeps its own "ال" too).
fn forms(word: String) -> Vec<String> {
    match word.strip_prefix("ال") {
        Some(rest) if rest.chars().count() >= 2 => vec![rest.to_owned(), word],
        _ => vec![word],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_ignores_case_accents_and_arabic_variants() {
        assert!(matches("DISTRIBUTION date", "When is the next distribution?", "The date is on the board."));
        assert!(matches("prochaine distrib", "Quand a lieu la prochaine distribution ?", "Le 3."));
        assert!(matches("éCOLE", "Inscription à l'ecole", ""));
        assert!(matches("موعد التوزيع", "ما هو موعد التوزيع القادم؟", "في الثالث من الشهر"));
        assert!(matches("اسره", "تسجيل الأسرة", ""), "ة and ه fold together, the article goes");
        assert!(matches("الالتزام", "التزام", ""));
        assert!(!matches("cash water", "When is the cash distribution?", "Soon."));
        assert!(matches("  ", "anything", ""));
    }

    #[test]
    fn a_text_needs_a_language_a_question_and_a_body() {
        let problems =
            RawAnswerText { language: Some("arabic".into()), ..Default::default() }.validate().expect_err("bad");
        let fields: Vec<(&str, &str)> = problems.iter().map(|p| (p.field, p.code)).collect();
        assert_eq!(fields, vec![("language", "invalid-language"), ("question", "required"), ("body", "required")]);
        let ok = RawAnswerText {
            language: Some(" AR ".into()),
            question: Some("متى التوزيع؟".into()),
            body: Some("يوم الثلاثاء".into()),
            category: Some("request-information".into()),
        }
        .validate()
        .expect("valid");
        assert_eq!(ok.language, "ar");
    }
}
