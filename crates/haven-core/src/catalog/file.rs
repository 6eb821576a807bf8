use std::collections::BTreeSet;

use serde::Deserialize;

use super::{CatalogKind, Localized};

/// One reference-data file, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogFile {
    pub kind: CatalogKind,
    pub version: String,
    pub source: String,
    pub items: Vec<CatalogItem>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CatalogItem {
    pub code: String,
    pub name: Localized,
    pub description: Localized,
    /// Kind-specific fields (order, UNHCR codes, age limits...), kept as JSON.
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// What is wrong with a catalog file, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogProblem {
    #[error("{file}: not valid TOML: {message}")]
    Syntax { file: String, message: String },
    #[error("{file}: unknown kind '{kind}'")]
    UnknownKind { file: String, kind: String },
    #[error("{file}: item {index}: field '{field}': {message}")]
    Item { file: String, index: usize, field: String, message: String },
}

#[derive(Deserialize)]
struct RawFile {
    kind: String,
    version: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    items: Vec<toml::Table>,
}

impl CatalogFile {
    pub fn parse(file: &str, text: &str) -> Result<CatalogFile, CatalogProblem> {
        let raw: RawFile = toml::from_str(text)
            .map_err(|e| CatalogProblem::Syntax { file: file.to_owned(), message: e.message().to_owned() })?;
        let kind = CatalogKind::from_code(&raw.kind)
            .ok_or_else(|| CatalogProblem::UnknownKind { file: file.to_owned(), kind: raw.kind.clone() })?;
        let mut seen = BTreeSet::new();
        let mut items = Vec::with_capacity(raw.items.len());
        for (i, table) in raw.items.into_iter().enumerate() {
            let item =
                parse_item(table).and_then(|item| check_kind_fields(kind, item)).map_err(|(field, message)| {
                    CatalogProblem::Item { file: file.to_owned(), index: i + 1, field, message }
                })?;
            if !seen.insert(item.code.clone()) {
                return Err(CatalogProblem::Item {
                    file: file.to_owned(),
                    index: i + 1,
                    field: "code".into(),
                    message: format!("'{}' appears twice", item.code),
                });
            }
            items.push(item);
        }
        Ok(CatalogFile { kind, version: raw.version, source: raw.source, items })
    }
}

/// Fields a kind's items must carry, checked where the kind's rules live.
fn check_kind_fields(kind: CatalogKind, item: CatalogItem) -> Result<CatalogItem, (String, String)> {
    match kind {
        CatalogKind::Checklist => {
            crate::projects::ChecklistItem::from_catalog(&item)?;
        }
        CatalogKind::SafetyAuditItems => {
            let ok = item.extra.get("domain").is_some_and(|v| v.is_string())
                && item.extra.get("points").and_then(|v| v.as_i64()).is_some_and(|p| (1..=5).contains(&p));
            if !ok {
                return Err(("domain".into(), "each item needs a domain code and points from 1 to 5".into()));
            }
        }
        _ => {}
    }
    Ok(item)
}

/// Codes are stable identifiers stored in records: lower-case ASCII kebab case.
pub fn check_code(code: &str) -> Result<(), String> {
    let ok = !code.is_empty()
        && code.len() <= 64
        && code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok { Ok(()) } else { Err("use 1 to 64 lower-case letters, digits and '-'".into()) }
}

fn parse_item(mut table: toml::Table) -> Result<CatalogItem, (String, String)> {
    let code = match table.remove("code") {
        Some(toml::Value::String(s)) => s,
        _ => return Err(("code".into(), "missing or not text".into())),
    };
    check_code(&code).map_err(|m| ("code".to_owned(), m))?;
    let name = localized(table.remove("name"), "name")?;
    if name.0.get("en").is_none_or(|t| t.trim().is_empty()) {
        return Err(("name.en".into(), "an English name is required".into()));
    }
    let description = match table.remove("description") {
        None => Localized::default(),
        some => localized(some, "description")?,
    };
    let extra = table
        .into_iter()
        .map(|(k, v)| serde_json::to_value(v).map(|v| (k.clone(), v)).map_err(|e| (k, e.to_string())))
        .collect::<Result<_, _>>()?;
    Ok(CatalogItem { code, name, description, extra })
}

fn localized(value: Option<toml::Value>, field: &str) -> Result<Localized, (String, String)> {
    let Some(toml::Value::Table(t)) = value else {
        return Err((field.to_owned(), "expected a table such as { en = \"...\", fr = \"...\" }".into()));
    };
    let mut out = Localized::default();
    for (lang, v) in t {
        match v {
            toml::Value::String(s) => {
                out.0.insert(lang, s);
            }
            _ => return Err((format!("{field}.{lang}"), "not text".into())),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
kind = "sectors"
version = "2026.1"
source = "test"
[[items]]
code = "shelter"
name = { en = "Shelter", fr = "Abri", ar = "المأوى" }
order = 3
"#;

    #[test]
    fn parses_items_and_keeps_extra_fields() {
        let f = CatalogFile::parse("sectors.toml", GOOD).unwrap();
        assert_eq!(f.kind, CatalogKind::Sectors);
        assert_eq!(f.items[0].name.get("fr"), "Abri");
        assert_eq!(f.items[0].extra["order"], serde_json::json!(3));
    }

    #[test]
    fn errors_name_the_file_item_and_field() {
        let bad = GOOD.replace("code = \"shelter\"", "code = \"Shelter!\"");
        let e = CatalogFile::parse("sectors.toml", &bad).unwrap_err();
        assert!(matches!(&e, CatalogProblem::Item { index: 1, field, .. } if field == "code"));
        assert!(e.to_string().starts_with("sectors.toml: item 1: field 'code'"));
        let dup = format!("{GOOD}\n[[items]]\ncode = \"shelter\"\nname = {{ en = \"Again\" }}\n");
        let e = CatalogFile::parse("sectors.toml", &dup).unwrap_err();
        assert!(matches!(e, CatalogProblem::Item { index: 2, .. }));
        let e = CatalogFile::parse("x.toml", "kind = \"planets\"\nversion = \"1\"").unwrap_err();
        assert!(matches!(e, CatalogProblem::UnknownKind { .. }));
    }
}
