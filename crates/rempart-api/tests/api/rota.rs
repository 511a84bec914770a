//! The rota through the API: shifts, check-ins, rotation, automatic assignment with its
//! reasons, the on-call picture.

use crate::support::spawn;
use chrono::{Datelike, Duration, Utc};
use rempart_core::Role;
use rempart_test_db::{TestDb, on_both_backends};
use serde_json::json;

fn new_cases_go_to_the_first_fit_handler_in_rotation(db: TestDb) {
    let app = spawn(db);
    let (_, lead) = app.signed_in("lead@helpline.example", Role::Lead);
    let (ana, ana_token) = app.signed_in("ana@helpline.example", Role::Handler);
    let (bo, bo_token) = app.signed_in("bo@helpline.example", Role::Handler);
    let (cy, cy_token) = app.signed_in("cy@helpline.example", Role::Handler);
    let now = Utc::now().naive_utc();
    let fmt = |t: chrono::NaiveDateTime| t.format("%Y-%m-%dT%H:%M:%S").to_string();
    let (start, end) = (fmt(now - Duration::minutes(30)), fmt(now + Duration::hours(4)));

    // Only leads plan shifts; shifts are short.
    let shift = |kind: &str, user: &str| json!({"user_id": user, "kind": kind, "starts_at": start, "ends_at": end});
    app.post("/api/v1/shifts", Some(&ana_token), shift("intake", &ana.id)).expect(403);
    let long =
        json!({"user_id": ana.id, "kind": "intake", "starts_at": start, "ends_at": fmt(now + Duration::hours(9))});
    assert_eq!(app.post("/api/v1/shifts", Some(&lead), long).expect(422).problem(), "validation");
    for (kind, user) in [("intake", &ana.id), ("intake", &bo.id), ("standby", &cy.id)] {
        app.post("/api/v1/shifts", Some(&lead), shift(kind, user)).expect(201);
    }
    let monday = now.date() - Duration::days(i64::from(now.date().weekday().num_days_from_monday()));
    app.put_json(
        "/api/v1/rota/rotation",
        Some(&lead),
        json!({"members": [ana.id, bo.id], "anchor": monday.to_string()}),
    )
    .expect(200);

    // Nobody checked in yet: within the grace period nobody takes the case.
    let first = app.new_case(&lead, "x1@example.org", json!({}));
    assert!(first["assignee_id"].is_null(), "{first}");

    app.post("/api/v1/check-ins", Some(&ana_token), json!({"fit": false, "note": "mauvaise nuit, private"}))
        .expect(201);
    app.post("/api/v1/check-ins", Some(&bo_token), json!({"fit": true})).expect(201);
    app.post("/api/v1/check-ins", Some(&cy_token), json!({"fit": true})).expect(201);
    let (_, other) = app.signed_in("no-shift@helpline.example", Role::Handler);
    assert_eq!(app.post("/api/v1/check-ins", Some(&other), json!({"fit": true})).expect(409).problem(), "conflict");

    let case = app.new_case(&lead, "x2@example.org", json!({"urgency": "high"}));
    assert_eq!(case["assignee_id"], bo.id.as_str(), "Ana is intake this week but not fit: Bo takes it");
    let id = case["id"].as_str().expect("id");
    let decisions = app.get(&format!("/api/v1/cases/{id}/assignment-decisions"), Some(&lead)).expect(200);
    let reasons = decisions.body[0]["reasons"].as_str().expect("reasons").to_owned();
    assert!(reasons.contains("rotation week") && reasons.contains("intake is ana"), "{reasons}");
    assert!(reasons.contains("skipped ana: checked in not fit"), "{reasons}");
    assert!(reasons.ends_with("assigned to bo"), "{reasons}");

    // A restricted case: Bo is not cleared, Cy (standby) is.
    let (_, admin) = app.signed_in("admin@helpline.example", Role::Admin);
    let cleared = app
        .patch(&format!("/api/v1/users/{}", cy.id), Some(&admin), json!({"cleared_for_restricted": true}), None)
        .expect(200);
    assert_eq!(cleared.body["cleared_for_restricted"], true);
    app.patch(&format!("/api/v1/users/{}", cy.id), Some(&admin), json!({"capacity": 500}), None).expect(422);
    let restricted = app.new_case(&lead, "x3@example.org", json!({"sensitivity": "restricted"}));
    assert_eq!(restricted["assignee_id"], cy.id.as_str(), "{restricted}");

    // The on-call picture: fitness only, never the note.
    let now_picture = app.get("/api/v1/rota/now", Some(&lead)).expect(200);
    let states: Vec<(String, String)> = now_picture.body["on_shift"]
        .as_array()
        .expect("on shift")
        .iter()
        .map(|s| {
            (
                s["display_name"].as_str().unwrap_or_default().to_owned(),
                s["check_in"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert!(states.contains(&("ana".into(), "not_fit".into())), "{states:?}");
    assert!(states.contains(&("bo".into(), "fit".into())), "{states:?}");
    assert!(!now_picture.body.to_string().contains("mauvaise nuit"), "the private note never shows");
    assert_eq!(now_picture.body["intake_user_id"], ana.id.as_str());
    // A handler sees who is on call (whom to ask for help), not how colleagues checked in.
    let seen_by_bo = app.get("/api/v1/rota/now", Some(&bo_token)).expect(200).body;
    let on_shift = seen_by_bo["on_shift"].as_array().expect("on shift");
    assert_eq!(on_shift.len(), 3, "{seen_by_bo}");
    assert!(on_shift.iter().all(|s| s["check_in"].is_null()), "{seen_by_bo}");

    // A case given by hand: not to someone who checked in not fit, unless a lead insists
    // (and says why); a handler handing on is not told how a colleague feels.
    let assign = format!("/api/v1/cases/{id}/assignment");
    let to_ana = json!({"assignee_id": ana.id, "reason": "she knows the beneficiary"});
    let refused = app.post(&assign, Some(&lead), to_ana.clone()).expect(409);
    assert!(refused.body["detail"].as_str().unwrap_or_default().contains("checked in not fit"), "{:?}", refused.body);
    let handed = app.post(&assign, Some(&bo_token), to_ana).expect(409);
    assert!(!handed.body.to_string().contains("not fit"), "{:?}", handed.body);
    let insisted = json!({"assignee_id": ana.id, "reason": "x", "override_reason": "she asked for this one"});
    app.post(&assign, Some(&lead), insisted).expect(200);
    // Bo on shift, fit, under capacity: given by hand without a word.
    app.post(&assign, Some(&lead), json!({"assignee_id": bo.id, "reason": "back to Bo"})).expect(200);

    // Its author reads her own note back; nobody else's list holds it, a lead's included.
    let mine = app.get("/api/v1/check-ins/mine", Some(&ana_token)).expect(200).body;
    assert_eq!(mine.as_array().map(Vec::len), Some(1), "{mine}");
    assert_eq!(mine[0]["private_note"], "mauvaise nuit, private");
    assert_eq!(mine[0]["fit"], false);
    let bos = app.get("/api/v1/check-ins/mine", Some(&bo_token)).expect(200).body;
    assert_eq!(bos.as_array().map(Vec::len), Some(1));
    assert!(!bos.to_string().contains("mauvaise nuit"));
    let leads = app.get("/api/v1/check-ins/mine", Some(&lead)).expect(200).body;
    assert_eq!(leads, json!([]), "a lead's own list, empty: never the team's notes");
    assert_eq!(app.get("/api/v1/check-ins/mine?limit=0", Some(&ana_token)).expect(422).problem(), "validation");
}

/// The workload picture: leads only; loads weighted by urgency; check-ins counted for the
/// team, never per person, and private notes never shown.
fn workload_for_leads(db: TestDb) {
    let app = spawn(db);
    let (_, lead) = app.signed_in("lead@helpline.example", Role::Lead);
    let (ana, ana_token) = app.signed_in("ana@helpline.example", Role::Handler);
    let (bo, _) = app.signed_in("bo@helpline.example", Role::Handler);
    let (_, analyst) = app.signed_in("analyst@helpline.example", Role::Analyst);
    for (urgency, who) in [("critical", &ana.id), ("low", &ana.id), ("medium", &bo.id)] {
        app.new_case(&lead, &format!("{urgency}@example.org"), json!({"urgency": urgency, "assignee_id": who}));
    }
    app.new_case(&lead, "nobody@example.org", json!({"urgency": "high"}));
    let now = Utc::now().naive_utc();
    let fmt = |t: chrono::NaiveDateTime| t.format("%Y-%m-%dT%H:%M:%S").to_string();
    for user in [&ana.id, &bo.id] {
        let shift = json!({"user_id": user, "kind": "intake", "starts_at": fmt(now - Duration::minutes(5)), "ends_at": fmt(now + Duration::hours(2))});
        app.post("/api/v1/shifts", Some(&lead), shift).expect(201);
    }
    app.post("/api/v1/check-ins", Some(&ana_token), json!({"fit": false, "note": "très fatiguée, private"}))
        .expect(201);

    app.get("/api/v1/workload", Some(&ana_token)).expect(403);
    app.get("/api/v1/workload", Some(&analyst)).expect(403);
    let w = app.get("/api/v1/workload?weeks=4", Some(&lead)).expect(200).body;
    let row = |id: &str| {
        w["handlers"].as_array().expect("handlers").iter().find(|h| h["id"] == id).cloned().expect("handler row")
    };
    let a = row(&ana.id);
    assert_eq!(a["open_by_urgency"]["critical"], 1);
    assert_eq!(a["weighted_load"], 5, "critical 4 + low 1");
    assert_eq!(a["received_this_week"], 2);
    assert_eq!(row(&bo.id)["weighted_load"], 2);
    assert_eq!(w["team"]["open_cases"], 4);
    assert_eq!(w["team"]["unassigned_open_cases"], 1);
    assert_eq!(w["team"]["check_in_completion_this_week"], 0.5);
    assert_eq!(w["weekly"].as_array().map(Vec::len), Some(4));
    assert_eq!(w["weekly"][3]["received"], 4);
    let text = w.to_string();
    assert!(
        !text.contains("fatiguée") && !text.contains("not_fit") && !text.contains("\"fit\""),
        "no person's check-in: {text}"
    );
    app.get("/api/v1/workload?weeks=0", Some(&lead)).expect(422);

    // The critical case escalates, and so does ana's "not fit" intake shift (the clock is
    // the store's argument; serve ticks it).
    let raised = rempart_store::escalations::Escalation::raise_due(
        &mut app.db.conn(),
        Utc::now().naive_utc(),
        &rempart_rota::Policy::default(),
        None,
    )
    .expect("tick");
    let mut kinds: Vec<&str> = raised.iter().map(|e| e.kind.as_str()).collect();
    kinds.sort_unstable();
    assert_eq!(kinds, ["check_in_not_fit", "imminent_risk", "unassigned"], "the case nobody holds, too");
    let case_id = raised.iter().find(|e| e.kind == "imminent_risk").and_then(|e| e.case_id.clone()).expect("case");
    let listed = app.get(&format!("/api/v1/cases/{case_id}/escalations"), Some(&ana_token)).expect(200).body;
    assert_eq!(listed[0]["kind"], "imminent_risk");
    assert_eq!(listed[0]["notifications"][0]["recipient"], "lead@helpline.example");
    assert_eq!(listed[0]["notifications"][0]["status"], "queued");
}

/// A lead evens the load with one call: proposed first, applied on request, only towards
/// people on shift who checked in fit.
fn rebalance_proposes_then_applies(db: TestDb) {
    let app = spawn(db);
    let (_, lead) = app.signed_in("lead@helpline.example", Role::Lead);
    let (ana, ana_token) = app.signed_in("ana@helpline.example", Role::Handler);
    let (bo, bo_token) = app.signed_in("bo@helpline.example", Role::Handler);
    let (cy, _) = app.signed_in("cy@helpline.example", Role::Handler);
    let ids: Vec<String> = ["critical", "high", "medium", "low"]
        .iter()
        .map(|u| {
            let c = app.new_case(&lead, &format!("{u}@example.org"), json!({"urgency": u, "assignee_id": ana.id}));
            c["id"].as_str().expect("id").to_owned()
        })
        .collect();
    let now = Utc::now().naive_utc();
    let fmt = |t: chrono::NaiveDateTime| t.format("%Y-%m-%dT%H:%M:%S").to_string();
    for who in [&bo.id, &cy.id] {
        let shift = json!({"user_id": who, "kind": "intake", "starts_at": fmt(now - Duration::minutes(20)), "ends_at": fmt(now + Duration::hours(3))});
        app.post("/api/v1/shifts", Some(&lead), shift).expect(201);
    }
    app.post("/api/v1/check-ins", Some(&bo_token), json!({"fit": true})).expect(201);
    // cy never checked in (past the grace period): not a receiver.

    app.post("/api/v1/rota/rebalance", Some(&ana_token), json!({})).expect(403);
    let proposal = app.post("/api/v1/rota/rebalance", Some(&lead), json!({})).expect(200).body;
    assert_eq!(proposal["applied"], false);
    let moves = proposal["moves"].as_array().expect("moves").clone();
    assert!(!moves.is_empty(), "{proposal}");
    assert!(moves.iter().all(|m| m["to"] == bo.id.as_str() && m["from"] == ana.id.as_str()), "{proposal}");
    assert_eq!(proposal["loads_before"][&ana.id], 10);
    assert!(proposal["loads_after"][&ana.id].as_u64().expect("load") < 10);
    let moved = moves[0]["case_id"].as_str().expect("case").to_owned();
    let case = app.get(&format!("/api/v1/cases/{moved}"), Some(&lead)).expect(200).body;
    assert_eq!(case["assignee_id"], ana.id.as_str(), "a proposal changes nothing");

    let applied = app.post("/api/v1/rota/rebalance", Some(&lead), json!({"apply": true})).expect(200).body;
    assert_eq!(applied["applied"], true);
    let case = app.get(&format!("/api/v1/cases/{moved}"), Some(&lead)).expect(200).body;
    assert_eq!(case["assignee_id"], bo.id.as_str());
    assert!(ids.contains(&moved));
}

/// Leads edit and cancel shifts; a shift with a check-in is history and stays.
fn shifts_are_edited_and_cancelled_by_leads(db: TestDb) {
    let app = spawn(db);
    let (_, lead) = app.signed_in("lead@helpline.example", Role::Lead);
    let (ana, ana_token) = app.signed_in("ana@helpline.example", Role::Handler);
    let now = Utc::now().naive_utc();
    let fmt = |t: chrono::NaiveDateTime| t.format("%Y-%m-%dT%H:%M:%S").to_string();
    let plan = |start: chrono::NaiveDateTime| {
        let body = json!({"user_id": ana.id, "kind": "intake", "starts_at": fmt(start), "ends_at": fmt(start + Duration::hours(4))});
        app.post("/api/v1/shifts", Some(&lead), body).expect(201).body["id"].as_str().expect("id").to_owned()
    };
    let tomorrow = plan(now + Duration::days(1));
    let path = format!("/api/v1/shifts/{tomorrow}");
    app.patch(&path, Some(&ana_token), json!({"kind": "standby"}), None).expect(403);
    let longer = json!({"kind": "standby", "ends_at": fmt(now + Duration::days(1) + Duration::hours(6))});
    let changed = app.patch(&path, Some(&lead), longer, None).expect(200).body;
    assert_eq!(changed["kind"], "standby");
    let too_long = json!({"ends_at": fmt(now + Duration::days(1) + Duration::hours(9))});
    assert_eq!(app.patch(&path, Some(&lead), too_long, None).expect(422).problem(), "validation");
    app.delete(&path, Some(&ana_token)).expect(403);
    app.delete(&path, Some(&lead)).expect(204);
    app.delete(&path, Some(&lead)).expect(404);

    let current = plan(now - Duration::minutes(10));
    app.post("/api/v1/check-ins", Some(&ana_token), json!({"fit": true})).expect(201);
    let refused = app.delete(&format!("/api/v1/shifts/{current}"), Some(&lead)).expect(409);
    assert_eq!(refused.problem(), "conflict");
    let shortened = json!({"ends_at": fmt(now + Duration::minutes(5))});
    app.patch(&format!("/api/v1/shifts/{current}"), Some(&lead), shortened, None).expect(200);

    // Shown in each viewer's time zone; stored in UTC.
    let (_, admin) = app.signed_in("admin@helpline.example", Role::Admin);
    let bad = app.patch(&format!("/api/v1/users/{}", ana.id), Some(&admin), json!({"time_zone": "Mars/Olympus"}), None);
    assert_eq!(bad.expect(422).problem(), "validation");
    let set = json!({"time_zone": "America/Bogota"});
    app.patch(&format!("/api/v1/users/{}", ana.id), Some(&admin), set, None).expect(200);
    let mine =
        app.get(&format!("/api/v1/shifts?from={}", fmt(now - Duration::hours(1))), Some(&ana_token)).expect(200).body;
    let shift = &mine[0];
    assert_eq!(shift["time_zone"], "America/Bogota");
    let utc = chrono::DateTime::parse_from_rfc3339(shift["starts_at"].as_str().expect("utc"))
        .expect("RFC 3339 in UTC, with Z")
        .naive_utc();
    let local =
        chrono::DateTime::parse_from_rfc3339(shift["starts_at_local"].as_str().expect("local")).expect("rfc3339");
    assert_eq!(local.offset().local_minus_utc(), -5 * 3600, "Bogota is UTC-5 all year");
    assert_eq!(local.naive_utc(), utc, "the same instant");
    let theirs =
        app.get(&format!("/api/v1/shifts?from={}", fmt(now - Duration::hours(1))), Some(&lead)).expect(200).body;
    assert_eq!(theirs[0]["time_zone"], "UTC", "the lead has not set a zone");
    let on_call = app.get("/api/v1/rota/now", Some(&ana_token)).expect(200).body;
    assert!(on_call["on_shift"][0]["starts_at_local"].as_str().expect("local").ends_with("-05:00"), "{on_call}");
}

/// Clients send RFC 3339 with `Z` or an offset (what `format: date-time` promises): both
/// are read as UTC, in bodies and in queries; `seen_at` of an indicator too.
fn date_times_with_an_offset_are_understood(db: TestDb) {
    let app = spawn(db);
    let (_, lead) = app.signed_in("lead@helpline.example", Role::Lead);
    let (ana, _) = app.signed_in("ana@helpline.example", Role::Handler);
    let shift = app
        .post(
            "/api/v1/shifts",
            Some(&lead),
            json!({"user_id": ana.id, "kind": "intake", "starts_at": "2030-01-07T08:00:00Z", "ends_at": "2030-01-07T13:00:00+01:00"}),
        )
        .expect(201)
        .body;
    assert_eq!(shift["starts_at"], "2030-01-07T08:00:00Z", "answered in UTC with Z");
    assert_eq!(shift["ends_at"], "2030-01-07T12:00:00Z", "13:00 at +01:00 is 12:00 UTC");
    let listed =
        app.get("/api/v1/shifts?from=2030-01-07T00:00:00Z&to=2030-01-08T00:00:00%2B01:00", Some(&lead)).expect(200);
    assert_eq!(listed.body.as_array().map(Vec::len), Some(1), "{:?}", listed.body);
    let case = app.new_case(&lead, "x@example.org", json!({}));
    let indicator = app
        .post(
            &format!("/api/v1/cases/{}/indicators", case["id"].as_str().expect("id")),
            Some(&lead),
            json!({"kind": "domain", "value": "evil.example", "seen_at": "2026-11-30T23:30:00-02:00"}),
        )
        .expect(201)
        .body;
    assert_eq!(indicator["first_seen"], "2026-12-01T01:30:00Z");
    let bad = app.post(
        "/api/v1/shifts",
        Some(&lead),
        json!({"user_id": ana.id, "kind": "intake", "starts_at": "next monday", "ends_at": "2030-01-07T12:00:00Z"}),
    );
    assert_eq!(bad.expect(422).problem(), "validation");
}

on_both_backends!(
    date_times_with_an_offset_are_understood,
    new_cases_go_to_the_first_fit_handler_in_rotation,
    workload_for_leads,
    rebalance_proposes_then_applies,
    shifts_are_edited_and_cancelled_by_leads
);
