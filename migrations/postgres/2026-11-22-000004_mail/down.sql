ALTER TABLE messages DROP COLUMN gateway_notes;
DROP TABLE outbox;
DROP TABLE mail_quarantine;
DROP TABLE mail_receipts;
