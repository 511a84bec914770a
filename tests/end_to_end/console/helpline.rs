//! A helpline served by the real binary, set up through its REST API as an administrator
//! would: colleagues with accounts, cases from beneficiaries.

use crate::common::Served;
use serde_json::{Value, json};

pub struct Helpline {
    pub served: Served,
    http: reqwest::blocking::Client,
}

/// A member of staff: their id, email and current password.
#[derive(Debug, Clone)]
pub struct Colleague {
    pub id: String,
    pub email: String,
    pub password: String,
}

pub const NEW_PASSWORD: &str = "a lantern by the harbour at dusk";

impl Helpline {
    pub fn serve(dir: &std::path::Path, url: &str) -> Self {
        Self::serve_with(dir, url, &[])
    }

    pub fn serve_with(dir: &std::path::Path, url: &str, env: &[(&str, String)]) -> Self {
        Self { served: crate::common::serve(dir, url, env), http: reqwest::blocking::Client::new() }
    }

    pub fn url(&self, path: &str) -> String {
        self.served.url(path)
    }

    /// An API call as the administrator.
    pub fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self.http.request(method, self.url(path)).bearer_auth(&self.served.token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().expect("API call");
        let status = res.status();
        let text = res.text().unwrap_or_default();
        assert!(status.is_success(), "{path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    pub fn colleague(&self, email: &str, name: &str, languages: &str) -> Colleague {
        self.member(email, name, languages, "handler")
    }

    /// A member of staff in `role` (`handler`, `lead`, `admin`, `analyst`).
    pub fn member(&self, email: &str, name: &str, languages: &str, role: &str) -> Colleague {
        let created = self.call(
            reqwest::Method::POST,
            "/api/v1/users",
            Some(json!({"email": email, "display_name": name, "role": role, "languages": languages})),
        );
        Colleague {
            id: created["user"]["id"].as_str().expect("id").to_owned(),
            email: email.to_owned(),
            password: created["one_time_password"].as_str().expect("password").to_owned(),
        }
    }

    /// Opens a case for a new beneficiary; returns its reference and id.
    pub fn case(&self, summary: &str, name: &str, address: &str, extra: Value) -> (String, String) {
        let mut body = json!({"beneficiary": {"display_name": name, "emails": [address]}, "summary": summary});
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            body.extend(extra.clone());
        }
        let case = self.call(reqwest::Method::POST, "/api/v1/cases", Some(body));
        (case["reference"].as_str().expect("reference").to_owned(), case["id"].as_str().expect("id").to_owned())
    }

    /// Gives a case to `who` (the rota would refuse someone not checked in: overridden).
    pub fn assign(&self, case: &str, who: &str) {
        self.call(
            reqwest::Method::POST,
            &format!("/api/v1/cases/{case}/assignment"),
            Some(json!({"assignee_id": who, "reason": "test", "override_reason": "set-up of the test"})),
        );
    }

    /// Signs `who` in through the API, replacing their one-time password with
    /// [`NEW_PASSWORD`]: their access token.
    pub fn token_of(&self, who: &mut Colleague) -> String {
        let login = |password: &str| {
            self.http
                .post(self.url("/api/v1/auth/login"))
                .json(&json!({"email": who.email, "password": password}))
                .send()
                .and_then(|r| r.error_for_status())
                .and_then(|r| r.json::<Value>())
                .expect("login")
        };
        let first = login(&who.password);
        let changed: Value = self
            .http
            .post(self.url("/api/v1/auth/password"))
            .bearer_auth(first["access_token"].as_str().expect("token"))
            .json(&json!({"current_password": who.password, "new_password": NEW_PASSWORD}))
            .send()
            .and_then(|r| r.error_for_status())
            .and_then(|r| r.json())
            .expect("password change");
        who.password = NEW_PASSWORD.to_owned();
        changed["access_token"].as_str().expect("token").to_owned()
    }

    /// An API call as the holder of `token` (`If-Match: *` on a PATCH).
    pub fn call_as(&self, token: &str, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let patch = method == reqwest::Method::PATCH;
        let mut req = self.http.request(method, self.url(path)).bearer_auth(token);
        if patch {
            req = req.header("If-Match", "*");
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().expect("API call");
        let status = res.status();
        let text = res.text().unwrap_or_default();
        assert!(status.is_success(), "{path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// Plans an intake shift for `who` from a minute ago for four hours.
    pub fn shift_now(&self, who: &str) {
        self.shift_now_as(who, "intake");
    }

    /// Plans a shift of `kind` for `who` from a minute ago for four hours.
    pub fn shift_now_as(&self, who: &str, kind: &str) {
        let now = chrono::Utc::now();
        let at = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        self.call(
            reqwest::Method::POST,
            "/api/v1/shifts",
            Some(json!({
                "user_id": who, "kind": kind,
                "starts_at": at(now - chrono::Duration::minutes(1)),
                "ends_at": at(now + chrono::Duration::hours(4)),
            })),
        );
    }

    pub fn comments(&self, case: &str) -> Vec<Value> {
        self.call(reqwest::Method::GET, &format!("/api/v1/cases/{case}/comments"), None)
            .as_array()
            .cloned()
            .unwrap_or_default()
    }
}

/// The authenticator's code `steps` steps of 30 seconds from now (each code works once:
/// the next sign-in uses the next step, which the service accepts for clock drift).
pub fn totp_code(secret: &str, steps: u64) -> String {
    let bytes = totp_rs::Secret::Encoded(secret.to_owned()).to_bytes().expect("secret");
    let totp = totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 0, 30, bytes, None, String::new()).expect("totp");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs();
    totp.generate(now + 30 * steps)
}
