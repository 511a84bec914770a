DROP TABLE case_words;
DELETE FROM reply_templates WHERE id IN ('tpl-es-initial', 'tpl-es-vetting', 'tpl-es-key-request', 'tpl-es-closure');
ALTER TABLE evidence DROP COLUMN message_id;
ALTER TABLE third_parties DROP COLUMN pgp_fingerprint;
ALTER TABLE third_parties DROP COLUMN pgp_certificate;
DROP TABLE case_reads;
