-- Help-desk and hotline tools (PostgreSQL): the service directory, approved answers, call-backs
-- and the erasure of contact details after closure. Keep in step with
-- ../sqlite/0006_feedback_helpdesk.sql.

-- Who does what where: one row per service of an organisation.
CREATE TABLE services (
    id                   UUID PRIMARY KEY,
    organisation         TEXT NOT NULL,
    name                 TEXT NOT NULL,
    service_type         TEXT NOT NULL,
    description          TEXT NOT NULL,
    contact              TEXT NOT NULL,
    opening_hours        TEXT NOT NULL,
    languages            TEXT NOT NULL,
    referral_criteria    TEXT NOT NULL,
    accepts_referrals    BOOLEAN NOT NULL,
    active               BOOLEAN NOT NULL,
    updated_by           TEXT NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL
);

-- The places a service covers; a service at a region serves everything under it (path prefix).
CREATE TABLE service_locations (
    service_id  UUID NOT NULL REFERENCES services (id),
    pcode       TEXT NOT NULL REFERENCES locations (pcode),
    path        TEXT NOT NULL,
    PRIMARY KEY (service_id, pcode)
);

-- Frequent information requests and their approved answers, one version per language each
-- time someone approves a new text.
CREATE TABLE answers (
    id          UUID PRIMARY KEY,
    category    TEXT,
    created_at  TIMESTAMPTZ NOT NULL,
    retired_at  TIMESTAMPTZ
);

CREATE TABLE answer_versions (
    answer_id    UUID NOT NULL REFERENCES answers (id),
    language     TEXT NOT NULL,
    version      BIGINT NOT NULL,
    question     TEXT NOT NULL,
    body         TEXT NOT NULL,
    approved_by  UUID REFERENCES users (id),
    approver     TEXT NOT NULL,
    approved_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (answer_id, language, version)
);

-- Call-backs promised to a person, due at a time, for an agent.
CREATE TABLE feedback_callbacks (
    id           UUID PRIMARY KEY,
    feedback_id  UUID NOT NULL REFERENCES feedback (id),
    due_at       TIMESTAMPTZ NOT NULL,
    assigned_to  UUID NOT NULL REFERENCES users (id),
    created_by   UUID REFERENCES users (id),
    created_at   TIMESTAMPTZ NOT NULL,
    done_at      TIMESTAMPTZ,
    outcome      TEXT,
    done_by      UUID REFERENCES users (id)
);
CREATE INDEX feedback_callbacks_due ON feedback_callbacks (done_at, due_at);

-- Sealed items keep their contact details apart from the narrative (both sealed to the PSEA
-- office key), so they can be erased without the office key.
ALTER TABLE feedback ADD COLUMN sealed_contact BYTEA;
ALTER TABLE feedback ADD COLUMN contact_erased_at TIMESTAMPTZ;
CREATE INDEX feedback_closed ON feedback (status, closed_at);

-- The directory service an item was referred to.
ALTER TABLE feedback_events ADD COLUMN service_id UUID REFERENCES services (id);
