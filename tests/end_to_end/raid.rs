//! The raid drill (issue 17): a unique marker in every value sealed at this protection
//! level, written through the API and the mail gateway as handlers and beneficiaries write
//! them; the service stopped; then what an attacker takes (SQLite: the whole data folder
//! but the master key; PostgreSQL: the database's files, the WAL, a `pg_dump`; and a
//! backup and a replica made by `migrate-data`) is searched byte for byte. No marker may
//! be found, nor the helpline's secret key in clear. After an erasure, the erased case's
//! data key is gone from the files as well.
//!
//! Still in clear at this level, so not searched for yet (the next level seals them):
//! beneficiaries' names (here the From name of the mail becomes the beneficiary's name) and
//! addresses, third-party contacts, indicator values, evidence names. Files (evidence and the raw received mail) are sealed already: the
//! mail's subject and body are searched for and must not be found in its raw copy either.

use crate::common::{ok, rempart, run, serve};
use rempart_test_db::{Backend, TestDb, on_both_backends};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const HELPLINE: &str = "help@helpline.example";

/// A marker nobody else writes: the test's own random tag and a field name.
fn marker(tag: &str, field: &str) -> String {
    format!("RAID{tag}{field}")
}

struct Api {
    client: reqwest::blocking::Client,
    base: String,
    token: String,
}

impl Api {
    fn post(&self, path: &str, body: Value) -> Value {
        self.client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .and_then(|r| r.error_for_status())
            .and_then(|r| r.json())
            .unwrap_or_else(|e| panic!("POST {path}: {e}"))
    }

    fn get(&self, path: &str) -> Value {
        self.client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .and_then(|r| r.error_for_status())
            .and_then(|r| r.json())
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }
}

/// Every file under `root` (following no link), with its bytes.
fn files_under(root: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(root) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => files_under(&path, out),
            Ok(t) if t.is_file() => out.push(path),
            _ => {}
        }
    }
}

/// The markers (and other needles) found in any of `files`, with where.
fn found_in(files: &[PathBuf], needles: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for file in files {
        let bytes = std::fs::read(file).unwrap_or_else(|e| panic!("the attacker reads {}: {e}", file.display()));
        for needle in needles {
            if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                found.push(format!("{needle} in {}", file.display()));
            }
        }
    }
    found
}

fn a_raid_finds_no_one(db: TestDb) {
    let dir = tempfile::tempdir().expect("dir");
    // WAL segments older than the test cannot hold its markers (the cluster's WAL is shared
    // with every other test: only those written since are read).
    let started = std::time::SystemTime::now() - std::time::Duration::from_secs(2);
    let tag = format!("{:010x}", rand::random::<u64>() & 0xff_ffff_ffff);
    let m = |field: &str| marker(&tag, field);
    let sqlite_url = format!("sqlite://{}", dir.path().join("data/rempart.db").display());
    let url = match db.backend() {
        Backend::Sqlite => sqlite_url.clone(),
        Backend::Postgres => db.url().to_owned(),
    };
    ok(&run(rempart(dir.path()).args(["--database", &url, "migrate"]), ""));
    ok(&run(
        rempart(dir.path()).args(["--database", &url, "keys", "init", "--uid", &format!("Helpline <{HELPLINE}>")]),
        "",
    ));

    // A signed message first (the beneficiary's mail below stays the newest case): its
    // signer's fingerprint leads to them.
    let signer = crate::mail_support::Gpg::new("Sig", &format!("sig.{tag}@example.net"));
    let signed = crate::mail_support::plain(
        &format!("sig.{tag}@example.net"),
        "Signé",
        &format!("<s{tag}@example.net>"),
        &signer.clearsign("Un message signé."),
    );
    let outcome = ok(&run(rempart(dir.path()).args(["--database", &url, "mailgate"]), &signed));
    assert!(outcome.contains("\"stored\""), "{outcome}");
    // Mail from a beneficiary, through the gateway as an MTA delivers it.
    let raw = crate::mail_support::plain(
        &format!("\"{}\" <ana.{tag}@example.net>", m("SenderName")),
        &m("MailSubject"),
        &format!("<{tag}@example.net>"),
        &format!("Bonjour, {}", m("MailBody")),
    );
    let outcome = ok(&run(rempart(dir.path()).args(["--database", &url, "mailgate"]), &raw));
    assert!(outcome.contains("\"stored\""), "{outcome}");
    // Mail that cannot be read is quarantined whole: its sender and subject too.
    let unreadable = crate::mail_support::pgp_mime(
        &format!("{}@example.net", m("QuarantineFrom").to_lowercase()),
        HELPLINE,
        &m("QuarantineSubject"),
        &format!("<q{tag}@example.net>"),
        "",
        "-----BEGIN PGP MESSAGE-----\n\nbm90IGEgbWVzc2FnZQ==\n-----END PGP MESSAGE-----\n",
    );
    let outcome = ok(&run(rempart(dir.path()).args(["--database", &url, "mailgate"]), &unreadable));
    assert!(outcome.contains("\"quarantined\""), "{outcome}");

    let served = serve(dir.path(), &url, &[]);
    let api = Api { client: reqwest::blocking::Client::new(), base: served.url(""), token: served.token.clone() };
    let me = api.get("/api/v1/me");
    let cases = api.get("/api/v1/cases");
    let mailed = cases["items"][0]["id"].as_str().expect("the mailed case").to_owned();
    let address = format!("{}@example.org", m("BeneficiaryAddress"));
    let case = api.post(
        "/api/v1/cases",
        json!({"beneficiary": {"display_name": m("BeneficiaryName"), "emails": [address]}, "summary": m("Summary")}),
    );
    let id = case["id"].as_str().expect("id").to_owned();
    let beneficiary = case["beneficiary"]["id"].as_str().expect("beneficiary").to_owned();
    api.post(
        &format!("/api/v1/beneficiaries/{beneficiary}/verification"),
        json!({"status": "verified", "reason": m("VerificationReason")}),
    );
    api.post(
        &format!("/api/v1/cases/{id}/third-parties"),
        json!({"organisation": m("ThirdPartyOrg"), "contact_name": m("ThirdPartyContact"), "role": "partner",
            "email": format!("{}@partner.example", m("ThirdPartyEmail")), "phone": m("ThirdPartyPhone"),
            "notes": m("ThirdPartyNotes")}),
    );
    let domain = format!("{}.example", m("IndicatorValue")).to_lowercase();
    api.post(
        &format!("/api/v1/cases/{id}/indicators"),
        json!({"kind": "domain", "value": domain, "note": m("IndicatorNote")}),
    );
    let file = reqwest::blocking::multipart::Part::bytes(m("EvidenceContent").into_bytes())
        .file_name(format!("{}.txt", m("EvidenceName")))
        .mime_str("text/plain")
        .expect("part");
    let form =
        reqwest::blocking::multipart::Form::new().part("file", file).text("description", m("EvidenceDescription"));
    api.client
        .post(format!("{}/api/v1/cases/{id}/evidence", api.base))
        .bearer_auth(&api.token)
        .multipart(form)
        .send()
        .and_then(|r| r.error_for_status())
        .expect("evidence");
    api.post(&format!("/api/v1/cases/{id}/comments"), json!({"text": m("Comment")}));
    api.post(&format!("/api/v1/cases/{id}/actions"), json!({"text": m("Action")}));
    api.post(&format!("/api/v1/cases/{id}/next-steps"), json!({"text": m("NextStep")}));
    api.post(
        &format!("/api/v1/cases/{id}/risk-assessments"),
        json!({"risk_name": m("RiskName"), "threats": 5, "vulnerabilities": 5, "capacities": 2, "notes": m("RiskNotes")}),
    );
    api.post(&format!("/api/v1/cases/{id}/transitions"), json!({"to": "open", "note": m("StatusNote")}));
    api.post(&format!("/api/v1/cases/{id}/links"), json!({"target": mailed, "kind": "related", "note": m("LinkNote")}));
    // A reply to a beneficiary without a key: held, in the database, until they send one.
    api.post(&format!("/api/v1/cases/{id}/replies"), json!({"subject": m("ReplySubject"), "body": m("HeldReply")}));
    api.post(&format!("/api/v1/cases/{mailed}/replies"), json!({"body": m("Reply")}));
    let now = chrono::Utc::now().naive_utc();
    let fmt = |t: chrono::NaiveDateTime| t.format("%Y-%m-%dT%H:%M:%S").to_string();
    let shift = json!({"user_id": me["id"], "kind": "intake", "starts_at": fmt(now - chrono::Duration::minutes(5)),
        "ends_at": fmt(now + chrono::Duration::hours(2))});
    api.post("/api/v1/shifts", shift);
    api.post("/api/v1/check-ins", json!({"fit": false, "note": m("CheckInNote")}));
    // The service still reads every value back.
    let detail = api.get(&format!("/api/v1/cases/{id}"));
    assert!(detail.to_string().contains(&m("Comment")), "the service reads what it sealed");
    let search = api.get(&format!("/api/v1/cases?q={}", m("Summary")));
    assert_eq!(search["items"].as_array().map(Vec::len), Some(1), "the search by words still finds it: {search}");
    let by_address = api.get(&format!("/api/v1/cases?beneficiary={}", address.to_uppercase()));
    assert_eq!(by_address["items"][0]["id"], json!(id), "and the search by address: {by_address}");
    let looked_up = api.get(&format!("/api/v1/indicators/lookup?value={}", domain.to_uppercase()));
    assert_eq!(looked_up[0]["indicator"]["case_id"], json!(id), "and the indicator lookup: {looked_up}");
    let backup = dir.path().join("backup.pgp");
    drop(served);

    // A backup to a keeper's key off the server, as the helpline is told to.
    let keeper = tempfile::tempdir().expect("keeper");
    ok(&run(rempart(keeper.path()).args(["keys", "init", "--uid", "Backup keeper <keeper@helpline.example>"]), ""));
    let keeper_key = dir.path().join("keeper.asc");
    std::fs::write(&keeper_key, ok(&run(rempart(keeper.path()).args(["keys", "export"]), ""))).expect("keeper key");
    ok(&run(
        rempart(dir.path())
            .args(["--database", &url, "backup", "--out"])
            .arg(&backup)
            .arg("--recipient")
            .arg(&keeper_key),
        "",
    ));
    let replica = dir.path().join("replica/rempart.db");
    std::fs::create_dir_all(replica.parent().expect("parent")).expect("replica folder");
    let replica_url = format!("sqlite://{}", replica.display());
    if db.backend() == Backend::Postgres {
        ok(&run(rempart(dir.path()).args(["migrate-data", "--from", &url, "--to", &replica_url]), ""));
    }

    // What the attacker takes.
    let mut taken = vec![backup];
    let data = dir.path().join("data");
    files_under(&data, &mut taken);
    taken.retain(|f| f.file_name().is_none_or(|n| n != "master.key"));
    files_under(&dir.path().join("replica"), &mut taken);
    if db.backend() == Backend::Postgres {
        taken.extend(postgres_files(&db, dir.path(), started));
    }
    let mut needles: Vec<String> = [
        "Summary",
        "Comment",
        "Action",
        "NextStep",
        "RiskName",
        "RiskNotes",
        "StatusNote",
        "LinkNote",
        "HeldReply",
        "ReplySubject",
        "Reply",
        "CheckInNote",
        "MailSubject",
        "MailBody",
        "QuarantineFrom",
        "QuarantineSubject",
        "SenderName",
        "BeneficiaryName",
        "BeneficiaryAddress",
        "VerificationReason",
        "ThirdPartyOrg",
        "ThirdPartyContact",
        "ThirdPartyEmail",
        "ThirdPartyPhone",
        "ThirdPartyNotes",
        "IndicatorValue",
        "IndicatorNote",
        "EvidenceName",
        "EvidenceDescription",
        "EvidenceContent",
    ]
    .iter()
    .map(|f| m(f))
    .collect();
    // As written, and lower-cased (addresses are).
    let lower: Vec<String> = needles.iter().map(|n| n.to_lowercase()).collect();
    needles.extend(lower);
    // The address of the beneficiary who wrote in, and the Message-IDs of the mail (which
    // threads by them, and the reply answers).
    needles.push(format!("ana.{tag}@example.net"));
    needles.push(format!("{tag}@example.net"));
    needles.push(format!("q{tag}@example.net"));
    needles.push("PRIVATE KEY BLOCK".into());
    needles.push(signer.fingerprint());
    needles.push(signer.fingerprint().to_lowercase());
    let found = found_in(&taken, &needles);
    assert!(found.is_empty(), "a copy of the disk tells: {found:#?}");
    assert!(taken.len() > 3, "the attacker took something: {taken:?}");

    // An erasure destroys the case's key: its wrapped form is gone from the database.
    let wrapped = wrapped_key(&db, &url, &id);
    let served = crate::common::start(dir.path(), &url, &[]);
    // Signed in again: scanning the copies may outlast an access token on a loaded machine.
    let login: Value = api
        .client
        .post(served.url("/api/v1/auth/login"))
        .json(&json!({"email": "admin@rempart.local", "password": "the admin's own passphrase"}))
        .send()
        .and_then(|r| r.error_for_status())
        .and_then(|r| r.json())
        .expect("login");
    let token = login["access_token"].as_str().expect("token").to_owned();
    let api = Api { base: served.url(""), token, ..api };
    for to in ["resolved", "closed"] {
        api.post(&format!("/api/v1/cases/{id}/transitions"), json!({"to": to}));
    }
    api.post(&format!("/api/v1/cases/{id}/erase"), json!({"reason": "asked to be forgotten"}));
    drop(served);
    assert!(wrapped_key_row(&db, &url, &id).is_none(), "the erased case's data key is destroyed");
    if db.backend() == Backend::Sqlite {
        let mut files = Vec::new();
        files_under(&data, &mut files);
        files.retain(|f| f.file_name().is_none_or(|n| n != "master.key"));
        assert!(found_in(&files, &[wrapped]).is_empty(), "nor left in free pages or the log");
    }
}

/// The database's own files under the cluster, the whole WAL (after a checkpoint, so that
/// everything written is in them), and a `pg_dump`.
fn postgres_files(db: &TestDb, dir: &Path, since: std::time::SystemTime) -> Vec<PathBuf> {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        value: String,
    }
    let mut conn = db.conn();
    let one = |conn: &mut rempart_store::DbConn, sql: &str| -> String {
        diesel::sql_query(sql).get_result::<Row>(conn).unwrap_or_else(|e| panic!("{sql}: {e}")).value
    };
    diesel::sql_query("CHECKPOINT").execute(&mut conn).expect("checkpoint");
    let cluster =
        PathBuf::from(one(&mut conn, "SELECT setting AS value FROM pg_settings WHERE name = 'data_directory'"));
    let oid = one(&mut conn, "SELECT oid::text AS value FROM pg_database WHERE datname = current_database()");
    let mut files = Vec::new();
    files_under(&cluster.join("base").join(&oid), &mut files);
    files.extend(take_wal(&cluster.join("pg_wal"), since, &dir.join("taken-wal")));
    assert!(files.len() > 10, "the database's files under {} are readable", cluster.display());
    let dump = dir.join("dump.sql");
    let out =
        std::process::Command::new("pg_dump").args(["--file"]).arg(&dump).arg(db.url()).output().expect("pg_dump");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    files.push(dump);
    files
}

/// Copies the WAL segments written since `since`, as the attacker copies the disk. Other
/// tests write to the same cluster: a segment may be recycled (renamed) between the listing
/// and the copy; then everything is taken again (the renamed segment keeps its time).
fn take_wal(wal: &Path, since: std::time::SystemTime, into: &Path) -> Vec<PathBuf> {
    for _ in 0..5 {
        let _ = std::fs::remove_dir_all(into);
        std::fs::create_dir_all(into).expect("a folder for the copies");
        let mut segments = Vec::new();
        files_under(wal, &mut segments);
        segments.retain(|f| std::fs::metadata(f).and_then(|m| m.modified()).is_ok_and(|t| t >= since));
        let mut taken = Vec::new();
        let complete = segments.iter().all(|segment| {
            let copy = into.join(segment.file_name().expect("a name"));
            match std::fs::copy(segment, &copy) {
                Ok(_) => {
                    taken.push(copy);
                    true
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
                Err(e) => panic!("the attacker reads {}: {e}", segment.display()),
            }
        });
        if complete {
            assert!(!taken.is_empty(), "the WAL written during the test is readable");
            return taken;
        }
    }
    panic!("the WAL under {} kept changing while it was copied", wal.display());
}

fn wrapped_key_row(db: &TestDb, url: &str, case_id: &str) -> Option<String> {
    use diesel::prelude::*;
    use rempart_store::schema::data_keys;
    let owner = format!("case:{case_id}");
    let query = data_keys::table.find(owner).select(data_keys::wrapped);
    match db.backend() {
        Backend::Postgres => query.first(&mut *db.conn()).optional().expect("data key"),
        Backend::Sqlite => {
            let pool = rempart_store::DbPool::connect(url, rempart_store::PoolOptions::default()).expect("sqlite");
            query.first(&mut *pool.get().expect("conn")).optional().expect("data key")
        }
    }
}

fn wrapped_key(db: &TestDb, url: &str, case_id: &str) -> String {
    wrapped_key_row(db, url, case_id).expect("the case has a data key")
}

on_both_backends!(a_raid_finds_no_one);
