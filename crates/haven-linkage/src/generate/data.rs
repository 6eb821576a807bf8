//! Name, place and phone tables, compiled in from `data/generator/*.txt` and parsed once.
//!
//! The text files keep facts (spellings, places, numbering plans) apart from code, so they can
//! be reviewed by people who know the languages. Entries borrow from the embedded text, so
//! parsing copies no strings.

use std::sync::OnceLock;

use super::Population;
use super::rng::Cumulative;

const ARABIC_GIVEN: &str = include_str!("../../data/generator/arabic_given.txt");
const IRAQI: &str = include_str!("../../data/generator/iraqi.txt");
const SYRIAN: &str = include_str!("../../data/generator/syrian.txt");
const SUDANESE: &str = include_str!("../../data/generator/sudanese.txt");
const KURDISH: &str = include_str!("../../data/generator/kurdish.txt");
const DARI: &str = include_str!("../../data/generator/dari.txt");
const PASHTO: &str = include_str!("../../data/generator/pashto.txt");
const SOMALI: &str = include_str!("../../data/generator/somali.txt");
const TIGRINYA: &str = include_str!("../../data/generator/tigrinya.txt");
const HAUSA: &str = include_str!("../../data/generator/hausa.txt");
const FRANCOPHONE_WEST: &str = include_str!("../../data/generator/francophone_west.txt");
const FRANCOPHONE_CENTRAL: &str = include_str!("../../data/generator/francophone_central.txt");
const HISPANIC: &str = include_str!("../../data/generator/hispanic.txt");
const UKRAINIAN: &str = include_str!("../../data/generator/ukrainian.txt");
const PHONES: &str = include_str!("../../data/generator/phones.txt");

/// A spelling that looks French (ou, dj, ch): French-trained registrars prefer these.
pub(super) const LOOK_FRENCH: u8 = 1;
/// A spelling in the community's own Latin orthography (Somali x/c, Kurmanji ê/ş, long vowels).
pub(super) const LOOK_LOCAL: u8 = 2;
/// A spelling of Polish or German registrars (w, sz, cz, sch).
pub(super) const LOOK_CENTRAL_EUROPE: u8 = 4;

/// One name or place with all the ways it is written.
#[derive(Debug, Default)]
pub(super) struct Entry {
    /// Latin spellings, most common first.
    pub latin: Vec<&'static str>,
    /// Native-script spellings, most common first (empty for Latin-script languages).
    pub native: Vec<&'static str>,
    /// Feminine forms of a family name (Kovalskyi → Kovalska); empty when the name does not inflect.
    pub fem_latin: Vec<&'static str>,
    pub fem_native: Vec<&'static str>,
    /// `LOOK_*` flags per Latin spelling (parallel to `latin`), and per feminine spelling.
    pub looks: Vec<u8>,
    pub fem_looks: Vec<u8>,
    /// For places: index of the country's phone plan.
    pub plan: Option<usize>,
}

/// Entries with their relative frequencies.
#[derive(Debug, Default)]
pub(super) struct Table {
    pub entries: Vec<Entry>,
    pub weights: Cumulative,
}

impl Table {
    pub(super) fn get(&self, index: u16) -> Option<&Entry> {
        self.entries.get(usize::from(index))
    }
}

/// All tables of one population.
#[derive(Debug, Default)]
pub(super) struct PopulationData {
    pub male: Table,
    pub female: Table,
    pub family: Table,
    pub places: Table,
    /// Phone plans of host and home countries, with weights.
    pub phone_plans: Vec<usize>,
    pub phone_weights: Cumulative,
}

/// A mobile numbering plan.
#[derive(Debug)]
pub(super) struct PhonePlan {
    pub country: &'static str,
    pub country_code: &'static str,
    pub trunk: &'static str,
    pub prefixes: Vec<&'static str>,
    pub subscriber_digits: u32,
    pub grouping: Vec<usize>,
}

#[derive(Debug)]
pub(super) struct Catalog {
    pub plans: Vec<PhonePlan>,
    populations: Vec<PopulationData>,
    /// Lines that did not parse; a unit test keeps this empty.
    pub problems: Vec<String>,
}

impl Catalog {
    pub(super) fn population(&self, population: Population) -> &PopulationData {
        // Built for every variant of `Population::ALL`, in that order.
        &self.populations[population.index()]
    }
}

/// The parsed tables (parsed on first use, then shared).
pub(super) fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    let catalog = CATALOG.get_or_init(build_catalog);
    debug_assert!(catalog.problems.is_empty(), "generator data: {:?}", catalog.problems);
    catalog
}

fn files_of(population: Population) -> &'static [&'static str] {
    match population {
        Population::Iraqi => &[ARABIC_GIVEN, IRAQI],
        Population::Syrian => &[ARABIC_GIVEN, SYRIAN],
        Population::Sudanese => &[ARABIC_GIVEN, SUDANESE],
        Population::Kurdish => &[KURDISH],
        Population::Dari => &[DARI],
        Population::Pashto => &[PASHTO],
        Population::Somali => &[SOMALI],
        Population::Tigrinya => &[TIGRINYA],
        Population::Hausa => &[HAUSA],
        Population::FrancophoneWest => &[FRANCOPHONE_WEST],
        Population::FrancophoneCentral => &[FRANCOPHONE_CENTRAL],
        Population::Hispanic => &[HISPANIC],
        Population::Ukrainian => &[UKRAINIAN],
    }
}

fn build_catalog() -> Catalog {
    let mut problems = Vec::new();
    let plans = parse_plans(PHONES, &mut problems);
    let populations = Population::ALL
        .iter()
        .map(|&population| {
            let mut builder = PopulationBuilder::default();
            for text in files_of(population) {
                builder.parse(text, &plans, &mut problems);
            }
            builder.finish(population, &mut problems)
        })
        .collect();
    Catalog { plans, populations, problems }
}

fn parse_plans(text: &'static str, problems: &mut Vec<String>) -> Vec<PhonePlan> {
    let mut plans = Vec::new();
    for line in content_lines(text) {
        let columns: Vec<&str> = line.split('|').map(str::trim).collect();
        let [country, country_code, trunk, prefixes, subscriber, grouping] = columns.as_slice() else {
            problems.push(format!("phone plan: {line}"));
            continue;
        };
        let subscriber_digits = subscriber.parse().unwrap_or(0);
        let grouping: Vec<usize> = grouping.split_whitespace().filter_map(|g| g.parse().ok()).collect();
        let prefixes: Vec<&'static str> = prefixes.split_whitespace().collect();
        if subscriber_digits == 0 || prefixes.is_empty() || grouping.is_empty() {
            problems.push(format!("phone plan: {line}"));
            continue;
        }
        plans.push(PhonePlan { country, country_code, trunk, prefixes, subscriber_digits, grouping });
    }
    plans
}

/// Non-empty lines without comments.
fn content_lines(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines().map(str::trim).filter(|line| !line.is_empty() && !line.starts_with('#'))
}

#[derive(Default)]
struct PopulationBuilder {
    male: Vec<(u32, Entry)>,
    female: Vec<(u32, Entry)>,
    family: Vec<(u32, Entry)>,
    places: Vec<(u32, Entry)>,
    phones: Vec<(u32, usize)>,
}

impl PopulationBuilder {
    fn parse(&mut self, text: &'static str, plans: &[PhonePlan], problems: &mut Vec<String>) {
        let mut section = "";
        for line in content_lines(text) {
            if let Some(name) = line.strip_prefix('[').and_then(|rest| rest.strip_suffix(']')) {
                section = name;
                continue;
            }
            let columns: Vec<&'static str> = line.split('|').map(str::trim).collect();
            let Some(weight) = columns.first().and_then(|w| w.parse::<u32>().ok()) else {
                problems.push(format!("no weight: {line}"));
                continue;
            };
            match section {
                "male" | "female" | "family" | "place" => match parse_entry(section, &columns, plans) {
                    Some(entry) => self.section(section).push((weight, entry)),
                    None => problems.push(format!("[{section}] {line}")),
                },
                "phone" => match columns.get(1).and_then(|key| plans.iter().position(|p| p.country == *key)) {
                    Some(plan) => self.phones.push((weight, plan)),
                    None => problems.push(format!("[phone] unknown country: {line}")),
                },
                _ => problems.push(format!("line outside a known section: {line}")),
            }
        }
    }

    fn section(&mut self, name: &str) -> &mut Vec<(u32, Entry)> {
        match name {
            "male" => &mut self.male,
            "female" => &mut self.female,
            "family" => &mut self.family,
            _ => &mut self.places,
        }
    }

    fn finish(self, population: Population, problems: &mut Vec<String>) -> PopulationData {
        if self.male.is_empty() || self.female.is_empty() || self.places.is_empty() || self.phones.is_empty() {
            problems.push(format!("{population:?}: a required section is empty"));
        }
        let (phone_weights, phone_plans): (Vec<u32>, Vec<usize>) = self.phones.into_iter().unzip();
        PopulationData {
            male: table(self.male),
            female: table(self.female),
            family: table(self.family),
            places: table(self.places),
            phone_plans,
            phone_weights: Cumulative::new(phone_weights),
        }
    }
}

fn table(weighted: Vec<(u32, Entry)>) -> Table {
    let (weights, entries): (Vec<u32>, Vec<Entry>) = weighted.into_iter().unzip();
    Table { entries, weights: Cumulative::new(weights) }
}

/// `weight | latin | native` (+ `| fem latin | fem native` for family names, `| country` for places).
fn parse_entry(section: &str, columns: &[&'static str], plans: &[PhonePlan]) -> Option<Entry> {
    let latin = spellings(columns.get(1).copied().unwrap_or(""));
    if latin.is_empty() {
        return None;
    }
    let native = spellings(columns.get(2).copied().unwrap_or(""));
    let mut entry = Entry { looks: latin.iter().map(|s| looks_of(s)).collect(), latin, native, ..Entry::default() };
    if section == "place" {
        let country = columns.get(3).copied().unwrap_or("");
        entry.plan = Some(plans.iter().position(|p| p.country == country)?);
    } else if section == "family" {
        entry.fem_latin = spellings(columns.get(3).copied().unwrap_or(""));
        entry.fem_native = spellings(columns.get(4).copied().unwrap_or(""));
        entry.fem_looks = entry.fem_latin.iter().map(|s| looks_of(s)).collect();
    }
    Some(entry)
}

/// Comma-separated spellings, trimmed, without repeats (first occurrence kept).
fn spellings(column: &'static str) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for spelling in column.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if !out.contains(&spelling) {
            out.push(spelling);
        }
    }
    out
}

/// Which registrar traditions a spelling looks like.
fn looks_of(spelling: &str) -> u8 {
    let lower = spelling.to_lowercase();
    let mut looks = 0;
    if lower.contains("ou") || lower.contains("dj") || (lower.contains("ch") && !lower.contains("sch")) {
        looks |= LOOK_FRENCH;
    }
    let somali = lower.contains('x') || lower.starts_with("ca") || lower.starts_with("ci") || lower.starts_with("cu");
    let long_vowel = ["aa", "ii", "uu"].iter().any(|v| lower.contains(v));
    let kurmanji = lower.chars().any(|c| matches!(c, 'ê' | 'î' | 'û' | 'ç' | 'ş'));
    if somali || long_vowel || kurmanji {
        looks |= LOOK_LOCAL;
    }
    if lower.contains('w') || lower.contains("sz") || lower.contains("cz") || lower.contains("sch") {
        looks |= LOOK_CENTRAL_EUROPE;
    }
    looks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_data_line_parses() {
        let catalog = catalog();
        assert!(catalog.problems.is_empty(), "{:#?}", catalog.problems);
        for &population in Population::ALL {
            let data = catalog.population(population);
            assert!(data.male.entries.len() >= 20, "{population:?}");
            assert!(data.female.entries.len() >= 20, "{population:?}");
            assert!(data.places.entries.len() >= 10, "{population:?}");
        }
    }

    #[test]
    fn phone_groupings_fit_the_numbers() {
        for plan in &catalog().plans {
            let tail: usize = plan.grouping.iter().skip(1).sum();
            for prefix in &plan.prefixes {
                let length = prefix.len() + plan.subscriber_digits as usize;
                assert!(length > tail, "{} {prefix}", plan.country);
            }
        }
    }

    #[test]
    fn looks_are_detected() {
        assert_eq!(looks_of("Youssef") & LOOK_FRENCH, LOOK_FRENCH);
        assert_eq!(looks_of("Maxamed") & LOOK_LOCAL, LOOK_LOCAL);
        assert_eq!(looks_of("Kowalenko") & LOOK_CENTRAL_EUROPE, LOOK_CENTRAL_EUROPE);
        assert_eq!(looks_of("Mohammed"), 0);
    }
}
