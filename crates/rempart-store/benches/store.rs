//! Storage benchmark: loads N cases (about 5 messages and 3 indicators each) into each
//! backend, then measures the latency of the reads handlers do all day.
//!
//! ```sh
//! cargo bench -p rempart-store --bench store
//! REMPART_BENCH_CASES=20000 REMPART_BENCH_BACKENDS=sqlite cargo bench -p rempart-store --bench store
//! ```
//!
//! Two write figures: the real write path (each case, message and indicator created
//! through the store API in its own transaction, with its audit events), measured on a
//! sample; and the bulk load that fills the rest through the insert forms, in batches.

use chrono::{Datelike, Duration, NaiveDateTime};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rempart_core::{
    CaseStatus, Channel, Direction, IndicatorKind, NormalizedIndicator, Priority, Sensitivity, SignatureStatus, Urgency,
};
use rempart_store::beneficiaries::{Beneficiary, BeneficiaryInsertForm, NewBeneficiary};
use rempart_store::case_items::{Message, MessageInsertForm, NewMessage};
use rempart_store::cases::{Case, CaseFilter, CaseInsertForm, NewCase};
use rempart_store::indicators::{Indicator, IndicatorInsertForm};
use rempart_store::schema::{beneficiaries, case_reference_counters, cases, indicators, messages};
use rempart_store::{Backend, DbConn};
use rempart_test_db::TestDb;
use std::collections::BTreeMap;
use std::time::{Duration as StdDuration, Instant};

const MESSAGES_PER_CASE: usize = 5;
const INDICATORS_PER_CASE: usize = 3;
const BATCH_CASES: usize = 500;
const STATUSES: [CaseStatus; 6] = [
    CaseStatus::New,
    CaseStatus::Open,
    CaseStatus::WaitingBeneficiary,
    CaseStatus::WaitingThirdParty,
    CaseStatus::Resolved,
    CaseStatus::Closed,
];
const URGENCIES: [Urgency; 4] = [Urgency::Critical, Urgency::High, Urgency::Medium, Urgency::Low];

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` would run this too: keep it cheap.
    let quick = std::env::args().all(|a| a != "--bench");
    let cases = env_usize("REMPART_BENCH_CASES", if quick { 500 } else { 100_000 });
    let samples = env_usize("REMPART_BENCH_SAMPLES", if quick { 20 } else { 1_000 });
    let api_cases = env_usize("REMPART_BENCH_API_CASES", if quick { 20 } else { 1_000 });
    let backends = std::env::var("REMPART_BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    println!("rempart-store bench: {cases} cases, {samples} samples per read, {api_cases} cases through the store API");
    for name in backends.split(',').map(str::trim) {
        let backend = match name {
            "sqlite" => Backend::Sqlite,
            "postgres" => Backend::Postgres,
            other => panic!("unknown backend {other}: use sqlite, postgres"),
        };
        run(backend, cases, samples, api_cases);
    }
}

struct Loaded {
    case_ids: Vec<String>,
    indicator_values: Vec<String>,
}

fn run(backend: Backend, total_cases: usize, samples: usize, api_cases: usize) {
    println!("\n== {backend:?}");
    let db = TestDb::new(backend);
    let mut conn = db.conn();
    let mut rng = StdRng::seed_from_u64(47);

    // Write path through the API of the store, one transaction per call, as in service.
    let api_cases = api_cases.min(total_cases);
    let start = Instant::now();
    let beneficiary = Beneficiary::create(
        &mut conn,
        NewBeneficiary {
            display_name: "Bench beneficiary".into(),
            emails: vec![rempart_core::EmailAddress::parse("bench@example.org").expect("email")],
            audience_type: None,
            preferred_language: None,
        },
        None,
    )
    .expect("beneficiary");
    let mut loaded = Loaded { case_ids: Vec::new(), indicator_values: Vec::new() };
    let mut create_latencies = Vec::with_capacity(api_cases);
    for i in 0..api_cases {
        let t = Instant::now();
        let case = Case::create(&mut conn, NewCase::new(&beneficiary.id, format!("API case {i}")), None).expect("case");
        create_latencies.push(t.elapsed());
        for m in 0..MESSAGES_PER_CASE {
            let direction = if m % 2 == 0 { Direction::Inbound } else { Direction::Outbound };
            Message::add(
                &mut conn,
                NewMessage::with_beneficiary(&case.id, direction, Channel::Email, body(&mut rng)),
                None,
            )
            .expect("message");
        }
        for _ in 0..INDICATORS_PER_CASE {
            let (kind, value) = indicator(&mut rng, total_cases);
            Indicator::add(&mut conn, &case.id, kind, &value, None, None, None).expect("indicator");
        }
        loaded.case_ids.push(case.id);
    }
    let api_elapsed = start.elapsed();
    let api_rate = api_cases as f64 / api_elapsed.as_secs_f64();
    println!(
        "store API writes: {api_cases} cases x (1 case + {MESSAGES_PER_CASE} messages + {INDICATORS_PER_CASE} indicators, one transaction each) in {:.1} s = {api_rate:.0} cases/s ({:.0} rows/s); Case::create p50 {} p95 {}",
        api_elapsed.as_secs_f64(),
        api_rate * (1 + MESSAGES_PER_CASE + INDICATORS_PER_CASE) as f64,
        ms(percentile(&mut create_latencies, 50.0)),
        ms(percentile(&mut create_latencies, 95.0)),
    );

    // Bulk load of the rest.
    let start = Instant::now();
    bulk_load(&mut conn, &mut rng, total_cases - api_cases, total_cases, &mut loaded);
    let bulk_elapsed = start.elapsed();
    let bulk_cases = total_cases - api_cases;
    let rows = bulk_cases * (1 + MESSAGES_PER_CASE + INDICATORS_PER_CASE);
    println!(
        "bulk load: {bulk_cases} cases, {rows} rows in {:.1} s = {:.0} cases/s ({:.0} rows/s)",
        bulk_elapsed.as_secs_f64(),
        bulk_cases as f64 / bulk_elapsed.as_secs_f64(),
        rows as f64 / bulk_elapsed.as_secs_f64()
    );
    analyze(&mut conn);
    let count = Case::count(&mut conn).expect("count");
    assert_eq!(count as usize, total_cases, "every case loaded");

    // Reads.
    let pick = |rng: &mut StdRng, v: &Vec<String>| v[rng.random_range(0..v.len())].clone();
    report("fetch one full case (Case::detail)", samples, || {
        let id = pick(&mut rng, &loaded.case_ids);
        let t = Instant::now();
        let detail = Case::detail(&mut conn, &id).expect("detail");
        assert!(!detail.messages.is_empty());
        t.elapsed()
    });
    let mut rng2 = StdRng::seed_from_u64(48);
    let mut conn2 = db.conn();
    report("list by status+urgency, page of 50", samples, || {
        let filter = CaseFilter {
            statuses: vec![STATUSES[rng2.random_range(0..STATUSES.len())]],
            urgencies: vec![URGENCIES[rng2.random_range(0..URGENCIES.len())]],
            ..Default::default()
        };
        let t = Instant::now();
        let page = Case::list(&mut conn2, &filter, None, 50).expect("list");
        assert_eq!(page.len(), 50, "enough cases per status and urgency");
        t.elapsed()
    });
    let mut rng3 = StdRng::seed_from_u64(49);
    report("indicator lookup by value (Indicator::lookup)", samples, || {
        let value = pick(&mut rng3, &loaded.indicator_values);
        let t = Instant::now();
        let found = Indicator::lookup(&mut conn2, &value).expect("lookup");
        assert!(!found.is_empty());
        t.elapsed()
    });
    let mut rng4 = StdRng::seed_from_u64(50);
    report("correlation of a case (Indicator::correlate)", samples, || {
        let id = pick(&mut rng4, &loaded.case_ids);
        let t = Instant::now();
        Indicator::correlate(&mut conn2, &id).expect("correlate");
        t.elapsed()
    });
}

fn report(name: &str, samples: usize, mut f: impl FnMut() -> StdDuration) {
    for _ in 0..samples.min(20) {
        f(); // warm caches
    }
    let mut times: Vec<StdDuration> = (0..samples).map(|_| f()).collect();
    println!(
        "{name:<48} p50 {:>8}  p95 {:>8}  p99 {:>8}  max {:>8}",
        ms(percentile(&mut times, 50.0)),
        ms(percentile(&mut times, 95.0)),
        ms(percentile(&mut times, 99.0)),
        ms(percentile(&mut times, 100.0)),
    );
}

fn percentile(times: &mut [StdDuration], p: f64) -> StdDuration {
    times.sort_unstable();
    let rank = ((p / 100.0) * times.len() as f64).ceil() as usize;
    times[rank.clamp(1, times.len()) - 1]
}

fn ms(d: StdDuration) -> String {
    format!("{:.3}ms", d.as_secs_f64() * 1000.0)
}

fn body(rng: &mut StdRng) -> String {
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
fn indicator(rng: &mut StdRng, pool: usize) -> (IndicatorKind, String) {
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

fn bulk_load(conn: &mut DbConn, rng: &mut StdRng, count: usize, pool: usize, loaded: &mut Loaded) {
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

/// Refreshes planner statistics, as autovacuum / `PRAGMA optimize` would after a load.
fn analyze(conn: &mut DbConn) {
    diesel::sql_query("ANALYZE").execute(conn).expect("analyze");
}
