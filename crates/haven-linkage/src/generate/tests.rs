//! Properties of generated populations.

use std::collections::{HashMap, HashSet};

use super::*;

fn settings(rows: usize, seed: u64, duplicates: f64) -> GenerateSettings {
    GenerateSettings { rows, seed, duplicates, ..GenerateSettings::default() }
}

fn has_script(text: &str, range: std::ops::RangeInclusive<u32>) -> bool {
    text.chars().any(|c| range.contains(&u32::from(c)))
}

const ARABIC: std::ops::RangeInclusive<u32> = 0x0600..=0x06FF;
const CYRILLIC: std::ops::RangeInclusive<u32> = 0x0400..=0x04FF;
const ETHIOPIC: std::ops::RangeInclusive<u32> = 0x1200..=0x137F;

/// Year, month and day of a written birth date, if it has one of the registrar formats.
fn parse_dob(text: &str) -> Option<(i32, Option<u32>, Option<u32>)> {
    let number = |s: &str| s.bytes().all(|b| b.is_ascii_digit()).then(|| s.parse::<u32>().ok()).flatten();
    let (year, month, day) = match text.len() {
        4 => (number(text)?, None, None),
        7 if &text[4..5] == "-" => (number(&text[..4])?, Some(number(&text[5..])?), None),
        8 => (number(&text[..4])?, Some(number(&text[4..6])?), Some(number(&text[6..])?)),
        10 if &text[4..5] == "-" && &text[7..8] == "-" => {
            (number(&text[..4])?, Some(number(&text[5..7])?), Some(number(&text[8..])?))
        }
        10 if &text[2..3] == "/" && &text[5..6] == "/" => {
            (number(&text[6..])?, Some(number(&text[3..5])?), Some(number(&text[..2])?))
        }
        _ => return None,
    };
    let valid = (1900..=2027).contains(&year)
        && month.is_none_or(|m| (1..=12).contains(&m))
        && day.is_none_or(|d| (1..=31).contains(&d));
    valid.then_some((year as i32, month, day))
}

#[test]
fn same_seed_same_rows_other_seed_other_rows() {
    let a = population(&settings(3000, 42, 0.1));
    let b = population(&settings(3000, 42, 0.1));
    let c = population(&settings(3000, 43, 0.1));
    assert_eq!(a, b);
    assert_ne!(a, c);
    let same = a.iter().zip(&c).filter(|(x, y)| x.given_name == y.given_name && x.family_name == y.family_name).count();
    assert!(same < 300, "{same} rows alike across seeds");
}

#[test]
fn exact_row_counts() {
    for rows in [0, 1, 2, 3, 7, 10, 999, 1000, 2500] {
        for duplicates in [0.0, 0.1, 0.5, 0.9] {
            assert_eq!(population(&settings(rows, 5, duplicates)).len(), rows, "{rows} rows, {duplicates}");
        }
    }
}

#[test]
fn rows_across_chunks() {
    let rows = population(&settings(120_000, 9, 0.2));
    assert_eq!(rows.len(), 120_000);
    let entities: HashSet<u64> = rows.iter().map(|r| r.entity_id).collect();
    assert_eq!(rows.len() - entities.len(), 24_000);
}

#[test]
fn duplicate_share_follows_the_setting() {
    for duplicates in [0.0, 0.1, 0.25, 0.9] {
        let rows = population(&settings(5000, 7, duplicates));
        let entities: HashSet<u64> = rows.iter().map(|r| r.entity_id).collect();
        let extra = rows.len() - entities.len();
        let expected = (5000.0 * duplicates).round() as usize;
        assert_eq!(extra, expected, "duplicates {duplicates}");
    }
}

#[test]
fn some_people_have_several_extra_registrations() {
    let rows = population(&settings(10_000, 3, 0.1));
    let mut counts: HashMap<u64, usize> = HashMap::new();
    for row in &rows {
        *counts.entry(row.entity_id).or_default() += 1;
    }
    assert!(counts.values().filter(|&&n| n >= 3).count() > 20);
    assert!(counts.values().all(|&n| n <= 12));
}

#[test]
fn ids_are_present_unique_and_sequential() {
    let rows = population(&settings(2000, 1, 0.1));
    let ids: HashSet<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), rows.len());
    assert!(rows.iter().all(|r| !r.id.is_empty()));
    assert_eq!(rows[0].id, "P0000001");
    assert_eq!(rows[1999].id, "P0002000");
}

#[test]
fn stream_matches_population() {
    let settings = settings(1500, 11, 0.2);
    let streamed: Vec<PersonRow> = population_stream(&settings).collect();
    assert_eq!(streamed, population(&settings));
    assert_eq!(population_stream(&settings).size_hint(), (1500, Some(1500)));
}

#[test]
fn native_scripts_appear() {
    let rows = population(&settings(20_000, 2, 0.1));
    let count =
        |range: std::ops::RangeInclusive<u32>| rows.iter().filter(|r| has_script(&r.given_name, range.clone())).count();
    assert!(count(ARABIC) > 500, "Arabic script {}", count(ARABIC));
    assert!(count(CYRILLIC) > 50, "Cyrillic {}", count(CYRILLIC));
    assert!(count(ETHIOPIC) > 20, "Ge'ez {}", count(ETHIOPIC));
}

#[test]
fn same_person_in_two_scripts() {
    let rows = population(&settings(20_000, 4, 0.2));
    let mut scripts: HashMap<u64, (bool, bool)> = HashMap::new();
    for row in &rows {
        let native = has_script(&row.given_name, ARABIC)
            || has_script(&row.given_name, CYRILLIC)
            || has_script(&row.given_name, ETHIOPIC);
        let entry = scripts.entry(row.entity_id).or_default();
        if native {
            entry.0 = true;
        } else {
            entry.1 = true;
        }
    }
    let both = scripts.values().filter(|&&(native, latin)| native && latin).count();
    assert!(both > 100, "{both} people in two scripts");
}

#[test]
fn dates_and_ages() {
    let rows = population(&settings(20_000, 6, 0.1));
    let mut ages = 0;
    let mut full = 0;
    let mut january_first = 0;
    for row in &rows {
        if row.date_of_birth.is_empty() {
            if !row.age.is_empty() {
                let age: u32 = row.age.parse().unwrap();
                assert!(age <= 92, "{row:?}");
                ages += 1;
            }
            continue;
        }
        assert!(row.age.is_empty(), "{row:?}");
        let parsed = parse_dob(&row.date_of_birth);
        assert!(parsed.is_some(), "unparsable date {:?}", row.date_of_birth);
        if let Some((_, Some(month), Some(day))) = parsed {
            full += 1;
            if (month, day) == (1, 1) {
                january_first += 1;
            }
        }
    }
    assert!(ages > 200, "{ages} ages");
    // 1 January would be 1/365 of full dates without people who know only their year.
    assert!(january_first * 10 > full, "{january_first} of {full} on 1 January");
    let formats: HashSet<usize> = rows.iter().map(|r| r.date_of_birth.len()).collect();
    for length in [4, 7, 8, 10] {
        assert!(formats.contains(&length), "no date of length {length}");
    }
}

#[test]
fn fields_have_expected_shapes() {
    let rows = population(&settings(10_000, 8, 0.15));
    assert!(rows.iter().all(|r| matches!(r.sex.as_str(), "f" | "m" | "")));
    let with = |f: fn(&PersonRow) -> &str| rows.iter().filter(|r| !f(r).is_empty()).count();
    assert!(with(|r| &r.given_name) == rows.len());
    assert!(with(|r| &r.father_name) > rows.len() / 2);
    assert!(with(|r| &r.mother_name) > rows.len() / 3);
    assert!(with(|r| &r.phone) > rows.len() / 2);
    assert!(with(|r| &r.place_of_origin) > rows.len() * 8 / 10);
    for row in &rows {
        let phone = &row.phone;
        assert!(phone.chars().all(|c| c.is_ascii_digit() || " +-".contains(c)), "{phone}");
    }
    let international = rows.iter().filter(|r| r.phone.starts_with('+')).count();
    let national = rows.iter().filter(|r| r.phone.starts_with('0') && !r.phone.starts_with("00")).count();
    assert!(international > 500 && national > 500);
}

#[test]
fn children_outnumber_the_old() {
    let rows = population(&settings(10_000, 12, 0.0));
    let year_of = |r: &PersonRow| match parse_dob(&r.date_of_birth) {
        Some((year, _, _)) => Some(2026 - year),
        None => r.age.parse::<i32>().ok(),
    };
    let ages: Vec<i32> = rows.iter().filter_map(year_of).collect();
    let children = ages.iter().filter(|&&a| a < 18).count();
    let old = ages.iter().filter(|&&a| a >= 60).count();
    assert!(children * 100 > ages.len() * 35, "{children} children of {}", ages.len());
    assert!(old > 50 && old < children / 3, "{old} aged 60+");
    assert!(ages.iter().all(|&a| (0..=92).contains(&a)));
}

#[test]
fn common_names_collide_across_people() {
    let rows = population(&settings(60_000, 13, 0.0));
    let mut groups: HashMap<(String, String, String), usize> = HashMap::new();
    for row in &rows {
        let year = row.date_of_birth.get(..4).unwrap_or("").to_owned();
        if row.family_name.is_empty() || year.is_empty() {
            continue;
        }
        *groups.entry((row.given_name.to_lowercase(), row.family_name.to_lowercase(), year)).or_default() += 1;
    }
    // No duplicates here: every shared (given, family, year) is two different people.
    let shared = groups.values().filter(|&&n| n > 1).count();
    assert!(shared > 100, "{shared} name+year groups shared by different people");
}

#[test]
fn different_people_are_rarely_written_identically() {
    let rows = population(&settings(30_000, 14, 0.1));
    let mut seen: HashMap<[String; 9], u64> = HashMap::new();
    let mut twins = 0;
    for row in &rows {
        let fields = row.fields();
        let key: [String; 9] = std::array::from_fn(|i| fields[i + 1].to_lowercase());
        match seen.get(&key) {
            Some(&owner) if owner != row.entity_id => twins += 1,
            Some(_) => {}
            None => {
                seen.insert(key, row.entity_id);
            }
        }
    }
    assert!(twins * 1000 < rows.len(), "{twins} accidental twins");
}

#[test]
fn mix_can_be_narrowed() {
    let rows = population_with_mix(&settings(3000, 15, 0.1), &[(Population::Ukrainian, 1)]);
    assert_eq!(rows.len(), 3000);
    let arabic = rows.iter().filter(|r| has_script(&r.given_name, ARABIC)).count();
    let cyrillic = rows.iter().filter(|r| has_script(&r.given_name, CYRILLIC)).count();
    assert_eq!(arabic, 0);
    assert!(cyrillic > 300);
    let fallback = population_with_mix(&settings(100, 15, 0.1), &[]);
    assert_eq!(fallback, population(&settings(100, 15, 0.1)));
}

#[test]
fn febrl_link_pairs_every_duplicate_with_an_original() {
    let (a, b) = febrl_link(5000, 1);
    assert_eq!(a.len(), 5000);
    assert_eq!(b.len(), 5000);
    let originals: HashMap<u64, &FebrlRow> = a.iter().map(|r| (r.entity_id, r)).collect();
    assert_eq!(originals.len(), 5000);
    for row in &b {
        let original = originals.get(&row.entity_id).expect("duplicate without original");
        assert_eq!(original.id, format!("rec-{}-org", row.entity_id));
        assert_eq!(row.id, format!("rec-{}-dup-0", row.entity_id));
    }
    for row in a.iter().chain(&b) {
        assert!(row.fields().iter().all(|f| f.chars().all(|c| !c.is_uppercase())));
    }
    assert!(a.iter().all(|r| r.date_of_birth.is_empty() || parse_dob(&r.date_of_birth).is_some()));
    let odd_dates = b.iter().filter(|r| !r.date_of_birth.is_empty() && r.date_of_birth.len() != 8).count();
    assert!(odd_dates < 50, "{odd_dates} mangled dates");
    assert_eq!(febrl_link(300, 9), febrl_link(300, 9));
    assert_ne!(febrl_link(300, 9), febrl_link(300, 10));
}

#[test]
fn headers_match_fields() {
    assert_eq!(PersonRow::HEADERS.len(), PersonRow::default().fields().len());
    assert_eq!(FebrlRow::HEADERS.len(), FebrlRow::default().fields().len());
}
