//! What an item is about beyond its category: the project, the MCOF sector of assistance and
//! the protection principle concerned. Set at intake or at triage; checked here for shape and
//! by the store against the catalog and the project register.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::input::{FieldProblem, is_code, trimmed};

/// An item's links, each optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Links {
    pub project_id: Option<Uuid>,
    /// A code of the catalog's `sectors`.
    pub sector: Option<String>,
    /// A code of the catalog's `principles`.
    pub principle: Option<String>,
}

impl Links {
    pub fn is_empty(&self) -> bool {
        self.project_id.is_none() && self.sector.is_none() && self.principle.is_none()
    }
}

/// Links as sent, untyped so that each problem is reported against its field.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RawLinks {
    pub project_id: Option<String>,
    pub sector: Option<String>,
    pub principle: Option<String>,
}

impl RawLinks {
    /// Check the shape of each link; absent or empty means none.
    pub fn validate(self, problems: &mut Vec<FieldProblem>) -> Links {
        let project_id = trimmed(self.project_id).and_then(|p| {
            Uuid::parse_str(&p).ok().or_else(|| {
                problems.push(FieldProblem { field: "project_id", code: "unknown-project" });
                None
            })
        });
        let mut code = |field: &'static str, value: Option<String>| {
            let value = trimmed(value);
            if value.as_deref().is_some_and(|v| !is_code(v)) {
                problems.push(FieldProblem { field, code: "unknown-code" });
                return None;
            }
            value
        };
        let sector = code("sector", self.sector);
        let principle = code("principle", self.principle);
        Links { project_id, sector, principle }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_links_are_none_and_bad_ones_are_named() {
        let mut problems = Vec::new();
        let links =
            RawLinks { project_id: Some(" ".into()), sector: Some("".into()), principle: None }.validate(&mut problems);
        assert!(links.is_empty() && problems.is_empty());
        let raw = RawLinks {
            project_id: Some("project 7".into()),
            sector: Some("health support!".into()),
            principle: Some("accountability".into()),
        };
        let links = raw.validate(&mut problems);
        assert_eq!(links.principle.as_deref(), Some("accountability"));
        assert_eq!(
            problems,
            vec![
                FieldProblem { field: "project_id", code: "unknown-project" },
                FieldProblem { field: "sector", code: "unknown-code" }
            ]
        );
    }
}
