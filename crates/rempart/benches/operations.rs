//! Operations at scale, through the real binary: encrypted backup and restore of a
//! helpline with 100,000 cases (5 messages and 3 indicators each), then a retention run
//! over 100,000 closed cases.
//!
//! `cargo bench -p rempart --bench operations`; REMPART_BENCH_CASES (default 100000) and
//! REMPART_BENCH_BACKEND (`postgres`, default, or `sqlite`).
#![allow(clippy::unwrap_used)]

use diesel::prelude::*;
use rand::SeedableRng;
use rempart_store::Backend;
use rempart_test_db::TestDb;
use rempart_test_db::fixtures::{self, Loaded};
use std::process::Command;
use std::time::Instant;

fn rempart(dir: &std::path::Path, url: &str, args: &[&str], env: &[(&str, &str)]) -> (String, f64, u64) {
    let started = Instant::now();
    let mut cmd = Command::new("/usr/bin/time");
    cmd.args(["-f", "%M"]).arg(env!("CARGO_BIN_EXE_rempart")).current_dir(dir).arg("--database").arg(url).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.env("REMPART_LOG__LEVEL", "warn");
    let out = cmd.output().unwrap();
    let seconds = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "rempart {args:?}: {stderr}");
    let peak_kib = stderr.lines().last().and_then(|l| l.trim().parse().ok()).unwrap_or(0);
    (String::from_utf8_lossy(&out.stdout).into_owned(), seconds, peak_kib)
}

fn main() {
    let cases: usize = std::env::var("REMPART_BENCH_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let backend = match std::env::var("REMPART_BENCH_BACKEND").as_deref() {
        Ok("sqlite") => Backend::Sqlite,
        _ => Backend::Postgres,
    };
    let dir = tempfile::tempdir().unwrap();
    let source = TestDb::new(backend);
    let started = Instant::now();
    {
        let mut conn = source.conn();
        fixtures::every_table(&mut conn);
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        fixtures::bulk_load(&mut conn, &mut rng, cases, cases, &mut Loaded::default());
    }
    println!("{backend:?}: loaded {cases} cases in {:.1} s", started.elapsed().as_secs_f64());
    rempart(dir.path(), source.url(), &["keys", "init", "--uid", "Helpline <help@helpline.example>"], &[]);

    let file = dir.path().join("backup.pgp");
    let (out, seconds, peak) = rempart(dir.path(), source.url(), &["backup", "--out", file.to_str().unwrap()], &[]);
    let size = std::fs::metadata(&file).unwrap().len();
    let rows = out.split(", ").nth(1).unwrap_or_default().to_owned();
    println!(
        "backup:    {seconds:.1} s, {:.1} MiB encrypted ({rows}), peak RSS {:.0} MiB",
        size as f64 / 1048576.0,
        peak as f64 / 1024.0
    );

    let target = TestDb::empty(backend);
    let (_, seconds, peak) = rempart(dir.path(), target.url(), &["restore", file.to_str().unwrap()], &[]);
    println!(
        "restore:   {seconds:.1} s (migrations, import, read-back check), peak RSS {:.0} MiB",
        peak as f64 / 1024.0
    );

    // Every case closed long ago: the retention run erases them all.
    {
        use rempart_store::schema::cases;
        let mut conn = target.conn();
        diesel::update(cases::table)
            .set((cases::status.eq("closed"), cases::closed_at.eq(cases::created_at.nullable())))
            .execute(&mut *conn)
            .unwrap();
        diesel::update(cases::table)
            .set(cases::erased_at.eq(None::<chrono::NaiveDateTime>))
            .execute(&mut *conn)
            .unwrap();
    }
    let (out, seconds, peak) =
        rempart(dir.path(), target.url(), &["retention"], &[("REMPART_RETENTION__CLOSED_CASE_DAYS", "1")]);
    println!("retention: {seconds:.1} s: {} peak RSS {:.0} MiB", out.trim(), peak as f64 / 1024.0);
}
