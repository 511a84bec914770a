DROP INDEX mail_quarantine_raw;
DROP INDEX mail_receipts_raw;
DROP INDEX mail_receipts_case;
DROP INDEX cases_retention;
DROP TABLE erasures;
ALTER TABLE beneficiaries DROP COLUMN erased_at;
ALTER TABLE cases DROP COLUMN erased_at;
