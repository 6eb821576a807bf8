-- Monitoring rounds, lessons learned and their uptake (PostgreSQL). Keep in step with
-- ../sqlite/0013_project_rounds.sql.

-- A monitoring round of a project in implementation: a month (2026-10) or a quarter
-- (2026-Q4), the implementation items it answers (JSON list of codes, frozen when it opens,
-- read from the project's checklist version), and who completed it. Once completed it is
-- frozen: the triggers below refuse any change to it or its answers.
CREATE TABLE project_rounds (
    id                 UUID PRIMARY KEY,
    project_id         UUID NOT NULL REFERENCES projects (id),
    period             TEXT NOT NULL,
    period_start       TEXT NOT NULL,
    period_end         TEXT NOT NULL,
    checklist_version  TEXT NOT NULL REFERENCES checklist_versions (version),
    items              TEXT NOT NULL,
    status             TEXT NOT NULL,
    opened_by          UUID NOT NULL REFERENCES users (id),
    opener_name        TEXT NOT NULL,
    opened_at          TIMESTAMPTZ NOT NULL,
    completed_by       UUID REFERENCES users (id),
    completer_name     TEXT,
    completed_at       TIMESTAMPTZ,
    note               TEXT,
    UNIQUE (project_id, period)
);
CREATE INDEX project_rounds_project ON project_rounds (project_id, period_start);

CREATE TABLE project_round_answers (
    round_id       UUID NOT NULL REFERENCES project_rounds (id),
    item_code      TEXT NOT NULL,
    answer         TEXT NOT NULL,
    justification  TEXT,
    evidence_link  TEXT,
    answered_by    UUID NOT NULL REFERENCES users (id),
    answered_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (round_id, item_code)
);

CREATE FUNCTION project_rounds_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'rounds cannot be removed';
    END IF;
    IF OLD.status = 'completed' THEN
        RAISE EXCEPTION 'a completed round cannot be changed';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER project_rounds_frozen BEFORE UPDATE OR DELETE ON project_rounds
    FOR EACH ROW EXECUTE FUNCTION project_rounds_refuse_change();

CREATE FUNCTION project_round_answers_refuse_change() RETURNS trigger AS $$
DECLARE
    round_status TEXT;
BEGIN
    SELECT status INTO round_status FROM project_rounds
        WHERE id = CASE WHEN TG_OP = 'INSERT' THEN NEW.round_id ELSE OLD.round_id END;
    IF round_status = 'completed' THEN
        RAISE EXCEPTION 'a completed round cannot be changed';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER project_round_answers_frozen BEFORE INSERT OR UPDATE OR DELETE ON project_round_answers
    FOR EACH ROW EXECUTE FUNCTION project_round_answers_refuse_change();

-- A lesson learned in a project's evaluation: what happened, the principle it concerns, the
-- sectors it speaks to (JSON list of codes), and what to do differently.
CREATE TABLE project_lessons (
    id              UUID PRIMARY KEY,
    project_id      UUID NOT NULL REFERENCES projects (id),
    text            TEXT NOT NULL,
    principle       TEXT,
    sectors         TEXT NOT NULL,
    do_differently  TEXT NOT NULL,
    recorded_by     UUID NOT NULL REFERENCES users (id),
    recorder_name   TEXT NOT NULL,
    recorded_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX project_lessons_project ON project_lessons (project_id);

-- How a later project took a carried lesson into account, or why it did not.
CREATE TABLE project_lesson_uptake (
    project_id     UUID NOT NULL REFERENCES projects (id),
    lesson_id      UUID NOT NULL REFERENCES project_lessons (id),
    taken          BOOLEAN NOT NULL,
    note           TEXT NOT NULL,
    recorded_by    UUID NOT NULL REFERENCES users (id),
    recorder_name  TEXT NOT NULL,
    recorded_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (project_id, lesson_id)
);
