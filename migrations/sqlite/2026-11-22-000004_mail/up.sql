-- The mail gateway: what arrived (for idempotence), what could not be read (quarantine),
-- and the durable outbox of encrypted replies.

-- One row per distinct inbound message. A second delivery of the same message (same
-- Message-ID, same body) finds its receipt and is not stored again.
CREATE TABLE mail_receipts (
    id TEXT PRIMARY KEY NOT NULL,
    message_id_header TEXT NOT NULL,
    body_sha256 TEXT NOT NULL,
    raw_sha256 TEXT NOT NULL REFERENCES evidence_blobs (sha256),
    source TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('stored', 'quarantined')),
    case_id TEXT REFERENCES cases (id) ON DELETE SET NULL,
    message_row_id TEXT REFERENCES messages (id) ON DELETE SET NULL,
    quarantine_id TEXT,
    received_at TIMESTAMP NOT NULL,
    UNIQUE (message_id_header, body_sha256)
);

-- Messages the gateway could not read, with their raw bytes (in evidence_blobs) and why.
CREATE TABLE mail_quarantine (
    id TEXT PRIMARY KEY NOT NULL,
    received_at TIMESTAMP NOT NULL,
    source TEXT NOT NULL,
    reason_code TEXT NOT NULL,
    reason TEXT NOT NULL,
    from_address TEXT,
    subject TEXT NOT NULL DEFAULT '',
    message_id_header TEXT,
    raw_sha256 TEXT NOT NULL REFERENCES evidence_blobs (sha256),
    size BIGINT NOT NULL,
    resolved_at TIMESTAMP,
    resolved_by TEXT REFERENCES users (id)
);
CREATE INDEX mail_quarantine_received ON mail_quarantine (received_at);

-- Replies waiting for the SMTP worker. A row leaves when the message is sent or given up.
-- `locked_until` is a lease: a worker that dies mid-send loses it and another takes over.
CREATE TABLE outbox (
    message_row_id TEXT PRIMARY KEY NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,
    locked_by TEXT,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX outbox_due ON outbox (next_attempt_at);

-- What the gateway noticed about a message (repairs, undecryptable attachments, charsets).
ALTER TABLE messages ADD COLUMN gateway_notes TEXT;
