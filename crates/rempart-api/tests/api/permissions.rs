//! Who may do what: the permission matrix, restricted cases, the audit of their reads.

use crate::support::spawn;
use rempart_core::Role;
use rempart_store::audit::AuditEvent;
use rempart_test_db::{TestDb, on_both_backends};
use serde_json::json;

fn permission_matrix(db: TestDb) {
    let app = spawn(db);
    let (_, admin) = app.signed_in("admin@helpline.example", Role::Admin);
    let (_, lead) = app.signed_in("lead@helpline.example", Role::Lead);
    let (handler_user, handler) = app.signed_in("handler@helpline.example", Role::Handler);
    let (analyst_user, analyst) = app.signed_in("analyst@helpline.example", Role::Analyst);
    let (_, other) = app.signed_in("other@helpline.example", Role::Handler);
    let everyone = [("admin", &admin), ("lead", &lead), ("handler", &handler), ("analyst", &analyst)];

    // Users: admins only.
    for (role, token) in everyone {
        let want = if role == "admin" { 200 } else { 403 };
        assert_eq!(app.get("/api/v1/users", Some(token)).status, want, "{role} lists users");
        let create = app.post(
            "/api/v1/users",
            Some(token),
            json!({"email": format!("new-{role}@helpline.example"), "display_name": "N", "role": "handler"}),
        );
        assert_eq!(create.status, if role == "admin" { 201 } else { 403 }, "{role} creates a user");
        if role == "admin" {
            let otp = create.body["one_time_password"].as_str().expect("one-time password");
            assert_eq!(otp.len(), 20);
            assert_eq!(create.body["user"]["must_change_password"], true);
        }
    }

    // Taxonomies: everyone reads, admins manage.
    for (role, token) in everyone {
        app.get("/api/v1/taxonomies/service", Some(token)).expect(200);
        let add =
            app.post("/api/v1/taxonomies/service", Some(token), json!({"code": format!("new_{role}"), "label": "New"}));
        assert_eq!(add.status, if role == "admin" { 201 } else { 403 }, "{role} adds a service type");
    }
    app.post("/api/v1/taxonomies/service", Some(&admin), json!({"code": "new_admin", "label": "Again"})).expect(409);
    let retired =
        app.patch("/api/v1/taxonomies/service/new_admin", Some(&admin), json!({"active": false}), None).expect(200);
    assert_eq!(retired.body["active"], false);
    let refused = app.post(
        "/api/v1/cases",
        Some(&handler),
        json!({"beneficiary": {"display_name": "X", "emails": ["x@example.org"]}, "summary": "s", "service_type": "new_admin"}),
    );
    assert_eq!(refused.expect(422).problem(), "validation", "a retired entry takes no new case");

    // Everybody works cases.
    let case = app.new_case(&handler, "ana@example.org", json!({}));
    let id = case["id"].as_str().expect("id").to_owned();
    let beneficiary = case["beneficiary_id"].as_str().expect("beneficiary").to_owned();
    for (role, token) in everyone {
        app.post(&format!("/api/v1/cases/{id}/comments"), Some(token), json!({"text": format!("note by {role}")}))
            .expect(201);
    }

    // Assignment: take a free case, hand on your own; only leads reassign others'.
    let assign = format!("/api/v1/cases/{id}/assignment");
    app.post(&assign, Some(&analyst), json!({"assignee_id": handler_user.id, "reason": "x"})).expect(403);
    app.post(&assign, Some(&handler), json!({"assignee_id": handler_user.id, "reason": "I take it"})).expect(200);
    app.post(&assign, Some(&other), json!({"assignee_id": null, "reason": "mine now"})).expect(403);
    app.post(&assign, Some(&handler), json!({"assignee_id": analyst_user.id, "reason": "needs analysis"})).expect(200);
    // Nobody plans shifts here: a handler is off shift, and a lead must insist to give
    // them a case (recorded as a decision).
    let refused = app.post(&assign, Some(&lead), json!({"assignee_id": handler_user.id, "reason": "rebalance"}));
    let refused = refused.expect(409);
    assert_eq!(refused.problem(), "assignee-unavailable");
    assert!(refused.body["detail"].as_str().unwrap_or_default().contains("off shift"), "{:?}", refused.body);
    app.post(
        &assign,
        Some(&lead),
        json!({"assignee_id": handler_user.id, "reason": "rebalance", "override_reason": "on call by phone tonight"}),
    )
    .expect(200);
    let decisions = app.get(&format!("/api/v1/cases/{id}/assignment-decisions"), Some(&lead)).expect(200).body;
    let recorded = decisions.to_string();
    assert!(recorded.contains("override: on call by phone tonight") && recorded.contains("off shift"), "{recorded}");
    let (colleague, _) = app.signed_in("colleague@helpline.example", Role::Handler);
    let handed = app.post(&assign, Some(&handler), json!({"assignee_id": colleague.id, "reason": "over to you"}));
    let handed = handed.expect(409);
    assert!(!handed.body["detail"].as_str().unwrap_or_default().contains("shift"), "a colleague's state is theirs");
    let overriding = json!({"assignee_id": colleague.id, "reason": "x", "override_reason": "I insist"});
    assert_eq!(app.post(&assign, Some(&handler), overriding).expect(403).problem(), "forbidden");

    // Verification: the assignee of one of the beneficiary's cases verifies; only leads and
    // admins reject. Others read the beneficiary but change nothing.
    let v = format!("/api/v1/beneficiaries/{beneficiary}/verification");
    app.post(&v, Some(&handler), json!({"status": "verified", "reason": "vouched by partner"})).expect(200);
    assert_eq!(
        app.post(&v, Some(&handler), json!({"status": "rejected", "reason": "x"})).expect(403).problem(),
        "forbidden"
    );
    assert_eq!(app.post(&v, Some(&analyst), json!({"status": "rejected", "reason": "x"})).status, 403);
    assert_eq!(app.post(&v, Some(&other), json!({"status": "unverified", "reason": "x"})).status, 403);
    let rejected = app.post(&v, Some(&lead), json!({"status": "rejected", "reason": "outside mandate"})).expect(200);
    assert_eq!(rejected.body["verification_history"].as_array().map(Vec::len), Some(3));
    app.post(&v, Some(&admin), json!({"status": "unverified", "reason": "appeal"})).expect(200);
    assert_eq!(
        app.post(&v, Some(&lead), json!({"status": "verified", "reason": " "})).expect(422).problem(),
        "validation"
    );

    // Audit trail: leads and admins.
    for (role, token) in everyone {
        let want = if matches!(role, "admin" | "lead") { 200 } else { 403 };
        assert_eq!(app.get(&format!("/api/v1/cases/{id}/audit"), Some(token)).status, want, "{role} reads the audit");
    }
}

fn restricted_cases_are_invisible_to_others(db: TestDb) {
    let app = spawn(db);
    let (_, lead) = app.signed_in("lead@helpline.example", Role::Lead);
    let (holder_user, holder) = app.signed_in("holder@helpline.example", Role::Handler);
    let (_, other) = app.signed_in("other@helpline.example", Role::Handler);
    let case = app.new_case(&holder, "ana@example.org", json!({"sensitivity": "restricted"}));
    assert_eq!(case["assignee_id"], holder_user.id.as_str(), "the handler who restricts it keeps it");
    let id = case["id"].as_str().expect("id").to_owned();
    let reference = case["reference"].as_str().expect("reference").to_owned();
    app.post(
        &format!("/api/v1/cases/{id}/indicators"),
        Some(&holder),
        json!({"kind": "email", "value": "stalker@bad.example"}),
    )
    .expect(201);
    let normal = app.new_case(&other, "bo@example.org", json!({}));

    for path in [
        format!("/api/v1/cases/{id}"),
        format!("/api/v1/cases/{reference}"),
        format!("/api/v1/cases/{id}/messages"),
        format!("/api/v1/cases/{id}/indicators"),
    ] {
        assert_eq!(app.get(&path, Some(&other)).expect(404).problem(), "not-found", "{path}");
    }
    assert_eq!(app.post(&format!("/api/v1/cases/{id}/comments"), Some(&other), json!({"text": "x"})).status, 404);
    let link = app.post(
        &format!("/api/v1/cases/{}/links", normal["id"].as_str().unwrap_or_default()),
        Some(&other),
        json!({"target": id, "kind": "related"}),
    );
    assert_eq!(link.status, 404, "cannot even link to it");
    let listed = app.get("/api/v1/cases", Some(&other)).expect(200);
    assert!(listed.body["items"].as_array().expect("items").iter().all(|c| c["id"] != id.as_str()));
    assert_eq!(
        app.get("/api/v1/indicators/lookup?value=stalker@bad.example", Some(&other)).expect(200).body,
        json!([])
    );

    app.get(&format!("/api/v1/cases/{id}"), Some(&holder)).expect(200);
    app.get(&format!("/api/v1/cases/{id}"), Some(&lead)).expect(200);
    assert_eq!(
        app.get("/api/v1/indicators/lookup?value=STALKER@bad.example", Some(&lead))
            .expect(200)
            .body
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let listed = app.get("/api/v1/cases", Some(&holder)).expect(200);
    assert!(listed.body["items"].as_array().expect("items").iter().any(|c| c["id"] == id.as_str()));

    // Every read of a restricted case is in the trail; the refused ones read nothing.
    let reads = AuditEvent::for_case(&mut app.db.conn(), &id)
        .expect("audit")
        .into_iter()
        .filter(|e| e.action == "case.read")
        .count();
    assert!(reads >= 3, "reads by the holder and the lead are recorded, got {reads}");
}

/// The mail quarantine holds whatever anyone sent: intake staff only; reading raw bytes is
/// audited. The helpline key is public, and a clear 404 until one exists.
fn mail_quarantine_and_helpline_key(db: TestDb) {
    let app = spawn(db);
    let (_, admin) = app.signed_in("admin@helpline.example", Role::Admin);
    let (_, lead) = app.signed_in("lead@helpline.example", Role::Lead);
    let (_, handler) = app.signed_in("handler@helpline.example", Role::Handler);
    let (_, analyst) = app.signed_in("analyst@helpline.example", Role::Analyst);
    let item = {
        let mut conn = app.db.conn();
        rempart_store::mail::QuarantinedMail::insert(
            &mut conn,
            rempart_store::mail::NewQuarantine {
                source: "mailgate",
                reason_code: "malformed",
                reason: "not a message",
                from_address: None,
                subject: "",
                message_id_header: None,
                raw: b"\x01\x02 junk",
            },
        )
        .expect("quarantine")
    };
    for (role, token, want) in
        [("admin", &admin, 200), ("lead", &lead, 200), ("handler", &handler, 200), ("analyst", &analyst, 403)]
    {
        assert_eq!(app.get("/api/v1/mail/quarantine", Some(token)).status, want, "{role} lists the quarantine");
    }
    assert_eq!(app.get("/api/v1/mail/quarantine", None).status, 401);
    app.get(&format!("/api/v1/mail/quarantine/{}/raw", item.id), Some(&handler)).expect(200);
    let reads = AuditEvent::for_target(&mut app.db.conn(), "quarantine", &item.id)
        .expect("audit")
        .iter()
        .filter(|e| e.action == "mail.quarantine_read")
        .count();
    assert_eq!(reads, 1, "reading raw quarantined bytes is audited");
    let resolved =
        app.post(&format!("/api/v1/mail/quarantine/{}/resolve", item.id), Some(&lead), json!({})).expect(200);
    assert!(resolved.body["resolved_at"].is_string());
    let open: serde_json::Value = app.get("/api/v1/mail/quarantine", Some(&lead)).expect(200).body;
    assert_eq!(open.as_array().map(Vec::len), Some(0), "resolved items leave the default list");
    let all = app.get("/api/v1/mail/quarantine?all=true", Some(&lead)).expect(200).body;
    assert_eq!(all.as_array().map(Vec::len), Some(1));

    let key = app.get("/api/v1/helpline-key", None).expect(404);
    assert_eq!(key.problem(), "not-found");
}

/// The beneficiary directory follows the cases: a beneficiary is visible to leads, admins
/// and whoever can see one of their cases; changed by the assignee of one of their cases,
/// leads and admins. Everybody else gets 404, through every echo and conflict answer.
fn beneficiary_directory_matrix(db: TestDb) {
    let app = spawn(db);
    let (_, admin) = app.signed_in("admin@helpline.example", Role::Admin);
    let (_, lead) = app.signed_in("lead@helpline.example", Role::Lead);
    let (handler_user, handler) = app.signed_in("handler@helpline.example", Role::Handler);
    let (other_user, other) = app.signed_in("other@helpline.example", Role::Handler);
    let (_, analyst) = app.signed_in("analyst@helpline.example", Role::Analyst);
    let own = app.new_case(&handler, "own@example.org", json!({"assignee_id": handler_user.id}));
    let theirs = app.new_case(&other, "theirs@example.org", json!({"assignee_id": other_user.id}));
    let secret = app.new_case(&other, "secret@example.org", json!({"sensitivity": "restricted"}));
    let bid = |case: &serde_json::Value| case["beneficiary_id"].as_str().expect("beneficiary").to_owned();
    let (own_b, theirs_b, secret_b) = (bid(&own), bid(&theirs), bid(&secret));
    let everyone = [("admin", &admin), ("lead", &lead), ("handler", &handler), ("analyst", &analyst)];
    let key = rempart_mail::Keyring::generate("Their key <key@example.org>").expect("key");
    let certificate = key.public_armored().expect("public key");
    // (role, beneficiary, address, read, change)
    let mut cells = Vec::new();
    for (role, token) in everyone {
        let supervisor = matches!(role, "admin" | "lead");
        cells.push((role, token, &own_b, "own@example.org", true, supervisor || role == "handler"));
        cells.push((role, token, &theirs_b, "theirs@example.org", true, supervisor));
        cells.push((role, token, &secret_b, "secret@example.org", supervisor, supervisor));
    }
    for (n, (role, token, id, address, read, change)) in cells.into_iter().enumerate() {
        let what = format!("{role} on {address}");
        let hidden = if read { 403 } else { 404 };
        assert_eq!(
            app.get(&format!("/api/v1/beneficiaries/{id}"), Some(token)).status,
            if read { 200 } else { 404 },
            "{what}: get"
        );
        let found = app.get(&format!("/api/v1/beneficiaries?email={address}"), Some(token)).expect(200).body;
        assert_eq!(found.as_array().map(Vec::len), Some(usize::from(read)), "{what}: lookup by address");
        let listed = app.get("/api/v1/beneficiaries?limit=200", Some(token)).expect(200).body;
        let in_list = listed.as_array().expect("list").iter().any(|b| b["id"] == id.as_str());
        assert_eq!(in_list, read, "{what}: list");
        let dup = app.post("/api/v1/beneficiaries", Some(token), json!({"display_name": "Dup", "emails": [address]}));
        assert_eq!(dup.status, if read { 409 } else { 404 }, "{what}: an address of theirs");
        assert!(!dup.body.to_string().contains("another beneficiary") || read, "{what}: no oracle");
        let with_new = app.post(
            "/api/v1/cases",
            Some(token),
            json!({"beneficiary": {"display_name": "Dup", "emails": [address]}, "summary": "s"}),
        );
        assert_eq!(with_new.status, if read { 409 } else { 404 }, "{what}: new case with their address");
        // Changes.
        let want = if change { 200 } else { hidden };
        let renamed = app.patch(
            &format!("/api/v1/beneficiaries/{id}"),
            Some(token),
            json!({"display_name": format!("N{n}")}),
            None,
        );
        assert_eq!(renamed.status, want, "{what}: rename");
        let added = app.post(
            &format!("/api/v1/beneficiaries/{id}/emails"),
            Some(token),
            json!({"address": format!("alias{n}@example.org")}),
        );
        assert_eq!(added.status, want, "{what}: add an address");
        let verified = app.post(
            &format!("/api/v1/beneficiaries/{id}/verification"),
            Some(token),
            json!({"status": if n % 2 == 0 { "verified" } else { "unverified" }, "reason": "r"}),
        );
        assert!(
            if change { matches!(verified.status, 200 | 409) } else { verified.status == hidden },
            "{what}: verification answered {}",
            verified.status
        );
        let confirm = app.post(
            &format!("/api/v1/beneficiaries/{id}/key/confirmation"),
            Some(token),
            json!({"fingerprint": "AB".repeat(20), "how": "phone"}),
        );
        assert_eq!(confirm.status, if change { 409 } else { hidden }, "{what}: key confirmation (no key yet)");
        let entered =
            app.put_json(&format!("/api/v1/beneficiaries/{id}/key"), Some(token), json!({"certificate": certificate}));
        assert_eq!(entered.status, if change { 200 } else { hidden }, "{what}: enter a key");
        if change {
            assert_eq!(entered.body["key_trust"], "confirmed", "{what}: a key a handler enters is confirmed");
            assert_eq!(entered.body["pgp_fingerprint"], key.fingerprint().as_str());
        }
        let decision = app.post(
            &format!("/api/v1/beneficiaries/{id}/key-changes/no-such-change/decision"),
            Some(token),
            json!({"accept": true}),
        );
        assert_eq!(decision.status, if change { 404 } else { hidden }, "{what}: key change decision");
        // Echo of a new case: 404 when hidden. Last, and restricted: a new case changes who
        // sees the beneficiary.
        let echo = app.post(
            "/api/v1/cases",
            Some(token),
            json!({"beneficiary_id": id, "summary": "s", "sensitivity": "restricted"}),
        );
        assert_eq!(echo.status, if read { 201 } else { 404 }, "{what}: new case for them");
        if !read {
            assert!(!echo.body.to_string().contains(address), "{what}: nothing echoed");
        }
    }

    let garbage =
        app.put_json(&format!("/api/v1/beneficiaries/{own_b}/key"), Some(&lead), json!({"certificate": "nope"}));
    assert_eq!(garbage.expect(422).body["errors"][0]["field"], "certificate");

    // A visible case linked to a restricted one shows that a link exists, nothing more.
    let own_id = own["id"].as_str().expect("id");
    let secret_id = secret["id"].as_str().expect("id");
    app.post(&format!("/api/v1/cases/{own_id}/links"), Some(&lead), json!({"target": secret_id, "kind": "parent_of"}))
        .expect(201);
    let links = app.get(&format!("/api/v1/cases/{own_id}/links"), Some(&handler)).expect(200).body;
    assert_eq!(links, json!([{"hidden": true}]), "neither the id nor the kind");
    let detail = app.get(&format!("/api/v1/cases/{own_id}"), Some(&handler)).expect(200).body;
    assert_eq!(detail["links"], json!([]));
    assert_eq!(detail["hidden_links"], 1);
    assert!(!detail.to_string().contains(secret_id));
    let links = app.get(&format!("/api/v1/cases/{own_id}/links"), Some(&lead)).expect(200).body;
    assert_eq!(links[0]["target_case_id"], secret_id, "leads see it whole");
}

on_both_backends!(
    permission_matrix,
    restricted_cases_are_invisible_to_others,
    mail_quarantine_and_helpline_key,
    beneficiary_directory_matrix
);
