ALTER TABLE users DROP COLUMN must_enrol_totp;
DROP TABLE taxonomy_labels;
ALTER TABLE mail_quarantine DROP COLUMN case_id;
ALTER TABLE mail_quarantine DROP COLUMN resolution_note;
ALTER TABLE mail_quarantine DROP COLUMN resolution;
ALTER TABLE escalations DROP COLUMN acknowledged_at;
ALTER TABLE escalations DROP COLUMN acknowledged_by;
CREATE TABLE notifications_new (
    id TEXT PRIMARY KEY NOT NULL,
    escalation_id TEXT NOT NULL REFERENCES escalations (id) ON DELETE CASCADE,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
    recipient TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,
    locked_by TEXT,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
INSERT INTO notifications_new SELECT id, escalation_id, channel, recipient, status, attempts, next_attempt_at,
    locked_until, locked_by, last_error, created_at, sent_at FROM notifications WHERE status <> 'withdrawn';
DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;
CREATE INDEX notifications_due ON notifications (status, next_attempt_at);
CREATE TABLE rotation_new (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    period TEXT NOT NULL CHECK (period IN ('weekly', 'daily')),
    anchor DATE NOT NULL,
    member_ids TEXT NOT NULL,
    updated_by TEXT REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO rotation_new SELECT id, period, anchor, member_ids, updated_by, updated_at FROM rotation WHERE id = 1;
DROP TABLE rotation;
ALTER TABLE rotation_new RENAME TO rotation;
