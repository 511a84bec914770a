-- Reply templates: canned answers kept per language, inserted into a reply in the
-- beneficiary's language. Placeholders: {beneficiary} (their name), {reference} (the
-- case's), {handler} (the name of whoever writes). Leads manage them; a retired one stays
-- for the record but is no longer offered.
CREATE TABLE reply_templates (
    id TEXT PRIMARY KEY NOT NULL,
    language TEXT NOT NULL,
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    updated_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX reply_templates_language_name ON reply_templates (language, name);

-- The examples Rempart ships with, written for it (edit or retire them to suit).
INSERT INTO reply_templates (id, language, name, body, active, updated_by, updated_at) VALUES
('tpl-en-initial', 'en', 'Initial reply',
'Hello {beneficiary},

Thank you for writing to us. Your request is registered as {reference}; keep this reference in the subject of your replies.

Someone from the team will come back to you soon. If you are in immediate danger, tell us in one line and we will answer first.

{handler}', TRUE, NULL, '2026-12-05 00:00:00'),
('tpl-en-vetting', 'en', 'Vetting question',
'Hello {beneficiary},

Before we go further, we need to know a little more about you and your work. Could you tell us which organisation you work with, and who could confirm it to us (a partner organisation we may already know)?

We ask everyone this: it protects the people we help.

{handler}', TRUE, NULL, '2026-12-05 00:00:00'),
('tpl-en-key-request', 'en', 'Key request',
'Hello {beneficiary},

To write to you safely, we need your OpenPGP public key. You can attach it to your next message, or tell us where to find it. We will then compare its fingerprint with you through another channel (a call, for example) before using it.

{handler}', TRUE, NULL, '2026-12-05 00:00:00'),
('tpl-en-closure', 'en', 'Closure',
'Hello {beneficiary},

We are closing request {reference}. If the problem comes back, or if anything else worries you, write to us again: a reply to this message reopens it.

Take care,
{handler}', TRUE, NULL, '2026-12-05 00:00:00'),
('tpl-fr-initial', 'fr', 'Première réponse',
'Bonjour {beneficiary},

Merci de nous avoir écrit. Votre demande est enregistrée sous la référence {reference} ; gardez cette référence dans l''objet de vos réponses.

Une personne de l''équipe vous répondra bientôt. Si vous êtes en danger immédiat, dites-le-nous en une ligne et nous vous répondrons en priorité.

{handler}', TRUE, NULL, '2026-12-05 00:00:00'),
('tpl-fr-vetting', 'fr', 'Question de vérification',
'Bonjour {beneficiary},

Avant d''aller plus loin, nous avons besoin d''en savoir un peu plus sur vous et votre travail. Pouvez-vous nous dire avec quelle organisation vous travaillez, et qui pourrait nous le confirmer (une organisation partenaire que nous connaissons peut-être déjà) ?

Nous le demandons à tout le monde : cela protège les personnes que nous aidons.

{handler}', TRUE, NULL, '2026-12-05 00:00:00'),
('tpl-fr-key-request', 'fr', 'Demande de clé',
'Bonjour {beneficiary},

Pour vous écrire en sécurité, nous avons besoin de votre clé publique OpenPGP. Vous pouvez la joindre à votre prochain message, ou nous dire où la trouver. Nous comparerons ensuite son empreinte avec vous par un autre canal (un appel, par exemple) avant de l''utiliser.

{handler}', TRUE, NULL, '2026-12-05 00:00:00'),
('tpl-fr-closure', 'fr', 'Clôture',
'Bonjour {beneficiary},

Nous clôturons la demande {reference}. Si le problème revient, ou si quelque chose d''autre vous inquiète, écrivez-nous à nouveau : une réponse à ce message la rouvre.

Prenez soin de vous,
{handler}', TRUE, NULL, '2026-12-05 00:00:00');
