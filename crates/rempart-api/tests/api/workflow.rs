//! A case from intake to closure and reopening, over HTTP, on both backends.

use crate::support::{spawn, spawn_with};
use rempart_core::Role;
use rempart_test_db::{TestDb, on_both_backends};
use serde_json::json;

fn full_case_workflow(db: TestDb) {
    let app = spawn(db);
    let (handler, token) = app.signed_in("handler@helpline.example", Role::Handler);
    let (_, lead) = app.signed_in("lead@helpline.example", Role::Lead);
    let t = Some(token.as_str());

    // Intake: a new beneficiary and a case.
    let case =
        app.new_case(&token, "Ana.Silva@Example.ORG", json!({"urgency": "high", "service_type": "account_compromise"}));
    assert_eq!(case["status"], "new");
    assert_eq!(case["urgency"], "high");
    assert_eq!(case["beneficiary"]["emails"][0]["address"], "ana.silva@example.org");
    assert_eq!(case["beneficiary"]["verification_status"], "unverified");
    let id = case["id"].as_str().expect("id").to_owned();
    let reference = case["reference"].as_str().expect("reference").to_owned();
    assert!(reference.starts_with("RMP-"), "{reference}");
    let base = format!("/api/v1/cases/{id}");

    // Reading by id or by reference; ETag.
    let got = app.get(&base, t).expect(200);
    let etag = got.header("etag").expect("etag");
    assert_eq!(app.get(&format!("/api/v1/cases/{reference}"), t).expect(200).body["id"], id.as_str());

    // Triage with optimistic concurrency.
    let patched = app
        .patch(&base, t, json!({"urgency": "critical", "imminent_risk": true, "threat_type": "direct"}), Some(&etag))
        .expect(200);
    assert_eq!(patched.body["urgency"], "critical");
    let new_etag = patched.header("etag").expect("etag");
    assert_ne!(new_etag, etag);
    let stale = app.patch(&base, t, json!({"priority": "P1"}), Some(&etag)).expect(412);
    // Without If-Match, a change could silently undo a colleague's: refused (RFC 6585).
    let blind = app.patch(&base, t, json!({"priority": "P1"}), None).expect(428);
    assert_eq!(blind.problem(), "precondition-required");
    assert_eq!(stale.problem(), "precondition-failed");
    app.patch(&base, t, json!({"threat_type": null}), Some(&new_etag)).expect(200);
    assert_eq!(app.get(&base, t).body["threat_type"], serde_json::Value::Null, "null clears");

    // Indicators, normalised server side.
    let ind =
        app.post(&format!("{base}/indicators"), t, json!({"kind": "domain", "value": "Evil[.]Example."})).expect(201);
    assert_eq!(ind.body["value"], "evil.example");
    app.post(&format!("{base}/indicators"), t, json!({"kind": "phone", "value": "+33 6 12 34 56 78"})).expect(201);
    let bad = app.post(&format!("{base}/indicators"), t, json!({"kind": "ip", "value": "999.1.1.1"})).expect(422);
    assert_eq!(bad.problem(), "validation");
    assert_eq!(bad.body["errors"][0]["field"], "value");
    app.post(
        &format!("{base}/indicators"),
        t,
        json!({"kind": "hash-sha1", "value": "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709"}),
    )
    .expect(201);

    // Another case sharing the phone number: correlation and lookup.
    let other = app.new_case(&token, "bo@example.net", json!({}));
    let other_id = other["id"].as_str().expect("id");
    app.post(&format!("/api/v1/cases/{other_id}/indicators"), t, json!({"kind": "phone", "value": "0033612345678"}))
        .expect(201);
    let corr = app.get(&format!("{base}/correlations"), t).expect(200);
    assert_eq!(corr.body.as_array().map(Vec::len), Some(1));
    assert_eq!(corr.body[0]["indicator"]["case_id"], other_id);
    let looked = app.get("/api/v1/indicators/lookup?value=%2B33%206%2012%2034%2056%2078", t).expect(200);
    assert_eq!(looked.body.as_array().map(Vec::len), Some(2));

    // Replies, third party escalation, notes.
    let reply =
        app.post(&format!("{base}/replies"), t, json!({"body": "Bonjour, nous prenons votre demande."})).expect(201);
    assert_eq!(reply.body["delivery_status"], "queued");
    assert_eq!(reply.body["direction"], "outbound");
    assert!(reply.body["subject"].as_str().unwrap_or_default().contains(&format!("[{reference}]")), "{reply:?}");
    let tp = app
        .post(
            &format!("{base}/third-parties"),
            t,
            json!({"organisation": "Plateforme Exemple", "role": "platform_escalation", "email": "abuse@platform.example"}),
        )
        .expect(201);
    let tp_id = tp.body["id"].as_str().expect("id");
    let escalation = app
        .post(
            &format!("{base}/messages"),
            t,
            json!({"direction": "outbound", "party": "third_party", "third_party_id": tp_id, "channel": "email", "body": "Escalade"}),
        )
        .expect(201);
    assert_eq!(escalation.body["delivery_status"], "queued", "for the mail gateway, which needs their key");
    // Their key, as received from them: e-mail to them is encrypted to it.
    let key_path = format!("{base}/third-parties/{tp_id}/key");
    let garbage = app.put_json(&key_path, t, json!({"certificate": "nope"})).expect(422);
    assert_eq!(garbage.body["errors"][0]["field"], "certificate");
    let key = rempart_mail::Keyring::generate("Platform <abuse@platform.example>").expect("key");
    let certificate = key.public_armored().expect("public key");
    let pinned = app.put_json(&key_path, t, json!({"certificate": certificate})).expect(200);
    assert_eq!(pinned.body["pgp_fingerprint"], key.fingerprint().as_str());
    assert!(pinned.body.get("pgp_certificate").is_none(), "the key itself is not echoed");
    app.put_json(&format!("{base}/third-parties/no-such-party/key"), t, json!({"certificate": certificate}))
        .expect(404);
    app.post(&format!("{base}/comments"), t, json!({"text": "Vérifié via partenaire."})).expect(201);
    app.post(&format!("{base}/actions"), t, json!({"text": "Sessions révoquées."})).expect(201);
    let step =
        app.post(&format!("{base}/next-steps"), t, json!({"text": "Rappeler", "due_on": "2026-12-01"})).expect(201);
    let step_id = step.body["id"].as_str().expect("id");
    let done = app.patch(&format!("{base}/next-steps/{step_id}"), t, json!({"done": true}), None).expect(200);
    assert_eq!(done.body["done"], true);
    let risk = app
        .post(
            &format!("{base}/risk-assessments"),
            t,
            json!({"risk_name": "Arrestation", "threats": 8, "vulnerabilities": 6, "capacities": 4}),
        )
        .expect(201);
    assert_eq!(risk.body["score"], 12.0);
    let bad_risk = app
        .post(
            &format!("{base}/risk-assessments"),
            t,
            json!({"risk_name": "x", "threats": 11, "vulnerabilities": 1, "capacities": 1}),
        )
        .expect(422);
    assert_eq!(bad_risk.body["errors"][0]["field"], "threats");
    app.post(&format!("{base}/links"), t, json!({"target": other["reference"], "kind": "related"})).expect(201);

    // Through the state machine.
    let illegal = app.post(&format!("{base}/transitions"), t, json!({"to": "closed"})).expect(409);
    assert_eq!(illegal.problem(), "illegal-transition");
    assert_eq!(illegal.body["allowed"], json!(["open"]));
    for to in ["open", "waiting_third_party", "resolved", "closed", "open", "waiting_third_party", "open"] {
        let moved = app.post(&format!("{base}/transitions"), t, json!({"to": to})).expect(200);
        assert_eq!(moved.body["status"], to);
    }

    // Everything is on the case.
    let detail = app.get(&base, t).expect(200).body;
    assert_eq!(detail["messages"].as_array().map(Vec::len), Some(2));
    assert!(detail["first_response_at"].is_string(), "the reply counts as first response");
    for (key, n) in [
        ("indicators", 3),
        ("third_parties", 1),
        ("comments", 1),
        ("actions", 1),
        ("next_steps", 1),
        ("risk_assessments", 1),
        ("links", 1),
    ] {
        assert_eq!(detail[key].as_array().map(Vec::len), Some(n), "{key}");
    }
    assert_eq!(detail["status_history"].as_array().map(Vec::len), Some(7));
    assert_eq!(detail["status_history"][2]["from_status"], "waiting_third_party", "resolved while waiting");
    assert_eq!(detail["status_history"][4]["reopen"], true);

    // Lists: filters, search, pagination.
    let open = app.get("/api/v1/cases?status=open&urgency=critical", t).expect(200);
    assert_eq!(open.body["items"].as_array().map(Vec::len), Some(1));
    let searched = app.get("/api/v1/cases?q=ESCALADE", t).expect(200);
    assert_eq!(searched.body["items"][0]["id"], id.as_str(), "search covers message bodies");
    let page1 = app.get("/api/v1/cases?limit=1", t).expect(200);
    let cursor = page1.body["next_cursor"].as_str().expect("a next page").to_owned();
    let page2 = app.get(&format!("/api/v1/cases?limit=1&cursor={cursor}"), t).expect(200);
    assert_ne!(page1.body["items"][0]["id"], page2.body["items"][0]["id"]);
    assert!(page2.body["next_cursor"].is_null());
    let mine =
        app.get("/api/v1/cases?assignee=none&audience_type=journalist&verification_status=unverified", t).expect(200);
    assert_eq!(mine.body["items"].as_array().map(Vec::len), Some(2));

    // The audit trail, for the lead.
    let trail = app.get(&format!("{base}/audit"), Some(&lead)).expect(200);
    let actions: Vec<&str> = trail.body.as_array().expect("list").iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(
        actions.contains(&"case.created") && actions.contains(&"case.reopened") && actions.contains(&"indicator.added")
    );
    assert!(trail.body.as_array().expect("list").iter().any(|e| e["actor_id"] == handler.id.as_str()));
}

/// A critical or imminent-risk case opened without a priority is P1 (the configured
/// `escalation.urgent_priority`); others are P3; a priority given is kept.
fn urgent_cases_default_to_the_urgent_priority(db: TestDb) {
    let app = spawn(db);
    let (_, token) = app.signed_in("ana@helpline.example", Role::Handler);
    let priority = |email: &str, extra: serde_json::Value| app.new_case(&token, email, extra)["priority"].clone();
    assert_eq!(priority("a@example.org", json!({"urgency": "critical"})), "P1");
    assert_eq!(priority("b@example.org", json!({"imminent_risk": true})), "P1");
    assert_eq!(priority("c@example.org", json!({"urgency": "high"})), "P3");
    assert_eq!(priority("d@example.org", json!({"urgency": "critical", "priority": "P2"})), "P2");
}

/// With `indicators.default_region = "FR"`, a national number meets the international
/// one: `06 12 34 56 78` is +33612345678 when stored and when looked up, and a number
/// stored before the region was set is still found.
fn national_phone_numbers_meet_international_ones(db: TestDb) {
    let app = spawn_with(db, |c| c.indicator_rules.default_region = Some("FR".parse().expect("FR")));
    let (_, token) = app.signed_in("ana@helpline.example", Role::Handler);
    let t = Some(token.as_str());
    let first = app.new_case(&token, "a@example.org", json!({}));
    let second = app.new_case(&token, "b@example.org", json!({}));
    let (first, second) = (first["id"].as_str().expect("id"), second["id"].as_str().expect("id"));
    let added = app
        .post(&format!("/api/v1/cases/{first}/indicators"), t, json!({"kind": "phone", "value": "06 12 34 56 78"}))
        .expect(201);
    assert_eq!(added.body["value"], "+33612345678");
    assert_eq!(added.body["original_value"], "06 12 34 56 78");
    app.post(&format!("/api/v1/cases/{second}/indicators"), t, json!({"kind": "phone", "value": "+33 6 12 34 56 78"}))
        .expect(201);
    let corr = app.get(&format!("/api/v1/cases/{first}/correlations"), t).expect(200);
    assert_eq!(corr.body[0]["indicator"]["case_id"], second, "{:?}", corr.body);
    let looked = app.get("/api/v1/indicators/lookup?value=06.12.34.56.78", t).expect(200);
    assert_eq!(looked.body.as_array().map(Vec::len), Some(2), "{:?}", looked.body);
    // A number of another country is not read as French.
    let us = app
        .post(&format!("/api/v1/cases/{first}/indicators"), t, json!({"kind": "phone", "value": "+1 202 555 0143"}))
        .expect(201);
    assert_eq!(us.body["value"], "+12025550143");
}

on_both_backends!(
    full_case_workflow,
    urgent_cases_default_to_the_urgent_priority,
    national_phone_numbers_meet_international_ones
);
