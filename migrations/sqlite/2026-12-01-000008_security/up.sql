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

-- Every timestamp at microsecond precision, PostgreSQL's: SQLite kept nanoseconds that
-- came from outside the store's clock (token expiry, check-ins), and a move to PostgreSQL
-- then refused rows that did not read back equal. Text `YYYY-MM-DD HH:MM:SS.ffffff` is 26
-- characters; what is past them is below a microsecond.
UPDATE users SET created_at = substr(created_at, 1, 26) WHERE length(created_at) > 26;
UPDATE users SET updated_at = substr(updated_at, 1, 26) WHERE length(updated_at) > 26;
UPDATE shifts SET starts_at = substr(starts_at, 1, 26) WHERE length(starts_at) > 26;
UPDATE shifts SET ends_at = substr(ends_at, 1, 26) WHERE length(ends_at) > 26;
UPDATE shifts SET created_at = substr(created_at, 1, 26) WHERE length(created_at) > 26;
UPDATE check_ins SET checked_at = substr(checked_at, 1, 26) WHERE length(checked_at) > 26;
UPDATE rotation SET updated_at = substr(updated_at, 1, 26) WHERE length(updated_at) > 26;
UPDATE assignment_decisions SET decided_at = substr(decided_at, 1, 26) WHERE length(decided_at) > 26;
UPDATE auth_failures SET window_started_at = substr(window_started_at, 1, 26) WHERE length(window_started_at) > 26;
UPDATE auth_failures SET last_failure_at = substr(last_failure_at, 1, 26) WHERE length(last_failure_at) > 26;
UPDATE auth_failures SET blocked_until = substr(blocked_until, 1, 26) WHERE length(blocked_until) > 26;
UPDATE refresh_tokens SET created_at = substr(created_at, 1, 26) WHERE length(created_at) > 26;
UPDATE refresh_tokens SET expires_at = substr(expires_at, 1, 26) WHERE length(expires_at) > 26;
UPDATE refresh_tokens SET used_at = substr(used_at, 1, 26) WHERE length(used_at) > 26;
UPDATE refresh_tokens SET revoked_at = substr(revoked_at, 1, 26) WHERE length(revoked_at) > 26;
UPDATE beneficiaries SET created_at = substr(created_at, 1, 26) WHERE length(created_at) > 26;
UPDATE beneficiaries SET updated_at = substr(updated_at, 1, 26) WHERE length(updated_at) > 26;
UPDATE beneficiaries SET erased_at = substr(erased_at, 1, 26) WHERE length(erased_at) > 26;
UPDATE beneficiaries SET key_pinned_at = substr(key_pinned_at, 1, 26) WHERE length(key_pinned_at) > 26;
UPDATE beneficiaries SET key_confirmed_at = substr(key_confirmed_at, 1, 26) WHERE length(key_confirmed_at) > 26;
UPDATE beneficiary_emails SET created_at = substr(created_at, 1, 26) WHERE length(created_at) > 26;
UPDATE verification_changes SET changed_at = substr(changed_at, 1, 26) WHERE length(changed_at) > 26;
UPDATE key_changes SET recorded_at = substr(recorded_at, 1, 26) WHERE length(recorded_at) > 26;
UPDATE key_changes SET decided_at = substr(decided_at, 1, 26) WHERE length(decided_at) > 26;
UPDATE cases SET created_at = substr(created_at, 1, 26) WHERE length(created_at) > 26;
UPDATE cases SET updated_at = substr(updated_at, 1, 26) WHERE length(updated_at) > 26;
UPDATE cases SET first_response_at = substr(first_response_at, 1, 26) WHERE length(first_response_at) > 26;
UPDATE cases SET resolved_at = substr(resolved_at, 1, 26) WHERE length(resolved_at) > 26;
UPDATE cases SET closed_at = substr(closed_at, 1, 26) WHERE length(closed_at) > 26;
UPDATE cases SET erased_at = substr(erased_at, 1, 26) WHERE length(erased_at) > 26;
UPDATE case_status_changes SET changed_at = substr(changed_at, 1, 26) WHERE length(changed_at) > 26;
UPDATE third_parties SET created_at = substr(created_at, 1, 26) WHERE length(created_at) > 26;
UPDATE messages SET created_at = substr(created_at, 1, 26) WHERE length(created_at) > 26;
UPDATE evidence_blobs SET created_at = substr(created_at, 1, 26) WHERE length(created_at) > 26;
UPDATE evidence SET added_at = substr(added_at, 1, 26) WHERE length(added_at) > 26;
UPDATE indicators SET first_seen = substr(first_seen, 1, 26) WHERE length(first_seen) > 26;
UPDATE indicators SET last_seen = substr(last_seen, 1, 26) WHERE length(last_seen) > 26;
UPDATE indicators SET created_at = substr(created_at, 1, 26) WHERE length(created_at) > 26;
UPDATE case_links SET created_at = substr(created_at, 1, 26) WHERE length(created_at) > 26;
UPDATE actions SET taken_at = substr(taken_at, 1, 26) WHERE length(taken_at) > 26;
UPDATE comments SET created_at = substr(created_at, 1, 26) WHERE length(created_at) > 26;
UPDATE next_steps SET done_at = substr(done_at, 1, 26) WHERE length(done_at) > 26;
UPDATE next_steps SET created_at = substr(created_at, 1, 26) WHERE length(created_at) > 26;
UPDATE risk_assessments SET assessed_at = substr(assessed_at, 1, 26) WHERE length(assessed_at) > 26;
UPDATE audit_events SET occurred_at = substr(occurred_at, 1, 26) WHERE length(occurred_at) > 26;
UPDATE mail_receipts SET received_at = substr(received_at, 1, 26) WHERE length(received_at) > 26;
UPDATE mail_quarantine SET received_at = substr(received_at, 1, 26) WHERE length(received_at) > 26;
UPDATE mail_quarantine SET resolved_at = substr(resolved_at, 1, 26) WHERE length(resolved_at) > 26;
UPDATE outbox SET next_attempt_at = substr(next_attempt_at, 1, 26) WHERE length(next_attempt_at) > 26;
UPDATE outbox SET locked_until = substr(locked_until, 1, 26) WHERE length(locked_until) > 26;
UPDATE outbox SET created_at = substr(created_at, 1, 26) WHERE length(created_at) > 26;
UPDATE escalations SET due_at = substr(due_at, 1, 26) WHERE length(due_at) > 26;
UPDATE escalations SET raised_at = substr(raised_at, 1, 26) WHERE length(raised_at) > 26;
UPDATE notifications SET next_attempt_at = substr(next_attempt_at, 1, 26) WHERE length(next_attempt_at) > 26;
UPDATE notifications SET locked_until = substr(locked_until, 1, 26) WHERE length(locked_until) > 26;
UPDATE notifications SET created_at = substr(created_at, 1, 26) WHERE length(created_at) > 26;
UPDATE notifications SET sent_at = substr(sent_at, 1, 26) WHERE length(sent_at) > 26;
UPDATE erasures SET erased_at = substr(erased_at, 1, 26) WHERE length(erased_at) > 26;
