-- Each user sees times (shifts) in their own IANA time zone; everything is stored in UTC.
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
