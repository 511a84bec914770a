//! The API keeps its own OpenAPI document: schemathesis, with every check, against the
//! real binary on each engine. Any failure fails the test (`tests/api/schemathesis.toml`
//! says which refusals the document cannot express, and why).
//!
//! schemathesis comes from PyPI (`.ci/run` installs it). It signs in as an administrator of
//! its own, created for it: changing its own role or disabling itself is refused, so it
//! keeps its token while it tries every operation.

use rempart_test_db::{TestDb, on_both_backends};
use std::process::Command;

/// A fixed seed keeps a run reproducible; `REMPART_SCHEMATHESIS_SEED` explores others.
const SEED: &str = "20261201";

fn schemathesis_finds_nothing(db: TestDb) {
    let version = Command::new("schemathesis").arg("--version").output();
    assert!(
        version.as_ref().is_ok_and(|o| o.status.success()),
        "schemathesis is needed: python3 -m pip install schemathesis (.ci/run installs it)"
    );
    let dir = tempfile::tempdir().expect("dir");
    let served = crate::common::serve(dir.path(), db.url(), &[]);
    let client = reqwest::blocking::Client::new();
    let post = |path: &str, token: Option<&str>, body: serde_json::Value| -> serde_json::Value {
        let mut request = client.post(served.url(path)).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().and_then(|r| r.error_for_status()).and_then(|r| r.json()).expect(path)
    };
    let created = post(
        "/api/v1/users",
        Some(&served.token),
        serde_json::json!({"email": "schemathesis@helpline.example", "display_name": "schemathesis", "role": "admin"}),
    );
    let password = created["one_time_password"].as_str().expect("one-time password").to_owned();
    let login = post(
        "/api/v1/auth/login",
        None,
        serde_json::json!({"email": "schemathesis@helpline.example", "password": password}),
    );
    let changed = post(
        "/api/v1/auth/password",
        login["access_token"].as_str(),
        serde_json::json!({"current_password": password, "new_password": "schemathesis tries every operation"}),
    );
    let token = changed["access_token"].as_str().expect("token");
    // The document itself is valid OpenAPI 3.1, as a client generator reads it.
    let document = dir.path().join("openapi.json");
    let text = client.get(served.url("/api/v1/openapi.json")).send().and_then(|r| r.text()).expect("document");
    std::fs::write(&document, text).expect("write document");
    let valid =
        Command::new("python3").args(["-m", "openapi_spec_validator"]).arg(&document).output().expect("python3");
    assert!(
        valid.status.success(),
        "the document is not valid OpenAPI (python3 -m pip install openapi-spec-validator if it is missing): {}{}",
        crate::common::text(&valid.stdout),
        crate::common::text(&valid.stderr)
    );
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/api/schemathesis.toml");
    let seed = std::env::var("REMPART_SCHEMATHESIS_SEED").unwrap_or_else(|_| SEED.to_owned());
    let out = Command::new("schemathesis")
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args(["--no-color", "--config-file", config, "run"])
        .arg(served.url("/api/v1/openapi.json"))
        .args(["--checks", "all", "--max-examples", "20", "--seed", &seed])
        .args(["-H", &format!("Authorization: Bearer {token}")])
        .output()
        .expect("run schemathesis");
    let report = crate::common::text(&out.stdout);
    let summary = report.lines().rev().find(|l| l.contains(" in ") && l.starts_with('=')).unwrap_or_default();
    eprintln!("schemathesis on {:?}: {summary}", db.backend());
    assert!(out.status.success(), "schemathesis found failures:\n{report}\n{}", crate::common::text(&out.stderr));
}

on_both_backends!(schemathesis_finds_nothing);
