-- Protection at rest, level 2: beneficiaries, indicators and third parties are sealed; what
-- is looked up by value is looked up by a keyed token (blind index) instead.

-- An address is found by its token; it belongs to one beneficiary (the token is unique;
-- NULL until the upgrade computes it for an address an older version stored).
ALTER TABLE beneficiary_emails ADD COLUMN address_token TEXT;
CREATE UNIQUE INDEX beneficiary_emails_token ON beneficiary_emails (address_token);

-- The words of a beneficiary's name, as tokens: the list of cases filters by them.
CREATE TABLE beneficiary_words (
    id TEXT PRIMARY KEY NOT NULL,
    beneficiary_id TEXT NOT NULL REFERENCES beneficiaries (id) ON DELETE CASCADE,
    word TEXT NOT NULL,
    UNIQUE (beneficiary_id, word)
);
CREATE INDEX beneficiary_words_word ON beneficiary_words (word);

-- An indicator is correlated by the token of its kind and normalised value, once per case
-- ('' until the upgrade computes it). Its value is sealed, never equal to another: the
-- table is rebuilt without the UNIQUE (case_id, kind, value) that an erasure (values
-- emptied) would break (SQLite drops a constraint by rebuilding the table).
CREATE TABLE indicators_new (
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
    value_token TEXT NOT NULL DEFAULT ''
);
INSERT INTO indicators_new SELECT id, case_id, kind, value, original_value, note, first_seen, last_seen, added_by,
    created_at, '' FROM indicators;
DROP TABLE indicators;
ALTER TABLE indicators_new RENAME TO indicators;
CREATE UNIQUE INDEX indicators_token ON indicators (value_token, case_id) WHERE value_token <> '';
CREATE INDEX indicators_case ON indicators (case_id);

-- A message is found by the token of its Message-ID (threading); the Message-ID itself,
-- which may name the sender's mail provider, is sealed.
ALTER TABLE messages ADD COLUMN message_id_token TEXT;
DROP INDEX messages_message_id;
CREATE INDEX messages_message_id_token ON messages (message_id_token);
