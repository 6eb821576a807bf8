//! A small deterministic random number generator.
//!
//! Generated test data must not change when a dependency is upgraded, so the generator carries
//! its own: xoshiro256** seeded through SplitMix64. Only integer arithmetic and exact
//! floating-point operations are used, so every platform produces the same stream.

/// One SplitMix64 step: used to seed xoshiro and as a stateless mixing function.
pub(super) fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Mixes two values into one well-distributed 64-bit value (for derived seeds and stable choices).
pub(super) fn mix(a: u64, b: u64) -> u64 {
    let mut state = a ^ b.rotate_left(29) ^ 0xD1B5_4A32_D192_ED03;
    splitmix64(&mut state) ^ splitmix64(&mut state)
}

/// xoshiro256**: fast, small state, good statistical quality for simulation.
#[derive(Clone, Debug)]
pub(super) struct Rng {
    s: [u64; 4],
}

impl Rng {
    pub(super) fn new(seed: u64) -> Self {
        let mut state = seed;
        let s = [splitmix64(&mut state), splitmix64(&mut state), splitmix64(&mut state), splitmix64(&mut state)];
        Rng { s }
    }

    pub(super) fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in `0..n` (0 when `n == 0`). Multiply-shift: the bias is below 2^-32 for our sizes.
    pub(super) fn below(&mut self, n: usize) -> usize {
        let wide = u128::from(self.next_u64()) * (n as u128);
        (wide >> 64) as usize
    }

    /// Uniform in `lo..=hi`; returns `lo` when the range is empty.
    pub(super) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = (hi - lo) as usize + 1;
        lo + self.below(span) as i64
    }

    /// Uniform in `[0, 1)` with 53 random bits.
    pub(super) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p`.
    pub(super) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// A uniformly chosen element, or `None` for an empty slice.
    pub(super) fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }

    /// Index chosen with the given integer weights (0 when all are zero).
    pub(super) fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        if total == 0 {
            return 0;
        }
        let mut target = self.below(total as usize) as u64;
        for (index, &weight) in weights.iter().enumerate() {
            let weight = u64::from(weight);
            if target < weight {
                return index;
            }
            target -= weight;
        }
        weights.len().saturating_sub(1)
    }

    /// Fisher–Yates shuffle.
    pub(super) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// Cumulative weights for repeated weighted choice by binary search.
#[derive(Clone, Debug, Default)]
pub(super) struct Cumulative {
    ends: Vec<u64>,
}

impl Cumulative {
    pub(super) fn new(weights: impl IntoIterator<Item = u32>) -> Self {
        let mut total = 0u64;
        let ends = weights
            .into_iter()
            .map(|w| {
                total += u64::from(w);
                total
            })
            .collect();
        Cumulative { ends }
    }

    fn total(&self) -> u64 {
        self.ends.last().copied().unwrap_or(0)
    }

    /// Index chosen in proportion to its weight.
    pub(super) fn sample(&self, rng: &mut Rng) -> usize {
        let total = self.total();
        if total == 0 {
            return 0;
        }
        let target = rng.below(total as usize) as u64;
        // The first entry whose cumulative end lies beyond the target.
        self.ends.partition_point(|&end| end <= target).min(self.ends.len().saturating_sub(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        assert_ne!(Rng::new(7).next_u64(), Rng::new(8).next_u64());
    }

    #[test]
    fn below_stays_in_range() {
        let mut rng = Rng::new(1);
        for n in 1..50 {
            for _ in 0..50 {
                assert!(rng.below(n) < n);
            }
        }
        assert_eq!(rng.below(0), 0);
    }

    #[test]
    fn cumulative_respects_zero_weights() {
        let table = Cumulative::new([0, 5, 0, 5]);
        let mut rng = Rng::new(3);
        for _ in 0..200 {
            let i = table.sample(&mut rng);
            assert!(i == 1 || i == 3);
        }
    }
}
