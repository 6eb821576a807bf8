//! Small-cell protection of disaggregated figures.
//!
//! A count of 1 to 4 people in a cell (women with disabilities on one site's committee, two
//! older men who complained) can single someone out, so for callers without the permission to
//! see small cells it is shown as "<5". Hiding one cell is not enough when the total and the
//! other cells are shown: the total minus the others gives it back. So the next smallest
//! non-empty cells are hidden too (complementary suppression) until the hidden ones are at
//! least two and together hold nobody or at least five in each count, and when none is left,
//! the total. Zero is shown: it is nobody. The rule is the one every table of Haven follows,
//! [`crate::disclosure::hidden_cells`].

use crate::disclosure::hidden_cells;

/// Counts below this (and above zero) are small.
pub const SMALL_CELL: i64 = 5;

pub fn is_small(n: i64) -> bool {
    (1..SMALL_CELL).contains(&n)
}

/// A count as shown to the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    Count(i64),
    /// Hidden: between 1 and 4, or hidden so that another small cell cannot be worked out.
    Small,
}

impl Shown {
    pub fn count(self) -> Option<i64> {
        match self {
            Shown::Count(n) => Some(n),
            Shown::Small => None,
        }
    }
}

/// One row of a table (a cell, or the total): its counts as shown and the percent when both
/// are shown and the denominator is not zero.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRow {
    /// The cell's key (`f`, `18-59`, a P-code...), `""` for people whose value was not given.
    pub key: String,
    pub numerator: Shown,
    pub denominator: Option<Shown>,
    pub percent: Option<f64>,
}

fn row(key: String, numerator: i64, denominator: Option<i64>, hide: bool) -> TableRow {
    if hide {
        return TableRow {
            key,
            numerator: Shown::Small,
            denominator: denominator.map(|_| Shown::Small),
            percent: None,
        };
    }
    let percent = denominator.filter(|d| *d > 0).map(|d| numerator as f64 * 100.0 / d as f64);
    TableRow { key, numerator: Shown::Count(numerator), denominator: denominator.map(Shown::Count), percent }
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn small_pair(numerator: i64, denominator: Option<i64>) -> bool {
    is_small(numerator) || denominator.is_some_and(is_small)
}

/// Protect one table: `total` and its `cells` (key, numerator, denominator). People the
/// cells do not account for become a row with the key `""`. With `suppress` false (the caller
/// may see small cells) every count is shown. Returns the total's row, then the cells' rows.
pub fn protect(
    total: (i64, Option<i64>),
    cells: &[(String, i64, Option<i64>)],
    suppress: bool,
) -> (TableRow, Vec<TableRow>) {
    let mut all: Vec<(String, i64, Option<i64>)> = cells.to_vec();
    let rest_num = total.0 - cells.iter().map(|c| c.1).sum::<i64>();
    let rest_den = total.1.map(|t| t - cells.iter().filter_map(|c| c.2).sum::<i64>());
    if rest_num > 0 || rest_den.is_some_and(|d| d > 0) {
        all.push((String::new(), rest_num.max(0), rest_den.map(|d| d.max(0))));
    }
    if !suppress {
        let rows = all.into_iter().map(|(k, n, d)| row(k, n, d, false)).collect();
        return (row("total".into(), total.0, total.1, false), rows);
    }
    let counts: Vec<[u64; 2]> = all.iter().map(|(_, n, d)| [count(*n), count(d.unwrap_or(0))]).collect();
    let hidden = hidden_cells(&counts, SMALL_CELL as u64);
    let hide_total = hidden.total || small_pair(total.0, total.1);
    let hidden = hidden.cells;
    let rows = all.into_iter().zip(hidden).map(|((k, n, d), h)| row(k, n, d, h)).collect();
    (row("total".into(), total.0, total.1, hide_total), rows)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn cells(v: &[(&str, i64, i64)]) -> Vec<(String, i64, Option<i64>)> {
        v.iter().map(|(k, n, d)| ((*k).to_owned(), *n, Some(*d))).collect()
    }

    fn shown(rows: &[TableRow]) -> Vec<(String, Option<i64>)> {
        rows.iter().map(|r| (r.key.clone(), r.denominator.and_then(Shown::count))).collect()
    }

    #[test]
    fn one_small_cell_takes_the_next_smallest_with_it() {
        // Women 3 of 3 answered, men 12 of 20, unknown sex 30 of 40.
        let (total, rows) = protect((45, Some(63)), &cells(&[("f", 3, 3), ("m", 12, 20), ("u", 30, 40)]), true);
        assert_eq!(total.denominator, Some(Shown::Count(63)));
        assert_eq!(shown(&rows), [("f".into(), None), ("m".into(), None), ("u".into(), Some(40))]);
        assert_eq!(rows[2].percent, Some(75.0));
        assert_eq!(rows[0].percent, None);
    }

    #[test]
    fn two_small_cells_that_still_say_fewer_than_five_take_a_third() {
        // 1 of 9 and 2 of 8 hidden alone would leave "3 between them" in the numerators.
        let (_, rows) = protect((40, Some(69)), &cells(&[("a", 1, 9), ("b", 2, 8), ("c", 7, 12), ("d", 30, 40)]), true);
        assert_eq!(shown(&rows), [("a".into(), None), ("b".into(), None), ("c".into(), None), ("d".into(), Some(40))]);
    }

    #[test]
    fn protection_roles_see_every_count() {
        let (_, rows) = protect((45, Some(63)), &cells(&[("f", 3, 3), ("m", 12, 20), ("u", 30, 40)]), false);
        assert_eq!(shown(&rows), [("f".into(), Some(3)), ("m".into(), Some(20)), ("u".into(), Some(40))]);
    }

    #[test]
    fn the_rest_not_given_is_a_cell_of_its_own() {
        // 2 women of 10 respondents recorded by sex: the other 8 are "not given", and hide her.
        let (total, rows) = protect((6, Some(10)), &cells(&[("f", 1, 2)]), true);
        assert_eq!(total.numerator, Shown::Count(6));
        assert_eq!(shown(&rows), [("f".into(), None), ("".into(), None)]);
    }

    #[test]
    fn a_small_total_hides_everything_and_zero_is_shown() {
        let (total, rows) = protect((2, Some(3)), &cells(&[("f", 2, 3), ("m", 0, 0)]), true);
        assert_eq!(total.numerator, Shown::Small);
        assert_eq!(shown(&rows), [("f".into(), None), ("m".into(), Some(0))]);
        let (total, rows) = protect((0, Some(12)), &cells(&[("f", 0, 12)]), true);
        assert_eq!((total.numerator, shown(&rows)), (Shown::Count(0), vec![("f".into(), Some(12))]));
    }

    #[test]
    fn a_small_numerator_is_small_too() {
        // 3 of 40 women said they felt unsafe: hidden, and the men with it.
        let (_, rows) = protect((20, Some(80)), &cells(&[("f", 3, 40), ("m", 17, 40)]), true);
        assert_eq!(rows.iter().map(|r| r.numerator).collect::<Vec<_>>(), [Shown::Small, Shown::Small]);
    }

    proptest! {
        /// Whatever the table, no hidden cell can be worked out from what is shown: a hidden
        /// cell is never alone (or the total is hidden too), and no shown count is small.
        #[test]
        fn no_small_count_is_shown_or_derivable(raw in prop::collection::vec((0i64..12, 0i64..12), 1..6)) {
            let cs: Vec<(String, i64, Option<i64>)> =
                raw.iter().enumerate().map(|(i, (a, b))| (format!("k{i}"), (*a).min(*b), Some((*a).max(*b)))).collect();
            let total = (cs.iter().map(|c| c.1).sum(), Some(cs.iter().filter_map(|c| c.2).sum()));
            let (t, rows) = protect(total, &cs, true);
            for r in rows.iter().chain(std::iter::once(&t)) {
                if let Shown::Count(n) = r.numerator { prop_assert!(!is_small(n)); }
                if let Some(Shown::Count(d)) = r.denominator { prop_assert!(!is_small(d)); }
            }
            let hidden = rows.iter().filter(|r| r.numerator == Shown::Small).count();
            prop_assert!(hidden != 1 || t.numerator == Shown::Small);
        }
    }
}
