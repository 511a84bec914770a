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
        let created = self.call(
            reqwest::Method::POST,
            "/api/v1/users",
            Some(json!({"email": email, "display_name": name, "role": "handler", "languages": languages})),
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

    /// Plans an intake shift for `who` from a minute ago for four hours.
    pub fn shift_now(&self, who: &str) {
        let now = chrono::Utc::now();
        let at = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        self.call(
            reqwest::Method::POST,
            "/api/v1/shifts",
            Some(json!({
                "user_id": who, "kind": "intake",
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
