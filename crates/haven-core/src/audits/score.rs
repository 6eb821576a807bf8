//! Scoring a round: each item's risk points count in full for "no", half for "partly",
//! nothing for "yes", and "not applicable" leaves the item out of the maximum.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The answer to one observation question; "yes" is the safe answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuditAnswer {
    Yes,
    Partly,
    No,
    #[serde(rename = "na")]
    NotApplicable,
}

coded!(AuditAnswer { Yes => "yes", Partly => "partly", No => "no", NotApplicable => "na" });

/// An observation question as frozen with a round: later catalog changes leave old scores alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditItem {
    pub code: String,
    pub domain: String,
    /// Risk points of a "no" (1–5).
    pub points: u8,
}

/// Risk against the applicable maximum. Risk is kept in half points, so "partly" is exact.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub risk_halves: u32,
    pub max: u32,
}

impl Tally {
    pub fn risk(&self) -> f64 {
        f64::from(self.risk_halves) / 2.0
    }

    /// Risk as a percent of the applicable maximum; `None` when nothing applied.
    pub fn percent(&self) -> Option<f64> {
        (self.max > 0).then(|| 100.0 * self.risk() / f64::from(self.max))
    }

    fn add(&mut self, points: u8, answer: AuditAnswer) {
        let points = u32::from(points);
        match answer {
            AuditAnswer::NotApplicable => return,
            AuditAnswer::Yes => {}
            AuditAnswer::Partly => self.risk_halves += points,
            AuditAnswer::No => self.risk_halves += 2 * points,
        }
        self.max += points;
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DomainTally {
    pub domain: String,
    pub tally: Tally,
}

/// A round's score per domain (in the items' order) and in total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Score {
    pub domains: Vec<DomainTally>,
    pub total: Tally,
}

/// Score `answers` over `items`. An item without an answer counts as not applicable.
pub fn score(items: &[AuditItem], answers: &BTreeMap<String, AuditAnswer>) -> Score {
    let mut domains: Vec<DomainTally> = Vec::new();
    let mut total = Tally::default();
    for item in items {
        let answer = answers.get(&item.code).copied().unwrap_or(AuditAnswer::NotApplicable);
        total.add(item.points, answer);
        let at = match domains.iter().position(|d| d.domain == item.domain) {
            Some(i) => i,
            None => {
                domains.push(DomainTally { domain: item.domain.clone(), tally: Tally::default() });
                domains.len() - 1
            }
        };
        domains[at].tally.add(item.points, answer);
    }
    Score { domains, total }
}

/// How urgently a site's risks call for action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuditLevel {
    Lower,
    Medium,
    High,
    VeryHigh,
}

coded!(AuditLevel { Lower => "lower", Medium => "medium", High => "high", VeryHigh => "very-high" });

/// Where the levels start, as percents of the applicable maximum. The defaults are IOM DTM
/// Iraq's thresholds over its 209-point maximum (40, 61 and 80 points), so they carry over
/// to any item set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    pub medium: f64,
    pub high: f64,
    pub very_high: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        let share = |points: f64| 100.0 * points / 209.0;
        Thresholds { medium: share(40.0), high: share(61.0), very_high: share(80.0) }
    }
}

impl Thresholds {
    /// The setting's form: `medium,high,very-high` percents, rising, each in (0, 100].
    pub fn parse(text: &str) -> Option<Thresholds> {
        let parts: Vec<f64> = text.split(',').map(|p| p.trim().parse::<f64>()).collect::<Result<_, _>>().ok()?;
        let [medium, high, very_high] = parts[..] else { return None };
        let rising = 0.0 < medium && medium < high && high < very_high && very_high <= 100.0;
        rising.then_some(Thresholds { medium, high, very_high })
    }

    pub fn to_setting(self) -> String {
        format!("{:.1},{:.1},{:.1}", self.medium, self.high, self.very_high)
    }

    /// The level of a tally; `None` when nothing applied.
    pub fn level(&self, tally: &Tally) -> Option<AuditLevel> {
        let pct = tally.percent()?;
        Some(if pct >= self.very_high {
            AuditLevel::VeryHigh
        } else if pct >= self.high {
            AuditLevel::High
        } else if pct >= self.medium {
            AuditLevel::Medium
        } else {
            AuditLevel::Lower
        })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn item(code: &str, domain: &str, points: u8) -> AuditItem {
        AuditItem { code: code.into(), domain: domain.into(), points }
    }

    #[test]
    fn scores_by_hand() {
        let items =
            [item("a1", "lighting", 3), item("a2", "lighting", 5), item("b1", "shelter", 2), item("c1", "water", 4)];
        let answers: BTreeMap<String, AuditAnswer> = [
            ("a1", AuditAnswer::No),
            ("a2", AuditAnswer::Partly),
            ("b1", AuditAnswer::NotApplicable),
            ("c1", AuditAnswer::Yes),
        ]
        .into_iter()
        .map(|(c, a)| (c.to_owned(), a))
        .collect();
        let s = score(&items, &answers);
        // Lighting: 3 (no) + 2.5 (half of 5) = 5.5 of 8; shelter: nothing applies; water: 0 of 4.
        assert_eq!(s.domains[0], DomainTally { domain: "lighting".into(), tally: Tally { risk_halves: 11, max: 8 } });
        assert_eq!(s.domains[1].tally, Tally { risk_halves: 0, max: 0 });
        assert_eq!(s.domains[1].tally.percent(), None);
        assert_eq!(s.domains[2].tally, Tally { risk_halves: 0, max: 4 });
        assert_eq!((s.total.risk(), s.total.max), (5.5, 12));
        assert_eq!(s.total.percent().map(|p| (p * 100.0).round() / 100.0), Some(45.83));
        assert_eq!(Thresholds::default().level(&s.total), Some(AuditLevel::VeryHigh));
    }

    #[test]
    fn default_thresholds_are_the_iom_bands_over_209_points() {
        let t = Thresholds::default();
        let at = |points: u32| t.level(&Tally { risk_halves: 2 * points, max: 209 });
        assert_eq!(at(39), Some(AuditLevel::Lower));
        assert_eq!(at(40), Some(AuditLevel::Medium));
        assert_eq!(at(60), Some(AuditLevel::Medium));
        assert_eq!(at(61), Some(AuditLevel::High));
        assert_eq!(at(79), Some(AuditLevel::High));
        assert_eq!(at(80), Some(AuditLevel::VeryHigh));
        assert_eq!(t.to_setting(), "19.1,29.2,38.3");
    }

    #[test]
    fn thresholds_parse_only_rising_percents() {
        assert_eq!(Thresholds::parse("20, 30, 40"), Some(Thresholds { medium: 20.0, high: 30.0, very_high: 40.0 }));
        assert_eq!(Thresholds::parse("30,20,40"), None);
        assert_eq!(Thresholds::parse("20,30"), None);
        assert_eq!(Thresholds::parse("20,30,140"), None);
        assert_eq!(Thresholds::parse("a,b,c"), None);
    }

    fn answer() -> impl Strategy<Value = AuditAnswer> {
        prop_oneof![
            Just(AuditAnswer::Yes),
            Just(AuditAnswer::Partly),
            Just(AuditAnswer::No),
            Just(AuditAnswer::NotApplicable)
        ]
    }

    proptest! {
        #[test]
        fn the_score_never_exceeds_the_maximum(rows in prop::collection::vec((0u8..10, 1u8..=5, answer()), 0..60)) {
            let items: Vec<AuditItem> =
                rows.iter().enumerate().map(|(i, (d, p, _))| item(&format!("i{i}"), &format!("d{d}"), *p)).collect();
            let answers = rows.iter().enumerate().map(|(i, (_, _, a))| (format!("i{i}"), *a)).collect();
            let s = score(&items, &answers);
            prop_assert!(s.total.risk() <= f64::from(s.total.max));
            prop_assert!(s.total.percent().is_none_or(|p| (0.0..=100.0).contains(&p)));
            for d in &s.domains {
                prop_assert!(d.tally.risk() <= f64::from(d.tally.max));
            }
            let sum: u32 = s.domains.iter().map(|d| d.tally.risk_halves).sum();
            prop_assert_eq!(sum, s.total.risk_halves);
        }

        #[test]
        fn yes_everywhere_is_no_risk(rows in prop::collection::vec((0u8..10, 1u8..=5), 1..60)) {
            let items: Vec<AuditItem> =
                rows.iter().enumerate().map(|(i, (d, p))| item(&format!("i{i}"), &format!("d{d}"), *p)).collect();
            let answers = items.iter().map(|i| (i.code.clone(), AuditAnswer::Yes)).collect();
            let s = score(&items, &answers);
            prop_assert_eq!(s.total.risk_halves, 0);
            prop_assert_eq!(s.total.max, items.iter().map(|i| u32::from(i.points)).sum::<u32>());
            prop_assert_eq!(Thresholds::default().level(&s.total), Some(AuditLevel::Lower));
        }
    }
}
