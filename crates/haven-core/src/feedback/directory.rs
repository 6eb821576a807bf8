//! The service directory: who does what where, so an agent can refer a person to a service
//! that covers their location. A service at a region serves every place under it.

use serde::{Deserialize, Serialize};

use super::intake::FieldProblem;

/// What a service does (the usual referral pathways of a protection response).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceType {
    Health,
    GbvCaseManagement,
    ChildProtection,
    LegalAid,
    Shelter,
    Cash,
    Food,
    Wash,
    Education,
    Mhpss,
    Documentation,
    PseaInvestigation,
    Other,
}

coded!(ServiceType {
    Health => "health",
    GbvCaseManagement => "gbv_case_management",
    ChildProtection => "child_protection",
    LegalAid => "legal_aid",
    Shelter => "shelter",
    Cash => "cash",
    Food => "food",
    Wash => "wash",
    Education => "education",
    Mhpss => "mhpss",
    Documentation => "documentation",
    PseaInvestigation => "psea_investigation",
    Other => "other",
});

const MAX_SHORT: usize = 200;
const MAX_LONG: usize = 2_000;
/// A service covers at most this many places (pick the region rather than every site).
pub const MAX_LOCATIONS: usize = 100;

/// A service as typed in a form, an API body or an imported row: every field untyped, so
/// each problem is reported against its field.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RawService {
    pub organisation: Option<String>,
    pub name: Option<String>,
    pub service_type: Option<String>,
    pub description: Option<String>,
    /// Location P-codes the service covers.
    pub locations: Vec<String>,
    pub contact: Option<String>,
    pub opening_hours: Option<String>,
    /// Language codes, e.g. `["ar", "en"]`.
    pub languages: Vec<String>,
    pub referral_criteria: Option<String>,
    pub accepts_referrals: Option<bool>,
    pub active: Option<bool>,
}

/// A checked service. Free texts are trimmed; locations and languages are deduplicated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub organisation: String,
    pub name: String,
    pub service_type: ServiceType,
    pub description: String,
    pub locations: Vec<String>,
    pub contact: String,
    pub opening_hours: String,
    pub languages: Vec<String>,
    pub referral_criteria: String,
    pub accepts_referrals: bool,
    pub active: bool,
}

fn text(value: Option<String>) -> String {
    value.map(|v| v.trim().to_owned()).unwrap_or_default()
}

/// A two- or three-letter language code, lower case.
pub fn is_language_code(code: &str) -> bool {
    (2..=3).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_lowercase())
}

/// Split a list typed as "ar, en; fr" into its items.
pub fn split_list(value: &str) -> Vec<String> {
    value.split([',', ';', ' ']).map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned).collect()
}

impl RawService {
    /// Set the field called `field` (its name in forms, the API and imports) from typed text:
    /// free texts as typed, lists split (see [`split_list`]) and added to what is there.
    /// Returns false for a name that is no text or list field (the yes/no fields are read
    /// by each caller in its own way: a tick box, a spreadsheet's "yes").
    pub fn set_text(&mut self, field: &str, value: &str) -> bool {
        let text = Some(value.to_owned());
        match field {
            "organisation" => self.organisation = text,
            "name" => self.name = text,
            "service_type" => self.service_type = text,
            "description" => self.description = text,
            "locations" => self.locations.extend(split_list(value)),
            "contact" => self.contact = text,
            "opening_hours" => self.opening_hours = text,
            "languages" => self.languages.extend(split_list(value)),
            "referral_criteria" => self.referral_criteria = text,
            _ => return false,
        }
        true
    }

    /// Check every field; all problems are returned together. Whether each location is in
    /// the tree is the store's check.
    pub fn validate(self) -> Result<Service, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let mut problem = |field, code| problems.push(FieldProblem { field, code });
        let mut required = |field: &'static str, value: Option<String>, max: usize| {
            let v = text(value);
            if v.is_empty() {
                problem(field, "required");
            } else if v.chars().count() > max {
                problem(field, "too-long");
            }
            v
        };
        let organisation = required("organisation", self.organisation, MAX_SHORT);
        let name = required("name", self.name, MAX_SHORT);
        let contact = required("contact", self.contact, MAX_LONG);
        let mut optional = |field: &'static str, value: Option<String>, max: usize| {
            let v = text(value);
            if v.chars().count() > max {
                problem(field, "too-long");
            }
            v
        };
        let description = optional("description", self.description, MAX_LONG);
        let opening_hours = optional("opening_hours", self.opening_hours, MAX_SHORT);
        let referral_criteria = optional("referral_criteria", self.referral_criteria, MAX_LONG);
        let service_type = match text(self.service_type) {
            t if t.is_empty() => {
                problem("service_type", "required");
                None
            }
            t => ServiceType::from_code(&t).or_else(|| {
                problem("service_type", "unknown-code");
                None
            }),
        };
        let mut locations: Vec<String> =
            self.locations.iter().map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()).collect();
        locations.sort();
        locations.dedup();
        if locations.is_empty() {
            problem("locations", "required");
        } else if locations.len() > MAX_LOCATIONS {
            problem("locations", "too-long");
        }
        let mut languages: Vec<String> =
            self.languages.iter().map(|l| l.trim().to_ascii_lowercase()).filter(|l| !l.is_empty()).collect();
        languages.dedup();
        if languages.iter().any(|l| !is_language_code(l)) {
            problem("languages", "invalid-language");
        }
        match service_type {
            Some(service_type) if problems.is_empty() => Ok(Service {
                organisation,
                name,
                service_type,
                description,
                locations,
                contact,
                opening_hours,
                languages,
                referral_criteria,
                accepts_referrals: self.accepts_referrals.unwrap_or(true),
                active: self.active.unwrap_or(true),
            }),
            _ => Err(problems),
        }
    }
}

/// Whether a service covering the places at `served_paths` serves the place at `path`
/// (materialized paths such as `/XY/XY01/`): it does when one of them is `path` or above it.
pub fn serves(served_paths: &[&str], path: &str) -> bool {
    served_paths.iter().any(|s| path.starts_with(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> RawService {
        RawService {
            organisation: Some(" Sela Health Partners ".into()),
            name: Some("Clinic".into()),
            service_type: Some("health".into()),
            locations: vec!["XY01".into(), "XY01".into()],
            contact: Some("+254 700 000 111".into()),
            languages: vec!["AR".into(), "en".into()],
            ..Default::default()
        }
    }

    #[test]
    fn a_service_needs_who_what_where_and_how_to_reach_it() {
        let s = raw().validate().expect("valid");
        assert_eq!(s.organisation, "Sela Health Partners");
        assert_eq!(s.locations, vec!["XY01"]);
        assert_eq!(s.languages, vec!["ar", "en"]);
        assert!(s.accepts_referrals && s.active);
        let problems =
            RawService { service_type: Some("magic".into()), languages: vec!["english".into()], ..Default::default() }
                .validate()
                .expect_err("invalid");
        let fields: Vec<(&str, &str)> = problems.iter().map(|p| (p.field, p.code)).collect();
        assert_eq!(
            fields,
            vec![
                ("organisation", "required"),
                ("name", "required"),
                ("contact", "required"),
                ("service_type", "unknown-code"),
                ("locations", "required"),
                ("languages", "invalid-language"),
            ]
        );
    }

    #[test]
    fn a_service_at_a_region_serves_its_children_only() {
        assert!(serves(&["/XY/XY01/"], "/XY/XY01/XY0103/"));
        assert!(serves(&["/XY/"], "/XY/XY02/"));
        assert!(!serves(&["/XY/XY01/"], "/XY/XY02/"));
        assert!(!serves(&["/XY/XY01/XY0103/"], "/XY/XY01/"));
        assert_eq!(split_list("ar, en;fr  so"), vec!["ar", "en", "fr", "so"]);
    }
}
