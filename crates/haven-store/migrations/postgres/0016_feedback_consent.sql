-- Referrals record the person's consent (PostgreSQL). Keep in step with
-- ../sqlite/0016_feedback_consent.sql. A referral to a partner organisation, and a
-- survivor's referral to assistance services, need it; the step's event keeps whether it was
-- given (NULL on events that are not referrals, and on referrals made before this column).
ALTER TABLE feedback_events ADD COLUMN consent BOOLEAN;
