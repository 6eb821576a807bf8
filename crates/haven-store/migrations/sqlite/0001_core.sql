-- Haven core schema (SQLite). Keep in step with ../postgres/0001_core.sql: same tables,
-- same columns, same constraints; only the type names differ.

CREATE TABLE settings (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE agencies (
    id          BLOB PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL
);

CREATE TABLE locations (
    pcode        TEXT PRIMARY KEY,
    level        BIGINT NOT NULL,
    parent_pcode TEXT REFERENCES locations (pcode),
    path         TEXT NOT NULL,
    name_en      TEXT NOT NULL,
    name_fr      TEXT,
    name_ar      TEXT,
    updated_at   TEXT NOT NULL
);
CREATE INDEX locations_path ON locations (path);

CREATE TABLE users (
    id                   BLOB PRIMARY KEY,
    username             TEXT NOT NULL UNIQUE,
    display_name_enc     BLOB NOT NULL,
    email_enc            BLOB,
    email_token          BLOB,
    password_hash        TEXT NOT NULL,
    disabled             BOOLEAN NOT NULL DEFAULT FALSE,
    agency_id            BLOB REFERENCES agencies (id),
    failed_logins        BIGINT NOT NULL DEFAULT 0,
    last_failed_at       TEXT,
    locked_until         TEXT,
    totp_secret_enc      BLOB,
    totp_enabled         BOOLEAN NOT NULL DEFAULT FALSE,
    totp_last_step       BIGINT,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    preferred_lang       TEXT,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
CREATE INDEX users_email_token ON users (email_token);

CREATE TABLE user_roles (
    user_id       BLOB NOT NULL REFERENCES users (id),
    role          TEXT NOT NULL,
    agency_id     BLOB REFERENCES agencies (id),
    location_path TEXT,
    granted_by    BLOB REFERENCES users (id),
    granted_at    TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

CREATE TABLE sessions (
    id_hash      BLOB PRIMARY KEY,
    user_id      BLOB NOT NULL REFERENCES users (id),
    csrf_token   TEXT NOT NULL,
    mfa_done     BOOLEAN NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE recovery_codes (
    user_id    BLOB NOT NULL REFERENCES users (id),
    code_hash  BLOB NOT NULL,
    used_at    TEXT,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    user_id      BLOB NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL,
    secret_hash  BLOB NOT NULL,
    scopes       TEXT,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE catalog_entries (
    kind        TEXT NOT NULL,
    code        TEXT NOT NULL,
    position    BIGINT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    extra       TEXT NOT NULL,
    is_local    BOOLEAN NOT NULL,
    version     TEXT NOT NULL,
    PRIMARY KEY (kind, code)
);

CREATE TABLE catalog_versions (
    kind       TEXT NOT NULL,
    version    TEXT NOT NULL,
    source     TEXT NOT NULL,
    item_count BIGINT NOT NULL,
    loaded_at  TEXT NOT NULL,
    PRIMARY KEY (kind, version)
);

CREATE TABLE notifications (
    id         BLOB PRIMARY KEY,
    user_id    BLOB NOT NULL REFERENCES users (id),
    kind       TEXT NOT NULL,
    subject_id BLOB,
    created_at TEXT NOT NULL,
    read_at    TEXT
);
CREATE INDEX notifications_user ON notifications (user_id);

CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor_id    BLOB,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity_kind TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    summary     TEXT NOT NULL,
    prev_hash   BLOB NOT NULL,
    hash        BLOB NOT NULL
);
CREATE INDEX audit_log_action ON audit_log (action);
