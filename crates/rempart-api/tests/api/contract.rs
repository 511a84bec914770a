//! The API's contract: bad requests answer 4xx problem documents, never 500; the OpenAPI
//! document describes every route.

use crate::support::{Answer, TestApp, spawn_with};
use rempart_core::Role;
use rempart_test_db::{TestDb, on_both_backends};
use serde_json::json;

fn bad_requests_answer_problems(db: TestDb) {
    let app = spawn_with(db, |c| c.json_limit_bytes = 4096);
    let (_, token) = app.signed_in("ana@helpline.example", Role::Handler);
    let t = Some(token.as_str());
    let case = app.new_case(&token, "bo@example.org", json!({}));
    let id = case["id"].as_str().expect("id").to_owned();

    let table: Vec<(&str, Answer, u16, &str)> = vec![
        (
            "malformed JSON",
            app.raw_post("/api/v1/cases", t, "application/json", b"{\"summary\": ".to_vec()),
            400,
            "bad-request",
        ),
        (
            "not JSON at all",
            app.raw_post("/api/v1/cases", t, "application/json", b"summary=x".to_vec()),
            400,
            "bad-request",
        ),
        (
            "wrong content type",
            app.raw_post("/api/v1/cases", t, "text/plain", b"{}".to_vec()),
            415,
            "unsupported-media-type",
        ),
        (
            "body over the limit",
            app.raw_post(
                "/api/v1/cases",
                t,
                "application/json",
                format!("{{\"summary\": \"{}\"}}", "x".repeat(5000)).into_bytes(),
            ),
            413,
            "payload-too-large",
        ),
        (
            "unknown field",
            app.post("/api/v1/cases", t, json!({"beneficiary_id": "x", "summary": "s", "colour": "red"})),
            422,
            "validation",
        ),
        ("missing field", app.post("/api/v1/cases", t, json!({"beneficiary_id": "x"})), 422, "validation"),
        ("wrong type", app.post("/api/v1/cases", t, json!({"beneficiary_id": "x", "summary": 42})), 422, "validation"),
        (
            "unknown enum word",
            app.post("/api/v1/cases", t, json!({"beneficiary_id": "x", "summary": "s", "urgency": "urgent"})),
            422,
            "validation",
        ),
        (
            "unknown beneficiary",
            app.post(
                "/api/v1/cases",
                t,
                json!({"beneficiary_id": "00000000-0000-0000-0000-000000000000", "summary": "s"}),
            ),
            404,
            "not-found",
        ),
        (
            "empty summary",
            app.post(
                "/api/v1/cases",
                t,
                json!({"beneficiary": {"display_name": "B", "emails": ["b@example.org"]}, "summary": "  "}),
            ),
            422,
            "validation",
        ),
        (
            "bad email",
            app.post("/api/v1/beneficiaries", t, json!({"display_name": "B", "emails": ["not-an-address"]})),
            422,
            "validation",
        ),
        ("invalid id: no such case", app.get("/api/v1/cases/not-a-uuid", t), 404, "not-found"),
        ("unknown case", app.get("/api/v1/cases/00000000-0000-0000-0000-000000000000", t), 404, "not-found"),
        ("unknown reference", app.get("/api/v1/cases/RMP-2020-000001", t), 404, "not-found"),
        ("oversized page", app.get("/api/v1/cases?limit=1000", t), 400, "bad-request"),
        ("zero page", app.get("/api/v1/cases?limit=0", t), 400, "bad-request"),
        ("bad query type", app.get("/api/v1/cases?imminent_risk=maybe", t), 400, "bad-request"),
        ("unknown query parameter", app.get("/api/v1/cases?colour=red", t), 400, "bad-request"),
        ("bad status filter", app.get("/api/v1/cases?status=opened", t), 422, "validation"),
        ("bad cursor", app.get("/api/v1/cases?cursor=%%%", t), 422, "validation"),
        ("forged cursor", app.get("/api/v1/cases?cursor=Zm9v", t), 422, "validation"),
        ("bad sort", app.get("/api/v1/cases?sort=urgency", t), 422, "validation"),
        (
            "bad If-Match",
            app.patch(&format!("/api/v1/cases/{id}"), t, json!({}), Some("yesterday")),
            400,
            "bad-request",
        ),
        (
            "bad indicator kind",
            app.post(&format!("/api/v1/cases/{id}/indicators"), t, json!({"kind": "colour", "value": "red"})),
            422,
            "validation",
        ),
        ("empty lookup", app.get("/api/v1/indicators/lookup?value=", t), 422, "validation"),
        ("missing token", app.get("/api/v1/cases", None), 401, "unauthorized"),
        ("unknown route", app.get("/api/v1/nothing-here", t), 404, "not-found"),
        ("unknown taxonomy", app.get("/api/v1/taxonomies/colours", t), 404, "not-found"),
    ];
    for (what, answer, status, slug) in table {
        assert_eq!(answer.status, status, "{what}: {answer:#?}");
        assert_eq!(answer.problem(), slug, "{what}");
        assert!(answer.body["title"].is_string() && answer.body["detail"].is_string(), "{what}");
    }
    let unknown = app.post("/api/v1/cases", t, json!({"beneficiary_id": "x", "summary": "s", "colour": "red"}));
    assert!(unknown.body["detail"].as_str().unwrap_or_default().contains("colour"), "names the field: {unknown:?}");
    // After all that, the server still serves.
    app.get("/healthz", None).expect(200);
    app.get("/readyz", None).expect(200);
}

#[test]
fn the_openapi_document_describes_every_route() {
    let doc: serde_json::Value = serde_json::from_str(rempart_api::openapi::json()).expect("valid JSON");
    assert_eq!(doc["openapi"], "3.1.0");
    let mut missing = Vec::new();
    for (method, path) in rempart_api::routes::ROUTES {
        if doc["paths"][*path][*method].is_null() {
            missing.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    assert!(missing.is_empty(), "routes missing from the OpenAPI document: {missing:?}");
    let documented: usize =
        doc["paths"].as_object().expect("paths").values().map(|p| p.as_object().map_or(0, |m| m.len())).sum();
    assert_eq!(documented, rempart_api::routes::ROUTES.len(), "the document describes no route that does not exist");
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    for schema in ["Problem", "CaseDetail", "Case", "NewCaseRequest", "TokenResponse", "IndicatorMatch"] {
        assert!(doc["components"]["schemas"][schema].is_object(), "schema {schema}");
    }
}

#[test]
fn the_openapi_document_is_served() {
    let app: TestApp = crate::support::spawn(TestDb::sqlite());
    let served = app.get("/api/v1/openapi.json", None).expect(200);
    assert_eq!(served.body["info"]["title"], "Rempart");
}

fn evidence_upload_download_and_limits(db: TestDb) {
    let app = spawn_with(db, |c| c.evidence_limit_bytes = 1024);
    let (_, token) = app.signed_in("ana@helpline.example", Role::Handler);
    let case = app.new_case(&token, "bo@example.org", json!({}));
    let id = case["id"].as_str().expect("id").to_owned();
    let upload = |name: &str, bytes: Vec<u8>| {
        let part = reqwest::blocking::multipart::Part::bytes(bytes)
            .file_name(name.to_owned())
            .mime_str("image/png")
            .expect("mime");
        let form = reqwest::blocking::multipart::Form::new().part("file", part).text("description", "capture d'écran");
        let r = app
            .client
            .post(app.url(&format!("/api/v1/cases/{id}/evidence")))
            .bearer_auth(&token)
            .multipart(form)
            .send();
        crate::support::Answer::from_response(r.expect("request"))
    };
    let content = b"\x89PNG fake screenshot of a threat".to_vec();
    let first = upload("../../capture d'écran.png", content.clone()).expect(201);
    assert_eq!(first.body["created"], true);
    assert_eq!(first.body["evidence"]["original_name"], "capture d'écran.png");
    let sha = first.body["evidence"]["sha256"].as_str().expect("sha").to_owned();
    let again = upload("copy.png", content.clone()).expect(200);
    assert_eq!(again.body["evidence"]["id"], first.body["evidence"]["id"], "stored once");
    assert_eq!(upload("big.png", vec![0u8; 2048]).expect(413).problem(), "payload-too-large");
    let listed = app.get(&format!("/api/v1/cases/{id}/evidence"), Some(&token)).expect(200);
    assert_eq!(listed.body.as_array().map(Vec::len), Some(1));

    let download = |eid: &str| {
        app.client
            .get(app.url(&format!("/api/v1/cases/{id}/evidence/{eid}/content")))
            .bearer_auth(&token)
            .send()
            .expect("download")
    };
    let eid = first.body["evidence"]["id"].as_str().expect("id");
    let r = download(eid);
    assert_eq!(r.status().as_u16(), 200);
    let header = |n: &str| r.headers().get(n).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let digest = header("digest").expect("Digest");
    assert_eq!(header("content-type").as_deref(), Some("application/octet-stream"), "never rendered");
    assert_eq!(header("x-evidence-media-type").as_deref(), Some("image/png"));
    assert_eq!(header("content-security-policy").as_deref(), Some("sandbox; default-src 'none'"));
    let disposition = header("content-disposition").unwrap_or_default();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert!(disposition.contains("filename=\"capture d'_cran.png\""), "ASCII fallback: {disposition}");
    assert!(disposition.contains("filename*=UTF-8''capture%20d%27%C3%A9cran.png"), "RFC 5987 name: {disposition}");
    assert_eq!(header("cache-control").as_deref(), Some("no-store"));
    let bytes = r.bytes().expect("body").to_vec();
    assert_eq!(bytes, content);
    use base64::Engine;
    let raw = base64::engine::general_purpose::STANDARD.decode(digest.trim_start_matches("sha-256=")).expect("base64");
    assert_eq!(raw.iter().map(|b| format!("{b:02x}")).collect::<String>(), sha, "Digest is the SHA-256 of the body");
    // An active type with a name that lies by bidirectional override: served inert, named
    // cleanly, the name as sent kept in the record.
    let svg = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>".to_vec();
    let part = reqwest::blocking::multipart::Part::bytes(svg)
        .file_name("invoice\u{202E}gvs.exe")
        .mime_str("image/svg+xml")
        .expect("mime");
    let r = app
        .client
        .post(app.url(&format!("/api/v1/cases/{id}/evidence")))
        .bearer_auth(&token)
        .multipart(reqwest::blocking::multipart::Form::new().part("file", part))
        .send()
        .expect("upload");
    let stored = crate::support::Answer::from_response(r).expect(201);
    assert_eq!(stored.body["evidence"]["original_name"], "invoicegvs.exe");
    assert_eq!(stored.body["evidence"]["submitted_name"], "invoice\u{202E}gvs.exe");
    let r = download(stored.body["evidence"]["id"].as_str().expect("id"));
    let header = |n: &str| r.headers().get(n).and_then(|v| v.to_str().ok()).map(str::to_owned);
    assert_eq!(header("content-type").as_deref(), Some("application/octet-stream"));
    assert!(header("content-security-policy").unwrap_or_default().starts_with("sandbox"));
    assert!(!header("content-disposition").unwrap_or_default().contains("%E2%80%AE"), "no override in the name");

    let other = app.new_case(&token, "cy@example.org", json!({}));
    let wrong = app.get(
        &format!("/api/v1/cases/{}/evidence/{eid}/content", other["id"].as_str().unwrap_or_default()),
        Some(&token),
    );
    assert_eq!(wrong.expect(404).problem(), "not-found", "evidence is reached through its own case only");
}

fn metrics_count_requests_by_route_and_cases_by_status(db: TestDb) {
    let metrics_token = "a metrics token of at least 32 characters";
    let app = spawn_with(db, |c| c.metrics_token = Some(metrics_token.to_owned()));
    let (_, token) = app.signed_in("ana@helpline.example", Role::Handler);
    let case = app.new_case(&token, "bo@example.org", json!({}));
    app.get(&format!("/api/v1/cases/{}", case["id"].as_str().unwrap_or_default()), Some(&token)).expect(200);
    // Whoever reaches the port reads nothing without the token.
    assert_eq!(app.get("/metrics", None).expect(401).problem(), "unauthorized");
    assert_eq!(app.get("/metrics", Some("wrong")).status, 401);
    let r = app.client.get(app.url("/metrics")).bearer_auth(metrics_token).send().expect("metrics");
    assert!(
        r.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .starts_with("application/openmetrics-text")
    );
    let text = r.text().expect("text");
    assert!(
        text.contains(r#"rempart_http_requests_total{method="GET",route="/api/v1/cases/{id}",status="200"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"rempart_http_requests_total{method="POST",route="/api/v1/cases",status="201"} 1"#),
        "{text}"
    );
    assert!(text.contains("rempart_http_request_duration_seconds_bucket"), "{text}");
    assert!(text.contains(r#"rempart_cases{status="new"} 1"#), "{text}");
    assert!(text.contains(r#"rempart_cases{status="closed"} 0"#), "{text}");
    assert!(!text.contains(case["id"].as_str().unwrap_or("none")), "no identifiers in metrics");
    // Without a configured token, metrics are off; a request without credentials is still
    // told to authenticate, as the document says.
    let off = crate::support::spawn(TestDb::sqlite());
    assert_eq!(off.get("/metrics", Some("any token")).expect(404).problem(), "not-found");
    assert_eq!(off.get("/metrics", None).expect(401).problem(), "unauthorized");
}

/// A NUL character anywhere a client can put text answers 422, on both engines (it used
/// to be stored on SQLite and a 500 on PostgreSQL).
fn nul_characters_are_refused_at_the_edge(db: TestDb) {
    let app = crate::support::spawn(db);
    let (_, token) = app.signed_in("ana@helpline.example", Role::Handler);
    let t = Some(token.as_str());
    let case = app.new_case(&token, "bo@example.org", json!({}));
    let id = case["id"].as_str().expect("id").to_owned();
    for path in [
        "/api/v1/indicators/lookup?value=a%00b".to_owned(),
        "/api/v1/cases?q=%00".to_owned(),
        "/api/v1/beneficiaries?email=a%00@example.org".to_owned(),
        "/api/v1/cases/a%00b".to_owned(),
    ] {
        let answer = app.get(&path, t).expect(422);
        assert_eq!(answer.problem(), "validation", "{path}");
        assert_eq!(answer.header("content-type").as_deref(), Some("application/problem+json"), "{path}");
    }
    let comment = app.post(&format!("/api/v1/cases/{id}/comments"), t, json!({"text": "A\u{0}B"}));
    assert_eq!(comment.expect(422).problem(), "validation");
    let nested = app.post(
        "/api/v1/cases",
        t,
        json!({"beneficiary": {"display_name": "X\u{0}", "emails": ["x@example.org"]}, "summary": "s"}),
    );
    assert_eq!(nested.expect(422).body["errors"][0]["field"], "beneficiary.display_name");
    let form = reqwest::blocking::multipart::Form::new()
        .part("file", reqwest::blocking::multipart::Part::bytes(b"x".to_vec()).file_name("a.txt"))
        .text("description", "avant\u{0}après");
    let r =
        app.client.post(app.url(&format!("/api/v1/cases/{id}/evidence"))).bearer_auth(&token).multipart(form).send();
    assert_eq!(Answer::from_response(r.expect("upload")).expect(422).problem(), "validation", "a form field too");
    // The words `\u0000` written out are text like any other.
    app.post(&format!("/api/v1/cases/{id}/comments"), t, json!({"text": "JSON writes NUL as \\u0000"})).expect(201);
}

/// Every API answer forbids being framed, loaded as a page's resources or leaking a Referer.
fn security_headers_on_every_answer(db: TestDb) {
    let app = crate::support::spawn(db);
    let (_, token) = app.signed_in("ana@helpline.example", Role::Handler);
    for (path, token) in [("/api/v1/me", Some(token.as_str())), ("/api/v1/cases", None), ("/nowhere", None)] {
        let answer = app.get(path, token);
        assert_eq!(
            answer.header("content-security-policy").as_deref(),
            Some("default-src 'none'; frame-ancestors 'none'"),
            "{path}"
        );
        assert_eq!(answer.header("referrer-policy").as_deref(), Some("no-referrer"), "{path}");
        assert_eq!(answer.header("x-content-type-options").as_deref(), Some("nosniff"), "{path}");
    }
}

/// What schemathesis found, pinned here so that each stays fixed: a method a path does not
/// take answers 405 with `Allow`; an administrator giving themself their own role again
/// keeps their tokens; an empty reply is refused; a whole number written `9.0` is read.
fn the_document_and_the_server_agree(db: TestDb) {
    let app = crate::support::spawn(db);
    let (admin, token) = app.signed_in("root@helpline.example", Role::Admin);
    let t = Some(token.as_str());
    for (method, path, allow) in [
        ("TRACE", "/healthz", "GET"),
        ("DELETE", "/api/v1/cases/RMP-2026-000001", "GET, PATCH"),
        ("PUT", "/api/v1/shifts/x", "PATCH, DELETE"),
    ] {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let answer = crate::support::Answer::from_response(
            app.client.request(method.clone(), app.url(path)).bearer_auth(&token).send().expect("request"),
        )
        .expect(405);
        assert_eq!(answer.header("allow").as_deref(), Some(allow), "{method} {path}");
        assert_eq!(answer.problem(), "method-not-allowed");
    }
    assert_eq!(app.delete("/api/v1/nowhere", t).expect(404).problem(), "not-found");
    // The same role again is no change: the token still works.
    app.patch(&format!("/api/v1/users/{}", admin.id), t, json!({"role": "admin"}), None).expect(200);
    app.get("/api/v1/me", t).expect(200);
    app.patch(&format!("/api/v1/users/{}", admin.id), t, json!({"display_name": " "}), None).expect(422);
    let case = app.new_case(&token, "bo@example.org", json!({}));
    let id = case["id"].as_str().expect("id");
    app.post(&format!("/api/v1/cases/{id}/replies"), t, json!({"body": "  "})).expect(422);
    let risk = json!({"risk_name": "saisie", "threats": 9.0, "vulnerabilities": 3, "capacities": 2});
    app.post(&format!("/api/v1/cases/{id}/risk-assessments"), t, risk).expect(201);
    let half = json!({"risk_name": "saisie", "threats": 9.5, "vulnerabilities": 3, "capacities": 2});
    app.post(&format!("/api/v1/cases/{id}/risk-assessments"), t, half).expect(422);
    app.post("/api/v1/rota/rebalance", t, json!({"max_moves": 201})).expect(422);
    // Serde reads an array into a struct field by field: `[]` was a rebalance with the
    // defaults (schemathesis, seed 4242). Every request body is an object.
    let array = app.post("/api/v1/rota/rebalance", t, json!([])).expect(422);
    assert_eq!(array.header("content-type").as_deref(), Some("application/problem+json"));
    assert_eq!(array.body["errors"][0]["field"], "body");
    app.get("/api/v1/mail/quarantine?limit=0", t).expect(422);
}

on_both_backends!(
    the_document_and_the_server_agree,
    nul_characters_are_refused_at_the_edge,
    security_headers_on_every_answer,
    bad_requests_answer_problems,
    evidence_upload_download_and_limits,
    metrics_count_requests_by_route_and_cases_by_status,
);
