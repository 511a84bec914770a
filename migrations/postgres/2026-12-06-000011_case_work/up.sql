-- When each member of staff last opened each case: the queues mark what changed since.
-- Only ids and a time: nothing that identifies or narrates.
CREATE TABLE case_reads (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    read_at TIMESTAMP NOT NULL,
    UNIQUE (user_id, case_id)
);
CREATE INDEX case_reads_case ON case_reads (case_id);

-- A third party's OpenPGP key: e-mail written to them in the console is encrypted to it
-- (and waits, as `needs_key`, while they have none: nothing about a case leaves in clear).
ALTER TABLE third_parties ADD COLUMN pgp_certificate TEXT;
ALTER TABLE third_parties ADD COLUMN pgp_fingerprint TEXT;

-- The message a file came with (an attachment, or the mail as received), so that the thread
-- shows each message with its attachments; NULL for files added by hand.
ALTER TABLE evidence ADD COLUMN message_id TEXT;

-- Spanish examples beside the English and French ones (edit or retire them to suit).
INSERT INTO reply_templates (id, language, name, body, active, updated_by, updated_at) VALUES
('tpl-es-initial', 'es', 'Primera respuesta',
'Hola {beneficiary}:

Gracias por escribirnos. Su solicitud está registrada con la referencia {reference}; mantenga esta referencia en el asunto de sus respuestas.

Alguien del equipo le contestará pronto. Si está en peligro inmediato, díganoslo en una línea y le responderemos primero.

{handler}', TRUE, NULL, '2026-12-06 00:00:00'),
('tpl-es-vetting', 'es', 'Pregunta de verificación',
'Hola {beneficiary}:

Antes de seguir, necesitamos saber un poco más sobre usted y su trabajo. ¿Podría decirnos con qué organización trabaja y quién podría confirmárnoslo (una organización aliada que quizá ya conozcamos)?

Se lo preguntamos a todas las personas: así protegemos a quienes ayudamos.

{handler}', TRUE, NULL, '2026-12-06 00:00:00'),
('tpl-es-key-request', 'es', 'Solicitud de clave',
'Hola {beneficiary}:

Para escribirle de forma segura necesitamos su clave pública OpenPGP. Puede adjuntarla a su próximo mensaje o decirnos dónde encontrarla. Antes de usarla compararemos su huella con usted por otro canal (una llamada, por ejemplo).

{handler}', TRUE, NULL, '2026-12-06 00:00:00'),
('tpl-es-closure', 'es', 'Cierre',
'Hola {beneficiary}:

Cerramos la solicitud {reference}. Si el problema vuelve, o si algo más le preocupa, escríbanos de nuevo: una respuesta a este mensaje la reabre.

Cuídese,
{handler}', TRUE, NULL, '2026-12-06 00:00:00');

-- The word index of the cases (summary, message subjects and bodies), read by the search
-- instead of every message. Filled for the existing cases when this migration is applied.
CREATE TABLE case_words (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    word TEXT NOT NULL,
    UNIQUE (word, case_id)
);
CREATE INDEX case_words_case ON case_words (case_id);
