-- Protection at rest, level 2: beneficiaries, indicators and third parties are sealed; what
-- is looked up by value is looked up by a keyed token (blind index) instead.

-- An address is found by its token; it belongs to one beneficiary (the token is unique;
-- NULL until the upgrade computes it for an address an older version stored).
ALTER TABLE beneficiary_emails ADD COLUMN address_token TEXT;
-- The sealed address itself is never equal to another (a fresh nonce each time).
ALTER TABLE beneficiary_emails DROP CONSTRAINT beneficiary_emails_address_key;
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
-- ('' until the upgrade computes it); its sealed value is never equal to another.
ALTER TABLE indicators ADD COLUMN value_token TEXT NOT NULL DEFAULT '';
DROP INDEX indicators_value;
ALTER TABLE indicators DROP CONSTRAINT indicators_case_id_kind_value_key;
-- Once per case (the token names the kind and the value); '' until the upgrade computes it.
CREATE UNIQUE INDEX indicators_token ON indicators (value_token, case_id) WHERE value_token <> '';
CREATE INDEX indicators_case ON indicators (case_id);

-- A message is found by the token of its Message-ID (threading); the Message-ID itself,
-- which may name the sender's mail provider, is sealed.
ALTER TABLE messages ADD COLUMN message_id_token TEXT;
DROP INDEX messages_message_id;
CREATE INDEX messages_message_id_token ON messages (message_id_token);
