use serde::{Deserialize, Serialize};

/// A location subtree, written as the P-code path from the country down, e.g. `/XY/XY01/`.
/// A scope covers a record when the record's path starts with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocationScope(String);

impl LocationScope {
    pub fn new(path: &str) -> Option<LocationScope> {
        let ok = path.starts_with('/')
            && path.ends_with('/')
            && path.len() > 2
            && path.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'/' || b == b'-' || b == b'_');
        ok.then(|| LocationScope(path.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn covers(&self, record_path: &str) -> bool {
        record_path.starts_with(&self.0)
    }
}

/// What a list query must be narrowed to. Built only by [`crate::authz::decide`], so a
/// repository receiving one knows authorization happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeFilter {
    /// `None`: the whole organisation. `Some(ids)`: records of these agencies only.
    pub agencies: Option<Vec<uuid::Uuid>>,
    /// `None`: every location. `Some(paths)`: records under one of these subtrees.
    pub locations: Option<Vec<LocationScope>>,
}

impl ScopeFilter {
    pub fn unrestricted() -> ScopeFilter {
        ScopeFilter { agencies: None, locations: None }
    }

    pub fn admits(&self, agency: Option<uuid::Uuid>, location_path: Option<&str>) -> bool {
        let agency_ok = match (&self.agencies, agency) {
            (None, _) => true,
            (Some(allowed), Some(a)) => allowed.contains(&a),
            (Some(_), None) => false,
        };
        let location_ok = match (&self.locations, location_path) {
            (None, _) => true,
            (Some(scopes), Some(p)) => scopes.iter().any(|s| s.covers(p)),
            (Some(_), None) => false,
        };
        agency_ok && location_ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_scope_requires_a_slash_delimited_path() {
        assert!(LocationScope::new("/XY/XY01/").is_some());
        assert!(LocationScope::new("XY01").is_none());
        assert!(LocationScope::new("/XY/%/").is_none());
        assert!(LocationScope::new("/").is_none());
    }

    #[test]
    fn subtree_covers_descendants_only() {
        let s = LocationScope::new("/XY/XY01/").unwrap();
        assert!(s.covers("/XY/XY01/"));
        assert!(s.covers("/XY/XY01/XY0103/"));
        assert!(!s.covers("/XY/XY02/"));
        assert!(!s.covers("/XY/XY011/"));
    }
}
