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

/// Check the shape of an IANA time zone name (`Area/Location`, or `UTC`).
pub fn check_time_zone(name: &str) -> Result<(), SettingProblem> {
    let ok = name == "UTC"
        || (name.contains('/')
            && name
                .split('/')
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || "_-+".contains(c))));
    if ok { Ok(()) } else { Err(SettingProblem::TimeZone(name.to_owned())) }
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
    fn time_zone_names() {
        assert!(check_time_zone("Africa/Nairobi").is_ok());
        assert!(check_time_zone("America/Argentina/Buenos_Aires").is_ok());
        assert!(check_time_zone("Nairobi; drop").is_err());
    }
}
