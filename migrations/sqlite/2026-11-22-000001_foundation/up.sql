-- Rempart foundation schema (SQLite). Keep in step with migrations/postgres/.
-- Staff accounts. Roles: handler, analyst, lead, admin. `languages` holds
-- comma-separated normalised language tags (e.g. `fr,en,pt-BR`).
CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('handler', 'analyst', 'lead', 'admin')),
    languages TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    token_version INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Configurable taxonomies (admins manage them; codes are stable slugs).
CREATE TABLE audience_types (
    code TEXT PRIMARY KEY NOT NULL,
    label TEXT NOT NULL,
    position INTEGER NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE
);
INSERT INTO audience_types (code, label, position) VALUES
    ('journalist', 'Journalist', 1),
    ('human_rights_defender', 'Human-rights defender', 2),
    ('activist', 'Activist', 3),
    ('civil_society_organisation', 'Civil-society organisation', 4),
    ('lgbtqi_organisation', 'LGBTQI organisation', 5),
    ('sex_worker_organisation', 'Sex-worker organisation', 6),
    ('hiv_programme_implementer', 'HIV programme implementer', 7),
    ('other', 'Other', 8);

CREATE TABLE service_types (
    code TEXT PRIMARY KEY NOT NULL,
    label TEXT NOT NULL,
    position INTEGER NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE
);
INSERT INTO service_types (code, label, position) VALUES
    ('account_compromise', 'Account compromise', 1),
    ('suspicious_message', 'Suspicious message / phishing', 2),
    ('malware_device_compromise', 'Malware / device compromise', 3),
    ('online_harassment', 'Online harassment / doxxing', 4),
    ('website_down', 'Website down / DDoS', 5),
    ('secure_communications_advice', 'Secure communications advice', 6),
    ('data_leak', 'Data leak', 7),
    ('device_seized_lost', 'Device seized / lost', 8),
    ('other', 'Other', 9);

CREATE TABLE beneficiaries (
    id TEXT PRIMARY KEY NOT NULL,
    display_name TEXT NOT NULL,
    verification_status TEXT NOT NULL DEFAULT 'unverified'
        CHECK (verification_status IN ('unverified', 'verified', 'rejected')),
    audience_type TEXT REFERENCES audience_types (code),
    preferred_language TEXT,
    pgp_certificate TEXT,
    pgp_fingerprint TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((pgp_certificate IS NULL) = (pgp_fingerprint IS NULL))
);

CREATE TABLE beneficiary_emails (
    id TEXT PRIMARY KEY NOT NULL,
    beneficiary_id TEXT NOT NULL REFERENCES beneficiaries (id) ON DELETE CASCADE,
    address TEXT NOT NULL UNIQUE,
    is_primary BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX beneficiary_emails_beneficiary ON beneficiary_emails (beneficiary_id);

-- Every change of verification status, with who, when and why.
CREATE TABLE verification_changes (
    id TEXT PRIMARY KEY NOT NULL,
    beneficiary_id TEXT NOT NULL REFERENCES beneficiaries (id) ON DELETE CASCADE,
    from_status TEXT,
    to_status TEXT NOT NULL,
    changed_by TEXT REFERENCES users (id),
    reason TEXT NOT NULL,
    changed_at TIMESTAMP NOT NULL
);
CREATE INDEX verification_changes_beneficiary ON verification_changes (beneficiary_id, changed_at);

-- OpenPGP certificate changes: the first pin and every later proposal. A key is never
-- silently replaced: a proposal stays `pending` until a handler accepts or rejects it.
CREATE TABLE key_changes (
    id TEXT PRIMARY KEY NOT NULL,
    beneficiary_id TEXT NOT NULL REFERENCES beneficiaries (id) ON DELETE CASCADE,
    old_fingerprint TEXT,
    new_fingerprint TEXT NOT NULL,
    new_certificate TEXT NOT NULL,
    source TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected')),
    recorded_at TIMESTAMP NOT NULL,
    decided_by TEXT REFERENCES users (id),
    decided_at TIMESTAMP
);
CREATE INDEX key_changes_beneficiary ON key_changes (beneficiary_id, recorded_at);

-- Last case number handed out per year; the row lock serialises allocation.
CREATE TABLE case_reference_counters (
    year INTEGER PRIMARY KEY NOT NULL,
    last_number BIGINT NOT NULL
);

CREATE TABLE cases (
    id TEXT PRIMARY KEY NOT NULL,
    reference TEXT NOT NULL UNIQUE,
    beneficiary_id TEXT NOT NULL REFERENCES beneficiaries (id),
    status TEXT NOT NULL DEFAULT 'new'
        CHECK (status IN ('new', 'open', 'waiting_beneficiary', 'waiting_third_party', 'resolved', 'closed')),
    urgency TEXT NOT NULL CHECK (urgency IN ('critical', 'high', 'medium', 'low')),
    priority TEXT NOT NULL CHECK (priority IN ('P1', 'P2', 'P3', 'P4')),
    summary TEXT NOT NULL,
    service_type TEXT REFERENCES service_types (code),
    threat_type TEXT CHECK (threat_type IN ('direct', 'indirect', 'security_incident')),
    imminent_risk BOOLEAN NOT NULL DEFAULT FALSE,
    sensitivity TEXT NOT NULL DEFAULT 'normal' CHECK (sensitivity IN ('normal', 'restricted')),
    assignee_id TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    first_response_at TIMESTAMP,
    resolved_at TIMESTAMP,
    closed_at TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX cases_status_urgency ON cases (status, urgency, created_at, id);
CREATE INDEX cases_created ON cases (created_at, id);
CREATE INDEX cases_assignee ON cases (assignee_id, status);
CREATE INDEX cases_beneficiary ON cases (beneficiary_id);

CREATE TABLE case_status_changes (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    reopen BOOLEAN NOT NULL,
    changed_by TEXT REFERENCES users (id),
    note TEXT,
    changed_at TIMESTAMP NOT NULL
);
CREATE INDEX case_status_changes_case ON case_status_changes (case_id, changed_at);

CREATE TABLE third_parties (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    organisation TEXT NOT NULL,
    contact_name TEXT,
    role TEXT NOT NULL CHECK (role IN ('intermediary', 'platform_escalation', 'partner', 'other')),
    email TEXT,
    phone TEXT,
    notes TEXT,
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX third_parties_case ON third_parties (case_id);

CREATE TABLE messages (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    party TEXT NOT NULL CHECK (party IN ('beneficiary', 'third_party')),
    third_party_id TEXT REFERENCES third_parties (id),
    channel TEXT NOT NULL CHECK (channel IN ('email', 'phone_note', 'other')),
    subject TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL,
    message_id TEXT,
    in_reply_to TEXT,
    encrypted BOOLEAN NOT NULL DEFAULT FALSE,
    signature_status TEXT NOT NULL DEFAULT 'none'
        CHECK (signature_status IN ('good', 'bad', 'unknown_key', 'none')),
    signer_fingerprint TEXT,
    delivery_status TEXT CHECK (delivery_status IN ('queued', 'sent', 'failed', 'needs_key')),
    author_id TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    CHECK ((party = 'third_party') = (third_party_id IS NOT NULL)),
    CHECK (delivery_status IS NULL OR direction = 'outbound')
);
CREATE INDEX messages_case ON messages (case_id, created_at);
CREATE INDEX messages_message_id ON messages (message_id);

-- Evidence content, addressed by its SHA-256: the same file is stored once.
-- Immutable (chain of custody): updates are refused by a trigger.
CREATE TABLE evidence_blobs (
    sha256 TEXT PRIMARY KEY NOT NULL,
    size BIGINT NOT NULL,
    content BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE evidence (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    sha256 TEXT NOT NULL REFERENCES evidence_blobs (sha256),
    size BIGINT NOT NULL,
    media_type TEXT NOT NULL,
    original_name TEXT NOT NULL,
    description TEXT,
    added_by TEXT REFERENCES users (id),
    added_at TIMESTAMP NOT NULL,
    UNIQUE (case_id, sha256)
);
CREATE INDEX evidence_sha256 ON evidence (sha256);

CREATE TABLE indicators (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    original_value TEXT NOT NULL,
    note TEXT,
    first_seen TIMESTAMP NOT NULL,
    last_seen TIMESTAMP NOT NULL,
    added_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (case_id, kind, value)
);
CREATE INDEX indicators_value ON indicators (value, kind, case_id);

CREATE TABLE case_links (
    id TEXT PRIMARY KEY NOT NULL,
    source_case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    target_case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('related', 'parent_of', 'duplicate_of')),
    note TEXT,
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (source_case_id, target_case_id, kind),
    CHECK (source_case_id <> target_case_id)
);
CREATE INDEX case_links_target ON case_links (target_case_id);

CREATE TABLE actions (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    description TEXT NOT NULL,
    taken_by TEXT REFERENCES users (id),
    taken_at TIMESTAMP NOT NULL
);
CREATE INDEX actions_case ON actions (case_id, taken_at);

CREATE TABLE comments (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    author_id TEXT REFERENCES users (id),
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX comments_case ON comments (case_id, created_at);

CREATE TABLE next_steps (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    description TEXT NOT NULL,
    due_on DATE,
    done BOOLEAN NOT NULL DEFAULT FALSE,
    done_at TIMESTAMP,
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX next_steps_case ON next_steps (case_id, created_at);

-- Risk = threats x vulnerabilities / capacities (seed 000); every assessment is kept.
CREATE TABLE risk_assessments (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    risk_name TEXT NOT NULL,
    threats INTEGER NOT NULL CHECK (threats BETWEEN 1 AND 10),
    vulnerabilities INTEGER NOT NULL CHECK (vulnerabilities BETWEEN 1 AND 10),
    capacities INTEGER NOT NULL CHECK (capacities BETWEEN 1 AND 10),
    score REAL NOT NULL,
    notes TEXT,
    assessed_by TEXT REFERENCES users (id),
    assessed_at TIMESTAMP NOT NULL
);
CREATE INDEX risk_assessments_case ON risk_assessments (case_id, assessed_at);

-- Who did what to which case. No foreign key on case_id: the trail outlives the case.
CREATE TABLE audit_events (
    id TEXT PRIMARY KEY NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    actor_id TEXT REFERENCES users (id),
    action TEXT NOT NULL,
    case_id TEXT,
    target_kind TEXT,
    target_id TEXT,
    details TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_case ON audit_events (case_id, occurred_at);
CREATE INDEX audit_events_time ON audit_events (occurred_at);

CREATE TRIGGER evidence_blobs_immutable BEFORE UPDATE ON evidence_blobs
BEGIN
    SELECT RAISE(ABORT, 'evidence is immutable');
END;
CREATE TRIGGER evidence_immutable BEFORE UPDATE ON evidence
BEGIN
    SELECT RAISE(ABORT, 'evidence is immutable');
END;
