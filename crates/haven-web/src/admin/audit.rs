//! The audit viewer for administrators. Viewing the log is itself logged.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Extension, Query, State};
use axum::response::{IntoResponse, Response};
use haven_core::audit::actions;
use haven_store::audit::{self, StoredEntry};
use serde::Deserialize;

use crate::AppState;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::identity::Identity;
use crate::pages::Chrome;

pub const PAGE_SIZE: i64 = 50;

#[derive(Deserialize)]
pub struct AuditQuery {
    pub action: Option<String>,
    pub before: Option<i64>,
}

struct Row {
    seq: i64,
    at: String,
    actor: String,
    action: String,
    entity: String,
    summary: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
struct AuditPage {
    c: Chrome,
    rows: Vec<Row>,
    action: String,
    older: Option<i64>,
}

pub async fn page(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Query(q): Query<AuditQuery>,
) -> Result<Response, WebError> {
    let entries: Vec<StoredEntry> = audit::list(&state.store.pool, q.action.as_deref(), q.before, PAGE_SIZE).await?;
    let event = me.actor().event(actions::AUDIT_VIEWED, "audit", "").summary(format!("{} entries", entries.len()));
    audit::record(&state.store.pool, &state.store.keys, &event).await?;
    let older = (entries.len() as i64 == PAGE_SIZE).then(|| entries.last().map(|e| e.entry.seq)).flatten();
    let rows = entries
        .into_iter()
        .map(|e| Row {
            seq: e.entry.seq,
            at: l.datetime(e.entry.at),
            actor: e.entry.actor,
            action: e.entry.action,
            entity: format!("{} {}", e.entry.entity_kind, e.entry.entity_id),
            summary: e.entry.summary,
        })
        .collect();
    let page = AuditPage { c: Chrome::new(l, Some(&me), &state), rows, action: q.action.unwrap_or_default(), older };
    Ok(page.into_response())
}
