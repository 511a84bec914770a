//! Synthetic data in bulk, for benchmarks: cases with messages and indicators, inserted
//! through the store's insert forms in large batches. Invented names only.

use chrono::{Datelike, Duration, NaiveDateTime};
use diesel::prelude::*;
use rand::Rng;
use rand::rngs::StdRng;
use rempart_core::{
    CaseStatus, Channel, IndicatorKind, NormalizedIndicator, Priority, Sensitivity, SignatureStatus, Urgency,
};
use rempart_store::DbConn;
use rempart_store::beneficiaries::BeneficiaryInsertForm;
use rempart_store::cases::CaseInsertForm;
use rempart_store::indicators::IndicatorInsertForm;
use rempart_store::messages::MessageInsertForm;
use rempart_store::schema::{
    beneficiaries, beneficiary_words, case_reference_counters, case_words, cases, indicators, messages,
};
use rempart_store::sealing::{self, Owner};
use std::collections::BTreeMap;

pub const MESSAGES_PER_CASE: usize = 5;
pub const INDICATORS_PER_CASE: usize = 3;
const BATCH_CASES: usize = 500;
pub const STATUSES: [CaseStatus; 6] = [
    CaseStatus::New,
    CaseStatus::Open,
    CaseStatus::WaitingBeneficiary,
    CaseStatus::WaitingThirdParty,
    CaseStatus::Resolved,
    CaseStatus::Closed,
];
pub const URGENCIES: [Urgency; 4] = [Urgency::Critical, Urgency::High, Urgency::Medium, Urgency::Low];

/// What a load created, to pick from when measuring reads.
#[derive(Debug, Default)]
pub struct Loaded {
    pub case_ids: Vec<String>,
    /// Indicator values as typed (before normalisation).
    pub indicator_values: Vec<String>,
}

/// A message body of 40 to 160 words.
pub fn body(rng: &mut StdRng) -> String {
    const WORDS: &[&str] = &[
        "compte",
        "signal",
        "mot",
        "de",
        "passe",
        "téléphone",
        "menace",
        "harcèlement",
        "site",
        "attaque",
        "message",
        "lien",
        "suspect",
        "vérifier",
        "sauvegarde",
        "chiffrement",
        "journaliste",
        "urgence",
    ];
    (0..rng.random_range(40..160)).map(|_| WORDS[rng.random_range(0..WORDS.len())]).collect::<Vec<_>>().join(" ")
}

/// An indicator drawn from a pool about the size of the case count, so a value is shared
/// by a few cases on average, as campaigns hit several beneficiaries.
pub fn indicator(rng: &mut StdRng, pool: usize) -> (IndicatorKind, String) {
    let n = rng.random_range(0..pool.max(1));
    match n % 4 {
        0 => (IndicatorKind::Domain, format!("phish-{n}.example")),
        1 => (IndicatorKind::Ip, format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255)),
        2 => (IndicatorKind::Email, format!("sender{n}@bad.example")),
        _ => (IndicatorKind::Phone, format!("+336{:08}", n)),
    }
}

/// Multi-row INSERT, which diesel offers per backend but not over `MultiBackend`.
macro_rules! insert_batch {
    ($conn:expr, $table:expr, $rows:expr) => {
        match $conn {
            DbConn::Sqlite(c) => diesel::insert_into($table).values($rows).execute(c),
            DbConn::Postgres(c) => diesel::insert_into($table).values($rows).execute(c),
        }
    };
}

/// A benchmark's database: `count` cases loaded (seed 7), then settled as a database in
/// service is: statistics gathered, visibility maps set, the load's dirty pages written out
/// (else the first writes after it pay for a checkpoint and full-page images in the WAL).
pub fn preload(db: &crate::TestDb, count: usize) -> Loaded {
    use rand::SeedableRng;
    let mut loaded = Loaded::default();
    let start = std::time::Instant::now();
    bulk_load(&mut db.conn(), &mut StdRng::seed_from_u64(7), count, count, &mut loaded);
    let settle: &[&str] = match db.backend() {
        rempart_store::Backend::Postgres => &["VACUUM ANALYZE", "CHECKPOINT"],
        rempart_store::Backend::Sqlite => &["ANALYZE", "PRAGMA wal_checkpoint(TRUNCATE)"],
    };
    for statement in settle {
        diesel::sql_query(*statement).execute(&mut *db.conn()).unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
    println!("preloaded {count} cases in {:.1} s", start.elapsed().as_secs_f64());
    loaded
}

/// Inserts `count` cases (with messages and indicators) in batches of 500 per transaction,
/// with creation times spread over two years and sequential references.
pub fn bulk_load(conn: &mut DbConn, rng: &mut StdRng, count: usize, pool: usize, loaded: &mut Loaded) {
    // Microseconds, as the store writes them (PostgreSQL keeps no finer).
    let now = chrono::Utc::now().naive_utc();
    let now = now - Duration::nanoseconds(i64::from(now.and_utc().timestamp_subsec_nanos() % 1000));
    let mut counters: BTreeMap<i32, i64> = case_reference_counters::table
        .select((case_reference_counters::year, case_reference_counters::last_number))
        .load::<(i32, i64)>(conn)
        .expect("counters")
        .into_iter()
        .collect();
    let mut done = 0;
    while done < count {
        let n = BATCH_CASES.min(count - done);
        let mut bens = Vec::with_capacity(n / 4 + 1);
        let mut case_rows = Vec::with_capacity(n);
        let mut message_rows = Vec::with_capacity(n * MESSAGES_PER_CASE);
        let mut indicator_rows = Vec::with_capacity(n * INDICATORS_PER_CASE);
        // Creation times spread over two years, in order, so references stay sequential.
        let mut times: Vec<NaiveDateTime> =
            (0..n).map(|_| now - Duration::seconds(rng.random_range(0..(2 * 365 * 86_400)))).collect();
        times.sort();
        let mut beneficiary_id = String::new();
        for (i, created_at) in times.into_iter().enumerate() {
            if i % 4 == 0 {
                beneficiary_id = uuid::Uuid::now_v7().to_string();
                bens.push(BeneficiaryInsertForm {
                    id: beneficiary_id.clone(),
                    display_name: format!("Beneficiary {}", done + i),
                    verification_status: "verified".into(),
                    audience_type: Some("journalist".into()),
                    preferred_language: Some("fr".into()),
                    pgp_certificate: None,
                    pgp_fingerprint: None,
                    created_at,
                    updated_at: created_at,
                });
            }
            let year = created_at.year();
            let number = counters.entry(year).or_insert(0);
            *number += 1;
            let id = uuid::Uuid::now_v7().to_string();
            case_rows.push(CaseInsertForm {
                id: id.clone(),
                reference: rempart_core::CaseReference::new(year, *number).expect("reference").to_string(),
                beneficiary_id: beneficiary_id.clone(),
                status: STATUSES[rng.random_range(0..STATUSES.len())].into(),
                urgency: URGENCIES[rng.random_range(0..URGENCIES.len())].into(),
                priority: Priority::P3.into(),
                summary: body(rng).chars().take(200).collect(),
                service_type: Some("suspicious_message".into()),
                threat_type: None,
                imminent_risk: rng.random_bool(0.05),
                sensitivity: Sensitivity::Normal.into(),
                assignee_id: None,
                created_at,
                updated_at: created_at,
                version: 1,
            });
            for m in 0..MESSAGES_PER_CASE {
                message_rows.push(MessageInsertForm {
                    id: uuid::Uuid::now_v7().to_string(),
                    case_id: id.clone(),
                    direction: if m % 2 == 0 { "inbound" } else { "outbound" }.into(),
                    party: "beneficiary".into(),
                    third_party_id: None,
                    channel: Channel::Email.into(),
                    subject: format!("Message {m}"),
                    body: body(rng),
                    message_id: Some(format!("<{}@bench.example>", uuid::Uuid::new_v4())),
                    in_reply_to: None,
                    encrypted: true,
                    signature_status: SignatureStatus::Good.into(),
                    signer_fingerprint: None,
                    delivery_status: (m % 2 == 1).then(|| "sent".to_owned()),
                    author_id: None,
                    created_at: created_at + Duration::minutes(m as i64 * 30),
                    gateway_notes: None,
                    sender_address: None,
                    sender_name: None,
                    message_id_token: None,
                });
            }
            let mut seen = Vec::new();
            for _ in 0..INDICATORS_PER_CASE {
                let (kind, raw) = indicator(rng, pool);
                let value = NormalizedIndicator::parse(kind, &raw).expect("valid indicator").value;
                if seen.contains(&(kind, value.clone())) {
                    continue;
                }
                seen.push((kind, value.clone()));
                loaded.indicator_values.push(raw.clone());
                indicator_rows.push(IndicatorInsertForm {
                    id: uuid::Uuid::now_v7().to_string(),
                    case_id: id.clone(),
                    kind: kind.into(),
                    value,
                    original_value: raw,
                    note: None,
                    first_seen: created_at,
                    last_seen: created_at,
                    added_by: None,
                    created_at,
                    value_token: String::new(),
                });
            }
            loaded.case_ids.push(id);
        }
        conn.write(|conn| -> Result<(), rempart_store::StoreError> {
            // Sealed as the store seals what it writes: a data key per case, the words as
            // blind-index tokens.
            let owners: Vec<Owner<'_>> = case_rows.iter().map(|c| Owner::Case(&c.id)).collect();
            let keys = sealing::make_keys(conn, &owners)?;
            let index = sealing::index_key(conn)?;
            let mut word_rows = Vec::new();
            for (case, messages) in case_rows.iter().zip(message_rows.chunks(MESSAGES_PER_CASE)) {
                let texts = std::iter::once(case.summary.as_str())
                    .chain(messages.iter().flat_map(|m| [m.subject.as_str(), m.body.as_str()]));
                for word in rempart_store::case_words::words(texts) {
                    word_rows.push((
                        case_words::id.eq(uuid::Uuid::now_v7().to_string()),
                        case_words::case_id.eq(case.id.clone()),
                        case_words::word.eq(index.token(rempart_store::case_words::TOKEN_DOMAIN, &word)),
                    ));
                }
            }
            let mut sealed_cases = case_rows.clone();
            for (case, key) in sealed_cases.iter_mut().zip(&keys) {
                case.summary = key.seal("cases", "summary", &case.id, &case.summary);
            }
            let mut sealed_messages = message_rows.clone();
            for (messages, key) in sealed_messages.chunks_mut(MESSAGES_PER_CASE).zip(&keys) {
                for m in messages {
                    m.message_id_token =
                        m.message_id.as_deref().map(|id| rempart_store::messages::message_id_token(&index, id));
                    m.seal(key);
                }
            }
            let by_case: std::collections::HashMap<&str, &sealing::Sealer> =
                case_rows.iter().map(|c| c.id.as_str()).zip(&keys).collect();
            let mut sealed_indicators = indicator_rows.clone();
            for i in &mut sealed_indicators {
                let kind = rempart_core::IndicatorKind::try_from(i.kind.clone()).expect("kind");
                i.value_token = rempart_store::indicators::value_token(&index, kind, &i.value);
                let key = by_case[i.case_id.as_str()];
                i.value = key.seal("indicators", "value", &i.id, &i.value);
                i.original_value = key.seal("indicators", "original_value", &i.id, &i.original_value);
            }
            let owners: Vec<Owner<'_>> = bens.iter().map(|b| Owner::Beneficiary(&b.id)).collect();
            let ben_keys = sealing::make_keys(conn, &owners)?;
            let mut name_rows = Vec::new();
            let mut sealed_bens = bens.clone();
            for (b, key) in sealed_bens.iter_mut().zip(&ben_keys) {
                for token in rempart_store::beneficiaries::word_tokens(&index, [b.display_name.as_str()]) {
                    name_rows.push((
                        beneficiary_words::id.eq(uuid::Uuid::now_v7().to_string()),
                        beneficiary_words::beneficiary_id.eq(b.id.clone()),
                        beneficiary_words::word.eq(token),
                    ));
                }
                b.display_name = key.seal("beneficiaries", "display_name", &b.id, &b.display_name);
            }
            let (case_rows, message_rows, indicator_rows) = (sealed_cases, sealed_messages, sealed_indicators);
            insert_batch!(conn, beneficiaries::table, &sealed_bens)?;
            insert_batch!(conn, beneficiary_words::table, &name_rows)?;
            for chunk in case_rows.chunks(1000) {
                insert_batch!(conn, cases::table, chunk)?;
            }
            for chunk in message_rows.chunks(1000) {
                insert_batch!(conn, messages::table, chunk)?;
            }
            for chunk in indicator_rows.chunks(1000) {
                insert_batch!(conn, indicators::table, chunk)?;
            }
            for chunk in word_rows.chunks(1000) {
                insert_batch!(conn, case_words::table, chunk)?;
            }
            for (year, last) in &counters {
                let row = (case_reference_counters::year.eq(*year), case_reference_counters::last_number.eq(*last));
                let updated = diesel::update(case_reference_counters::table.find(*year))
                    .set(case_reference_counters::last_number.eq(*last))
                    .execute(conn)?;
                if updated == 0 {
                    diesel::insert_into(case_reference_counters::table).values(row).execute(conn)?;
                }
            }
            Ok(())
        })
        .expect("bulk batch");
        done += n;
    }
}

/// One or more rows in every table, every nullable column filled at least once, with text
/// that tests encodings (accents, quotes, newlines, an emoji) and an evidence file with
/// every byte value: what a backup or a move between engines must carry over exactly.
/// Invented data only. Written in clear, as an older Rempart left them, then sealed by the
/// protection upgrade, as `serve` does at start. Returns the id of the case it created.
pub fn every_table(conn: &mut DbConn) -> String {
    let case = every_table_in_clear(conn);
    rempart_store::protection::upgrade(conn).expect("protection upgrade");
    case
}

/// [`every_table`] as an older Rempart (before protection at rest) wrote it: in clear.
pub fn every_table_in_clear(conn: &mut DbConn) -> String {
    let blob: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    let sha = rempart_store::evidence::put_blob(conn, &blob).expect("blob");
    let t1 = "2026-03-04 05:06:07.123456";
    let t2 = "2026-03-05 09:00:00";
    let text = "Bonjour,\nmon compte « Signal » a été piraté 🙁 — l''attaquant a écrit \"paie\"\\.";
    let statements = [
        format!(
            "INSERT INTO users (id, email, display_name, role, languages, password_hash, active, must_change_password, \
             token_version, created_at, updated_at, totp_secret, totp_enabled, capacity, cleared_for_restricted, time_zone, \
             totp_last_step) \
             VALUES ('u-1', 'lead@helpline.example', 'Léa Lead', 'lead', 'fr,en', '$argon2id$v=19$fake', TRUE, FALSE, 3, \
             '{t1}', '{t2}', 'JBSWY3DPEHPK3PXP', TRUE, 20, TRUE, 'Europe/Paris', 59342000)"
        ),
        format!(
            "INSERT INTO auth_failures (key, failures, window_started_at, last_failure_at, blocked_until) \
             VALUES ('pair:lead@helpline.example|192.0.2.1', 5, '{t1}', '{t1}', '{t2}')"
        ),
        format!(
            "INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, created_at, expires_at, used_at, revoked_at) \
             VALUES ('rt-1', 'u-1', 'fam-1', 'hash-1', '{t1}', '{t2}', '{t1}', '{t2}')"
        ),
        format!(
            "INSERT INTO console_sessions (id, token_hash, user_id, token_version, csrf_token, created_at, last_seen_at) \
             VALUES ('cs-1', 'hash-c1', 'u-1', 3, 'csrf-1', '{t1}', '{t2}')"
        ),
        format!(
            "INSERT INTO reply_templates (id, language, name, body, active, updated_by, updated_at) \
             VALUES ('tpl-1', 'es', 'Saludo', 'Hola {{beneficiary}}, ''{text}''', FALSE, 'u-1', '{t1}')"
        ),
        "INSERT INTO audience_types (code, label, position, active) VALUES ('sex_worker_org', 'Organisation de travailleur·ses du sexe', 99, FALSE)".to_owned(),
        format!(
            "INSERT INTO shifts (id, user_id, kind, starts_at, ends_at, created_by, created_at) \
             VALUES ('sh-1', 'u-1', 'intake', '{t1}', '{t2}', 'u-1', '{t1}')"
        ),
        format!(
            "INSERT INTO check_ins (id, shift_id, user_id, fit, private_note, checked_at) \
             VALUES ('ci-1', 'sh-1', 'u-1', FALSE, 'fatiguée', '{t1}')"
        ),
        format!(
            "INSERT INTO rotation (id, period, anchor, member_ids, updated_by, updated_at) \
             VALUES (1, 'weekly', '2026-03-02', 'u-1', 'u-1', '{t1}')"
        ),
        format!(
            "INSERT INTO beneficiaries (id, display_name, verification_status, audience_type, preferred_language, \
             pgp_certificate, pgp_fingerprint, created_at, updated_at, key_trust, key_provenance, key_pinned_at, \
             key_confirmed_by, key_confirmed_at) \
             VALUES ('b-1', 'Amina « K. »', 'verified', 'journalist', 'pt-BR', '-----BEGIN PGP PUBLIC KEY BLOCK-----\nfake\n', \
             'ABCDEF0123456789ABCDEF0123456789ABCDEF01', '{t1}', '{t2}', 'confirmed', \
             'autocrypt in message <k@example.org> from amina@example.org, signed by this key; confirmed: by phone', \
             '{t1}', 'u-1', '{t2}')"
        ),
        format!(
            "INSERT INTO beneficiary_emails (id, beneficiary_id, address, is_primary, created_at) \
             VALUES ('be-1', 'b-1', 'amina@example.org', TRUE, '{t1}')"
        ),
        format!(
            "INSERT INTO verification_changes (id, beneficiary_id, from_status, to_status, changed_by, reason, changed_at) \
             VALUES ('vc-1', 'b-1', 'unverified', 'verified', 'u-1', 'Vérifiée par un partenaire de confiance', '{t1}')"
        ),
        format!(
            "INSERT INTO key_changes (id, beneficiary_id, old_fingerprint, new_fingerprint, new_certificate, source, status, \
             recorded_at, decided_by, decided_at, provenance) VALUES ('kc-1', 'b-1', 'OLD', 'NEW', 'cert', 'autocrypt', 'accepted', \
             '{t1}', 'u-1', '{t2}', 'autocrypt in message <k2@example.org> from amina@example.org, not signed by this key')"
        ),
        "INSERT INTO case_reference_counters (year, last_number) VALUES (2026, 2)".to_owned(),
        format!(
            "INSERT INTO cases (id, reference, beneficiary_id, status, urgency, priority, summary, service_type, threat_type, \
             imminent_risk, sensitivity, assignee_id, created_at, updated_at, first_response_at, resolved_at, closed_at, version) \
             VALUES ('c-1', 'RMP-2026-000001', 'b-1', 'closed', 'critical', 'P1', '{text}', 'suspicious_message', 'direct', \
             TRUE, 'restricted', 'u-1', '{t1}', '{t2}', '{t1}', '{t2}', '{t2}', 7), \
             ('c-2', 'RMP-2026-000002', 'b-1', 'open', 'low', 'P4', 'Second', NULL, NULL, FALSE, 'normal', NULL, \
             '{t1}', '{t1}', NULL, NULL, NULL, 1)"
        ),
        format!(
            "INSERT INTO assignment_decisions (id, case_id, assignee_id, via_standby, alert_leads, reasons, decided_at) \
             VALUES ('ad-1', 'c-1', 'u-1', TRUE, TRUE, '[\"on shift\"]', '{t1}')"
        ),
        format!(
            "INSERT INTO case_status_changes (id, case_id, from_status, to_status, reopen, changed_by, note, changed_at) \
             VALUES ('cs-1', 'c-1', 'resolved', 'closed', FALSE, 'u-1', 'clos', '{t2}')"
        ),
        format!(
            "INSERT INTO third_parties (id, case_id, organisation, contact_name, role, email, phone, notes, created_by, created_at, \
             pgp_certificate, pgp_fingerprint) \
             VALUES ('tp-1', 'c-1', 'Plateforme X', 'Trust & Safety', 'platform_escalation', 'ts@platform.example', \
             '+33100000000', 'escalade', 'u-1', '{t1}', '-----BEGIN PGP PUBLIC KEY BLOCK-----', 'ABCDEF0123456789ABCDEF0123456789ABCDEF01')"
        ),
        format!("INSERT INTO case_reads (id, user_id, case_id, read_at) VALUES ('cr-1', 'u-1', 'c-1', '{t2}')"),
        "INSERT INTO case_words (id, case_id, word) VALUES ('cw-1', 'c-1', 'piraté')".to_owned(),
        format!(
            "INSERT INTO messages (id, case_id, direction, party, third_party_id, channel, subject, body, message_id, in_reply_to, \
             encrypted, signature_status, signer_fingerprint, delivery_status, author_id, created_at, gateway_notes, \
             sender_address, sender_name) \
             VALUES ('m-1', 'c-1', 'outbound', 'third_party', 'tp-1', 'email', 'Sujet é', '{text}', '<a@h.example>', \
             '<b@h.example>', TRUE, 'good', 'ABCDEF', 'sent', 'u-1', '{t1}', '[\"note\"]', NULL, NULL), \
             ('m-2', 'c-1', 'inbound', 'beneficiary', NULL, 'email', '', '', NULL, NULL, FALSE, 'none', NULL, NULL, NULL, '{t2}', NULL, \
             'amina@example.org', 'Amina « K. »')"
        ),
        format!(
            "INSERT INTO evidence (id, case_id, sha256, size, media_type, original_name, description, added_by, added_at, \
             submitted_name, message_id) \
             VALUES ('ev-1', 'c-1', '{sha}', 4096, 'application/octet-stream', 'capture d''écran.bin', 'preuve', 'u-1', '{t1}', \
             'C:\\Users\\capture d''écran.bin', 'm-1')"
        ),
        format!(
            "INSERT INTO indicators (id, case_id, kind, value, original_value, note, first_seen, last_seen, added_by, created_at) \
             VALUES ('in-1', 'c-1', 'phone', '+33612345678', '06 12 34 56 78', 'harceleur', '{t1}', '{t2}', 'u-1', '{t1}')"
        ),
        format!(
            "INSERT INTO case_links (id, source_case_id, target_case_id, kind, note, created_by, created_at) \
             VALUES ('cl-1', 'c-1', 'c-2', 'related', 'même campagne', 'u-1', '{t1}')"
        ),
        format!("INSERT INTO actions (id, case_id, description, taken_by, taken_at) VALUES ('ac-1', 'c-1', 'Sessions révoquées', 'u-1', '{t1}')"),
        format!("INSERT INTO comments (id, case_id, author_id, body, created_at) VALUES ('co-1', 'c-1', 'u-1', '{text}', '{t1}')"),
        format!(
            "INSERT INTO next_steps (id, case_id, description, due_on, done, done_at, created_by, created_at) \
             VALUES ('ns-1', 'c-1', 'Rappeler', '2026-03-09', TRUE, '{t2}', 'u-1', '{t1}')"
        ),
        format!(
            "INSERT INTO risk_assessments (id, case_id, risk_name, threats, vulnerabilities, capacities, score, notes, assessed_by, \
             assessed_at) VALUES ('ra-1', 'c-1', 'Doxxing', 7, 5, 3, 11.666666666666666, 'élevé', 'u-1', '{t1}')"
        ),
        format!(
            "INSERT INTO audit_events (id, occurred_at, actor_id, action, case_id, target_kind, target_id, details) \
             VALUES ('ae-1', '{t1}', 'u-1', 'case.read', 'c-1', 'case', 'c-1', '{{\"restricted\":true}}')"
        ),
        format!(
            "INSERT INTO mail_receipts (id, message_id_header, body_sha256, raw_sha256, source, outcome, case_id, message_row_id, \
             quarantine_id, received_at) VALUES ('mr-1', '<b@h.example>', 'bodysha', '{sha}', 'imap', 'stored', 'c-1', 'm-2', \
             'mq-1', '{t1}')"
        ),
        format!(
            "INSERT INTO mail_quarantine (id, received_at, source, reason_code, reason, from_address, subject, message_id_header, \
             raw_sha256, size, resolved_at, resolved_by) VALUES ('mq-1', '{t1}', 'mailgate', 'undecryptable', 'pas pour nous', \
             'x@example.net', 'Re: ?', '<q@h.example>', '{sha}', 4096, '{t2}', 'u-1')"
        ),
        format!(
            "INSERT INTO outbox (message_row_id, attempts, next_attempt_at, locked_until, locked_by, last_error, created_at) \
             VALUES ('m-1', 2, '{t2}', '{t2}', 'worker-1', '421 try later', '{t1}')"
        ),
        format!(
            "INSERT INTO escalations (id, case_id, shift_id, kind, level, reason, due_at, raised_at) \
             VALUES ('es-1', 'c-1', NULL, 'imminent_risk', 'leads', 'risque imminent', '{t1}', '{t1}'), \
             ('es-2', NULL, 'sh-1', 'check_in_missing', 'leads', 'pas de check-in', '{t1}', '{t2}')"
        ),
        format!(
            "INSERT INTO notifications (id, escalation_id, channel, recipient, status, attempts, next_attempt_at, locked_until, \
             locked_by, last_error, created_at, sent_at) VALUES ('no-1', 'es-1', 'email', 'lead@helpline.example', 'sent', 1, \
             '{t1}', '{t1}', 'worker-1', 'retry', '{t1}', '{t2}')"
        ),
        format!("UPDATE cases SET erased_at = '{t2}' WHERE id = 'c-2'"),
        format!(
            "INSERT INTO erasures (id, case_id, policy, policy_detail, requested_by, erased, beneficiary_erased, erased_at) \
             VALUES ('er-1', 'c-2', 'request', 'demande de la bénéficiaire', 'u-1', '[\"messages\"]', FALSE, '{t2}')"
        ),
    ];
    for sql in statements {
        diesel::sql_query(&sql).execute(conn).unwrap_or_else(|e| panic!("{e}: {sql}"));
    }
    "c-1".to_owned()
}
