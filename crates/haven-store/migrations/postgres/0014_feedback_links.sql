-- Links of feedback items to a project, an MCOF sector and a protection principle (PostgreSQL).
-- Keep in step with ../sqlite/0014_feedback_links.sql. Sealed items keep their links inside
-- the sealed content: these columns stay empty for them (docs/feedback.md says why).
ALTER TABLE feedback ADD COLUMN project_id UUID REFERENCES projects (id);
ALTER TABLE feedback ADD COLUMN sector TEXT;
ALTER TABLE feedback ADD COLUMN principle TEXT;
CREATE INDEX feedback_project ON feedback (project_id, received_at);

-- The sector breakdown of the running totals: every item so far has no sector.
INSERT INTO feedback_counts (month, dimension, key, location_path, agency, sealed, n)
SELECT month, 'sector', '', location_path, agency, sealed, SUM(n)
FROM feedback_counts WHERE dimension = 'channel'
GROUP BY month, location_path, agency, sealed;

-- When each WhatsApp sender last wrote, by a keyed token of their number (never the number):
-- a reply more than 24 hours later needs an approved message template. Rows older than a day
-- decide nothing and are deleted.
CREATE TABLE whatsapp_senders (
    sender_token     BYTEA PRIMARY KEY,
    last_inbound_at  TIMESTAMPTZ NOT NULL
);
