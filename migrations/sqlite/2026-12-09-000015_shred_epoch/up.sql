-- How many times data keys were destroyed (erasure, retention). A `serve` keeps the cases'
-- keys it has unwrapped in memory while this count is the one it read them at: any
-- erasure, by any instance, makes every instance read keys from the database again.
ALTER TABLE protection ADD COLUMN shred_epoch BIGINT NOT NULL DEFAULT 0;
