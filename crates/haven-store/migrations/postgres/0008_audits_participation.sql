-- Safety audits of sites and participation (PostgreSQL): audit rounds with the item set they were
-- scored on, the actions their findings became, committees and community consultations.
-- Keep in step with ../sqlite/0008_audits_participation.sql. No table here has a column for
-- a person's name or an individual incident: audits observe places, committees are counts.

-- One audit round of a site. `items` freezes the item set and points used (JSON), `answers`
-- the answer per item (JSON): later catalog changes never alter an old score.
CREATE TABLE audit_rounds (
    id               UUID PRIMARY KEY,
    pcode            TEXT NOT NULL REFERENCES locations (pcode),
    path             TEXT NOT NULL,
    agency_id        UUID REFERENCES agencies (id),
    audited_on       TEXT NOT NULL,
    team_notes       TEXT,
    catalog_version  TEXT NOT NULL,
    items            TEXT NOT NULL,
    answers          TEXT NOT NULL,
    -- The total, kept for lists and trends: risk in half points, applicable maximum.
    risk_halves      BIGINT NOT NULL,
    max_points       BIGINT NOT NULL,
    created_by       UUID NOT NULL REFERENCES users (id),
    created_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX audit_rounds_site ON audit_rounds (pcode, audited_on);
CREATE INDEX audit_rounds_path ON audit_rounds (path);

-- What a finding became: who does what by when, and when it was closed.
CREATE TABLE audit_actions (
    id          UUID PRIMARY KEY,
    round_id    UUID NOT NULL REFERENCES audit_rounds (id),
    pcode       TEXT NOT NULL,
    path        TEXT NOT NULL,
    agency_id   UUID REFERENCES agencies (id),
    text        TEXT NOT NULL,
    domain      TEXT NOT NULL,
    owner_id    UUID REFERENCES users (id),
    deadline    TEXT NOT NULL,
    status      TEXT NOT NULL,
    closed_at   TIMESTAMPTZ,
    created_by  UUID NOT NULL REFERENCES users (id),
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX audit_actions_round ON audit_actions (round_id);
CREATE INDEX audit_actions_due ON audit_actions (status, deadline);
CREATE INDEX audit_actions_path ON audit_actions (path);

-- A committee of a site: its composition as counts (JSON cells by sex × age bracket ×
-- disability, and per at-risk group), with the totals the indicators read.
CREATE TABLE committees (
    id               UUID PRIMARY KEY,
    pcode            TEXT NOT NULL REFERENCES locations (pcode),
    path             TEXT NOT NULL,
    agency_id        UUID REFERENCES agencies (id),
    project_id       UUID REFERENCES projects (id),
    purpose          TEXT NOT NULL,
    formed_on        TEXT,
    active           BOOLEAN NOT NULL,
    composition      TEXT NOT NULL,
    members          BIGINT NOT NULL,
    women            BIGINT NOT NULL,
    with_disability  BIGINT NOT NULL,
    at_risk_members  BIGINT NOT NULL,
    created_by       UUID NOT NULL REFERENCES users (id),
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX committees_path ON committees (path);

-- A community consultation: who took part (counts), what was raised and decided, and what
-- the project changed because of it.
CREATE TABLE consultations (
    id               UUID PRIMARY KEY,
    pcode            TEXT NOT NULL REFERENCES locations (pcode),
    path             TEXT NOT NULL,
    agency_id        UUID REFERENCES agencies (id),
    project_id       UUID REFERENCES projects (id),
    held_on          TEXT NOT NULL,
    participants     TEXT NOT NULL,
    participant_count BIGINT NOT NULL,
    with_disability  BIGINT NOT NULL,
    topics           TEXT NOT NULL,
    concerns         TEXT,
    decisions        TEXT,
    changes          TEXT,
    created_by       UUID NOT NULL REFERENCES users (id),
    created_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX consultations_path ON consultations (path, held_on);
