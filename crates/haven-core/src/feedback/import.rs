//! Existing paper and Excel logs as submissions: columns found by their names, every value
//! checked, every problem reported with its line and column; nothing is kept unless the
//! whole file is right.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time};

use super::{RawSubmission, Submission};

/// One row of a log, checked.
#[derive(Debug, Clone)]
pub struct ImportedRow {
    pub line: u64,
    pub submission: Submission,
    pub received_at: Option<OffsetDateTime>,
}

/// What is wrong, where: the line in the file, the column as headed there, a problem code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub line: u64,
    pub column: String,
    pub code: &'static str,
}

/// The fields a log may carry and the column names that mean them.
const COLUMNS: [(&str, &[&str]); 16] = [
    ("text", &["text", "feedback message", "message", "feedback", "narrative", "description", "comment"]),
    ("channel", &["channel", "feedback channel"]),
    ("category", &["category", "code"]),
    ("sensitive_type", &["sensitive type", "sensitive kind"]),
    ("criticality", &["criticality"]),
    ("contact_name", &["contact name", "name"]),
    ("contact_phone", &["contact phone", "phone", "phone number"]),
    ("consent_to_contact", &["consent to contact", "consent"]),
    ("safe_contact", &["safe contact"]),
    ("location", &["location", "pcode", "p-code", "location code"]),
    ("sex", &["sex", "gender"]),
    ("age", &["age"]),
    ("age_bracket", &["age bracket", "age range", "age group"]),
    ("disability", &["disability"]),
    ("language", &["language"]),
    ("received_at", &["received at", "received", "date", "date received"]),
];

pub(crate) fn normalize_header(h: &str) -> String {
    h.trim().to_lowercase().replace(['_', '-'], " ").split_whitespace().collect::<Vec<_>>().join(" ")
}

fn field_of(header: &str) -> Option<&'static str> {
    let h = normalize_header(header);
    COLUMNS.iter().find(|(_, names)| names.iter().any(|n| normalize_header(n) == h)).map(|(f, _)| *f)
}

/// A channel as logs name it (IFRC logbook labels included) → its code; anything else is
/// passed on for validation to refuse.
fn channel_code(label: &str) -> String {
    let key: String = label.to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect();
    let code = match key.as_str() {
        "helpdesk" | "helpdeskinformationcentre" | "informationcentre" | "informationdesk" => "helpdesk",
        "hotline" | "callcentre" | "callcenter" | "phone" => "hotline",
        "suggestionbox" | "feedbackbox" | "complaintbox" => "suggestion_box",
        "communitymeeting" => "community_meeting",
        "fieldvisit" | "householdvisit" | "fieldmonitoring" => "field_visit",
        "survey" | "structuredinterview" => "survey",
        "web" | "webform" | "website" => "web",
        "sms" => "sms",
        "whatsapp" => "whatsapp",
        "email" => "email",
        "other" => "other",
        _ => return label.trim().to_lowercase(),
    };
    code.to_owned()
}

/// A table's columns, each mapped to the field it holds.
pub(crate) struct Columns<'h> {
    headers: &'h [String],
    pub fields: Vec<Option<&'static str>>,
}

impl<'h> Columns<'h> {
    /// Map every header with `field_of`; an unknown or missing required column is a problem
    /// on line 1.
    pub fn map(
        headers: &'h [String],
        field_of: impl Fn(&str) -> Option<&'static str>,
        required: &[&str],
    ) -> Result<Columns<'h>, Vec<RowProblem>> {
        let fields: Vec<Option<&'static str>> = headers.iter().map(|h| field_of(h)).collect();
        let mut problems: Vec<RowProblem> = headers
            .iter()
            .zip(&fields)
            .filter(|(_, f)| f.is_none())
            .map(|(h, _)| RowProblem { line: 1, column: h.clone(), code: "unknown-column" })
            .collect();
        for field in required {
            if !fields.contains(&Some(*field)) {
                problems.push(RowProblem { line: 1, column: (*field).to_owned(), code: "required-column" });
            }
        }
        if problems.is_empty() { Ok(Columns { headers, fields }) } else { Err(problems) }
    }

    /// The header of the column holding `field`, as the file names it.
    pub fn name_of(&self, field: &str) -> String {
        self.fields
            .iter()
            .position(|f| *f == Some(field))
            .map(|i| self.headers[i].clone())
            .unwrap_or_else(|| field.to_owned())
    }
}

pub(crate) fn yes_no(value: &str) -> Option<bool> {
    match value.trim().to_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "oui" | "si" | "sí" | "نعم" => Some(true),
        "no" | "n" | "false" | "0" | "non" | "لا" => Some(false),
        _ => None,
    }
}

/// A date or time as logs write it: ISO date, ISO date and time (UTC when no offset), RFC
/// 3339, or DD/MM/YYYY.
pub fn parse_when(value: &str) -> Option<OffsetDateTime> {
    let v = value.trim();
    if let Ok(t) = OffsetDateTime::parse(v, &Rfc3339) {
        return Some(t);
    }
    let iso_time = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let iso_space = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let iso_minutes = format_description!("[year]-[month]-[day] [hour]:[minute]");
    for f in [iso_time, iso_space, iso_minutes] {
        if let Ok(t) = PrimitiveDateTime::parse(v, &f) {
            return Some(t.assume_utc());
        }
    }
    let dates = [format_description!("[year]-[month]-[day]"), format_description!("[day]/[month]/[year]")];
    dates.iter().find_map(|f| Date::parse(v, f).ok()).map(|d| PrimitiveDateTime::new(d, Time::MIDNIGHT).assume_utc())
}

/// Map a table to submissions. `now` bounds dates (a log cannot be received in the future).
pub fn rows_to_submissions(
    headers: &[String],
    rows: &[(u64, Vec<String>)],
    now: OffsetDateTime,
) -> Result<Vec<ImportedRow>, Vec<RowProblem>> {
    let columns = Columns::map(headers, field_of, &["text", "channel"])?;
    let (fields, column_of) = (&columns.fields, |field: &str| columns.name_of(field));
    let mut problems = Vec::new();
    let mut out = Vec::with_capacity(rows.len());
    for (line, values) in rows {
        let mut raw = RawSubmission::default();
        let mut received_at = None;
        let mut bad = |field: &str, code| problems.push(RowProblem { line: *line, column: column_of(field), code });
        for (value, field) in values.iter().zip(fields) {
            let v = value.trim();
            if v.is_empty() {
                continue;
            }
            let text = Some(v.to_owned());
            match field.unwrap_or("") {
                "text" => raw.text = text,
                "channel" => raw.channel = Some(channel_code(v)),
                "category" => raw.category = text,
                "sensitive_type" => raw.sensitive_type = text,
                "criticality" => raw.criticality = text,
                "contact_name" => raw.contact_name = text,
                "contact_phone" => raw.contact_phone = text,
                "safe_contact" => raw.safe_contact = text,
                "location" => raw.location = text,
                "sex" => raw.sex = Some(v.to_lowercase()),
                "age_bracket" => raw.age_bracket = text,
                "language" => raw.language = text,
                "consent_to_contact" => match yes_no(v) {
                    Some(b) => raw.consent_to_contact = Some(b),
                    None => bad("consent_to_contact", "not-yes-or-no"),
                },
                "disability" => match yes_no(v) {
                    Some(b) => raw.disability = Some(b),
                    None => bad("disability", "not-yes-or-no"),
                },
                "age" => match v.parse::<i64>() {
                    Ok(a) => raw.age = Some(a),
                    Err(_) => bad("age", "out-of-range"),
                },
                "received_at" => match parse_when(v) {
                    Some(t) if t <= now => received_at = Some(t),
                    Some(_) => bad("received_at", "in-the-future"),
                    None => bad("received_at", "invalid-time"),
                },
                _ => {}
            }
        }
        match raw.validate() {
            Ok(submission) => out.push(ImportedRow { line: *line, submission, received_at }),
            Err(field_problems) => {
                for p in field_problems {
                    let column =
                        if p.field == "age" && !fields.contains(&Some("age")) { "age_bracket" } else { p.field };
                    problems.push(RowProblem { line: *line, column: column_of(column), code: p.code });
                }
            }
        }
    }
    if problems.is_empty() { Ok(out) } else { Err(problems) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn columns_are_found_by_their_usual_names() {
        let headers = strings(&["Feedback message", "Feedback channel", "Date", "Gender", "Age", "Consent"]);
        let rows = vec![(2, strings(&["No water since Monday", "Help desk", "06/03/2026", "F", "34", "no"]))];
        let out = rows_to_submissions(&headers, &rows, datetime!(2026-03-10 0:00 UTC)).expect("valid");
        assert_eq!(out[0].submission.channel.code(), "helpdesk");
        assert_eq!(out[0].received_at, Some(datetime!(2026-03-06 0:00 UTC)));
        assert_eq!(out[0].submission.age_bracket.as_deref(), Some("18-59"));
    }

    #[test]
    fn every_problem_has_its_line_and_column() {
        let headers = strings(&["text", "channel", "received", "colour"]);
        let e = rows_to_submissions(&headers, &[], datetime!(2026-03-10 0:00 UTC)).expect_err("unknown column");
        assert_eq!(e, vec![RowProblem { line: 1, column: "colour".into(), code: "unknown-column" }]);
        let headers = strings(&["text", "channel", "received"]);
        let rows = vec![
            (2, strings(&["ok", "sms", "2026-03-01"])),
            (3, strings(&["", "pigeon", "2026-13-01"])),
            (5, strings(&["later", "sms", "2027-01-01"])),
        ];
        let e = rows_to_submissions(&headers, &rows, datetime!(2026-03-10 0:00 UTC)).expect_err("bad rows");
        let got: Vec<(u64, &str, &str)> = e.iter().map(|p| (p.line, p.column.as_str(), p.code)).collect();
        assert_eq!(
            got,
            vec![
                (3, "received", "invalid-time"),
                (3, "text", "required"),
                (3, "channel", "unknown-code"),
                (5, "received", "in-the-future")
            ]
        );
    }

    #[test]
    fn dates_in_the_forms_logs_use() {
        assert_eq!(parse_when("2026-03-06T14:05:00+03:00"), Some(datetime!(2026-03-06 11:05 UTC)));
        assert_eq!(parse_when("2026-03-06 14:05"), Some(datetime!(2026-03-06 14:05 UTC)));
        assert_eq!(parse_when("6/3/2026"), None, "one-digit days are ambiguous in logs; refused");
        assert_eq!(parse_when("06/03/2026"), Some(datetime!(2026-03-06 0:00 UTC)));
        assert_eq!(parse_when("yesterday"), None);
    }
}
