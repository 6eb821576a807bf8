//! A two-file link set in the style of the FEBRL4 benchmark: Australian-style records, file A
//! with originals and file B with one modified duplicate of each (typos, OCR and phonetic
//! errors, nicknames, missing values, swapped names). Lower case throughout, as in FEBRL.

use std::collections::HashSet;
use std::sync::OnceLock;

use super::rng::{Cumulative, Rng, mix};
use super::spelling::typo;

const FEBRL_DATA: &str = include_str!("../../data/generator/febrl.txt");

/// One record of the FEBRL-style link set. `date_of_birth` is `YYYYMMDD`; empty = missing.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct FebrlRow {
    pub id: String,
    pub given_name: String,
    pub surname: String,
    pub street_number: String,
    pub address_1: String,
    pub address_2: String,
    pub suburb: String,
    pub postcode: String,
    pub state: String,
    pub date_of_birth: String,
    pub soc_sec_id: String,
    /// Truth: the person this record is (the `N` of its id).
    pub entity_id: u64,
}

impl FebrlRow {
    /// Column names as in the FEBRL benchmark files.
    pub const HEADERS: [&'static str; 11] = [
        "rec_id",
        "given_name",
        "surname",
        "street_number",
        "address_1",
        "address_2",
        "suburb",
        "postcode",
        "state",
        "date_of_birth",
        "soc_sec_id",
    ];

    /// Field values in the order of [`FebrlRow::HEADERS`].
    pub fn fields(&self) -> [&str; 11] {
        [
            &self.id,
            &self.given_name,
            &self.surname,
            &self.street_number,
            &self.address_1,
            &self.address_2,
            &self.suburb,
            &self.postcode,
            &self.state,
            &self.date_of_birth,
            &self.soc_sec_id,
        ]
    }
}

/// `pairs` original records (file A, ids `rec-N-org`) and one duplicate of each (file B, ids
/// `rec-N-dup-0`), both shuffled; deterministic for a seed.
pub fn febrl_link(pairs: usize, seed: u64) -> (Vec<FebrlRow>, Vec<FebrlRow>) {
    let tables = tables();
    let mut rng = Rng::new(mix(seed, 0xFEB2_1004));
    let mut used_ids = HashSet::with_capacity(pairs);
    let mut originals: Vec<FebrlRow> = (0..pairs).map(|n| original(&mut rng, tables, n, &mut used_ids)).collect();
    let mut duplicates: Vec<FebrlRow> = originals.iter().map(|row| duplicate(&mut rng, tables, row)).collect();
    rng.shuffle(&mut originals);
    rng.shuffle(&mut duplicates);
    (originals, duplicates)
}

/// Weighted values of one kind.
#[derive(Default)]
struct Values {
    values: Vec<&'static str>,
    weights: Cumulative,
}

impl Values {
    fn sample(&self, rng: &mut Rng) -> &'static str {
        self.values.get(self.weights.sample(rng)).copied().unwrap_or("")
    }
}

#[derive(Default)]
struct Tables {
    female: Values,
    male: Values,
    surnames: Values,
    streets: Values,
    street_types: Values,
    buildings: Values,
    /// Suburbs with postcode and state.
    suburbs: Vec<(&'static str, &'static str, &'static str)>,
    suburb_weights: Cumulative,
    nicknames: Vec<(&'static str, Vec<&'static str>)>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| parse_tables(FEBRL_DATA))
}

/// The weighted rows of one `[section]`: weight and the remaining columns.
type Section = Vec<(u32, Vec<&'static str>)>;

fn parse_tables(text: &'static str) -> Tables {
    let mut sections: Vec<(&str, Section)> = Vec::new();
    let mut nicknames = Vec::new();
    let mut current = "";
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        if let Some(name) = line.strip_prefix('[').and_then(|rest| rest.strip_suffix(']')) {
            current = name;
            continue;
        }
        let columns: Vec<&'static str> = line.split('|').map(str::trim).collect();
        if current == "nickname" {
            if let [name, alternatives] = columns.as_slice() {
                nicknames.push((*name, alternatives.split(',').map(str::trim).collect()));
            }
            continue;
        }
        let Some((weight, rest)) = columns.split_first() else { continue };
        let Ok(weight) = weight.parse::<u32>() else { continue };
        match sections.iter_mut().find(|(name, _)| *name == current) {
            Some((_, rows)) => rows.push((weight, rest.to_vec())),
            None => sections.push((current, vec![(weight, rest.to_vec())])),
        }
    }
    let section =
        |name: &str| sections.iter().find(|(n, _)| *n == name).map(|(_, rows)| rows.as_slice()).unwrap_or(&[]);
    let values = |name: &str| Values {
        values: section(name).iter().map(|(_, cols)| cols.first().copied().unwrap_or("")).collect(),
        weights: Cumulative::new(section(name).iter().map(|(w, _)| *w)),
    };
    let suburb_rows = section("suburb");
    Tables {
        female: values("given_female"),
        male: values("given_male"),
        surnames: values("surname"),
        streets: values("street"),
        street_types: values("street_type"),
        buildings: values("building"),
        suburbs: suburb_rows
            .iter()
            .map(|(_, cols)| {
                let col = |i: usize| cols.get(i).copied().unwrap_or("");
                (col(0), col(1), col(2))
            })
            .collect(),
        suburb_weights: Cumulative::new(suburb_rows.iter().map(|(w, _)| *w)),
        nicknames,
    }
}

/// `value` with probability `1 - missing`, else empty.
fn maybe(rng: &mut Rng, missing: f64, value: impl FnOnce(&mut Rng) -> String) -> String {
    if rng.chance(missing) { String::new() } else { value(rng) }
}

fn original(rng: &mut Rng, tables: &Tables, n: usize, used_ids: &mut HashSet<u32>) -> FebrlRow {
    let female = rng.chance(0.5);
    let (suburb, postcode, state) = tables.suburbs.get(tables.suburb_weights.sample(rng)).copied().unwrap_or_default();
    let mut soc_sec_id = 1_000_000 + rng.below(9_000_000) as u32;
    while !used_ids.insert(soc_sec_id) {
        soc_sec_id = 1_000_000 + rng.below(9_000_000) as u32;
    }
    FebrlRow {
        id: format!("rec-{n}-org"),
        given_name: maybe(rng, 0.02, |rng| {
            let names = if female { &tables.female } else { &tables.male };
            names.sample(rng).to_owned()
        }),
        surname: maybe(rng, 0.01, |rng| tables.surnames.sample(rng).to_owned()),
        street_number: maybe(rng, 0.03, |rng| {
            // Most houses have small numbers.
            let number = if rng.chance(0.7) { 1 + rng.below(60) } else { 1 + rng.below(400) };
            number.to_string()
        }),
        address_1: maybe(rng, 0.02, |rng| {
            format!("{} {}", tables.streets.sample(rng), tables.street_types.sample(rng))
        }),
        address_2: if rng.chance(0.25) { tables.buildings.sample(rng).to_owned() } else { String::new() },
        suburb: maybe(rng, 0.015, |_| suburb.to_owned()),
        postcode: maybe(rng, 0.01, |_| postcode.to_owned()),
        state: maybe(rng, 0.01, |_| state.to_owned()),
        date_of_birth: maybe(rng, 0.05, |rng| {
            let year = 1925 + rng.below(81);
            let month = 1 + rng.below(12);
            let day = 1 + rng.below(if month == 2 { 28 } else { 30 });
            format!("{year:04}{month:02}{day:02}")
        }),
        soc_sec_id: soc_sec_id.to_string(),
        entity_id: n as u64,
    }
}

/// Fields a modification can hit, with weights.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Given,
    Surname,
    StreetNumber,
    Address1,
    Address2,
    Suburb,
    Postcode,
    State,
    DateOfBirth,
    SocSecId,
}

const FIELDS: [(Field, u32); 10] = [
    (Field::Given, 20),
    (Field::Surname, 20),
    (Field::StreetNumber, 6),
    (Field::Address1, 15),
    (Field::Address2, 3),
    (Field::Suburb, 12),
    (Field::Postcode, 8),
    (Field::State, 2),
    (Field::DateOfBirth, 10),
    (Field::SocSecId, 9),
];

fn field_mut(row: &mut FebrlRow, field: Field) -> &mut String {
    match field {
        Field::Given => &mut row.given_name,
        Field::Surname => &mut row.surname,
        Field::StreetNumber => &mut row.street_number,
        Field::Address1 => &mut row.address_1,
        Field::Address2 => &mut row.address_2,
        Field::Suburb => &mut row.suburb,
        Field::Postcode => &mut row.postcode,
        Field::State => &mut row.state,
        Field::DateOfBirth => &mut row.date_of_birth,
        Field::SocSecId => &mut row.soc_sec_id,
    }
}

/// Characters an OCR pass confuses.
const OCR: &[(&str, &str)] = &[
    ("0", "o"),
    ("o", "0"),
    ("1", "l"),
    ("l", "1"),
    ("5", "s"),
    ("s", "5"),
    ("m", "rn"),
    ("rn", "m"),
    ("h", "b"),
    ("b", "h"),
    ("g", "q"),
    ("8", "b"),
    ("2", "z"),
    ("u", "v"),
    ("cl", "d"),
    ("w", "vv"),
];

/// Spellings of the same sound.
const PHONETIC: &[(&str, &str)] = &[
    ("ph", "f"),
    ("f", "ph"),
    ("c", "k"),
    ("k", "c"),
    ("ie", "y"),
    ("y", "ie"),
    ("ou", "ow"),
    ("ae", "e"),
    ("gh", ""),
    ("tch", "ch"),
    ("ck", "k"),
    ("mc", "mac"),
    ("mac", "mc"),
    ("ei", "ie"),
    ("ee", "ea"),
    ("th", "t"),
    ("z", "s"),
    ("s", "z"),
    ("x", "ks"),
    ("o'", "o"),
    ("ll", "l"),
    ("nn", "n"),
];

fn duplicate(rng: &mut Rng, tables: &Tables, original: &FebrlRow) -> FebrlRow {
    let mut row = original.clone();
    row.id = original.id.replacen("-org", "-dup-0", 1);
    let wanted = 1 + rng.weighted(&[45, 35, 20]);
    let weights: [u32; FIELDS.len()] = std::array::from_fn(|i| FIELDS[i].1);
    let mut made = 0;
    for _ in 0..20 {
        if made >= wanted {
            break;
        }
        let field = FIELDS[rng.weighted(&weights)].0;
        if modify(rng, tables, &mut row, field) {
            made += 1;
        }
    }
    // Two modifications can cancel out (names swapped twice): keep every duplicate modified.
    if row.fields()[1..] == original.fields()[1..] {
        let field = if row.surname.is_empty() { Field::SocSecId } else { Field::Surname };
        let text = field_mut(&mut row, field);
        *text = typing_error(rng, text);
    }
    row
}

/// One modification of one field; false when nothing changed.
fn modify(rng: &mut Rng, tables: &Tables, row: &mut FebrlRow, field: Field) -> bool {
    let kind = rng.weighted(&[40, 14, 14, 12, 6, 6]);
    if kind == 4 && field == Field::Given {
        return swap_names(row);
    }
    if kind == 5 && field == Field::Given {
        return nickname(rng, tables, row);
    }
    let text = field_mut(row, field);
    let before = text.clone();
    *text = match kind {
        _ if text.is_empty() => return false,
        3 => String::new(),
        1 => substitute(rng, text, OCR).unwrap_or_else(|| typing_error(rng, text)),
        2 => substitute(rng, text, PHONETIC).unwrap_or_else(|| typing_error(rng, text)),
        _ => typing_error(rng, text),
    };
    *text != before
}

fn swap_names(row: &mut FebrlRow) -> bool {
    if row.given_name.is_empty() || row.surname.is_empty() {
        return false;
    }
    std::mem::swap(&mut row.given_name, &mut row.surname);
    true
}

fn nickname(rng: &mut Rng, tables: &Tables, row: &mut FebrlRow) -> bool {
    let Some((_, alternatives)) = tables.nicknames.iter().find(|(name, _)| *name == row.given_name) else {
        return false;
    };
    match rng.pick(alternatives) {
        Some(alternative) => {
            row.given_name = (*alternative).to_owned();
            true
        }
        None => false,
    }
}

/// A keying error: letters as in names, digits replaced or swapped in numbers.
fn typing_error(rng: &mut Rng, text: &str) -> String {
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return typo(rng, text);
    }
    let mut digits: Vec<u8> = text.bytes().collect();
    let at = rng.below(digits.len());
    if rng.chance(0.4) && at + 1 < digits.len() && digits[at] != digits[at + 1] {
        digits.swap(at, at + 1);
    } else {
        let old = digits[at] - b'0';
        digits[at] = b'0' + (old + 1 + rng.below(9) as u8) % 10;
    }
    String::from_utf8(digits).unwrap_or_default()
}

/// One occurrence of a listed pattern replaced; `None` when no pattern occurs.
fn substitute(rng: &mut Rng, text: &str, table: &[(&str, &str)]) -> Option<String> {
    let applicable: Vec<&(&str, &str)> = table.iter().filter(|(from, _)| text.contains(from)).collect();
    let &&(from, to) = rng.pick(&applicable)?;
    let positions: Vec<usize> = text.match_indices(from).map(|(at, _)| at).collect();
    let at = *rng.pick(&positions)?;
    Some(format!("{}{to}{}", &text[..at], &text[at + from.len()..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_filled() {
        let tables = tables();
        assert!(tables.female.values.len() > 40);
        assert!(tables.male.values.len() > 40);
        assert!(tables.surnames.values.len() > 100);
        assert!(tables.suburbs.len() > 80);
        assert!(tables.suburbs.iter().all(|(s, p, st)| !s.is_empty() && p.len() == 4 && !st.is_empty()));
    }

    #[test]
    fn duplicates_differ_from_their_original() {
        let (a, b) = febrl_link(500, 3);
        let by_entity: std::collections::HashMap<u64, &FebrlRow> = a.iter().map(|r| (r.entity_id, r)).collect();
        for dup in &b {
            let org = by_entity[&dup.entity_id];
            assert_ne!(org.fields()[1..], dup.fields()[1..], "{org:?}");
        }
    }
}
