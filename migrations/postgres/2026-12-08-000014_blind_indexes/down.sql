-- Reverting would leave sealed values without their lookups: refused once any data key
-- exists (restore a backup taken before the upgrade instead).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM data_keys) THEN
        RAISE EXCEPTION 'data_keys holds keys: reverting would leave sealed values without their lookups';
    END IF;
END $$;
DROP INDEX messages_message_id_token;
ALTER TABLE messages DROP COLUMN message_id_token;
CREATE INDEX messages_message_id ON messages (message_id);
DROP INDEX indicators_case;
DROP INDEX indicators_token;
ALTER TABLE indicators DROP COLUMN value_token;
ALTER TABLE indicators ADD CONSTRAINT indicators_case_id_kind_value_key UNIQUE (case_id, kind, value);
CREATE INDEX indicators_value ON indicators (value, kind, case_id);
DROP TABLE beneficiary_words;
DROP INDEX beneficiary_emails_token;
ALTER TABLE beneficiary_emails DROP COLUMN address_token;
ALTER TABLE beneficiary_emails ADD CONSTRAINT beneficiary_emails_address_key UNIQUE (address);
