//! Import of existing feedback logs (CSV or XLSX): every row checked, all problems reported
//! with line and column, and the whole file stored in one transaction or not at all.

use haven_core::feedback::{Lexicon, rows_to_submissions};
use haven_store::Store;
use haven_store::feedback::{self as store, NewFeedback, RecordError};
use haven_store::identity::Actor;

use super::{category_targets, screen, service_levels};
use crate::error::WebError;

/// What an import stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub imported: usize,
    /// Of which sealed (declared sensitive, an allegation category, or a keyword hit).
    pub sealed: usize,
}

/// Import one file. `file` names it in messages.
pub async fn import_file(
    store: &Store,
    lexicon: &Lexicon,
    actor: &Actor,
    file: &str,
    bytes: &[u8],
) -> Result<ImportReport, WebError> {
    let table = haven_io::read_table(file, bytes).map_err(table_problem)?;
    let now = haven_store::now_utc();
    let mut rows = rows_to_submissions(&table.headers, &table.rows, now)
        .map_err(|ps| WebError::InvalidRows(ps.into_iter().map(|p| (p.line, p.column, p.code)).collect()))?;
    // What only the database knows: typology codes and locations.
    let column = |field: &str| {
        table.headers.iter().find(|h| h.trim().eq_ignore_ascii_case(field)).cloned().unwrap_or_else(|| field.to_owned())
    };
    let mut problems = Vec::new();
    for row in &mut rows {
        if let Some(code) = row.submission.category.clone() {
            match store::category(store, &code).await? {
                None => problems.push((row.line, column("category"), "unknown-code")),
                Some(implied) => row.submission.sensitive_type = row.submission.sensitive_type.or(implied),
            }
        }
        if let Some(code) = &row.submission.location
            && !store::location_exists(store, code).await?
        {
            problems.push((row.line, column("location"), "unknown-location"));
        }
    }
    if !problems.is_empty() {
        return Err(WebError::InvalidRows(problems));
    }
    let (levels, targets) = (service_levels(store).await?, category_targets(store).await?);
    // A log is imported by a user: its items are their organisation's, as when they type them.
    let agency_id = match actor.id {
        Some(user) => store::recording_agency(store, user).await?,
        None => None,
    };
    let screened: Vec<_> = rows.iter().map(|r| screen(lexicon, &r.submission)).collect();
    let items = rows
        .iter()
        .zip(&screened)
        .map(|(r, (sensitive_type, seal))| NewFeedback {
            submission: r.submission.clone(),
            sensitive_type: *sensitive_type,
            seal: *seal,
            channel_message_id: None,
            received_at: r.received_at.unwrap_or(now),
            recorded_by: Some(actor.clone()),
            agency_id,
            levels: levels.for_category(&targets, r.submission.category.as_deref()),
            notice: None,
        })
        .collect();
    let recorded = store::record_all(store, items).await.map_err(|e| match e {
        RecordError::UnknownLocation(_) => WebError::Invalid(vec![("location", "unknown-location")]),
        RecordError::SealingUnavailable => WebError::Unavailable("feedback-not-set-up"),
        RecordError::Store(e) => e.into(),
    })?;
    Ok(ImportReport { imported: recorded.len(), sealed: recorded.iter().filter(|r| r.sealed).count() })
}

/// A file that is not a readable table, as a located problem where it has a location.
pub(crate) fn table_problem(e: haven_io::TableError) -> WebError {
    use haven_io::TableError as T;
    let one = |line, column: String, code| WebError::InvalidRows(vec![(line, column, code)]);
    match e {
        T::Empty { .. } => one(1, String::new(), "empty-file"),
        T::Encoding { line, .. } => one(line, String::new(), "not-utf8"),
        T::Ragged { line, .. } => one(line, String::new(), "ragged-row"),
        T::UnnamedColumn { column, .. } => one(1, column.to_string(), "unnamed-column"),
        T::DuplicateColumn { name, .. } => one(1, name, "duplicate-column"),
        T::Unreadable { .. } => WebError::InvalidFile(e.to_string()),
    }
}
