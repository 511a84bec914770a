//! Console benchmark: the time to answer each page of a handler's day, one request after
//! another on loopback, over a database preloaded with N cases (the issue's bound: 50 ms at
//! p95 with 100,000 cases on PostgreSQL), and the weight of a page with its assets.
//!
//! ```sh
//! cargo bench -p rempart-web --bench console
//! REMPART_BENCH_CASES=20000 REMPART_BENCH_BACKENDS=postgres cargo bench -p rempart-web --bench console
//! ```

use rempart_api::ApiConfig;
use rempart_core::{EmailAddress, Languages, Role};
use rempart_store::Backend;
use rempart_store::console_sessions::ConsoleSession;
use rempart_store::users::{NewUser, User};
use rempart_test_db::TestDb;
use rempart_test_db::fixtures::preload;
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let quick = std::env::args().all(|a| a != "--bench");
    let cases = env_usize("REMPART_BENCH_CASES", if quick { 300 } else { 100_000 });
    let rounds = env_usize("REMPART_BENCH_ROUNDS", if quick { 5 } else { 200 });
    let backends = std::env::var("REMPART_BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    println!("rempart-web bench: {cases} preloaded cases, {rounds} requests per page, one at a time");
    for name in backends.split(',').map(str::trim) {
        let backend = match name {
            "sqlite" => Backend::Sqlite,
            "postgres" => Backend::Postgres,
            other => panic!("unknown backend {other}"),
        };
        run(backend, cases, rounds);
    }
}

fn run(backend: Backend, cases: usize, rounds: usize) {
    println!("\n== {backend:?}");
    let db = TestDb::new(backend);
    let loaded = preload(&db, cases);

    // A handler with 40 open cases of their own, and a session of the console.
    let handler = User::create(
        &mut db.conn(),
        NewUser {
            email: EmailAddress::parse("hana@bench.example").expect("email"),
            display_name: "Bench handler".into(),
            role: Role::Handler,
            languages: Languages::default(),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo".into(),
            must_change_password: false,
        },
        None,
    )
    .expect("user");
    let mine: Vec<String> = loaded.case_ids.iter().rev().take(40).cloned().collect();
    for id in &mine {
        let sql = format!("UPDATE cases SET assignee_id = '{}', status = 'open' WHERE id = '{id}'", handler.id);
        diesel::RunQueryDsl::execute(diesel::sql_query(sql), &mut *db.conn()).expect("assign");
    }
    let token = "bench-console-session-token-0123456789abcdef";
    ConsoleSession::start(
        &mut db.conn(),
        &handler.id,
        handler.token_version,
        &rempart_api::auth::token_digest(token),
        "csrf",
    )
    .expect("session");
    // A lead, for the team's pages.
    let lead = User::create(
        &mut db.conn(),
        NewUser {
            email: EmailAddress::parse("lena@bench.example").expect("email"),
            display_name: "Bench lead".into(),
            role: Role::Lead,
            languages: Languages::default(),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo".into(),
            must_change_password: false,
        },
        None,
    )
    .expect("lead");
    let lead_token = "bench-console-lead-token-0123456789abcdef0";
    ConsoleSession::start(
        &mut db.conn(),
        &lead.id,
        lead.token_version,
        &rempart_api::auth::token_digest(lead_token),
        "csrf",
    )
    .expect("session");
    let case = rempart_store::cases::Case::get(&mut db.conn(), &mine[0]).expect("case");
    let indicator = loaded.indicator_values.first().cloned().unwrap_or_else(|| "example.org".into());

    let dir = tempfile::tempdir().expect("dir");
    let config = ApiConfig::new("127.0.0.1:0", dir.path());
    let pool = rempart_store::DbPool::connect(db.url(), rempart_store::PoolOptions::default()).expect("pool");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let console = rempart_web::configure(rempart_web::ConsoleConfig::default());
        let _ = rempart_api::serve_blocking(config, pool, console, move |port| {
            let _ = tx.send(port);
        });
    });
    let port = rx.recv_timeout(Duration::from_secs(30)).expect("server started");
    let http =
        reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let get_as = |who: &str, path: &str| -> (u16, usize) {
        let res = http
            .get(format!("http://127.0.0.1:{port}{path}"))
            .header("Cookie", format!("rempart={who}"))
            .header("Accept-Encoding", "gzip")
            .send()
            .expect("request");
        let status = res.status().as_u16();
        (status, res.bytes().map(|b| b.len()).unwrap_or(0))
    };
    let get = |path: &str| get_as(token, path);
    let pages = [
        ("queues", "/?later=1".to_owned()),
        ("case", format!("/cases/{}", case.reference)),
        ("search words", "/search?q=signal".to_owned()),
        ("search beneficiary", "/search?beneficiary=beneficiary%2012".to_owned()),
        ("search indicator", format!("/search?indicator={}", url_encode(&indicator))),
        ("search filters", "/search?status=new&urgency=critical".to_owned()),
        ("new case form", "/cases/new".to_owned()),
        ("lead: team now", "/team".to_owned()),
        ("lead: the week", "/team/week".to_owned()),
        ("lead: workload", "/team/workload".to_owned()),
        ("lead: statistics", "/statistics".to_owned()),
        ("lead: quarantine", "/quarantine".to_owned()),
    ];
    println!("{:<20} {:>9} {:>9} {:>9} {:>10}", "page", "p50 ms", "p95 ms", "max ms", "bytes");
    for (name, path) in &pages {
        let who = if name.starts_with("lead:") { lead_token } else { token };
        let get = |path: &str| get_as(who, path);
        let (status, _) = get(path);
        assert_eq!(status, 200, "{name}: {path}");
        let mut times = Vec::with_capacity(rounds);
        let mut bytes = 0;
        for _ in 0..rounds {
            let t = Instant::now();
            let (_, size) = get(path);
            times.push(t.elapsed());
            bytes = size;
        }
        times.sort();
        let at =
            |q: f64| times[((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1].as_secs_f64() * 1e3;
        println!("{name:<20} {:>9.1} {:>9.1} {:>9.1} {bytes:>10}", at(0.5), at(0.95), at(1.0));
    }
    // The weight of a page with its assets, as the browser fetches them (compressed).
    let (_, html) = get(&format!("/cases/{}", case.reference));
    let assets: usize =
        [rempart_web::assets::url("console"), rempart_web::assets::url("htmx")].iter().map(|a| get(a).1).sum();
    println!("case page with its assets: {} bytes ({} page, {} assets, gzip)", html + assets, html, assets);
}

fn url_encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}
