//! Synthetic populations of displaced people for tests and benchmarks of the linkage engine.
//!
//! [`population`] generates registrations of people from thirteen populations (Arabic-speaking
//! Iraqis, Syrians and Sudanese, Kurds, Dari and Pashto speakers, Somalis, Tigrinya speakers,
//! Hausa, French-speaking West and Central Africans, Spanish speakers, Ukrainians). People live
//! in households that share family name rules, parents, place of origin and often a phone. Each
//! household is written by a registrar with their own spelling habits, script (Arabic, Ge'ez or
//! Cyrillic where the language has one), date and phone formats. A share of the people are
//! registered again, alone or with their household, by another registrar and with mistakes:
//! typos, romanization variants, swapped or missing names, dates told differently, new phones.
//! `entity_id` is the truth: rows with the same value are the same person.
//!
//! [`febrl_link`] generates a two-file link set in the style of the FEBRL4 benchmark.
//!
//! Everything is deterministic for a seed, on every platform: the generator has its own PRNG
//! and its name tables are compiled in from `data/generator/`.

mod data;
mod dates;
mod febrl;
mod household;
mod phones;
mod profile;
mod registration;
mod rng;
mod spelling;
mod stream;
#[cfg(test)]
mod tests;

pub use febrl::{FebrlRow, febrl_link};
pub use stream::PopulationStream;

/// Settings of a generated population.
#[derive(Clone, Debug, PartialEq)]
pub struct GenerateSettings {
    /// Number of rows (registrations) generated.
    pub rows: usize,
    pub seed: u64,
    /// Share of rows that are extra registrations of someone already present (0.0..=0.9;
    /// values outside are clamped).
    pub duplicates: f64,
    /// The day ages are counted at: (year, month, day).
    pub reference_date: (i32, u8, u8),
}

impl Default for GenerateSettings {
    fn default() -> Self {
        GenerateSettings { rows: 1000, seed: 1, duplicates: 0.1, reference_date: (2026, 6, 1) }
    }
}

/// One generated registration, as it would be written to CSV. Every field is the text the
/// registrar typed; empty string = missing.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PersonRow {
    pub id: String,
    pub given_name: String,
    pub family_name: String,
    pub father_name: String,
    pub mother_name: String,
    /// "f", "m" or "".
    pub sex: String,
    /// `YYYY-MM-DD`, `YYYYMMDD`, `DD/MM/YYYY`, `YYYY-MM`, `YYYY` or empty.
    pub date_of_birth: String,
    /// Age in whole years at the reference date, given only when the date is empty.
    pub age: String,
    pub place_of_origin: String,
    pub phone: String,
    /// Truth: the person this row is.
    pub entity_id: u64,
}

impl PersonRow {
    pub const HEADERS: [&'static str; 10] = [
        "id",
        "given_name",
        "family_name",
        "father_name",
        "mother_name",
        "sex",
        "date_of_birth",
        "age",
        "place_of_origin",
        "phone",
    ];

    /// Field values in the order of [`PersonRow::HEADERS`].
    pub fn fields(&self) -> [&str; 10] {
        [
            &self.id,
            &self.given_name,
            &self.family_name,
            &self.father_name,
            &self.mother_name,
            &self.sex,
            &self.date_of_birth,
            &self.age,
            &self.place_of_origin,
            &self.phone,
        ]
    }
}

/// The populations the generator knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Population {
    /// Arabic-speaking Iraqis (Arabic script).
    Iraqi,
    /// Arabic-speaking Syrians (Arabic script).
    Syrian,
    /// Arabic-speaking Sudanese (Arabic script).
    Sudanese,
    /// Kurds: Sorani in Arabic script, Kurmanji in Latin.
    Kurdish,
    /// Dari-speaking Afghans (Perso-Arabic script).
    Dari,
    /// Pashto speakers (Pashto script).
    Pashto,
    /// Somalis (Latin: English-style and Somali orthography).
    Somali,
    /// Tigrinya speakers from Eritrea and Tigray (Ge'ez script).
    Tigrinya,
    /// Hausa from Nigeria and Niger (Latin).
    Hausa,
    /// French-speaking West Africa: Mali, Burkina Faso, Guinea, Côte d'Ivoire (Latin).
    FrancophoneWest,
    /// French-speaking Central Africa: DR Congo, CAR, Cameroon, Chad (Latin).
    FrancophoneCentral,
    /// Spanish speakers from Venezuela, Colombia and Central America (Latin).
    Hispanic,
    /// Ukrainians (Cyrillic).
    Ukrainian,
}

impl Population {
    pub const ALL: &'static [Population] = &[
        Population::Iraqi,
        Population::Syrian,
        Population::Sudanese,
        Population::Kurdish,
        Population::Dari,
        Population::Pashto,
        Population::Somali,
        Population::Tigrinya,
        Population::Hausa,
        Population::FrancophoneWest,
        Population::FrancophoneCentral,
        Population::Hispanic,
        Population::Ukrainian,
    ];

    /// Position in [`Population::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Default mix, in per mille of people: 35 % Arabic-speaking (Iraqi 15, Syrian 13, Sudanese 7),
/// Kurdish 8, Dari 8, Pashto 6, Somali 10, Tigrinya 5, Hausa 6, francophone African 8 (West
/// 4.5, Central 3.5), Hispanic 8, Ukrainian 6. Households are drawn so that the shares hold for
/// people whatever the household sizes.
pub const DEFAULT_MIX: [(Population, u32); 13] = [
    (Population::Iraqi, 150),
    (Population::Syrian, 130),
    (Population::Sudanese, 70),
    (Population::Kurdish, 80),
    (Population::Dari, 80),
    (Population::Pashto, 60),
    (Population::Somali, 100),
    (Population::Tigrinya, 50),
    (Population::Hausa, 60),
    (Population::FrancophoneWest, 45),
    (Population::FrancophoneCentral, 35),
    (Population::Hispanic, 80),
    (Population::Ukrainian, 60),
];

/// Exactly `settings.rows` rows, deterministic for a seed, shuffled so that duplicates are
/// not adjacent; ids `P0000001`, `P0000002`, ...
pub fn population(settings: &GenerateSettings) -> Vec<PersonRow> {
    population_with_mix(settings, &DEFAULT_MIX)
}

/// Like [`population`] with another mix of populations (weights of people; all zero = default
/// mix).
pub fn population_with_mix(settings: &GenerateSettings, mix: &[(Population, u32)]) -> Vec<PersonRow> {
    let mut rows = Vec::with_capacity(settings.rows);
    rows.extend(population_stream_with_mix(settings, mix));
    rows
}

/// The rows of [`population`], generated in chunks as they are consumed (for millions of rows
/// without holding them all).
pub fn population_stream(settings: &GenerateSettings) -> PopulationStream {
    population_stream_with_mix(settings, &DEFAULT_MIX)
}

/// The rows of [`population_with_mix`], generated as they are consumed.
pub fn population_stream_with_mix(settings: &GenerateSettings, mix: &[(Population, u32)]) -> PopulationStream {
    PopulationStream::new(settings, mix)
}
