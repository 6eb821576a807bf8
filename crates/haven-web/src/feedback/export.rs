//! Exports of records: HXL-tagged CSV (for HDX and libhxl tools) and XLSX, with only what the
//! caller may see: never sealed content, contact details only for roles that handle them.

use axum::extract::{Extension, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::sight_of;
use crate::AppState;
use crate::authz::Granted;
use crate::error::{ErrorBody, WebError};
use crate::i18n::Lang;
use crate::identity::Identity;

/// The columns: header (translated key), HXL hashtag, whether it holds contact details.
const COLUMNS: [(&str, &str, bool); 19] = [
    ("feedback-reference", "#meta+id", false),
    ("feedback-received", "#date+reported", false),
    ("feedback-channel", "#x_channel", false),
    ("feedback-category", "#x_category", false),
    ("feedback-seal", "#x_sealed", false),
    ("feedback-criticality", "#severity", false),
    ("feedback-status", "#status", false),
    ("feedback-location", "#loc+code", false),
    ("feedback-sex", "#x_sex", false),
    ("feedback-age", "#x_age_bracket", false),
    ("feedback-disability", "#x_disability", false),
    ("feedback-language", "#x_language", false),
    ("feedback-respond-by", "#date+due", false),
    ("feedback-project", "#activity+code", false),
    ("feedback-sector", "#sector+code", false),
    ("feedback-principle", "#x_principle", false),
    ("feedback-text", "#description", false),
    ("feedback-contact-name", "#contact+name", true),
    ("feedback-contact-phone", "#contact+phone", true),
];

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ExportParams {
    /// hxl-csv or xlsx
    pub format: String,
}

/// Fluent wraps placeables in direction marks; a file wants the plain text.
fn plain(text: String) -> String {
    text.replace(['\u{2068}', '\u{2069}'], "")
}

/// How many exported items may wait between the database and the file being written.
const ROWS_IN_FLIGHT: usize = 256;

/// The records the caller may see, as HXL-tagged CSV or XLSX (headers in the caller's
/// language, HXL hashtags in the second row). Rows are read from the database one at a time:
/// the CSV is streamed to the client as they come; the XLSX sheet is written a row at a time
/// (constant-memory mode) and sent once assembled.
#[utoipa::path(get, path = "/api/v1/feedback/export", tag = "feedback", params(ExportParams),
    responses(
        (status = 200, description = "The file", content_type = "text/csv"),
        (status = 422, description = "Unknown format", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn export(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    granted: Granted,
    Query(q): Query<ExportParams>,
) -> Result<Response, WebError> {
    if !matches!(q.format.as_str(), "hxl-csv" | "xlsx") {
        return Err(WebError::Invalid(vec![("format", "unknown-code")]));
    }
    let sight = sight_of(&me);
    let export = haven_store::feedback::export(&state.store, &granted.0, &me.actor(), sight.sealed).await?;
    let columns: Vec<&(&str, &str, bool)> = COLUMNS.iter().filter(|c| sight.contact || !c.2).collect();
    let headers: Vec<String> = columns.iter().map(|c| plain(l.t(c.0))).collect();
    let tags: Vec<String> = columns.iter().map(|c| c.1.to_owned()).collect();
    let (sink, items) = tokio::sync::mpsc::channel(ROWS_IN_FLIGHT);
    let store = state.store.clone();
    let producer = tokio::spawn(async move { export.send_each(&store, sink).await });
    let feed = Feed { items, producer: Some(producer), tags: tags.clone() };
    if q.format == "xlsx" {
        let bytes = feed.into_xlsx(headers, l.dir() == "rtl").await?;
        return Ok(file_response("feedback", "xlsx", bytes));
    }
    let head = csv_lines(&[headers, tags])?;
    let rest = futures_util::stream::unfold(feed, Feed::next_chunk);
    let body = futures_util::StreamExt::chain(futures_util::stream::iter([Ok::<_, std::io::Error>(head)]), rest);
    Ok(file_response("feedback", "csv", axum::body::Body::from_stream(body)))
}

/// The exported items as they come from the database, and the task reading them.
struct Feed {
    items: tokio::sync::mpsc::Receiver<haven_store::feedback::ExportItem>,
    producer: Option<tokio::task::JoinHandle<Result<u64, haven_store::StoreError>>>,
    tags: Vec<String>,
}

impl Feed {
    /// The CSV lines of the items waiting (at least one), or, once the reader has finished, the
    /// end; or an error, which cuts the response short so the client sees an incomplete file.
    async fn next_chunk(mut self) -> Option<(Result<axum::body::Bytes, std::io::Error>, Feed)> {
        let mut rows = Vec::new();
        match self.items.recv().await {
            Some(item) => rows.push(export_row(&self.tags, &item)),
            None => {
                let outcome = self.finished().await?;
                return outcome.err().map(|e| (Err(std::io::Error::other(e.to_string())), self));
            }
        }
        while rows.len() < ROWS_IN_FLIGHT {
            match self.items.try_recv() {
                Ok(item) => rows.push(export_row(&self.tags, &item)),
                Err(_) => break,
            }
        }
        let chunk = csv_lines(&rows).map_err(|e| std::io::Error::other(e.to_string()));
        Some((chunk, self))
    }

    /// How the reading task ended, once (`None` after that).
    async fn finished(&mut self) -> Option<Result<u64, WebError>> {
        let producer = self.producer.take()?;
        let outcome = match producer.await {
            Ok(Ok(n)) => Ok(n),
            Ok(Err(e)) => Err(WebError::from(e)),
            Err(e) => Err(WebError::Internal(e.to_string())),
        };
        if let Err(e) = &outcome {
            tracing::error!(error = %e, "a feedback export failed part way");
        }
        Some(outcome)
    }

    /// Write the items into an XLSX sheet a row at a time, on a blocking thread.
    async fn into_xlsx(mut self, headers: Vec<String>, right_to_left: bool) -> Result<Vec<u8>, WebError> {
        let mut items = std::mem::replace(&mut self.items, tokio::sync::mpsc::channel(1).1);
        let tags = self.tags.clone();
        let writer = tokio::task::spawn_blocking(move || {
            let mut sheet = haven_io::XlsxRows::new("feedback", &headers, right_to_left)?;
            sheet.push(&tags)?;
            while let Some(item) = items.blocking_recv() {
                sheet.push(&export_row(&tags, &item))?;
            }
            sheet.finish()
        });
        let bytes = writer.await.map_err(|e| WebError::Internal(e.to_string()))?.map_err(WebError::Internal)?;
        self.finished().await.unwrap_or(Ok(0))?;
        Ok(bytes)
    }
}

/// One item as a row of the export: the value of each column, by its HXL hashtag.
fn export_row(tags: &[String], item: &haven_store::feedback::ExportItem) -> Vec<String> {
    let rfc3339 =
        |t: time::OffsetDateTime| t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    let r = &item.row;
    let value = |tag: &str| -> String {
        match tag {
            "#meta+id" => r.reference.clone(),
            "#date+reported" => rfc3339(r.received_at),
            "#x_channel" => r.channel.clone(),
            "#x_category" => r.category.clone().unwrap_or_default(),
            "#x_sealed" => if r.seal().is_sealed() { "yes" } else { "no" }.to_owned(),
            "#severity" => r.criticality.clone(),
            "#status" => r.status.clone(),
            "#loc+code" => r.location_pcode.clone().unwrap_or_default(),
            "#x_sex" => r.sex.clone().unwrap_or_default(),
            "#x_age_bracket" => r.age_bracket.clone().unwrap_or_default(),
            "#x_disability" => r.disability.map(|d| if d { "yes" } else { "no" }.to_owned()).unwrap_or_default(),
            "#x_language" => r.language.clone().unwrap_or_default(),
            "#date+due" => rfc3339(r.respond_by),
            "#activity+code" => item.project_code.clone().unwrap_or_default(),
            "#sector+code" => r.sector.clone().unwrap_or_default(),
            "#x_principle" => r.principle.clone().unwrap_or_default(),
            "#description" => item.narrative.clone().unwrap_or_default(),
            "#contact+name" => item.contact_name.clone().unwrap_or_default(),
            "#contact+phone" => item.contact_phone.clone().unwrap_or_default(),
            _ => String::new(),
        }
    };
    tags.iter().map(|t| value(t)).collect()
}

/// Rows as CSV lines.
fn csv_lines(rows: &[Vec<String>]) -> Result<axum::body::Bytes, WebError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    for row in rows {
        out.write_record(row).map_err(|e| WebError::Internal(e.to_string()))?;
    }
    Ok(out.into_inner().map_err(|e| WebError::Internal(e.to_string()))?.into())
}

/// A file download named `<name>-<date>.<extension>`.
fn file_response(name: &str, extension: &str, body: impl Into<axum::body::Body>) -> Response {
    let stamp = haven_store::now_utc().date();
    let content_type = if extension == "xlsx" {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    } else {
        "text/csv; charset=utf-8"
    };
    let disposition = format!("attachment; filename=\"{name}-{stamp}.{extension}\"");
    ([(header::CONTENT_TYPE, content_type.to_owned()), (header::CONTENT_DISPOSITION, disposition)], body.into())
        .into_response()
}

/// A table as an HXL-tagged CSV or an XLSX file (headers, then the HXL row, then the rows),
/// named `<name>-<date>`.
pub fn table_file(
    l: Lang,
    name: &str,
    format: &str,
    headers: &[String],
    tags: &[String],
    rows: Vec<Vec<String>>,
) -> Result<Response, WebError> {
    let mut all = vec![tags.to_vec()];
    all.extend(rows);
    if format == "xlsx" {
        let bytes = haven_io::write_xlsx(name, headers, &all, l.dir() == "rtl").map_err(WebError::Internal)?;
        return Ok(file_response(name, "xlsx", bytes));
    }
    all.insert(0, headers.to_vec());
    Ok(file_response(name, "csv", csv_lines(&all)?))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct AggregateParams {
    /// month, channel, category, feedback_type, location, sex, age_bracket, disability or sector
    pub by: String,
    pub from: Option<String>,
    pub to: Option<String>,
    /// hxl-csv or xlsx
    pub format: String,
}

/// The column header (translation key) and HXL hashtag of a breakdown's values.
fn breakdown_column(by: &str) -> (&'static str, &'static str) {
    match by {
        "month" => ("feedback-month", "#date+month"),
        "location" => ("feedback-location", "#loc+code"),
        "channel" => ("feedback-channel", "#x_channel"),
        "category" => ("feedback-category", "#x_category"),
        "feedback_type" => ("feedback-type", "#x_feedback_type"),
        "sex" => ("feedback-sex", "#x_sex"),
        "age_bracket" => ("feedback-age", "#x_age_bracket"),
        "sector" => ("feedback-sector", "#sector+code"),
        _ => ("feedback-disability", "#x_disability"),
    }
}

/// Counts of items received by one breakdown, as the dashboard shows them to the caller:
/// outside protection roles a suppressed cell is left empty and flagged, and so is the total
/// when it would give a suppressed cell away.
#[utoipa::path(get, path = "/api/v1/feedback/stats/export", tag = "feedback", params(AggregateParams),
    responses(
        (status = 200, description = "The file", content_type = "text/csv"),
        (status = 422, description = "Unknown breakdown, month or format", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn export_aggregates(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    granted: Granted,
    Query(q): Query<AggregateParams>,
) -> Result<Response, WebError> {
    if !matches!(q.format.as_str(), "hxl-csv" | "xlsx") {
        return Err(WebError::Invalid(vec![("format", "unknown-code")]));
    }
    let table = super::dashboard::counts(&state, &me, &granted.0, &q.by, q.from.clone(), q.to.clone()).await?;
    let (by_header, by_tag) = breakdown_column(&table.by);
    let headers: Vec<String> =
        ["feedback-period-from", "feedback-period-to", by_header, "feedback-items-received", "feedback-hidden"]
            .iter()
            .map(|k| plain(l.t(k)))
            .collect();
    let tags: Vec<String> = ["#date+start", "#date+end", by_tag, "#indicator+num", "#meta+suppressed"]
        .iter()
        .map(|t| (*t).to_owned())
        .collect();
    let flag = |suppressed: bool| if suppressed { "yes" } else { "no" }.to_owned();
    let mut rows: Vec<Vec<String>> = table
        .cells
        .iter()
        .map(|c| {
            let count = c.count.map(|n| n.to_string()).unwrap_or_default();
            vec![table.from.clone(), table.to.clone(), c.key.clone(), count, flag(c.count.is_none())]
        })
        .collect();
    let total = table.total.map(|n| n.to_string()).unwrap_or_default();
    rows.push(vec![
        table.from.clone(),
        table.to.clone(),
        plain(l.t("feedback-total")),
        total,
        flag(table.total.is_none()),
    ]);
    table_file(l, "feedback-counts", &q.format, &headers, &tags, rows)
}
