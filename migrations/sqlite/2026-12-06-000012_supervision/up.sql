-- A lead acknowledges an escalation ("I am on it"): the other leads see who, and no further
-- reminder is sent for it (its queued notifications are withdrawn; an unanswered case's
-- escalation to the administrators is not raised once a lead acknowledged the case's).
-- (SQLite: no REFERENCES on an added column, which it could not drop again; users are
-- never deleted, nor are cases (an erasure blanks them).)
ALTER TABLE escalations ADD COLUMN acknowledged_by TEXT;
ALTER TABLE escalations ADD COLUMN acknowledged_at TIMESTAMP;

-- A notification withdrawn because a lead acknowledged its escalation before it was sent.
-- (SQLite changes a CHECK by rebuilding the table.)
CREATE TABLE notifications_new (
    id TEXT PRIMARY KEY NOT NULL,
    escalation_id TEXT NOT NULL REFERENCES escalations (id) ON DELETE CASCADE,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
    recipient TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed', 'withdrawn')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,
    locked_by TEXT,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
INSERT INTO notifications_new SELECT id, escalation_id, channel, recipient, status, attempts, next_attempt_at,
    locked_until, locked_by, last_error, created_at, sent_at FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;
CREATE INDEX notifications_due ON notifications (status, next_attempt_at);

-- The intake rotation in force and the one a lead planned from a later date: two rows at
-- most (the planned one takes over on its anchor).
CREATE TABLE rotation_new (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id IN (1, 2)),
    period TEXT NOT NULL CHECK (period IN ('weekly', 'daily')),
    anchor DATE NOT NULL,
    member_ids TEXT NOT NULL,
    updated_by TEXT REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO rotation_new SELECT id, period, anchor, member_ids, updated_by, updated_at FROM rotation;
DROP TABLE rotation;
ALTER TABLE rotation_new RENAME TO rotation;

-- How a quarantined message was dealt with: attached to a case, a case opened from it, or
-- discarded with a reason. Its raw bytes stay until retention removes them.
ALTER TABLE mail_quarantine ADD COLUMN resolution TEXT;
ALTER TABLE mail_quarantine ADD COLUMN resolution_note TEXT;
ALTER TABLE mail_quarantine ADD COLUMN case_id TEXT;

-- A taxonomy entry's label in each console language (the entry's own label is the English
-- one, and the fallback).
CREATE TABLE taxonomy_labels (
    id TEXT PRIMARY KEY NOT NULL,
    taxonomy TEXT NOT NULL CHECK (taxonomy IN ('audience_type', 'service_type')),
    code TEXT NOT NULL,
    language TEXT NOT NULL,
    label TEXT NOT NULL,
    UNIQUE (taxonomy, code, language)
);
INSERT INTO taxonomy_labels (id, taxonomy, code, language, label) VALUES
    ('audience_type:journalist:fr', 'audience_type', 'journalist', 'fr', 'Journaliste'),
    ('audience_type:human_rights_defender:fr', 'audience_type', 'human_rights_defender', 'fr', 'Défenseur·e des droits humains'),
    ('audience_type:activist:fr', 'audience_type', 'activist', 'fr', 'Militant·e'),
    ('audience_type:civil_society_organisation:fr', 'audience_type', 'civil_society_organisation', 'fr', 'Organisation de la société civile'),
    ('audience_type:lgbtqi_organisation:fr', 'audience_type', 'lgbtqi_organisation', 'fr', 'Organisation LGBTQI'),
    ('audience_type:sex_worker_organisation:fr', 'audience_type', 'sex_worker_organisation', 'fr', 'Organisation de travailleur·ses du sexe'),
    ('audience_type:hiv_programme_implementer:fr', 'audience_type', 'hiv_programme_implementer', 'fr', 'Programme VIH'),
    ('audience_type:other:fr', 'audience_type', 'other', 'fr', 'Autre'),
    ('service_type:account_compromise:fr', 'service_type', 'account_compromise', 'fr', 'Compte compromis'),
    ('service_type:suspicious_message:fr', 'service_type', 'suspicious_message', 'fr', 'Message suspect / hameçonnage'),
    ('service_type:malware_device_compromise:fr', 'service_type', 'malware_device_compromise', 'fr', 'Logiciel malveillant / appareil compromis'),
    ('service_type:online_harassment:fr', 'service_type', 'online_harassment', 'fr', 'Harcèlement en ligne / doxxing'),
    ('service_type:website_down:fr', 'service_type', 'website_down', 'fr', 'Site hors ligne / DDoS'),
    ('service_type:secure_communications_advice:fr', 'service_type', 'secure_communications_advice', 'fr', 'Conseil en communications sécurisées'),
    ('service_type:data_leak:fr', 'service_type', 'data_leak', 'fr', 'Fuite de données'),
    ('service_type:device_seized_lost:fr', 'service_type', 'device_seized_lost', 'fr', 'Appareil saisi / perdu'),
    ('service_type:other:fr', 'service_type', 'other', 'fr', 'Autre'),
    ('audience_type:journalist:es', 'audience_type', 'journalist', 'es', 'Periodista'),
    ('audience_type:human_rights_defender:es', 'audience_type', 'human_rights_defender', 'es', 'Defensor·a de derechos humanos'),
    ('audience_type:activist:es', 'audience_type', 'activist', 'es', 'Activista'),
    ('audience_type:civil_society_organisation:es', 'audience_type', 'civil_society_organisation', 'es', 'Organización de la sociedad civil'),
    ('audience_type:lgbtqi_organisation:es', 'audience_type', 'lgbtqi_organisation', 'es', 'Organización LGBTQI'),
    ('audience_type:sex_worker_organisation:es', 'audience_type', 'sex_worker_organisation', 'es', 'Organización de trabajadoras sexuales'),
    ('audience_type:hiv_programme_implementer:es', 'audience_type', 'hiv_programme_implementer', 'es', 'Programa de VIH'),
    ('audience_type:other:es', 'audience_type', 'other', 'es', 'Otro'),
    ('service_type:account_compromise:es', 'service_type', 'account_compromise', 'es', 'Cuenta comprometida'),
    ('service_type:suspicious_message:es', 'service_type', 'suspicious_message', 'es', 'Mensaje sospechoso / phishing'),
    ('service_type:malware_device_compromise:es', 'service_type', 'malware_device_compromise', 'es', 'Malware / dispositivo comprometido'),
    ('service_type:online_harassment:es', 'service_type', 'online_harassment', 'es', 'Acoso en línea / doxxing'),
    ('service_type:website_down:es', 'service_type', 'website_down', 'es', 'Sitio caído / DDoS'),
    ('service_type:secure_communications_advice:es', 'service_type', 'secure_communications_advice', 'es', 'Asesoría en comunicaciones seguras'),
    ('service_type:data_leak:es', 'service_type', 'data_leak', 'es', 'Fuga de datos'),
    ('service_type:device_seized_lost:es', 'service_type', 'device_seized_lost', 'es', 'Dispositivo incautado / perdido'),
    ('service_type:other:es', 'service_type', 'other', 'es', 'Otro');

-- An administrator reset a lost authenticator: the account signs in with its password only
-- to enrol a new one, and can do nothing else until it has.
ALTER TABLE users ADD COLUMN must_enrol_totp BOOLEAN NOT NULL DEFAULT FALSE;
