ALTER TABLE protection DROP COLUMN shred_epoch;
