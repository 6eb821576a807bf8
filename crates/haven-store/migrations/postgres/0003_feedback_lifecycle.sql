-- The feedback lifecycle (PostgreSQL). Keep in step with ../sqlite/0003_feedback_lifecycle.sql.

ALTER TABLE feedback ADD COLUMN assigned_to UUID REFERENCES users (id);
ALTER TABLE feedback ADD COLUMN referral_kind TEXT;
ALTER TABLE feedback ADD COLUMN referred_to TEXT;
ALTER TABLE feedback ADD COLUMN referred_at TIMESTAMPTZ;
ALTER TABLE feedback ADD COLUMN closure_reason TEXT;
ALTER TABLE feedback ADD COLUMN loop_closing TEXT;
ALTER TABLE feedback ADD COLUMN satisfaction TEXT;
ALTER TABLE feedback ADD COLUMN reopened_count BIGINT NOT NULL DEFAULT 0;

-- Every step taken on an item. Notes are personal data: under the field key for open items,
-- sealed to the PSEA office key for sealed ones.
CREATE TABLE feedback_events (
    id            UUID PRIMARY KEY,
    feedback_id   UUID NOT NULL REFERENCES feedback (id),
    at            TIMESTAMPTZ NOT NULL,
    actor_id      UUID REFERENCES users (id),
    actor         TEXT NOT NULL,
    step          TEXT NOT NULL,
    status_after  TEXT NOT NULL,
    assigned_to   UUID REFERENCES users (id),
    referral_kind TEXT,
    referred_to   TEXT,
    note_enc      BYTEA,
    note_sealed   BYTEA
);
CREATE INDEX feedback_events_item ON feedback_events (feedback_id, at);
