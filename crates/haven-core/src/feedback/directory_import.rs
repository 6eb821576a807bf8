//! The service directory from a spreadsheet (CSV or XLSX, as partners share their service
//! mappings): one service per row, every problem reported with its line and column.

use super::directory::{RawService, Service};
use super::import::{Columns, RowProblem, normalize_header, yes_no};

/// The fields of a service and the column names that mean them.
const COLUMNS: [(&str, &[&str]); 11] = [
    ("organisation", &["organisation", "organization", "agency", "partner"]),
    ("name", &["name", "service", "service name"]),
    ("service_type", &["type", "service type", "sector"]),
    ("description", &["description", "what", "activities"]),
    ("locations", &["locations", "location", "places", "pcode", "pcodes", "p-codes", "where"]),
    ("contact", &["contact", "contact point", "focal point", "phone"]),
    ("opening_hours", &["opening hours", "hours", "days and hours"]),
    ("languages", &["languages", "language"]),
    ("referral_criteria", &["referral criteria", "how to refer", "criteria"]),
    ("accepts_referrals", &["accepts referrals", "referrals"]),
    ("active", &["active"]),
];

fn field_of(header: &str) -> Option<&'static str> {
    let h = normalize_header(header);
    COLUMNS.iter().find(|(_, names)| names.iter().any(|n| normalize_header(n) == h)).map(|(f, _)| *f)
}

/// A type as people write it ("GBV case management", "Legal aid", "MHPSS") → its code.
fn type_code(label: &str) -> String {
    label.trim().to_lowercase().replace([' ', '-', '/'], "_")
}

/// Map a table to services; `known_location` says whether a P-code is in the location tree.
pub fn rows_to_services(
    headers: &[String],
    rows: &[(u64, Vec<String>)],
    known_location: impl Fn(&str) -> bool,
) -> Result<Vec<(u64, Service)>, Vec<RowProblem>> {
    let columns = Columns::map(headers, field_of, &["organisation", "name", "service_type", "locations", "contact"])?;
    let (fields, column_of) = (&columns.fields, |field: &str| columns.name_of(field));
    let mut problems = Vec::new();
    let mut out = Vec::with_capacity(rows.len());
    for (line, values) in rows {
        let mut raw = RawService::default();
        for (value, field) in values.iter().zip(fields) {
            let v = value.trim();
            let mut yes_no_of = |field: &str| {
                if v.is_empty() {
                    return None;
                }
                let answer = yes_no(v);
                if answer.is_none() {
                    problems.push(RowProblem { line: *line, column: column_of(field), code: "not-yes-or-no" });
                }
                answer
            };
            match field.unwrap_or("") {
                "service_type" => raw.service_type = Some(type_code(v)),
                "accepts_referrals" => raw.accepts_referrals = yes_no_of("accepts_referrals"),
                "active" => raw.active = yes_no_of("active"),
                other => {
                    raw.set_text(other, v);
                }
            }
        }
        match raw.validate() {
            Ok(service) if service.locations.iter().any(|l| !known_location(l)) => {
                problems.push(RowProblem { line: *line, column: column_of("locations"), code: "unknown-location" });
            }
            Ok(service) => out.push((*line, service)),
            Err(ps) => problems.extend(ps.into_iter().map(|p| RowProblem {
                line: *line,
                column: column_of(p.field),
                code: p.code,
            })),
        }
    }
    if problems.is_empty() { Ok(out) } else { Err(problems) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> (Vec<String>, Vec<(u64, Vec<String>)>) {
        let mut lines = text.lines();
        let headers = lines.next().unwrap_or("").split(',').map(str::to_owned).collect();
        let rows = lines.zip(2..).map(|(l, n)| (n, l.split(',').map(str::to_owned).collect())).collect();
        (headers, rows)
    }

    #[test]
    fn a_partner_mapping_becomes_services() {
        let (h, rows) = table(
            "Organization,Service,Type,P-codes,Focal point,Languages,Accepts referrals\n\
             Sela Health,Clinic,Health,XY01 XY02,+254 700 1,ar en,yes\n\
             Legal Aid Network,Counselling,Legal aid,XY,legal@example.org,fr,non",
        );
        let services = rows_to_services(&h, &rows, |_| true).expect("valid");
        assert_eq!(services.len(), 2);
        assert_eq!(services[0].1.locations, vec!["XY01", "XY02"]);
        assert_eq!(services[1].1.service_type.code(), "legal_aid");
        assert!(!services[1].1.accepts_referrals);
    }

    #[test]
    fn every_problem_has_its_line_and_column() {
        let (h, rows) = table(
            "Organisation,Service,Type,Locations,Contact,Active\nA,B,Magic,XY,c,maybe\n,B,Shelter,,c,yes\nA,B,Cash,ZZ,c,",
        );
        let problems = rows_to_services(&h, &rows, |code| code == "XY").expect_err("invalid");
        let found: Vec<(u64, &str, &str)> = problems.iter().map(|p| (p.line, p.column.as_str(), p.code)).collect();
        assert_eq!(
            found,
            vec![
                (2, "Active", "not-yes-or-no"),
                (2, "Type", "unknown-code"),
                (3, "Organisation", "required"),
                (3, "Locations", "required"),
                (4, "Locations", "unknown-location"),
            ]
        );
        let (h, rows) = table("Organisation,Colour\nA,red");
        let problems = rows_to_services(&h, &rows, |_| true).expect_err("unknown column");
        assert_eq!((problems[0].column.as_str(), problems[0].code), ("Colour", "unknown-column"));
    }
}
