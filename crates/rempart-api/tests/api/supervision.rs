//! Escalations and the quarantine through the API: the open board, "I am on it", attaching
//! and discarding quarantined mail; who may, on SQLite and PostgreSQL.

use crate::support::spawn;
use rempart_core::Role;
use rempart_store::escalations::Escalation;
use rempart_store::mail::{NewQuarantine, QuarantinedMail};
use rempart_test_db::{TestDb, on_both_backends};
use serde_json::json;

fn leads_take_escalations_on(db: TestDb) {
    let app = spawn(db);
    let (lena, lena_token) = app.signed_in("lena@helpline.example", Role::Lead);
    let (_, leo_token) = app.signed_in("leo@helpline.example", Role::Lead);
    let (_, handler) = app.signed_in("hana@helpline.example", Role::Handler);
    // Nobody on shift: the new case waits unassigned and the leads are told at once.
    let case = app.new_case(&lena_token, "someone@example.org", json!({"imminent_risk": true}));
    let policy = rempart_rota::Policy::default();
    Escalation::raise_due(&mut app.db.conn(), rempart_store::now(), &policy, None).expect("tick");

    app.get("/api/v1/escalations", Some(&handler)).expect(403);
    let board = app.get("/api/v1/escalations", Some(&leo_token)).expect(200).body;
    let mine: Vec<&serde_json::Value> =
        board.as_array().expect("board").iter().filter(|e| e["case_id"] == case["id"]).collect();
    assert!(mine.iter().any(|e| e["kind"] == "imminent_risk"), "{board}");
    assert!(mine.iter().all(|e| e["case_reference"] == case["reference"] && e["acknowledged_by"].is_null()));
    let id = mine[0]["id"].as_str().expect("id");
    let path = format!("/api/v1/escalations/{id}/acknowledgement");
    app.post(&path, Some(&handler), json!({})).expect(403);
    app.post("/api/v1/escalations/no-such-escalation/acknowledgement", Some(&lena_token), json!({})).expect(404);
    let taken = app.post(&path, Some(&lena_token), json!({})).expect(200).body;
    assert_eq!(taken["acknowledged_by"], lena.id.as_str());
    // Leo says it too: Lena stays named.
    let again = app.post(&path, Some(&leo_token), json!({})).expect(200).body;
    assert_eq!(again["acknowledged_by"], lena.id.as_str());
    let board = app.get("/api/v1/escalations", Some(&leo_token)).expect(200).body;
    let seen = board.as_array().expect("board").iter().find(|e| e["id"] == id).cloned().expect("still open");
    assert_eq!(seen["acknowledged_by_name"], "lena");
}

fn quarantined_mail_is_attached_or_discarded(db: TestDb) {
    let app = spawn(db);
    let (_, lead) = app.signed_in("lena@helpline.example", Role::Lead);
    let (_, analyst) = app.signed_in("ann@helpline.example", Role::Analyst);
    let case = app.new_case(&lead, "someone@example.org", json!({}));
    let quarantine = |n: u8| {
        let raw = format!("garbage {n}");
        QuarantinedMail::insert(
            &mut app.db.conn(),
            NewQuarantine {
                source: "mailgate",
                reason_code: "malformed",
                reason: "not a message",
                from_address: None,
                subject: "",
                message_id_header: None,
                raw: raw.as_bytes(),
            },
        )
        .expect("quarantined")
        .id
    };
    let (first, second) = (quarantine(1), quarantine(2));
    let attach = format!("/api/v1/mail/quarantine/{first}/attachment");
    app.post(&attach, Some(&analyst), json!({"case": case["reference"]})).expect(403);
    app.post(&attach, Some(&lead), json!({"case": "RMP-2000-999999"})).expect(404);
    let kept = app.post(&attach, Some(&lead), json!({"case": case["reference"]})).expect(200).body;
    assert_eq!((kept["resolution"].clone(), kept["case_id"].clone()), (json!("attached"), case["id"].clone()));
    app.post(&attach, Some(&lead), json!({"case": case["reference"]})).expect(409);
    let files = app.get(&format!("/api/v1/cases/{}/evidence", case["id"].as_str().expect("id")), Some(&lead));
    assert!(files.expect(200).body.to_string().contains("message/rfc822"));
    let discard = format!("/api/v1/mail/quarantine/{second}/discard");
    assert_eq!(app.post(&discard, Some(&lead), json!({"reason": "  "})).expect(422).problem(), "validation");
    let gone = app.post(&discard, Some(&lead), json!({"reason": "spam"})).expect(200).body;
    assert_eq!((gone["resolution"].clone(), gone["resolution_note"].clone()), (json!("discarded"), json!("spam")));
    let open = app.get("/api/v1/mail/quarantine", Some(&lead)).expect(200).body;
    assert_eq!(open, json!([]), "nothing left to deal with");
}

on_both_backends!(leads_take_escalations_on, quarantined_mail_is_attached_or_discarded);
