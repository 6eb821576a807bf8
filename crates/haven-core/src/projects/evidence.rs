//! Evidence files attached to checklist answers: which files are accepted and under what name.
//! The store encrypts them; here are the rules a file must meet before it is kept.

use crate::input::{FieldProblem, Problems};

/// The largest evidence file kept (a scanned report, a site plan, a photo of a notice board).
pub const MAX_EVIDENCE_BYTES: usize = 10 * 1024 * 1024;

/// The kinds of document evidence comes as, by media type and the extensions that name them.
/// Anything else (executables, HTML, scripts) is refused: these files are opened by other
/// staff on office machines.
const ACCEPTED: [(&str, &[&str]); 12] = [
    ("application/pdf", &["pdf"]),
    ("image/png", &["png"]),
    ("image/jpeg", &["jpg", "jpeg"]),
    ("image/webp", &["webp"]),
    ("text/plain", &["txt"]),
    ("text/csv", &["csv"]),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", &["docx"]),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", &["xlsx"]),
    ("application/vnd.openxmlformats-officedocument.presentationml.presentation", &["pptx"]),
    ("application/vnd.oasis.opendocument.text", &["odt"]),
    ("application/vnd.oasis.opendocument.spreadsheet", &["ods"]),
    ("application/zip", &["zip"]),
];

/// An upload as it arrived.
#[derive(Debug, Clone)]
pub struct RawEvidence<'a> {
    pub file_name: Option<&'a str>,
    pub content: &'a [u8],
}

/// An upload that may be kept: a clean name and the media type its extension and content
/// agree on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceFile {
    pub file_name: String,
    pub media_type: &'static str,
}

/// Check an upload. The media type comes from the file name's extension, and the content's
/// first bytes must agree for the formats that announce themselves (a renamed executable is
/// not a PDF).
pub fn accept_evidence(raw: &RawEvidence<'_>) -> Result<EvidenceFile, Vec<FieldProblem>> {
    let mut problems = Problems::default();
    let file_name = raw.file_name.map(clean_file_name).unwrap_or_default();
    if file_name.is_empty() {
        problems.add("file", "required");
        return problems.or(EvidenceFile { file_name, media_type: "" });
    }
    if raw.content.is_empty() {
        problems.add("file", "empty-file");
    } else if raw.content.len() > MAX_EVIDENCE_BYTES {
        problems.add("file", "file-too-large");
    }
    let media_type = media_type_of(&file_name);
    match media_type {
        None => problems.add("file", "file-type-not-accepted"),
        Some(m) if !raw.content.is_empty() && !content_agrees(m, raw.content) => {
            problems.add("file", "file-content-mismatch")
        }
        Some(_) => {}
    }
    problems.or(EvidenceFile { file_name, media_type: media_type.unwrap_or_default() })
}

/// The media type named by the file's extension, when it is one Haven accepts.
pub fn media_type_of(file_name: &str) -> Option<&'static str> {
    let extension = file_name.rsplit_once('.')?.1.to_ascii_lowercase();
    ACCEPTED.iter().find(|(_, extensions)| extensions.contains(&extension.as_str())).map(|(m, _)| *m)
}

/// Whether the first bytes fit the media type, for formats with a signature.
fn content_agrees(media_type: &str, content: &[u8]) -> bool {
    let zip = content.starts_with(b"PK\x03\x04");
    match media_type {
        "application/pdf" => content.starts_with(b"%PDF-"),
        "image/png" => content.starts_with(b"\x89PNG\r\n\x1a\n"),
        "image/jpeg" => content.starts_with(&[0xFF, 0xD8, 0xFF]),
        "image/webp" => content.len() >= 12 && content.starts_with(b"RIFF") && &content[8..12] == b"WEBP",
        "text/plain" | "text/csv" => std::str::from_utf8(content).is_ok() && !content.contains(&0),
        _ => zip,
    }
}

/// The last path component, without control characters, at most 200 characters: a name
/// shown on pages and offered back on download, never a path.
fn clean_file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last.chars().filter(|c| !c.is_control() && *c != '"').collect();
    let trimmed = cleaned.trim().trim_start_matches('.');
    // Keep the tail when shortening: the extension is what identifies the type.
    let count = trimmed.chars().count();
    trimmed.chars().skip(count.saturating_sub(200)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(name: &str, content: &[u8]) -> Result<EvidenceFile, Vec<&'static str>> {
        accept_evidence(&RawEvidence { file_name: Some(name), content })
            .map_err(|p| p.into_iter().map(|p| p.code).collect())
    }

    #[test]
    fn accepts_documents_whose_content_matches_their_name() {
        let pdf = check("Site plan.PDF", b"%PDF-1.7\n...").unwrap();
        assert_eq!(pdf, EvidenceFile { file_name: "Site plan.PDF".into(), media_type: "application/pdf" });
        assert_eq!(
            check("minutes.docx", b"PK\x03\x04rest").unwrap().media_type.split('.').next_back(),
            Some("document")
        );
        assert_eq!(check("notes.txt", "réunion du comité".as_bytes()).unwrap().media_type, "text/plain");
    }

    #[test]
    fn refuses_other_types_renamed_files_and_empty_or_huge_files() {
        assert_eq!(check("tool.exe", b"MZ\x90\x00"), Err(vec!["file-type-not-accepted"]));
        assert_eq!(check("page.html", b"<script>"), Err(vec!["file-type-not-accepted"]));
        assert_eq!(check("report.pdf", b"MZ\x90\x00"), Err(vec!["file-content-mismatch"]));
        assert_eq!(check("notes.txt", b"\x00\x01"), Err(vec!["file-content-mismatch"]));
        assert_eq!(check("report.pdf", b""), Err(vec!["empty-file"]));
        let huge = vec![b'a'; MAX_EVIDENCE_BYTES + 1];
        assert_eq!(check("big.txt", &huge), Err(vec!["file-too-large"]));
        assert_eq!(accept_evidence(&RawEvidence { file_name: None, content: b"x" }).unwrap_err()[0].code, "required");
    }

    #[test]
    fn names_lose_their_path_and_control_characters_but_keep_their_extension() {
        assert_eq!(clean_file_name("C:\\Users\\amina\\plan.pdf"), "plan.pdf");
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("a\u{0007}b\".pdf"), "ab.pdf");
        assert_eq!(clean_file_name(".hidden.txt"), "hidden.txt");
        let long = format!("{}.pdf", "x".repeat(300));
        let cleaned = clean_file_name(&long);
        assert_eq!(cleaned.chars().count(), 200);
        assert!(cleaned.ends_with(".pdf"));
    }
}
