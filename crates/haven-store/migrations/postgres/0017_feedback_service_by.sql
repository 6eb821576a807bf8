-- Service levels per group of people (PostgreSQL). Keep in step with
-- ../sqlite/0017_feedback_service_by.sql. The indicator feed gives "% responded within
-- target" and "% closed with feedback to the person" by sex, age bracket and disability;
-- feedback_service has only month and place, so these running totals hold the same figures
-- by one group dimension at a time (dimension: sex, age_bracket, disability; key: its value,
-- '' when not given), kept current in the transaction of every step.
CREATE TABLE feedback_service_by (
    dimension            TEXT NOT NULL,
    month                TEXT NOT NULL,
    key                  TEXT NOT NULL,
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
    PRIMARY KEY (dimension, month, key, location_path, agency, sealed)
);

-- The figures so far, from the items themselves (what each step counted: acknowledged and
-- answered, in time or not; closed, with the loop closed, with the person satisfied).
WITH items AS (
    SELECT to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month,
        COALESCE(location_path, '') AS location_path,
        COALESCE(CAST(agency_id AS TEXT), '') AS agency,
        seal <> 'open' AS sealed,
        COALESCE(sex, '') AS sex,
        COALESCE(age_bracket, '') AS age_bracket,
        CASE WHEN disability IS NULL THEN '' WHEN disability THEN 'yes' ELSE 'no' END AS disability,
        CASE WHEN acknowledged_at IS NOT NULL THEN 1 ELSE 0 END AS acknowledged,
        CASE WHEN acknowledged_at IS NOT NULL AND acknowledged_at <= acknowledge_by THEN 1 ELSE 0 END AS acknowledged_in_time,
        CASE WHEN responded_at IS NOT NULL THEN 1 ELSE 0 END AS responded,
        CASE WHEN responded_at IS NOT NULL AND responded_at <= respond_by THEN 1 ELSE 0 END AS responded_in_time,
        CASE WHEN status = 'closed' THEN 1 ELSE 0 END AS closed,
        CASE WHEN status = 'closed' AND loop_closing IS NOT NULL AND loop_closing <> 'not_possible' THEN 1 ELSE 0 END AS closed_with_loop,
        CASE WHEN status = 'closed' AND satisfaction = 'satisfied' THEN 1 ELSE 0 END AS satisfied
    FROM feedback
),
grouped AS (
    SELECT 'sex' AS dimension, sex AS key, items.* FROM items
    UNION ALL SELECT 'age_bracket', age_bracket, items.* FROM items
    UNION ALL SELECT 'disability', disability, items.* FROM items
)
INSERT INTO feedback_service_by (dimension, month, key, location_path, agency, sealed, acknowledged,
    acknowledged_in_time, responded, responded_in_time, closed, closed_with_loop, satisfied)
SELECT dimension, month, key, location_path, agency, sealed, SUM(acknowledged), SUM(acknowledged_in_time),
    SUM(responded), SUM(responded_in_time), SUM(closed), SUM(closed_with_loop), SUM(satisfied)
FROM grouped
GROUP BY dimension, month, key, location_path, agency, sealed;
