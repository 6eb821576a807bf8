-- Feedback and complaints, and the PSEA office key (PostgreSQL). Keep in step with
-- ../sqlite/0002_feedback.sql.

-- The PSEA office's public key (age X25519 recipient). One row.
CREATE TABLE psea_office (
    id          BIGINT PRIMARY KEY CHECK (id = 1),
    recipient   TEXT NOT NULL,
    created_by  UUID REFERENCES users (id),
    created_at  TIMESTAMPTZ NOT NULL
);

-- The office's private key, wrapped once per PSEA focal point (under a key derived from the
-- focal point's password) and once under the offline recovery key (holder 'recovery').
CREATE TABLE psea_key_wraps (
    holder      TEXT PRIMARY KEY,
    user_id     UUID REFERENCES users (id),
    wrapped     TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

-- The office key for this session or token, encrypted under a key derived from the cookie or
-- token secret, which the database never holds.
ALTER TABLE sessions ADD COLUMN sealed_key BYTEA;
ALTER TABLE api_tokens ADD COLUMN sealed_key BYTEA;

CREATE TABLE feedback (
    id                  UUID PRIMARY KEY,
    reference           TEXT NOT NULL UNIQUE,
    channel             TEXT NOT NULL,
    channel_message_id  TEXT,
    received_at         TIMESTAMPTZ NOT NULL,
    recorded_by         UUID REFERENCES users (id),
    category            TEXT,
    sensitive_type      TEXT,
    seal                TEXT NOT NULL,
    criticality         TEXT NOT NULL,
    priority            BIGINT NOT NULL,
    status              TEXT NOT NULL,
    location_pcode      TEXT REFERENCES locations (pcode),
    location_path       TEXT,
    agency_id           UUID REFERENCES agencies (id),
    sex                 TEXT,
    age_bracket         TEXT,
    disability          BOOLEAN,
    language            TEXT,
    consent_to_contact  BOOLEAN NOT NULL,
    has_contact         BOOLEAN NOT NULL,
    -- Unsealed items: narrative and contact under the field key. Sealed items: both inside
    -- sealed_content, encrypted to the PSEA office key; these two stay empty.
    narrative_enc       BYTEA,
    contact_enc         BYTEA,
    sealed_content      BYTEA,
    public_response     TEXT,
    acknowledge_by      TIMESTAMPTZ NOT NULL,
    respond_by          TIMESTAMPTZ NOT NULL,
    refer_by            TIMESTAMPTZ,
    acknowledged_at     TIMESTAMPTZ,
    responded_at        TIMESTAMPTZ,
    closed_at           TIMESTAMPTZ,
    updated_at          TIMESTAMPTZ NOT NULL,
    UNIQUE (channel, channel_message_id)
);
CREATE INDEX feedback_received ON feedback (received_at);
CREATE INDEX feedback_location ON feedback (location_path);
CREATE INDEX feedback_status ON feedback (status);

-- Keyed search tokens of unsealed narratives (HMAC of folded words): text search without
-- storing the words.
CREATE TABLE feedback_terms (
    feedback_id UUID NOT NULL REFERENCES feedback (id),
    token       BYTEA NOT NULL,
    PRIMARY KEY (token, feedback_id)
);
