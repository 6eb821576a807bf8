//! How a name ends up written: which known spelling a registrar picks, the article of Arabic
//! family names, transliteration of Cyrillic, and the mistakes and variants of a second writing.
//!
//! The tables of known spellings (data files) cover the common romanizations; the mechanical
//! rules here produce the long tail that no table holds (vowel changes, kh/h/x, doubled
//! consonants, particles written apart or together, typing errors).

use super::profile::Article;
use super::rng::{Rng, mix};

/// Relative weights of the 1st, 2nd, ... listed spelling: the first is the usual one.
const RANK_WEIGHTS: [u32; 8] = [16, 7, 4, 3, 2, 2, 1, 1];
/// How much a registrar favours spellings in their own tradition.
const LOOK_BOOST: u32 = 4;

/// Index of the spelling a registrar uses. Stable for a `(seed, key)` pair, so one registrar
/// writes a name the same way for every member of a family.
pub(super) fn choose_spelling(seed: u64, key: u64, count: usize, looks: &[u8], preferred: u8) -> usize {
    let weight = |index: usize| -> u64 {
        let base = RANK_WEIGHTS.get(index).copied().unwrap_or(1);
        let favoured = preferred != 0 && looks.get(index).is_some_and(|look| look & preferred != 0);
        u64::from(if favoured { base * LOOK_BOOST } else { base })
    };
    let total: u64 = (0..count).map(weight).sum();
    if total == 0 {
        return 0;
    }
    let mut target = ((u128::from(mix(seed, key)) * u128::from(total)) >> 64) as u64;
    for index in 0..count {
        let w = weight(index);
        if target < w {
            return index;
        }
        target -= w;
    }
    count.saturating_sub(1)
}

/// Rewrites the article of a family name listed as "al-Stem" in a registrar's habit.
pub(super) fn apply_article(name: &str, article: Article) -> String {
    let Some(stem) = ["al-", "el-", "Al-", "El-"].iter().find_map(|p| name.strip_prefix(p)).filter(|s| !s.is_empty())
    else {
        return name.to_owned();
    };
    let stem_title = capitalize_first(stem);
    match article {
        Article::LowerHyphen => format!("al-{stem_title}"),
        Article::Hyphen => format!("Al-{stem_title}"),
        Article::Space => format!("Al {stem_title}"),
        Article::Attached => format!("Al{}", lowercase_first(stem)),
        Article::ElHyphen => format!("El-{stem_title}"),
        Article::ElAttached => format!("El{}", lowercase_first(stem)),
        Article::Assimilated => match sun_letter(stem) {
            Some(letter) => format!("A{letter}-{stem_title}"),
            None => format!("Al-{stem_title}"),
        },
        Article::Dropped => stem_title,
    }
}

/// The consonant the article assimilates to (al-Shammari is said and often written ash-Shammari).
fn sun_letter(stem: &str) -> Option<&'static str> {
    let lower = stem.to_ascii_lowercase();
    ["sh", "th", "dh", "t", "d", "r", "z", "s", "n"].into_iter().find(|letter| lower.starts_with(letter))
}

pub(super) fn capitalize_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Registrar's letter case for names and places.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Case {
    AsWritten,
    Upper,
    Lower,
}

pub(super) fn apply_case(text: String, case: Case) -> String {
    match case {
        Case::AsWritten => text,
        Case::Upper => text.to_uppercase(),
        Case::Lower => text.to_lowercase(),
    }
}

/// The text without Latin diacritics, as typed on a keyboard without them.
pub(super) fn strip_accents(text: &str) -> String {
    text.chars().map(fold_accent).collect()
}

fn has_accents(text: &str) -> bool {
    text.chars().any(|c| fold_accent(c) != c)
}

fn fold_accent(c: char) -> char {
    match c {
        'á' | 'à' | 'â' | 'ä' | 'ã' => 'a',
        'Á' | 'À' | 'Â' | 'Ä' | 'Ã' => 'A',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'É' | 'È' | 'Ê' | 'Ë' => 'E',
        'í' | 'ì' | 'î' | 'ï' | 'ī' => 'i',
        'Í' | 'Ì' | 'Î' | 'Ï' | 'İ' => 'I',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
        'Ó' | 'Ò' | 'Ô' | 'Ö' | 'Õ' => 'O',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'Ú' | 'Ù' | 'Û' | 'Ü' => 'U',
        'ñ' => 'n',
        'Ñ' => 'N',
        'ç' => 'c',
        'Ç' => 'C',
        'ş' => 's',
        'Ş' => 'S',
        'ż' => 'z',
        'Ż' => 'Z',
        'ɗ' => 'd',
        'Ɗ' => 'D',
        other => other,
    }
}

/// True when the text is written in Latin letters (first letter below the IPA block).
pub(super) fn is_latin(text: &str) -> bool {
    text.chars().find(|c| c.is_alphabetic()).is_none_or(|c| (c as u32) < 0x0250)
}

fn is_ethiopic(c: char) -> bool {
    (0x1200..=0x137F).contains(&(c as u32))
}

// ---------------------------------------------------------------------------------------------
// Typing errors

/// Letter rows of the keyboards registrars type on: QWERTY, Ukrainian ЙЦУКЕН, Arabic.
const KEYBOARDS: [[&str; 3]; 3] = [
    ["qwertyuiop", "asdfghjkl", "zxcvbnm"],
    ["йцукенгшщзхї", "фівапролджє", "ячсмитьбю"],
    ["ضصثقفغعهخحجد", "شسيبلاتنمكط", "ئءؤرىةوزظ"],
];

/// A key next to `c` on its keyboard (same case), or `None` when `c` is on none of them.
fn neighbour_key(rng: &mut Rng, c: char) -> Option<char> {
    let lower = c.to_lowercase().next()?;
    let rows = KEYBOARDS.iter().find(|rows| rows.iter().any(|row| row.contains(lower)))?;
    let (row, col) =
        rows.iter().enumerate().find_map(|(row, keys)| keys.chars().position(|k| k == lower).map(|col| (row, col)))?;
    let key_at = |r: usize, column: Option<usize>| rows.get(r).and_then(|keys| keys.chars().nth(column?));
    let mut candidates: Vec<char> = Vec::with_capacity(6);
    candidates.extend(key_at(row, col.checked_sub(1)));
    candidates.extend(key_at(row, Some(col + 1)));
    if let Some(above) = row.checked_sub(1) {
        candidates.extend(key_at(above, Some(col)));
        candidates.extend(key_at(above, Some(col + 1)));
    }
    candidates.extend(key_at(row + 1, Some(col)));
    candidates.extend(key_at(row + 1, col.checked_sub(1)));
    let key = *rng.pick(&candidates)?;
    Some(if c.is_uppercase() { key.to_uppercase().next().unwrap_or(key) } else { key })
}

/// A character a hurried typist might hit instead of `c`: a neighbouring key, or for letters on
/// no keyboard above (Ethiopic, Persian and Pashto letters) the neighbouring letter of the
/// script, which for Ethiopic is the same consonant with another vowel.
fn slip_of(rng: &mut Rng, c: char) -> char {
    if let Some(key) = neighbour_key(rng, c) {
        return key;
    }
    let code = c as u32;
    let candidate = if rng.chance(0.5) { code.checked_add(1) } else { code.checked_sub(1) };
    candidate
        .and_then(char::from_u32)
        .filter(|n| n.is_alphabetic() && (*n as u32) >> 7 == code >> 7 && n.is_uppercase() == c.is_uppercase())
        .unwrap_or(c)
}

/// One typing error: a letter inserted, dropped, replaced, doubled, swapped with its neighbour,
/// or one letter of a doubled pair dropped. The result always differs from the input when the
/// input has letters.
pub(super) fn typo(rng: &mut Rng, text: &str) -> String {
    for _ in 0..6 {
        let result = typo_once(rng, text);
        if result != text {
            return result;
        }
    }
    text.to_owned()
}

fn typo_once(rng: &mut Rng, text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let letters: Vec<usize> = chars.iter().enumerate().filter(|(_, c)| c.is_alphabetic()).map(|(i, _)| i).collect();
    let Some(&first) = letters.first() else {
        return text.to_owned();
    };
    // Typists rarely miss the first letter of a name.
    let at = if letters.len() > 1 && rng.chance(0.85) { letters[1 + rng.below(letters.len() - 1)] } else { first };
    let original = chars[at];
    let mut out = chars.clone();
    // Dropping or moving the first letter would also change the name's capital: replace it instead.
    let operation = match rng.below(6) {
        1 | 3 if at == first => 2,
        other => other,
    };
    match operation {
        0 => out.insert(at + rng.below(2), slip_of(rng, original)),
        1 if letters.len() > 2 => {
            out.remove(at);
        }
        1 | 4 => out.insert(at, original),
        2 => out[at] = slip_of(rng, original),
        3 => {
            if chars.get(at + 1).is_some_and(|c| c.is_alphabetic()) {
                out.swap(at, at + 1);
            } else if at > 0 && chars[at - 1].is_alphabetic() {
                out.swap(at - 1, at);
            }
        }
        _ => match (1..chars.len()).find(|&i| chars[i] == chars[i - 1] && chars[i].is_alphabetic()) {
            Some(doubled) => {
                out.remove(doubled);
            }
            None => out[at] = slip_of(rng, original),
        },
    }
    out.into_iter().collect()
}

// ---------------------------------------------------------------------------------------------
// Mechanical spelling variants

/// Sound correspondences between romanization traditions (English, French, Turkish/Kurdish,
/// Somali, Spanish): each pattern may be written as any of its alternatives.
const SOUND_SWAPS: &[(&str, &[&str])] = &[
    ("ou", &["u", "o", "w"]),
    ("oo", &["u", "ou", "o"]),
    ("ee", &["i", "e", "ie"]),
    ("kh", &["h", "x", "k", "ch"]),
    ("x", &["kh", "h"]),
    ("dh", &["d", "z", "th"]),
    ("th", &["t", "s", "dh"]),
    ("gh", &["g", "q"]),
    ("sh", &["ch", "sch", "s"]),
    ("ch", &["sh", "tch", "c"]),
    ("dj", &["j", "g"]),
    ("ph", &["f"]),
    ("ie", &["i", "y", "iy"]),
    ("ei", &["ai", "ey", "e"]),
    ("ai", &["ei", "ay", "a"]),
    ("ay", &["ai", "ei"]),
    ("q", &["k", "g", "gh"]),
    ("k", &["q", "c", "kh"]),
    ("j", &["dj", "g", "y", "zh"]),
    ("z", &["s", "dh", "th"]),
    ("w", &["ou", "v", "u"]),
    ("v", &["w", "b", "f"]),
    ("y", &["i", "j", "ie"]),
    ("c", &["k", "s", "q"]),
    ("a", &["e", "o", "aa"]),
    ("e", &["a", "i", "é"]),
    ("i", &["e", "y", "ee"]),
    ("o", &["u", "ou", "a"]),
    ("u", &["o", "ou", "oo"]),
];

/// Endings registrars add or drop (Fatimah/Fatima, Tesfaye/Tesfay, Hashimi/Hashimy).
const ENDINGS: &[(&str, &[&str])] = &[
    ("ah", &["a", "eh"]),
    ("eh", &["e", "a", "ah"]),
    ("ie", &["i", "y"]),
    ("ee", &["i"]),
    ("ou", &["u", "o"]),
    ("a", &["ah", "e"]),
    ("e", &["", "eh", "a"]),
    ("i", &["y", "ie", "ee"]),
    ("y", &["i", "ie"]),
    ("o", &["ou", "u"]),
];

/// Particles written in several ways: `forms` are recognised, `alternatives` written instead.
struct Particle {
    forms: &'static [&'static str],
    alternatives: &'static [&'static str],
    word_start: bool,
    /// Characters that must not follow a form (abdul+lah is Abdullah, not Abdul Lah).
    not_before: &'static [u8],
}

const PARTICLES: &[Particle] = &[
    Particle {
        forms: &["abd al-", "abd el-", "abd-al-", "abdul ", "abdel ", "abdul", "abdel", "abdal", "abdur"],
        alternatives: &["abd al-", "abdul ", "abdul", "abdel ", "abdel", "abd el-", "abdal", "abd-al-", "abd ul "],
        word_start: true,
        not_before: b"l",
    },
    Particle {
        forms: &["abou ", "abu ", "abo ", "abou", "abu"],
        alternatives: &["abu ", "abou ", "abu", "abou", "abo "],
        word_start: true,
        not_before: b"",
    },
    Particle {
        forms: &["bin ", "ben ", "ibn ", "bin-", "ben-"],
        alternatives: &["bin ", "ben ", "ibn ", "bin-", "b. "],
        word_start: true,
        not_before: b"",
    },
    Particle {
        forms: &[" ullah", "ullah", "ollah", "allah", "ulla"],
        alternatives: &["ullah", " ullah", "ulla", "ollah", "allah", "ulah"],
        word_start: false,
        not_before: b"",
    },
    Particle {
        forms: &[
            " al-din", "-ud-din", " ud-din", " eldin", "eddine", "uddeen", "uddin", "eddin", "eldin", "aldin", "adin",
        ],
        alternatives: &["uddin", "eddine", "eddin", "eldin", " eldin", " al-din", "-ud-din", "aldin", "adin"],
        word_start: false,
        not_before: b"",
    },
    Particle {
        forms: &["al-", "el-", "al ", "el "],
        alternatives: &["al-", "el-", "al ", "el ", "", "al", "el"],
        word_start: true,
        not_before: b"",
    },
];

/// A spelling variant of `text` that a different registrar could plausibly write: changed
/// vowels, consonant correspondences, doubled or single consonants, endings, particles, word
/// joins, dropped accents; orthographic variants for Arabic script and Cyrillic; vowel-order
/// and homophone variants for Ethiopic. Falls back to a typo when no rule applies.
pub(super) fn variant(rng: &mut Rng, text: &str) -> String {
    let candidate = if is_latin(text) {
        latin_variant(rng, text)
    } else if text.chars().any(is_ethiopic) {
        ethiopic_variant(rng, text)
    } else {
        native_variant(rng, text)
    };
    match candidate {
        Some(out) if out != text && !out.trim().is_empty() => out,
        _ => typo(rng, text),
    }
}

fn latin_variant(rng: &mut Rng, text: &str) -> Option<String> {
    for _ in 0..8 {
        let out = match rng.below(12) {
            0..=4 => sound_swap(rng, text),
            5 | 6 => doubling(rng, text),
            7 => ending(rng, text),
            8 | 9 => particle(rng, text),
            10 => compound_join(rng, text),
            _ => has_accents(text).then(|| strip_accents(text)),
        };
        if let Some(out) = out.filter(|out| out != text && !out.trim().is_empty()) {
            return Some(out);
        }
    }
    None
}

/// Byte offsets where `pattern` occurs in `lower` (an ASCII-lowercased copy of the text).
fn occurrences(lower: &str, pattern: &str) -> Vec<usize> {
    lower.match_indices(pattern).map(|(at, _)| at).collect()
}

fn sound_swap(rng: &mut Rng, text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let applicable: Vec<&(&str, &[&str])> = SOUND_SWAPS.iter().filter(|(pattern, _)| lower.contains(pattern)).collect();
    let &&(pattern, alternatives) = rng.pick(&applicable)?;
    let at = *rng.pick(&occurrences(&lower, pattern))?;
    let replacement = *rng.pick(alternatives)?;
    Some(splice_keep_case(text, at, at + pattern.len(), replacement))
}

fn is_vowel(c: char) -> bool {
    matches!(c.to_ascii_lowercase(), 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
}

fn is_consonant(c: char) -> bool {
    c.is_ascii_alphabetic() && !is_vowel(c)
}

/// Doubled consonant made single (Mohammed → Mohamed), or a single one doubled (Hasan → Hassan).
fn doubling(rng: &mut Rng, text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let doubled: Vec<usize> =
        (1..chars.len()).filter(|&i| chars[i].eq_ignore_ascii_case(&chars[i - 1]) && is_consonant(chars[i])).collect();
    let mut out = chars.clone();
    if !doubled.is_empty() && rng.chance(0.7) {
        out.remove(*rng.pick(&doubled)?);
    } else {
        let single: Vec<usize> = (1..chars.len().saturating_sub(1))
            .filter(|&i| is_consonant(chars[i]) && is_vowel(chars[i - 1]) && is_vowel(chars[i + 1]))
            .collect();
        let at = *rng.pick(&single)?;
        out.insert(at, chars[at].to_ascii_lowercase());
    }
    Some(out.into_iter().collect())
}

fn ending(rng: &mut Rng, text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let applicable: Vec<&(&str, &[&str])> =
        ENDINGS.iter().filter(|(end, _)| lower.ends_with(end) && lower.len() > end.len() + 2).collect();
    let &&(end, alternatives) = rng.pick(&applicable)?;
    let replacement = *rng.pick(alternatives)?;
    let at = text.len() - end.len();
    Some(splice_keep_case(text, at, text.len(), replacement))
}

fn particle(rng: &mut Rng, text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    // (particle, form, start) of every recognised form; the longest form wins at one position.
    let mut found: Vec<(&Particle, &str, usize)> = Vec::new();
    for group in PARTICLES {
        for &form in group.forms {
            for at in occurrences(&lower, form) {
                let starts_word = at == 0 || matches!(bytes.get(at - 1), Some(b' ' | b'-'));
                let followed_ok = bytes.get(at + form.len()).is_none_or(|next| !group.not_before.contains(next));
                let has_stem = at + form.len() < lower.len() || !group.word_start;
                let taken = found.iter().any(|&(g, _, start)| std::ptr::eq(g, group) && start == at);
                if (starts_word || !group.word_start) && followed_ok && has_stem && !taken {
                    found.push((group, form, at));
                }
            }
        }
    }
    let &(group, form, at) = rng.pick(&found)?;
    let choices: Vec<&str> = group.alternatives.iter().copied().filter(|alt| *alt != form).collect();
    let replacement = *rng.pick(&choices)?;
    Some(splice_keep_case(text, at, at + form.len(), replacement))
}

/// A space or hyphen inside a name written differently (Jean-Pierre / Jean Pierre / Jeanpierre).
fn compound_join(rng: &mut Rng, text: &str) -> Option<String> {
    let separators: Vec<usize> = text
        .char_indices()
        .filter(|&(at, c)| (c == ' ' || c == '-') && at > 0 && at + 1 < text.len())
        .map(|(at, _)| at)
        .collect();
    let at = *rng.pick(&separators)?;
    let current = &text[at..at + 1];
    let choices: Vec<&str> = [" ", "-", ""].into_iter().filter(|s| *s != current).collect();
    let replacement = *rng.pick(&choices)?;
    Some(splice_keep_case(text, at, at + 1, replacement))
}

/// Replaces `text[start..end]` and keeps the name's capitalisation: a capitalised match gives
/// a capitalised replacement, a split starts a capitalised word, a join lowercases the next one.
fn splice_keep_case(text: &str, start: usize, end: usize, replacement: &str) -> String {
    let matched = text.get(start..end).unwrap_or("");
    let rest = text.get(end..).unwrap_or("");
    let title = text.chars().next().is_some_and(char::is_uppercase);
    let mut middle = if matched.chars().next().is_some_and(char::is_uppercase) || (start == 0 && title) {
        capitalize_first(replacement)
    } else {
        replacement.to_owned()
    };
    if title && middle.starts_with(' ') {
        middle = format!(" {}", capitalize_first(&middle[1..]));
    }
    let ends_separated = |s: &str| s.ends_with(' ') || s.ends_with('-');
    let rest = if title && ends_separated(replacement) && !ends_separated(matched) {
        capitalize_first(rest)
    } else if !replacement.is_empty() && !ends_separated(replacement) && ends_separated(matched) {
        lowercase_first(rest)
    } else if replacement.is_empty() && start == 0 {
        capitalize_first(rest)
    } else {
        rest.to_owned()
    };
    let prefix = text.get(..start).unwrap_or("");
    let mut out = String::with_capacity(text.len() + replacement.len());
    out.push_str(prefix);
    out.push_str(&middle);
    out.push_str(&rest);
    out
}

/// Orthographic variants in Arabic script and Cyrillic: `(from, to, only at the end)`.
const NATIVE_SWAPS: &[(&str, &str, bool)] = &[
    // Hamza seats, taa marbuta and alif maqsura: the usual differences between two typists.
    ("أ", "ا", false),
    ("إ", "ا", false),
    ("آ", "ا", false),
    ("ؤ", "و", false),
    ("ئ", "ي", false),
    ("ء", "", false),
    ("ة", "ه", true),
    ("ه", "ة", true),
    ("ى", "ي", true),
    ("ي", "ى", true),
    // Compounds written apart or together.
    ("عبد ال", "عبدال", false),
    ("عبدال", "عبد ال", false),
    ("ابو ", "ابو", false),
    ("أبو ", "ابو ", false),
    ("\u{200c}", " ", false),
    ("\u{200c}", "", false),
    // Persian and Arabic keyboards.
    ("ی", "ي", false),
    ("ي", "ی", false),
    ("ک", "ك", false),
    ("ك", "ک", false),
    // Kurdish and Pashto letters typed on an Arabic or Dari keyboard.
    ("ە", "ه", false),
    ("ێ", "ي", false),
    ("ۆ", "و", false),
    ("ڕ", "ر", false),
    ("ڵ", "ل", false),
    ("ڤ", "ف", false),
    ("گ", "ك", false),
    ("چ", "ج", false),
    ("پ", "ب", false),
    ("ژ", "ز", false),
    ("ګ", "گ", false),
    ("ښ", "ش", false),
    ("ټ", "ت", false),
    ("ډ", "د", false),
    ("ړ", "ر", false),
    ("ځ", "ز", false),
    ("څ", "ص", false),
    ("ۍ", "ی", false),
    ("ې", "ی", false),
    // Ukrainian written with Russian letters, and the reverse.
    ("і", "и", false),
    ("и", "і", false),
    ("І", "И", false),
    ("И", "І", false),
    ("є", "е", false),
    ("Є", "Е", false),
    ("е", "є", false),
    ("ї", "і", false),
    ("ї", "йі", false),
    ("ґ", "г", false),
    ("ь", "", false),
    ("'", "", false),
    ("ий", "ій", true),
    ("ій", "ий", true),
    ("ё", "е", false),
];

fn native_variant(rng: &mut Rng, text: &str) -> Option<String> {
    let mut candidates: Vec<(usize, &str, &str)> = Vec::new();
    for &(from, to, end_only) in NATIVE_SWAPS {
        if end_only {
            if text.ends_with(from) {
                candidates.push((text.len() - from.len(), from, to));
            }
        } else {
            candidates.extend(text.match_indices(from).map(|(at, _)| (at, from, to)));
        }
    }
    // The Arabic article dropped from a family name (الجبوري → جبوري).
    if let Some(stem) = text.strip_prefix("ال").filter(|stem| stem.chars().count() > 2) {
        return (rng.chance(0.3) || candidates.is_empty()).then(|| stem.to_owned()).or_else(|| {
            let &(at, from, to) = rng.pick(&candidates)?;
            Some(format!("{}{to}{}", &text[..at], &text[at + from.len()..]))
        });
    }
    let &(at, from, to) = rng.pick(&candidates)?;
    Some(format!("{}{to}{}", &text[..at], &text[at + from.len()..]))
}

/// Rows of the Ethiopic syllabary that sound alike in Tigrinya: (ሀ ሐ ኀ), (ሰ ሠ), (አ ዐ), (ጸ ፀ), (ከ ኸ).
const ETHIOPIC_HOMOPHONES: &[&[u32]] =
    &[&[0x1200, 0x1210, 0x1280], &[0x1230, 0x1220], &[0x12A0, 0x12D0], &[0x1338, 0x1340], &[0x12A8, 0x12B8]];

/// Another vowel order of one syllable (ተ/ቴ/ት), or the same syllable from a homophone row.
fn ethiopic_variant(rng: &mut Rng, text: &str) -> Option<String> {
    let mut chars: Vec<char> = text.chars().collect();
    let syllables: Vec<usize> =
        (0..chars.len()).filter(|&i| is_ethiopic(chars[i]) && chars[i].is_alphabetic()).collect();
    let at = *rng.pick(&syllables)?;
    let code = chars[at] as u32;
    let row = code - (code - 0x1200) % 8;
    let order = code - row;
    let homophones = ETHIOPIC_HOMOPHONES.iter().find(|rows| rows.contains(&row));
    let replacement = match homophones {
        Some(rows) if rng.chance(0.5) => {
            let others: Vec<u32> = rows.iter().copied().filter(|&r| r != row).collect();
            rng.pick(&others).map(|&other| other + order)
        }
        _ => {
            let orders: Vec<u32> = (0..7).filter(|&o| o != order).collect();
            rng.pick(&orders).map(|&o| row + o)
        }
    };
    let new = replacement.and_then(char::from_u32).filter(|c| c.is_alphabetic())?;
    chars[at] = new;
    Some(chars.into_iter().collect())
}

// ---------------------------------------------------------------------------------------------
// Cyrillic transliteration

/// Romanization traditions for Ukrainian names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Translit {
    /// The Ukrainian national system of 2010 (passports): Oleksandr, Yuliia, Shevchenko.
    National,
    /// Soviet/Russian-style: Sergiy, Yuliya, g for г.
    Russian,
    /// German registrars: Schewtschenko, Julija.
    German,
    /// Polish registrars: Szewczenko, Kowalczuk.
    Polish,
}

impl Translit {
    pub(super) const ALL: [Translit; 4] = [Translit::National, Translit::Russian, Translit::German, Translit::Polish];
}

/// Latin spelling of a Cyrillic name in one romanization tradition.
pub(super) fn transliterate(text: &str, system: Translit) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (index, &c) in chars.iter().enumerate() {
        let lower = c.to_lowercase().next().unwrap_or(c);
        let word_start = index == 0 || matches!(chars.get(index - 1), Some(' ' | '-'));
        match cyrillic_letter(lower, word_start, system) {
            Some(latin) if c.is_uppercase() => out.push_str(&capitalize_first(latin)),
            Some(latin) => out.push_str(latin),
            None => out.push(c),
        }
    }
    out
}

fn cyrillic_letter(c: char, word_start: bool, system: Translit) -> Option<&'static str> {
    use Translit::{German, National, Polish, Russian};
    let initial = |at_start: &'static str, inside: &'static str| if word_start { at_start } else { inside };
    Some(match (c, system) {
        ('а', _) => "a",
        ('б', _) => "b",
        ('в', German | Polish) => "w",
        ('в', _) => "v",
        ('г', Russian) => "g",
        ('г', _) => "h",
        ('ґ', _) => "g",
        ('д', _) => "d",
        ('е', Russian) => initial("ye", "e"),
        ('е', _) => "e",
        ('є', National) => initial("ye", "ie"),
        ('є', Russian) => "ye",
        ('є', _) => "je",
        ('ж', German) => "sch",
        ('ж', Polish) => "ż",
        ('ж', _) => "zh",
        ('з', German) => "s",
        ('з', _) => "z",
        ('и', Russian) => "i",
        ('и', _) => "y",
        ('і', _) => "i",
        ('ї', National) => initial("yi", "i"),
        ('ї', Russian) => "yi",
        ('ї', _) => "ji",
        ('й', National) => initial("y", "i"),
        ('й', Russian) => "y",
        ('й', _) => "j",
        ('к', _) => "k",
        ('л', _) => "l",
        ('м', _) => "m",
        ('н', _) => "n",
        ('о', _) => "o",
        ('п', _) => "p",
        ('р', _) => "r",
        ('с', _) => "s",
        ('т', _) => "t",
        ('у', _) => "u",
        ('ф', _) => "f",
        ('х', National | Russian) => "kh",
        ('х', _) => "ch",
        ('ц', German) => "z",
        ('ц', Polish) => "c",
        ('ц', _) => "ts",
        ('ч', German) => "tsch",
        ('ч', Polish) => "cz",
        ('ч', _) => "ch",
        ('ш', German) => "sch",
        ('ш', Polish) => "sz",
        ('ш', _) => "sh",
        ('щ', German) => "schtsch",
        ('щ', Polish) => "szcz",
        ('щ', _) => "shch",
        ('ь' | 'ъ' | '\'' | '’', _) => "",
        ('ю', National) => initial("yu", "iu"),
        ('ю', Russian) => "yu",
        ('ю', _) => "ju",
        ('я', National) => initial("ya", "ia"),
        ('я', Russian) => "ya",
        ('я', _) => "ja",
        ('ё', Russian) => "yo",
        ('ё', _) => "jo",
        ('ы', _) => "y",
        ('э', _) => "e",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn articles_in_registrar_habits() {
        assert_eq!(apply_article("al-Jubouri", Article::Hyphen), "Al-Jubouri");
        assert_eq!(apply_article("al-Jubouri", Article::Attached), "Aljubouri");
        assert_eq!(apply_article("al-Jubouri", Article::Dropped), "Jubouri");
        assert_eq!(apply_article("al-Shammari", Article::Assimilated), "Ash-Shammari");
        assert_eq!(apply_article("el-Amin", Article::ElAttached), "Elamin");
        assert_eq!(apply_article("Haddad", Article::Hyphen), "Haddad");
    }

    #[test]
    fn ukrainian_transliterations() {
        assert_eq!(transliterate("Олександр Шевченко", Translit::National), "Oleksandr Shevchenko");
        assert_eq!(transliterate("Юлія", Translit::National), "Yuliia");
        assert_eq!(transliterate("Шевченко", Translit::German), "Schewtschenko");
        assert_eq!(transliterate("Ковальчук", Translit::Polish), "Kowalczuk");
        assert_eq!(transliterate("Сергій", Translit::Russian), "Sergiy");
        assert_eq!(transliterate("Харків", Translit::National), "Kharkiv");
    }

    #[test]
    fn variants_differ_and_keep_case() {
        let mut rng = Rng::new(11);
        for name in [
            "Mohammed",
            "Abd al-Rahman",
            "Najibullah",
            "al-Jubouri",
            "Jean-Pierre",
            "Fatimah",
            "محمد",
            "Оксана",
            "ፍረወይኒ",
        ] {
            for _ in 0..40 {
                let out = variant(&mut rng, name);
                assert_ne!(out, name);
                assert!(!out.trim().is_empty());
                if name.starts_with(char::is_uppercase) {
                    assert!(out.starts_with(char::is_uppercase), "{name} → {out}");
                }
            }
        }
    }

    #[test]
    fn particle_variants_split_and_join() {
        assert_eq!(splice_keep_case("Abdulrahman", 0, 5, "abd al-"), "Abd al-Rahman");
        assert_eq!(splice_keep_case("Abdul Rahman", 0, 6, "abdul"), "Abdulrahman");
        assert_eq!(splice_keep_case("Najibullah", 5, 10, " ullah"), "Najib Ullah");
        assert_eq!(splice_keep_case("al-Jubouri", 0, 3, ""), "Jubouri");
    }

    #[test]
    fn typos_change_one_thing() {
        let mut rng = Rng::new(2);
        for _ in 0..200 {
            let out = typo(&mut rng, "Hussein");
            assert_ne!(out, "Hussein");
            let difference = out.chars().count().abs_diff(7);
            assert!(difference <= 1, "{out}");
        }
    }

    #[test]
    fn neighbour_keys_stay_on_the_keyboard() {
        let mut rng = Rng::new(6);
        for _ in 0..50 {
            assert!("tuhg".contains(neighbour_key(&mut rng, 'y').unwrap()));
            assert!("УЕВАМИ".contains(neighbour_key(&mut rng, 'К').unwrap()));
            assert!(neighbour_key(&mut rng, 'م').is_some());
        }
        assert_eq!(neighbour_key(&mut rng, 'ሀ'), None);
    }

    #[test]
    fn spelling_choice_is_stable_and_spread() {
        let looks = [0u8, 0, 0, 0];
        let first = choose_spelling(1, 42, 4, &looks, 0);
        assert_eq!(first, choose_spelling(1, 42, 4, &looks, 0));
        let mut counts = [0usize; 4];
        for seed in 0..4000 {
            counts[choose_spelling(seed, 42, 4, &looks, 0)] += 1;
        }
        assert!(counts[0] > counts[1] && counts[1] > counts[2] && counts[3] > 0, "{counts:?}");
    }
}
