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

use haven_linkage::cluster::cluster;
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
    let linker = Linker::new(schema, Settings { threshold, max_block, window, explain: samples > 0, ..defaults })
        .expect("settings");
    let cancel = AtomicBool::new(false);
    let started = Instant::now();
    // Seconds at which each stage is first reported: where the time goes.
    let stages = std::sync::Mutex::new(Vec::<(haven_linkage::Stage, f64)>::new());
    let on_progress = |stage, _, _| {
        if let Ok(mut seen) = stages.lock()
            && seen.last().is_none_or(|(s, _)| *s != stage)
        {
            seen.push((stage, started.elapsed().as_secs_f64()));
        }
    };
    let control = Control { progress: &on_progress, cancel: &cancel };
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
    if let Ok(seen) = stages.lock() {
        let at: Vec<String> = seen.iter().map(|(s, t)| format!("{s:?} from {t:.1} s")).collect();
        println!("  {}", at.join(", "));
    }
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
        let kept: Vec<_> = result.pairs.iter().filter(|s| s.probability as f64 >= p).cloned().collect();
        let clusters =
            cluster(records.len(), &kept, linker.settings().min_cluster_density, linker.settings().max_cluster_size);
        report(&format!("clustered at p >= {p}"), &cluster_pairs(&clusters.cluster_of));
    }
    // The chain guard's density: the share of pairs between two groups that must match.
    for density in [0.34, 0.5, 0.51, 0.67, 1.0] {
        let clusters = cluster(records.len(), &result.pairs, density, linker.settings().max_cluster_size);
        report(&format!("clustered, density {density}"), &cluster_pairs(&clusters.cluster_of));
    }
    let unreached: HashSet<(usize, usize)> = linker.unreached(&records, &true_pairs).into_iter().collect();
    let found_true: HashSet<(usize, usize)> =
        clustered.iter().copied().filter(|(a, b)| entity[*a] == entity[*b]).collect();
    differences_of_missed(&people, &true_pairs, &unreached, &found_true);
    let wrong: Vec<(usize, usize)> = clustered.iter().copied().filter(|(a, b)| entity[*a] != entity[*b]).collect();
    agreements_of_wrong(&people, &wrong);
    if samples == 0 {
        return;
    }
    println!("\n{}", result.model.describe());
    println!("== true pairs never blocked (first {samples})");
    for (a, b) in true_pairs.iter().filter(|p| unreached.contains(p)).take(samples) {
        println!("{}\n{}\n", show(&people[*a]), show(&people[*b]));
    }
    println!("== true pairs not clustered (first {samples})");
    for (a, b) in true_pairs.iter().filter(|p| !found_true.contains(p)).take(samples) {
        println!("{}\n{}\nscored: {}\n", show(&people[*a]), show(&people[*b]), scored.contains(&(*a, *b)));
    }
    println!("== wrong pairs clustered (first {samples})");
    // Each comparison's level among the pairs scored as matches, right and wrong.
    let mut levels: std::collections::BTreeMap<(String, String), [usize; 2]> = Default::default();
    for (pair, explanation) in result.pairs.iter().zip(&result.explanations) {
        let right = entity[pair.a as usize] == entity[pair.b as usize];
        for c in explanation.iter().filter(|c| c.comparison != "resembles") {
            levels.entry((c.comparison.clone(), c.level.clone())).or_default()[right as usize] += 1;
        }
    }
    println!("== levels among matched pairs: wrong, right");
    for ((comparison, level), [wrong, right]) in &levels {
        println!("  {comparison:<28} {level:<34} {wrong:>7} {right:>8}");
    }
    let position: HashMap<(usize, usize), usize> =
        result.pairs.iter().enumerate().map(|(i, p)| ((p.a as usize, p.b as usize), i)).collect();
    for (a, b) in clustered.iter().filter(|(a, b)| entity[*a] != entity[*b]).take(samples) {
        println!("{}\n{}", show(&people[*a]), show(&people[*b]));
        match position.get(&(*a, *b)) {
            Some(&i) => {
                let pair = &result.pairs[i];
                let parts: Vec<String> = result.explanations[i]
                    .iter()
                    .map(|c| format!("{} {} {:+.1}", c.comparison, c.level, c.weight))
                    .collect();
                println!("p {:.3}, {:+.1} bits: {}\n", pair.probability, pair.weight, parts.join("; "));
            }
            None => println!("joined through its cluster\n"),
        }
    }
}

/// How two rows of one person differ, as the generator's corruptions show in the data: each
/// difference with how many true pairs have it, and the share of those never blocked and
/// blocked but not clustered.
fn differences_of_missed(
    people: &[PersonRow],
    true_pairs: &[(usize, usize)],
    unreached: &HashSet<(usize, usize)>,
    found: &HashSet<(usize, usize)>,
) {
    let mut counts: HashMap<&'static str, [usize; 3]> = HashMap::new();
    for pair in true_pairs {
        let slot = if found.contains(pair) {
            0
        } else if unreached.contains(pair) {
            1
        } else {
            2
        };
        for d in differences(&people[pair.0], &people[pair.1]) {
            counts.entry(d).or_default()[slot] += 1;
        }
    }
    let mut rows: Vec<_> = counts.into_iter().collect();
    rows.sort_by_key(|(_, c)| std::cmp::Reverse(c[1] + c[2]));
    println!("\n== true pairs by difference: pairs, never blocked, blocked but missed (share of the pairs)");
    for (d, [ok, unblocked, missed]) in rows {
        let n = ok + unblocked + missed;
        let share = |x: usize| 100.0 * x as f64 / n.max(1) as f64;
        println!(
            "  {d:<28} {n:>7}  {:>5.1} %  {:>5.1} %  (lost {})",
            share(unblocked),
            share(missed),
            unblocked + missed
        );
    }
}

/// What two rows of different people wrongly clustered together agree on.
fn agreements_of_wrong(people: &[PersonRow], wrong: &[(usize, usize)]) {
    let mut counts: HashMap<&'static str, usize> = HashMap::new();
    for &(a, b) in wrong {
        let (x, y) = (&people[a], &people[b]);
        let same = |f: fn(&PersonRow) -> &str| !f(x).is_empty() && f(x).to_lowercase() == f(y).to_lowercase();
        let flags = [
            ("same given name (text)", same(|p| &p.given_name)),
            ("same family name (text)", same(|p| &p.family_name)),
            ("same father (text)", same(|p| &p.father_name)),
            ("same mother (text)", same(|p| &p.mother_name)),
            ("same place (text)", same(|p| &p.place_of_origin)),
            ("same phone (text)", same(|p| &p.phone)),
            ("same birth date (text)", same(|p| &p.date_of_birth)),
            ("same birth year", !year(x).is_empty() && year(x) == year(y)),
            ("different sex", !x.sex.is_empty() && !y.sex.is_empty() && x.sex != y.sex),
        ];
        for (label, on) in flags {
            if on {
                *counts.entry(label).or_default() += 1;
            }
        }
    }
    let mut rows: Vec<_> = counts.into_iter().collect();
    rows.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    println!("\n== wrong pairs clustered ({}), what they agree on", wrong.len());
    for (label, n) in rows {
        println!("  {label:<28} {n:>7}  {:>5.1} %", 100.0 * n as f64 / wrong.len().max(1) as f64);
    }
}

/// The kinds of difference between two rows of one person.
fn differences(x: &PersonRow, y: &PersonRow) -> Vec<&'static str> {
    let lower = |s: &str| s.to_lowercase();
    let mut out = Vec::new();
    let latin = |s: &str| s.chars().all(|c| c.is_ascii() || c.is_alphabetic() && (c as u32) < 0x250);
    if latin(&x.given_name) != latin(&y.given_name) {
        out.push("script differs");
    } else if lower(&x.given_name) != lower(&y.given_name) {
        out.push("given name spelled otherwise");
    }
    if lower(&x.given_name) == lower(&y.family_name) && !x.given_name.is_empty() && x.given_name != x.family_name {
        out.push("given/family swapped");
    }
    if x.family_name.is_empty() != y.family_name.is_empty() {
        out.push("family name missing");
    } else if lower(&x.family_name) != lower(&y.family_name) && latin(&x.family_name) == latin(&y.family_name) {
        out.push("family name spelled otherwise");
    }
    let both = |f: fn(&PersonRow) -> &str| !f(x).is_empty() && !f(y).is_empty();
    let one = |f: fn(&PersonRow) -> &str| f(x).is_empty() != f(y).is_empty();
    if one(|p| &p.father_name) || one(|p| &p.mother_name) {
        out.push("a parent missing");
    }
    if both(|p| &p.place_of_origin) && lower(&x.place_of_origin) != lower(&y.place_of_origin) {
        out.push("place written otherwise");
    }
    if one(|p| &p.place_of_origin) {
        out.push("place missing");
    }
    if both(|p| &p.phone) && digits(&x.phone) != digits(&y.phone) {
        out.push("phone differs");
    }
    if one(|p| &p.phone) {
        out.push("phone missing");
    }
    let (dx, dy) = (birth_form(x), birth_form(y));
    if dx != dy {
        out.push(match (dx, dy) {
            ("missing", _) | (_, "missing") => "birth missing",
            ("age", _) | (_, "age") => "age against a date",
            _ => "date against a partial date",
        });
    } else if dx == "full" && x.date_of_birth != y.date_of_birth {
        let same_day = digits(&x.date_of_birth).len() == 8 && year(x) == year(y);
        out.push(if same_day { "full dates differ (format or day)" } else { "full dates differ in year" });
    }
    if x.sex != y.sex {
        out.push("sex differs or missing");
    }
    if out.is_empty() {
        out.push("nothing but case");
    }
    out
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

fn year(p: &PersonRow) -> String {
    let d = digits(&p.date_of_birth);
    if p.date_of_birth.contains('/') {
        d.get(d.len().saturating_sub(4)..).unwrap_or("").to_owned()
    } else {
        d.chars().take(4).collect()
    }
}

fn birth_form(p: &PersonRow) -> &'static str {
    let d = digits(&p.date_of_birth);
    let january_first = d.ends_with("0101") || (p.date_of_birth.contains('/') && d.starts_with("0101"));
    match d.len() {
        _ if !p.age.is_empty() => "age",
        0 => "missing",
        8 if january_first => "1 January",
        8 => "full",
        _ => "partial",
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
