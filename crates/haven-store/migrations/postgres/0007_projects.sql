-- Protection across the project cycle (PostgreSQL): the project register, checklist answers,
-- deviations, the do-no-harm register, history and endorsements. Keep in step with
-- ../sqlite/0007_projects.sql.

-- Each checklist version a project has used, frozen: a project keeps the version it started
-- with even after the catalog moves on. `items` is the JSON list of every item (all sectors).
CREATE TABLE checklist_versions (
    version    TEXT PRIMARY KEY,
    items      TEXT NOT NULL,
    frozen_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE projects (
    id                 UUID PRIMARY KEY,
    code               TEXT NOT NULL UNIQUE,
    title              TEXT NOT NULL,
    summary            TEXT,
    crisis_phase       TEXT,
    start_date         TEXT,
    end_date           TEXT,
    dimension          TEXT NOT NULL,
    -- Partners, PiHA pillars, action types, target population, at-risk groups, selection
    -- notes: JSON, read and written whole with the project.
    details            TEXT NOT NULL,
    -- The structured selection criteria (JSON), checked by the targeting guard.
    targeting          TEXT NOT NULL,
    manager_id         UUID REFERENCES users (id),
    focal_point_id     UUID REFERENCES users (id),
    agency_id          UUID REFERENCES agencies (id),
    phase              TEXT NOT NULL,
    status             TEXT NOT NULL,
    checklist_version  TEXT NOT NULL REFERENCES checklist_versions (version),
    -- Why an endorsed project was opened again (material change codes, comma separated).
    reopened_because   TEXT,
    -- The last change the do-no-harm register must be reviewed after.
    register_changed_at TIMESTAMPTZ NOT NULL,
    created_by         UUID NOT NULL REFERENCES users (id),
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX projects_status ON projects (status, phase);

CREATE TABLE project_sectors (
    project_id  UUID NOT NULL REFERENCES projects (id),
    sector      TEXT NOT NULL,
    PRIMARY KEY (project_id, sector)
);
CREATE INDEX project_sectors_sector ON project_sectors (sector);

CREATE TABLE project_locations (
    project_id  UUID NOT NULL REFERENCES projects (id),
    pcode       TEXT NOT NULL REFERENCES locations (pcode),
    path        TEXT NOT NULL,
    PRIMARY KEY (project_id, pcode)
);
CREATE INDEX project_locations_path ON project_locations (path);

-- The current answer to each checklist item; earlier answers are in project_events.
CREATE TABLE checklist_answers (
    project_id     UUID NOT NULL REFERENCES projects (id),
    item_code      TEXT NOT NULL,
    answer         TEXT NOT NULL,
    justification  TEXT,
    evidence_link  TEXT,
    answered_by    UUID NOT NULL REFERENCES users (id),
    answered_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (project_id, item_code)
);

-- A deviation from a mandatory item: asked for with a justification, decided by someone
-- holding the approving role who is neither the project's manager nor the requester.
CREATE TABLE project_deviations (
    id             UUID PRIMARY KEY,
    project_id     UUID NOT NULL REFERENCES projects (id),
    item_code      TEXT NOT NULL,
    justification  TEXT NOT NULL,
    requested_by   UUID NOT NULL REFERENCES users (id),
    requested_at   TIMESTAMPTZ NOT NULL,
    state          TEXT NOT NULL,
    decided_by     UUID REFERENCES users (id),
    decided_at     TIMESTAMPTZ,
    decision_note  TEXT
);
CREATE INDEX project_deviations_project ON project_deviations (project_id, item_code);

-- The do-no-harm register: risks the project itself could create.
CREATE TABLE dnh_risks (
    id              UUID PRIMARY KEY,
    project_id      UUID NOT NULL REFERENCES projects (id),
    title           TEXT NOT NULL,
    description     TEXT,
    gpc_risk        TEXT,
    at_risk_groups  TEXT NOT NULL,
    likelihood      BIGINT NOT NULL,
    impact          BIGINT NOT NULL,
    mitigation      TEXT,
    owner_id        UUID REFERENCES users (id),
    due_date        TEXT,
    status          TEXT NOT NULL,
    review_date     TEXT,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX dnh_risks_project ON dnh_risks (project_id);

-- What happened to a project, in order: answers, deviations, register reviews, material
-- changes and why the gate reopened, phase moves, endorsements.
CREATE TABLE project_events (
    id          UUID PRIMARY KEY,
    project_id  UUID NOT NULL REFERENCES projects (id),
    kind        TEXT NOT NULL,
    detail      TEXT NOT NULL,
    actor_id    UUID NOT NULL REFERENCES users (id),
    actor_name  TEXT NOT NULL,
    at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX project_events_project ON project_events (project_id, at);

-- Endorsements: written once, never changed or removed (triggers below refuse it).
CREATE TABLE project_endorsements (
    id                 UUID PRIMARY KEY,
    project_id         UUID NOT NULL REFERENCES projects (id),
    endorsed_by        UUID NOT NULL REFERENCES users (id),
    endorser_name      TEXT NOT NULL,
    endorsed_at        TIMESTAMPTZ NOT NULL,
    checklist_version  TEXT NOT NULL,
    snapshot           TEXT NOT NULL,
    snapshot_sha256    TEXT NOT NULL
);
CREATE INDEX project_endorsements_project ON project_endorsements (project_id, endorsed_at);

CREATE FUNCTION project_endorsements_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'endorsement records cannot be changed or removed';
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER project_endorsements_never_changed BEFORE UPDATE OR DELETE ON project_endorsements
    FOR EACH ROW EXECUTE FUNCTION project_endorsements_refuse_change();

CREATE TRIGGER project_endorsements_never_truncated BEFORE TRUNCATE ON project_endorsements
    FOR EACH STATEMENT EXECUTE FUNCTION project_endorsements_refuse_change();
