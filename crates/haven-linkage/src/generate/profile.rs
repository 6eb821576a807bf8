//! How each population names its families, forms households, knows its birth dates and gets
//! registered. Rough estimates, chosen so that the data is as hard as real registries (many
//! year-only births, large families, several scripts), not statistics of any operation.

use super::Population;

/// How a family name is formed.
#[derive(Clone, Copy, Debug)]
pub(super) enum Naming {
    /// An inherited family name; `wife_takes` is the share of wives registered under the husband's.
    Surname { wife_takes: f64 },
    /// The father's given name serves as family name (Somali, Eritrean practice).
    FatherName,
    /// The paternal grandfather's given name serves as family name (Sudanese, many Iraqis).
    GrandfatherName,
    /// Some families carry a surname (`surname_share`), the others a father's or grandfather's name.
    Mixed { surname_share: f64, otherwise_grandfather: bool },
    /// Two surnames, the father's first and the mother's first (Spanish-speaking countries).
    Double,
}

/// Kinds of household, in the order of `Profile::households` weights.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum HouseholdKind {
    CoupleWithChildren,
    SingleParent,
    SingleAdult,
    Couple,
    GrandparentWithChildren,
    UnaccompaniedChild,
    Siblings,
}

impl HouseholdKind {
    pub(super) const ALL: [HouseholdKind; 7] = [
        HouseholdKind::CoupleWithChildren,
        HouseholdKind::SingleParent,
        HouseholdKind::SingleAdult,
        HouseholdKind::Couple,
        HouseholdKind::GrandparentWithChildren,
        HouseholdKind::UnaccompaniedChild,
        HouseholdKind::Siblings,
    ];
}

/// Ways of writing the Arabic article of a family name, in the order of `Profile::articles`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Article {
    /// al-Jubouri
    LowerHyphen,
    /// Al-Jubouri
    Hyphen,
    /// Al Jubouri
    Space,
    /// Aljubouri
    Attached,
    /// El-Jubouri
    ElHyphen,
    /// Eljubouri
    ElAttached,
    /// Ash-Shammari (assimilated to a following "sun letter"), Al- otherwise
    Assimilated,
    /// Jubouri
    Dropped,
}

impl Article {
    pub(super) const ALL: [Article; 8] = [
        Article::LowerHyphen,
        Article::Hyphen,
        Article::Space,
        Article::Attached,
        Article::ElHyphen,
        Article::ElAttached,
        Article::Assimilated,
        Article::Dropped,
    ];
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Profile {
    pub naming: Naming,
    /// Share of registrations written in the native script (0 for Latin-script languages).
    pub native_script: f64,
    /// Share of Latin registrations made by transliterating the native spelling (Cyrillic).
    pub transliterate: f64,
    /// Share of adults who know only their year of birth (children: half of it).
    pub year_only: f64,
    /// Mean number of children of a mother.
    pub children_mean: f64,
    /// Weights of `HouseholdKind::ALL`.
    pub households: [u32; 7],
    /// Share of men among adults living alone.
    pub single_male: f64,
    /// Registrar traditions: French-trained, community orthography, Polish/German.
    pub french_registrar: f64,
    pub local_orthography: f64,
    pub central_europe: f64,
    /// Share of registrars whose keyboard or habit drops accents.
    pub drop_accents: f64,
    /// Weights of `Article::ALL`.
    pub articles: [u32; 8],
    /// Share of phone numbers from the country of origin (the others from host countries).
    pub home_phone: f64,
    /// Share of households with a phone.
    pub phone_share: f64,
}

const LEVANT_ARTICLES: [u32; 8] = [18, 30, 18, 10, 6, 2, 4, 12];
const NO_ARTICLES: [u32; 8] = [0, 0, 0, 0, 0, 0, 0, 1];

impl Profile {
    pub(super) fn of(population: Population) -> Profile {
        match population {
            Population::Iraqi => Profile {
                naming: Naming::Mixed { surname_share: 0.65, otherwise_grandfather: true },
                native_script: 0.22,
                year_only: 0.22,
                children_mean: 3.3,
                articles: [20, 30, 20, 10, 3, 1, 6, 10],
                home_phone: 0.75,
                ..BASE
            },
            Population::Syrian => Profile {
                naming: Naming::Surname { wife_takes: 0.1 },
                native_script: 0.2,
                year_only: 0.12,
                children_mean: 3.1,
                french_registrar: 0.12,
                articles: LEVANT_ARTICLES,
                home_phone: 0.4,
                ..BASE
            },
            Population::Sudanese => Profile {
                naming: Naming::GrandfatherName,
                native_script: 0.25,
                year_only: 0.45,
                children_mean: 3.9,
                french_registrar: 0.15,
                articles: [4, 8, 6, 6, 36, 30, 2, 8],
                home_phone: 0.6,
                ..BASE
            },
            Population::Kurdish => Profile {
                naming: Naming::Mixed { surname_share: 0.55, otherwise_grandfather: true },
                native_script: 0.14,
                year_only: 0.25,
                children_mean: 3.3,
                local_orthography: 0.25,
                articles: LEVANT_ARTICLES,
                home_phone: 0.75,
                ..BASE
            },
            Population::Dari => Profile {
                naming: Naming::Mixed { surname_share: 0.6, otherwise_grandfather: false },
                native_script: 0.2,
                year_only: 0.5,
                children_mean: 3.9,
                households: [56, 18, 9, 6, 5, 3, 3],
                home_phone: 0.6,
                ..BASE
            },
            Population::Pashto => Profile {
                naming: Naming::Mixed { surname_share: 0.65, otherwise_grandfather: false },
                native_script: 0.18,
                year_only: 0.6,
                children_mean: 4.3,
                households: [58, 17, 8, 5, 5, 4, 3],
                home_phone: 0.6,
                ..BASE
            },
            Population::Somali => Profile {
                naming: Naming::FatherName,
                year_only: 0.6,
                children_mean: 4.2,
                households: [48, 30, 8, 4, 5, 3, 2],
                local_orthography: 0.35,
                home_phone: 0.65,
                ..BASE
            },
            Population::Tigrinya => Profile {
                naming: Naming::FatherName,
                native_script: 0.2,
                year_only: 0.3,
                children_mean: 3.0,
                households: [28, 15, 36, 5, 3, 8, 5],
                single_male: 0.6,
                home_phone: 0.5,
                ..BASE
            },
            Population::Hausa => Profile {
                naming: Naming::Mixed { surname_share: 0.3, otherwise_grandfather: false },
                year_only: 0.6,
                children_mean: 4.4,
                french_registrar: 0.3,
                home_phone: 0.75,
                ..BASE
            },
            Population::FrancophoneWest => Profile {
                naming: Naming::Surname { wife_takes: 0.1 },
                year_only: 0.45,
                children_mean: 3.9,
                french_registrar: 0.8,
                drop_accents: 0.5,
                home_phone: 0.6,
                ..BASE
            },
            Population::FrancophoneCentral => Profile {
                naming: Naming::Surname { wife_takes: 0.2 },
                year_only: 0.3,
                children_mean: 3.8,
                french_registrar: 0.8,
                drop_accents: 0.5,
                home_phone: 0.6,
                ..BASE
            },
            Population::Hispanic => Profile {
                naming: Naming::Double,
                year_only: 0.02,
                children_mean: 2.1,
                households: [44, 24, 18, 9, 2, 1, 2],
                drop_accents: 0.55,
                articles: NO_ARTICLES,
                home_phone: 0.55,
                phone_share: 0.95,
                ..BASE
            },
            Population::Ukrainian => Profile {
                naming: Naming::Surname { wife_takes: 0.85 },
                native_script: 0.3,
                transliterate: 0.6,
                year_only: 0.005,
                children_mean: 1.6,
                households: [16, 38, 22, 9, 10, 1, 4],
                single_male: 0.3,
                central_europe: 0.3,
                articles: NO_ARTICLES,
                home_phone: 0.55,
                phone_share: 0.95,
                ..BASE
            },
        }
    }
}

/// Values shared by most populations; each profile overrides what differs.
const BASE: Profile = Profile {
    naming: Naming::Surname { wife_takes: 0.0 },
    native_script: 0.0,
    transliterate: 0.0,
    year_only: 0.3,
    children_mean: 3.5,
    households: [50, 20, 12, 7, 4, 3, 4],
    single_male: 0.65,
    french_registrar: 0.0,
    local_orthography: 0.0,
    central_europe: 0.0,
    drop_accents: 0.1,
    articles: LEVANT_ARTICLES,
    home_phone: 0.6,
    phone_share: 0.85,
};
