//! Fellegi–Sunter scoring: m and u probabilities per comparison level, estimated without
//! labels by expectation–maximisation, and term-frequency adjustment of exact agreements.
//!
//! u starts from random pairs (what agreement looks like by chance). EM then runs on a
//! sample of blocked candidate pairs and re-estimates m, u and the share of matches among
//! candidates. Re-estimating u there matters: blocked non-matches (siblings, neighbours)
//! agree on family name, place and phone far more often than random pairs do, and a u taken
//! only from random pairs would score whole households as one person.

use std::collections::HashMap;

use crate::compare::{Comparer, Comparison, MISSING};

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
    /// P(level | non-match among candidates).
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
    /// Estimates a model from random-pair levels and candidate patterns. `labels` are
    /// clerical decisions: the levels of pairs known to match (true) or not (false).
    pub fn estimate(
        comparisons: Vec<Comparison>,
        random: &Patterns,
        candidates: &Patterns,
        labels: &[(Levels, bool)],
        max_iterations: usize,
    ) -> Model {
        let n = comparisons.len();
        let u_random = level_shares(&comparisons, random, &|_| 1.0);
        let mut m: Vec<Vec<f64>> = comparisons.iter().map(|c| initial_m(c.levels.len())).collect();
        let mut u = u_random.clone();
        let mut prior: f64 = 0.2;
        let patterns: Vec<(Levels, f64)> = candidates.counts.iter().map(|(k, c)| (unpack(*k, n), *c as f64)).collect();
        let mut iterations = 0;
        let mut converged = false;
        while iterations < max_iterations {
            iterations += 1;
            let mut m_acc: Vec<Vec<f64>> = m.iter().map(|l| vec![0.0; l.len()]).collect();
            let mut u_acc: Vec<Vec<f64>> = m_acc.clone();
            let mut matched = 0.0;
            let mut total = 0.0;
            let mut observe = |levels: &Levels, count: f64, w: f64| {
                for (c, &l) in levels.iter().enumerate() {
                    if l != MISSING && (l as usize) < m_acc[c].len() {
                        m_acc[c][l as usize] += count * w;
                        u_acc[c][l as usize] += count * (1.0 - w);
                    }
                }
            };
            for (levels, count) in &patterns {
                let w = match_probability(&m, &u, prior, levels);
                observe(levels, *count, w);
                matched += count * w;
                total += count;
            }
            for (levels, is_match) in labels {
                observe(levels, 1.0, if *is_match { 1.0 } else { 0.0 });
            }
            let new_m = normalise(&m_acc);
            let new_u = normalise(&u_acc);
            let new_prior = if total > 0.0 { (matched / total).clamp(1e-6, 1.0 - 1e-6) } else { prior };
            let change = max_change(&m, &new_m).max(max_change(&u, &new_u)).max((prior - new_prior).abs());
            m = new_m;
            u = new_u;
            prior = new_prior;
            if change < 1e-4 {
                converged = true;
                break;
            }
        }
        let weights =
            m.iter().zip(&u).map(|(ms, us)| ms.iter().zip(us).map(|(a, b)| (a / b).log2()).collect()).collect();
        Model { comparisons, m, u, u_random, prior, iterations, converged, weights }
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

    /// Term-frequency adjustment of an exact agreement on a value held by `count` of `total`.
    pub fn tf_adjustment(&self, comparison: usize, level: u8, count: u32, total: u64) -> f64 {
        let c = &self.comparisons[comparison];
        if !c.term_frequency || level as usize + 1 != c.levels.len() || total == 0 {
            return 0.0;
        }
        let u_exact = self.u_random[comparison].last().copied().unwrap_or(0.0);
        let frequency = (count.max(1) as f64 / total as f64).max(1e-9);
        (u_exact / frequency).log2().clamp(TF_MIN, TF_MAX)
    }

    /// Match weight (bits) and probability of one pair.
    pub fn score(&self, comparer: &Comparer<'_>, a: usize, b: usize) -> (f64, f64) {
        let mut w = self.prior_weight();
        for (i, c) in self.comparisons.iter().enumerate() {
            let l = comparer.level(c, a, b);
            w += self.weight(i, l) + self.tf(comparer, i, l, a);
        }
        (w, probability(w))
    }

    pub fn tf(&self, comparer: &Comparer<'_>, i: usize, level: u8, a: usize) -> f64 {
        if level == MISSING
            || level as usize + 1 != self.comparisons[i].levels.len()
            || !self.comparisons[i].term_frequency
        {
            return 0.0;
        }
        match comparer.frequency(&self.comparisons[i], a) {
            Some((count, total)) => self.tf_adjustment(i, level, count, total),
            None => 0.0,
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
                    weight: self.weight(i, l) + self.tf(comparer, i, l, a),
                }
            })
            .collect()
    }
}

/// Bounds of the term-frequency adjustment, in bits: a very rare value should not outweigh
/// every other comparison.
pub const TF_MIN: f64 = -4.0;
pub const TF_MAX: f64 = 5.0;

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

fn initial_m(levels: usize) -> Vec<f64> {
    // Matches mostly agree at the top level; a little mass everywhere else.
    let mut m = vec![0.05 / (levels - 1) as f64; levels];
    if let Some(top) = m.last_mut() {
        *top = 0.95;
    }
    m
}

fn level_shares(comparisons: &[Comparison], patterns: &Patterns, weight: &dyn Fn(&Levels) -> f64) -> Vec<Vec<f64>> {
    let n = comparisons.len();
    let mut acc: Vec<Vec<f64>> = comparisons.iter().map(|c| vec![0.0; c.levels.len()]).collect();
    for (k, count) in &patterns.counts {
        let levels = unpack(*k, n);
        let w = weight(&levels) * *count as f64;
        for (c, &l) in levels.iter().enumerate() {
            if l != MISSING && (l as usize) < acc[c].len() {
                acc[c][l as usize] += w;
            }
        }
    }
    normalise(&acc)
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

fn max_change(a: &[Vec<f64>], b: &[Vec<f64>]) -> f64 {
    a.iter().flatten().zip(b.iter().flatten()).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::Attribute;

    fn comparison(label: &str, levels: &'static [&'static str]) -> Comparison {
        Comparison { label: label.into(), attribute: Attribute::Birth, levels, term_frequency: false }
    }

    #[test]
    fn packing_round_trips() {
        let levels = vec![0, 4, MISSING, 2, 1];
        assert_eq!(unpack(pack(&levels), 5), levels);
    }

    /// Two comparisons, a known mixture: EM must find the share of matches and the m and u.
    #[test]
    fn em_recovers_a_known_mixture() {
        const L: &[&str] = &["no", "yes"];
        let comparisons = vec![comparison("a", L), comparison("b", L), comparison("c", L)];
        // True model: 30 % matches; matches agree 90 % on each, non-matches 10 %.
        let mut candidates = Patterns::default();
        let mut random = Patterns::default();
        for pattern in 0..8u8 {
            let levels: Vec<u8> = (0..3).map(|i| (pattern >> i) & 1).collect();
            let agree = levels.iter().filter(|l| **l == 1).count() as i32;
            let p_m = 0.9f64.powi(agree) * 0.1f64.powi(3 - agree);
            let p_u = 0.1f64.powi(agree) * 0.9f64.powi(3 - agree);
            let count = ((0.3 * p_m + 0.7 * p_u) * 100_000.0).round() as u64;
            for _ in 0..count {
                candidates.add(pack(&levels));
            }
            for _ in 0..(p_u * 10_000.0).round() as u64 {
                random.add(pack(&levels));
            }
        }
        let model = Model::estimate(comparisons, &random, &candidates, &[], 200);
        assert!(model.converged);
        assert!((model.prior - 0.3).abs() < 0.02, "prior {}", model.prior);
        for c in 0..3 {
            assert!((model.m[c][1] - 0.9).abs() < 0.02, "m {:?}", model.m[c]);
            assert!((model.u[c][1] - 0.1).abs() < 0.02, "u {:?}", model.u[c]);
            assert!(model.weight(c, 1) > 0.0 && model.weight(c, 0) < 0.0);
        }
    }

    #[test]
    fn probability_and_weight_are_inverse() {
        for p in [0.01, 0.5, 0.9, 0.999] {
            assert!((probability(weight_for(p)) - p).abs() < 1e-9);
        }
    }
}
