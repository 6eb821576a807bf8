//! Calendar arithmetic and the ways registrars write a birth date.

/// A proleptic Gregorian date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// A valid date: month and day are clamped into range.
    pub(super) fn clamped(year: i32, month: u8, day: u8) -> Date {
        let month = month.clamp(1, 12);
        let day = day.clamp(1, days_in_month(year, month));
        Date { year, month, day }
    }

    /// Days since 1970-01-01 (negative before).
    pub(super) fn to_days(self) -> i64 {
        // Shift the year to start in March so the leap day is the last day of the year.
        let year = i64::from(self.year) - i64::from(self.month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year - era * 400;
        let month = i64::from(self.month);
        let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    /// The date `days` days after 1970-01-01.
    pub(super) fn from_days(days: i64) -> Date {
        let shifted = days + 719_468;
        let era = shifted.div_euclid(146_097);
        let day_of_era = shifted - era * 146_097;
        let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let month_index = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * month_index + 2) / 5 + 1;
        let month = if month_index < 10 { month_index + 3 } else { month_index - 9 };
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        Date { year: year as i32, month: month as u8, day: day as u8 }
    }

    /// Age in whole years on `reference`.
    #[cfg(test)]
    pub(super) fn age_on(self, reference: Date) -> i32 {
        let before_birthday = (reference.month, reference.day) < (self.month, self.day);
        reference.year - self.year - i32::from(before_birthday)
    }
}

pub(super) fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub(super) fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The format a registrar uses for full dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum DateStyle {
    /// 2019-03-07
    Iso,
    /// 20190307
    Compact,
    /// 07/03/2019
    DayMonthYear,
}

/// What a registration says about the birth date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ShownDob {
    Full(Date),
    YearMonth(i32, u8),
    Year(i32),
    /// Age in years, date column empty.
    Age(i32),
    Missing,
}

/// The text of the `date_of_birth` and `age` columns.
pub(super) fn format_dob(shown: ShownDob, style: DateStyle) -> (String, String) {
    match shown {
        ShownDob::Full(date) => (format_full(date, style), String::new()),
        ShownDob::YearMonth(year, month) => (format!("{year:04}-{month:02}"), String::new()),
        ShownDob::Year(year) => (format!("{year:04}"), String::new()),
        ShownDob::Age(age) => (String::new(), age.max(0).to_string()),
        ShownDob::Missing => (String::new(), String::new()),
    }
}

fn format_full(date: Date, style: DateStyle) -> String {
    let Date { year, month, day } = date;
    match style {
        DateStyle::Iso => format!("{year:04}-{month:02}-{day:02}"),
        DateStyle::Compact => format!("{year:04}{month:02}{day:02}"),
        DateStyle::DayMonthYear => format!("{day:02}/{month:02}/{year:04}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_round_trip() {
        assert_eq!(Date { year: 1970, month: 1, day: 1 }.to_days(), 0);
        assert_eq!(Date { year: 2000, month: 3, day: 1 }.to_days(), 11_017);
        for days in (-60_000..60_000).step_by(37) {
            assert_eq!(Date::from_days(days).to_days(), days);
        }
        assert_eq!(Date::from_days(Date { year: 2024, month: 2, day: 29 }.to_days() + 1), Date::clamped(2024, 3, 1));
    }

    #[test]
    fn ages_count_whole_years() {
        let reference = Date { year: 2026, month: 6, day: 1 };
        assert_eq!(Date { year: 2000, month: 6, day: 1 }.age_on(reference), 26);
        assert_eq!(Date { year: 2000, month: 6, day: 2 }.age_on(reference), 25);
        assert_eq!(Date { year: 2026, month: 1, day: 1 }.age_on(reference), 0);
    }

    #[test]
    fn formats() {
        let date = Date { year: 1987, month: 3, day: 9 };
        assert_eq!(format_dob(ShownDob::Full(date), DateStyle::Iso).0, "1987-03-09");
        assert_eq!(format_dob(ShownDob::Full(date), DateStyle::Compact).0, "19870309");
        assert_eq!(format_dob(ShownDob::Full(date), DateStyle::DayMonthYear).0, "09/03/1987");
        assert_eq!(format_dob(ShownDob::Age(38), DateStyle::Iso), (String::new(), "38".to_owned()));
    }
}
