//! Translations (Fluent) and language negotiation.
//!
//! Every string a person reads goes through [`Lang::t`]. The language comes from `?lang=`
//! (remembered in a cookie), then the cookie, then `Accept-Language`; English is the
//! fallback for anything missing.

use std::collections::HashMap;
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

pub const SUPPORTED: [&str; 3] = ["en", "fr", "ar"];

/// Per language, one file for the shared strings and one per large capability.
const SOURCES: [(&str, [&str; 7]); 3] = [
    (
        "en",
        [
            include_str!("../../../locales/en/main.ftl"),
            include_str!("../../../locales/en/projects.ftl"),
            include_str!("../../../locales/en/audits.ftl"),
            include_str!("../../../locales/en/participation.ftl"),
            include_str!("../../../locales/en/indicators.ftl"),
            include_str!("../../../locales/en/rounds.ftl"),
            include_str!("../../../locales/en/feedback_ops.ftl"),
        ],
    ),
    (
        "fr",
        [
            include_str!("../../../locales/fr/main.ftl"),
            include_str!("../../../locales/fr/projects.ftl"),
            include_str!("../../../locales/fr/audits.ftl"),
            include_str!("../../../locales/fr/participation.ftl"),
            include_str!("../../../locales/fr/indicators.ftl"),
            include_str!("../../../locales/fr/rounds.ftl"),
            include_str!("../../../locales/fr/feedback_ops.ftl"),
        ],
    ),
    (
        "ar",
        [
            include_str!("../../../locales/ar/main.ftl"),
            include_str!("../../../locales/ar/projects.ftl"),
            include_str!("../../../locales/ar/audits.ftl"),
            include_str!("../../../locales/ar/participation.ftl"),
            include_str!("../../../locales/ar/indicators.ftl"),
            include_str!("../../../locales/ar/rounds.ftl"),
            include_str!("../../../locales/ar/feedback_ops.ftl"),
        ],
    ),
];

struct Translations {
    bundles: HashMap<&'static str, FluentBundle<FluentResource>>,
}

static TRANSLATIONS: LazyLock<Translations> = LazyLock::new(|| {
    let mut bundles = HashMap::new();
    for (lang, sources) in SOURCES {
        let id: LanguageIdentifier = lang.parse().unwrap_or_default();
        let mut bundle = FluentBundle::new_concurrent(vec![id]);
        for source in sources {
            let resource = match FluentResource::try_new(source.to_owned()) {
                Ok(r) => r,
                Err((r, errors)) => {
                    tracing::error!(lang, errors = errors.len(), "translation file has syntax errors");
                    r
                }
            };
            if bundle.add_resource(resource).is_err() {
                tracing::error!(lang, "translation files define a message twice");
            }
        }
        bundles.insert(lang, bundle);
    }
    Translations { bundles }
});

/// The language of one response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lang(pub &'static str);

impl Default for Lang {
    fn default() -> Self {
        Lang("en")
    }
}

impl Lang {
    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
        SUPPORTED.into_iter().find(|l| *l == primary).map(Lang)
    }

    /// Pick the best supported language from an `Accept-Language` header (quality-ordered).
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut choices: Vec<(f32, &str)> = header
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.trim().split(';');
                let tag = pieces.next()?.trim();
                let q =
                    pieces.find_map(|p| p.trim().strip_prefix("q=")).and_then(|q| q.parse::<f32>().ok()).unwrap_or(1.0);
                Some((q, tag))
            })
            .collect();
        choices.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
        choices.into_iter().filter(|(q, _)| *q > 0.0).find_map(|(_, tag)| Lang::from_code(tag))
    }

    pub fn code(&self) -> &'static str {
        self.0
    }

    pub fn dir(&self) -> &'static str {
        if self.0 == "ar" { "rtl" } else { "ltr" }
    }

    /// The message `key`, in this language or else English; the key itself if unknown.
    pub fn t(&self, key: &str) -> String {
        self.format(key, None)
    }

    /// The message `key` with one argument.
    pub fn t1(&self, key: &str, name: &str, value: impl std::fmt::Display) -> String {
        let mut args = FluentArgs::new();
        args.set(name.to_owned(), FluentValue::from(value.to_string()));
        self.format(key, Some(&args))
    }

    /// The message `key` with two arguments.
    pub fn t2(
        &self,
        key: &str,
        a: &str,
        a_value: impl std::fmt::Display,
        b: &str,
        b_value: impl std::fmt::Display,
    ) -> String {
        let mut args = FluentArgs::new();
        args.set(a.to_owned(), FluentValue::from(a_value.to_string()));
        args.set(b.to_owned(), FluentValue::from(b_value.to_string()));
        self.format(key, Some(&args))
    }

    /// The message `key` with any number of text arguments.
    pub fn targs(&self, key: &str, values: &[(&str, &dyn std::fmt::Display)]) -> String {
        let mut args = FluentArgs::new();
        for (name, value) in values {
            args.set((*name).to_owned(), FluentValue::from(value.to_string()));
        }
        self.format(key, Some(&args))
    }

    /// The message `key` with a number argument (plural rules apply).
    pub fn tn(&self, key: &str, name: &str, n: impl std::borrow::Borrow<i64>) -> String {
        let n = *n.borrow();
        let mut args = FluentArgs::new();
        args.set(name.to_owned(), FluentValue::from(n));
        self.format(key, Some(&args))
    }

    fn format(&self, key: &str, args: Option<&FluentArgs>) -> String {
        let t = &*TRANSLATIONS;
        for lang in [self.0, "en"] {
            let Some(bundle) = t.bundles.get(lang) else { continue };
            if let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) {
                let mut errors = vec![];
                return bundle.format_pattern(pattern, args, &mut errors).into_owned();
            }
        }
        tracing::warn!(key, "missing translation");
        key.to_owned()
    }

    /// Format a UTC time for people: date and time, in the organisation's clock (UTC for now).
    pub fn datetime(&self, t: time::OffsetDateTime) -> String {
        let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
        let text = t.format(&fmt).unwrap_or_default();
        if self.0 == "ar" { to_arabic_digits(&text) } else { text }
    }

    /// Format a time in the organisation's zone: date, time and the zone's abbreviation then.
    pub fn datetime_in(&self, t: time::OffsetDateTime, zone: &haven_core::settings::LocalZone) -> String {
        let (local, abbreviation) = zone.local(t);
        let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
        let text = format!("{} {abbreviation}", local.format(&fmt).unwrap_or_default());
        if self.0 == "ar" { to_arabic_digits(&text) } else { text }
    }

    pub fn number(&self, n: impl std::borrow::Borrow<i64>) -> String {
        let text = n.borrow().to_string();
        if self.0 == "ar" { to_arabic_digits(&text) } else { text }
    }
}

fn to_arabic_digits(text: &str) -> String {
    text.chars()
        .map(|c| match c.to_digit(10) {
            Some(d) => char::from_u32(0x0660 + d).unwrap_or(c),
            None => c,
        })
        .collect()
}

/// Every message id of a language (for the completeness test).
pub fn message_ids(lang: &str) -> Vec<String> {
    let sources = SOURCES.iter().find(|(l, _)| *l == lang).map(|(_, s)| *s).unwrap_or_default();
    let mut ids: Vec<String> = Vec::new();
    for source in sources {
        let Ok(resource) = FluentResource::try_new(source.to_owned()) else { return vec![] };
        ids.extend(resource.entries().filter_map(|e| match e {
            fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
            _ => None,
        }));
    }
    ids.sort();
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_languages() {
        assert_eq!(Lang::from_accept_language("fr-CH, fr;q=0.9, en;q=0.8"), Some(Lang("fr")));
        assert_eq!(Lang::from_accept_language("de, ar;q=0.5"), Some(Lang("ar")));
        assert_eq!(Lang::from_accept_language("en;q=0.1, ar;q=0.9"), Some(Lang("ar")));
        assert_eq!(Lang::from_accept_language("de"), None);
        assert_eq!(Lang::from_code("AR-sa"), Some(Lang("ar")));
        assert_eq!(Lang("ar").dir(), "rtl");
    }

    #[test]
    fn every_language_has_every_message() {
        let en = message_ids("en");
        assert!(en.len() > 50);
        for lang in ["fr", "ar"] {
            let other = message_ids(lang);
            let missing: Vec<_> = en.iter().filter(|k| !other.contains(k)).collect();
            let extra: Vec<_> = other.iter().filter(|k| !en.contains(k)).collect();
            assert!(missing.is_empty() && extra.is_empty(), "{lang}: missing {missing:?}, extra {extra:?}");
        }
    }

    #[test]
    fn no_message_is_defined_twice_across_files() {
        for lang in SUPPORTED {
            let ids = message_ids(lang);
            let mut seen = std::collections::BTreeSet::new();
            let twice: Vec<_> = ids.iter().filter(|id| !seen.insert(*id)).collect();
            assert!(twice.is_empty(), "{lang}: defined twice: {twice:?}");
        }
    }

    #[test]
    fn every_key_used_in_templates_and_code_exists() {
        let en = message_ids("en");
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut used = Vec::new();
        for dir in
            ["templates", "src", "src/identity", "src/catalog", "src/admin", "src/api", "src/feedback", "src/projects"]
        {
            for entry in std::fs::read_dir(root.join(dir)).unwrap().flatten() {
                if entry.path().is_file() {
                    let text = std::fs::read_to_string(entry.path()).unwrap();
                    used.extend(keys_in(&text));
                }
            }
        }
        assert!(used.len() > 50);
        let missing: Vec<_> = used.iter().filter(|k| !en.contains(k)).collect();
        assert!(missing.is_empty(), "keys used but not in en/main.ftl: {missing:?}");
    }

    /// Keys in `t("...")`, `t1("...")`, `tn("...")` calls and `msg: "..."` fields.
    fn keys_in(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        for marker in [".t(\"", ".t1(\"", ".tn(\""] {
            let mut rest = text;
            while let Some(i) = rest.find(marker) {
                rest = &rest[i + marker.len()..];
                if let Some(end) = rest.find('"') {
                    let key = &rest[..end];
                    if !key.is_empty() && key.chars().all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit())
                    {
                        out.push(key.to_owned());
                    }
                }
            }
        }
        out
    }

    #[test]
    fn arabic_uses_arabic_digits_and_plural_rules() {
        assert_eq!(Lang("ar").number(2026), "٢٠٢٦");
        assert_eq!(Lang("en").tn("users-count", "count", 1), "\u{2068}1\u{2069} user");
    }
}
