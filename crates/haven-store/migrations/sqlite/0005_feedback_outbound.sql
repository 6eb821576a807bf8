-- Notifications by e-mail, escalation of overdue items, replies to people through an SMS
-- gateway, and focal points stood down from a report that names them (SQLite). Keep in step
-- with ../postgres/0005_feedback_outbound.sql.

-- E-mails waiting to be sent. They carry no address and no text: both are made at sending
-- time from the notification (kind and subject) and the recipient's account.
CREATE TABLE mail_outbox (
    id              BLOB PRIMARY KEY,
    user_id         BLOB NOT NULL REFERENCES users (id),
    kind            TEXT NOT NULL,
    subject_id      BLOB,
    status          TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    sent_at         TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at);

-- Who hears of overdue items, per organisation (agency_id NULL: items of no organisation,
-- and organisations without targets of their own).
CREATE TABLE escalation_targets (
    id          BLOB PRIMARY KEY,
    agency_id   BLOB REFERENCES agencies (id),
    user_id     BLOB NOT NULL REFERENCES users (id),
    created_at  TEXT NOT NULL,
    UNIQUE (agency_id, user_id)
);

-- One row per missed deadline, so each is escalated once; a reopened item gets new ones.
CREATE TABLE feedback_escalations (
    feedback_id  BLOB NOT NULL REFERENCES feedback (id),
    deadline     TEXT NOT NULL,
    due_at       TEXT NOT NULL,
    escalated_at TEXT NOT NULL,
    PRIMARY KEY (feedback_id, deadline, due_at)
);

-- Replies to the person on their channel. Recipient and text are under the field key and
-- are wiped once the gateway has taken the message or it has failed for good.
CREATE TABLE feedback_outbox (
    id              BLOB PRIMARY KEY,
    feedback_id     BLOB NOT NULL REFERENCES feedback (id),
    channel         TEXT NOT NULL,
    recipient_enc   BLOB,
    body_enc        BLOB,
    status          TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    provider_id     TEXT UNIQUE,
    created_by      BLOB REFERENCES users (id),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX feedback_outbox_due ON feedback_outbox (status, next_attempt_at);
CREATE INDEX feedback_outbox_item ON feedback_outbox (feedback_id);

-- PSEA focal points who must not see a sealed report (it names them, or they stood down).
CREATE TABLE feedback_recusals (
    feedback_id BLOB NOT NULL REFERENCES feedback (id),
    user_id     BLOB NOT NULL REFERENCES users (id),
    reason      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (feedback_id, user_id)
);

-- Escalations appear in the item's history with the deadline they concern.
ALTER TABLE feedback_events ADD COLUMN deadline TEXT;
