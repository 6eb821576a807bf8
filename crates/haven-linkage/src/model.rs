//! Fellegi–Sunter scoring: m and u probabilities per comparison level, estimated without
//! labels, and term-frequency adjustment of the person's own name and birth.
//!
//! Blocked candidates are not a random sample: non-matches among them are siblings and
//! namesakes, who agree on a family name, a place, a phone far more often than random pairs,
//! and rarely on the name and the household at once. So m is read from candidates that the
//! other comparisons show to be one person, and the non-matches are a mixture of kinds
//! (unrelated people, namesakes, namesakes of the same age, relatives, members of one
//! household...), each with its own chance agreement: EM estimates the share of matches, the
//! shares of the kinds and their chance agreement, with m held. A pair's evidence is the match
//! against the mixture, so a pattern no kind of look-alike shows (same name *and* same
//! household) counts for more than the sum of its parts. Random pairs give the base of
//! term-frequency adjustments.

use std::collections::HashMap;

use crate::compare::{Attribute, Comparer, Comparison, MISSING};

/// Levels of one pair, one per comparison.
pub type Levels = Vec<u8>;

const BITS: u32 = 3;
pub const MAX_COMPARISONS: usize = (64 / BITS) as usize;

/// A pair's levels packed into a u64: 3 bits per comparison, 7 = missing.
pub fn pack(levels: &[u8]) -> u64 {
    levels.iter().enumerate().fold(0u64, |acc, (i, &l)| {
        let v = if l == MISSING { 7 } else { l.min(6) as u64 };
        acc | (v << (i as u32 * BITS))
    })
}

pub fn unpack(packed: u64, n: usize) -> Levels {
    (0..n)
        .map(|i| {
            let v = ((packed >> (i as u32 * BITS)) & 7) as u8;
            if v == 7 { MISSING } else { v }
        })
        .collect()
}

/// Counts of level patterns: EM works on these, not on pairs.
#[derive(Debug, Clone, Default)]
pub struct Patterns {
    pub counts: HashMap<u64, u64>,
    pub pairs: u64,
}

impl Patterns {
    pub fn add(&mut self, packed: u64) {
        *self.counts.entry(packed).or_default() += 1;
        self.pairs += 1;
    }

    pub fn merge(mut self, other: Patterns) -> Patterns {
        for (k, v) in other.counts {
            *self.counts.entry(k).or_default() += v;
        }
        self.pairs += other.pairs;
        self
    }
}

/// A trained model.
#[derive(Debug, Clone)]
pub struct Model {
    pub comparisons: Vec<Comparison>,
    /// P(level | match), per comparison and level.
    pub m: Vec<Vec<f64>>,
    /// P(level | different people among candidates).
    pub u: Vec<Vec<f64>>,
    /// P(level | random pair): the base of term-frequency adjustments.
    pub u_random: Vec<Vec<f64>>,
    /// Share of matches among candidate pairs.
    pub prior: f64,
    pub iterations: usize,
    pub converged: bool,
    /// log2(m/u), cached.
    weights: Vec<Vec<f64>>,
    /// The kinds of different people among candidates (namesakes, relatives...), each with its
    /// own chance agreement: a pair is a match when it resembles a second registration more
    /// than it resembles every kind of look-alike, weighed by how common each kind is.
    pub kinds: Vec<Kind>,
}

/// One kind of non-matching candidate pair.
#[derive(Debug, Clone)]
pub struct Kind {
    pub name: String,
    /// Share among the non-matching candidates.
    pub share: f64,
    /// P(level | this kind), per comparison and level.
    pub u: Vec<Vec<f64>>,
    /// log2(m/u) of this kind, never falling as agreement rises.
    weights: Vec<Vec<f64>>,
    /// log2 of `share`, read for every pair scored.
    log2_share: f64,
}

impl Kind {
    pub fn log2_share(&self) -> f64 {
        self.log2_share
    }

    pub fn weight(&self, comparison: usize, level: u8) -> f64 {
        if level == MISSING {
            return 0.0;
        }
        self.weights[comparison].get(level as usize).copied().unwrap_or(0.0)
    }

    pub fn max_weight(&self, comparison: usize) -> f64 {
        self.weights[comparison].iter().copied().fold(f64::NEG_INFINITY, f64::max)
    }
}

/// One comparison's part in a pair's score.
#[derive(Debug, Clone, PartialEq)]
pub struct Contribution {
    pub comparison: String,
    /// The level's name, or "missing".
    pub level: String,
    /// Bits of evidence: positive for a match.
    pub weight: f64,
}

impl Model {
    /// Estimates a model. u, the chance agreement among candidates that are different
    /// people, is read from candidate pairs that an anchor comparison already shows to be
    /// different people (for most comparisons: the given names differ; for the given name:
    /// the births are years apart), so that it includes what blocking adds (siblings share a
    /// family name, a place, a phone). Random pairs give the fallback and the base of
    /// term-frequency adjustments. m is read from candidate pairs that the other comparisons
    /// show to be one person, steadied by the error rates fieldwork expects; EM then finds the
    /// share of matches among the candidates. That plain model seeds the kinds of look-alikes
    /// (see `kind_seeds`), and EM fits them with m held. `labels` are clerical decisions (the
    /// levels of pairs known to match or not): they join the confident pairs and the anchored
    /// ones.
    pub fn estimate(
        comparisons: Vec<Comparison>,
        random: &Patterns,
        candidates: &Patterns,
        labels: &[(Levels, bool)],
        max_iterations: usize,
    ) -> Model {
        let n = comparisons.len();
        let u_random = level_shares(&comparisons, random);
        let u_blocked = blocked_chance_agreement(&comparisons, candidates, &u_random, labels);
        let m = confident_match_agreement(&comparisons, candidates, labels);
        let patterns: Vec<(Levels, f64)> = candidates.counts.iter().map(|(k, c)| (unpack(*k, n), *c as f64)).collect();
        let seeds = kind_seeds(&comparisons, &patterns, &u_blocked, &m, max_iterations);
        let single = seeds.len() == 1 && seeds[0].held;
        let fit = fit_mixture(&m, &u_blocked, seeds, &patterns, max_iterations);
        let support = level_counts(&comparisons, candidates);
        let weights_of = |u: &[Vec<f64>]| -> Vec<Vec<f64>> {
            m.iter()
                .zip(u)
                .zip(&support)
                .map(|((ms, us), seen)| monotone(ms.iter().zip(us).map(|(a, b)| (a / b).log2()), seen))
                .collect()
        };
        let kinds: Vec<Kind> = fit
            .kinds
            .into_iter()
            .map(|(name, share, u)| {
                // Against one kind of look-alike, closer agreement can be weaker evidence
                // (namesakes agree on names more often than second registrations do): only the
                // plain model's single kind is held to rising weights.
                let weights = if single {
                    weights_of(&u)
                } else {
                    m.iter().zip(&u).map(|(ms, us)| ms.iter().zip(us).map(|(a, b)| (a / b).log2()).collect()).collect()
                };
                Kind { name, log2_share: share.log2(), share, weights, u }
            })
            .collect();
        // What the kinds together look like, for the per-comparison view of the model.
        let u: Vec<Vec<f64>> = (0..n)
            .map(|c| {
                (0..comparisons[c].levels.len()).map(|l| kinds.iter().map(|k| k.share * k.u[c][l]).sum()).collect()
            })
            .collect();
        let weights = weights_of(&u);
        Model {
            comparisons,
            m,
            u,
            u_random,
            prior: fit.prior,
            iterations: fit.iterations,
            converged: fit.converged,
            weights,
            kinds,
        }
    }

    /// The model as a table: comparison, level, m, u and weight, one line each.
    pub fn describe(&self) -> String {
        let mut out = format!(
            "share of matches among candidates {:.5} (prior {:+.2} bits), EM {} iterations{}\n",
            self.prior,
            self.prior_weight(),
            self.iterations,
            if self.converged { "" } else { " (not converged)" }
        );
        for (i, c) in self.comparisons.iter().enumerate() {
            for (l, name) in c.levels.iter().enumerate() {
                out.push_str(&format!(
                    "{:<18} {:<34} m {:.4}  u {:.4}  u(random) {:.5}  {:+6.2} bits\n",
                    c.label, name, self.m[i][l], self.u[i][l], self.u_random[i][l], self.weights[i][l]
                ));
            }
        }
        for k in &self.kinds {
            out.push_str(&format!("non-match kind {:.4}  {}:", k.share, k.name));
            for (i, c) in self.comparisons.iter().enumerate() {
                let levels: Vec<String> = k.u[i].iter().map(|u| format!("{u:.3}")).collect();
                out.push_str(&format!("  {} [{}]", c.label, levels.join(" ")));
            }
            out.push('\n');
        }
        out
    }

    /// Bits of evidence for a match in a whole pattern of levels (prior and term frequencies
    /// aside): the second registration against the mixture of look-alikes.
    /// [`Model::pattern_weight`] from the evidence against each kind (its weights summed,
    /// less the log2 of its share), as a scorer accumulates it.
    pub fn weight_against(evidence: &[f64]) -> f64 {
        let mut terms = [0.0f64; MAX_KINDS];
        for (t, e) in terms.iter_mut().zip(evidence) {
            *t = -e;
        }
        -log2_sum(&terms[..evidence.len().min(MAX_KINDS)])
    }

    pub fn pattern_weight(&self, levels: &[u8]) -> f64 {
        let mut terms = [0.0f64; MAX_KINDS];
        for (t, k) in terms.iter_mut().zip(&self.kinds) {
            *t = k.log2_share - levels.iter().enumerate().map(|(i, &l)| k.weight(i, l)).sum::<f64>();
        }
        -log2_sum(&terms[..self.kinds.len()])
    }

    /// The kind of look-alike a pattern most resembles.
    fn nearest_kind(&self, levels: &[u8]) -> usize {
        let score = |k: &Kind| k.log2_share - levels.iter().enumerate().map(|(i, &l)| k.weight(i, l)).sum::<f64>();
        (0..self.kinds.len()).max_by(|a, b| score(&self.kinds[*a]).total_cmp(&score(&self.kinds[*b]))).unwrap_or(0)
    }

    pub fn prior_weight(&self) -> f64 {
        (self.prior / (1.0 - self.prior)).log2()
    }

    pub fn weight(&self, comparison: usize, level: u8) -> f64 {
        if level == MISSING {
            return 0.0;
        }
        self.weights[comparison].get(level as usize).copied().unwrap_or(0.0)
    }

    /// The largest weight a comparison can add, term-frequency bonus included.
    pub fn max_weight(&self, comparison: usize) -> f64 {
        let best = self.weights[comparison].iter().copied().fold(0.0f64, f64::max);
        if self.comparisons[comparison].term_frequency { best + TF_MAX } else { best }
    }

    /// Term-frequency adjustment of an agreement on a value held by `count` of `total`:
    /// positive for a rarer value than a chance agreement at this level usually is.
    pub fn tf_adjustment(&self, comparison: usize, level: u8, count: u32, total: u64) -> f64 {
        let top = self.comparisons[comparison].levels.len() - 1;
        if total == 0 || (level as usize) < top.saturating_sub(1) {
            return 0.0;
        }
        let chance: f64 = self.u_random[comparison][level as usize..].iter().sum();
        let frequency = (count.max(1) as f64 / total as f64).max(1e-9);
        (chance / frequency).log2().clamp(TF_MIN, TF_MAX)
    }

    /// Match weight (bits) and probability of one pair.
    pub fn score(&self, comparer: &Comparer<'_>, a: usize, b: usize) -> (f64, f64) {
        let mut person = None;
        let levels: Vec<u8> = self.comparisons.iter().map(|c| comparer.level_in(c, a, b, &mut person)).collect();
        let tf: f64 = levels.iter().enumerate().map(|(i, &l)| self.tf(comparer, i, l, a, b)).sum();
        let w = self.prior_weight() + self.pattern_weight(&levels) + tf;
        (w, probability(w))
    }

    /// The term-frequency adjustment of comparison `i` at `level` for record `a`'s value:
    /// for the exact level and, on names and places, the variant level below it.
    pub fn tf(&self, comparer: &Comparer<'_>, i: usize, level: u8, a: usize, b: usize) -> f64 {
        let c = &self.comparisons[i];
        let top = c.levels.len() - 1;
        if level == MISSING || !c.term_frequency || (level as usize) + 1 < top {
            return 0.0;
        }
        // The commoner of the two values: "Maria" agrees with "Maria Josefa" as often as
        // "Maria" does.
        let exact = level as usize == top;
        match (comparer.frequency(c, a, exact), comparer.frequency(c, b, exact)) {
            (Some(x), Some(y)) => self.tf_adjustment(i, level, x.0.max(y.0), x.1),
            (Some((count, total)), None) | (None, Some((count, total))) => self.tf_adjustment(i, level, count, total),
            (None, None) => 0.0,
        }
    }

    /// Each comparison's level and contribution for one pair.
    /// Each comparison's level and contribution for one pair, measured against the kind of
    /// look-alike the pair most resembles; a last line says which kind that is and what the
    /// other kinds change, so that the contributions add up to the pair's weight less the prior.
    pub fn explain(&self, comparer: &Comparer<'_>, a: usize, b: usize) -> Vec<Contribution> {
        let mut person = None;
        let levels: Vec<u8> = self.comparisons.iter().map(|c| comparer.level_in(c, a, b, &mut person)).collect();
        let nearest = &self.kinds[self.nearest_kind(&levels)];
        let mut out: Vec<Contribution> = self
            .comparisons
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let l = levels[i];
                Contribution {
                    comparison: c.label.clone(),
                    level: if l == MISSING { "missing".into() } else { c.levels[l as usize].into() },
                    weight: nearest.weight(i, l) + self.tf(comparer, i, l, a, b),
                }
            })
            .collect();
        let against_nearest: f64 = levels.iter().enumerate().map(|(i, &l)| nearest.weight(i, l)).sum();
        out.push(Contribution {
            comparison: "resembles".into(),
            level: nearest.name.clone(),
            weight: self.pattern_weight(&levels) - against_nearest,
        });
        out
    }
}

/// Bounds of the term-frequency adjustment, in bits: a very rare value should not outweigh
/// every other comparison.
pub const TF_MIN: f64 = -4.0;
pub const TF_MAX: f64 = 3.0;

/// Candidate pairs a level must hold for its weight to be trusted (fewer in a small sample,
/// where any level that is seen at all counts).
const MIN_SUPPORT: f64 = 20.0;
const MIN_SUPPORT_SHARE: f64 = 1e-3;

/// Levels are ordered: closer agreement is never weaker evidence than a looser one. Where the
/// estimates say otherwise (sampling noise, a common exact spelling), the looser level's
/// weight is carried up. A level that almost no candidate pair reaches (dates without a day in
/// a file of full dates) has only the priors' ratio for a weight: it takes the weight below it
/// and is not carried up.
fn monotone(weights: impl Iterator<Item = f64>, support: &[f64]) -> Vec<f64> {
    let enough = MIN_SUPPORT.min(MIN_SUPPORT_SHARE * support.iter().sum::<f64>());
    let mut best = f64::NEG_INFINITY;
    weights
        .zip(support)
        .map(|(w, &seen)| {
            if (seen > 0.0 && seen >= enough) || best == f64::NEG_INFINITY {
                best = best.max(w);
            }
            best
        })
        .collect()
}

pub fn probability(weight: f64) -> f64 {
    let odds = weight.exp2();
    if odds.is_infinite() { 1.0 } else { odds / (1.0 + odds) }
}

/// The weight at which the match probability reaches `p`.
pub fn weight_for(p: f64) -> f64 {
    let p = p.clamp(1e-12, 1.0 - 1e-12);
    (p / (1.0 - p)).log2()
}

/// u per comparison from candidate pairs whose anchor comparison disagrees (and from pairs
/// labelled as non-matches); random pairs where that leaves too few.
fn blocked_chance_agreement(
    comparisons: &[Comparison],
    candidates: &Patterns,
    u_random: &[Vec<f64>],
    labels: &[(Levels, bool)],
) -> Vec<Vec<f64>> {
    let n = comparisons.len();
    let Roles { person, birth, household, .. } = Roles::of(comparisons);
    let patterns: Vec<(Levels, u64)> = candidates.counts.iter().map(|(k, c)| (unpack(*k, n), *c)).collect();
    (0..n)
        .map(|c| {
            let anchor = if Some(c) == person { birth.or(household) } else { person };
            let Some(anchor) = anchor else { return u_random[c].clone() };
            let mut acc = vec![0.0; comparisons[c].levels.len()];
            let mut seen = 0u64;
            for (levels, count) in &patterns {
                let (l, a) = (levels[c], levels[anchor]);
                if a == 0 && l != MISSING && (l as usize) < acc.len() {
                    acc[l as usize] += *count as f64;
                    seen += count;
                }
            }
            for (levels, _) in labels.iter().filter(|(_, is_match)| !is_match) {
                if let Some(&l) = levels.get(c).filter(|l| (**l as usize) < acc.len()) {
                    acc[l as usize] += 1.0;
                    seen += 1;
                }
            }
            if seen < 200 { u_random[c].clone() } else { normalise(std::slice::from_ref(&acc)).remove(0) }
        })
        .collect()
}

/// log2 of a sum of powers of two, without overflow.
fn log2_sum(terms: &[f64]) -> f64 {
    let top = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if top == f64::NEG_INFINITY {
        return top;
    }
    top + terms.iter().map(|t| (t - top).exp2()).sum::<f64>().log2()
}

/// A kind of look-alike to start EM from.
struct Seed {
    name: String,
    u: Vec<Vec<f64>>,
    pairs: f64,
    /// Held as it is (the single kind of the plain model).
    held: bool,
}

/// Non-matching pairs a kind needs to be estimated on its own: with fewer (measured on 20,000
/// generated rows, where 200 let EM turn small kinds into second registrations and halved
/// the recall) it joins a broader kind.
const MIN_KIND_PAIRS: f64 = 2000.0;

/// What the pairs of one kind agree on, one bit each: given name, family name, birth, a
/// household detail (a relative's name, place, phone). Telling relatives from place or phone
/// apart (32 kinds) was measured no better at 100,000 rows (F1 0.888 against 0.890).
const KIND_PARTS: [&str; 4] = ["given name", "family name", "birth", "a relative, place or phone"];
const KINDS: usize = 1 << KIND_PARTS.len();
/// Kinds a model holds at most.
pub const MAX_KINDS: usize = KINDS;

fn kind_name(kind: usize) -> String {
    let parts: Vec<&str> = (0..KIND_PARTS.len()).filter(|b| kind >> b & 1 == 1).map(|b| KIND_PARTS[b]).collect();
    if parts.is_empty() { "unrelated".into() } else { format!("same {}", parts.join(", ")) }
}

/// The kinds of different people among candidates: every candidate pair counts for each kind
/// as much as the plain model (one kind, the anchored chance agreement) finds it a non-match,
/// in the kind its agreements put it in (given name, family name, birth, household: sixteen
/// kinds, from unrelated people to namesakes of the same age in the same household). Kinds
/// with too few pairs join the kind with one agreement fewer; when fewer than two kinds are
/// left, the plain model's single kind is the answer.
fn kind_seeds(
    comparisons: &[Comparison],
    patterns: &[(Levels, f64)],
    plain: &[Vec<f64>],
    m: &[Vec<f64>],
    max_iterations: usize,
) -> Vec<Seed> {
    let single =
        || vec![Seed { name: "different people among candidates".into(), u: plain.to_vec(), pairs: 1.0, held: true }];
    let fit = fit_mixture(m, plain, single(), patterns, max_iterations);
    let roles = Roles::of(comparisons);
    let level = |l: &Levels, c: Option<usize>| c.map(|c| l[c]).filter(|v| *v != MISSING);
    let agrees = |l: &Levels, c: Option<usize>, min: u8| level(l, c).is_some_and(|v| v >= min);
    let kind_of = |l: &Levels| {
        agrees(l, roles.person, 3) as usize
            | (agrees(l, roles.family, 3) as usize) << 1
            | (agrees(l, roles.birth, 2) as usize) << 2
            | (roles.households.iter().any(|h| agrees(l, Some(*h), 1)) as usize) << 3
    };
    let mut acc: Vec<Vec<Vec<f64>>> =
        (0..KINDS).map(|_| comparisons.iter().map(|c| vec![0.0; c.levels.len()]).collect()).collect();
    let mut mass = [0.0; KINDS];
    for (levels, count) in patterns {
        let different = count * (1.0 - plain_match_probability(m, plain, fit.prior, levels));
        let k = kind_of(levels);
        mass[k] += different;
        for (c, &l) in levels.iter().enumerate() {
            if l != MISSING && (l as usize) < acc[k][c].len() {
                acc[k][c][l as usize] += different;
            }
        }
    }
    // Small kinds join the kind with one agreement fewer (the highest bit dropped).
    for k in (1..KINDS).rev() {
        if mass[k] < MIN_KIND_PAIRS {
            let into = k & !(1 << (usize::BITS - 1 - k.leading_zeros()));
            mass[into] += mass[k];
            mass[k] = 0.0;
            let moved = std::mem::take(&mut acc[k]);
            for (c, levels) in moved.into_iter().enumerate() {
                for (l, v) in levels.into_iter().enumerate() {
                    acc[into][c][l] += v;
                }
            }
        }
    }
    let seeds: Vec<Seed> = (0..KINDS)
        .filter(|k| mass[*k] > 0.0)
        .map(|k| Seed { name: kind_name(k), u: smoothed(&acc[k], plain), pairs: mass[k], held: false })
        .collect();
    // One kind alone is the plain model, whose chance agreement is the anchored one.
    if seeds.len() < 2 { single() } else { seeds }
}

/// The match probability of a pattern under one m and one u.
fn plain_match_probability(m: &[Vec<f64>], u: &[Vec<f64>], prior: f64, levels: &Levels) -> f64 {
    let mut log_ratio = (prior / (1.0 - prior)).ln();
    for (c, &l) in levels.iter().enumerate() {
        if l != MISSING && (l as usize) < m[c].len() {
            log_ratio += (m[c][l as usize] / u[c][l as usize]).ln();
        }
    }
    1.0 / (1.0 + (-log_ratio).exp())
}

/// Level shares with a few pseudo-pairs of the fallback, so that a level a kind never shows
/// keeps a small chance.
fn smoothed(acc: &[Vec<f64>], fallback: &[Vec<f64>]) -> Vec<Vec<f64>> {
    const PSEUDO: f64 = 5.0;
    acc.iter()
        .zip(fallback)
        .map(|(levels, f)| {
            let total: f64 = levels.iter().sum();
            levels.iter().zip(f).map(|(v, p)| (v + PSEUDO * p) / (total + PSEUDO)).collect()
        })
        .collect()
}

struct MixtureFit {
    prior: f64,
    kinds: Vec<(String, f64, Vec<Vec<f64>>)>,
    iterations: usize,
    converged: bool,
}

/// EM over the candidate patterns: one match class with m held, and the kinds of look-alikes
/// with their shares and their chance agreement free (smoothed towards `plain`, the anchored
/// chance agreement). With a single held kind this is the plain share-of-matches estimate.
fn fit_mixture(
    m: &[Vec<f64>],
    plain: &[Vec<f64>],
    seeds: Vec<Seed>,
    patterns: &[(Levels, f64)],
    max_iterations: usize,
) -> MixtureFit {
    let total: f64 = patterns.iter().map(|(_, c)| c).sum();
    let seeded: f64 = seeds.iter().map(|s| s.pairs).sum();
    let mut prior: f64 = 0.01;
    let mut shares: Vec<f64> = seeds.iter().map(|s| s.pairs / seeded).collect();
    let mut u: Vec<Vec<Vec<f64>>> = seeds.iter().map(|s| s.u.clone()).collect();
    // Logs once per round, not once per pattern.
    let logs = |p: &[Vec<f64>]| -> Vec<Vec<f64>> { p.iter().map(|c| c.iter().map(|v| v.ln()).collect()).collect() };
    let log_of = |p: &[Vec<f64>], levels: &Levels| -> f64 {
        levels
            .iter()
            .enumerate()
            .filter(|(c, l)| **l != MISSING && (**l as usize) < p[*c].len())
            .map(|(c, &l)| p[c][l as usize])
            .sum()
    };
    let log_m_table = logs(m);
    let (mut iterations, mut converged) = (0, total == 0.0);
    let mut last = f64::NEG_INFINITY;
    while !converged && iterations < max_iterations {
        iterations += 1;
        let mut matched = 0.0;
        let mut kind_mass = vec![0.0; seeds.len()];
        let mut acc: Vec<Vec<Vec<f64>>> = u.iter().map(|k| k.iter().map(|c| vec![0.0; c.len()]).collect()).collect();
        let mut likelihood = 0.0;
        let log_u: Vec<Vec<Vec<f64>>> = u.iter().map(|k| logs(k)).collect();
        let log_shares: Vec<f64> = shares.iter().map(|s| ((1.0 - prior) * s).max(1e-300).ln()).collect();
        for (levels, count) in patterns {
            let log_m = prior.ln() + log_of(&log_m_table, levels);
            let log_k: Vec<f64> = (0..seeds.len()).map(|k| log_shares[k] + log_of(&log_u[k], levels)).collect();
            let top = log_k.iter().copied().fold(log_m, f64::max);
            let norm = (log_m - top).exp() + log_k.iter().map(|x| (x - top).exp()).sum::<f64>();
            likelihood += count * (top + norm.ln());
            matched += count * (log_m - top).exp() / norm;
            for (k, lk) in log_k.iter().enumerate() {
                let r = count * (lk - top).exp() / norm;
                kind_mass[k] += r;
                for (c, &l) in levels.iter().enumerate() {
                    if l != MISSING && (l as usize) < acc[k][c].len() {
                        acc[k][c][l as usize] += r;
                    }
                }
            }
        }
        prior = (matched / total).clamp(1e-6, 1.0 - 1e-6);
        let non_matched: f64 = kind_mass.iter().sum::<f64>().max(1e-12);
        for (k, seed) in seeds.iter().enumerate() {
            shares[k] = (kind_mass[k] / non_matched).max(1e-9);
            if seed.held {
                continue;
            }
            u[k] = smoothed(&acc[k], plain);
        }
        converged = (likelihood - last).abs() <= 1e-7 * likelihood.abs().max(1.0);
        last = likelihood;
    }
    let kinds = seeds.into_iter().zip(shares).zip(u).map(|((s, share), u)| (s.name, share, u)).collect();
    MixtureFit { prior, kinds, iterations, converged }
}

/// m per comparison from candidate pairs that the other comparisons show, with little
/// doubt, to be the same person. The evidence is chosen so that households do not pass: a
/// shared family name, parents, phone and place are what siblings have, so every confident
/// set asks for the person's own given name or birth as well.
fn confident_match_agreement(
    comparisons: &[Comparison],
    candidates: &Patterns,
    labels: &[(Levels, bool)],
) -> Vec<Vec<f64>> {
    let n = comparisons.len();
    let Roles { person, birth, family, households, .. } = Roles::of(comparisons);
    let at_least =
        |levels: &Levels, c: Option<usize>, min: u8| c.is_some_and(|c| levels[c] != MISSING && levels[c] >= min);
    // Shared household details (the family name among them), over comparisons other than `c`.
    let shared = |levels: &Levels, c: usize| -> u8 {
        let name = (family != Some(c) && at_least(levels, family, 3)) as u8;
        name + households.iter().filter(|&&h| h != c && levels[h] != MISSING).map(|&h| levels[h]).sum::<u8>()
    };
    // An exact date of birth; without a birth column, three shared household details.
    let identity_agrees = |levels: &Levels, c: usize| match birth {
        Some(_) => at_least(levels, birth, 6),
        None => shared(levels, c) >= 3,
    };
    let confident = |c: usize, levels: &Levels| -> bool {
        if Some(c) == person {
            identity_agrees(levels, c) && (birth.is_none() || shared(levels, c) >= 2)
        } else if Some(c) == birth {
            // Namesakes from one family (cousins named after the same grandfather) share
            // a name, a family name and a place: ask for both parents or the phone as well.
            at_least(levels, person, 3) && shared(levels, c) >= 4
        } else {
            at_least(levels, person, 3) && identity_agrees(levels, c)
        }
    };
    let patterns: Vec<(Levels, u64)> = candidates.counts.iter().map(|(k, c)| (unpack(*k, n), *c)).collect();
    (0..n)
        .map(|c| {
            let mut acc = vec![0.0; comparisons[c].levels.len()];
            let mut seen = 0u64;
            for (levels, count) in &patterns {
                let l = levels[c];
                if l != MISSING && (l as usize) < acc.len() && confident(c, levels) {
                    acc[l as usize] += *count as f64;
                    seen += count;
                }
            }
            for (levels, _) in labels.iter().filter(|(_, is_match)| *is_match) {
                if let Some(&l) = levels.get(c).filter(|l| (**l as usize) < acc.len()) {
                    acc[l as usize] += 1.0;
                    seen += 1;
                }
            }
            // The registration-error rates that fieldwork knows (below) count as a few
            // hundred confident pairs: enough to steady a small file, not to outvote a large one.
            let prior = expected_m(&comparisons[c]);
            let pseudo = PRIOR_PAIRS + seen as f64;
            acc.iter().zip(&prior).map(|(a, p)| (a + PRIOR_PAIRS * p) / pseudo).collect()
        })
        .collect()
}

/// Where the person's own name, the birth and the household comparisons are.
struct Roles {
    person: Option<usize>,
    birth: Option<usize>,
    family: Option<usize>,
    /// The first household comparison: the anchor when there is no birth.
    household: Option<usize>,
    households: Vec<usize>,
}

impl Roles {
    fn of(comparisons: &[Comparison]) -> Roles {
        let find = |f: &dyn Fn(&Attribute) -> bool| comparisons.iter().position(|c| f(&c.attribute));
        Roles {
            person: find(&|a| matches!(a, Attribute::GivenName { .. })).or(find(&|a| matches!(a, Attribute::Name(_)))),
            birth: find(&|a| matches!(a, Attribute::Birth)),
            family: find(&|a| matches!(a, Attribute::FamilyName { .. })),
            household: find(&|a| matches!(a, Attribute::Household)),
            households: comparisons
                .iter()
                .enumerate()
                .filter(|(_, c)| c.attribute == Attribute::Household)
                .map(|(i, _)| i)
                .collect(),
        }
    }
}

/// Confident pairs the expected rates are worth.
const PRIOR_PAIRS: f64 = 300.0;

/// How a second registration of the same person usually compares, level by level: what
/// registrars get wrong (a transliteration, a typo, an age instead of a date, a missing
/// parent) and how rarely a real duplicate disagrees outright.
fn expected_m(c: &Comparison) -> Vec<f64> {
    let n = c.levels.len();
    let m: Vec<f64> = match (c.attribute, n) {
        (Attribute::Birth, 7) => vec![0.01, 0.04, 0.08, 0.20, 0.06, 0.06, 0.55],
        (Attribute::GivenName { .. } | Attribute::FamilyName { .. } | Attribute::Name(_), 5) => {
            vec![0.05, 0.04, 0.10, 0.50, 0.31]
        }
        (Attribute::Sex(_), 2) => vec![0.03, 0.97],
        (Attribute::Id(_), 3) => vec![0.02, 0.08, 0.90],
        (Attribute::Household, 2) => vec![0.15, 0.85],
        _ => initial_m(n),
    };
    m
}

fn initial_m(levels: usize) -> Vec<f64> {
    // Matches mostly agree at the top level; a little mass everywhere else.
    let mut m = vec![0.05 / (levels - 1) as f64; levels];
    if let Some(top) = m.last_mut() {
        *top = 0.95;
    }
    m
}

fn level_shares(comparisons: &[Comparison], patterns: &Patterns) -> Vec<Vec<f64>> {
    normalise(&level_counts(comparisons, patterns))
}

/// Pairs per comparison and level.
fn level_counts(comparisons: &[Comparison], patterns: &Patterns) -> Vec<Vec<f64>> {
    let n = comparisons.len();
    let mut acc: Vec<Vec<f64>> = comparisons.iter().map(|c| vec![0.0; c.levels.len()]).collect();
    for (k, count) in &patterns.counts {
        let levels = unpack(*k, n);
        let w = *count as f64;
        for (c, &l) in levels.iter().enumerate() {
            if l != MISSING && (l as usize) < acc[c].len() {
                acc[c][l as usize] += w;
            }
        }
    }
    acc
}

/// Shares per level, smoothed so that no level has probability zero.
fn normalise(acc: &[Vec<f64>]) -> Vec<Vec<f64>> {
    acc.iter()
        .map(|levels| {
            let total: f64 = levels.iter().sum();
            let smoothing = 1e-3;
            levels.iter().map(|v| (v + smoothing) / (total + smoothing * levels.len() as f64)).collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comparison(label: &str, levels: &'static [&'static str]) -> Comparison {
        Comparison {
            label: label.into(),
            attribute: Attribute::Birth,
            parts: Vec::new(),
            family: None,
            levels,
            term_frequency: false,
        }
    }

    #[test]
    fn packing_round_trips() {
        let levels = vec![0, 4, MISSING, 2, 1];
        assert_eq!(unpack(pack(&levels), 5), levels);
    }

    /// A known mixture: EM finds the share of matches, and weights come out with the right sign.
    #[test]
    fn em_recovers_the_share_of_matches() {
        const L: &[&str] = &["no", "yes"];
        let comparisons = vec![comparison("a", L), comparison("b", L), comparison("c", L)];
        // True model: 30 % matches; matches agree 95 % on each, non-matches 10 %.
        let mut candidates = Patterns::default();
        let mut random = Patterns::default();
        for pattern in 0..8u8 {
            let levels: Vec<u8> = (0..3).map(|i| (pattern >> i) & 1).collect();
            let agree = levels.iter().filter(|l| **l == 1).count() as i32;
            let p_m = 0.95f64.powi(agree) * 0.05f64.powi(3 - agree);
            let p_u = 0.1f64.powi(agree) * 0.9f64.powi(3 - agree);
            for _ in 0..((0.3 * p_m + 0.7 * p_u) * 100_000.0).round() as u64 {
                candidates.add(pack(&levels));
            }
            for _ in 0..(p_u * 10_000.0).round() as u64 {
                random.add(pack(&levels));
            }
        }
        let model = Model::estimate(comparisons, &random, &candidates, &[], 200);
        assert!(model.converged);
        assert!((model.prior - 0.3).abs() < 0.01, "prior {}", model.prior);
        for c in 0..3 {
            assert!((model.u[c][1] - 0.1).abs() < 0.01, "u {:?}", model.u[c]);
            assert!(model.weight(c, 1) > 0.0 && model.weight(c, 0) < 0.0);
        }
    }

    /// Matches among two kinds of look-alikes, namesakes (same name, other household) and
    /// siblings (other name, same household): the mixture finds the share of matches and sees
    /// that a shared name and a shared household together are rare among look-alikes, which one
    /// chance agreement per comparison cannot express.
    #[test]
    fn kinds_of_look_alikes_are_told_apart() {
        const NAME: &[&str] = &["0", "1", "2", "3", "4"];
        const BIRTH: &[&str] = &["0", "1", "2", "3", "4", "5", "6"];
        const HOME: &[&str] = &["0", "1"];
        let with = |label: &str, attribute, levels| Comparison { attribute, ..comparison(label, levels) };
        let comparisons = vec![
            with("given", Attribute::GivenName { given: 0, family: None }, NAME),
            with("birth", Attribute::Birth, BIRTH),
            with("household", Attribute::Household, HOME),
        ];
        // (share, P(given agrees), P(birth agrees), P(household agrees)), level 4 / 6 / 1.
        let classes = [(0.05, 0.9, 0.8, 0.8), (0.45, 0.95, 0.02, 0.05), (0.5, 0.02, 0.01, 0.95)];
        let mut patterns = Vec::new();
        for bits in 0..8u8 {
            let agree = |i: u8| bits >> i & 1 == 1;
            let levels = vec![if agree(0) { 4 } else { 0 }, if agree(1) { 6 } else { 0 }, agree(2) as u8];
            let p = |(share, g, b, h): (f64, f64, f64, f64)| {
                let pick = |x: f64, i: u8| if agree(i) { x } else { 1.0 - x };
                share * pick(g, 0) * pick(b, 1) * pick(h, 2)
            };
            patterns.push((levels, 200_000.0 * classes.iter().map(|c| p(*c)).sum::<f64>()));
        }
        let m = vec![vec![0.1, 1e-6, 1e-6, 1e-6, 0.9], vec![0.2, 1e-6, 1e-6, 1e-6, 1e-6, 1e-6, 0.8], vec![0.2, 0.8]];
        // The plain chance agreement: what all look-alikes together show.
        let plain = vec![
            vec![0.5625, 1e-6, 1e-6, 1e-6, 0.4375],
            vec![0.985, 1e-6, 1e-6, 1e-6, 1e-6, 1e-6, 0.015],
            vec![0.5025, 0.4975],
        ];
        let seeds = kind_seeds(&comparisons, &patterns, &plain, &m, 200);
        assert!(seeds.len() >= 2, "{} kinds", seeds.len());
        let fit = fit_mixture(&m, &plain, seeds, &patterns, 500);
        assert!((fit.prior - 0.05).abs() < 0.01, "prior {}", fit.prior);
        // Same name and household, births differ: 4.8 times likelier a match than a look-alike
        // (the plain model says 0.67).
        let x = [4usize, 0, 1];
        let p_m: f64 = (0..3).map(|c| m[c][x[c]]).product();
        let p_u: f64 = fit.kinds.iter().map(|(_, share, u)| share * (0..3).map(|c| u[c][x[c]]).product::<f64>()).sum();
        let ratio = p_m / p_u;
        assert!(ratio > 3.0 && ratio < 7.0, "likelihood ratio {ratio}");
    }

    /// The scorer adds up the evidence against each kind as it goes; the pair's weight read
    /// from that must be the pattern's weight.
    #[test]
    fn the_scorers_running_evidence_gives_the_pattern_weight() {
        const L: &[&str] = &["no", "yes"];
        let comparisons = vec![comparison("a", L), comparison("b", L)];
        let mut candidates = Patterns::default();
        for pattern in [[0, 0], [0, 1], [1, 0], [1, 1], [1, 1]] {
            for _ in 0..500 {
                candidates.add(pack(&pattern));
            }
        }
        let mut model = Model::estimate(comparisons, &candidates, &candidates, &[], 50);
        let base = model.kinds[0].clone();
        let kind = |share: f64, scale: f64| Kind {
            share,
            log2_share: share.log2(),
            weights: base.weights.iter().map(|ls| ls.iter().map(|w| w * scale - 0.3).collect()).collect(),
            ..base.clone()
        };
        model.kinds = vec![kind(0.6, 1.0), kind(0.3, 0.5), kind(0.1, -1.5)];
        for levels in [[0, 0], [0, 1], [1, 0], [1, 1], [MISSING, 1]] {
            let evidence: Vec<f64> = model
                .kinds
                .iter()
                .map(|k| -k.log2_share() + levels.iter().enumerate().map(|(i, &l)| k.weight(i, l)).sum::<f64>())
                .collect();
            let (running, whole) = (Model::weight_against(&evidence), model.pattern_weight(&levels));
            assert!((running - whole).abs() < 1e-9, "{levels:?}: {running} against {whole}");
        }
    }

    #[test]
    fn clerical_decisions_move_the_estimates() {
        const L: &[&str] = &["no", "yes"];
        let comparisons = vec![comparison("a", L), comparison("b", L)];
        let mut candidates = Patterns::default();
        for _ in 0..1000 {
            candidates.add(pack(&[0, 0]));
            candidates.add(pack(&[1, 1]));
        }
        let plain = Model::estimate(comparisons.clone(), &candidates, &candidates, &[], 50);
        // Known matches that disagree on "a": m for "a disagrees" must rise.
        let labels: Vec<(Levels, bool)> = (0..200).map(|_| (vec![0, 1], true)).collect();
        let taught = Model::estimate(comparisons, &candidates, &candidates, &labels, 50);
        assert!(taught.m[0][0] > plain.m[0][0] + 0.1, "{:?} vs {:?}", taught.m[0], plain.m[0]);
    }

    #[test]
    fn weights_never_fall_as_agreement_rises() {
        let seen = [100.0; 4];
        assert_eq!(monotone([-3.0, 1.0, 0.5, 4.0].into_iter(), &seen), vec![-3.0, 1.0, 1.0, 4.0]);
        // A level almost never seen neither sets the weight above it nor keeps its own.
        let seen = [1000.0, 2.0, 1000.0, 1000.0];
        assert_eq!(monotone([-3.0, 19.0, 4.0, 6.0].into_iter(), &seen), vec![-3.0, -3.0, 4.0, 6.0]);
        // In a small sample every level seen counts.
        let seen = [10.0, 2.0, 0.0, 1.0];
        assert_eq!(monotone([-3.0, 5.0, 9.0, 4.0].into_iter(), &seen), vec![-3.0, 5.0, 5.0, 5.0]);
    }

    #[test]
    fn probability_and_weight_are_inverse() {
        for p in [0.01, 0.5, 0.9, 0.999] {
            assert!((probability(weight_for(p)) - p).abs() < 1e-9);
        }
    }
}
