-- Monitoring rounds, lessons learned and their uptake (SQLite). Keep in step with
-- ../postgres/0013_project_rounds.sql.

-- A monitoring round of a project in implementation: a month (2026-10) or a quarter
-- (2026-Q4), the implementation items it answers (JSON list of codes, frozen when it opens,
-- read from the project's checklist version), and who completed it. Once completed it is
-- frozen: the triggers below refuse any change to it or its answers.
CREATE TABLE project_rounds (
    id                 BLOB PRIMARY KEY,
    project_id         BLOB NOT NULL REFERENCES projects (id),
    period             TEXT NOT NULL,
    period_start       TEXT NOT NULL,
    period_end         TEXT NOT NULL,
    checklist_version  TEXT NOT NULL REFERENCES checklist_versions (version),
    items              TEXT NOT NULL,
    status             TEXT NOT NULL,
    opened_by          BLOB NOT NULL REFERENCES users (id),
    opener_name        TEXT NOT NULL,
    opened_at          TEXT NOT NULL,
    completed_by       BLOB REFERENCES users (id),
    completer_name     TEXT,
    completed_at       TEXT,
    note               TEXT,
    UNIQUE (project_id, period)
);
CREATE INDEX project_rounds_project ON project_rounds (project_id, period_start);

CREATE TABLE project_round_answers (
    round_id       BLOB NOT NULL REFERENCES project_rounds (id),
    item_code      TEXT NOT NULL,
    answer         TEXT NOT NULL,
    justification  TEXT,
    evidence_link  TEXT,
    answered_by    BLOB NOT NULL REFERENCES users (id),
    answered_at    TEXT NOT NULL,
    PRIMARY KEY (round_id, item_code)
);

CREATE TRIGGER project_rounds_frozen BEFORE UPDATE ON project_rounds
WHEN OLD.status = 'completed'
BEGIN
    SELECT RAISE(ABORT, 'a completed round cannot be changed');
END;

CREATE TRIGGER project_rounds_never_deleted BEFORE DELETE ON project_rounds
BEGIN
    SELECT RAISE(ABORT, 'rounds cannot be removed');
END;

CREATE TRIGGER project_round_answers_frozen_insert BEFORE INSERT ON project_round_answers
WHEN (SELECT status FROM project_rounds WHERE id = NEW.round_id) = 'completed'
BEGIN
    SELECT RAISE(ABORT, 'a completed round cannot be changed');
END;

CREATE TRIGGER project_round_answers_frozen_update BEFORE UPDATE ON project_round_answers
WHEN (SELECT status FROM project_rounds WHERE id = OLD.round_id) = 'completed'
BEGIN
    SELECT RAISE(ABORT, 'a completed round cannot be changed');
END;

CREATE TRIGGER project_round_answers_frozen_delete BEFORE DELETE ON project_round_answers
WHEN (SELECT status FROM project_rounds WHERE id = OLD.round_id) = 'completed'
BEGIN
    SELECT RAISE(ABORT, 'a completed round cannot be changed');
END;

-- A lesson learned in a project's evaluation: what happened, the principle it concerns, the
-- sectors it speaks to (JSON list of codes), and what to do differently.
CREATE TABLE project_lessons (
    id              BLOB PRIMARY KEY,
    project_id      BLOB NOT NULL REFERENCES projects (id),
    text            TEXT NOT NULL,
    principle       TEXT,
    sectors         TEXT NOT NULL,
    do_differently  TEXT NOT NULL,
    recorded_by     BLOB NOT NULL REFERENCES users (id),
    recorder_name   TEXT NOT NULL,
    recorded_at     TEXT NOT NULL
);
CREATE INDEX project_lessons_project ON project_lessons (project_id);

-- How a later project took a carried lesson into account, or why it did not.
CREATE TABLE project_lesson_uptake (
    project_id     BLOB NOT NULL REFERENCES projects (id),
    lesson_id      BLOB NOT NULL REFERENCES project_lessons (id),
    taken          BOOLEAN NOT NULL,
    note           TEXT NOT NULL,
    recorded_by    BLOB NOT NULL REFERENCES users (id),
    recorder_name  TEXT NOT NULL,
    recorded_at    TEXT NOT NULL,
    PRIMARY KEY (project_id, lesson_id)
);
