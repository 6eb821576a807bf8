//! Evidence files on checklist answers, kept encrypted in the database itself so that backups,
//! the copy to PostgreSQL and key rotation carry them with everything else. A file is read
//! back only through [`download`], which writes the reading to the audit log.

use haven_core::audit::actions;
use haven_core::projects::EvidenceFile;
use time::OffsetDateTime;
use uuid::Uuid;

use super::checklist::{checklist_items, item_of};
use super::{Project, event, lock};
use crate::crypto::{FieldPlace, hex, sha256};
use crate::identity::Actor;
use crate::{Store, StoreError, audit, now_utc};

const TABLE: &str = "checklist_evidence";

/// A file attached to an item, without its content.
#[derive(Debug, Clone)]
pub struct Evidence {
    pub id: Uuid,
    pub item_code: String,
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: i64,
    /// Hex SHA-256 of the content: what a reviewer can compare a copy against.
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct EvidenceRow {
    id: Uuid,
    item_code: String,
    file_name_enc: Vec<u8>,
    media_type: String,
    size_bytes: i64,
    sha256: String,
    uploaded_by: String,
    uploaded_at: OffsetDateTime,
}

fn place<'a>(column: &'a str, row: &'a str) -> FieldPlace<'a> {
    FieldPlace { table: TABLE, column, row }
}

impl EvidenceRow {
    fn open(self, store: &Store) -> Result<Evidence, StoreError> {
        let row = self.id.to_string();
        let file_name = store.keys.decrypt_str(place("file_name_enc", &row), &self.file_name_enc)?;
        Ok(Evidence {
            id: self.id,
            item_code: self.item_code,
            file_name,
            media_type: self.media_type,
            size_bytes: self.size_bytes,
            sha256: self.sha256,
            uploaded_by: self.uploaded_by,
            uploaded_at: self.uploaded_at,
        })
    }
}

/// Attach a checked file (returns its id and hex SHA-256) (see [`haven_core::projects::accept_evidence`]) to an item of the
/// project's checklist (not found when the item is not on it).
pub async fn attach(
    store: &Store,
    actor: &Actor,
    project: &Project,
    item_code: &str,
    file: &EvidenceFile,
    content: &[u8],
) -> Result<(Uuid, String), StoreError> {
    let items = checklist_items(store, &project.checklist_version).await?;
    item_of(&items, project, item_code)?;
    let by = actor.id.ok_or_else(|| StoreError::Invalid("evidence is attached by a user".into()))?;
    let id = Uuid::now_v7();
    let row = id.to_string();
    let name_enc = store.keys.encrypt_str(place("file_name_enc", &row), &file.file_name);
    let content_enc = store.keys.encrypt(place("content_enc", &row), content);
    let digest = hex(&sha256(content));
    let size = i64::try_from(content.len()).map_err(|_| StoreError::Invalid("file too large".into()))?;
    let mut tx = store.pool.begin().await?;
    lock(&mut tx, project.id).await?;
    on_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO checklist_evidence (id, project_id, item_code, file_name_enc, media_type, size_bytes, sha256, content_enc, uploaded_by, uploaded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(id).bind(project.id).bind(item_code).bind(&name_enc).bind(file.media_type).bind(size).bind(&digest)
        .bind(&content_enc).bind(by).bind(now_utc())
        .execute(c).await.map(|_| ())
    })?;
    // The history names the item and the digest, never the file name (it may name people).
    let detail = serde_json::json!({ "item": item_code, "evidence": id, "sha256": digest, "bytes": size });
    event(&mut tx, actor, project.id, "evidence-attached", detail).await?;
    let audit_event =
        actor.event(actions::EVIDENCE_ATTACHED, "project", project.id.to_string()).summary(format!("{item_code} {id}"));
    audit::append(&mut tx, &store.keys, &audit_event).await?;
    tx.commit().await?;
    Ok((id, digest))
}

/// The metadata columns of an item's files, narrowed to one project (`$1`).
macro_rules! select_evidence {
    () => {
        "SELECT e.id, e.item_code, e.file_name_enc, e.media_type, e.size_bytes, e.sha256, COALESCE(u.username, '') AS uploaded_by, e.uploaded_at
         FROM checklist_evidence e LEFT JOIN users u ON u.id = e.uploaded_by WHERE e.project_id = $1"
    };
}

/// The files attached to the project's items, oldest first. The caller has read the project.
pub async fn list(store: &Store, project: Uuid) -> Result<Vec<Evidence>, StoreError> {
    let rows: Vec<EvidenceRow> = on_pool!(&store.pool, p => {
        sqlx::query_as(concat!(select_evidence!(), " ORDER BY e.uploaded_at, e.id")).bind(project).fetch_all(p).await
    })?;
    rows.into_iter().map(|r| r.open(store)).collect()
}

async fn one(store: &Store, project: Uuid, id: Uuid) -> Result<(Evidence, Vec<u8>), StoreError> {
    let row: Option<EvidenceRow> = on_pool!(&store.pool, p => {
        sqlx::query_as(concat!(select_evidence!(), " AND e.id = $2")).bind(project).bind(id).fetch_optional(p).await
    })?;
    let evidence = row.ok_or(StoreError::NotFound)?.open(store)?;
    let (content_enc,): (Vec<u8>,) = on_pool!(&store.pool, p => {
        sqlx::query_as("SELECT content_enc FROM checklist_evidence WHERE id = $1").bind(id).fetch_one(p).await
    })?;
    let content = store.keys.decrypt(place("content_enc", &id.to_string()), &content_enc)?;
    Ok((evidence, content))
}

/// A file and its decrypted content; the reading is audited before anything is returned.
pub async fn download(
    store: &Store,
    actor: &Actor,
    project: Uuid,
    id: Uuid,
) -> Result<(Evidence, Vec<u8>), StoreError> {
    let (evidence, content) = one(store, project, id).await?;
    let event = actor.event(actions::EVIDENCE_READ, "project", project.to_string()).summary(id.to_string());
    let mut tx = store.pool.begin().await?;
    audit::append(&mut tx, &store.keys, &event).await?;
    tx.commit().await?;
    Ok((evidence, content))
}

/// Remove a file attached by mistake. Its content is deleted, not hidden; the history keeps
/// that it existed and its digest.
/// Returns the item the file was attached to.
pub async fn remove(store: &Store, actor: &Actor, project: &Project, id: Uuid) -> Result<String, StoreError> {
    let mut tx = store.pool.begin().await?;
    lock(&mut tx, project.id).await?;
    let found: Option<(String, String)> = on_tx!(&mut tx, c => {
        sqlx::query_as("DELETE FROM checklist_evidence WHERE project_id = $1 AND id = $2 RETURNING item_code, sha256")
            .bind(project.id).bind(id).fetch_optional(c).await
    })?;
    let (item_code, digest) = found.ok_or(StoreError::NotFound)?;
    let detail = serde_json::json!({ "item": &item_code, "evidence": id, "sha256": digest });
    event(&mut tx, actor, project.id, "evidence-removed", detail).await?;
    let audit_event =
        actor.event(actions::EVIDENCE_REMOVED, "project", project.id.to_string()).summary(format!("{item_code} {id}"));
    audit::append(&mut tx, &store.keys, &audit_event).await?;
    tx.commit().await?;
    Ok(item_code)
}
