//! What arrives on a channel, checked field by field before anything is stored.

use serde::Deserialize;

use super::{Channel, Criticality, Links, RawLinks, SensitiveType, Sex};

/// Longest narrative accepted (characters): a long SMS thread or a page of notes.
pub const MAX_TEXT: usize = 10_000;
const MAX_SHORT: usize = 200;
const MAX_SAFE_CONTACT: usize = 500;

/// A submission as sent: every field optional and untyped, so that each problem can be
/// reported against its field instead of failing the whole body.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RawSubmission {
    pub text: Option<String>,
    pub channel: Option<String>,
    pub category: Option<String>,
    pub sensitive_type: Option<String>,
    pub criticality: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub consent_to_contact: Option<bool>,
    pub safe_contact: Option<String>,
    pub location: Option<String>,
    pub sex: Option<String>,
    pub age: Option<i64>,
    pub age_bracket: Option<String>,
    pub disability: Option<bool>,
    /// The Washington Group Short Set: domain code → answer code (see [`super::ShortSet`]);
    /// the disability it shows is recorded, not the answers.
    pub functioning: Option<std::collections::BTreeMap<String, String>>,
    pub language: Option<String>,
    /// A project's id (a UUID).
    pub project_id: Option<String>,
    /// A sector of assistance (catalog `sectors` code).
    pub sector: Option<String>,
    /// A protection principle (catalog `principles` code).
    pub principle: Option<String>,
    /// Sensitive reports only: when it happened, `YYYY-MM-DD`, or `YYYY-MM` when only the
    /// month is known.
    pub occurred_on: Option<String>,
    /// Sensitive reports only: the alleged perpetrator's organisation, if known.
    pub alleged_organisation: Option<String>,
}

pub use crate::input::FieldProblem;
use crate::input::{is_code, trimmed};

/// A checked submission. Text fields are trimmed; empty optional fields are `None`.
#[derive(Clone, PartialEq, Eq)]
pub struct Submission {
    pub text: String,
    pub channel: Channel,
    pub category: Option<String>,
    pub sensitive_type: Option<SensitiveType>,
    pub criticality: Criticality,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub consent_to_contact: bool,
    pub safe_contact: Option<String>,
    pub location: Option<String>,
    pub sex: Option<Sex>,
    pub age_bracket: Option<String>,
    pub disability: Option<bool>,
    pub language: Option<String>,
    /// The project, sector and principle the item is about (checked for shape only: the
    /// store checks them against the catalog and the project register).
    pub links: Links,
    /// The minimum a sensitive report records besides what and where: when it happened (a
    /// day, or a month when approximate) and the alleged perpetrator's organisation. Kept
    /// only inside sealed content; an item that is not sealed may not carry them.
    pub occurred_on: Option<String>,
    pub alleged_organisation: Option<String>,
}

// The narrative and contact details are personal data: never printed.
impl std::fmt::Debug for Submission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Submission")
            .field("channel", &self.channel)
            .field("category", &self.category)
            .field("sensitive_type", &self.sensitive_type)
            .field("criticality", &self.criticality)
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

impl Submission {
    pub fn has_contact(&self) -> bool {
        self.contact_name.is_some() || self.contact_phone.is_some()
    }

    /// The fields only a sealed item may carry, named as in the API, when given.
    pub fn sealed_only_fields(&self) -> Vec<&'static str> {
        let mut fields = Vec::new();
        if self.occurred_on.is_some() {
            fields.push("occurred_on");
        }
        if self.alleged_organisation.is_some() {
            fields.push("alleged_organisation");
        }
        fields
    }

    /// Whether the day it happened (the month's first day, for a month) is after `today`.
    pub fn occurred_after(&self, today: time::Date) -> bool {
        self.occurred_on.as_deref().and_then(occurred_start).is_some_and(|d| d > today)
    }
}

/// The first day `occurred_on` can mean: the day itself, or the month's first day.
fn occurred_start(value: &str) -> Option<time::Date> {
    let day = time::macros::format_description!("[year]-[month]-[day]");
    match value.len() {
        10 => time::Date::parse(value, &day).ok(),
        7 => time::Date::parse(&format!("{value}-01"), &day).ok(),
        _ => None,
    }
}

/// When it happened: a day (`YYYY-MM-DD`) or, when only approximate, a month (`YYYY-MM`).
fn parse_occurred_on(value: &str) -> Option<String> {
    let plain = value.bytes().all(|b| b.is_ascii_digit() || b == b'-');
    let date = occurred_start(value).filter(|d| plain && d.year() >= 1900)?;
    Some(if value.len() == 7 { value.to_owned() } else { crate::input::iso_date(date) })
}

/// The age bracket (catalog `age-brackets` codes) of an age in whole years.
pub fn age_bracket_of(age: u32) -> &'static str {
    match age {
        0..=4 => "0-4",
        5..=11 => "5-11",
        12..=17 => "12-17",
        18..=59 => "18-59",
        _ => "60-plus",
    }
}

const AGE_BRACKETS: [&str; 5] = ["0-4", "5-11", "12-17", "18-59", "60-plus"];

/// Digits with an optional leading `+`; spaces, dashes, dots and brackets are dropped.
fn normalize_phone(value: &str) -> Option<String> {
    let mut out = String::new();
    for (i, c) in value.trim().chars().enumerate() {
        match c {
            '+' if i == 0 => out.push('+'),
            '0'..='9' => out.push(c),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return None,
        }
    }
    let digits = out.trim_start_matches('+').len();
    (6..=15).contains(&digits).then_some(out)
}

impl RawSubmission {
    /// Check every field; all problems are returned together.
    pub fn validate(self) -> Result<Submission, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let mut problem = |field, code| problems.push(FieldProblem { field, code });

        let text = trimmed(self.text);
        match &text {
            None => problem("text", "required"),
            Some(t) if t.chars().count() > MAX_TEXT => problem("text", "too-long"),
            Some(_) => {}
        }
        let channel = match trimmed(self.channel) {
            None => {
                problem("channel", "required");
                None
            }
            Some(c) => Channel::from_code(&c).or_else(|| {
                problem("channel", "unknown-code");
                None
            }),
        };
        let category = trimmed(self.category);
        if category.as_deref().is_some_and(|c| !is_code(c)) {
            problem("category", "unknown-code");
        }
        let sensitive_type = trimmed(self.sensitive_type).and_then(|s| {
            SensitiveType::from_code(&s).or_else(|| {
                problem("sensitive_type", "unknown-code");
                None
            })
        });
        let criticality = match trimmed(self.criticality) {
            None => Criticality::ToBeClarified,
            Some(c) => Criticality::from_code(&c).unwrap_or_else(|| {
                problem("criticality", "unknown-code");
                Criticality::ToBeClarified
            }),
        };
        let contact_name = trimmed(self.contact_name);
        if contact_name.as_ref().is_some_and(|n| n.chars().count() > MAX_SHORT) {
            problem("contact_name", "too-long");
        }
        let contact_phone = match trimmed(self.contact_phone) {
            None => None,
            Some(p) => normalize_phone(&p).or_else(|| {
                problem("contact_phone", "invalid-phone");
                None
            }),
        };
        let safe_contact = trimmed(self.safe_contact);
        if safe_contact.as_ref().is_some_and(|s| s.chars().count() > MAX_SAFE_CONTACT) {
            problem("safe_contact", "too-long");
        }
        let consent_to_contact = self.consent_to_contact.unwrap_or(false);
        if (contact_name.is_some() || contact_phone.is_some()) && !consent_to_contact {
            // Contact details are kept only with the person's consent.
            problem("consent_to_contact", "consent-required");
        }
        let location = trimmed(self.location);
        if location.as_deref().is_some_and(|l| !is_code(l)) {
            problem("location", "unknown-code");
        }
        let sex = trimmed(self.sex).and_then(|s| {
            Sex::from_code(&s).or_else(|| {
                problem("sex", "unknown-code");
                None
            })
        });
        let age_bracket = match (self.age, trimmed(self.age_bracket)) {
            (Some(_), Some(_)) => {
                problem("age", "age-or-bracket");
                None
            }
            (Some(age), None) => match u32::try_from(age) {
                Ok(a) if a <= 120 => Some(age_bracket_of(a).to_owned()),
                _ => {
                    problem("age", "out-of-range");
                    None
                }
            },
            (None, Some(b)) if AGE_BRACKETS.contains(&b.as_str()) => Some(b),
            (None, Some(_)) => {
                problem("age_bracket", "unknown-code");
                None
            }
            (None, None) => None,
        };
        let disability = match (self.disability, self.functioning) {
            (stated, None) => stated,
            (stated, Some(answers)) => {
                match super::ShortSet::parse(answers.iter().map(|(d, a)| (d.as_str(), a.as_str()))) {
                    Err(_) => {
                        problem("functioning", "unknown-code");
                        None
                    }
                    Ok(set) if set.is_empty() => stated,
                    Ok(_) if stated.is_some() => {
                        problem("disability", "disability-or-functioning");
                        None
                    }
                    Ok(set) => set.disability(),
                }
            }
        };
        let language = trimmed(self.language).map(|l| l.to_ascii_lowercase());
        if language
            .as_deref()
            .is_some_and(|l| !(2..=3).contains(&l.len()) || !l.bytes().all(|b| b.is_ascii_lowercase()))
        {
            problem("language", "invalid-language");
        }
        let occurred_on = trimmed(self.occurred_on).and_then(|o| {
            parse_occurred_on(&o).or_else(|| {
                problem("occurred_on", "invalid-occurred-on");
                None
            })
        });
        let alleged_organisation = trimmed(self.alleged_organisation);
        if alleged_organisation.as_ref().is_some_and(|o| o.chars().count() > MAX_SHORT) {
            problem("alleged_organisation", "too-long");
        }
        let links = RawLinks { project_id: self.project_id, sector: self.sector, principle: self.principle }
            .validate(&mut problems);
        match (text, channel) {
            (Some(text), Some(channel)) if problems.is_empty() => Ok(Submission {
                text,
                channel,
                category,
                sensitive_type,
                criticality,
                contact_name,
                contact_phone,
                consent_to_contact,
                safe_contact,
                location,
                sex,
                age_bracket,
                disability,
                language,
                links,
                occurred_on,
                alleged_organisation,
            }),
            _ => Err(problems),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str, channel: &str) -> RawSubmission {
        RawSubmission { text: Some(text.into()), channel: Some(channel.into()), ..Default::default() }
    }

    #[test]
    fn the_washington_group_answers_give_the_disability_and_are_not_kept() {
        let answers = |pairs: &[(&str, &str)]| {
            Some(
                pairs
                    .iter()
                    .map(|(d, a)| ((*d).to_owned(), (*a).to_owned()))
                    .collect::<std::collections::BTreeMap<_, _>>(),
            )
        };
        let with = |functioning, disability| RawSubmission { functioning, disability, ..raw("The tap leaks", "web") };
        let s = with(answers(&[("walking", "a_lot"), ("seeing", "none")]), None).validate().expect("valid");
        assert_eq!(s.disability, Some(true));
        let all_some: Vec<(&str, &str)> = super::super::Domain::ALL.iter().map(|d| (d.code(), "some")).collect();
        assert_eq!(with(answers(&all_some), None).validate().expect("valid").disability, Some(false));
        assert_eq!(with(answers(&[("hearing", "none")]), None).validate().expect("valid").disability, None);
        // No answer given: a disability stated by a caller that asked the questions itself.
        assert_eq!(with(answers(&[("hearing", "")]), Some(true)).validate().expect("valid").disability, Some(true));
        let problems = |r: RawSubmission| {
            r.validate().expect_err("refused").into_iter().map(|p| (p.field, p.code)).collect::<Vec<_>>()
        };
        assert_eq!(
            problems(with(answers(&[("walking", "a_lot")]), Some(false))),
            [("disability", "disability-or-functioning")]
        );
        assert_eq!(problems(with(answers(&[("walking", "badly")]), None)), [("functioning", "unknown-code")]);
        assert_eq!(problems(with(answers(&[("smell", "none")]), None)), [("functioning", "unknown-code")]);
    }

    #[test]
    fn text_and_channel_are_enough() {
        let s = raw("  The water point is broken ", "web").validate().expect("valid");
        assert_eq!(s.text, "The water point is broken");
        assert_eq!(s.channel, Channel::Web);
        assert_eq!(s.criticality, Criticality::ToBeClarified);
        assert!(!s.has_contact());
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let bad = RawSubmission {
            text: Some("   ".into()),
            channel: Some("pigeon".into()),
            sensitive_type: Some("gossip".into()),
            sex: Some("female".into()),
            age: Some(300),
            contact_phone: Some("call me".into()),
            language: Some("english".into()),
            ..Default::default()
        };
        let problems = bad.validate().expect_err("invalid");
        let fields: Vec<(&str, &str)> = problems.iter().map(|p| (p.field, p.code)).collect();
        assert_eq!(
            fields,
            vec![
                ("text", "required"),
                ("channel", "unknown-code"),
                ("sensitive_type", "unknown-code"),
                ("contact_phone", "invalid-phone"),
                ("sex", "unknown-code"),
                ("age", "out-of-range"),
                ("language", "invalid-language"),
            ]
        );
    }

    #[test]
    fn contact_details_need_consent() {
        let mut r = raw("Please call me back", "hotline");
        r.contact_phone = Some("+964 770 123 4567".into());
        assert_eq!(
            r.clone().validate().expect_err("no consent"),
            vec![FieldProblem { field: "consent_to_contact", code: "consent-required" }]
        );
        r.consent_to_contact = Some(true);
        assert_eq!(r.validate().expect("valid").contact_phone.as_deref(), Some("+9647701234567"));
    }

    #[test]
    fn age_becomes_a_bracket() {
        let mut r = raw("x", "sms");
        r.age = Some(16);
        assert_eq!(r.clone().validate().expect("valid").age_bracket.as_deref(), Some("12-17"));
        r.age_bracket = Some("12-17".into());
        assert_eq!(r.validate().expect_err("both")[0].field, "age");
        assert_eq!(age_bracket_of(60), "60-plus");
        assert_eq!(age_bracket_of(59), "18-59");
    }

    #[test]
    fn when_it_happened_is_a_day_or_a_month() {
        let mut r = raw("x", "hotline");
        r.occurred_on = Some(" 2026-03 ".into());
        r.alleged_organisation = Some(" Contractor Ltd ".into());
        let s = r.clone().validate().expect("valid");
        assert_eq!(s.occurred_on.as_deref(), Some("2026-03"));
        assert_eq!(s.sealed_only_fields(), ["occurred_on", "alleged_organisation"]);
        let day = time::macros::date!(2026 - 03 - 01);
        assert!(!s.occurred_after(day) && s.occurred_after(time::macros::date!(2026 - 02 - 28)));
        r.occurred_on = Some("2026-03-14".into());
        assert_eq!(r.clone().validate().expect("valid").occurred_on.as_deref(), Some("2026-03-14"));
        for bad in ["2026-13", "2026-02-30", "March", "+2026-03", "1850-01", "2026-3"] {
            r.occurred_on = Some(bad.into());
            assert_eq!(r.clone().validate().expect_err(bad)[0].field, "occurred_on", "{bad}");
        }
    }

    #[test]
    fn debug_never_shows_the_narrative_or_contact() {
        let mut r = raw("my neighbour Amal was hurt", "web");
        r.contact_name = Some("Amal".into());
        r.alleged_organisation = Some("Bravo Logistics".into());
        r.consent_to_contact = Some(true);
        let shown = format!("{:?}", r.validate().expect("valid"));
        assert!(!shown.contains("Amal") && !shown.contains("neighbour") && !shown.contains("Bravo"), "{shown}");
    }
}
