-- Reverting would leave sealed values without their lookups: refused once any data key
-- exists (restore a backup taken before the upgrade instead). The CHECK fails when there is one.
CREATE TEMP TABLE data_keys_guard (keys INTEGER NOT NULL CHECK (keys = 0));
INSERT INTO data_keys_guard SELECT COUNT(*) FROM data_keys;
DROP TABLE data_keys_guard;
DROP INDEX messages_message_id_token;
ALTER TABLE messages DROP COLUMN message_id_token;
CREATE INDEX messages_message_id ON messages (message_id);
CREATE TABLE indicators_old (
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
INSERT INTO indicators_old SELECT id, case_id, kind, value, original_value, note, first_seen, last_seen, added_by,
    created_at FROM indicators;
DROP TABLE indicators;
ALTER TABLE indicators_old RENAME TO indicators;
CREATE INDEX indicators_value ON indicators (value, kind, case_id);
DROP TABLE beneficiary_words;
DROP INDEX beneficiary_emails_token;
ALTER TABLE beneficiary_emails DROP COLUMN address_token;
