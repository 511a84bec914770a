-- The data keys are the only way to read what they sealed: never dropped while any exists
-- (restore a backup taken before the upgrade instead).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM data_keys) THEN
        RAISE EXCEPTION 'data_keys holds keys: reverting would make every sealed value unreadable';
    END IF;
END $$;
DROP TABLE protection;
DROP TABLE data_keys;
