//! Text normalization for names and places written in any script.
//!
//! `fold` turns any text into lower-case ASCII words: Arabic is folded (tashkeel, tatweel,
//! hamza seats, ta marbuta, alef maqsura), the Arabic article and the compound `عبد …` are
//! handled before transliteration, every other script is romanized. `name_tokens` then drops
//! particles and joins compounds written in Latin (`abd al rahman`, `abu bakr`), and
//! `skeleton` reduces a token to its consonants so that a romanized Arabic name (which has no
//! short vowels) meets its Latin spellings.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Lower-case ASCII words separated by single spaces. Idempotent.
pub fn fold(text: &str) -> String {
    let arabic_ready = prepare_arabic_words(text);
    let mut out = String::with_capacity(arabic_ready.len());
    for c in arabic_ready.nfkd() {
        if is_combining_mark(c) {
            continue;
        }
        for lower in c.to_lowercase() {
            push_romanized(&mut out, lower);
        }
    }
    collapse_spaces(&out)
}

/// Adds one character to `out` in ASCII: letters and digits as they romanize, marks of ayn and
/// hamza dropped (they sit inside words: Sa'id = Said), everything else as a word break.
fn push_romanized(out: &mut String, c: char) {
    if c.is_ascii_alphanumeric() {
        out.push(c);
        return;
    }
    if matches!(c, '\'' | '`' | '\u{2019}' | '\u{2018}' | '\u{02BF}' | '\u{02BE}' | '\u{02BB}' | '\u{02BC}') {
        return;
    }
    if c.is_ascii() || c.is_whitespace() {
        out.push(' ');
        return;
    }
    if let Some(d) = arabic_indic_digit(c) {
        out.push(d);
        return;
    }
    for r in any_ascii::any_ascii_char(c).chars() {
        match r {
            'a'..='z' | '0'..='9' => out.push(r),
            'A'..='Z' => out.push(r.to_ascii_lowercase()),
            '\'' | '`' => {}
            _ => out.push(' '),
        }
    }
}

fn arabic_indic_digit(c: char) -> Option<char> {
    let offset = match c {
        '\u{0660}'..='\u{0669}' => c as u32 - 0x0660,
        '\u{06F0}'..='\u{06F9}' => c as u32 - 0x06F0,
        _ => return None,
    };
    char::from_digit(offset, 10)
}

fn collapse_spaces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

fn is_arabic(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{08A0}'..='\u{08FF}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
}

/// Letter variants that registrars use interchangeably, folded to one form. Hamza seats on
/// alef, waw and yeh decompose under NFKD and lose their mark there.
fn fold_arabic_letter(c: char) -> Option<char> {
    Some(match c {
        '\u{0640}' => return None,                                       // tatweel
        '\u{064B}'..='\u{065F}' | '\u{0670}' => return None,             // tashkeel, dagger alef
        '\u{0671}' | '\u{0622}' | '\u{0623}' | '\u{0625}' => '\u{0627}', // alef forms
        '\u{0629}' => '\u{0647}',                                        // ta marbuta → heh
        '\u{0649}' | '\u{06CC}' | '\u{064A}' | '\u{0626}' => '\u{064A}', // alef maqsura, Persian yeh
        '\u{0624}' => '\u{0648}',                                        // waw with hamza
        '\u{06A9}' => '\u{0643}',                                        // Persian kaf
        '\u{06D5}' => '\u{0647}',                                        // Kurdish ae written for final heh
        other => other,
    })
}

/// Folds Arabic letters, drops the article ال and joins عبد with the following word, so that
/// "عبد الرحمن" and "عبدالرحمن" become one token before transliteration.
fn prepare_arabic_words(text: &str) -> String {
    if !text.chars().any(is_arabic) {
        return text.to_owned();
    }
    let folded: String =
        text.chars().filter_map(|c| if is_arabic(c) { fold_arabic_letter(c) } else { Some(c) }).collect();
    let words: Vec<&str> = folded.split_whitespace().collect();
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let word = words[i];
        if (word == "عبد" || word == "ابو") && i + 1 < words.len() {
            out.push(format!("{word}{}", without_arabic_article(words[i + 1])));
            i += 2;
            continue;
        }
        out.push(joined_abd(word).unwrap_or_else(|| without_arabic_article(word).to_owned()));
        i += 1;
    }
    out.join(" ")
}

/// "عبدالرحمن" written as one word: the article inside is dropped as in "عبد الرحمن".
fn joined_abd(word: &str) -> Option<String> {
    let rest = word.strip_prefix("عبدال")?;
    (rest.chars().count() >= 3).then(|| format!("عبد{rest}"))
}

/// The article ال is dropped from words long enough to stay a name without it; "الله" keeps
/// it, as it is part of compounds such as عبدالله.
fn without_arabic_article(word: &str) -> &str {
    match word.strip_prefix("ال") {
        Some(rest) if rest.chars().count() >= 3 => rest,
        _ => word,
    }
}

/// Particles that carry no identity: articles and "son/daughter of" markers in several
/// languages, and Latin-script prepositions in family names.
const PARTICLES: &[&str] = &[
    "al", "el", "ul", "bin", "ibn", "bint", "ben", "binti", "bte", "ould", "de", "da", "di", "del", "della", "der",
    "den", "van", "von", "du", "des", "la", "le", "dos", "das", "do", "y",
];

/// Prefixes that form one name with the following word: abd (servant of) and abu (father of).
const ABD_FORMS: &[&str] = &["abd", "abdul", "abdel", "abdal", "abdoul", "abdu", "abdou", "abdil", "abdur", "abder"];
const ABU_FORMS: &[&str] = &["abu", "abou", "abo", "bou"];

/// The tokens of a folded name, particles dropped, compounds joined and written one way:
/// "abd al rahman", "abdel rahman", "abdulrahman" and "abderrahmane" all become
/// "abdrahman…". Order is kept; callers compare tokens as a set.
pub fn name_tokens(folded: &str) -> Vec<String> {
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    let mut tokens = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let word = words[i];
        if (ABD_FORMS.contains(&word) || ABU_FORMS.contains(&word)) && i + 1 < words.len() {
            let mut next = i + 1;
            if PARTICLES.contains(&words[next]) && next + 1 < words.len() {
                next += 1;
            }
            let prefix = if ABD_FORMS.contains(&word) { "abd" } else { "abu" };
            tokens.push(canonical_compound(&format!("{prefix}{}", words[next])));
            i = next + 1;
            continue;
        }
        if !PARTICLES.contains(&word) || words.len() == 1 {
            tokens.push(canonical_compound(word));
        }
        i += 1;
    }
    tokens
}

/// Writes abd- and abu- compounds one way: the linking vowel, the article and a doubled sun
/// letter are removed ("abdulrahman", "abderrahmane" → "abdrahman(e)"; "abdullah" → "abdlah").
fn canonical_compound(token: &str) -> String {
    for prefix in ["abd", "abu", "abou"] {
        let Some(rest) = token.strip_prefix(prefix) else { continue };
        let rest = rest.trim_start_matches(['a', 'e', 'i', 'o', 'u']);
        let rest = match rest.as_bytes() {
            [b'l', second, ..] if !is_vowel(*second) => &rest[1..],
            [first, second, ..] if first == second && !is_vowel(*first) => &rest[1..],
            _ => rest,
        };
        if rest.len() >= 3 {
            let prefix = if prefix == "abd" { "abd" } else { "abu" };
            return format!("{prefix}{rest}");
        }
    }
    token.to_owned()
}

fn is_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// The consonant skeleton of a folded token: spelling digraphs unified, vowels dropped (and
/// w/y inside the word, which romanized Arabic writes for long vowels), a final h dropped,
/// doubled letters collapsed. "Mohammed", "Muhammad" and "mhmd" (محمد) all give "mhmd".
pub fn skeleton(token: &str) -> String {
    // German and Polish renderings of Cyrillic (Sawtschenko, Sawczenko) meet each other.
    let unified = token
        .replace("tsch", "ch")
        .replace("cz", "ch")
        .replace("sz", "sh")
        .replace("dj", "j")
        .replace("ch", "sh")
        .replace("ph", "f")
        .replace("ck", "k");
    let mut out = String::with_capacity(unified.len());
    for (i, c) in unified.chars().enumerate() {
        let c = match c {
            'q' => 'k',
            'x' => 'h',
            'c' => 'k',
            // Wasyl, Vasyl.
            'w' if i == 0 => 'v',
            other => other,
        };
        let keep = match c {
            'a' | 'e' | 'i' | 'o' | 'u' => false,
            'w' | 'y' => i == 0,
            _ => true,
        };
        if keep && !out.ends_with(c) {
            out.push(c);
        }
    }
    if out.len() > 1 && out.ends_with('h') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folds_diacritics_case_and_punctuation() {
        assert_eq!(fold("  Ñúñez-Müller,  José "), "nunez muller jose");
        assert_eq!(fold("Nguyễn"), "nguyen");
        assert_eq!(fold("Sa'id O’Brien"), "said obrien");
    }

    #[test]
    fn folds_arabic_variants_to_one_form() {
        // Hamza seats, tashkeel and tatweel do not change the folded form.
        assert_eq!(fold("أحمد"), fold("احمد"));
        assert_eq!(fold("إبراهيم"), fold("ابراهيم"));
        assert_eq!(fold("مُحَمَّد"), fold("محمد"));
        assert_eq!(fold("محـــمد"), fold("محمد"));
        assert_eq!(fold("فاطمة"), fold("فاطمه"));
        assert_eq!(fold("مصطفى"), fold("مصطفي"));
        assert_eq!(fold("عبد الرحمن"), fold("عبدالرحمن"));
        assert_eq!(fold("٢٠٢٤"), "2024");
    }

    #[test]
    fn romanizes_other_scripts() {
        assert_eq!(fold("Оксана Коваленко"), "oksana kovalenko");
        assert_eq!(fold("ተስፋዬ"), "tesfaye");
    }

    #[test]
    fn particles_and_compounds() {
        assert_eq!(name_tokens(&fold("Abd al-Rahman")), vec!["abdrahman"]);
        assert_eq!(name_tokens(&fold("Abdel Rahman")), vec!["abdrahman"]);
        assert_eq!(name_tokens("abdulrahman"), vec!["abdrahman"]);
        assert_eq!(name_tokens("abderrahmane"), vec!["abdrahmane"]);
        assert_eq!(name_tokens("abdullah"), name_tokens("abdallah"));
        assert_eq!(name_tokens(&fold("Abu Bakr")), name_tokens("abubakr"));
        assert_eq!(name_tokens(&fold("Ahmed bin Ali al-Hashimi")), vec!["ahmed", "ali", "hashimi"]);
        assert_eq!(name_tokens("abdi"), vec!["abdi"]);
        assert_eq!(name_tokens("de"), vec!["de"]);
    }

    #[test]
    fn skeletons_meet_across_scripts() {
        for (latin, arabic) in
            [("mohammed", "محمد"), ("hussein", "حسين"), ("yusuf", "يوسف"), ("fatima", "فاطمة"), ("khaled", "خالد")]
        {
            let a = skeleton(&name_tokens(&fold(latin))[0]);
            let b = skeleton(&name_tokens(&fold(arabic))[0]);
            assert_eq!(a, b, "{latin} / {arabic}");
        }
        assert_eq!(skeleton(&name_tokens("abdullah")[0]), skeleton(&name_tokens(&fold("عبد الله"))[0]));
        assert_eq!(skeleton(&name_tokens("abdulrahman")[0]), skeleton(&name_tokens(&fold("عبد الرحمن"))[0]));
        assert_eq!(skeleton("xasan"), skeleton("hassan"));
        assert_eq!(skeleton("sawczenko"), skeleton("sawchenko"));
        assert_eq!(skeleton("sawtschenko"), skeleton("sawchenko"));
        assert_eq!(skeleton("wasyl"), skeleton("vasyl"));
    }

    proptest! {
        #[test]
        fn fold_is_idempotent(s in "\\PC{0,40}") {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once.clone());
            prop_assert!(once.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b' '));
        }

        #[test]
        fn arabic_and_mixed_fold_is_idempotent(s in "[\u{0620}-\u{064A}\u{064B}-\u{0652} a-zA-Z'-]{0,30}") {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once.clone());
        }

        #[test]
        fn name_tokens_are_stable(s in "[a-z ]{0,40}") {
            let tokens = name_tokens(&fold(&s));
            let again = name_tokens(&tokens.join(" "));
            prop_assert_eq!(again.len() <= tokens.len(), true);
        }
    }
}
