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
    let mut hidden: Vec<bool> = cells.iter().map(|&n| n > 0 && n < threshold).collect();
    loop {
        let count = hidden.iter().filter(|h| **h).count();
        let sum: u64 = cells.iter().zip(&hidden).filter(|(_, h)| **h).map(|(n, _)| n).sum();
        if count == 0 || (count >= 2 && sum >= threshold) {
            break;
        }
        let next =
            cells.iter().enumerate().filter(|(i, n)| !hidden[*i] && **n > 0).min_by_key(|(_, n)| **n).map(|(i, _)| i);
        match next {
            Some(i) => hidden[i] = true,
            None => {
                let shown = cells.iter().zip(&hidden).map(|(n, h)| (!h).then_some(*n)).collect();
                return Shown { cells: shown, total: None };
            }
        }
    }
    Shown {
        cells: cells.iter().zip(&hidden).map(|(n, h)| (!h).then_some(*n)).collect(),
        total: Some(cells.iter().sum()),
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

    proptest! {
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
