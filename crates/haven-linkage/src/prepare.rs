//! Turns records into compact, comparable columns.
//!
//! Names repeat a lot (a million people share a few thousand given names), so every distinct
//! raw value is normalized once, in parallel, and records hold small integer ids: two records
//! have the same name exactly when they hold the same id, and everything a comparison needs
//! about a token (folded text, skeleton, variant group, phonetic code) is computed once.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use rayon::prelude::*;
use rphonetic::DoubleMetaphone;

use crate::normalize::{fold, name_tokens, skeleton};
use crate::schema::{FieldType, Record, Schema};
use crate::variants::{Variants, place_key};

pub const MISSING: u32 = u32::MAX;

/// Values that registrars type when they do not know.
const PLACEHOLDERS: &[&str] =
    &["unknown", "unk", "na", "n a", "none", "null", "nil", "inconnu", "inconnue", "desconocido", "xxx", "nn"];

/// What is known about one distinct token.
#[derive(Debug, Clone)]
pub struct TokenInfo {
    pub text: Box<str>,
    pub skeleton: u32,
    /// Skeletons of one or two letters say too little to count as agreement.
    pub skeleton_len: u8,
    pub group: Option<u32>,
    pub metaphone: u32,
    /// The skeleton without an Arabic article written onto the name in Latin letters
    /// (Alahmad, Elmasri); the skeleton itself for other names.
    pub bare_skeleton: u32,
    /// The token's blocking key: its variant group; for a spelling the table does not hold,
    /// the group of its skeleton (Mariiem meets Maryam), else the skeleton without article.
    pub block: u64,
}

/// A distinct multi-token value (a name, a place, a text): sorted, de-duplicated token ids.
#[derive(Debug, Clone)]
pub struct TokenSet {
    pub tokens: Box<[u32]>,
    /// How many values in the data are this one: the term frequency.
    pub count: u32,
    /// A key for the value's variant form (groups or skeletons of its tokens), for frequency
    /// of agreement at the variant level.
    pub variant_key: u64,
}

/// Date of birth as far as it is known. `year == 0` means unknown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Birth {
    pub year: i16,
    /// 0 when unknown.
    pub month: u8,
    /// 0 when unknown.
    pub day: u8,
    /// Derived from an age: the year is uncertain by a year or two.
    pub estimated: bool,
}

impl Birth {
    pub fn is_known(&self) -> bool {
        self.year != 0
    }

    pub fn is_full(&self) -> bool {
        self.year != 0 && self.month != 0 && self.day != 0 && !self.estimated
    }

    /// The birth as one number: the key of its frequency table.
    pub fn packed(&self) -> u64 {
        ((self.year as u16 as u64) << 24)
            | ((self.month as u64) << 16)
            | ((self.day as u64) << 8)
            | self.estimated as u64
    }
}

/// One column of prepared values.
#[derive(Debug, Clone)]
pub enum Column {
    /// Ids into `Dataset::sets`.
    Tokens(Vec<u32>),
    Birth(Vec<Birth>),
    /// 0 unknown, 1 female, 2 male, 3 other.
    Sex(Vec<u8>),
    /// The last 9 digits as a number, 0 when missing.
    Phone(Vec<u64>),
    /// Ids into `Dataset::strings`.
    Str(Vec<u32>),
}

/// Prepared records, column by column.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub len: usize,
    pub tokens: Vec<TokenInfo>,
    pub sets: Vec<TokenSet>,
    pub strings: Vec<(Box<str>, u32)>,
    /// One entry per schema field; the date, year and age fields all feed the one `birth`.
    pub columns: Vec<Option<Column>>,
    pub birth: Vec<Birth>,
    /// Counts of values that could not be read (e.g. a date "31/31/2020"), per field.
    pub unreadable: Vec<usize>,
    pub birth_counts: HashMap<u64, u32>,
    pub variant_counts: HashMap<u64, u32>,
    /// Number of non-missing token-set values, for term frequencies.
    pub set_total: u64,
}

/// How the words of a column are read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reading {
    Name,
    Place,
    Text,
}

/// Builds a dataset: interns tokens, token sets and strings.
pub struct Preparer<'v> {
    variants: &'v Variants,
    reference_year: i32,
    token_ids: HashMap<Box<str>, u32>,
    skeleton_ids: HashMap<Box<str>, u32>,
    set_ids: HashMap<Box<[u32]>, u32>,
    string_ids: HashMap<Box<str>, u32>,
}

impl<'v> Preparer<'v> {
    pub fn new(variants: &'v Variants, reference_year: i32) -> Self {
        Self {
            variants,
            reference_year,
            token_ids: HashMap::new(),
            skeleton_ids: HashMap::new(),
            set_ids: HashMap::new(),
            string_ids: HashMap::new(),
        }
    }

    pub fn prepare(mut self, schema: &Schema, records: &[Record]) -> Dataset {
        let mut ds = Dataset {
            len: records.len(),
            tokens: Vec::new(),
            sets: Vec::new(),
            strings: Vec::new(),
            columns: Vec::with_capacity(schema.fields.len()),
            birth: vec![Birth::default(); records.len()],
            unreadable: vec![0; schema.fields.len()],
            birth_counts: HashMap::new(),
            variant_counts: HashMap::new(),
            set_total: 0,
        };
        let mut births: Vec<Option<Vec<Birth>>> = Vec::new();
        for (f, field) in schema.fields.iter().enumerate() {
            fn raw_of(r: &Record, f: usize) -> &str {
                r.values.get(f).map(String::as_str).unwrap_or("")
            }
            let raw = |r| raw_of(r, f);
            let column = match field.kind {
                k if k.is_name() || k == FieldType::Place || k == FieldType::Text => {
                    let reading = match k {
                        FieldType::Text => Reading::Text,
                        FieldType::Place => Reading::Place,
                        _ => Reading::Name,
                    };
                    Column::Tokens(self.token_column(records.iter().map(raw), reading, &mut ds))
                }
                FieldType::Sex => Column::Sex(records.par_iter().map(|r| parse_sex(raw(r))).collect()),
                FieldType::Phone => Column::Phone(records.par_iter().map(|r| parse_phone(raw(r))).collect()),
                FieldType::Id | FieldType::Exact => {
                    let id = field.kind == FieldType::Id;
                    Column::Str(self.string_column(records.iter().map(raw), id, &mut ds))
                }
                _ => {
                    let year = self.reference_year;
                    let parsed: Vec<Option<Birth>> = records
                        .par_iter()
                        .map(|r| {
                            let v = raw(r).trim();
                            if v.is_empty() {
                                return Some(Birth::default());
                            }
                            match field.kind {
                                FieldType::Date => parse_date(v),
                                FieldType::Year => parse_year(v),
                                _ => parse_age(v, year),
                            }
                        })
                        .collect();
                    ds.unreadable[f] += parsed.iter().filter(|p| p.is_none()).count();
                    let values: Vec<Birth> = parsed.into_iter().map(Option::unwrap_or_default).collect();
                    births.push(Some(values.clone()));
                    Column::Birth(values)
                }
            };
            ds.columns.push(Some(column));
        }
        // Date first, then year, then age: the first that is known describes the birth.
        for values in births.into_iter().flatten() {
            for (i, b) in values.into_iter().enumerate() {
                let slot = &mut ds.birth[i];
                if !slot.is_known() && b.is_known() {
                    *slot = b;
                }
            }
        }
        for b in &ds.birth {
            if b.is_known() {
                *ds.birth_counts.entry(b.packed()).or_default() += 1;
            }
        }
        ds
    }

    /// Interns a column of names, places or texts.
    fn token_column<'r>(
        &mut self,
        raws: impl Iterator<Item = &'r str>,
        reading: Reading,
        ds: &mut Dataset,
    ) -> Vec<u32> {
        // Distinct raw strings first: each is normalized once.
        let mut raw_ids: HashMap<&str, u32> = HashMap::new();
        let mut distinct: Vec<&str> = Vec::new();
        let per_record: Vec<u32> = raws
            .map(|r| {
                let r = r.trim();
                if r.is_empty() {
                    return MISSING;
                }
                *raw_ids.entry(r).or_insert_with(|| {
                    distinct.push(r);
                    (distinct.len() - 1) as u32
                })
            })
            .collect();
        let tokenized: Vec<Vec<String>> = distinct
            .par_iter()
            .map(|r| {
                let folded = fold(r);
                if PLACEHOLDERS.contains(&folded.as_str()) {
                    return Vec::new();
                }
                match reading {
                    Reading::Text => folded.split(' ').map(str::to_owned).collect(),
                    Reading::Name => name_tokens(&folded),
                    // A place the gazetteer knows is one token, whichever of its names was
                    // written (Hawler, Erbil, هەولێر).
                    Reading::Place => match self.variants.place(&place_key(&folded)) {
                        Some(place) => vec![place.to_owned()],
                        None => name_tokens(&folded),
                    },
                }
            })
            .collect();
        let first_new_token = ds.tokens.len();
        let mut new_tokens: Vec<String> = Vec::new();
        let distinct_to_set: Vec<u32> = tokenized
            .into_iter()
            .map(|tokens| {
                if tokens.is_empty() {
                    return MISSING;
                }
                let mut ids: Vec<u32> = tokens
                    .into_iter()
                    .map(|t| match self.token_ids.get(t.as_str()) {
                        Some(&id) => id,
                        None => {
                            let id = (first_new_token + new_tokens.len()) as u32;
                            self.token_ids.insert(t.clone().into_boxed_str(), id);
                            new_tokens.push(t);
                            id
                        }
                    })
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                let key: Box<[u32]> = ids.into_boxed_slice();
                match self.set_ids.get(&key) {
                    Some(&id) => id,
                    None => {
                        let id = ds.sets.len() as u32;
                        self.set_ids.insert(key.clone(), id);
                        ds.sets.push(TokenSet { tokens: key, count: 0, variant_key: 0 });
                        id
                    }
                }
            })
            .collect();
        self.add_tokens(new_tokens, ds);
        let mut values = Vec::with_capacity(per_record.len());
        for raw in per_record {
            let set = if raw == MISSING { MISSING } else { distinct_to_set[raw as usize] };
            if set != MISSING {
                let s = &mut ds.sets[set as usize];
                s.count += 1;
                ds.set_total += 1;
            }
            values.push(set);
        }
        for s in ds.sets.iter_mut().filter(|s| s.variant_key == 0) {
            s.variant_key = variant_key(&s.tokens, &ds.tokens);
        }
        for (set, n) in count_values(&values) {
            *ds.variant_counts.entry(ds.sets[set as usize].variant_key).or_default() += n;
        }
        values
    }

    fn add_tokens(&mut self, new_tokens: Vec<String>, ds: &mut Dataset) {
        let metaphone = DoubleMetaphone::default();
        let computed: Vec<TokenForms> = new_tokens
            .par_iter()
            .map(|t| {
                let skel = skeleton(t);
                let bare = without_article(t).map(skeleton);
                let group = self.variants.group(t);
                let guessed = group
                    .or_else(|| self.variants.group_of_skeleton(&skel))
                    .or_else(|| bare.as_deref().and_then(|b| self.variants.group_of_skeleton(b)));
                TokenForms { skel, bare, group, guessed, meta: hash32(&metaphone.double_metaphone(t).primary()) }
            })
            .collect();
        for (text, TokenForms { skel, bare, group, guessed, meta }) in new_tokens.into_iter().zip(computed) {
            let skeleton_len = skel.len().min(255) as u8;
            let bare_len = bare.as_ref().map_or(skeleton_len, |b| b.len().min(255) as u8);
            let skeleton = self.skeleton_id(skel);
            let bare_skeleton = bare.map_or(skeleton, |b| self.skeleton_id(b));
            let block = match guessed {
                Some(g) => (1u64 << 40) | g as u64,
                None if bare_len >= 2 => (2u64 << 40) | bare_skeleton as u64,
                None => (3u64 << 40) | (ds.tokens.len() as u64),
            };
            ds.tokens.push(TokenInfo {
                text: text.into_boxed_str(),
                skeleton,
                skeleton_len,
                group,
                metaphone: meta,
                bare_skeleton,
                block,
            });
        }
    }

    fn skeleton_id(&mut self, skel: String) -> u32 {
        let next = self.skeleton_ids.len() as u32;
        *self.skeleton_ids.entry(skel.into_boxed_str()).or_insert(next)
    }

    fn string_column<'r>(&mut self, raws: impl Iterator<Item = &'r str>, id: bool, ds: &mut Dataset) -> Vec<u32> {
        let values: Vec<u32> = raws
            .map(|r| {
                let v: String = if id {
                    r.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_uppercase).collect()
                } else {
                    fold(r)
                };
                if v.is_empty() {
                    return MISSING;
                }
                let next = ds.strings.len() as u32;
                let id = *self.string_ids.entry(v.clone().into_boxed_str()).or_insert(next);
                if id == next {
                    ds.strings.push((v.into_boxed_str(), 0));
                }
                ds.strings[id as usize].1 += 1;
                id
            })
            .collect();
        values
    }
}

/// What a new token's entry is made of, computed in parallel.
struct TokenForms {
    skel: String,
    bare: Option<String>,
    group: Option<u32>,
    /// The group, or the group its skeleton suggests.
    guessed: Option<u32>,
    meta: u32,
}

/// A Latin name with the Arabic article written onto it ("alahmad" → "ahmad"), when enough
/// of a name is left.
fn without_article(token: &str) -> Option<&str> {
    let rest = token.strip_prefix("al").or_else(|| token.strip_prefix("el"))?;
    (rest.len() >= 4).then_some(rest)
}

fn count_values(values: &[u32]) -> HashMap<u32, u32> {
    let mut counts = HashMap::new();
    for &v in values.iter().filter(|v| **v != MISSING) {
        *counts.entry(v).or_default() += 1;
    }
    counts
}

/// A key for a value's variant form: the group of each token, or its skeleton.
fn variant_key(tokens: &[u32], infos: &[TokenInfo]) -> u64 {
    let mut parts: Vec<u64> = tokens
        .iter()
        .map(|&t| {
            let info = &infos[t as usize];
            match info.group {
                Some(g) => (1u64 << 40) | g as u64,
                None => info.skeleton as u64,
            }
        })
        .collect();
    parts.sort_unstable();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    parts.hash(&mut h);
    h.finish() | 1
}

pub fn hash32(s: &str) -> u32 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    s.hash(&mut h);
    h.finish() as u32
}

pub fn parse_sex(v: &str) -> u8 {
    match fold(v).as_str() {
        "f" | "female" | "femme" | "feminin" | "woman" | "girl" | "mujer" | "femenino" | "fille" | "nthy" | "ntha"
        | "untha" => 1,
        "m" | "male" | "homme" | "masculin" | "man" | "boy" | "hombre" | "masculino" | "garcon" | "dhkr" => 2,
        "x" | "o" | "other" | "autre" | "otro" => 3,
        _ => 0,
    }
}

/// The last nine digits of a phone number, so that +964 770 123 4567 and 07701234567 agree.
/// Fewer than seven digits is not a phone number.
pub fn parse_phone(v: &str) -> u64 {
    let digits: Vec<u8> = v.chars().filter_map(|c| c.to_digit(10).map(|d| d as u8)).collect();
    if digits.len() < 7 {
        return 0;
    }
    let tail = &digits[digits.len().saturating_sub(9)..];
    tail.iter().fold(0u64, |acc, d| acc * 10 + *d as u64) | (1u64 << 40)
}

/// Reads a date of birth: YYYY-MM-DD, YYYYMMDD, DD/MM/YYYY (also with - or .), YYYY-MM,
/// MM/YYYY or YYYY. 1 January is the registrars' "year only" convention and is read as such.
pub fn parse_date(v: &str) -> Option<Birth> {
    let v = v.trim();
    let parts: Vec<&str> = v.split(['-', '/', '.', ' ']).filter(|p| !p.is_empty()).collect();
    let num = |s: &str| -> Option<i32> { if s.bytes().all(|b| b.is_ascii_digit()) { s.parse().ok() } else { None } };
    let (year, month, day) = match parts.as_slice() {
        [one] if one.len() == 8 => {
            let (y, md) = one.split_at(4);
            let (m, d) = md.split_at(2);
            (num(y)?, num(m)?, num(d)?)
        }
        [one] if one.len() == 4 => (num(one)?, 0, 0),
        [a, b] if a.len() == 4 => (num(a)?, num(b)?, 0),
        [a, b] if b.len() == 4 => (num(b)?, num(a)?, 0),
        [a, b, c] if a.len() == 4 => (num(a)?, num(b)?, num(c)?),
        [a, b, c] if c.len() == 4 => {
            let (first, second) = (num(a)?, num(b)?);
            // Day first, as most of the world writes it; a "month" above 12 means the
            // registrar wrote month first.
            if second > 12 && first <= 12 { (num(c)?, first, second) } else { (num(c)?, second, first) }
        }
        _ => return None,
    };
    if !(1900..=2100).contains(&year) || month > 12 || day > 31 || (month == 0 && day != 0) {
        return None;
    }
    if month == 1 && day == 1 {
        return Some(Birth { year: year as i16, month: 0, day: 0, estimated: false });
    }
    Some(Birth { year: year as i16, month: month as u8, day: day as u8, estimated: false })
}

pub fn parse_year(v: &str) -> Option<Birth> {
    let y: i32 = v.trim().parse().ok()?;
    (1900..=2100).contains(&y).then_some(Birth { year: y as i16, month: 0, day: 0, estimated: false })
}

/// An age in whole years at the reference year; "35", "35 years", "3.5".
pub fn parse_age(v: &str, reference_year: i32) -> Option<Birth> {
    let digits: String = v.trim().chars().take_while(|c| c.is_ascii_digit()).collect();
    let age: i32 = digits.parse().ok()?;
    (0..=120).contains(&age).then_some(Birth { year: (reference_year - age) as i16, month: 0, day: 0, estimated: true })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_date_formats_people_send() {
        let full = Some(Birth { year: 2015, month: 3, day: 14, estimated: false });
        for v in ["2015-03-14", "20150314", "14/03/2015", "14-03-2015", "14.03.2015", "03/14/2015"] {
            assert_eq!(parse_date(v), full, "{v}");
        }
        assert_eq!(parse_date("2015-03"), Some(Birth { year: 2015, month: 3, day: 0, estimated: false }));
        assert_eq!(parse_date("2015"), Some(Birth { year: 2015, month: 0, day: 0, estimated: false }));
        assert_eq!(parse_date("01/01/2015"), Some(Birth { year: 2015, month: 0, day: 0, estimated: false }));
        for bad in ["31/31/2015", "next year", "1850", "2015-13", ""] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        assert_eq!(parse_age("9", 2026), Some(Birth { year: 2017, month: 0, day: 0, estimated: true }));
        assert_eq!(parse_age("about", 2026), None);
    }

    #[test]
    fn phones_agree_with_and_without_country_code() {
        assert_eq!(parse_phone("+964 770 123 4567"), parse_phone("07701234567"));
        assert_ne!(parse_phone("07701234567"), parse_phone("07701234568"));
        assert_eq!(parse_phone("12345"), 0);
    }

    #[test]
    fn identical_names_share_an_id_across_columns() {
        let v = Variants::default();
        let schema = Schema::of(&[("g", FieldType::GivenName), ("f", FieldType::FamilyName)]).unwrap();
        let records = vec![
            Record::new("1", vec!["Ali".into(), "Hassan".into()]),
            Record::new("2", vec!["Hassan".into(), "  ALI ".into()]),
            Record::new("3", vec!["unknown".into(), "".into()]),
        ];
        let ds = Preparer::new(&v, 2026).prepare(&schema, &records);
        let (Some(Column::Tokens(g)), Some(Column::Tokens(f))) = (&ds.columns[0], &ds.columns[1]) else {
            panic!("token columns expected")
        };
        assert_eq!(g[0], f[1]);
        assert_eq!(f[0], g[1]);
        assert_eq!(g[2], MISSING);
        assert_eq!(f[2], MISSING);
        assert_eq!(ds.sets[g[0] as usize].count, 2);
    }
}
