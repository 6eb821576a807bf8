-- Protection mainstreaming indicators (PostgreSQL): each project's plan (the catalog indicators it
-- tracks, with baseline and target, and how often it reports) and the values entered per
-- period. Computed indicators are not stored: they are read from feedback, committees and
-- audits when asked. Keep in step with ../sqlite/0012_indicators.sql.

CREATE TABLE indicator_plans (
    project_id   UUID PRIMARY KEY REFERENCES projects (id),
    period_kind  TEXT NOT NULL,
    updated_by   UUID NOT NULL REFERENCES users (id),
    updated_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE indicator_plan_lines (
    project_id  UUID NOT NULL REFERENCES projects (id),
    code        TEXT NOT NULL,
    position    BIGINT NOT NULL,
    baseline    DOUBLE PRECISION,
    target      DOUBLE PRECISION,
    PRIMARY KEY (project_id, code)
);

-- A value for one period, entered from a survey or the project's records (or persons with
-- disabilities reached). `cells` holds the disaggregation as JSON; entering a period again
-- replaces it (the audit log keeps who changed what).
CREATE TABLE indicator_values (
    project_id       UUID NOT NULL REFERENCES projects (id),
    code             TEXT NOT NULL,
    period           TEXT NOT NULL,
    numerator        BIGINT,
    denominator      BIGINT,
    value            DOUBLE PRECISION NOT NULL,
    sample_size      BIGINT,
    margin_of_error  DOUBLE PRECISION,
    margin_computed  BOOLEAN NOT NULL,
    cells            TEXT NOT NULL,
    note             TEXT,
    entered_by       UUID NOT NULL REFERENCES users (id),
    entered_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (project_id, code, period)
);
