//! Where the engine loses quality on a generated population: clustered and pairwise figures,
//! blocking recall, and samples of true pairs never blocked, missed and wrongly matched.
//!
//!     cargo run --release -p haven-linkage --example diagnose -- ROWS SEED [SAMPLES [THRESHOLD [MAX_BLOCK [WINDOW]]]]
//!
//! Generates in memory (the same rows as `haven match generate --rows ROWS --seed SEED`), so
//! nothing is written to disk.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use haven_linkage::generate::{GenerateSettings, PersonRow, population};
use haven_linkage::{Control, Linker, Record, Schema, Settings};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let number = |i: usize, default: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let (rows, seed, samples) = (number(1, 20_000), number(2, 7) as u64, number(3, 0));
    let people = population(&GenerateSettings { rows, seed, duplicates: 0.1, reference_date: (2026, 6, 1) });
    let schema = Schema::guess(&PersonRow::HEADERS, "id").expect("the generator's headers");
    let records: Vec<Record> = people
        .iter()
        .map(|p| Record::new(p.id.clone(), p.fields()[1..].iter().map(|v| (*v).to_owned()).collect()))
        .collect();
    let entity: Vec<u64> = people.iter().map(|p| p.entity_id).collect();
    let threshold = args.get(4).and_then(|a| a.parse().ok()).unwrap_or(Settings::default().threshold);
    let defaults = Settings::default();
    let max_block = number(5, defaults.max_block);
    let window = number(6, defaults.window);
    let linker = Linker::new(schema, Settings { threshold, max_block, window, ..defaults }).expect("settings");
    let cancel = AtomicBool::new(false);
    let control = Control { progress: &|_, _, _| {}, cancel: &cancel };
    let started = Instant::now();
    let result = linker.dedupe(&records, &control).expect("dedupe");
    let seconds = started.elapsed().as_secs_f64();

    let true_pairs = true_pairs(&entity);
    let (reached, total) = linker.blocking_recall(&records, &true_pairs);
    let clustered = cluster_pairs(&result.clusters.cluster_of);
    let report = |label: &str, found: &HashSet<(usize, usize)>| {
        let tp = found.iter().filter(|(a, b)| entity[*a] == entity[*b]).count() as f64;
        let (p, r) = (tp / found.len().max(1) as f64, tp / true_pairs.len().max(1) as f64);
        println!("{label}: P {p:.3} R {r:.3} F1 {:.3} ({} pairs)", 2.0 * p * r / (p + r).max(1e-9), found.len());
    };
    println!("{rows} rows, seed {seed}: {seconds:.1} s");
    println!("blocking recall {reached}/{total} ({:.1} %)", 100.0 * reached as f64 / total.max(1) as f64);
    for s in &result.blocking {
        println!("  rule {}: {} blocks ({} oversized), {} pairs", s.rule, s.blocks, s.oversized_blocks, s.pairs);
    }
    let scored: HashSet<(usize, usize)> = result.pairs.iter().map(|p| (p.a as usize, p.b as usize)).collect();
    report("pairwise", &scored);
    report("clustered", &clustered);
    for p in [0.2, 0.35, 0.5, 0.65, 0.8, 0.9] {
        let above: HashSet<(usize, usize)> =
            result.pairs.iter().filter(|s| s.probability as f64 >= p).map(|s| (s.a as usize, s.b as usize)).collect();
        report(&format!("pairwise at p >= {p}"), &above);
    }
    if samples == 0 {
        return;
    }
    println!("\n{}", result.model.describe());
    let unreached = linker.unreached(&records, &true_pairs);
    println!("== true pairs never blocked (first {samples})");
    for (a, b) in unreached.into_iter().take(samples) {
        println!("{}\n{}\n", show(&people[a]), show(&people[b]));
    }
    let found_true: HashSet<(usize, usize)> =
        clustered.iter().copied().filter(|(a, b)| entity[*a] == entity[*b]).collect();
    println!("== true pairs not clustered (first {samples})");
    for (a, b) in true_pairs.iter().filter(|p| !found_true.contains(p)).take(samples) {
        println!("{}\n{}\nscored: {}\n", show(&people[*a]), show(&people[*b]), scored.contains(&(*a, *b)));
    }
    println!("== wrong pairs clustered (first {samples})");
    for (a, b) in clustered.iter().filter(|(a, b)| entity[*a] != entity[*b]).take(samples) {
        println!("{}\n{}\n", show(&people[*a]), show(&people[*b]));
    }
}

fn show(p: &PersonRow) -> String {
    p.fields().join(" | ")
}

fn true_pairs(entity: &[u64]) -> Vec<(usize, usize)> {
    let mut pairs: Vec<(usize, usize)> = pairs_within(entity).into_iter().collect();
    pairs.sort_unstable();
    pairs
}

fn cluster_pairs(cluster_of: &[u32]) -> HashSet<(usize, usize)> {
    pairs_within(cluster_of)
}

/// Pairs of records with the same label (entity or cluster), smaller index first.
fn pairs_within<L: Copy + Eq + std::hash::Hash>(labels: &[L]) -> HashSet<(usize, usize)> {
    let mut members: HashMap<L, Vec<usize>> = HashMap::new();
    for (i, l) in labels.iter().enumerate() {
        members.entry(*l).or_default().push(i);
    }
    let mut pairs = HashSet::new();
    for m in members.values() {
        for (x, a) in m.iter().enumerate() {
            for b in &m[x + 1..] {
                pairs.insert((*a.min(b), *a.max(b)));
            }
        }
    }
    pairs
}
