-- What assignment needs to know of each handler.
ALTER TABLE users ADD COLUMN capacity INTEGER NOT NULL DEFAULT 20;
ALTER TABLE users ADD COLUMN cleared_for_restricted BOOLEAN NOT NULL DEFAULT FALSE;

-- Short shifts: intake (takes new cases) or standby (replaces whoever is not fit).
CREATE TABLE shifts (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL CHECK (kind IN ('intake', 'standby')),
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX shifts_time ON shifts (ends_at, starts_at);

-- The check-in at the start of a shift. The private note is for its author only.
CREATE TABLE check_ins (
    id TEXT PRIMARY KEY NOT NULL,
    shift_id TEXT NOT NULL REFERENCES shifts (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id),
    fit BOOLEAN NOT NULL,
    private_note TEXT,
    checked_at TIMESTAMP NOT NULL
);
CREATE INDEX check_ins_shift ON check_ins (shift_id, checked_at);

-- The intake rotation (one per helpline): members in order, by week or by day.
CREATE TABLE rotation (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    period TEXT NOT NULL CHECK (period IN ('weekly', 'daily')),
    anchor DATE NOT NULL,
    member_ids TEXT NOT NULL,
    updated_by TEXT REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL
);

-- Every assignment decision, with its reasons, readable on the case.
CREATE TABLE assignment_decisions (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    assignee_id TEXT REFERENCES users (id),
    via_standby BOOLEAN NOT NULL,
    alert_leads BOOLEAN NOT NULL,
    reasons TEXT NOT NULL,
    decided_at TIMESTAMP NOT NULL
);
CREATE INDEX assignment_decisions_case ON assignment_decisions (case_id, decided_at);
