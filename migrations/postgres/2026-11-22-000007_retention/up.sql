-- Retention: N days after closure a case's identifying content is erased; what remains
-- (dates, types, urgency, indicator kinds) keeps the statistics alive.
ALTER TABLE cases ADD COLUMN erased_at TIMESTAMP;
ALTER TABLE beneficiaries ADD COLUMN erased_at TIMESTAMP;

-- One row per erased case: what, when, by which policy or on whose request. Never the content.
CREATE TABLE erasures (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    policy TEXT NOT NULL CHECK (policy IN ('retention', 'request')),
    policy_detail TEXT NOT NULL,
    requested_by TEXT REFERENCES users (id),
    erased TEXT NOT NULL,
    beneficiary_erased BOOLEAN NOT NULL,
    erased_at TIMESTAMP NOT NULL
);
CREATE INDEX erasures_case ON erasures (case_id);
CREATE INDEX cases_retention ON cases (status, closed_at) WHERE erased_at IS NULL;
-- An erasure finds a case's raw messages, and checks whether a blob is still used.
CREATE INDEX mail_receipts_case ON mail_receipts (case_id);
CREATE INDEX mail_receipts_raw ON mail_receipts (raw_sha256);
CREATE INDEX mail_quarantine_raw ON mail_quarantine (raw_sha256);
