//! Fellegi–Sunter scoring: m and u probabilities per comparison level, estimated without
//! labels, and term-frequency adjustment of the person's own name and birth.
//!
//! Blocked candidates are not a random sample: non-matches among them are siblings and
//! namesakes, who agree on a family name, a place, a phone far more often than random pairs.
//! So u is read from candidates that an anchor comparison shows to be different people, m
//! from candidates that the other comparisons show to be one person, and EM estimates the
//! share of matches among candidates with both held. Random pairs give the fallback u and the
//! base of term-frequency adjustments.

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
    /// share of matches among the candidates. `labels` are clerical decisions (the levels of
    /// pairs known to match or not): they join the confident pairs and the anchored ones.
    pub fn estimate(
        comparisons: Vec<Comparison>,
        random: &Patterns,
        candidates: &Patterns,
        labels: &[(Levels, bool)],
        max_iterations: usize,
    ) -> Model {
        let n = comparisons.len();
        let u_random = level_shares(&comparisons, random);
        let u = blocked_chance_agreement(&comparisons, candidates, &u_random, labels);
        let m = confident_match_agreement(&comparisons, candidates, labels);
        let patterns: Vec<(Levels, f64)> = candidates.counts.iter().map(|(k, c)| (unpack(*k, n), *c as f64)).collect();
        let (prior, iterations, converged) = share_of_matches(&m, &u, &patterns, max_iterations);
        let support = level_counts(&comparisons, candidates);
        let weights = m
            .iter()
            .zip(&u)
            .zip(&support)
            .map(|((ms, us), seen)| monotone(ms.iter().zip(us).map(|(a, b)| (a / b).log2()), seen))
            .collect();
        Model { comparisons, m, u, u_random, prior, iterations, converged, weights }
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
        out
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
        let mut w = self.prior_weight();
        for (i, c) in self.comparisons.iter().enumerate() {
            let l = comparer.level(c, a, b);
            w += self.weight(i, l) + self.tf(comparer, i, l, a, b);
        }
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
    pub fn explain(&self, comparer: &Comparer<'_>, a: usize, b: usize) -> Vec<Contribution> {
        self.comparisons
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let l = comparer.level(c, a, b);
                Contribution {
                    comparison: c.label.clone(),
                    level: if l == MISSING { "missing".into() } else { c.levels[l as usize].into() },
                    weight: self.weight(i, l) + self.tf(comparer, i, l, a, b),
                }
            })
            .collect()
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

fn match_probability(m: &[Vec<f64>], u: &[Vec<f64>], prior: f64, levels: &Levels) -> f64 {
    // In logs: a pattern of many comparisons underflows as a plain product.
    let mut log_ratio = (prior / (1.0 - prior)).ln();
    for (c, &l) in levels.iter().enumerate() {
        if l != MISSING && (l as usize) < m[c].len() {
            log_ratio += (m[c][l as usize] / u[c][l as usize]).ln();
        }
    }
    1.0 / (1.0 + (-log_ratio).exp())
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

/// EM for the share of matches among candidates, m and u held: each round weighs every
/// pattern by its match probability and takes the mean. (Letting EM move m as well was
/// measured to drift to another split of the candidates, "same place" against "other place",
/// that fits as well and finds a tenth of the F1; see docs/linkage.md.)
fn share_of_matches(
    m: &[Vec<f64>],
    u: &[Vec<f64>],
    patterns: &[(Levels, f64)],
    max_iterations: usize,
) -> (f64, usize, bool) {
    let total: f64 = patterns.iter().map(|(_, c)| c).sum();
    let mut prior: f64 = 0.01;
    if total == 0.0 {
        return (prior, 0, true);
    }
    for iteration in 1..=max_iterations {
        let matched: f64 = patterns.iter().map(|(levels, count)| count * match_probability(m, u, prior, levels)).sum();
        let next = (matched / total).clamp(1e-6, 1.0 - 1e-6);
        let change = (next - prior).abs();
        prior = next;
        if change < 1e-7 {
            return (prior, iteration, true);
        }
    }
    (prior, max_iterations, false)
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
        (Attribute::Household, 3) => vec![0.08, 0.37, 0.55],
        (Attribute::Household, 4) => vec![0.05, 0.25, 0.35, 0.35],
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
