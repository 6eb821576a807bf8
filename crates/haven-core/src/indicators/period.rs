//! Reporting periods: calendar months (`2026-03`) or quarters (`2026-Q1`).

use time::{Date, Month};

/// How often a project reports its indicators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeriodKind {
    Month,
    Quarter,
}

coded!(PeriodKind { Month => "month", Quarter => "quarter" });

impl PeriodKind {
    fn per_year(self) -> u8 {
        match self {
            PeriodKind::Month => 12,
            PeriodKind::Quarter => 4,
        }
    }
}

/// One reporting period: its kind, year and index within the year (month 1–12, quarter 1–4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    pub year: i32,
    pub index: u8,
    pub kind: PeriodKind,
}

impl PartialOrd for PeriodKind {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for PeriodKind {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.code().cmp(other.code())
    }
}

impl Period {
    /// Read `2026-03` (month) or `2026-Q1` (quarter), as the kind requires.
    pub fn parse(kind: PeriodKind, text: &str) -> Option<Period> {
        let (year, rest) = text.trim().split_once('-')?;
        let year: i32 = year.parse().ok().filter(|y| (2000..=2100).contains(y))?;
        let index: u8 = match kind {
            PeriodKind::Month if rest.len() == 2 => rest.parse().ok()?,
            PeriodKind::Quarter => rest.strip_prefix('Q')?.parse().ok()?,
            PeriodKind::Month => return None,
        };
        (1..=kind.per_year()).contains(&index).then_some(Period { year, index, kind })
    }

    /// The period holding `date`.
    pub fn containing(kind: PeriodKind, date: Date) -> Period {
        let month = u8::from(date.month());
        let index = match kind {
            PeriodKind::Month => month,
            PeriodKind::Quarter => (month - 1) / 3 + 1,
        };
        Period { year: date.year(), index, kind }
    }

    pub fn code(&self) -> String {
        match self.kind {
            PeriodKind::Month => format!("{:04}-{:02}", self.year, self.index),
            PeriodKind::Quarter => format!("{:04}-Q{}", self.year, self.index),
        }
    }

    fn first_month(&self) -> u8 {
        match self.kind {
            PeriodKind::Month => self.index,
            PeriodKind::Quarter => (self.index - 1) * 3 + 1,
        }
    }

    /// The first day of the period.
    pub fn start(&self) -> Date {
        let month = Month::try_from(self.first_month()).unwrap_or(Month::January);
        Date::from_calendar_date(self.year, month, 1).unwrap_or(Date::MIN)
    }

    /// The first day after the period.
    pub fn end(&self) -> Date {
        self.next().start()
    }

    pub fn next(&self) -> Period {
        if self.index == self.kind.per_year() {
            Period { year: self.year + 1, index: 1, ..*self }
        } else {
            Period { index: self.index + 1, ..*self }
        }
    }

    pub fn previous(&self) -> Period {
        if self.index == 1 {
            Period { year: self.year - 1, index: self.kind.per_year(), ..*self }
        } else {
            Period { index: self.index - 1, ..*self }
        }
    }

    /// Whether the period lies within `outer` (a month within its quarter, or the same period).
    pub fn within(&self, outer: &Period) -> bool {
        self.start() >= outer.start() && self.end() <= outer.end()
    }

    /// The periods from `from` to `to`, both included, at most `limit` of them (the latest).
    pub fn range(from: Period, to: Period, limit: usize) -> Vec<Period> {
        let mut out = Vec::new();
        let mut p = to;
        while p >= from && out.len() < limit {
            out.push(p);
            p = p.previous();
        }
        out.reverse();
        out
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn periods_read_and_write_their_codes() {
        let m = Period::parse(PeriodKind::Month, "2026-03").unwrap();
        assert_eq!((m.start(), m.end(), m.code()), (date!(2026 - 03 - 01), date!(2026 - 04 - 01), "2026-03".into()));
        let q = Period::parse(PeriodKind::Quarter, "2026-Q4").unwrap();
        assert_eq!((q.start(), q.end()), (date!(2026 - 10 - 01), date!(2027 - 01 - 01)));
        for bad in ["2026-13", "2026-3", "2026-Q1", "26-03", "2026/03", ""] {
            assert!(Period::parse(PeriodKind::Month, bad).is_none(), "{bad}");
        }
        assert!(Period::parse(PeriodKind::Quarter, "2026-Q5").is_none());
        assert!(Period::parse(PeriodKind::Quarter, "2026-04").is_none());
    }

    #[test]
    fn periods_follow_each_other_across_years() {
        let q = Period::containing(PeriodKind::Quarter, date!(2026 - 11 - 15));
        assert_eq!(q.code(), "2026-Q4");
        assert_eq!(q.next().code(), "2027-Q1");
        assert_eq!(Period::containing(PeriodKind::Month, date!(2026 - 01 - 31)).previous().code(), "2025-12");
        let m = Period::parse(PeriodKind::Month, "2026-11").unwrap();
        assert!(m.within(&q) && !m.previous().previous().within(&q));
        let r = Period::range(Period::parse(PeriodKind::Month, "2026-10").unwrap(), m.next(), 12);
        assert_eq!(r.iter().map(Period::code).collect::<Vec<_>>(), ["2026-10", "2026-11", "2026-12"]);
        assert_eq!(Period::range(m, m, 0), []);
    }
}
