-- Running totals for the feedback dashboards (PostgreSQL). Keep in step with
-- ../sqlite/0004_feedback_rollups.sql. Kept current in the transaction of every change,
-- so a dashboard reads a few thousand rows instead of scanning every item.

-- Items received, by month, place and one breakdown at a time (dimension: channel, category,
-- sex, age_bracket, disability; key: its value, '' when not given). One table per breakdown
-- keeps every cell count small whatever the number of items.
CREATE TABLE feedback_counts (
    month          TEXT NOT NULL,
    dimension      TEXT NOT NULL,
    key            TEXT NOT NULL,
    location_path  TEXT NOT NULL,
    agency         TEXT NOT NULL,
    sealed         BOOLEAN NOT NULL,
    n              BIGINT NOT NULL,
    PRIMARY KEY (dimension, month, key, location_path, agency, sealed)
);

-- Service levels, by month received and place: how many were acknowledged and answered, in
-- time or not, closed with the loop closed, with the person satisfied.
CREATE TABLE feedback_service (
    month                TEXT NOT NULL,
    location_path        TEXT NOT NULL,
    agency               TEXT NOT NULL,
    sealed               BOOLEAN NOT NULL,
    acknowledged         BIGINT NOT NULL DEFAULT 0,
    acknowledged_in_time BIGINT NOT NULL DEFAULT 0,
    responded            BIGINT NOT NULL DEFAULT 0,
    responded_in_time    BIGINT NOT NULL DEFAULT 0,
    closed               BIGINT NOT NULL DEFAULT 0,
    closed_with_loop     BIGINT NOT NULL DEFAULT 0,
    satisfied            BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (month, location_path, agency, sealed)
);

-- Hours from receipt to the first response, whole hours, for medians.
CREATE TABLE feedback_response_hours (
    month          TEXT NOT NULL,
    location_path  TEXT NOT NULL,
    agency         TEXT NOT NULL,
    sealed         BOOLEAN NOT NULL,
    hours          BIGINT NOT NULL,
    n              BIGINT NOT NULL,
    PRIMARY KEY (month, location_path, agency, sealed, hours)
);
