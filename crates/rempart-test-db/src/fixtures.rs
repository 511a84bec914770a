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
use rempart_store::case_items::MessageInsertForm;
use rempart_store::cases::CaseInsertForm;
use rempart_store::indicators::IndicatorInsertForm;
use rempart_store::schema::{beneficiaries, case_reference_counters, cases, indicators, messages};
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

/// Inserts `count` cases (with messages and indicators) in batches of 500 per transaction,
/// with creation times spread over two years and sequential references.
pub fn bulk_load(conn: &mut DbConn, rng: &mut StdRng, count: usize, pool: usize, loaded: &mut Loaded) {
    let now = chrono::Utc::now().naive_utc();
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
                });
            }
            loaded.case_ids.push(id);
        }
        conn.write(|conn| -> QueryResult<()> {
            insert_batch!(conn, beneficiaries::table, &bens)?;
            for chunk in case_rows.chunks(1000) {
                insert_batch!(conn, cases::table, chunk)?;
            }
            for chunk in message_rows.chunks(1000) {
                insert_batch!(conn, messages::table, chunk)?;
            }
            for chunk in indicator_rows.chunks(1000) {
                insert_batch!(conn, indicators::table, chunk)?;
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
