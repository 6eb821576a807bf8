//! What the records look like: which column holds which kind of value.

use std::fmt;
use std::str::FromStr;

/// The kind of value a column holds; it decides how the column is normalized, compared and
/// used for blocking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldType {
    GivenName,
    FamilyName,
    /// A whole name in one column: the person's, or a relative's (mother, father).
    FullName,
    /// Date of birth, possibly partial (year, year-month) or uncertain.
    Date,
    /// Year of birth.
    Year,
    /// Age in whole years at the reference date.
    Age,
    Sex,
    Place,
    Text,
    Phone,
    Id,
    Exact,
}

impl FieldType {
    pub const ALL: [FieldType; 12] = [
        FieldType::GivenName,
        FieldType::FamilyName,
        FieldType::FullName,
        FieldType::Date,
        FieldType::Year,
        FieldType::Age,
        FieldType::Sex,
        FieldType::Place,
        FieldType::Text,
        FieldType::Phone,
        FieldType::Id,
        FieldType::Exact,
    ];

    pub fn code(self) -> &'static str {
        match self {
            FieldType::GivenName => "given_name",
            FieldType::FamilyName => "family_name",
            FieldType::FullName => "full_name",
            FieldType::Date => "date",
            FieldType::Year => "year",
            FieldType::Age => "age",
            FieldType::Sex => "sex",
            FieldType::Place => "place",
            FieldType::Text => "text",
            FieldType::Phone => "phone",
            FieldType::Id => "id",
            FieldType::Exact => "exact",
        }
    }

    pub fn is_name(self) -> bool {
        matches!(self, FieldType::GivenName | FieldType::FamilyName | FieldType::FullName)
    }

    pub fn is_birth(self) -> bool {
        matches!(self, FieldType::Date | FieldType::Year | FieldType::Age)
    }
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown field type {0:?}; use one of given_name, family_name, full_name, date, year, age, sex, place, text, phone, id, exact"
)]
pub struct UnknownFieldType(pub String);

impl FromStr for FieldType {
    type Err = UnknownFieldType;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FieldType::ALL.into_iter().find(|t| t.code() == s).ok_or_else(|| UnknownFieldType(s.to_owned()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub kind: FieldType,
}

/// The columns a linker compares, in the order of `Record::values`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Schema {
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemaError {
    #[error("no columns to compare")]
    Empty,
    #[error("column {0:?} is listed twice")]
    Duplicate(String),
    #[error("at most one column may be of type {0}")]
    TooMany(FieldType),
}

impl Schema {
    pub fn new(fields: Vec<Field>) -> Result<Self, SchemaError> {
        if fields.is_empty() {
            return Err(SchemaError::Empty);
        }
        for (i, f) in fields.iter().enumerate() {
            if fields[..i].iter().any(|g| g.name == f.name) {
                return Err(SchemaError::Duplicate(f.name.clone()));
            }
        }
        for kind in [FieldType::GivenName, FieldType::FamilyName, FieldType::Sex] {
            if fields.iter().filter(|f| f.kind == kind).count() > 1 {
                return Err(SchemaError::TooMany(kind));
            }
        }
        Ok(Self { fields })
    }

    pub fn of(pairs: &[(&str, FieldType)]) -> Result<Self, SchemaError> {
        Self::new(pairs.iter().map(|(n, k)| Field { name: (*n).to_owned(), kind: *k }).collect())
    }

    pub fn position(&self, kind: FieldType) -> Option<usize> {
        self.fields.iter().position(|f| f.kind == kind)
    }

    /// Maps common column names to field types: what `haven match` does without `--field`.
    pub fn guess(headers: &[&str], id_column: &str) -> Result<Self, SchemaError> {
        let fields = headers
            .iter()
            .filter(|h| **h != id_column)
            .filter_map(|h| guess_type(h).map(|kind| Field { name: (*h).to_owned(), kind }))
            .collect::<Vec<_>>();
        // A second given-name-like column (e.g. both first_name and given_name) becomes a
        // full name rather than an error.
        let mut seen = Vec::new();
        let fields = fields
            .into_iter()
            .map(|mut f| {
                if matches!(f.kind, FieldType::GivenName | FieldType::FamilyName | FieldType::Sex) {
                    if seen.contains(&f.kind) {
                        f.kind = if f.kind == FieldType::Sex { FieldType::Exact } else { FieldType::FullName };
                    }
                    seen.push(f.kind);
                }
                f
            })
            .collect();
        Self::new(fields)
    }
}

fn guess_type(header: &str) -> Option<FieldType> {
    let h = header.trim().to_ascii_lowercase().replace([' ', '-'], "_");
    Some(match h.as_str() {
        "given_name" | "first_name" | "firstname" | "givenname" | "forename" | "prenom" => FieldType::GivenName,
        "family_name" | "surname" | "last_name" | "lastname" | "familyname" | "nom" => FieldType::FamilyName,
        "name" | "full_name" | "fullname" | "mother_name" | "father_name" | "mothers_name" | "fathers_name"
        | "grandfather_name" | "caregiver_name" | "sibling_name" | "sibling_names" => FieldType::FullName,
        "dob" | "date_of_birth" | "birth_date" | "birthdate" | "date_naissance" => FieldType::Date,
        "year_of_birth" | "birth_year" => FieldType::Year,
        "age" | "age_years" => FieldType::Age,
        "sex" | "gender" => FieldType::Sex,
        "place_of_origin" | "place" | "origin" | "address" | "address_1" | "address_2" | "suburb" | "village"
        | "town" | "city" | "district" | "state" | "governorate" | "place_of_birth" => FieldType::Place,
        "phone" | "phone_number" | "mobile" | "telephone" | "tel" => FieldType::Phone,
        "postcode" | "postal_code" | "zip" | "street_number" => FieldType::Exact,
        "soc_sec_id" | "national_id" | "id_number" | "document_number" | "unhcr_id" | "registration_number" => {
            FieldType::Id
        }
        "notes" | "description" | "remarks" => FieldType::Text,
        _ => return None,
    })
}

/// One record: its identifier and its values in schema order (empty = missing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub id: String,
    pub values: Vec<String>,
}

impl Record {
    pub fn new(id: impl Into<String>, values: Vec<String>) -> Self {
        Self { id: id.into(), values }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guesses_common_headers() {
        let s = Schema::guess(
            &["id", "given_name", "surname", "dob", "sex", "suburb", "postcode", "mother_name", "notes_x"],
            "id",
        )
        .unwrap();
        let kinds: Vec<_> = s.fields.iter().map(|f| (f.name.as_str(), f.kind)).collect();
        assert_eq!(
            kinds,
            vec![
                ("given_name", FieldType::GivenName),
                ("surname", FieldType::FamilyName),
                ("dob", FieldType::Date),
                ("sex", FieldType::Sex),
                ("suburb", FieldType::Place),
                ("postcode", FieldType::Exact),
                ("mother_name", FieldType::FullName),
            ]
        );
    }

    #[test]
    fn rejects_bad_schemas() {
        assert_eq!(Schema::new(vec![]), Err(SchemaError::Empty));
        assert_eq!(
            Schema::of(&[("a", FieldType::Sex), ("a", FieldType::Place)]),
            Err(SchemaError::Duplicate("a".into()))
        );
        assert_eq!("nonsense".parse::<FieldType>(), Err(UnknownFieldType("nonsense".into())));
        assert_eq!("given_name".parse::<FieldType>(), Ok(FieldType::GivenName));
    }
}
