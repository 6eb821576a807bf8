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
const COLUMNS: [(&str, &str, bool); 16] = [
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

/// The records the caller may see, as HXL-tagged CSV or XLSX (headers in the caller's
/// language, HXL hashtags in the second row).
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
    let items = haven_store::feedback::export(&state.store, &granted.0, &me.actor(), sight.sealed).await?;
    let columns: Vec<&(&str, &str, bool)> = COLUMNS.iter().filter(|c| sight.contact || !c.2).collect();
    let headers: Vec<String> = columns.iter().map(|c| plain(l.t(c.0))).collect();
    let tags: Vec<String> = columns.iter().map(|c| c.1.to_owned()).collect();
    let rfc3339 =
        |t: time::OffsetDateTime| t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    let rows: Vec<Vec<String>> = items
        .into_iter()
        .map(|item| {
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
                    "#x_disability" => {
                        r.disability.map(|d| if d { "yes" } else { "no" }.to_owned()).unwrap_or_default()
                    }
                    "#x_language" => r.language.clone().unwrap_or_default(),
                    "#date+due" => rfc3339(r.respond_by),
                    "#description" => item.narrative.clone().unwrap_or_default(),
                    "#contact+name" => item.contact_name.clone().unwrap_or_default(),
                    "#contact+phone" => item.contact_phone.clone().unwrap_or_default(),
                    _ => String::new(),
                }
            };
            tags.iter().map(|t| value(t)).collect()
        })
        .collect();
    table_file(l, "feedback", &q.format, &headers, &tags, rows)
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
    let stamp = haven_store::now_utc().date();
    if format == "xlsx" {
        let mut all = vec![tags.to_vec()];
        all.extend(rows);
        let bytes = haven_io::write_xlsx(name, headers, &all, l.dir() == "rtl").map_err(WebError::Internal)?;
        let disposition = format!("attachment; filename=\"{name}-{stamp}.xlsx\"");
        return Ok((
            [
                (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned()),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            bytes,
        )
            .into_response());
    }
    let mut out = csv::Writer::from_writer(Vec::new());
    let write_err = |e: csv::Error| WebError::Internal(e.to_string());
    out.write_record(headers).map_err(write_err)?;
    out.write_record(tags).map_err(write_err)?;
    for row in rows {
        out.write_record(&row).map_err(write_err)?;
    }
    let bytes = out.into_inner().map_err(|e| WebError::Internal(e.to_string()))?;
    let disposition = format!("attachment; filename=\"{name}-{stamp}.csv\"");
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, disposition)],
        bytes,
    )
        .into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct AggregateParams {
    /// month, channel, category, location, sex, age_bracket or disability
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
        "sex" => ("feedback-sex", "#x_sex"),
        "age_bracket" => ("feedback-age", "#x_age_bracket"),
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
