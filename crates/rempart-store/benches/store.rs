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

use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rempart_core::{Channel, Direction, IndicatorRules};
use rempart_store::beneficiaries::{Beneficiary, NewBeneficiary};
use rempart_store::cases::{Case, CaseFilter, NewCase};
use rempart_store::indicators::{Indicator, NewIndicator};
use rempart_store::messages::{Message, NewMessage};
use rempart_store::{Backend, DbConn};
use rempart_test_db::TestDb;
use rempart_test_db::fixtures::{
    INDICATORS_PER_CASE, Loaded, MESSAGES_PER_CASE, STATUSES, URGENCIES, body, bulk_load, indicator,
};
use std::time::{Duration as StdDuration, Instant};

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
            Indicator::add(
                &mut conn,
                &case.id,
                NewIndicator { kind, value: &value, note: None, seen_at: None },
                IndicatorRules::default(),
                None,
            )
            .expect("indicator");
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
        let found = Indicator::lookup(&mut conn2, IndicatorRules::default(), &value).expect("lookup");
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

/// Refreshes planner statistics, as autovacuum / `PRAGMA optimize` would after a load.
fn analyze(conn: &mut DbConn) {
    diesel::sql_query("ANALYZE").execute(conn).expect("analyze");
}
