-- Protection across the project cycle (SQLite): the project register, checklist answers,
-- deviations, the do-no-harm register, history and endorsements. Keep in step with
-- ../postgres/0007_projects.sql.

-- Each checklist version a project has used, frozen: a project keeps the version it started
-- with even after the catalog moves on. `items` is the JSON list of every item (all sectors).
CREATE TABLE checklist_versions (
    version    TEXT PRIMARY KEY,
    items      TEXT NOT NULL,
    frozen_at  TEXT NOT NULL
);

CREATE TABLE projects (
    id                 BLOB PRIMARY KEY,
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
    manager_id         BLOB REFERENCES users (id),
    focal_point_id     BLOB REFERENCES users (id),
    agency_id          BLOB REFERENCES agencies (id),
    phase              TEXT NOT NULL,
    status             TEXT NOT NULL,
    checklist_version  TEXT NOT NULL REFERENCES checklist_versions (version),
    -- Why an endorsed project was opened again (material change codes, comma separated).
    reopened_because   TEXT,
    -- The last change the do-no-harm register must be reviewed after.
    register_changed_at TEXT NOT NULL,
    created_by         BLOB NOT NULL REFERENCES users (id),
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX projects_status ON projects (status, phase);

CREATE TABLE project_sectors (
    project_id  BLOB NOT NULL REFERENCES projects (id),
    sector      TEXT NOT NULL,
    PRIMARY KEY (project_id, sector)
);
CREATE INDEX project_sectors_sector ON project_sectors (sector);

CREATE TABLE project_locations (
    project_id  BLOB NOT NULL REFERENCES projects (id),
    pcode       TEXT NOT NULL REFERENCES locations (pcode),
    path        TEXT NOT NULL,
    PRIMARY KEY (project_id, pcode)
);
CREATE INDEX project_locations_path ON project_locations (path);

-- The current answer to each checklist item; earlier answers are in project_events.
CREATE TABLE checklist_answers (
    project_id     BLOB NOT NULL REFERENCES projects (id),
    item_code      TEXT NOT NULL,
    answer         TEXT NOT NULL,
    justification  TEXT,
    evidence_link  TEXT,
    answered_by    BLOB NOT NULL REFERENCES users (id),
    answered_at    TEXT NOT NULL,
    PRIMARY KEY (project_id, item_code)
);

-- A deviation from a mandatory item: asked for with a justification, decided by someone
-- holding the approving role who is neither the project's manager nor the requester.
CREATE TABLE project_deviations (
    id             BLOB PRIMARY KEY,
    project_id     BLOB NOT NULL REFERENCES projects (id),
    item_code      TEXT NOT NULL,
    justification  TEXT NOT NULL,
    requested_by   BLOB NOT NULL REFERENCES users (id),
    requested_at   TEXT NOT NULL,
    state          TEXT NOT NULL,
    decided_by     BLOB REFERENCES users (id),
    decided_at     TEXT,
    decision_note  TEXT
);
CREATE INDEX project_deviations_project ON project_deviations (project_id, item_code);

-- The do-no-harm register: risks the project itself could create.
CREATE TABLE dnh_risks (
    id              BLOB PRIMARY KEY,
    project_id      BLOB NOT NULL REFERENCES projects (id),
    title           TEXT NOT NULL,
    description     TEXT,
    gpc_risk        TEXT,
    at_risk_groups  TEXT NOT NULL,
    likelihood      BIGINT NOT NULL,
    impact          BIGINT NOT NULL,
    mitigation      TEXT,
    owner_id        BLOB REFERENCES users (id),
    due_date        TEXT,
    status          TEXT NOT NULL,
    review_date     TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX dnh_risks_project ON dnh_risks (project_id);

-- What happened to a project, in order: answers, deviations, register reviews, material
-- changes and why the gate reopened, phase moves, endorsements.
CREATE TABLE project_events (
    id          BLOB PRIMARY KEY,
    project_id  BLOB NOT NULL REFERENCES projects (id),
    kind        TEXT NOT NULL,
    detail      TEXT NOT NULL,
    actor_id    BLOB NOT NULL REFERENCES users (id),
    actor_name  TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX project_events_project ON project_events (project_id, at);

-- Endorsements: written once, never changed or removed (triggers below refuse it).
CREATE TABLE project_endorsements (
    id                 BLOB PRIMARY KEY,
    project_id         BLOB NOT NULL REFERENCES projects (id),
    endorsed_by        BLOB NOT NULL REFERENCES users (id),
    endorser_name      TEXT NOT NULL,
    endorsed_at        TEXT NOT NULL,
    checklist_version  TEXT NOT NULL,
    snapshot           TEXT NOT NULL,
    snapshot_sha256    TEXT NOT NULL
);
CREATE INDEX project_endorsements_project ON project_endorsements (project_id, endorsed_at);

CREATE TRIGGER project_endorsements_never_updated BEFORE UPDATE ON project_endorsements
BEGIN
    SELECT RAISE(ABORT, 'endorsement records cannot be changed');
END;

CREATE TRIGGER project_endorsements_never_deleted BEFORE DELETE ON project_endorsements
BEGIN
    SELECT RAISE(ABORT, 'endorsement records cannot be removed');
END;
