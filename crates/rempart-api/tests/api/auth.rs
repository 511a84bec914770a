//! Tokens: expiry, refresh rotation and reuse, logout, revocation, password change, TOTP,
//! login rate limiting.

use crate::support::{PASSWORD, spawn, spawn_with};
use rempart_core::Role;
use rempart_test_db::{TestDb, on_both_backends};
use serde_json::json;
use std::time::Duration;

fn refresh_rotation_reuse_and_logout(db: TestDb) {
    let app = spawn(db);
    app.user("ana@helpline.example", Role::Handler);
    let first = app.login("ana@helpline.example");
    assert_eq!(first["token_type"], "Bearer");
    assert_eq!(first["expires_in"], 900);
    let r1 = first["refresh_token"].as_str().expect("refresh").to_owned();
    let second = app.post("/api/v1/auth/refresh", None, json!({"refresh_token": r1})).expect(200).body;
    let r2 = second["refresh_token"].as_str().expect("refresh").to_owned();
    assert_ne!(r1, r2, "rotated");
    app.get("/api/v1/me", second["access_token"].as_str()).expect(200);

    // The old token again: theft. The family dies, r2 with it.
    let reused = app.post("/api/v1/auth/refresh", None, json!({"refresh_token": r1})).expect(401);
    assert_eq!(reused.problem(), "refresh-token-reused");
    let revoked = app.post("/api/v1/auth/refresh", None, json!({"refresh_token": r2})).expect(401);
    assert_eq!(revoked.problem(), "invalid-refresh-token", "the newer token of the family is revoked too");
    assert_eq!(
        app.post("/api/v1/auth/refresh", None, json!({"refresh_token": "nonsense"})).expect(401).problem(),
        "invalid-refresh-token"
    );

    // Logout ends a session: its refresh token and its access token, at once. Another
    // session of the same person goes on.
    let third = app.login("ana@helpline.example");
    let other = app.login("ana@helpline.example");
    let r3 = third["refresh_token"].as_str().expect("refresh").to_owned();
    app.get("/api/v1/me", third["access_token"].as_str()).expect(200);
    app.post("/api/v1/auth/logout", None, json!({"refresh_token": r3})).expect(204);
    assert_eq!(app.post("/api/v1/auth/refresh", None, json!({"refresh_token": r3})).status, 401);
    assert_eq!(app.get("/api/v1/me", third["access_token"].as_str()).expect(401).problem(), "token-revoked");
    app.get("/api/v1/me", other["access_token"].as_str()).expect(200);
}

fn disabling_and_password_change_revoke_at_once(db: TestDb) {
    let app = spawn(db);
    let (_, admin) = app.signed_in("admin@helpline.example", Role::Admin);
    let (bo, bo_token) = app.signed_in("bo@helpline.example", Role::Handler);
    app.get("/api/v1/me", Some(&bo_token)).expect(200);
    app.patch(&format!("/api/v1/users/{}", bo.id), Some(&admin), json!({"active": false}), None).expect(200);
    assert_eq!(app.get("/api/v1/me", Some(&bo_token)).expect(401).problem(), "token-revoked");
    assert_eq!(
        app.post("/api/v1/auth/login", None, json!({"email": "bo@helpline.example", "password": PASSWORD}))
            .expect(401)
            .problem(),
        "invalid-credentials"
    );

    let (_, cy) = app.signed_in("cy@helpline.example", Role::Handler);
    let weak = app
        .post("/api/v1/auth/password", Some(&cy), json!({"current_password": PASSWORD, "new_password": "short"}))
        .expect(422);
    assert_eq!(weak.body["errors"][0]["field"], "new_password");
    // Long but guessable: refused, and the answer says why.
    for guessable in ["aaaaaaaaaaaa", "password1234", "cy@helpline.example"] {
        let refused = app
            .post("/api/v1/auth/password", Some(&cy), json!({"current_password": PASSWORD, "new_password": guessable}))
            .expect(422);
        assert_eq!(refused.body["errors"][0]["field"], "new_password", "{guessable}");
        let message = refused.body["errors"][0]["message"].as_str().unwrap_or_default().to_owned();
        assert!(message.contains("too easy to guess"), "{guessable}: {message}");
    }
    let wrong = app.post(
        "/api/v1/auth/password",
        Some(&cy),
        json!({"current_password": "not it at all", "new_password": "another long passphrase"}),
    );
    assert_eq!(wrong.expect(401).problem(), "invalid-credentials");
    let changed = app
        .post(
            "/api/v1/auth/password",
            Some(&cy),
            json!({"current_password": PASSWORD, "new_password": "another long passphrase"}),
        )
        .expect(200);
    assert_eq!(app.get("/api/v1/me", Some(&cy)).expect(401).problem(), "token-revoked", "the old token died");
    app.get("/api/v1/me", changed.body["access_token"].as_str()).expect(200);
}

fn one_time_password_must_be_changed_first(db: TestDb) {
    let app = spawn(db);
    let (_, admin) = app.signed_in("admin@helpline.example", Role::Admin);
    let created = app
        .post(
            "/api/v1/users",
            Some(&admin),
            json!({"email": "new@helpline.example", "display_name": "New", "role": "handler", "languages": "fr"}),
        )
        .expect(201);
    let otp = created.body["one_time_password"].as_str().expect("otp").to_owned();
    let login =
        app.post("/api/v1/auth/login", None, json!({"email": "new@helpline.example", "password": otp})).expect(200);
    assert_eq!(login.body["password_change_required"], true);
    let token = login.body["access_token"].as_str().expect("token").to_owned();
    assert_eq!(app.get("/api/v1/cases", Some(&token)).expect(403).problem(), "password-change-required");
    app.get("/api/v1/me", Some(&token)).expect(200);
    let changed = app
        .post(
            "/api/v1/auth/password",
            Some(&token),
            json!({"current_password": otp, "new_password": "my own long passphrase"}),
        )
        .expect(200);
    assert_eq!(changed.body["password_change_required"], false);
    app.get("/api/v1/cases", changed.body["access_token"].as_str()).expect(200);
}

fn totp_enrolment_and_login(db: TestDb) {
    let app = spawn(db);
    let (_, token) = app.signed_in("ana@helpline.example", Role::Lead);
    let enrol = app.post("/api/v1/auth/totp/enroll", Some(&token), json!({})).expect(200);
    let secret = enrol.body["secret"].as_str().expect("secret").to_owned();
    assert!(enrol.body["otpauth_url"].as_str().unwrap_or_default().starts_with("otpauth://totp/Rempart:"));
    let totp = totp_rs::TOTP::new(
        totp_rs::Algorithm::SHA1,
        6,
        1,
        30,
        totp_rs::Secret::Encoded(secret).to_bytes().expect("base32"),
        Some("Rempart".into()),
        "ana@helpline.example".into(),
    )
    .expect("totp");
    // Codes of three consecutive steps (the previous, the current and the next are
    // accepted, each once, in order): no test waits for the clock.
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs();
    let (earlier, code, later) = (totp.generate(now - 30), totp.generate(now), totp.generate(now + 30));
    app.post("/api/v1/auth/totp/confirm", Some(&token), json!({"code": "000000"})).expect(422);
    app.post("/api/v1/auth/totp/confirm", Some(&token), json!({"code": earlier})).expect(204);
    // RFC 6238 5.2: the enrolment code does not sign in.
    let replayed = app.post(
        "/api/v1/auth/login",
        None,
        json!({"email": "ana@helpline.example", "password": PASSWORD, "totp": earlier}),
    );
    assert_eq!(replayed.expect(401).problem(), "invalid-credentials", "the enrolment code is spent");

    let no_code = app
        .post("/api/v1/auth/login", None, json!({"email": "ana@helpline.example", "password": PASSWORD}))
        .expect(401);
    assert_eq!(no_code.problem(), "totp-required");
    let wrong_code = app.post(
        "/api/v1/auth/login",
        None,
        json!({"email": "ana@helpline.example", "password": PASSWORD, "totp": if code == "123456" { "654321" } else { "123456" }}),
    );
    assert_eq!(wrong_code.expect(401).problem(), "invalid-credentials");
    let ok = app
        .post("/api/v1/auth/login", None, json!({"email": "ana@helpline.example", "password": PASSWORD, "totp": code}))
        .expect(200);
    let fresh = ok.body["access_token"].as_str().expect("token").to_owned();
    let again = app.post(
        "/api/v1/auth/login",
        None,
        json!({"email": "ana@helpline.example", "password": PASSWORD, "totp": code}),
    );
    assert_eq!(again.expect(401).problem(), "invalid-credentials", "a code signs in once");
    app.post("/api/v1/auth/totp/disable", Some(&fresh), json!({"password": PASSWORD, "code": code})).expect(401);
    app.post("/api/v1/auth/totp/disable", Some(&fresh), json!({"password": PASSWORD, "code": later})).expect(204);
    app.post("/api/v1/auth/login", None, json!({"email": "ana@helpline.example", "password": PASSWORD})).expect(200);
}

fn login_failures_are_rate_limited_without_saying_who_exists(db: TestDb) {
    let app = spawn(db);
    app.user("ana@helpline.example", Role::Handler);
    let wrong =
        |email: &str| app.post("/api/v1/auth/login", None, json!({"email": email, "password": "wrong password here"}));
    let unknown = wrong("nobody@helpline.example").expect(401);
    let known = wrong("ana@helpline.example").expect(401);
    assert_eq!(unknown.body, known.body, "the same answer whether the account exists or not");
    for _ in 0..4 {
        wrong("ana@helpline.example").expect(401);
    }
    // Five failures on this account from this address: the sixth attempt, even right, waits.
    let blocked = app
        .post("/api/v1/auth/login", None, json!({"email": "ana@helpline.example", "password": PASSWORD}))
        .expect(429);
    assert_eq!(blocked.problem(), "too-many-requests");
    let retry: u64 = blocked.header("retry-after").and_then(|v| v.parse().ok()).expect("Retry-After");
    assert!((1..=900).contains(&retry), "{retry}");
}

/// A stolen access token lasts 15 minutes: it must not become a way to guess the real
/// password through the password change.
fn password_change_attempts_are_limited(db: TestDb) {
    let app = spawn(db);
    let (_, token) = app.signed_in("ana@helpline.example", Role::Handler);
    for _ in 0..5 {
        let wrong = app.post(
            "/api/v1/auth/password",
            Some(&token),
            json!({"current_password": "a guess of the thief", "new_password": "lanterne violette sous la pluie"}),
        );
        assert_eq!(wrong.expect(401).problem(), "invalid-credentials");
    }
    let blocked = app.post(
        "/api/v1/auth/password",
        Some(&token),
        json!({"current_password": PASSWORD, "new_password": "lanterne violette sous la pluie"}),
    );
    assert_eq!(blocked.expect(429).problem(), "too-many-requests", "even the right password waits");
}

/// Someone guessing Ana's password from elsewhere does not lock her out: failures count
/// per account and address together. Behind a trusted proxy, the address is the client's.
fn a_guesser_elsewhere_cannot_lock_a_handler_out(db: TestDb) {
    let app = spawn_with(db, |c| c.trusted_proxies = vec!["127.0.0.1/32".parse().expect("net")]);
    app.user("ana@helpline.example", Role::Handler);
    let login = |from: &str, password: &str| {
        let r = app
            .client
            .post(app.url("/api/v1/auth/login"))
            .header("x-forwarded-for", from)
            .json(&json!({"email": "ana@helpline.example", "password": password}))
            .send()
            .expect("login");
        crate::support::Answer::from_response(r)
    };
    for _ in 0..5 {
        login("203.0.113.66", "guess guess guess").expect(401);
    }
    assert_eq!(login("203.0.113.66", PASSWORD).expect(429).problem(), "too-many-requests");
    // Each further failure waits longer (the first wait is a minute).
    let first: u64 =
        login("203.0.113.66", "again").expect(429).header("retry-after").and_then(|v| v.parse().ok()).expect("wait");
    assert!((1..=60).contains(&first), "{first}");
    // Ana, from her own address, in an emergency: in.
    login("198.51.100.7", PASSWORD).expect(200);
    // The failures are in the database: every instance sees them.
    let stored: i64 = {
        use diesel::prelude::*;
        rempart_store::schema::auth_failures::table
            .filter(rempart_store::schema::auth_failures::key.eq("login:ana@helpline.example|203.0.113.66"))
            .select(rempart_store::schema::auth_failures::failures)
            .first::<i32>(&mut *app.db.conn())
            .map(i64::from)
            .expect("stored failures")
    };
    assert_eq!(stored, 5);
}

/// Everyone sets their own languages and time zone, and nothing else of their account:
/// the session goes on.
fn own_preferences(db: TestDb) {
    let app = spawn(db);
    let (_, token) = app.signed_in("ana@helpline.example", Role::Handler);
    let me = app.patch("/api/v1/me", Some(&token), json!({"languages": "fr, en", "time_zone": "Europe/Paris"}), None);
    let me = me.expect(200).body;
    assert_eq!((&me["languages"], &me["time_zone"]), (&json!(["fr", "en"]), &json!("Europe/Paris")));
    app.get("/api/v1/me", Some(&token)).expect(200);
    let bad = app.patch("/api/v1/me", Some(&token), json!({"time_zone": "Mars/Olympus"}), None).expect(422);
    assert_eq!(bad.problem(), "validation");
    app.patch("/api/v1/me", Some(&token), json!({"role": "admin"}), None).expect(422);
    assert_eq!(app.get("/api/v1/me", Some(&token)).expect(200).body["role"], "handler");
}

fn access_tokens_expire(db: TestDb) {
    let app = spawn_with(db, |c| c.access_token_ttl = Duration::from_secs(1));
    let (_, token) = app.signed_in("ana@helpline.example", Role::Handler);
    app.get("/api/v1/me", Some(&token)).expect(200);
    std::thread::sleep(Duration::from_millis(2100));
    assert_eq!(app.get("/api/v1/me", Some(&token)).expect(401).problem(), "token-expired");
    assert_eq!(app.get("/api/v1/me", None).expect(401).problem(), "unauthorized");
    assert_eq!(app.get("/api/v1/me", Some("not.a.jwt")).expect(401).problem(), "unauthorized");
}

on_both_backends!(
    own_preferences,
    refresh_rotation_reuse_and_logout,
    disabling_and_password_change_revoke_at_once,
    one_time_password_must_be_changed_first,
    totp_enrolment_and_login,
    login_failures_are_rate_limited_without_saying_who_exists,
    password_change_attempts_are_limited,
    a_guesser_elsewhere_cannot_lock_a_handler_out,
    access_tokens_expire,
);
