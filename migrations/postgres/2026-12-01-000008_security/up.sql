-- Security fixes (issue 12).

-- Trust in a beneficiary's pinned key: `unconfirmed` when it was learned from mail (anyone
-- can send mail with any From and any key), `confirmed` when a handler compared the
-- fingerprint out of band or entered the key. Provenance says where it came from.
ALTER TABLE beneficiaries ADD COLUMN key_trust TEXT CHECK (key_trust IN ('unconfirmed', 'confirmed'));
ALTER TABLE beneficiaries ADD COLUMN key_provenance TEXT;
ALTER TABLE beneficiaries ADD COLUMN key_pinned_at TIMESTAMP;
ALTER TABLE beneficiaries ADD COLUMN key_confirmed_by TEXT;
ALTER TABLE beneficiaries ADD COLUMN key_confirmed_at TIMESTAMP;
UPDATE beneficiaries
   SET key_trust = 'unconfirmed', key_provenance = 'pinned before key trust was recorded', key_pinned_at = updated_at
 WHERE pgp_fingerprint IS NOT NULL;
ALTER TABLE key_changes ADD COLUMN provenance TEXT NOT NULL DEFAULT '';

-- Who sent an inbound message (From), as received: threading checks it.
ALTER TABLE messages ADD COLUMN sender_address TEXT;
ALTER TABLE messages ADD COLUMN sender_name TEXT;

-- RFC 6238 5.2: a TOTP code is accepted once; the last accepted time step is kept.
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;

-- Evidence file names are served cleaned (no path, no control or bidirectional override
-- characters, at most 255 bytes); the name exactly as sent is kept when it differs.
ALTER TABLE evidence ADD COLUMN submitted_name TEXT;

-- Failed sign-in attempts, shared by every instance: per account and client address
-- together (an attacker elsewhere cannot lock a handler out), per address, per signed-in
-- user (password change, TOTP). Rows are forgotten a day after their last failure.
CREATE TABLE auth_failures (
    key TEXT PRIMARY KEY NOT NULL,
    failures INTEGER NOT NULL,
    window_started_at TIMESTAMP NOT NULL,
    last_failure_at TIMESTAMP NOT NULL,
    blocked_until TIMESTAMP
);
CREATE INDEX auth_failures_last ON auth_failures (last_failure_at);

-- Timestamps are stored at microsecond precision here already (SQLite's are truncated to
-- it in the same migration there).
