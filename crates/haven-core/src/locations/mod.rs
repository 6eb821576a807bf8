//! Administrative boundaries with P-codes, as OCHA publishes them (common operational
//! datasets), in CSV with or without an HXL hashtag row.
//!
//! Two layouts are read:
//! - wide: one row per lowest unit, with a code and name column per level
//!   (`admin1Pcode`, `admin1Name_en`, `ADM2_PCODE`, `ADM2_FR`... or HXL `#adm1+code`,
//!   `#adm1+name+i_fr`); the country is level 0 (`admin0Pcode`, `#country+code`);
//! - long: one row per unit: `pcode`, `name` (or `name_en`), `level`, `parent_pcode`,
//!   with optional `name_fr`, `name_ar`.

mod parse;

pub use parse::{ImportedLocation, LocationProblem, parse_locations};

/// The materialized path of a location from its ancestors' codes, e.g. `/XY/XY01/XY0101/`.
pub fn path_of(ancestors_and_self: &[&str]) -> String {
    let mut p = String::from("/");
    for code in ancestors_and_self {
        p.push_str(code);
        p.push('/');
    }
    p
}
