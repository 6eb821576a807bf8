-- Protection mainstreaming indicators (SQLite): each project's plan (the catalog indicators it
-- tracks, with baseline and target, and how often it reports) and the values entered per
-- period. Computed indicators are not stored: they are read from feedback, committees and
-- audits when asked. Keep in step with ../postgres/0012_indicators.sql.

CREATE TABLE indicator_plans (
    project_id   BLOB PRIMARY KEY REFERENCES projects (id),
    period_kind  TEXT NOT NULL,
    updated_by   BLOB NOT NULL REFERENCES users (id),
    updated_at   TEXT NOT NULL
);

CREATE TABLE indicator_plan_lines (
    project_id  BLOB NOT NULL REFERENCES projects (id),
    code        TEXT NOT NULL,
    position    BIGINT NOT NULL,
    baseline    REAL,
    target      REAL,
    PRIMARY KEY (project_id, code)
);

-- A value for one period, entered from a survey or the project's records (or persons with
-- disabilities reached). `cells` holds the disaggregation as JSON; entering a period again
-- replaces it (the audit log keeps who changed what).
CREATE TABLE indicator_values (
    project_id       BLOB NOT NULL REFERENCES projects (id),
    code             TEXT NOT NULL,
    period           TEXT NOT NULL,
    numerator        BIGINT,
    denominator      BIGINT,
    value            REAL NOT NULL,
    sample_size      BIGINT,
    margin_of_error  REAL,
    margin_computed  BOOLEAN NOT NULL,
    cells            TEXT NOT NULL,
    note             TEXT,
    entered_by       BLOB NOT NULL REFERENCES users (id),
    entered_at       TEXT NOT NULL,
    PRIMARY KEY (project_id, code, period)
);
