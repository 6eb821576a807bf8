-- (SQLite) Files attached as evidence to checklist answers. Keep in step with
-- ../postgres/0015_checklist_evidence.sql. The name and the content are encrypted under the
-- field key: a site plan or a consultation report can name people and places at risk.
CREATE TABLE checklist_evidence (
    id             BLOB PRIMARY KEY,
    project_id     BLOB NOT NULL REFERENCES projects (id),
    item_code      TEXT NOT NULL,
    file_name_enc  BLOB NOT NULL,
    media_type     TEXT NOT NULL,
    size_bytes     BIGINT NOT NULL,
    sha256         TEXT NOT NULL,
    content_enc    BLOB NOT NULL,
    uploaded_by    BLOB NOT NULL REFERENCES users (id),
    uploaded_at    TEXT NOT NULL
);
CREATE INDEX checklist_evidence_item ON checklist_evidence (project_id, item_code);
