//! Small-cell suppression: counts that leave protection roles hide cells under the threshold,
//! and enough other cells that the hidden ones cannot be worked back from the total.

/// The threshold below which a count could identify people.
pub const THRESHOLD: u64 = 5;

/// A breakdown as shown: each cell's count or `None` (suppressed), and the total or `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub cells: Vec<Option<u64>>,
    pub total: Option<u64>,
}

/// Suppress a one-way breakdown whose total is shown. Primary: every cell from 1 to
/// `threshold - 1`. Complementary: while the hidden cells could be worked out from the total
/// (only one hidden, or together fewer than `threshold`), hide the next smallest cell; if
/// nothing is left to hide, hide the total too. Zero cells stay visible (they identify no one).
pub fn suppress(cells: &[u64], threshold: u64) -> Shown {
    let counts: Vec<[u64; 1]> = cells.iter().map(|n| [*n]).collect();
    let hidden = hidden_cells(&counts, threshold);
    Shown {
        cells: cells.iter().zip(&hidden.cells).map(|(n, h)| (!h).then_some(*n)).collect(),
        total: (!hidden.total).then(|| cells.iter().sum()),
    }
}

/// Which cells of a table, and whether its total, must be hidden.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hidden {
    pub cells: Vec<bool>,
    pub total: bool,
}

/// The suppression rule for tables whose cells carry several counts each (a numerator and
/// its denominator): a cell is small when any of its counts is, and a hidden cell hides all
/// of its counts. The hidden cells are complemented until, for every count, their sum is
/// either nobody or at least `threshold` and there are at least two of them, so no count of
/// them can be worked back from the totals. When nothing is left to hide, the total goes too;
/// a small total is hidden in any case.
pub fn hidden_cells<const N: usize>(cells: &[[u64; N]], threshold: u64) -> Hidden {
    let small = |n: u64| n > 0 && n < threshold;
    let mut hidden: Vec<bool> = cells.iter().map(|c| c.iter().any(|n| small(*n))).collect();
    let total_is_small = (0..N).any(|k| small(cells.iter().map(|c| c[k]).sum()));
    loop {
        let count = hidden.iter().filter(|h| **h).count();
        let sums_safe = (0..N).all(|k| {
            let sum: u64 = cells.iter().zip(&hidden).filter(|(_, h)| **h).map(|(c, _)| c[k]).sum();
            !small(sum)
        });
        if count == 0 || (count >= 2 && sums_safe) {
            return Hidden { cells: hidden, total: total_is_small };
        }
        let size = |c: &[u64; N]| c.iter().copied().max().unwrap_or(0);
        let next = cells.iter().enumerate().filter(|(i, c)| !hidden[*i] && size(c) > 0).min_by_key(|(_, c)| size(c));
        match next {
            Some((i, _)) => hidden[i] = true,
            None => return Hidden { cells: hidden, total: true },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn small_cells_and_their_complement_are_hidden() {
        assert_eq!(suppress(&[12, 3, 40], 5), Shown { cells: vec![None, None, Some(40)], total: Some(55) });
        assert_eq!(suppress(&[12, 0, 40], 5), Shown { cells: vec![Some(12), Some(0), Some(40)], total: Some(52) });
        // Two hidden cells of 1 and 2 would still say "fewer than five between them".
        assert_eq!(suppress(&[1, 2, 9, 30], 5), Shown { cells: vec![None, None, None, Some(30)], total: Some(42) });
        // Nothing left to hide beside a single small cell: the total goes too.
        assert_eq!(suppress(&[3], 5), Shown { cells: vec![None], total: None });
    }

    #[test]
    fn pairs_hide_together_until_no_count_of_them_can_be_worked_out() {
        // Women 3 of 3, men 12 of 20, unknown 30 of 40: women and men go together (15 of 23).
        let h = hidden_cells(&[[3, 3], [12, 20], [30, 40]], 5);
        assert_eq!(h, Hidden { cells: vec![true, true, false], total: false });
        // 1 of 9 and 2 of 8 hidden together still say "3 between them": a third cell goes.
        let h = hidden_cells(&[[1, 9], [2, 8], [7, 12], [30, 40]], 5);
        assert_eq!(h, Hidden { cells: vec![true, true, true, false], total: false });
        // Nobody in the numerators is nobody: 0 of 3 and 0 of 2 hide each other.
        let h = hidden_cells(&[[0, 3], [0, 2], [20, 40]], 5);
        assert_eq!(h, Hidden { cells: vec![true, true, false], total: false });
        // A small total is hidden whatever its cells.
        assert!(hidden_cells(&[[2, 3], [0, 0]], 5).total);
    }

    proptest! {
        #[test]
        fn no_count_of_hidden_pairs_can_be_worked_out(cells in proptest::collection::vec((0u64..12, 0u64..12), 0..8)) {
            let pairs: Vec<[u64; 2]> = cells.iter().map(|(a, b)| [*a.min(b), *a.max(b)]).collect();
            let h = hidden_cells(&pairs, THRESHOLD);
            for (c, hide) in pairs.iter().zip(&h.cells) {
                if c.iter().any(|n| *n > 0 && *n < THRESHOLD) { prop_assert!(*hide); }
            }
            if !h.total {
                for k in 0..2 {
                    let sum: u64 = pairs.iter().zip(&h.cells).filter(|(_, x)| **x).map(|(c, _)| c[k]).sum();
                    prop_assert!(sum == 0 || sum >= THRESHOLD);
                }
                prop_assert!(h.cells.iter().filter(|x| **x).count() != 1);
            }
        }

        #[test]
        fn no_hidden_cell_can_be_worked_out(cells in proptest::collection::vec(0u64..40, 0..12)) {
            let shown = suppress(&cells, THRESHOLD);
            for (n, s) in cells.iter().zip(&shown.cells) {
                // Every small non-zero cell is hidden, and what is shown is true.
                if *n > 0 && *n < THRESHOLD { prop_assert!(s.is_none()); }
                if let Some(v) = s { prop_assert_eq!(v, n); }
            }
            if let Some(total) = shown.total {
                let hidden: Vec<u64> = cells.iter().zip(&shown.cells).filter(|(_, s)| s.is_none()).map(|(n, _)| *n).collect();
                let visible: u64 = shown.cells.iter().flatten().sum();
                prop_assert_eq!(total - visible, hidden.iter().sum::<u64>());
                // With the total shown, hidden cells are either none, or at least two that
                // together reach the threshold.
                prop_assert!(hidden.is_empty() || (hidden.len() >= 2 && hidden.iter().sum::<u64>() >= THRESHOLD));
            }
        }
    }
}
