//! Generation in chunks: each chunk is a self-contained population slice (households, their
//! registrations and re-registrations), shuffled, and handed out row by row. Only one chunk
//! and a fingerprint per row are held in memory, so millions of rows can be streamed.

use std::collections::HashMap;

use super::data::catalog;
use super::dates::Date;
use super::household::{Builder, Context, Household, Person};
use super::phones::Phone;
use super::profile::Profile;
use super::registration::{Registrar, Writer, row_fingerprint};
use super::rng::{Rng, mix};
use super::{DEFAULT_MIX, GenerateSettings, PersonRow, Population};

/// Rows per chunk: duplicates of a person are always in the same chunk.
const CHUNK_ROWS: usize = 100_000;
/// Share of re-registrations that take the whole household (or most of it) again.
const HOUSEHOLD_AGAIN: f64 = 0.3;
/// Share of households that come back with a new phone number.
const NEW_HOUSEHOLD_PHONE: f64 = 0.3;
/// Weights of 1, 2 and 3 extra registrations for a person registered again alone.
const EXTRA_REGISTRATIONS: [u32; 3] = [70, 20, 10];
/// Attempts at writing a person differently from an unrelated, identical-looking row.
const ATTEMPTS: usize = 4;
/// People ahead of the current count that the mix may already fill (keeps draws random).
const MIX_LOOKAHEAD: usize = 40;

/// Iterator over generated rows, in the same order as [`super::population`] returns them.
#[derive(Debug)]
pub struct PopulationStream {
    rows: usize,
    duplicates: f64,
    seed: u64,
    reference: Date,
    mix: Vec<Population>,
    mix_weights: Vec<u32>,
    /// Rows assigned to chunks so far, rows handed out, chunks generated.
    planned: usize,
    emitted: usize,
    chunk: u64,
    current: std::vec::IntoIter<PersonRow>,
    next_entity: u64,
    /// Fingerprint of every row written → the person it belongs to.
    fingerprints: HashMap<u64, u64>,
}

impl PopulationStream {
    pub(super) fn new(settings: &GenerateSettings, mix: &[(Population, u32)]) -> PopulationStream {
        let usable: Vec<(Population, u32)> = mix.iter().copied().filter(|&(_, weight)| weight > 0).collect();
        let usable = if usable.is_empty() { DEFAULT_MIX.to_vec() } else { usable };
        let (mix, weights): (Vec<Population>, Vec<u32>) = usable.into_iter().unzip();
        let duplicates = if settings.duplicates.is_finite() { settings.duplicates.clamp(0.0, 0.9) } else { 0.0 };
        let (year, month, day) = settings.reference_date;
        PopulationStream {
            rows: settings.rows,
            duplicates,
            seed: settings.seed,
            reference: Date::clamped(year, month, day),
            mix,
            mix_weights: weights,
            planned: 0,
            emitted: 0,
            chunk: 0,
            current: Vec::new().into_iter(),
            next_entity: 0,
            fingerprints: HashMap::new(),
        }
    }

    /// Duplicate rows among the first `rows` rows, so chunk shares add up to the setting.
    fn duplicates_before(&self, rows: usize) -> usize {
        (rows as f64 * self.duplicates).round() as usize
    }

    fn next_chunk(&mut self) {
        let size = CHUNK_ROWS.min(self.rows - self.planned);
        let end = self.planned + size;
        let duplicates =
            (self.duplicates_before(end) - self.duplicates_before(self.planned)).min(size.saturating_sub(1));
        let mut rng = Rng::new(mix(self.seed, self.chunk));
        let rows = self.chunk_rows(&mut rng, size - duplicates, duplicates);
        self.planned = end;
        self.chunk += 1;
        if self.planned >= self.rows {
            // Nothing more to compare against: free the fingerprints early.
            self.fingerprints = HashMap::new();
        }
        self.current = rows.into_iter();
    }

    fn chunk_rows(&mut self, rng: &mut Rng, originals: usize, duplicates: usize) -> Vec<PersonRow> {
        let (persons, households) = self.households(rng, originals);
        let mut rows = Vec::with_capacity(originals + duplicates);
        for household in &households {
            let writer = self.writer(household.population);
            let registrar = Registrar::new(rng, &Profile::of(household.population));
            for person in persons.get(household.start..household.end).unwrap_or(&[]) {
                rows.push(self.register(rng, &writer, &registrar, person, false, None));
            }
        }
        self.re_registrations(rng, &persons, &households, duplicates, &mut rows);
        rng.shuffle(&mut rows);
        rows
    }

    /// Households until exactly `count` persons exist (the last one may be cut short).
    fn households(&mut self, rng: &mut Rng, count: usize) -> (Vec<Person>, Vec<Household>) {
        let catalog = catalog();
        let mut persons: Vec<Person> = Vec::with_capacity(count + 16);
        let mut households = Vec::new();
        let mut people_of: Vec<usize> = vec![0; self.mix.len()];
        while persons.len() < count {
            let choice = self.next_population(rng, &people_of, persons.len());
            let population = self.mix.get(choice).copied().unwrap_or(Population::Iraqi);
            let ctx = Context {
                population,
                data: catalog.population(population),
                catalog,
                profile: Profile::of(population),
                reference: self.reference,
            };
            let room = count - persons.len();
            let mut builder = Builder { rng, ctx: &ctx, persons: &mut persons, next_entity: &mut self.next_entity };
            let household = builder.household(households.len(), room);
            if let Some(people) = people_of.get_mut(choice) {
                *people += household.end - household.start;
            }
            households.push(household);
        }
        (persons, households)
    }

    /// The population of the next household. Drawn in proportion to each population's
    /// shortfall against its share of the people so far, so that the mix holds for people
    /// (rows) whatever the household sizes: Somali families are large, Ukrainian ones small.
    fn next_population(&self, rng: &mut Rng, people_of: &[usize], people: usize) -> usize {
        let total_weight: u64 = self.mix_weights.iter().map(|&w| u64::from(w)).sum();
        let weights: Vec<u32> = self
            .mix_weights
            .iter()
            .zip(people_of)
            .map(|(&weight, &have)| {
                let due = u64::from(weight) * (people + MIX_LOOKAHEAD) as u64;
                u32::try_from(due.saturating_sub(total_weight * have as u64)).unwrap_or(u32::MAX)
            })
            .collect();
        rng.weighted(&weights)
    }

    fn writer(&self, population: Population) -> Writer<'static> {
        let catalog = catalog();
        Writer { catalog, data: catalog.population(population), population, reference: self.reference }
    }

    /// `duplicates` extra rows: people registered again alone (one to three times) or with
    /// their household, each time by another registrar and with mistakes.
    fn re_registrations(
        &mut self,
        rng: &mut Rng,
        persons: &[Person],
        households: &[Household],
        duplicates: usize,
        rows: &mut Vec<PersonRow>,
    ) {
        let mut remaining = duplicates;
        while remaining > 0 && !persons.is_empty() {
            let Some(person) = persons.get(rng.below(persons.len())) else { break };
            let Some(household) = households.get(person.household) else { break };
            let profile = Profile::of(person.population);
            let writer = self.writer(person.population);
            if household.end - household.start > 1 && rng.chance(HOUSEHOLD_AGAIN) {
                let registrar = Registrar::new(rng, &profile);
                let new_phone =
                    household.phone.filter(|_| rng.chance(NEW_HOUSEHOLD_PHONE)).map(|old| (old, writer.new_phone(rng)));
                let members = persons.get(household.start..household.end).unwrap_or(&[]);
                for member in members {
                    // A member sometimes stays away from the second registration.
                    if remaining == 0 || (member.entity != person.entity && rng.chance(0.15)) {
                        continue;
                    }
                    rows.push(self.register(rng, &writer, &registrar, member, true, new_phone));
                    remaining -= 1;
                }
            } else {
                let extra = (1 + rng.weighted(&EXTRA_REGISTRATIONS)).min(remaining);
                for _ in 0..extra {
                    let registrar = Registrar::new(rng, &profile);
                    rows.push(self.register(rng, &writer, &registrar, person, true, None));
                    remaining -= 1;
                }
            }
        }
    }

    /// One registration of `person`. When it reads exactly like a row of another person, the
    /// person is written again by another registrar, with every field filled from the second
    /// retry on, so that unrelated people stay distinguishable (as they nearly always are).
    fn register(
        &mut self,
        rng: &mut Rng,
        writer: &Writer,
        registrar: &Registrar,
        person: &Person,
        repeated: bool,
        new_phone: Option<(Phone, Phone)>,
    ) -> PersonRow {
        let profile = Profile::of(person.population);
        let mut fallback = None;
        for attempt in 0..ATTEMPTS {
            let fresh;
            let registrar = if attempt == 0 {
                registrar
            } else {
                fresh = Registrar::new(rng, &profile);
                &fresh
            };
            let mut draft = writer.draft(registrar, person, rng, attempt >= 2);
            if let Some((old, new)) = new_phone
                && draft.phone == Some(old)
            {
                draft.phone = Some(new);
            }
            if repeated {
                writer.corrupt(registrar, &mut draft, person, rng);
            }
            let row = writer.finish(registrar, draft, person.entity);
            let fingerprint = row_fingerprint(&row);
            match self.fingerprints.get(&fingerprint) {
                Some(&owner) if owner != person.entity => fallback = Some((fingerprint, row)),
                _ => {
                    self.fingerprints.insert(fingerprint, person.entity);
                    return row;
                }
            }
        }
        // Still identical to someone else after every attempt: rare enough to keep.
        match fallback {
            Some((_, row)) => row,
            None => writer.finish(registrar, writer.draft(registrar, person, rng, true), person.entity),
        }
    }
}

impl Iterator for PopulationStream {
    type Item = PersonRow;

    fn next(&mut self) -> Option<PersonRow> {
        loop {
            if let Some(mut row) = self.current.next() {
                self.emitted += 1;
                row.id = format!("P{:07}", self.emitted);
                return Some(row);
            }
            if self.planned >= self.rows {
                return None;
            }
            self.next_chunk();
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let remaining = self.rows - self.emitted;
        (remaining, Some(remaining))
    }
}
