use std::collections::BTreeMap;

use crate::catalog::Localized;

/// One administrative unit read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedLocation {
    pub pcode: String,
    pub level: u8,
    pub parent: Option<String>,
    pub name: Localized,
}

/// A problem in the file, with the 1-based line and the column it concerns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column '{column}': {message}")]
pub struct LocationProblem {
    pub line: usize,
    pub column: String,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Code(u8),
    Name(u8, &'static str),
    LongCode,
    LongName(&'static str),
    LongLevel,
    LongParent,
}

const MAX_LEVEL: u8 = 5;

/// Read every unit of a CSV file; all-or-nothing: any problem rejects the file with the list.
pub fn parse_locations(bytes: &[u8]) -> Result<Vec<ImportedLocation>, Vec<LocationProblem>> {
    let text = String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)).into_owned();
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut rows: Vec<(usize, Vec<String>)> = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        match rec {
            Ok(r) => rows.push((i + 1, r.iter().map(|s| s.trim().to_owned()).collect())),
            Err(e) => {
                return Err(vec![problem(i + 1, "", &format!("not readable as CSV: {e}"))]);
            }
        }
    }
    let Some((_, header)) = rows.first().cloned() else {
        return Err(vec![problem(1, "", "the file is empty")]);
    };
    let hxl = rows.get(1).is_some_and(|(_, r)| r.iter().any(|c| c.starts_with('#')));
    let roles: Vec<Option<Role>> = if hxl {
        rows[1].1.iter().map(|t| hxl_role(t)).collect()
    } else {
        header.iter().map(|h| header_role(h)).collect()
    };
    let data_start = if hxl { 2 } else { 1 };
    let long = roles.contains(&Some(Role::LongCode));
    if !long && !roles.iter().any(|r| matches!(r, Some(Role::Code(_)))) {
        return Err(vec![problem(1, "", "no P-code column found (e.g. admin1Pcode, ADM1_PCODE, #adm1+code or pcode)")]);
    }
    let mut units: BTreeMap<String, (usize, ImportedLocation)> = BTreeMap::new();
    let mut problems = Vec::new();
    for (line, row) in rows.iter().skip(data_start) {
        if row.iter().all(|c| c.is_empty()) {
            continue;
        }
        let found = if long { long_row(*line, row, &roles, &header) } else { wide_row(*line, row, &roles, &header) };
        match found {
            Ok(list) => {
                for loc in list {
                    merge(&mut units, *line, loc, &mut problems);
                }
            }
            Err(p) => problems.push(p),
        }
    }
    check_parents(&units, &mut problems);
    if problems.is_empty() {
        let mut out: Vec<ImportedLocation> = units.into_values().map(|(_, l)| l).collect();
        out.sort_by(|a, b| (a.level, &a.pcode).cmp(&(b.level, &b.pcode)));
        Ok(out)
    } else {
        Err(problems)
    }
}

fn problem(line: usize, column: &str, message: &str) -> LocationProblem {
    LocationProblem { line, column: column.to_owned(), message: message.to_owned() }
}

fn language_suffix(s: &str) -> Option<&'static str> {
    let s = s.to_ascii_lowercase();
    ["en", "fr", "ar", "es"].into_iter().find(|l| s.ends_with(&format!("_{l}")) || s.ends_with(&format!("+i_{l}")))
}

/// Recognise OCHA-style column names (case- and separator-insensitive).
fn header_role(h: &str) -> Option<Role> {
    let lower = h.to_ascii_lowercase();
    let compact: String = lower.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    match compact.as_str() {
        "pcode" | "code" => return Some(Role::LongCode),
        "name" => return Some(Role::LongName("en")),
        "level" | "admlevel" | "adminlevel" => return Some(Role::LongLevel),
        "parentpcode" | "parent" | "parentcode" => return Some(Role::LongParent),
        "nameen" => return Some(Role::LongName("en")),
        "namefr" => return Some(Role::LongName("fr")),
        "namear" => return Some(Role::LongName("ar")),
        "namees" => return Some(Role::LongName("es")),
        _ => {}
    }
    let rest = compact.strip_prefix("admin").or_else(|| compact.strip_prefix("adm"))?;
    let level = rest.chars().next()?.to_digit(10)? as u8;
    if level > MAX_LEVEL {
        return None;
    }
    let tail = &rest[1..];
    if tail == "pcode" || tail == "code" {
        return Some(Role::Code(level));
    }
    if tail.starts_with("name") || ["en", "fr", "ar", "es"].contains(&tail) {
        return Some(Role::Name(level, language_suffix(&lower).unwrap_or("en")));
    }
    None
}

/// Recognise HXL hashtags: `#adm1+code`, `#adm1+name+i_fr`, `#country+code`.
fn hxl_role(tag: &str) -> Option<Role> {
    let lower = tag.to_ascii_lowercase();
    let mut parts = lower.trim().trim_start_matches('#').split('+');
    let head = parts.next()?;
    let attrs: Vec<&str> = parts.collect();
    let level = if head == "country" { 0 } else { head.strip_prefix("adm")?.parse::<u8>().ok()? };
    if level > MAX_LEVEL {
        return None;
    }
    if attrs.contains(&"code") {
        return Some(Role::Code(level));
    }
    if attrs.contains(&"name") {
        return Some(Role::Name(level, language_suffix(&lower).unwrap_or("en")));
    }
    None
}

fn wide_row(
    line: usize,
    row: &[String],
    roles: &[Option<Role>],
    header: &[String],
) -> Result<Vec<ImportedLocation>, LocationProblem> {
    let mut by_level: BTreeMap<u8, ImportedLocation> = BTreeMap::new();
    for (i, role) in roles.iter().enumerate() {
        let value = row.get(i).map(String::as_str).unwrap_or("");
        match role {
            Some(Role::Code(level)) if !value.is_empty() => {
                check_pcode(line, &header[i], value)?;
                by_level.entry(*level).or_insert_with(|| blank(*level)).pcode = value.to_owned();
            }
            Some(Role::Name(level, lang)) if !value.is_empty() => {
                by_level
                    .entry(*level)
                    .or_insert_with(|| blank(*level))
                    .name
                    .0
                    .insert((*lang).to_owned(), value.to_owned());
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    let mut parent: Option<String> = None;
    for (level, mut loc) in by_level {
        if loc.pcode.is_empty() {
            return Err(problem(line, &format!("admin{level} P-code"), "a name is given without its P-code"));
        }
        if loc.name.0.is_empty() {
            loc.name.0.insert("en".into(), loc.pcode.clone());
        }
        loc.parent = parent.clone();
        parent = Some(loc.pcode.clone());
        out.push(loc);
    }
    Ok(out)
}

fn long_row(
    line: usize,
    row: &[String],
    roles: &[Option<Role>],
    header: &[String],
) -> Result<Vec<ImportedLocation>, LocationProblem> {
    let mut loc = blank(0);
    let mut level_seen = false;
    for (i, role) in roles.iter().enumerate() {
        let value = row.get(i).map(String::as_str).unwrap_or("");
        match role {
            Some(Role::LongCode) => {
                if value.is_empty() {
                    return Err(problem(line, &header[i], "the P-code is empty"));
                }
                check_pcode(line, &header[i], value)?;
                loc.pcode = value.to_owned();
            }
            Some(Role::LongName(lang)) if !value.is_empty() => {
                loc.name.0.insert((*lang).to_owned(), value.to_owned());
            }
            Some(Role::LongLevel) => {
                loc.level = value
                    .parse::<u8>()
                    .ok()
                    .filter(|l| *l <= MAX_LEVEL)
                    .ok_or_else(|| problem(line, &header[i], "the level is a whole number from 0 to 5"))?;
                level_seen = true;
            }
            Some(Role::LongParent) if !value.is_empty() => {
                check_pcode(line, &header[i], value)?;
                loc.parent = Some(value.to_owned());
            }
            _ => {}
        }
    }
    if !level_seen {
        return Err(problem(line, "level", "the level is missing"));
    }
    if loc.name.0.is_empty() {
        return Err(problem(line, "name", "the name is missing"));
    }
    Ok(vec![loc])
}

fn blank(level: u8) -> ImportedLocation {
    ImportedLocation { pcode: String::new(), level, parent: None, name: Localized::default() }
}

fn check_pcode(line: usize, column: &str, code: &str) -> Result<(), LocationProblem> {
    let ok = code.len() <= 32 && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok { Ok(()) } else { Err(problem(line, column, "a P-code uses only letters, digits, '-' and '_' (at most 32)")) }
}

fn merge(
    units: &mut BTreeMap<String, (usize, ImportedLocation)>,
    line: usize,
    loc: ImportedLocation,
    problems: &mut Vec<LocationProblem>,
) {
    match units.get_mut(&loc.pcode) {
        None => {
            units.insert(loc.pcode.clone(), (line, loc));
        }
        Some((first_line, known)) => {
            if known.parent != loc.parent || known.level != loc.level {
                problems.push(problem(
                    line,
                    &loc.pcode,
                    &format!("this P-code was placed differently on line {first_line}"),
                ));
            } else {
                for (lang, name) in loc.name.0 {
                    known.name.0.entry(lang).or_insert(name);
                }
            }
        }
    }
}

fn check_parents(units: &BTreeMap<String, (usize, ImportedLocation)>, problems: &mut Vec<LocationProblem>) {
    for (line, loc) in units.values() {
        if let Some(parent) = &loc.parent {
            match units.get(parent) {
                None => {
                    problems.push(problem(*line, "parent", &format!("the parent P-code {parent} is not in the file")))
                }
                Some((_, p)) if p.level >= loc.level => {
                    problems.push(problem(*line, "level", "a unit's level must be below its parent's"))
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_ocha_wide_file_with_hxl_tags() {
        let csv = "admin0Name_en,admin0Pcode,admin1Name_en,admin1Name_fr,admin1Pcode,admin2Name_en,admin2Pcode\n\
                   #country+name,#country+code,#adm1+name+i_en,#adm1+name+i_fr,#adm1+code,#adm2+name+i_en,#adm2+code\n\
                   Xyland,XY,North,Nord,XY01,Riverside,XY0101\n\
                   Xyland,XY,North,Nord,XY01,Hilltop,XY0102\n";
        let locs = parse_locations(csv.as_bytes()).unwrap();
        assert_eq!(locs.len(), 4);
        assert_eq!(locs[0].pcode, "XY");
        let north = locs.iter().find(|l| l.pcode == "XY01").unwrap();
        assert_eq!(north.name.get("fr"), "Nord");
        assert_eq!(north.parent.as_deref(), Some("XY"));
        assert_eq!(locs.iter().find(|l| l.pcode == "XY0102").unwrap().level, 2);
    }

    #[test]
    fn reads_plain_ocha_headers_without_hxl() {
        let csv = "ADM1_EN,ADM1_PCODE,ADM2_EN,ADM2_AR,ADM2_PCODE\nNorth,XY01,Riverside,ضفة النهر,XY0101\n";
        let locs = parse_locations(csv.as_bytes()).unwrap();
        assert_eq!(locs.len(), 2);
        assert_eq!(locs[1].name.get("ar"), "ضفة النهر");
    }

    #[test]
    fn reads_the_long_layout() {
        let csv = "pcode,name,name_fr,level,parent_pcode\nXY,Xyland,,0,\nXY01,North,Nord,1,XY\n";
        let locs = parse_locations(csv.as_bytes()).unwrap();
        assert_eq!(locs[1].parent.as_deref(), Some("XY"));
    }

    #[test]
    fn problems_name_the_line_and_column() {
        let csv = "pcode,name,level,parent_pcode\nXY,Xyland,0,\nXY01,North,one,XY\nXY02,South,1,ZZ\n";
        let problems = parse_locations(csv.as_bytes()).unwrap_err();
        assert_eq!(
            problems[0],
            LocationProblem {
                line: 3,
                column: "level".into(),
                message: "the level is a whole number from 0 to 5".into()
            }
        );
        assert!(problems.iter().any(|p| p.line == 4 && p.message.contains("ZZ")));
    }

    #[test]
    fn conflicting_placement_is_an_error() {
        let csv = "admin1Pcode,admin2Pcode\nXY01,XY0101\nXY02,XY0101\n";
        let problems = parse_locations(csv.as_bytes()).unwrap_err();
        assert!(problems.iter().any(|p| p.line == 3 && p.message.contains("line 2")));
    }
}
