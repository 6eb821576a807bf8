//! Organisation settings that rules depend on: time zone and working week.

use time::Weekday;

/// The days the organisation works, used by service-level clocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingWeek(Vec<Weekday>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingProblem {
    #[error("'{0}' is not a day: use mon, tue, wed, thu, fri, sat or sun")]
    UnknownDay(String),
    #[error("a working week has at least one day")]
    EmptyWeek,
    #[error("'{0}' is not a time zone name such as Africa/Nairobi or UTC")]
    TimeZone(String),
}

impl WorkingWeek {
    pub fn parse(text: &str) -> Result<WorkingWeek, SettingProblem> {
        let mut days = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let day = match part.to_ascii_lowercase().as_str() {
                "mon" => Weekday::Monday,
                "tue" => Weekday::Tuesday,
                "wed" => Weekday::Wednesday,
                "thu" => Weekday::Thursday,
                "fri" => Weekday::Friday,
                "sat" => Weekday::Saturday,
                "sun" => Weekday::Sunday,
                _ => return Err(SettingProblem::UnknownDay(part.to_owned())),
            };
            if !days.contains(&day) {
                days.push(day);
            }
        }
        if days.is_empty() {
            return Err(SettingProblem::EmptyWeek);
        }
        days.sort_by_key(|d| d.number_days_from_monday());
        Ok(WorkingWeek(days))
    }

    pub fn contains(&self, day: Weekday) -> bool {
        self.0.contains(&day)
    }

    pub fn to_setting(&self) -> String {
        self.0.iter().map(|d| short_day(*d)).collect::<Vec<_>>().join(",")
    }
}

fn short_day(d: Weekday) -> &'static str {
    match d {
        Weekday::Monday => "mon",
        Weekday::Tuesday => "tue",
        Weekday::Wednesday => "wed",
        Weekday::Thursday => "thu",
        Weekday::Friday => "fri",
        Weekday::Saturday => "sat",
        Weekday::Sunday => "sun",
    }
}

/// Check an IANA time zone name (`Africa/Nairobi`, `UTC`) against the time zone database
/// compiled into Haven.
pub fn check_time_zone(name: &str) -> Result<(), SettingProblem> {
    LocalZone::named(name).map(|_| ())
}

/// Every time zone name Haven knows, sorted: the settings page's choices.
pub fn time_zone_names() -> Vec<String> {
    let mut names: Vec<String> = jiff::tz::db().available().map(|n| n.as_str().to_owned()).collect();
    names.sort();
    names
}

/// The organisation's time zone: pages show times in it and read the times people type in
/// it. Times are stored in UTC, and deadlines are computed on them, whatever the zone.
#[derive(Debug, Clone)]
pub struct LocalZone {
    name: String,
    tz: jiff::tz::TimeZone,
}

impl Default for LocalZone {
    fn default() -> Self {
        LocalZone { name: "UTC".to_owned(), tz: jiff::tz::TimeZone::UTC }
    }
}

impl LocalZone {
    /// A zone by its IANA name. Names are matched as written (the database ignores case, but
    /// a setting keeps the canonical spelling).
    pub fn named(name: &str) -> Result<LocalZone, SettingProblem> {
        let name = name.trim();
        let bad = || SettingProblem::TimeZone(name.to_owned());
        // Only names of the database: no POSIX rules or file paths.
        if name.is_empty() || name.len() > 64 || name.starts_with('/') || name.contains("..") {
            return Err(bad());
        }
        let tz = jiff::tz::db().get(name).map_err(|_| bad())?;
        Ok(LocalZone { name: tz.iana_name().unwrap_or(name).to_owned(), tz })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The wall-clock date and time at `t` in this zone, with the zone's abbreviation then
    /// (such as EAT, CET or +03).
    pub fn local(&self, t: time::OffsetDateTime) -> (time::PrimitiveDateTime, String) {
        let Ok(ts) = jiff::Timestamp::from_nanosecond(t.unix_timestamp_nanos()) else {
            return (time::PrimitiveDateTime::new(t.date(), t.time()), "UTC".to_owned());
        };
        let abbreviation = self.tz.to_offset_info(ts).abbreviation().to_owned();
        let local = self.tz.to_datetime(ts);
        (civil_to_time(local).unwrap_or_else(|| time::PrimitiveDateTime::new(t.date(), t.time())), abbreviation)
    }

    /// The moment a wall-clock time typed in this zone stands for. A time skipped when clocks
    /// go forward is read as the later offset's, a repeated one as the first (as calendars do).
    pub fn moment(&self, local: time::PrimitiveDateTime) -> Option<time::OffsetDateTime> {
        let civil = jiff::civil::DateTime::new(
            i16::try_from(local.year()).ok()?,
            u8::from(local.month()) as i8,
            local.day() as i8,
            local.hour() as i8,
            local.minute() as i8,
            local.second() as i8,
            0,
        )
        .ok()?;
        let ts = civil.to_zoned_datetime(self.tz.clone()).ok()?.timestamp();
        time::OffsetDateTime::from_unix_timestamp_nanos(ts.as_nanosecond()).ok()
    }
}

fn civil_to_time(c: jiff::civil::DateTime) -> Option<time::PrimitiveDateTime> {
    let month = time::Month::try_from(u8::try_from(c.month()).ok()?).ok()?;
    let date = time::Date::from_calendar_date(i32::from(c.year()), month, u8::try_from(c.day()).ok()?).ok()?;
    let clock = time::Time::from_hms(
        u8::try_from(c.hour()).ok()?,
        u8::try_from(c.minute()).ok()?,
        u8::try_from(c.second()).ok()?,
    )
    .ok()?;
    Some(time::PrimitiveDateTime::new(date, clock))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_sunday_to_thursday_week() {
        let w = WorkingWeek::parse("sun, mon,tue,wed,thu").unwrap();
        assert!(w.contains(Weekday::Sunday));
        assert!(!w.contains(Weekday::Friday));
        assert_eq!(w.to_setting(), "mon,tue,wed,thu,sun");
    }

    #[test]
    fn rejects_unknown_days_and_empty_weeks() {
        assert_eq!(WorkingWeek::parse("mon,fun"), Err(SettingProblem::UnknownDay("fun".into())));
        assert_eq!(WorkingWeek::parse(" , "), Err(SettingProblem::EmptyWeek));
    }

    #[test]
    fn time_zone_names_are_those_of_the_database() {
        assert!(check_time_zone("Africa/Nairobi").is_ok());
        assert!(check_time_zone("America/Argentina/Buenos_Aires").is_ok());
        assert!(check_time_zone("UTC").is_ok());
        for bad in ["Nairobi; drop", "Mars/Olympus", "", "/etc/passwd", "../Africa/Nairobi", "EST5EDT,M3.2.0,M11.1.0"] {
            assert_eq!(check_time_zone(bad), Err(SettingProblem::TimeZone(bad.to_owned())), "{bad}");
        }
        let names = time_zone_names();
        assert!(names.iter().any(|n| n == "Asia/Baghdad") && names.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn local_times_follow_the_zone_and_its_clock_changes() {
        use time::macros::datetime;
        let baghdad = LocalZone::named("Asia/Baghdad").unwrap();
        let (local, abbreviation) = baghdad.local(datetime!(2026-03-06 21:30 UTC));
        assert_eq!((local, abbreviation.as_str()), (datetime!(2026-03-07 00:30), "+03"));
        let paris = LocalZone::named("Europe/Paris").unwrap();
        // 2026-03-29: clocks go from 02:00 to 03:00 in Paris.
        assert_eq!(paris.local(datetime!(2026-03-29 00:30 UTC)), (datetime!(2026-03-29 01:30), "CET".to_owned()));
        assert_eq!(paris.local(datetime!(2026-03-29 01:30 UTC)), (datetime!(2026-03-29 03:30), "CEST".to_owned()));
        assert_eq!(paris.moment(datetime!(2026-07-01 12:00)), Some(datetime!(2026-07-01 10:00 UTC)));
        assert_eq!(paris.moment(datetime!(2026-03-29 02:30)), Some(datetime!(2026-03-29 01:30 UTC)));
        assert_eq!(LocalZone::default().moment(datetime!(2026-07-01 12:00)), Some(datetime!(2026-07-01 12:00 UTC)));
    }

    proptest::proptest! {
        /// A time shown in a zone and typed back (to the minute) is the same moment, except
        /// in the hour clocks go back, where the first of the two readings is taken.
        #[test]
        fn shown_then_typed_is_the_same_minute(minutes in 0i64..(60 * 24 * 366 * 3), zone in 0usize..4) {
            let names = ["Asia/Baghdad", "Europe/Paris", "America/Port-au-Prince", "Australia/Lord_Howe"];
            let z = LocalZone::named(names[zone]).unwrap();
            let t = time::macros::datetime!(2025-01-01 00:00 UTC) + time::Duration::minutes(minutes);
            let (local, _) = z.local(t);
            let back = z.moment(local).unwrap();
            proptest::prop_assert!(back == t || (back < t && t - back <= time::Duration::hours(1)), "{t} {back}");
        }
    }
}
