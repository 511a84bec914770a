//! Anonymised statistics and erasure on request through the API.

use crate::support::spawn;
use rempart_core::Role;
use rempart_test_db::{TestDb, on_both_backends};
use serde_json::json;

fn statistics_suppress_small_cells(db: TestDb) {
    let app = spawn(db);
    let (_, lead) = app.signed_in("lead@helpline.example", Role::Lead);
    let (_, analyst) = app.signed_in("an@helpline.example", Role::Analyst);
    let (_, handler) = app.signed_in("ha@helpline.example", Role::Handler);
    for i in 0..6 {
        app.new_case(
            &lead,
            &format!("j{i}@example.org"),
            json!({"urgency": "high", "service_type": "account_compromise"}),
        );
    }
    for i in 0..2 {
        app.new_case(
            &lead,
            &format!("h{i}@example.org"),
            json!({"urgency": "low", "service_type": "online_harassment"}),
        );
    }
    app.get("/api/v1/stats", Some(&handler)).expect(403);
    app.get("/api/v1/stats", None).expect(401);
    let report = app.get("/api/v1/stats", Some(&analyst)).expect(200).body;
    assert_eq!(report["min_cell"], 5);
    assert_eq!(report["suppressed_cells"], 1);
    let cells = report["cells"].as_array().expect("cells");
    assert_eq!(cells.len(), 1, "{report}");
    assert_eq!(cells[0]["cases"], 6);
    assert_eq!(cells[0]["service_type"], "account_compromise");
    assert_eq!(cells[0]["audience_type"], "journalist");
    assert!(!report.to_string().contains("online_harassment"));
    // A lower threshold than the configured one is raised to it; a higher one hides more.
    let raised = app.get("/api/v1/stats?min_cell=1", Some(&lead)).expect(200).body;
    assert_eq!(raised["min_cell"], 5);
    assert_eq!(raised["cells"], report["cells"]);
    let strict = app.get("/api/v1/stats?min_cell=7", Some(&lead)).expect(200).body;
    assert_eq!(strict["cells"], json!([]));
    assert_eq!(strict["suppressed_cells"], 2);
    let csv = app.get("/api/v1/stats?format=csv", Some(&lead)).expect(200);
    assert_eq!(csv.header("content-type").as_deref(), Some("text/csv; charset=utf-8"));
    let text = csv.body.as_str().expect("csv text").to_owned();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(
        text.starts_with("month,service_type,") && text.contains(",account_compromise,journalist,unspecified,high,6,")
    );
    for bad in
        ["?from=2026-13", "?from=2026-05&to=2026-01", "?format=xml", "?since=2026-01", "?min_cell=abc", "?min_cell=0"]
    {
        let answer = app.get(&format!("/api/v1/stats{bad}"), Some(&lead));
        assert!(answer.status == 422 || answer.status == 400, "{bad}: {answer:?}");
        assert!(["validation", "bad-request"].contains(&answer.problem().as_str()), "{bad}: {answer:?}");
    }
}

fn erasure_on_request(db: TestDb) {
    let app = spawn(db);
    let (_, lead) = app.signed_in("lead@helpline.example", Role::Lead);
    let (_, handler) = app.signed_in("ha@helpline.example", Role::Handler);
    let case = app.new_case(&lead, "amina@example.org", json!({"summary": "Compte Signal de Amina compromis"}));
    let base = format!("/api/v1/cases/{}", case["id"].as_str().expect("id"));
    let erase =
        |token: &str| app.post(&format!("{base}/erase"), Some(token), json!({"reason": "asked to be forgotten"}));
    erase(&handler).expect(403);
    let garbled = app.raw_post(&format!("{base}/erase"), Some(&lead), "application/json", b"{\"reason\":".to_vec());
    assert_eq!(garbled.expect(400).problem(), "bad-request");
    let unknown = app.post(&format!("{base}/erase"), Some(&lead), json!({"reason": "x", "also": 1}));
    assert!(unknown.status == 400 || unknown.status == 422, "{unknown:?}");
    unknown.problem();
    assert_eq!(erase(&lead).expect(409).problem(), "conflict", "an open case is closed first");
    for to in ["open", "resolved", "closed"] {
        app.post(&format!("{base}/transitions"), Some(&lead), json!({"to": to})).expect(200);
    }
    let done = erase(&lead).expect(200).body;
    assert_eq!(done["beneficiary_erased"], true);
    let detail = app.get(&base, Some(&lead)).expect(200).body;
    assert_eq!(detail["summary"], "");
    assert!(!detail.to_string().contains("amina@example.org"), "{detail}");
    assert_eq!(erase(&lead).expect(409).problem(), "conflict");
    let trail = app.get(&format!("{base}/audit"), Some(&lead)).expect(200).body;
    assert!(trail.to_string().contains("case.erased"));
}

on_both_backends!(statistics_suppress_small_cells, erasure_on_request);
