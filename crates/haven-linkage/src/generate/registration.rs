//! Turning a true person into what a registrar typed: spelling and script, missing fields,
//! date and phone formats, and for repeated registrations the mistakes that creep in.

use super::data::{Catalog, Entry, LOOK_CENTRAL_EUROPE, LOOK_FRENCH, LOOK_LOCAL, PopulationData};
use super::dates::{Date, DateStyle, ShownDob, format_dob};
use super::household::{Family, Person, Sex};
use super::phones::{Phone, PhoneStyle, format_phone, mistype, random_phone};
use super::profile::{Article, Profile};
use super::rng::{Rng, mix};
use super::spelling::{
    Case, Translit, apply_article, apply_case, choose_spelling, is_latin, strip_accents, transliterate, typo, variant,
};
use super::{PersonRow, Population};

/// How a two-surname family name is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DoubleSurname {
    Both,
    FirstOnly,
    Hyphenated,
}

/// The habits of whoever registers a household: one registrar writes a name the same way for
/// every member, in one script, with one date and phone format.
#[derive(Clone, Debug)]
pub(super) struct Registrar {
    seed: u64,
    native: bool,
    looks: u8,
    article: Article,
    drop_accents: bool,
    translit: Option<Translit>,
    case: Case,
    date_style: DateStyle,
    phone_style: PhoneStyle,
    double: DoubleSurname,
    /// Chance factor of filling the optional fields (0.85 to 1).
    diligence: f64,
}

impl Registrar {
    pub(super) fn new(rng: &mut Rng, profile: &Profile) -> Registrar {
        let mut looks = 0;
        if rng.chance(profile.french_registrar) {
            looks |= LOOK_FRENCH;
        }
        if rng.chance(profile.local_orthography) {
            looks |= LOOK_LOCAL;
        }
        if rng.chance(profile.central_europe) {
            looks |= LOOK_CENTRAL_EUROPE;
        }
        let translit = rng.chance(profile.transliterate).then(|| {
            // Polish and German registrars use their own conventions.
            let weights = if looks & LOOK_CENTRAL_EUROPE != 0 { [10, 10, 40, 40] } else { [55, 25, 10, 10] };
            Translit::ALL[rng.weighted(&weights)]
        });
        Registrar {
            seed: rng.next_u64(),
            native: rng.chance(profile.native_script),
            looks,
            article: Article::ALL[rng.weighted(&profile.articles)],
            drop_accents: rng.chance(profile.drop_accents),
            translit,
            case: [Case::AsWritten, Case::Upper, Case::Lower][rng.weighted(&[80, 16, 4])],
            date_style: [DateStyle::Iso, DateStyle::DayMonthYear, DateStyle::Compact][rng.weighted(&[55, 30, 15])],
            phone_style: PhoneStyle::ALL[rng.weighted(&PhoneStyle::WEIGHTS)],
            double: [DoubleSurname::Both, DoubleSurname::FirstOnly, DoubleSurname::Hyphenated]
                [rng.weighted(&[65, 28, 7])],
            diligence: 0.85 + 0.15 * rng.unit(),
        }
    }
}

/// A registration before formatting: mistakes are applied at this stage.
#[derive(Clone, Debug)]
pub(super) struct Draft {
    pub given: String,
    pub family: String,
    pub father: String,
    pub mother: String,
    pub sex: &'static str,
    pub dob: ShownDob,
    pub place: String,
    pub phone: Option<Phone>,
}

#[derive(Clone, Copy, Debug)]
enum NameField {
    Given,
    Family,
    Father,
    Mother,
}

impl Draft {
    fn name_mut(&mut self, field: NameField) -> &mut String {
        match field {
            NameField::Given => &mut self.given,
            NameField::Family => &mut self.family,
            NameField::Father => &mut self.father,
            NameField::Mother => &mut self.mother,
        }
    }
}

/// Mistakes of a repeated registration.
#[derive(Clone, Copy, Debug)]
enum Mistake {
    Typo,
    Variant,
    SwapNames,
    FamilyMissing,
    FullNameInGiven,
    CompoundCut,
    FatherMissing,
    MotherMissing,
    DateSlip,
    NewPhone,
    PhoneTypo,
    PhoneMissing,
    PlaceMissing,
    OtherPlace,
    SexMissing,
    SexWrong,
}

const MISTAKES: [(Mistake, u32); 16] = [
    (Mistake::Typo, 20),
    (Mistake::Variant, 16),
    (Mistake::SwapNames, 4),
    (Mistake::FamilyMissing, 4),
    (Mistake::FullNameInGiven, 1),
    (Mistake::CompoundCut, 2),
    (Mistake::FatherMissing, 3),
    (Mistake::MotherMissing, 3),
    (Mistake::DateSlip, 16),
    (Mistake::NewPhone, 5),
    (Mistake::PhoneTypo, 3),
    (Mistake::PhoneMissing, 3),
    (Mistake::PlaceMissing, 3),
    (Mistake::OtherPlace, 2),
    (Mistake::SexMissing, 1),
    (Mistake::SexWrong, 1),
];

/// Weights of 0, 1, 2 and 3 mistakes in a repeated registration (besides the registrar's
/// own spelling, script and formats, which differ anyway).
const MISTAKE_COUNTS: [u32; 4] = [15, 40, 30, 15];

/// Key of a table entry for stable spelling choices: population, table, index.
fn entry_key(population: Population, table: u64, index: u16) -> u64 {
    ((population.index() as u64) << 40) | (table << 32) | u64::from(index)
}

const TABLE_MALE: u64 = 1;
const TABLE_FEMALE: u64 = 2;
const TABLE_FAMILY: u64 = 3;
const TABLE_PLACE: u64 = 4;
/// Distinguishes the native-script choice from the Latin one for the same entry.
const NATIVE_SALT: u64 = 0x5EED_0000_0000_0000;

/// Writes the persons of one population.
pub(super) struct Writer<'a> {
    pub catalog: &'a Catalog,
    pub data: &'a PopulationData,
    pub population: Population,
    pub reference: Date,
}

impl Writer<'_> {
    /// The registrar's spelling of one table entry.
    fn entry_text(&self, registrar: &Registrar, entry: &Entry, key: u64, feminine: bool, article: bool) -> String {
        let inflected = feminine && !entry.fem_latin.is_empty();
        let (latin, native, looks) = if inflected {
            (&entry.fem_latin, &entry.fem_native, &entry.fem_looks)
        } else {
            (&entry.latin, &entry.native, &entry.looks)
        };
        let native_choice = || native.get(choose_spelling(registrar.seed, key ^ NATIVE_SALT, native.len(), &[], 0));
        if registrar.native
            && let Some(text) = native_choice()
        {
            return (*text).to_owned();
        }
        if let Some(system) = registrar.translit
            && let Some(text) = native_choice()
        {
            return transliterate(text, system);
        }
        let index = choose_spelling(registrar.seed, key, latin.len(), looks, registrar.looks);
        let text = latin.get(index).copied().unwrap_or("");
        let text = if article { apply_article(text, registrar.article) } else { text.to_owned() };
        if registrar.drop_accents { strip_accents(&text) } else { text }
    }

    fn given_text(&self, registrar: &Registrar, sex: Sex, index: u16) -> String {
        let (table, id) = match sex {
            Sex::Male => (&self.data.male, TABLE_MALE),
            Sex::Female => (&self.data.female, TABLE_FEMALE),
        };
        match table.get(index) {
            Some(entry) => self.entry_text(registrar, entry, entry_key(self.population, id, index), false, false),
            None => String::new(),
        }
    }

    fn surname_text(&self, registrar: &Registrar, index: u16, feminine: bool) -> String {
        match self.data.family.get(index) {
            Some(entry) => {
                self.entry_text(registrar, entry, entry_key(self.population, TABLE_FAMILY, index), feminine, true)
            }
            None => String::new(),
        }
    }

    fn family_text(&self, registrar: &Registrar, family: Family) -> String {
        match family {
            Family::Surname { index, feminine } => self.surname_text(registrar, index, feminine),
            Family::Given(index) => self.given_text(registrar, Sex::Male, index),
            Family::Double(first, second) => {
                let first = self.surname_text(registrar, first, false);
                match registrar.double {
                    DoubleSurname::FirstOnly => first,
                    DoubleSurname::Both => format!("{first} {}", self.surname_text(registrar, second, false)),
                    DoubleSurname::Hyphenated => format!("{first}-{}", self.surname_text(registrar, second, false)),
                }
            }
        }
    }

    fn place_text(&self, registrar: &Registrar, place: u16) -> String {
        match self.data.places.get(place) {
            Some(entry) => {
                self.entry_text(registrar, entry, entry_key(self.population, TABLE_PLACE, place), false, false)
            }
            None => String::new(),
        }
    }

    /// The registration of `person`; `complete` fills every field (used to tell apart two
    /// different people who would otherwise be written identically).
    pub(super) fn draft(&self, registrar: &Registrar, person: &Person, rng: &mut Rng, complete: bool) -> Draft {
        let child = person.age < 18;
        let diligence = registrar.diligence;
        let mut shown = |p: f64| complete || rng.chance(p * diligence);
        let show_father = shown(if child { 0.97 } else { 0.55 });
        let show_mother = shown(if child { 0.92 } else { 0.4 });
        let show_place = shown(0.95);
        let show_phone = shown(0.93);
        let show_sex = complete || rng.chance(0.995);
        Draft {
            given: self.given_text(registrar, person.sex, person.given),
            family: self.family_text(registrar, person.family),
            father: if show_father { self.given_text(registrar, Sex::Male, person.father) } else { String::new() },
            mother: if show_mother { self.given_text(registrar, Sex::Female, person.mother) } else { String::new() },
            sex: if show_sex { sex_code(person.sex) } else { "" },
            dob: self.shown_dob(person, rng, complete),
            place: if show_place { self.place_text(registrar, person.place) } else { String::new() },
            phone: person.phone.filter(|_| show_phone),
        }
    }

    /// What the person says about the birth date. People who know only the year are written
    /// as 1 January of that year most of the time, hence the excess of 1 January births.
    fn shown_dob(&self, person: &Person, rng: &mut Rng, complete: bool) -> ShownDob {
        if person.year_only {
            let year = person.reported_year;
            let january_first = ShownDob::Full(Date { year, month: 1, day: 1 });
            if complete {
                return january_first;
            }
            return match rng.weighted(&[70, 16, 12, 2]) {
                0 => january_first,
                1 => ShownDob::Year(year),
                2 => ShownDob::Age(self.reference.year - year),
                _ => ShownDob::Missing,
            };
        }
        if complete {
            return ShownDob::Full(person.dob);
        }
        match rng.weighted(&[88, 4, 3, 4, 1]) {
            0 => ShownDob::Full(person.dob),
            1 => ShownDob::YearMonth(person.dob.year, person.dob.month),
            2 => ShownDob::Year(person.dob.year),
            3 => ShownDob::Age(person.age),
            _ => ShownDob::Missing,
        }
    }

    /// Adds the mistakes of a repeated registration.
    pub(super) fn corrupt(&self, registrar: &Registrar, draft: &mut Draft, person: &Person, rng: &mut Rng) {
        let wanted = rng.weighted(&MISTAKE_COUNTS);
        let weights: [u32; MISTAKES.len()] = std::array::from_fn(|i| MISTAKES[i].1);
        let mut made = 0;
        for _ in 0..12 {
            if made >= wanted {
                break;
            }
            let mistake = MISTAKES[rng.weighted(&weights)].0;
            if self.make(mistake, registrar, draft, person, rng) {
                made += 1;
            }
        }
    }

    /// Applies one mistake; false when it does not apply to this draft.
    fn make(&self, mistake: Mistake, registrar: &Registrar, draft: &mut Draft, person: &Person, rng: &mut Rng) -> bool {
        match mistake {
            Mistake::Typo | Mistake::Variant => {
                let field = [NameField::Given, NameField::Family, NameField::Father, NameField::Mother]
                    [rng.weighted(&[45, 30, 15, 10])];
                let field = if draft.name_mut(field).is_empty() { NameField::Given } else { field };
                let text = draft.name_mut(field);
                if text.is_empty() {
                    return false;
                }
                *text = match mistake {
                    Mistake::Typo => typo(rng, text),
                    _ if matches!(field, NameField::Family) && self.writes_arabic_article() && rng.chance(0.25) => {
                        with_article(rng, text).unwrap_or_else(|| variant(rng, text))
                    }
                    _ => variant(rng, text),
                };
                true
            }
            Mistake::SwapNames => {
                let swappable = !draft.given.is_empty() && !draft.family.is_empty() && draft.given != draft.family;
                if swappable {
                    std::mem::swap(&mut draft.given, &mut draft.family);
                }
                swappable
            }
            Mistake::FamilyMissing => clear(&mut draft.family),
            Mistake::FullNameInGiven => {
                if draft.family.is_empty() {
                    return false;
                }
                let mut full = std::mem::take(&mut draft.given);
                for part in [&draft.father, &draft.family] {
                    if !part.is_empty() {
                        full.push(' ');
                        full.push_str(part);
                    }
                }
                draft.given = full;
                draft.family.clear();
                true
            }
            Mistake::CompoundCut => match draft.given.split([' ', '-']).next() {
                Some(first) if first.chars().count() > 1 && first.len() < draft.given.len() => {
                    draft.given = first.to_owned();
                    true
                }
                _ => false,
            },
            Mistake::FatherMissing => clear(&mut draft.father),
            Mistake::MotherMissing => clear(&mut draft.mother),
            Mistake::DateSlip => {
                let slipped = self.date_slip(draft.dob, person, rng);
                let changed = slipped != draft.dob;
                draft.dob = slipped;
                changed
            }
            Mistake::NewPhone => {
                draft.phone = Some(self.new_phone(rng));
                true
            }
            Mistake::PhoneTypo => match draft.phone {
                Some(phone) => {
                    draft.phone = Some(mistype(rng, self.catalog, phone));
                    true
                }
                None => false,
            },
            Mistake::PhoneMissing => draft.phone.take().is_some(),
            Mistake::PlaceMissing => clear(&mut draft.place),
            Mistake::OtherPlace => {
                let other = self.data.places.weights.sample(rng) as u16;
                let changed = other != person.place;
                if changed {
                    draft.place = self.place_text(registrar, other);
                }
                changed
            }
            Mistake::SexMissing => !std::mem::take(&mut draft.sex).is_empty(),
            Mistake::SexWrong => {
                draft.sex = match draft.sex {
                    "f" => "m",
                    "m" => "f",
                    _ => return false,
                };
                true
            }
        }
    }

    /// Arabic-speaking registrars often put an article before a family name that has none.
    fn writes_arabic_article(&self) -> bool {
        matches!(self.population, Population::Iraqi | Population::Syrian | Population::Sudanese)
    }

    /// A new SIM card: home or host country, as for a new household.
    pub(super) fn new_phone(&self, rng: &mut Rng) -> Phone {
        let plan = self.data.phone_plans.get(self.data.phone_weights.sample(rng)).copied().unwrap_or(0);
        random_phone(rng, self.catalog, plan)
    }

    /// The birth date told or written differently.
    fn date_slip(&self, shown: ShownDob, person: &Person, rng: &mut Rng) -> ShownDob {
        let reference_year = self.reference.year;
        // One year off either way, never into the future.
        let year_off =
            |rng: &mut Rng, year: i32| if year >= reference_year || rng.chance(0.5) { year - 1 } else { year + 1 };
        match shown {
            ShownDob::Full(date) => match rng.below(7) {
                0 if date.day <= 12 && date.day != date.month => {
                    ShownDob::Full(Date { year: date.year, month: date.day, day: date.month })
                }
                0 | 1 => {
                    let slipped = Date::clamped(year_off(rng, date.year), date.month, date.day);
                    let past = if slipped > self.reference {
                        Date::clamped(date.year - 1, date.month, date.day)
                    } else {
                        slipped
                    };
                    ShownDob::Full(past)
                }
                2 => ShownDob::Year(date.year),
                3 => ShownDob::YearMonth(date.year, date.month),
                4 => ShownDob::Age(person.age),
                5 if (date.month, date.day) != (1, 1) => ShownDob::Full(Date { year: date.year, month: 1, day: 1 }),
                5 => ShownDob::Year(date.year),
                _ => ShownDob::Missing,
            },
            ShownDob::YearMonth(year, month) => match rng.below(3) {
                0 => ShownDob::YearMonth(year_off(rng, year), month),
                1 => ShownDob::Year(year),
                _ => ShownDob::Age(person.age),
            },
            ShownDob::Year(year) => match rng.below(3) {
                0 => ShownDob::Year(year_off(rng, year)),
                1 => ShownDob::Age(reference_year - year),
                _ => ShownDob::Full(Date { year, month: 1, day: 1 }),
            },
            ShownDob::Age(age) => match rng.below(3) {
                0 => ShownDob::Age(if age > 0 && rng.chance(0.5) { age - 1 } else { age + 1 }),
                1 => ShownDob::Year(reference_year - age),
                _ => ShownDob::Full(Date { year: reference_year - age, month: 1, day: 1 }),
            },
            ShownDob::Missing => ShownDob::Age(person.age),
        }
    }

    /// The row as written: case, date and phone formats applied.
    pub(super) fn finish(&self, registrar: &Registrar, draft: Draft, entity: u64) -> PersonRow {
        let (date_of_birth, age) = format_dob(draft.dob, registrar.date_style);
        let case = registrar.case;
        PersonRow {
            id: String::new(),
            given_name: apply_case(draft.given, case),
            family_name: apply_case(draft.family, case),
            father_name: apply_case(draft.father, case),
            mother_name: apply_case(draft.mother, case),
            sex: draft.sex.to_owned(),
            date_of_birth,
            age,
            place_of_origin: apply_case(draft.place, case),
            phone: draft
                .phone
                .map(|phone| format_phone(self.catalog, phone, registrar.phone_style))
                .unwrap_or_default(),
            entity_id: entity,
        }
    }
}

fn sex_code(sex: Sex) -> &'static str {
    match sex {
        Sex::Female => "f",
        Sex::Male => "m",
    }
}

/// "Haddad" → "Al-Haddad" (or El-, al-, Al ); `None` when the name has an article already or
/// is not in Latin letters.
fn with_article(rng: &mut Rng, name: &str) -> Option<String> {
    let lower = name.to_lowercase();
    if !is_latin(name) || lower.starts_with("al") || lower.starts_with("el") || lower.contains(' ') {
        return None;
    }
    let article = *rng.pick(&["Al-", "al-", "El-", "Al "])?;
    Some(format!("{article}{name}"))
}

/// Empties a field; false when it was already empty.
fn clear(field: &mut String) -> bool {
    let had = !field.is_empty();
    field.clear();
    had
}

/// A 64-bit fingerprint of everything a row says (case-insensitive), to spot two different
/// people written identically.
pub(super) fn row_fingerprint(row: &PersonRow) -> u64 {
    let mut hash = 0xCBF2_9CE4_8422_2325u64;
    for field in row.fields().iter().skip(1) {
        for c in field.chars().flat_map(char::to_lowercase) {
            hash = (hash ^ u64::from(u32::from(c))).wrapping_mul(0x0100_0000_01B3);
        }
        hash = mix(hash, 0x1F);
    }
    hash
}
