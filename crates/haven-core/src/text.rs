//! Text normalization shared by keyed search tokens and, later, record linkage.

use unicode_normalization::UnicodeNormalization;

/// Fold a value for equality search: Unicode compatibility decomposition, combining marks
/// removed, Arabic letter variants folded, lower case, whitespace collapsed.
pub fn fold_for_search(value: &str) -> String {
    // Lower-casing can produce decomposable or combining characters (and decomposition can
    // produce capitals), so decompose on both sides of it.
    let lowered: String = value.nfkd().flat_map(char::to_lowercase).collect();
    let folded: String = lowered.nfkd().filter(|c| !is_combining_mark(*c)).filter_map(fold_arabic).collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Split a folded value into the tokens a name search matches on.
pub fn search_tokens(value: &str) -> Vec<String> {
    let folded = fold_for_search(value);
    let mut tokens: Vec<String> = folded
        .split(|c: char| c.is_whitespace() || c == '-' || c == '\'' || c == ',' || c == '.')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    tokens.sort();
    tokens.dedup();
    tokens
}

fn is_combining_mark(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F   // Latin combining diacritics
        | 0x064B..=0x065F // Arabic tashkeel
        | 0x0670          // superscript alef
        | 0x1AB0..=0x1AFF
        | 0x1DC0..=0x1DFF
        | 0x20D0..=0x20FF)
}

/// Fold Arabic letter variants that people write interchangeably; drop tatweel.
fn fold_arabic(c: char) -> Option<char> {
    match c {
        '\u{0640}' => None,
        'أ' | 'إ' | 'آ' | 'ٱ' => Some('ا'),
        'ة' => Some('ه'),
        'ى' => Some('ي'),
        'ؤ' => Some('و'),
        'ئ' => Some('ي'),
        other => Some(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folds_latin_diacritics_and_case() {
        assert_eq!(fold_for_search("  Ñúñez   MÜLLER "), "nunez muller");
    }

    #[test]
    fn folds_arabic_variants_and_tashkeel() {
        assert_eq!(fold_for_search("فَاطِمَة"), fold_for_search("فاطمه"));
        assert_eq!(fold_for_search("أحمد"), fold_for_search("احمد"));
        assert_eq!(fold_for_search("محـــمد"), "محمد");
    }

    #[test]
    fn tokens_are_sorted_and_unique() {
        assert_eq!(search_tokens("Amina  Abdi-Amina"), vec!["abdi", "amina"]);
    }

    proptest! {
        #[test]
        fn folding_is_idempotent(s in "\\PC{0,40}") {
            let once = fold_for_search(&s);
            prop_assert_eq!(fold_for_search(&once), once.clone());
        }
    }
}
