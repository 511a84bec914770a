//! A real API server on a free port, over a fresh database, and a small HTTP client.
#![allow(dead_code)]

use rempart_api::ApiConfig;
use rempart_core::{EmailAddress, Languages, Role};
use rempart_store::users::{NewUser, User};
use rempart_test_db::TestDb;
use reqwest::blocking::{Client, Response};
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use std::sync::mpsc;
use std::time::Duration;

pub const PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub db: TestDb,
    _dir: tempfile::TempDir,
}

/// What a call answered.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    pub fn from_response(r: Response) -> Self {
        Self::from(r)
    }

    fn from(r: Response) -> Self {
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Self { status, headers, body }
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
    }

    /// The problem type's slug, checking the content type of a problem document.
    #[track_caller]
    pub fn problem(&self) -> String {
        assert_eq!(self.header("content-type").as_deref(), Some("application/problem+json"), "{self:?}");
        let t = self.body["type"].as_str().unwrap_or_default();
        assert_eq!(self.body["status"], self.status, "{self:?}");
        t.strip_prefix("urn:rempart:problem:").unwrap_or_else(|| panic!("problem type {t}")).to_owned()
    }

    #[track_caller]
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(self.status, status, "{self:#?}");
        self
    }
}

pub fn spawn(db: TestDb) -> TestApp {
    spawn_with(db, |_| {})
}

pub fn spawn_with(db: TestDb, adjust: impl FnOnce(&mut ApiConfig)) -> TestApp {
    let dir = tempfile::tempdir().expect("data dir");
    let mut config = ApiConfig::new("127.0.0.1:0", dir.path());
    adjust(&mut config);
    let pool = db.pool().clone();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let result = rempart_api::serve_blocking(
            config,
            pool,
            |_| {},
            move |port| {
                let _ = tx.send(port);
            },
        );
        if let Err(e) = result {
            eprintln!("test server stopped: {e:#}");
        }
    });
    let port = rx.recv_timeout(Duration::from_secs(20)).expect("the server starts");
    let client = Client::builder().timeout(Duration::from_secs(30)).build().expect("client");
    TestApp { base: format!("http://127.0.0.1:{port}"), client, db, _dir: dir }
}

impl TestApp {
    /// A user created in the database, with [`PASSWORD`].
    pub fn user(&self, email: &str, role: Role) -> User {
        let hash = rempart_auth::hash_password(&rempart_auth::Password::new(PASSWORD).expect("policy")).expect("hash");
        User::create(
            &mut self.db.conn(),
            NewUser {
                email: EmailAddress::parse(email).expect("email"),
                display_name: email.split('@').next().unwrap_or(email).to_owned(),
                role,
                languages: Languages::parse("fr,en").expect("languages"),
                password_hash: hash,
                must_change_password: false,
            },
            None,
        )
        .expect("user")
    }

    pub fn login(&self, email: &str) -> Value {
        self.post("/api/v1/auth/login", None, json!({"email": email, "password": PASSWORD})).expect(200).body
    }

    /// A user of `role` and their access token.
    pub fn signed_in(&self, email: &str, role: Role) -> (User, String) {
        let user = self.user(email, role);
        let token = self.login(email)["access_token"].as_str().expect("access token").to_owned();
        (user, token)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn auth(&self, rb: reqwest::blocking::RequestBuilder, token: Option<&str>) -> reqwest::blocking::RequestBuilder {
        match token {
            Some(t) => rb.bearer_auth(t),
            None => rb,
        }
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> Answer {
        Answer::from(self.auth(self.client.get(self.url(path)), token).send().expect("request"))
    }

    pub fn delete(&self, path: &str, token: Option<&str>) -> Answer {
        Answer::from(self.auth(self.client.delete(self.url(path)), token).send().expect("request"))
    }

    pub fn post(&self, path: &str, token: Option<&str>, body: Value) -> Answer {
        Answer::from(self.auth(self.client.post(self.url(path)), token).json(&body).send().expect("request"))
    }

    pub fn patch(&self, path: &str, token: Option<&str>, body: Value, if_match: Option<&str>) -> Answer {
        let mut rb = self.auth(self.client.patch(self.url(path)), token).json(&body);
        if let Some(tag) = if_match {
            rb = rb.header("If-Match", tag);
        }
        Answer::from(rb.send().expect("request"))
    }

    pub fn put_json(&self, path: &str, token: Option<&str>, body: Value) -> Answer {
        Answer::from(self.auth(self.client.put(self.url(path)), token).json(&body).send().expect("request"))
    }

    pub fn raw_post(&self, path: &str, token: Option<&str>, content_type: &str, body: Vec<u8>) -> Answer {
        let rb = self.auth(self.client.post(self.url(path)), token).header("content-type", content_type).body(body);
        Answer::from(rb.send().expect("request"))
    }

    /// Creates a case with a new beneficiary; answers the case detail.
    pub fn new_case(&self, token: &str, email: &str, extra: Value) -> Value {
        let mut body = json!({
            "beneficiary": {"display_name": "Collectif Exemple", "emails": [email], "audience_type": "journalist"},
            "summary": "Compte de messagerie compromis",
        });
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                b.insert(k.clone(), v.clone());
            }
        }
        self.post("/api/v1/cases", Some(token), body).expect(201).body
    }
}
