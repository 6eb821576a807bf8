#![allow(clippy::unwrap_used, clippy::expect_used)]

//! The engine's public API on small hand-written registries.

use std::sync::atomic::AtomicBool;

use haven_linkage::generate::{self, GenerateSettings};
use haven_linkage::{Control, FieldType, Linker, Record, Schema, Settings, Stage};

fn schema() -> Schema {
    Schema::of(&[
        ("given_name", FieldType::GivenName),
        ("family_name", FieldType::FamilyName),
        ("father_name", FieldType::FullName),
        ("sex", FieldType::Sex),
        ("date_of_birth", FieldType::Date),
        ("age", FieldType::Age),
        ("place", FieldType::Place),
    ])
    .unwrap()
}

fn record(id: &str, values: [&str; 7]) -> Record {
    Record::new(id, values.iter().map(|v| (*v).to_owned()).collect())
}

/// Children registered at sites, among look-alikes.
fn registry() -> Vec<Record> {
    let mut r = vec![
        record("site2-0041", ["Fatma", "Ahmed", "Ahmed Hasan", "f", "", "9", "Tel Afar"]),
        record("site2-0042", ["Yousef", "Ahmed", "Ahmed Hasan", "m", "", "12", "Tel Afar"]),
        record("site1-0007", ["Fatima", "Hussein", "Ali Hussein", "f", "2017", "", "Mosul"]),
        record("site3-0100", ["Fatima", "Ahmed", "Mahmoud Ahmed", "f", "2009-02-01", "", "Basra"]),
        record("site3-0101", ["Zainab", "Ahmed", "Ahmad Hassan", "f", "2017-05-05", "", "Tal Afar"]),
    ];
    // A generated population around them, so that the model has something to learn from.
    let crowd = generate::population(&GenerateSettings { rows: 3000, seed: 4, ..GenerateSettings::default() });
    for p in crowd {
        let place = p.place_of_origin.clone();
        r.push(Record::new(
            p.id.clone(),
            vec![p.given_name, p.family_name, p.father_name, p.sex, p.date_of_birth, p.age, place],
        ));
    }
    r
}

fn quiet() -> (impl Fn(Stage, usize, usize) + Sync, AtomicBool) {
    (|_: Stage, _: usize, _: usize| {}, AtomicBool::new(false))
}

#[test]
fn a_tracing_request_finds_the_child_registered_far_away() {
    let linker = Linker::new(schema(), Settings { reference_year: 2026, ..Settings::default() }).unwrap();
    // "Fatima, about 8, from Tal Afar, father Ahmad"
    let query = record("request-1", ["Fatima", "", "Ahmad", "f", "", "8", "Tal Afar"]);
    let (progress, cancel) = quiet();
    let found = linker.candidates(&registry(), &[query], 3, &Control { progress: &progress, cancel: &cancel }).unwrap();
    let best = &found[0][0];
    assert_eq!(registry()[best.record].id, "site2-0041", "{:?}", found[0]);
    assert!(best.probability > 0.5, "{best:?}");
    let given = best.explanation.iter().find(|c| c.comparison == "given_name").unwrap();
    assert!(given.weight > 0.0, "the given name agrees: {given:?}");
    assert!(found[0].len() <= 3);
}

#[test]
fn dedupe_keeps_siblings_and_namesakes_apart_and_learns_sensible_weights() {
    let linker = Linker::new(schema(), Settings { reference_year: 2026, ..Settings::default() }).unwrap();
    let records = registry();
    let (progress, cancel) = quiet();
    let result = linker.dedupe(&records, &Control { progress: &progress, cancel: &cancel }).unwrap();
    let cluster = |id: &str| result.clusters.cluster_of[records.iter().position(|r| r.id == id).unwrap()];
    assert_ne!(cluster("site2-0041"), cluster("site2-0042"), "siblings stay apart");
    assert_ne!(cluster("site2-0041"), cluster("site3-0100"));
    // Sensible estimates: agreement on the name is evidence for a match, disagreement against.
    let given = result.model.comparisons.iter().position(|c| c.label == "given_name").unwrap();
    assert!(result.model.weight(given, 4) > 0.0 && result.model.weight(given, 0) < 0.0);
}

#[test]
fn cancellation_stops_the_run() {
    let linker = Linker::new(schema(), Settings::default()).unwrap();
    let progress = |_: Stage, _: usize, _: usize| {};
    let cancel = AtomicBool::new(true);
    let result = linker.dedupe(&registry(), &Control { progress: &progress, cancel: &cancel });
    assert!(matches!(result, Err(haven_linkage::LinkError::Cancelled)));
}

#[test]
fn records_of_the_wrong_width_are_refused() {
    let linker = Linker::new(schema(), Settings::default()).unwrap();
    let (progress, cancel) = quiet();
    let bad = vec![Record::new("x", vec!["only one".into()])];
    let err = linker.dedupe(&bad, &Control { progress: &progress, cancel: &cancel }).unwrap_err();
    assert!(err.to_string().contains("\"x\" has 1 values"), "{err}");
    assert!(Linker::new(schema(), Settings { threshold: 2.0, ..Settings::default() }).is_err());
}
