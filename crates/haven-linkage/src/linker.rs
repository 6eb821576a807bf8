//! The engine's entry point: de-duplicate one file, link two, or find the best candidates for
//! tracing requests.

use std::sync::atomic::AtomicBool;

use rayon::prelude::*;

use crate::block::{BlockStats, Blocking, Rule};
use crate::cluster::{Clusters, ScoredPair, cluster};
use crate::compare::{Comparer, Comparison, comparisons};
use crate::model::{Contribution, MAX_COMPARISONS, MAX_KINDS, Model, Patterns, TF_MAX, pack, probability, weight_for};
use crate::prepare::{Dataset, Preparer};
use crate::schema::{Record, Schema};
use crate::variants::Variants;

#[derive(Debug, Clone)]
pub struct Settings {
    /// Match probability from which a pair counts as a match.
    pub threshold: f64,
    /// Year at which ages were stated.
    pub reference_year: i32,
    pub rules: Vec<Rule>,
    /// Blocks larger than this are compared by sorted neighbourhood.
    pub max_block: usize,
    pub window: usize,
    /// Candidate pairs sampled for EM.
    pub training_pairs: u64,
    /// Random pairs for the chance agreement (u) each comparison starts from.
    pub random_pairs: usize,
    pub max_iterations: usize,
    /// Share of pairs between two groups that must match for the groups to merge.
    pub min_cluster_density: f64,
    /// Records one cluster may hold at most.
    pub max_cluster_size: usize,
    pub seed: u64,
    pub variants: Variants,
    /// Keep each matched pair's per-comparison contributions.
    pub explain: bool,
    /// Clerical decisions: (id, id, same person?). In a link, the first id is a left record.
    /// They join the pairs m and u are estimated from; pairs whose ids are not found are
    /// ignored.
    pub labels: Vec<(String, String, bool)>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            threshold: 0.5,
            reference_year: 2026,
            rules: Rule::DEFAULTS.to_vec(),
            max_block: 20,
            window: 4,
            training_pairs: 1_000_000,
            random_pairs: 300_000,
            max_iterations: 100,
            min_cluster_density: 0.5,
            max_cluster_size: 10,
            seed: 0x4841_5645_4e00_0001,
            variants: Variants::builtin(),
            explain: false,
            labels: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LinkError {
    #[error("record {id:?} has {found} values; the schema has {expected} columns")]
    WrongWidth { id: String, found: usize, expected: usize },
    #[error("too many columns to compare: at most {MAX_COMPARISONS}")]
    TooManyComparisons,
    #[error("the threshold must be between 0 and 1, not {0}")]
    BadThreshold(f64),
    #[error("cancelled")]
    Cancelled,
}

/// Stages reported to the progress callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Prepare,
    Train,
    Score,
    Cluster,
}

/// Progress reporting and cancellation, shared with the caller's thread.
pub struct Control<'a> {
    pub progress: &'a (dyn Fn(Stage, usize, usize) + Sync),
    pub cancel: &'a AtomicBool,
}

/// What a de-duplication found.
#[derive(Debug, Clone)]
pub struct Deduplication {
    pub pairs: Vec<ScoredPair>,
    pub clusters: Clusters,
    pub model: Model,
    pub blocking: Vec<BlockStats>,
    /// Per pair, when `Settings::explain` is on.
    pub explanations: Vec<Vec<Contribution>>,
    /// Per schema field, values that could not be read (dates, ages) and count as missing.
    pub unreadable: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Linkage {
    /// `a` indexes the left records, `b` the right ones.
    pub pairs: Vec<ScoredPair>,
    pub model: Model,
    pub blocking: Vec<BlockStats>,
    /// Per pair, when `Settings::explain` is on.
    pub explanations: Vec<Vec<Contribution>>,
    /// Per schema field, values of both files that could not be read and count as missing.
    pub unreadable: Vec<usize>,
}

/// A tracing candidate: a record and how well it matches the request.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub record: usize,
    pub weight: f64,
    pub probability: f64,
    pub explanation: Vec<Contribution>,
}

pub struct Linker {
    schema: Schema,
    comparisons: Vec<Comparison>,
    settings: Settings,
}

/// Which pairs count: within one file, or across two (`left` records first).
#[derive(Clone, Copy)]
enum Scope {
    Within,
    Across { left: usize },
}

impl Scope {
    fn keeps(self, a: usize, b: usize) -> bool {
        match self {
            Scope::Within => true,
            Scope::Across { left } => (a < left) != (b < left),
        }
    }
}

impl Linker {
    pub fn new(schema: Schema, settings: Settings) -> Result<Linker, LinkError> {
        if !(0.0..=1.0).contains(&settings.threshold) || settings.threshold.is_nan() {
            return Err(LinkError::BadThreshold(settings.threshold));
        }
        let comparisons = comparisons(&schema);
        if comparisons.len() > MAX_COMPARISONS {
            return Err(LinkError::TooManyComparisons);
        }
        Ok(Linker { schema, comparisons, settings })
    }

    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Finds the records that are the same person, and groups them.
    pub fn dedupe(&self, records: &[Record], control: &Control<'_>) -> Result<Deduplication, LinkError> {
        self.check_width(records)?;
        (control.progress)(Stage::Prepare, 0, 1);
        let ds = Preparer::new(&self.settings.variants, self.settings.reference_year).prepare(&self.schema, records);
        (control.progress)(Stage::Prepare, 1, 1);
        let blocking = self.blocking(&ds);
        let labels =
            self.resolve_labels(records.iter().map(|r| r.id.as_str()), records.iter().map(|r| r.id.as_str()), 0);
        let model = self.train(&ds, &blocking, Scope::Within, &labels, control)?;
        let (pairs, stats) = self.score(&ds, &blocking, &model, Scope::Within, control)?;
        let explanations = self.explanations(&ds, &model, &pairs);
        let unreadable = ds.unreadable.clone();
        drop(blocking);
        drop(ds);
        (control.progress)(Stage::Cluster, 0, 1);
        let clusters =
            cluster(records.len(), &pairs, self.settings.min_cluster_density, self.settings.max_cluster_size);
        (control.progress)(Stage::Cluster, 1, 1);
        Ok(Deduplication { pairs, clusters, model, blocking: stats, explanations, unreadable })
    }

    /// Finds the pairs of a left and a right record that are the same person.
    pub fn link(&self, left: &[Record], right: &[Record], control: &Control<'_>) -> Result<Linkage, LinkError> {
        self.check_width(left)?;
        self.check_width(right)?;
        let both: Vec<Record> = left.iter().chain(right).cloned().collect();
        (control.progress)(Stage::Prepare, 0, 1);
        let ds = Preparer::new(&self.settings.variants, self.settings.reference_year).prepare(&self.schema, &both);
        drop(both);
        (control.progress)(Stage::Prepare, 1, 1);
        let scope = Scope::Across { left: left.len() };
        let blocking = self.blocking(&ds);
        let labels =
            self.resolve_labels(left.iter().map(|r| r.id.as_str()), right.iter().map(|r| r.id.as_str()), left.len());
        let model = self.train(&ds, &blocking, scope, &labels, control)?;
        let (mut pairs, stats) = self.score(&ds, &blocking, &model, scope, control)?;
        let explanations = self.explanations(&ds, &model, &pairs);
        for p in &mut pairs {
            p.b -= left.len() as u32;
        }
        Ok(Linkage { pairs, model, blocking: stats, explanations, unreadable: ds.unreadable.clone() })
    }

    /// For each query (a tracing request), the `k` records that best match it, best first,
    /// with the explanation of each score. The model is trained on `records`.
    pub fn candidates(
        &self,
        records: &[Record],
        queries: &[Record],
        k: usize,
        control: &Control<'_>,
    ) -> Result<Vec<Vec<Candidate>>, LinkError> {
        self.check_width(records)?;
        self.check_width(queries)?;
        let both: Vec<Record> = records.iter().chain(queries).cloned().collect();
        let ds = Preparer::new(&self.settings.variants, self.settings.reference_year).prepare(&self.schema, &both);
        let blocking = self.blocking(&ds);
        // The model describes the registry itself; queries are only scored against it.
        let model = self.train(&ds, &blocking, Scope::Across { left: records.len() }, &[], control)?;
        let comparer = Comparer::new(&ds);
        let n = records.len();
        let keep = |a: usize, b: usize| (a < n) != (b < n);
        let init = Vec::<(u32, u32, f64)>::new;
        let visit = |found: &mut Vec<(u32, u32, f64)>, a: usize, b: usize| {
            let (w, _) = model.score(&comparer, a, b);
            found.push((a as u32, b as u32, w));
        };
        let (states, _) = blocking
            .visit(&ds, &|_| true, &keep, &init, &visit, &|d, t| (control.progress)(Stage::Score, d, t), control.cancel)
            .ok_or(LinkError::Cancelled)?;
        let mut per_query: Vec<Vec<(usize, f64)>> = vec![Vec::new(); queries.len()];
        for (a, b, w) in states.into_iter().flatten() {
            let (record, query) = if (a as usize) < n { (a as usize, b as usize) } else { (b as usize, a as usize) };
            per_query[query - n].push((record, w));
        }
        Ok(per_query
            .into_iter()
            .enumerate()
            .map(|(q, mut found)| {
                found.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
                found.dedup_by_key(|f| f.0);
                found.truncate(k);
                found
                    .into_iter()
                    .map(|(record, weight)| Candidate {
                        record,
                        weight,
                        probability: probability(weight),
                        explanation: model.explain(&comparer, record, n + q),
                    })
                    .collect()
            })
            .collect())
    }

    fn explanations(&self, ds: &Dataset, model: &Model, pairs: &[ScoredPair]) -> Vec<Vec<Contribution>> {
        if !self.settings.explain {
            return Vec::new();
        }
        let comparer = Comparer::new(ds);
        pairs.par_iter().map(|p| model.explain(&comparer, p.a as usize, p.b as usize)).collect()
    }

    /// How many of the true pairs the blocking rules can reach at all.
    pub fn blocking_recall(&self, records: &[Record], true_pairs: &[(usize, usize)]) -> (usize, usize) {
        (true_pairs.len() - self.unreached(records, true_pairs).len(), true_pairs.len())
    }

    /// The given pairs that no blocking rule puts into a common block.
    pub fn unreached(&self, records: &[Record], pairs: &[(usize, usize)]) -> Vec<(usize, usize)> {
        let ds = Preparer::new(&self.settings.variants, self.settings.reference_year).prepare(&self.schema, records);
        self.blocking(&ds).unreached(pairs)
    }

    /// Record indices of the labelled pairs found among the records (`offset` is where the
    /// right-hand records start in the prepared data).
    fn resolve_labels<'r>(
        &self,
        left: impl Iterator<Item = &'r str>,
        right: impl Iterator<Item = &'r str>,
        offset: usize,
    ) -> Vec<(usize, usize, bool)> {
        if self.settings.labels.is_empty() {
            return Vec::new();
        }
        let left: std::collections::HashMap<&str, usize> = left.enumerate().map(|(i, id)| (id, i)).collect();
        let right: std::collections::HashMap<&str, usize> = right.enumerate().map(|(i, id)| (id, i + offset)).collect();
        self.settings
            .labels
            .iter()
            .filter_map(|(a, b, same)| Some((*left.get(a.as_str())?, *right.get(b.as_str())?, *same)))
            .collect()
    }

    fn check_width(&self, records: &[Record]) -> Result<(), LinkError> {
        let expected = self.schema.fields.len();
        match records.iter().find(|r| r.values.len() != expected) {
            Some(r) => Err(LinkError::WrongWidth { id: r.id.clone(), found: r.values.len(), expected }),
            None => Ok(()),
        }
    }

    fn blocking(&self, ds: &Dataset) -> Blocking {
        Blocking::new(ds, &self.schema, &self.settings.rules, self.settings.max_block, self.settings.window)
    }

    fn train(
        &self,
        ds: &Dataset,
        blocking: &Blocking,
        scope: Scope,
        labels: &[(usize, usize, bool)],
        control: &Control<'_>,
    ) -> Result<Model, LinkError> {
        (control.progress)(Stage::Train, 0, 2);
        let comparer = Comparer::new(ds);
        let random = self.random_patterns(&comparer, ds.len, scope);
        let estimated = blocking.estimated_pairs().max(1);
        let rate = (self.settings.training_pairs as f64 / estimated as f64).min(1.0);
        let cut = (rate * u32::MAX as f64) as u64;
        let seed = self.settings.seed;
        // Whole blocks are sampled, so that the pairs left out are never enumerated.
        let sampled = |key: u64| (mix(seed ^ key) >> 32) <= cut;
        let keep = |a: usize, b: usize| scope.keeps(a, b);
        let comparisons = &self.comparisons;
        let visit = |p: &mut Patterns, a: usize, b: usize| p.add(pack(&levels(&comparer, comparisons, a, b)));
        let (states, _) = blocking
            .visit(
                ds,
                &sampled,
                &keep,
                &Patterns::default,
                &visit,
                &|d, t| (control.progress)(Stage::Train, d, t),
                control.cancel,
            )
            .ok_or(LinkError::Cancelled)?;
        let candidates = states.into_iter().fold(Patterns::default(), Patterns::merge);
        let labelled: Vec<_> = labels.iter().map(|(a, b, m)| (levels(&comparer, comparisons, *a, *b), *m)).collect();
        (control.progress)(Stage::Train, 1, 2);
        let model =
            Model::estimate(self.comparisons.clone(), &random, &candidates, &labelled, self.settings.max_iterations);
        (control.progress)(Stage::Train, 2, 2);
        Ok(model)
    }

    fn random_patterns(&self, comparer: &Comparer<'_>, n: usize, scope: Scope) -> Patterns {
        if n < 2 {
            return Patterns::default();
        }
        let comparisons = &self.comparisons;
        let seed = self.settings.seed;
        (0..self.settings.random_pairs as u64)
            .into_par_iter()
            .fold(Patterns::default, |mut p, i| {
                let r = mix(seed.wrapping_add(i));
                let (a, b) = match scope {
                    Scope::Within => ((r % n as u64) as usize, ((r >> 32) % n as u64) as usize),
                    Scope::Across { left } => {
                        let right = (n - left).max(1);
                        ((r % left.max(1) as u64) as usize, left + ((r >> 32) % right as u64) as usize)
                    }
                };
                if a != b {
                    p.add(pack(&levels(comparer, comparisons, a, b)));
                }
                p
            })
            .reduce(Patterns::default, Patterns::merge)
    }

    fn score(
        &self,
        ds: &Dataset,
        blocking: &Blocking,
        model: &Model,
        scope: Scope,
        control: &Control<'_>,
    ) -> Result<(Vec<ScoredPair>, Vec<BlockStats>), LinkError> {
        let comparer = Comparer::new(ds);
        let threshold = weight_for(self.settings.threshold);
        let scorer = Scorer::new(model);
        let keep = |a: usize, b: usize| scope.keeps(a, b);
        let visit = |found: &mut Vec<ScoredPair>, a: usize, b: usize| {
            if let Some(w) = scorer.weight_if_above(&comparer, a, b, threshold) {
                found.push(ScoredPair {
                    a: a as u32,
                    b: b as u32,
                    weight: w as f32,
                    probability: probability(w) as f32,
                });
            }
        };
        let (states, stats) = blocking
            .visit(
                ds,
                &|_| true,
                &keep,
                &Vec::new,
                &visit,
                &|d, t| (control.progress)(Stage::Score, d, t),
                control.cancel,
            )
            .ok_or(LinkError::Cancelled)?;
        let mut pairs: Vec<ScoredPair> = states.into_iter().flatten().collect();
        pairs.par_sort_unstable_by_key(|p| (p.a, p.b));
        pairs.dedup_by_key(|p| (p.a, p.b));
        Ok((pairs, stats))
    }
}

/// Scores with an early stop: once even the best remaining agreement cannot lift a pair
/// over the threshold, the remaining (costlier) comparisons are skipped. Against a mixture of
/// look-alikes the evidence is at most the evidence against any one kind, so the bound is the
/// smallest over the kinds.
struct Scorer<'m> {
    model: &'m Model,
    /// Per kind, the largest weight the comparisons from i on can still add against it.
    remaining: Vec<Vec<f64>>,
    /// The largest term-frequency bonus the comparisons from i on can still add.
    remaining_tf: Vec<f64>,
}

impl<'m> Scorer<'m> {
    fn new(model: &'m Model) -> Self {
        let n = model.comparisons.len();
        let from = |weight: &dyn Fn(usize) -> f64| {
            let mut rest = vec![0.0; n + 1];
            for i in (0..n).rev() {
                rest[i] = rest[i + 1] + weight(i).max(0.0);
            }
            rest
        };
        let remaining = model.kinds.iter().map(|k| from(&|i| k.max_weight(i))).collect();
        let remaining_tf = from(&|i| if model.comparisons[i].term_frequency { TF_MAX } else { 0.0 });
        Scorer { model, remaining, remaining_tf }
    }

    fn weight_if_above(&self, comparer: &Comparer<'_>, a: usize, b: usize, threshold: f64) -> Option<f64> {
        let model = self.model;
        let prior = model.prior_weight();
        let kinds = model.kinds.len();
        // Evidence against each kind so far (kinds and comparisons are bounded: no allocation).
        let mut against = [0.0f64; MAX_KINDS];
        for (w, k) in against.iter_mut().zip(&model.kinds) {
            *w = -k.log2_share();
        }
        let mut person = None;
        let mut tf = 0.0;
        for (i, c) in model.comparisons.iter().enumerate() {
            let best =
                against[..kinds].iter().zip(&self.remaining).map(|(w, r)| w + r[i]).fold(f64::INFINITY, f64::min);
            if prior + tf + self.remaining_tf[i] + best < threshold {
                return None;
            }
            let l = comparer.level_in(c, a, b, &mut person);
            for (w, k) in against.iter_mut().zip(&model.kinds) {
                *w += k.weight(i, l);
            }
            tf += model.tf(comparer, i, l, a, b);
        }
        let w = prior + Model::weight_against(&against[..kinds]) + tf;
        (w >= threshold).then_some(w)
    }
}

fn levels(comparer: &Comparer<'_>, comparisons: &[Comparison], a: usize, b: usize) -> Vec<u8> {
    let mut person = None;
    comparisons.iter().map(|c| comparer.level_in(c, a, b, &mut person)).collect()
}

/// SplitMix64's finaliser: a well-spread hash of an integer, for reproducible sampling.
pub fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
