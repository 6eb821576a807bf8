-- (PostgreSQL) Files attached as evidence to checklist answers. Keep in step with
-- ../sqlite/0015_checklist_evidence.sql. The name and the content are encrypted under the
-- field key: a site plan or a consultation report can name people and places at risk.
CREATE TABLE checklist_evidence (
    id             UUID PRIMARY KEY,
    project_id     UUID NOT NULL REFERENCES projects (id),
    item_code      TEXT NOT NULL,
    file_name_enc  BYTEA NOT NULL,
    media_type     TEXT NOT NULL,
    size_bytes     BIGINT NOT NULL,
    sha256         TEXT NOT NULL,
    content_enc    BYTEA NOT NULL,
    uploaded_by    UUID NOT NULL REFERENCES users (id),
    uploaded_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX checklist_evidence_item ON checklist_evidence (project_id, item_code);
