//! API benchmark: 16 concurrent clients on loopback against the real server, over a
//! database preloaded with N cases.
//!
//! ```sh
//! cargo bench -p rempart-api --bench api
//! REMPART_BENCH_CASES=20000 REMPART_BENCH_BACKENDS=postgres cargo bench -p rempart-api --bench api
//! ```
//!
//! The server runs with `serve`'s default connection pool (8): on 2 cores more connections
//! only add contention (on PostgreSQL 16 gave 880-1,150 creations/s, 8 gave 1,310-1,510).
//! For diagnosis: `REMPART_BENCH_PHASES=list,lookup` runs only those phases,
//! `REMPART_BENCH_POOL` sets the pool, `REMPART_BENCH_KEEP=1` keeps the loaded database for
//! EXPLAIN, `REMPART_BENCH_ROSTER=N` puts N handlers on shift.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rempart_api::ApiConfig;
use rempart_core::{EmailAddress, Languages, Role};
use rempart_store::Backend;
use rempart_store::users::{NewUser, User};
use rempart_test_db::TestDb;
use rempart_test_db::fixtures::{STATUSES, URGENCIES, preload};
use serde_json::json;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Whether to run the phase `name` (create, create-new, get, list, search, lookup):
/// `REMPART_BENCH_PHASES` lists the ones to run (for diagnosis, e.g. to profile one
/// phase with more reads); all by default.
fn phase(name: &str) -> bool {
    std::env::var("REMPART_BENCH_PHASES").map_or(true, |p| p.split(',').any(|one| one.trim() == name))
}

/// Concurrent clients; `REMPART_BENCH_CLIENTS` changes it (for diagnosis).
fn clients() -> usize {
    env_usize("REMPART_BENCH_CLIENTS", 16)
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let quick = std::env::args().all(|a| a != "--bench");
    let cases = env_usize("REMPART_BENCH_CASES", if quick { 300 } else { 100_000 });
    let creations = env_usize("REMPART_BENCH_CREATIONS", if quick { 64 } else { 8_000 });
    let reads = env_usize("REMPART_BENCH_READS", if quick { 64 } else { 8_000 });
    let backends = std::env::var("REMPART_BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    println!(
        "rempart-api bench: {} clients, {cases} preloaded cases, {creations} creations, {reads} reads per kind",
        clients()
    );
    for name in backends.split(',').map(str::trim) {
        let backend = match name {
            "sqlite" => Backend::Sqlite,
            "postgres" => Backend::Postgres,
            other => panic!("unknown backend {other}"),
        };
        run(backend, cases, creations, reads);
    }
}

fn run(backend: Backend, cases: usize, creations: usize, reads: usize) {
    println!("\n== {backend:?}");
    let db = TestDb::new(backend);
    let loaded = preload(&db, cases);

    let hash = rempart_auth::hash_password(&rempart_auth::Password::new("bench passphrase long").expect("policy"))
        .expect("hash");
    User::create(
        &mut db.conn(),
        NewUser {
            email: EmailAddress::parse("lead@bench.example").expect("email"),
            display_name: "Bench lead".into(),
            role: Role::Lead,
            languages: Languages::default(),
            password_hash: hash,
            must_change_password: false,
        },
        None,
    )
    .expect("user");
    let roster = env_usize("REMPART_BENCH_ROSTER", 0);
    if roster > 0 {
        plan_roster(&db, roster);
        println!("roster: {roster} handlers in a weekly rotation, on shift and checked in fit");
    }
    let beneficiary = rempart_store::beneficiaries::Beneficiary::create(
        &mut db.conn(),
        rempart_store::beneficiaries::NewBeneficiary {
            display_name: "Bench beneficiary".into(),
            emails: vec![EmailAddress::parse("b@bench.example").expect("email")],
            audience_type: None,
            preferred_language: None,
        },
        None,
    )
    .expect("beneficiary")
    .id;

    let dir = tempfile::tempdir().expect("dir");
    let mut config = ApiConfig::new("127.0.0.1:0", dir.path());
    config.access_token_ttl = Duration::from_secs(3600);
    // How the server reaches PostgreSQL: as deploy/README.md advises for a server on the
    // same host, through its Unix socket when there is one (no TCP, no TLS on loopback).
    // `REMPART_BENCH_URL_PARAMS` sets other libpq parameters (`sslmode=disable`, or empty
    // for the test server's own URL).
    let params = std::env::var("REMPART_BENCH_URL_PARAMS").unwrap_or_else(|_| {
        if std::path::Path::new("/var/run/postgresql/.s.PGSQL.5432").exists() {
            "host=/var/run/postgresql".into()
        } else {
            String::new()
        }
    });
    let url = match backend {
        Backend::Postgres if !params.is_empty() => format!("{}?{params}", db.url()),
        _ => db.url().to_owned(),
    };
    if backend == Backend::Postgres {
        println!("server connects with: {}", if params.is_empty() { "the test URL (TCP)" } else { params.as_str() });
    }
    let pool = rempart_store::DbPool::connect(
        &url,
        rempart_store::PoolOptions {
            // What `serve` runs with unless configured (`database.pool_size`).
            max_size: env_usize("REMPART_BENCH_POOL", rempart_store::PoolOptions::default().max_size as usize) as u32,
            ..Default::default()
        },
    )
    .expect("pool");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = rempart_api::serve_blocking(
            config,
            pool,
            |_| {},
            move |port| {
                let _ = tx.send(port);
            },
        );
    });
    let port = rx.recv_timeout(Duration::from_secs(20)).expect("server");
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::blocking::Client::new();
    let login: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": "lead@bench.example", "password": "bench passphrase long"}))
        .send()
        .and_then(|r| r.json())
        .expect("login");
    let token = login["access_token"].as_str().expect("token").to_owned();

    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
    let auth = format!("Bearer {token}");
    if phase("create") {
        let (b, a) = (base.clone(), auth.clone());
        let (elapsed, mut lat) = concurrent(&rt, creations, 201, move |client, _rng| {
            client
                .post(format!("{b}/api/v1/cases"))
                .header("authorization", &a)
                .json(&json!({"beneficiary_id": beneficiary, "summary": "Bench case", "urgency": "high"}))
        });
        println!(
            "POST /api/v1/cases: {creations} in {:.2} s = {:.0} creations/s; p50 {} p95 {} p99 {}",
            elapsed.as_secs_f64(),
            creations as f64 / elapsed.as_secs_f64(),
            ms(pct(&mut lat, 50.0)),
            ms(pct(&mut lat, 95.0)),
            ms(pct(&mut lat, 99.0))
        );
    }

    if phase("create-new") {
        // Each case for someone new: the beneficiary is created with it, in one transaction.
        let (b, a) = (base.clone(), auth.clone());
        let counter = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (elapsed, mut lat) = concurrent(&rt, creations, 201, move |client, _rng| {
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            client.post(format!("{b}/api/v1/cases")).header("authorization", &a).json(&json!({
                "beneficiary": {"display_name": format!("New {n}"), "emails": [format!("new-{n}@bench.example")]},
                "summary": "Bench case",
                "urgency": "high"
            }))
        });
        println!(
            "POST /api/v1/cases (new beneficiary): {creations} in {:.2} s = {:.0} creations/s; p50 {} p95 {} p99 {}",
            elapsed.as_secs_f64(),
            creations as f64 / elapsed.as_secs_f64(),
            ms(pct(&mut lat, 50.0)),
            ms(pct(&mut lat, 95.0)),
            ms(pct(&mut lat, 99.0))
        );
    }
    let ids = std::sync::Arc::new(loaded.case_ids);
    let values = std::sync::Arc::new(loaded.indicator_values);
    if phase("get") {
        let (b, a) = (base.clone(), auth.clone());
        let (elapsed, mut lat) = concurrent(&rt, reads, 200, move |client, rng| {
            let id = &ids[rng.random_range(0..ids.len())];
            client.get(format!("{b}/api/v1/cases/{id}")).header("authorization", &a)
        });
        println!(
            "GET /api/v1/cases/{{id}}: {:.0} req/s; p50 {} p95 {} p99 {}",
            reads as f64 / elapsed.as_secs_f64(),
            ms(pct(&mut lat, 50.0)),
            ms(pct(&mut lat, 95.0)),
            ms(pct(&mut lat, 99.0))
        );
    }

    if phase("list") {
        let (b, a) = (base.clone(), auth.clone());
        let (elapsed, mut lat) = concurrent(&rt, reads, 200, move |client, rng| {
            let status = STATUSES[rng.random_range(0..STATUSES.len())];
            let urgency = URGENCIES[rng.random_range(0..URGENCIES.len())];
            client
                .get(format!("{b}/api/v1/cases?status={status}&urgency={urgency}&limit=50"))
                .header("authorization", &a)
        });
        println!(
            "GET /api/v1/cases?status&urgency (50): {:.0} req/s; p50 {} p95 {} p99 {}",
            reads as f64 / elapsed.as_secs_f64(),
            ms(pct(&mut lat, 50.0)),
            ms(pct(&mut lat, 95.0)),
            ms(pct(&mut lat, 99.0))
        );
    }
    // The search by words (two words every case may hold) and the indicator lookup (a value
    // some case holds, as it was typed): both read blind-index tokens since protection at rest.
    const SEARCHED: &[&str] = &["compte", "signal", "menace", "téléphone", "harcèlement", "passe"];
    if phase("search") {
        let (b, a) = (base.clone(), auth.clone());
        let (elapsed, mut lat) = concurrent(&rt, reads, 200, move |client, rng| {
            let words = format!(
                "{} {}",
                SEARCHED[rng.random_range(0..SEARCHED.len())],
                SEARCHED[rng.random_range(0..SEARCHED.len())]
            );
            client
                .get(format!("{b}/api/v1/cases"))
                .query(&[("q", words.as_str()), ("limit", "50")])
                .header("authorization", &a)
        });
        println!(
            "GET /api/v1/cases?q=two words (50): {:.0} req/s; p50 {} p95 {} p99 {}",
            reads as f64 / elapsed.as_secs_f64(),
            ms(pct(&mut lat, 50.0)),
            ms(pct(&mut lat, 95.0)),
            ms(pct(&mut lat, 99.0))
        );
    }
    if phase("lookup") {
        let (b, a) = (base.clone(), auth.clone());
        let (elapsed, mut lat) = concurrent(&rt, reads, 200, move |client, rng| {
            let value = &values[rng.random_range(0..values.len())];
            client
                .get(format!("{b}/api/v1/indicators/lookup"))
                .query(&[("value", value.as_str())])
                .header("authorization", &a)
        });
        println!(
            "GET /api/v1/indicators/lookup: {:.0} req/s; p50 {} p95 {} p99 {}",
            reads as f64 / elapsed.as_secs_f64(),
            ms(pct(&mut lat, 50.0)),
            ms(pct(&mut lat, 95.0)),
            ms(pct(&mut lat, 99.0))
        );
    }
    if std::env::var_os("REMPART_BENCH_KEEP").is_some() {
        // Diagnosis: keep the loaded database (EXPLAIN, psql) instead of dropping it.
        println!("kept {}", db.url());
        std::mem::forget(db);
    }
}

/// `REMPART_BENCH_ROSTER=N`: N handlers in a weekly rotation, each on an intake shift now
/// and checked in fit, so each creation reads the whole roster (without it, nobody is on
/// shift and the rota has nothing to read). Capacities are the default (20): once the
/// team is full, new cases stay unassigned and alert the leads, as on a real busy day.
fn plan_roster(db: &TestDb, handlers: usize) {
    let mut conn = db.conn();
    let policy = rempart_rota::Policy::default();
    let now = chrono::Utc::now().naive_utc();
    let start = now - chrono::Duration::hours(1);
    let mut members = Vec::new();
    for i in 0..handlers {
        let hash = rempart_auth::hash_password(&rempart_auth::Password::new("bench passphrase long").expect("policy"))
            .expect("hash");
        let user = User::create(
            &mut conn,
            NewUser {
                email: EmailAddress::parse(&format!("handler{i}@bench.example")).expect("email"),
                display_name: format!("Handler {i}"),
                role: Role::Handler,
                languages: Languages::default(),
                password_hash: hash,
                must_change_password: false,
            },
            None,
        )
        .expect("handler");
        rempart_store::rota::add_shift(
            &mut conn,
            &user.id,
            rempart_rota::ShiftKind::Intake,
            start,
            start + chrono::Duration::hours(8),
            &policy,
            None,
        )
        .expect("shift");
        rempart_store::rota::check_in(&mut conn, &user.id, true, None, start + chrono::Duration::minutes(1))
            .expect("check-in");
        members.push(user.id);
    }
    rempart_store::rota::set_rotation(&mut conn, &members, rempart_rota::Period::Weekly, now.date(), None)
        .expect("rotation");
}

/// Sends `total` requests built by `build` from [`clients`] concurrent tasks of one async
/// client (one runtime thread, so the load generator leaves the cores to the server and
/// the database); answers the wall time and every request's latency.
fn concurrent(
    rt: &tokio::runtime::Runtime,
    total: usize,
    expect: u16,
    build: impl Fn(&reqwest::Client, &mut StdRng) -> reqwest::RequestBuilder + Send + Sync + 'static,
) -> (Duration, Vec<Duration>) {
    let build = std::sync::Arc::new(build);
    rt.block_on(async move {
        let client = reqwest::Client::new();
        let start = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        let clients = clients();
        for i in 0..clients {
            let (client, build) = (client.clone(), build.clone());
            let n = total / clients + usize::from(i < total % clients);
            tasks.spawn(async move {
                let mut rng = StdRng::seed_from_u64(i as u64);
                let mut latencies = Vec::with_capacity(n);
                for _ in 0..n {
                    let request = build(&client, &mut rng);
                    let t = Instant::now();
                    let response = request.send().await.expect("request");
                    let status = response.status().as_u16();
                    let _ = response.bytes().await;
                    latencies.push(t.elapsed());
                    assert_eq!(status, expect);
                }
                latencies
            });
        }
        let mut all = Vec::with_capacity(total);
        while let Some(done) = tasks.join_next().await {
            all.extend(done.expect("client task"));
        }
        (start.elapsed(), all)
    })
}

fn pct(times: &mut [Duration], p: f64) -> Duration {
    times.sort_unstable();
    let rank = ((p / 100.0) * times.len() as f64).ceil() as usize;
    times[rank.clamp(1, times.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.2}ms", d.as_secs_f64() * 1000.0)
}
