DROP TABLE taxonomy_labels;
ALTER TABLE mail_quarantine DROP COLUMN case_id;
ALTER TABLE mail_quarantine DROP COLUMN resolution_note;
ALTER TABLE mail_quarantine DROP COLUMN resolution;
ALTER TABLE escalations DROP COLUMN acknowledged_at;
ALTER TABLE escalations DROP COLUMN acknowledged_by;
DELETE FROM notifications WHERE status = 'withdrawn';
ALTER TABLE notifications DROP CONSTRAINT notifications_status_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_status_check CHECK (status IN ('queued', 'sent', 'failed'));
