-- When each member of staff last opened each case: the queues mark what changed since.
-- Only ids and a time: nothing that identifies or narrates.
CREATE TABLE case_reads (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    read_at TIMESTAMP NOT NULL,
    UNIQUE (user_id, case_id)
);
CREATE INDEX case_reads_case ON case_reads (case_id);

-- A third party's OpenPGP key: e-mail written to them in the console is encrypted to it
-- (and waits, as `needs_key`, while they have none: nothing about a case leaves in clear).
ALTER TABLE third_parties ADD COLUMN pgp_certificate TEXT;
ALTER TABLE third_parties ADD COLUMN pgp_fingerprint TEXT;

-- The message a file came with (an attachment, or the mail as received), so that the thread
-- shows each message with its attachments; NULL for files added by hand.
ALTER TABLE evidence ADD COLUMN message_id TEXT;
