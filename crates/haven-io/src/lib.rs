//! Tables from the files people keep: CSV (UTF-8, with or without a byte-order mark) and
//! XLSX (the first sheet). Pure: bytes in, rows out, every problem naming its line.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

/// A table: its header and its rows, each with the line (row) number people see in their
/// spreadsheet or editor (the header is line 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<(u64, Vec<String>)>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    #[error("{file}: the file is empty")]
    Empty { file: String },
    #[error("{file}: line {line}: the text is not UTF-8; save the file as CSV UTF-8")]
    Encoding { file: String, line: u64 },
    #[error("{file}: line {line}: {found} values where the header has {expected}")]
    Ragged { file: String, line: u64, expected: usize, found: usize },
    #[error("{file}: line 1: column {column} has no name")]
    UnnamedColumn { file: String, column: usize },
    #[error("{file}: line 1: the column {name} appears twice")]
    DuplicateColumn { file: String, name: String },
    #[error("{file}: not a readable CSV or XLSX file: {message}")]
    Unreadable { file: String, message: String },
}

/// Read a CSV or XLSX file (told apart by content, not name).
pub fn read_table(file: &str, bytes: &[u8]) -> Result<Table, TableError> {
    let table = if bytes.starts_with(b"PK\x03\x04") { read_xlsx(file, bytes)? } else { read_csv(file, bytes)? };
    check_headers(file, &table.headers)?;
    Ok(table)
}

fn check_headers(file: &str, headers: &[String]) -> Result<(), TableError> {
    for (i, h) in headers.iter().enumerate() {
        if h.trim().is_empty() {
            return Err(TableError::UnnamedColumn { file: file.to_owned(), column: i + 1 });
        }
        if headers[..i].iter().any(|other| other.trim().eq_ignore_ascii_case(h.trim())) {
            return Err(TableError::DuplicateColumn { file: file.to_owned(), name: h.trim().to_owned() });
        }
    }
    Ok(())
}

fn read_csv(file: &str, bytes: &[u8]) -> Result<Table, TableError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut records = reader.byte_records();
    let header = match records.next() {
        None => return Err(TableError::Empty { file: file.to_owned() }),
        Some(r) => r.map_err(|e| unreadable(file, &e))?,
    };
    let headers = utf8_fields(file, 1, &header)?;
    let mut rows = Vec::new();
    for record in records {
        let record = record.map_err(|e| unreadable(file, &e))?;
        // The line an editor shows: blank lines count, which the CSV reader's own count skips.
        let mut offset = record.position().map(|p| p.byte() as usize).unwrap_or(0).min(bytes.len());
        while offset < bytes.len() && matches!(bytes[offset], b'\n' | b'\r') {
            offset += 1;
        }
        let line = bytes[..offset].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        let fields = utf8_fields(file, line, &record)?;
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if fields.len() != headers.len() {
            return Err(TableError::Ragged {
                file: file.to_owned(),
                line,
                expected: headers.len(),
                found: fields.len(),
            });
        }
        rows.push((line, fields));
    }
    Ok(Table { headers, rows })
}

fn utf8_fields(file: &str, line: u64, record: &csv::ByteRecord) -> Result<Vec<String>, TableError> {
    record
        .iter()
        .map(|f| String::from_utf8(f.to_vec()).map_err(|_| TableError::Encoding { file: file.to_owned(), line }))
        .collect()
}

fn unreadable(file: &str, e: &impl std::fmt::Display) -> TableError {
    TableError::Unreadable { file: file.to_owned(), message: e.to_string() }
}

fn read_xlsx(file: &str, bytes: &[u8]) -> Result<Table, TableError> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| unreadable(file, &e))?;
    let range = match book.worksheet_range_at(0) {
        Some(r) => r.map_err(|e| unreadable(file, &e))?,
        None => return Err(TableError::Empty { file: file.to_owned() }),
    };
    let (top, _) = range.start().unwrap_or((0, 0));
    let mut lines = range.rows().enumerate();
    let Some((_, header)) = lines.next() else { return Err(TableError::Empty { file: file.to_owned() }) };
    let mut headers: Vec<String> = header.iter().map(cell_text).collect();
    while headers.last().is_some_and(|h| h.trim().is_empty()) {
        headers.pop();
    }
    let mut rows = Vec::new();
    for (i, row) in lines {
        let line = u64::from(top) + i as u64 + 1;
        let mut fields: Vec<String> = row.iter().map(cell_text).collect();
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if fields[headers.len().min(fields.len())..].iter().any(|f| !f.trim().is_empty()) {
            let found = fields.iter().rposition(|f| !f.trim().is_empty()).map(|p| p + 1).unwrap_or(0);
            return Err(TableError::Ragged { file: file.to_owned(), line, expected: headers.len(), found });
        }
        fields.resize(headers.len(), String::new());
        rows.push((line, fields));
    }
    Ok(Table { headers, rows })
}

/// An XLSX workbook of one sheet: a header row (bold, frozen) and text cells; right to left
/// when the reader's language is.
pub fn write_xlsx(
    sheet: &str,
    headers: &[String],
    rows: &[Vec<String>],
    right_to_left: bool,
) -> Result<Vec<u8>, String> {
    let mut out = XlsxRows::new(sheet, headers, right_to_left)?;
    for row in rows {
        out.push(row)?;
    }
    out.finish()
}

/// [`write_xlsx`] a row at a time, for tables too large to hold: the sheet is written in
/// rust_xlsxwriter's constant-memory mode, each row going to a temporary file as it comes, so
/// memory holds one row at a time until the compressed file is assembled.
pub struct XlsxRows {
    book: rust_xlsxwriter::Workbook,
    next_row: u32,
}

impl XlsxRows {
    pub fn new(sheet: &str, headers: &[String], right_to_left: bool) -> Result<XlsxRows, String> {
        use rust_xlsxwriter::{Format, Workbook};
        let mut book = Workbook::new();
        let ws = book.add_worksheet_with_constant_memory().map_err(|e| e.to_string())?;
        ws.set_name(sheet).map_err(|e| e.to_string())?;
        ws.set_right_to_left(right_to_left);
        ws.set_freeze_panes(1, 0).map_err(|e| e.to_string())?;
        let bold = Format::new().set_bold();
        for (c, h) in headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold).map_err(|e| e.to_string())?;
        }
        Ok(XlsxRows { book, next_row: 1 })
    }

    /// Append one row of text cells.
    pub fn push(&mut self, row: &[String]) -> Result<(), String> {
        let ws = self.book.worksheet_from_index(0).map_err(|e| e.to_string())?;
        for (c, value) in row.iter().enumerate() {
            ws.write_string(self.next_row, c as u16, value).map_err(|e| e.to_string())?;
        }
        self.next_row += 1;
        Ok(())
    }

    /// The finished file.
    pub fn finish(mut self) -> Result<Vec<u8>, String> {
        self.book.save_to_buffer().map_err(|e| e.to_string())
    }
}

/// A cell as text: dates in ISO 8601, whole numbers without a decimal point.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => {
            let (y, mo, da, h, mi, s, _) = d.to_ymd_hms_milli();
            if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{da:02}")
            } else {
                format!("{y:04}-{mo:02}-{da:02}T{h:02}:{mi:02}:{s:02}")
            }
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_a_bom_and_blank_lines() {
        let t = read_table("log.csv", "\u{feff}text,channel\nالماء مقطوع,hotline\n\n\"two, lines\",sms\n".as_bytes())
            .expect("reads");
        assert_eq!(t.headers, ["text", "channel"]);
        assert_eq!(
            t.rows,
            vec![
                (2, vec!["الماء مقطوع".to_owned(), "hotline".to_owned()]),
                (4, vec!["two, lines".to_owned(), "sms".to_owned()])
            ]
        );
    }

    #[test]
    fn xlsx_round_trip_with_arabic_and_a_ragged_row_refused() {
        let headers = vec!["text".to_owned(), "channel".to_owned()];
        let rows = vec![vec!["الماء مقطوع".to_owned(), "hotline".to_owned()], vec!["ok".to_owned(), "sms".to_owned()]];
        let bytes = write_xlsx("log", &headers, &rows, true).expect("writes");
        let t = read_table("log.xlsx", &bytes).expect("reads");
        assert_eq!(t.headers, headers);
        assert_eq!(t.rows, vec![(2, rows[0].clone()), (3, rows[1].clone())]);
        let wider =
            write_xlsx("log", &headers, &[vec!["a".into(), "b".into(), "extra".into()]], false).expect("writes");
        assert_eq!(
            read_table("log.xlsx", &wider).expect_err("ragged").to_string(),
            "log.xlsx: line 2: 3 values where the header has 2"
        );
    }

    #[test]
    fn problems_name_the_file_and_line() {
        let e = read_table("log.csv", b"text,channel\na,b\nc\n").expect_err("ragged");
        assert_eq!(e.to_string(), "log.csv: line 3: 1 values where the header has 2");
        let e = read_table("log.csv", b"text,channel\n\xff\xfe,b\n").expect_err("latin-1");
        assert_eq!(e.to_string(), "log.csv: line 2: the text is not UTF-8; save the file as CSV UTF-8");
        let e = read_table("log.csv", b"text,,channel\n").expect_err("unnamed");
        assert_eq!(e.to_string(), "log.csv: line 1: column 2 has no name");
        let e = read_table("log.csv", b"Text,text\n").expect_err("twice");
        assert_eq!(e.to_string(), "log.csv: line 1: the column text appears twice");
        assert_eq!(read_table("log.csv", b"").expect_err("empty").to_string(), "log.csv: the file is empty");
        let e = read_table("log.xlsx", b"PK\x03\x04 not really a zip").expect_err("broken");
        assert!(e.to_string().starts_with("log.xlsx: not a readable CSV or XLSX file"));
    }
}
