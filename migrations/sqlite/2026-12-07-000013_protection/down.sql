-- The data keys are the only way to read what they sealed: never dropped while any exists
-- (restore a backup taken before the upgrade instead). The CHECK fails when there is one.
CREATE TEMP TABLE data_keys_guard (keys INTEGER NOT NULL CHECK (keys = 0));
INSERT INTO data_keys_guard SELECT COUNT(*) FROM data_keys;
DROP TABLE data_keys_guard;
DROP TABLE protection;
DROP TABLE data_keys;
