-- Escalations: a case that must reach the leads (imminent risk, critical, nobody to take it) or that waits
-- too long for a first response, or an intake shift whose holder checked in not fit or
-- not at all. One row per case (or shift) and kind: whoever raises it first wins, so two
-- processes and a restart never raise (or notify) it twice.
CREATE TABLE escalations (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT REFERENCES cases (id) ON DELETE CASCADE,
    shift_id TEXT REFERENCES shifts (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('imminent_risk', 'unassigned', 'first_response_leads',
                                       'first_response_admins', 'check_in_not_fit', 'check_in_missing')),
    level TEXT NOT NULL CHECK (level IN ('leads', 'admins')),
    reason TEXT NOT NULL,
    due_at TIMESTAMP NOT NULL,
    raised_at TIMESTAMP NOT NULL,
    CHECK ((case_id IS NULL) <> (shift_id IS NULL)),
    UNIQUE (case_id, kind),
    UNIQUE (shift_id, kind)
);

-- Who was told, and how: one row per recipient and channel, sent by the notifier with
-- retries. Staff e-mail carries the case reference and the reason only.
CREATE TABLE notifications (
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
CREATE INDEX notifications_due ON notifications (status, next_attempt_at);
