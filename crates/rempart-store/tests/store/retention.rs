//! Retention and erasure on request, on SQLite and PostgreSQL.

use chrono::NaiveDate;
use diesel::prelude::*;
use rempart_store::StoreError;
use rempart_store::retention::{self, Erased, Policy};
use rempart_store::schema::{beneficiaries, beneficiary_emails, cases, erasures, evidence, indicators, messages};
use rempart_test_db::{TestDb, fixtures, on_both_backends};

fn at(y: i32, m: u32, d: u32) -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d).and_then(|d| d.and_hms_opt(12, 0, 0)).expect("date")
}

fn dump(db: &TestDb) -> String {
    // What someone holding the master key can read (sealed values opened).
    let mut out = Vec::new();
    rempart_store::protection::content(&mut db.conn(), &mut out).expect("export");
    // The reply templates are the helpline's own canned texts ("Bonjour {beneficiary}"),
    // not anyone's case.
    let text = String::from_utf8(out).expect("utf-8");
    text.lines().filter(|l| !l.contains("\"reply_templates\"")).collect::<Vec<_>>().join("\n")
}

/// What the fixture's closed case c-1 says that identifies someone.
const IDENTIFYING: &[&str] = &[
    "Amina",
    "amina@example.org",
    "Bonjour",
    "Sessions révoquées",
    "+33612345678",
    "06 12 34 56 78",
    "ts@platform.example",
    "Trust & Safety",
    "Plateforme X",
    "harceleur",
    "Doxxing",
    "même campagne",
    "capture d'écran",
    "fake\\n",
    "Vérifiée par un partenaire",
];

type Stats = (String, Option<String>, Option<String>, String, chrono::NaiveDateTime, Option<chrono::NaiveDateTime>);

/// What the statistics read of a case.
fn stats_of(conn: &mut rempart_store::DbConn, id: &str) -> Stats {
    cases::table
        .filter(cases::id.eq(id))
        .select((
            cases::urgency,
            cases::service_type,
            cases::threat_type,
            cases::status,
            cases::created_at,
            cases::first_response_at,
        ))
        .first(conn)
        .expect("case")
}

fn retention_erases_content_and_keeps_statistics(db: TestDb) {
    let mut conn = db.conn();
    fixtures::every_table(&mut conn);
    let before = stats_of(&mut conn, "c-1");
    let text = dump(&db);
    for s in IDENTIFYING {
        assert!(text.contains(s), "the fixture should hold {s:?}");
    }
    // Closed on 2026-03-05: kept at 2026-03-30 under a 30-day period, erased by 2026-04-05.
    assert_eq!(retention::run(&mut conn, at(2026, 3, 30), 30, 100).expect("run"), Some(Erased::default()));
    assert_eq!(retention::run(&mut conn, at(2026, 3, 30), 0, 100).expect("off"), Some(Erased::default()));
    let done = retention::run(&mut conn, at(2026, 4, 5), 30, 100).expect("run");
    assert_eq!(done, Some(Erased { cases: 1, beneficiaries: 1 }));
    let text = dump(&db);
    for s in IDENTIFYING {
        assert!(!text.contains(s), "{s:?} survived the erasure");
    }
    let after = stats_of(&mut conn, "c-1");
    assert_eq!(after, before, "what the statistics need stays");
    let kinds: Vec<String> = indicators::table
        .filter(indicators::case_id.eq("c-1"))
        .select(indicators::kind)
        .load(&mut conn)
        .expect("kinds");
    assert_eq!(kinds, ["phone"]);
    let bodies: Vec<String> =
        messages::table.filter(messages::case_id.eq("c-1")).select(messages::body).load(&mut conn).expect("messages");
    assert_eq!(bodies, ["", ""], "the messages stay as dated events, without content");
    assert_eq!(evidence::table.filter(evidence::case_id.eq("c-1")).count().get_result::<i64>(&mut conn).expect("n"), 0);
    // The file's bytes stay while a quarantined message still points at the same blob.
    let blobs: i64 = rempart_store::schema::evidence_blobs::table.count().get_result(&mut conn).expect("blobs");
    assert_eq!(blobs, 1);
    let (name, erased_at): (String, Option<chrono::NaiveDateTime>) = beneficiaries::table
        .filter(beneficiaries::id.eq("b-1"))
        .select((beneficiaries::display_name, beneficiaries::erased_at))
        .first(&mut conn)
        .expect("beneficiary");
    assert_eq!(name, "[erased]");
    assert!(erased_at.is_some());
    assert_eq!(beneficiary_emails::table.count().get_result::<i64>(&mut conn).expect("n"), 0);
    // Nor the tokens of their name's words: an erased person shares no word with anyone.
    let words: i64 = rempart_store::schema::beneficiary_words::table
        .filter(rempart_store::schema::beneficiary_words::beneficiary_id.eq("b-1"))
        .count()
        .get_result(&mut conn)
        .expect("words");
    assert_eq!(words, 0);
    let (policy, detail, by): (String, String, Option<String>) = erasures::table
        .filter(erasures::case_id.eq("c-1"))
        .select((erasures::policy, erasures::policy_detail, erasures::requested_by))
        .first(&mut conn)
        .expect("erasure recorded");
    assert_eq!((policy.as_str(), detail.as_str(), by), ("retention", "closed more than 30 days ago", None));
    let trail = rempart_store::audit::AuditEvent::for_case(&mut conn, "c-1").expect("audit");
    assert!(trail.iter().any(|e| e.action == "case.erased" && e.actor_id.is_none()), "{trail:?}");
    // Nothing more to do: a second pass writes nothing.
    assert_eq!(retention::run(&mut conn, at(2026, 4, 6), 30, 100).expect("run"), Some(Erased::default()));
}

fn erasure_on_request(db: TestDb) {
    let mut conn = db.conn();
    fixtures::every_table(&mut conn);
    diesel::sql_query("UPDATE cases SET erased_at = NULL, status = 'open', closed_at = NULL WHERE id = 'c-2'")
        .execute(&mut conn)
        .expect("reopen c-2");
    let open = retention::erase_on_request(&mut conn, "c-2", "u-1", "asked by phone").expect_err("open");
    assert!(matches!(open, StoreError::Conflict(_)) && open.to_string().contains("close it"), "{open}");
    let missing = retention::erase_on_request(&mut conn, "nope", "u-1", "x").expect_err("missing");
    assert!(matches!(missing, StoreError::NotFound { .. }));
    let blank = retention::erase_on_request(&mut conn, "c-1", "u-1", "  ").expect_err("reason");
    assert!(matches!(blank, StoreError::Invalid { .. }));
    // The reason is kept in the erasure's record: as long as the API document says, no more.
    let long = retention::erase_on_request(&mut conn, "c-1", "u-1", &"*".repeat(2001)).expect_err("too long");
    assert!(matches!(long, StoreError::Invalid { field: "reason", .. }), "{long}");
    // c-1 erased on request; the beneficiary still has c-2 with content: kept.
    diesel::sql_query("DELETE FROM mail_quarantine").execute(&mut conn).expect("no quarantined copy");
    let done =
        retention::erase_on_request(&mut conn, "c-1", "u-1", "the beneficiary asked to be forgotten").expect("erase");
    assert_eq!(done, Erased { cases: 1, beneficiaries: 0 });
    let blobs: i64 = rempart_store::schema::evidence_blobs::table.count().get_result(&mut conn).expect("blobs");
    assert_eq!(blobs, 0, "nothing else used the evidence file: its bytes are gone");
    let kept = rempart_store::beneficiaries::Beneficiary::get(&mut conn, "b-1").expect("b");
    assert_eq!(kept.display_name, "Amina « K. »");
    let by: Option<String> = erasures::table
        .filter(erasures::case_id.eq("c-1"))
        .select(erasures::requested_by)
        .first(&mut conn)
        .expect("row");
    assert_eq!(by.as_deref(), Some("u-1"));
    let again = retention::erase_on_request(&mut conn, "c-1", "u-1", "again").expect_err("twice");
    assert!(again.to_string().contains("already erased"));
    // The last case goes: so does the beneficiary.
    diesel::sql_query("UPDATE cases SET status = 'closed', closed_at = '2026-03-06 00:00:00' WHERE id = 'c-2'")
        .execute(&mut conn)
        .expect("close c-2");
    let done =
        retention::erase_on_request(&mut conn, "c-2", "u-1", "the beneficiary asked to be forgotten").expect("erase");
    assert_eq!(done, Erased { cases: 1, beneficiaries: 1 });
    let case_policy = Policy::Request { by: "u-1", reason: "x" };
    assert_eq!(retention::erase_cases(&mut conn, &["c-1".into()], case_policy).expect("noop"), Erased::default());
}

on_both_backends!(retention_erases_content_and_keeps_statistics, erasure_on_request);

/// On SQLite, what an erasure removed is gone from the database file and its write-ahead
/// log too, not only from the rows (a copied disk reads free pages and the log).
#[test]
fn erased_content_does_not_stay_in_the_sqlite_files() {
    let db = TestDb::sqlite();
    let path = std::path::PathBuf::from(db.url().trim_start_matches("sqlite://"));
    let secret = "Zyxwvu-identifying-narrative-0042";
    let evidence_bytes = format!("evidence bytes {secret} {}", "x".repeat(4000));
    let mut conn = db.conn();
    fixtures::every_table(&mut conn);
    // The summary goes through the store: sealed, it never reaches the disk in clear.
    let sealed_marker = "Qwerty-sealed-summary-0043";
    rempart_store::cases::Case::update(
        &mut conn,
        "c-1",
        rempart_store::cases::CaseChanges { summary: Some(sealed_marker.into()), ..Default::default() },
        None,
        None,
    )
    .expect("summary");
    rempart_store::evidence::Evidence::add(
        &mut conn,
        rempart_store::evidence::NewEvidence {
            case_id: "c-1",
            content: evidence_bytes.as_bytes(),
            media_type: "text/plain",
            original_name: "notes.txt",
            description: None,
            message_id: None,
        },
        None,
    )
    .expect("evidence");
    diesel::sql_query("DELETE FROM mail_quarantine").execute(&mut conn).expect("no quarantined copy");
    let on_disk = |needle: &str| {
        ["", "-wal"].iter().any(|suffix| {
            let mut name = path.clone().into_os_string();
            name.push(suffix);
            std::fs::read(&name).is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
        })
    };
    assert!(!on_disk(secret), "a file is sealed: never on disk in clear");
    assert!(!on_disk(sealed_marker), "a sealed summary is never on disk in clear");
    assert!(on_disk("Trust & Safety"), "the third party (not sealed yet) is on disk before the erasure");
    retention::erase_on_request(&mut conn, "c-1", "u-1", "asked to be forgotten").expect("erase");
    assert!(!on_disk(secret), "the erased summary and evidence must not stay in the file or the log");
    assert!(!on_disk("Trust & Safety"), "nor the third party's details");
}

#[test]
fn one_retention_run_at_a_time_on_postgres() {
    let db = TestDb::postgres();
    fixtures::every_table(&mut db.conn());
    let mut holder = db.conn();
    diesel::sql_query(format!("SELECT pg_advisory_lock({})", retention::RETENTION_LOCK))
        .execute(&mut holder)
        .expect("lock");
    let mut other = db.conn();
    assert_eq!(retention::run(&mut other, at(2026, 4, 5), 30, 100).expect("run"), None, "another instance runs it");
    diesel::sql_query(format!("SELECT pg_advisory_unlock({})", retention::RETENTION_LOCK))
        .execute(&mut holder)
        .expect("unlock");
    assert_eq!(
        retention::run(&mut other, at(2026, 4, 5), 30, 100).expect("run"),
        Some(Erased { cases: 1, beneficiaries: 1 })
    );
}
