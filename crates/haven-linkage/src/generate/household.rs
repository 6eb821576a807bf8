//! The true people behind the registrations: households with consistent names, ages, place of
//! origin and phone. Names are kept as table indices; spelling happens at registration.

use super::Population;
use super::data::{Catalog, PopulationData};
use super::dates::Date;
use super::phones::{Phone, random_phone};
use super::profile::{HouseholdKind, Naming, Profile};
use super::rng::{Cumulative, Rng};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Sex {
    Female,
    Male,
}

/// A family name as the person carries it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Family {
    /// An inherited surname (feminine form for women where the language has one).
    Surname { index: u16, feminine: bool },
    /// A male given name used as family name (father's or grandfather's).
    Given(u16),
    /// Two surnames: father's first and mother's first.
    Double(u16, u16),
}

/// One true person.
#[derive(Clone, Debug)]
pub(super) struct Person {
    pub entity: u64,
    pub population: Population,
    pub sex: Sex,
    /// Index in the male or female given-name table.
    pub given: u16,
    pub family: Family,
    /// Father's given name (male table) and mother's given name (female table).
    pub father: u16,
    pub mother: u16,
    pub dob: Date,
    /// The person knows only a year of birth (`reported_year`, often rounded to 0 or 5).
    pub year_only: bool,
    pub reported_year: i32,
    pub age: i32,
    pub place: u16,
    pub phone: Option<Phone>,
    /// Index of the household in its chunk.
    pub household: usize,
}

/// A household: members are `persons[start..end]` of the chunk.
#[derive(Clone, Debug)]
pub(super) struct Household {
    pub population: Population,
    pub start: usize,
    pub end: usize,
    pub phone: Option<Phone>,
}

/// What one household generation needs to know.
pub(super) struct Context<'a> {
    pub population: Population,
    pub data: &'a PopulationData,
    pub catalog: &'a Catalog,
    pub profile: Profile,
    pub reference: Date,
}

/// Weights of adult ages 18..=90 in five-year bands: displaced populations are young.
const ADULT_AGE_BANDS: [(i32, u32); 15] = [
    (18, 70),
    (20, 140),
    (25, 160),
    (30, 160),
    (35, 140),
    (40, 110),
    (45, 90),
    (50, 70),
    (55, 50),
    (60, 40),
    (65, 25),
    (70, 15),
    (75, 8),
    (80, 4),
    (85, 2),
];

/// An adult age in `lo..=hi` following the population pyramid.
fn adult_age(rng: &mut Rng, lo: i32, hi: i32) -> i32 {
    let weights: [u32; ADULT_AGE_BANDS.len()] = std::array::from_fn(|i| {
        let (start, weight) = ADULT_AGE_BANDS[i];
        let end = ADULT_AGE_BANDS.get(i + 1).map_or(90, |&(next, _)| next - 1);
        if end < lo || start > hi { 0 } else { weight }
    });
    let band = rng.weighted(&weights);
    let start = ADULT_AGE_BANDS.get(band).map_or(lo, |&(start, _)| start);
    let end = ADULT_AGE_BANDS.get(band + 1).map_or(90, |&(next, _)| next - 1);
    rng.range(i64::from(start.max(lo)), i64::from(end.min(hi))) as i32
}

/// A birth date giving exactly `age` on the reference date.
fn birth_date(rng: &mut Rng, age: i32, reference: Date) -> Date {
    let last_birthday = Date::clamped(reference.year - age, reference.month, reference.day);
    Date::from_days(last_birthday.to_days() - rng.below(365) as i64)
}

/// Number of children: at least one, geometric with the profile's mean, at most 10.
fn child_count(rng: &mut Rng, mean: f64) -> usize {
    let more = 1.0 - 1.0 / mean.max(1.0);
    let mut count = 1;
    while count < 10 && rng.chance(more) {
        count += 1;
    }
    count
}

/// The names of a household's lineage, from which every member's family name follows.
struct Lineage {
    /// Father's given name, his father's, and the mother's father's.
    father: u16,
    grandfather: u16,
    mother: u16,
    mother_father: u16,
    /// Surnames: father's, his mother's, mother's own, her mother's.
    surname: u16,
    father_mother_surname: u16,
    mother_surname: u16,
    mother_mother_surname: u16,
    /// The rule this household follows (a `Mixed` profile decided once per household).
    rule: Rule,
    wife_takes_name: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Rule {
    Surname,
    FatherName,
    GrandfatherName,
    Double,
}

impl Lineage {
    fn new(rng: &mut Rng, ctx: &Context) -> Lineage {
        let data = ctx.data;
        let male = |rng: &mut Rng| data.male.weights.sample(rng) as u16;
        let surname = |rng: &mut Rng| data.family.weights.sample(rng) as u16;
        let (rule, wife_takes) = match ctx.profile.naming {
            Naming::Surname { wife_takes } => (Rule::Surname, wife_takes),
            Naming::FatherName => (Rule::FatherName, 0.0),
            Naming::GrandfatherName => (Rule::GrandfatherName, 0.0),
            Naming::Double => (Rule::Double, 0.0),
            Naming::Mixed { surname_share, otherwise_grandfather } => {
                let fallback = if otherwise_grandfather { Rule::GrandfatherName } else { Rule::FatherName };
                (if rng.chance(surname_share) { Rule::Surname } else { fallback }, 0.0)
            }
        };
        // Families without surnames in the tables fall back to the father's name.
        let rule = if data.family.entries.is_empty() && matches!(rule, Rule::Surname | Rule::Double) {
            Rule::FatherName
        } else {
            rule
        };
        Lineage {
            father: male(rng),
            grandfather: male(rng),
            mother: data.female.weights.sample(rng) as u16,
            mother_father: male(rng),
            surname: surname(rng),
            father_mother_surname: surname(rng),
            mother_surname: surname(rng),
            mother_mother_surname: surname(rng),
            rule,
            wife_takes_name: rng.chance(wife_takes),
        }
    }

    fn surname(&self, index: u16, sex: Sex) -> Family {
        Family::Surname { index, feminine: sex == Sex::Female }
    }

    /// Family name of a child of this father and mother.
    fn child_family(&self, sex: Sex) -> Family {
        match self.rule {
            Rule::Surname => self.surname(self.surname, sex),
            Rule::FatherName => Family::Given(self.father),
            Rule::GrandfatherName => Family::Given(self.grandfather),
            Rule::Double => Family::Double(self.surname, self.mother_surname),
        }
    }

    /// Family name of the father himself (`great_grandfather` is his grandfather's name).
    fn father_family(&self, great_grandfather: u16) -> Family {
        match self.rule {
            Rule::Surname => self.surname(self.surname, Sex::Male),
            Rule::FatherName => Family::Given(self.grandfather),
            Rule::GrandfatherName => Family::Given(great_grandfather),
            Rule::Double => Family::Double(self.surname, self.father_mother_surname),
        }
    }

    /// Family name of the mother (`her_grandfather` is her father's father).
    fn mother_family(&self, her_grandfather: u16) -> Family {
        match self.rule {
            Rule::Surname if self.wife_takes_name => self.surname(self.surname, Sex::Female),
            Rule::Surname => self.surname(self.mother_surname, Sex::Female),
            Rule::FatherName => Family::Given(self.mother_father),
            Rule::GrandfatherName => Family::Given(her_grandfather),
            Rule::Double => Family::Double(self.mother_surname, self.mother_mother_surname),
        }
    }

    /// Family name of the father's mother (a grandmother living with the family).
    fn grandmother_family(&self, her_father: u16, her_grandfather: u16) -> Family {
        match self.rule {
            Rule::Surname if self.wife_takes_name => self.surname(self.surname, Sex::Female),
            Rule::Surname => self.surname(self.father_mother_surname, Sex::Female),
            Rule::FatherName => Family::Given(her_father),
            Rule::GrandfatherName => Family::Given(her_grandfather),
            Rule::Double => Family::Double(self.father_mother_surname, self.mother_mother_surname),
        }
    }
}

/// Builds households one by one into a chunk's person list.
pub(super) struct Builder<'a, 'r> {
    pub rng: &'r mut Rng,
    pub ctx: &'a Context<'a>,
    pub persons: &'r mut Vec<Person>,
    pub next_entity: &'r mut u64,
}

/// A member before it becomes a `Person`.
struct Member {
    sex: Sex,
    given: Option<u16>,
    family: Family,
    father: u16,
    mother: u16,
    age: i32,
}

impl Builder<'_, '_> {
    /// Generates one household (at most `room` persons) and returns it.
    pub(super) fn household(&mut self, household_index: usize, room: usize) -> Household {
        let ctx = self.ctx;
        let kind_weights = Cumulative::new(ctx.profile.households);
        let kind = HouseholdKind::ALL.get(kind_weights.sample(self.rng)).copied().unwrap_or(HouseholdKind::SingleAdult);
        let lineage = Lineage::new(self.rng, ctx);
        let members = self.members(kind, &lineage);
        let place = ctx.data.places.weights.sample(self.rng) as u16;
        let phone = self.household_phone(place);
        let start = self.persons.len();
        let mut used_given: Vec<(Sex, u16)> = Vec::new();
        for member in members.into_iter().take(room.max(1)) {
            let given = self.distinct_given(member.sex, member.given, &used_given);
            used_given.push((member.sex, given));
            let own_phone = member.age >= 18 && self.rng.chance(0.2);
            let phone = if own_phone { Some(self.phone_for(place)) } else { phone };
            self.push_person(member, given, place, phone, household_index);
        }
        Household { population: ctx.population, start, end: self.persons.len(), phone }
    }

    fn household_phone(&mut self, place: u16) -> Option<Phone> {
        self.rng.chance(self.ctx.profile.phone_share).then(|| self.phone_for(place))
    }

    /// A number from the home country or from a host country.
    fn phone_for(&mut self, place: u16) -> Phone {
        let ctx = self.ctx;
        let home = ctx.data.places.get(place).and_then(|entry| entry.plan);
        let plan = match home {
            Some(plan) if self.rng.chance(ctx.profile.home_phone) => plan,
            _ => ctx.data.phone_plans.get(ctx.data.phone_weights.sample(self.rng)).copied().unwrap_or(0),
        };
        random_phone(self.rng, ctx.catalog, plan)
    }

    /// A given name not yet used in the household for the same sex (siblings differ).
    fn distinct_given(&mut self, sex: Sex, fixed: Option<u16>, used: &[(Sex, u16)]) -> u16 {
        if let Some(given) = fixed {
            return given;
        }
        let table = match sex {
            Sex::Male => &self.ctx.data.male,
            Sex::Female => &self.ctx.data.female,
        };
        let mut given = table.weights.sample(self.rng) as u16;
        for _ in 0..8 {
            if !used.contains(&(sex, given)) {
                break;
            }
            given = table.weights.sample(self.rng) as u16;
        }
        given
    }

    fn push_person(&mut self, member: Member, given: u16, place: u16, phone: Option<Phone>, household: usize) {
        let ctx = self.ctx;
        let dob = birth_date(self.rng, member.age, ctx.reference);
        // Children more often have documents; adults often know only the year.
        let share = if member.age < 10 { ctx.profile.year_only * 0.5 } else { ctx.profile.year_only };
        let year_only = self.rng.chance(share);
        let heaped = year_only && member.age >= 20 && self.rng.chance(0.4);
        let reported_year = if heaped { (dob.year + 2).div_euclid(5) * 5 } else { dob.year };
        *self.next_entity += 1;
        self.persons.push(Person {
            entity: *self.next_entity,
            population: ctx.population,
            sex: member.sex,
            given,
            family: member.family,
            father: member.father,
            mother: member.mother,
            dob,
            year_only,
            reported_year,
            age: member.age,
            place,
            phone,
            household,
        });
    }

    fn random_sex(&mut self) -> Sex {
        if self.rng.chance(0.5) { Sex::Female } else { Sex::Male }
    }

    fn male(&mut self) -> u16 {
        self.ctx.data.male.weights.sample(self.rng) as u16
    }

    fn female(&mut self) -> u16 {
        self.ctx.data.female.weights.sample(self.rng) as u16
    }

    /// The members of a household of the given kind, eldest first.
    fn members(&mut self, kind: HouseholdKind, lineage: &Lineage) -> Vec<Member> {
        let mut members = Vec::new();
        match kind {
            HouseholdKind::CoupleWithChildren => {
                let father_age = adult_age(self.rng, 20, 70);
                let mother_age = (father_age - self.rng.range(0, 10) as i32).max(17);
                members.push(self.father(lineage, father_age));
                members.push(self.mother(lineage, mother_age));
                if father_age >= 35 && self.rng.chance(0.1) {
                    let age = (father_age + self.rng.range(20, 32) as i32).min(90);
                    members.push(self.grandmother(lineage, age));
                }
                self.children(lineage, mother_age, &mut members);
            }
            HouseholdKind::SingleParent => {
                if self.rng.chance(0.85) {
                    let age = adult_age(self.rng, 18, 60);
                    members.push(self.mother(lineage, age));
                    self.children(lineage, age, &mut members);
                } else {
                    let age = adult_age(self.rng, 20, 70);
                    members.push(self.father(lineage, age));
                    let mother_age = (age - self.rng.range(0, 8) as i32).max(18);
                    self.children(lineage, mother_age, &mut members);
                }
            }
            HouseholdKind::SingleAdult => {
                let age = adult_age(self.rng, 18, 90);
                if self.rng.chance(self.ctx.profile.single_male) {
                    members.push(self.father(lineage, age));
                } else {
                    members.push(self.mother(lineage, age));
                }
            }
            HouseholdKind::Couple => {
                let father_age = adult_age(self.rng, 18, 85);
                members.push(self.father(lineage, father_age));
                let mother_age = (father_age - self.rng.range(0, 8) as i32).max(17);
                members.push(self.mother(lineage, mother_age));
            }
            HouseholdKind::GrandparentWithChildren => {
                let age = adult_age(self.rng, 50, 90);
                members.push(self.grandmother(lineage, age));
                let count = 1 + self.rng.below(4);
                for _ in 0..count {
                    let sex = self.random_sex();
                    let child_age = self.rng.range(0, 15) as i32;
                    members.push(self.child(lineage, sex, child_age));
                }
            }
            HouseholdKind::UnaccompaniedChild => {
                let sex = if self.rng.chance(0.65) { Sex::Male } else { Sex::Female };
                let age = self.rng.range(8, 17) as i32;
                members.push(self.child(lineage, sex, age));
            }
            HouseholdKind::Siblings => {
                let eldest = self.rng.range(18, 24) as i32;
                let sex = self.random_sex();
                members.push(self.child(lineage, sex, eldest));
                let mut age = eldest;
                for _ in 0..1 + self.rng.below(4) {
                    age -= 1 + self.rng.below(3) as i32;
                    if age < 0 {
                        break;
                    }
                    let sex = self.random_sex();
                    members.push(self.child(lineage, sex, age));
                }
            }
        }
        members.sort_by_key(|member| std::cmp::Reverse(member.age));
        members
    }

    fn father(&mut self, lineage: &Lineage, age: i32) -> Member {
        let great_grandfather = self.male();
        let father_mother = self.female();
        Member {
            sex: Sex::Male,
            given: Some(lineage.father),
            family: lineage.father_family(great_grandfather),
            father: lineage.grandfather,
            mother: father_mother,
            age,
        }
    }

    fn mother(&mut self, lineage: &Lineage, age: i32) -> Member {
        let her_grandfather = self.male();
        let her_mother = self.female();
        Member {
            sex: Sex::Female,
            given: Some(lineage.mother),
            family: lineage.mother_family(her_grandfather),
            father: lineage.mother_father,
            mother: her_mother,
            age,
        }
    }

    /// The father's mother: her own father and grandfather are outside the lineage.
    fn grandmother(&mut self, lineage: &Lineage, age: i32) -> Member {
        let her_father = self.male();
        let her_grandfather = self.male();
        let her_mother = self.female();
        Member {
            sex: Sex::Female,
            given: None,
            family: lineage.grandmother_family(her_father, her_grandfather),
            father: her_father,
            mother: her_mother,
            age,
        }
    }

    fn child(&mut self, lineage: &Lineage, sex: Sex, age: i32) -> Member {
        Member {
            sex,
            given: None,
            family: lineage.child_family(sex),
            father: lineage.father,
            mother: lineage.mother,
            age,
        }
    }

    /// Children of a mother aged `mother_age`, eldest first, one to four years apart.
    fn children(&mut self, lineage: &Lineage, mother_age: i32, members: &mut Vec<Member>) {
        let count = child_count(self.rng, self.ctx.profile.children_mean);
        let mut age = (mother_age - 17 - self.rng.range(0, 6) as i32).clamp(0, 22);
        for _ in 0..count {
            let sex = self.random_sex();
            members.push(self.child(lineage, sex, age));
            age -= 1 + self.rng.below(4) as i32;
            if age < 0 {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::data::catalog;
    use super::*;

    #[test]
    fn adult_ages_stay_in_range() {
        let mut rng = Rng::new(4);
        for _ in 0..2000 {
            let age = adult_age(&mut rng, 20, 70);
            assert!((20..=70).contains(&age));
        }
    }

    #[test]
    fn birth_dates_match_ages() {
        let mut rng = Rng::new(9);
        let reference = Date { year: 2026, month: 6, day: 1 };
        for age in 0..=90 {
            for _ in 0..20 {
                assert_eq!(birth_date(&mut rng, age, reference).age_on(reference), age);
            }
        }
    }

    #[test]
    fn somali_children_carry_the_fathers_name() {
        let catalog = catalog();
        let ctx = Context {
            population: Population::Somali,
            data: catalog.population(Population::Somali),
            catalog,
            profile: Profile::of(Population::Somali),
            reference: Date { year: 2026, month: 6, day: 1 },
        };
        let mut rng = Rng::new(3);
        let mut persons = Vec::new();
        let mut next = 0;
        let mut builder = Builder { rng: &mut rng, ctx: &ctx, persons: &mut persons, next_entity: &mut next };
        for index in 0..200 {
            builder.household(index, 20);
        }
        let children: Vec<&Person> = persons.iter().filter(|p| p.age < 12).collect();
        assert!(!children.is_empty());
        for child in children {
            assert_eq!(child.family, Family::Given(child.father));
        }
    }
}
