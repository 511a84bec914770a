ALTER TABLE evidence DROP COLUMN message_id;
ALTER TABLE third_parties DROP COLUMN pgp_fingerprint;
ALTER TABLE third_parties DROP COLUMN pgp_certificate;
DROP TABLE case_reads;
