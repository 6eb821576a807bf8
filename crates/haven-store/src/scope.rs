//! The caller's scope as SQL: every list and read of guarded records narrows to the agencies
//! and location subtrees the authorization decision allowed.

use haven_core::authz::ScopeFilter;
use uuid::Uuid;

/// A value bound into a query built at run time.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Text(String),
    Id(Uuid),
}

/// Bind `$args` in order onto a `sqlx` query.
macro_rules! bind_scope_args {
    ($query:expr, $args:expr) => {{
        let mut q = $query;
        for a in $args {
            q = match a {
                $crate::scope::Arg::Text(t) => q.bind(t.clone()),
                $crate::scope::Arg::Id(u) => q.bind(*u),
            };
        }
        q
    }};
}
pub(crate) use bind_scope_args;

/// The condition that admits a record: its agency (`agency_column`) among the allowed ones,
/// and one of its location paths (`path_exists` builds the test from a `LIKE` placeholder)
/// under an allowed subtree. `TRUE` when the filter opens both dimensions.
pub(crate) fn clause(
    filter: &ScopeFilter,
    agency_column: &str,
    path_matches: impl Fn(&str) -> String,
    args: &mut Vec<Arg>,
) -> String {
    let mut clauses = Vec::new();
    if let Some(scopes) = &filter.locations {
        let mut any = Vec::new();
        for scope in scopes {
            args.push(Arg::Text(format!("{}%", scope.as_str())));
            any.push(format!("${}", args.len()));
        }
        clauses.push(if any.is_empty() {
            "FALSE".to_owned()
        } else {
            format!("({})", any.iter().map(|p| path_matches(p)).collect::<Vec<_>>().join(" OR "))
        });
    }
    if let Some(agencies) = &filter.agencies {
        let mut any = Vec::new();
        for agency in agencies {
            args.push(Arg::Id(*agency));
            any.push(format!("{agency_column} = ${}", args.len()));
        }
        clauses.push(if any.is_empty() { "FALSE".to_owned() } else { format!("({})", any.join(" OR ")) });
    }
    if clauses.is_empty() { "TRUE".to_owned() } else { clauses.join(" AND ") }
}

/// The condition that admits a row of `table` carrying its own `agency_id` and location `path`
/// (audits, committees, consultations).
pub(crate) fn by_path(access: &haven_core::authz::Access, table: &str, args: &mut Vec<Arg>) -> String {
    clause(access.filter(), &format!("{table}.agency_id"), |p| format!("{table}.path LIKE {p}"), args)
}
