//! Protection at rest in the store: values sealed before they reach the database, bound to
//! their place, opened for the store's callers; the in-place upgrade of a database written
//! in clear; crypto-shredding by erasure. On SQLite and PostgreSQL.

use crate::common::{beneficiary, case};
use diesel::prelude::*;
use rempart_store::case_items::Comment;
use rempart_store::cases::Case;
use rempart_store::protection::{self, SEALED};
use rempart_store::sealing::{self, Owner};
use rempart_store::{StoreError, export, retention};
use rempart_test_db::{TestDb, fixtures, on_both_backends};

fn raw_export(db: &TestDb) -> String {
    let mut out = Vec::new();
    export::export(&mut db.conn(), &mut out).expect("export");
    String::from_utf8(out).expect("utf-8")
}

/// What the fixture writes in the columns sealed at this level, as stored in clear.
const IN_SEALED_COLUMNS: &[&str] = &[
    "Sessions révoquées",
    "même campagne",
    "Doxxing",
    "élevé",
    "fatiguée",
    // Level 2: a beneficiary, their address and verification, a third party, an evidence
    // file's name, an indicator.
    "Amina « K. »",
    "amina@example.org",
    "partenaire de confiance",
    "Plateforme X",
    "ts@platform.example",
    "capture d'écran",
    "+33612345678",
    "harceleur",
    // Message-IDs: of a message, what it answered, a receipt's, a quarantined mail's.
    "a@h.example",
    "b@h.example",
    "q@h.example",
];

fn an_older_database_is_sealed_in_place_without_loss(db: TestDb) {
    let mut conn = db.conn();
    fixtures::every_table_in_clear(&mut conn);
    // A file an older version stored in clear.
    let old_file = b"an old evidence file, stored in clear".to_vec();
    let old_sha = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&old_file))
    };
    diesel::insert_into(rempart_store::schema::evidence_blobs::table)
        .values((
            rempart_store::schema::evidence_blobs::sha256.eq(&old_sha),
            rempart_store::schema::evidence_blobs::size.eq(old_file.len() as i64),
            rempart_store::schema::evidence_blobs::content.eq(&old_file),
            rempart_store::schema::evidence_blobs::created_at.eq(rempart_store::now()),
        ))
        .execute(&mut *conn)
        .expect("a clear file");
    assert_eq!(protection::level(&mut conn).expect("level"), 0);
    let before = protection::content_summary(&mut conn).expect("content before");
    let clear = raw_export(&db);
    for marker in IN_SEALED_COLUMNS {
        assert!(clear.contains(marker), "the fixture holds {marker:?} in clear");
    }

    let done = protection::upgrade(&mut conn).expect("upgrade");
    assert_eq!(done.from_level, 0);
    assert!(done.sealed_values >= IN_SEALED_COLUMNS.len(), "{done:?}");
    assert_eq!(protection::level(&mut conn).expect("level"), protection::LEVEL);
    let after = protection::content_summary(&mut conn).expect("content after");
    assert_eq!(before.differences(&after), Vec::<String>::new(), "the decrypted content is unchanged");
    assert_eq!(before.digest(), after.digest());
    let sealed = raw_export(&db);
    for marker in IN_SEALED_COLUMNS {
        assert!(!sealed.contains(marker), "{marker:?} stays in clear after the upgrade");
    }
    let clear_file = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(&old_file)
    };
    assert!(clear.contains(&clear_file) && !sealed.contains(&clear_file), "the old file is sealed");
    assert_eq!(rempart_store::evidence::get_blob(&mut conn, &old_sha).expect("opened"), old_file);
    // The files stay immutable after the upgrade lifted the trigger for itself.
    let update = diesel::update(rempart_store::schema::evidence_blobs::table.find(&old_sha))
        .set(rempart_store::schema::evidence_blobs::size.eq(0i64))
        .execute(&mut *conn);
    assert!(update.is_err(), "the immutability trigger is back");
    // The store reads it back.
    let comments = Comment::for_case(&mut conn, "c-1").expect("comments");
    assert!(comments[0].body.contains("piraté 🙁"), "{comments:?}");
    // The lookups work on what the upgrade sealed, by the tokens it computed.
    let amina = rempart_core::EmailAddress::parse("Amina@Example.org").expect("address");
    let found = rempart_store::beneficiaries::Beneficiary::find_by_email(&mut conn, &amina).expect("find");
    assert_eq!(found.map(|b| b.display_name).as_deref(), Some("Amina « K. »"));
    let rules = rempart_core::IndicatorRules::default();
    let matches = rempart_store::indicators::Indicator::lookup(&mut conn, rules, "+33 6 12 34 56 78").expect("lookup");
    assert_eq!(matches.iter().map(|m| m.indicator.case_id.as_str()).collect::<Vec<_>>(), ["c-1"]);
    assert_eq!(matches[0].indicator.original_value, "06 12 34 56 78");
    // (The fixture's message holds a signer fingerprint no Message parses: its token is read.)
    let index = sealing::index_key(&mut conn).expect("index key");
    let token = rempart_store::messages::message_id_token(&index, "<a@h.example>");
    let threaded: Vec<String> = rempart_store::schema::messages::table
        .filter(rempart_store::schema::messages::message_id_token.eq(token))
        .select(rempart_store::schema::messages::id)
        .load(&mut *conn)
        .expect("find");
    assert_eq!(threaded, ["m-1"], "found by its Message-ID's token");
    let filter = rempart_store::cases::CaseFilter { beneficiary: Some("amina".into()), ..Default::default() };
    let listed = Case::list(&mut conn, &filter, None, 10).expect("list");
    assert!(!listed.is_empty() && listed.iter().all(|c| c.beneficiary_id == "b-1"), "{listed:?}");
    // Once is enough: a second upgrade does nothing.
    assert_eq!(protection::upgrade(&mut conn).expect("again").sealed_values, 0);
}

fn the_sealed_columns_are_the_schemas() {
    // Each column the upgrade seals exists in the schema (a typo would seal nothing).
    for c in SEALED {
        let columns = export::COLUMNS.iter().find(|(t, _)| *t == c.table).map(|(_, cols)| *cols);
        assert!(columns.is_some_and(|cols| cols.contains(&c.column)), "{}.{}", c.table, c.column);
    }
}

#[test]
fn sealed_columns_exist() {
    the_sealed_columns_are_the_schemas();
}

fn a_value_moved_to_another_row_does_not_open(db: TestDb) {
    use rempart_store::schema::comments;
    let mut conn = db.conn();
    let ana = beneficiary(&mut conn, "ana@example.org");
    let c = case(&mut conn, &ana.id, "Compte piraté");
    let first = Comment::add(&mut conn, &c.id, "Premier secret", None).expect("comment");
    let second = Comment::add(&mut conn, &c.id, "Second", None).expect("comment");
    let stored: String = comments::table.find(&first.id).select(comments::body).first(&mut *conn).expect("stored");
    assert!(stored.starts_with("rv2:") && !stored.contains("secret"), "{stored}");
    // Someone with write access copies the first comment's ciphertext onto the second.
    diesel::update(comments::table.find(&second.id)).set(comments::body.eq(&stored)).execute(&mut *conn).expect("swap");
    let err = Comment::for_case(&mut conn, &c.id).expect_err("refused");
    assert!(matches!(err, StoreError::Unreadable(_)), "{err}");
    // A value written in clear behind the store's back is refused too.
    diesel::update(comments::table.find(&second.id))
        .set(comments::body.eq("forged"))
        .execute(&mut *conn)
        .expect("forge");
    assert!(matches!(Comment::for_case(&mut conn, &c.id), Err(StoreError::Unreadable(_))));
}

fn erasure_destroys_the_case_key(db: TestDb) {
    use rempart_store::schema::{case_words, cases};
    let mut conn = db.conn();
    let ana = beneficiary(&mut conn, "ana@example.org");
    let c = case(&mut conn, &ana.id, "Résumé Zanzibar-0044");
    let words: Vec<String> = case_words::table.select(case_words::word).load(&mut *conn).expect("words");
    assert!(!words.is_empty() && words.iter().all(|w| !w.to_lowercase().contains("zanzibar")), "tokens, not words");
    // An attacker's copy of the database before the erasure.
    let copied: String = cases::table.find(&c.id).select(cases::summary).first(&mut *conn).expect("summary");
    assert!(sealing::existing_key(&mut conn, Owner::Case(&c.id)).expect("key").is_some());

    let lead = crate::common::user(&mut conn, "lead@helpline.example", rempart_core::Role::Lead);
    let policy = retention::Policy::Request { by: &lead.id, reason: "asked" };
    retention::erase_cases(&mut conn, std::slice::from_ref(&c.id), policy).expect("erase");
    assert!(sealing::existing_key(&mut conn, Owner::Case(&c.id)).expect("key").is_none(), "the key is gone");
    // Even with the master key, the copied summary cannot be opened any more: its data key
    // is destroyed, and no other key opens it.
    let other = sealing::key(&mut conn, Owner::Case("another")).expect("another key");
    assert!(other.open("cases", "summary", &c.id, &copied).is_err());
    assert_eq!(Case::get(&mut conn, &c.id).expect("case").summary, "");
}

/// Reverting migration 13 would drop the only keys that open what they sealed: refused while
/// any key exists (a database without any still reverts: the migrations' own test).
fn the_keys_are_never_dropped_by_a_revert(db: TestDb) {
    let mut conn = db.conn();
    let ana = beneficiary(&mut conn, "ana@example.org");
    let c = case(&mut conn, &ana.id, "Compte piraté");
    // The shred epoch (migration 15) loses no key: it goes; the blind indexes (14) would
    // down refuses while keys exist: refused.
    assert_eq!(rempart_store::db::revert_last_migration(&mut conn).expect("15 reverts"), "20261209000015");
    assert!(rempart_store::db::revert_last_migration(&mut conn).is_err(), "refused");
    assert!(sealing::existing_key(&mut conn, Owner::Case(&c.id)).expect("key").is_some(), "the key stays");
    assert_eq!(Case::get(&mut conn, &c.id).expect("case").summary, "Compte piraté");
}

/// A key lost without an erasure (its row deleted behind the store's back) is reported when
/// the values it sealed are read, never shown as empty.
fn a_lost_key_is_reported_not_shown_empty(db: TestDb) {
    let mut conn = db.conn();
    let ana = beneficiary(&mut conn, "ana@example.org");
    let c = case(&mut conn, &ana.id, "Compte piraté");
    sealing::shred(&mut conn, &[Owner::Case(&c.id)]).expect("lose the key");
    assert!(matches!(Case::get(&mut conn, &c.id), Err(StoreError::Unreadable(_))));
}

/// A beneficiary's keys, their changes and the decisions on them: the fingerprints and
/// certificates are read back, and found nowhere in clear (nor in the audit trail).
fn keys_and_their_trail_name_no_fingerprint(db: TestDb) {
    use rempart_core::{Fingerprint, KeyTrust};
    use rempart_store::beneficiaries::{Beneficiary, KeyOffer, KeyOrigin};
    let mut conn = db.conn();
    let ana = beneficiary(&mut conn, "ana@example.org");
    let cert =
        |n: &str| format!("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nCERT{n}\n-----END PGP PUBLIC KEY BLOCK-----\n");
    let (first, second) = ("A1B2".repeat(10), "C3D4".repeat(10));
    let fp1 = Fingerprint::parse(&first).expect("fp");
    let fp2 = Fingerprint::parse(&second).expect("fp");
    let origin = KeyOrigin { source: "autocrypt", provenance: "PROVENANCE-MARK", trust: KeyTrust::Unconfirmed };
    Beneficiary::offer_certificate(&mut conn, &ana.id, &cert("ONE"), &fp1, origin, None).expect("pinned");
    let KeyOffer::PendingChange { key_change_id } =
        Beneficiary::offer_certificate(&mut conn, &ana.id, &cert("TWO"), &fp2, origin, None).expect("offered")
    else {
        panic!("a different key waits for a decision")
    };
    Beneficiary::decide_key_change(&mut conn, &key_change_id, true, None).expect("accepted");
    let detail = Beneficiary::detail(&mut conn, &ana.id).expect("detail");
    assert_eq!(detail.beneficiary.pgp_fingerprint.as_ref(), Some(&fp2));
    assert!(detail.beneficiary.pgp_certificate.as_deref().is_some_and(|c| c.contains("CERTTWO")));
    assert_eq!(detail.key_changes.len(), 2);
    let stored = raw_export(&db).to_lowercase();
    for needle in [&first, &second, "certone", "certtwo", "provenance-mark", "ana@example.org"] {
        assert!(!stored.contains(&needle.to_lowercase()), "{needle} in clear in the database");
    }
}

/// A wrapped key copied onto another owner's row is refused, even once the process keeps the
/// first owner's key unwrapped in memory (the wrapping binds its owner).
fn a_wrapped_key_moved_to_another_owner_is_refused(db: TestDb) {
    use rempart_store::schema::data_keys;
    let mut conn = db.conn();
    sealing::key(&mut conn, Owner::Case("case-a")).expect("a");
    sealing::key(&mut conn, Owner::Case("case-b")).expect("b");
    assert!(sealing::existing_key(&mut conn, Owner::Case("case-a")).expect("read a").is_some(), "a is now cached");
    let a: String = data_keys::table.find("case:case-a").select(data_keys::wrapped).first(&mut *conn).expect("a");
    diesel::update(data_keys::table.find("case:case-b"))
        .set(data_keys::wrapped.eq(&a))
        .execute(&mut *conn)
        .expect("swap");
    assert!(sealing::existing_key(&mut conn, Owner::Case("case-b")).is_err(), "b's row holds a's key: refused");
}

/// Keys destroyed by another instance (an erasure by another `serve` on the same
/// PostgreSQL) are not used from this process's memory: the shred epoch the list reads
/// with its rows says the remembered keys may be stale.
fn a_key_destroyed_elsewhere_is_not_used_from_memory(db: TestDb) {
    use rempart_store::cases::CaseFilter;
    use rempart_store::schema::{data_keys, protection};
    let mut conn = db.conn();
    let ana = beneficiary(&mut conn, "ana@example.org");
    let c = case(&mut conn, &ana.id, "Résumé Kalahari-0077");
    let page = Case::list(&mut conn, &CaseFilter::default(), None, 50).expect("list");
    assert_eq!(page[0].summary, "Résumé Kalahari-0077", "opened, and its key remembered");
    // Another instance destroys the key (its erasure bumps the epoch), not through this
    // process; the summary is left sealed, as a copy of the row would be.
    diesel::delete(data_keys::table.find(format!("case:{}", c.id))).execute(&mut *conn).expect("shred");
    diesel::update(protection::table.find(1))
        .set(protection::shred_epoch.eq(protection::shred_epoch + 1))
        .execute(&mut *conn)
        .expect("epoch");
    let again = Case::list(&mut conn, &CaseFilter::default(), None, 50);
    assert!(
        matches!(again, Err(StoreError::Unreadable(_))),
        "the remembered key is not used once a key was destroyed: {again:?}"
    );
}

/// The lookup uses the blind-index key this process remembers and checks it against the
/// database's in the same query: with two databases in one process (each its own index
/// key), each finds its own cases, and a value only the other holds finds nothing.
fn the_remembered_index_key_is_checked_against_the_database(db: TestDb) {
    use rempart_core::{IndicatorKind, IndicatorRules};
    use rempart_store::indicators::{Indicator, NewIndicator};
    let other = TestDb::new(db.backend());
    let add = |conn: &mut rempart_store::DbConn, case_id: &str, value: &str| {
        let new = NewIndicator { kind: IndicatorKind::Domain, value, note: None, seen_at: None };
        Indicator::add(conn, case_id, new, IndicatorRules::default(), None).expect("indicator");
    };
    let (mut a, mut b) = (db.conn(), other.conn());
    let ana = beneficiary(&mut a, "ana@example.org");
    let in_a = case(&mut a, &ana.id, "Hameçonnage");
    add(&mut a, &in_a.id, "shared.example");
    add(&mut a, &in_a.id, "only-a.example");
    let bo = beneficiary(&mut b, "bo@example.org");
    let in_b = case(&mut b, &bo.id, "Hameçonnage aussi");
    add(&mut b, &in_b.id, "shared.example");
    let found = |conn: &mut rempart_store::DbConn, value: &str| -> Vec<String> {
        Indicator::lookup(conn, IndicatorRules::default(), value)
            .expect("lookup")
            .into_iter()
            .map(|m| m.indicator.case_id)
            .collect()
    };
    for _ in 0..2 {
        assert_eq!(found(&mut a, "shared.example"), std::slice::from_ref(&in_a.id));
        assert_eq!(found(&mut b, "shared.example"), std::slice::from_ref(&in_b.id));
        assert!(found(&mut b, "only-a.example").is_empty());
        assert_eq!(found(&mut a, "only-a.example"), std::slice::from_ref(&in_a.id));
    }
}

on_both_backends!(
    the_remembered_index_key_is_checked_against_the_database,
    a_key_destroyed_elsewhere_is_not_used_from_memory,
    a_wrapped_key_moved_to_another_owner_is_refused,
    keys_and_their_trail_name_no_fingerprint,
    a_lost_key_is_reported_not_shown_empty,
    the_keys_are_never_dropped_by_a_revert,
    an_older_database_is_sealed_in_place_without_loss,
    a_value_moved_to_another_row_does_not_open,
    erasure_destroys_the_case_key
);

/// The reads that open sealed values with keys read in the same query (a page of cases,
/// a case, the indicator lookup) stay prepared on PostgreSQL: written as SQL text, their
/// subqueries made diesel prepare them anew at every call, and PostgreSQL parsed and
/// planned each one again (a third of its time per page). PostgreSQL only: SQLite has no
/// view of a connection's prepared statements.
#[test]
fn the_reads_that_open_sealed_values_stay_prepared() {
    use rempart_core::{IndicatorKind, IndicatorRules};
    use rempart_store::cases::CaseFilter;
    use rempart_store::indicators::{Indicator, NewIndicator};
    let db = TestDb::new(rempart_store::Backend::Postgres);
    let mut conn = db.conn();
    let ana = beneficiary(&mut conn, "ana@example.org");
    let c = case(&mut conn, &ana.id, "Hameçonnage");
    let new = NewIndicator { kind: IndicatorKind::Domain, value: "prepared.example", note: None, seen_at: None };
    Indicator::add(&mut conn, &c.id, new, IndicatorRules::default(), None).expect("indicator");
    for _ in 0..2 {
        assert_eq!(Case::list(&mut conn, &CaseFilter::default(), None, 50).expect("list")[0].summary, "Hameçonnage");
        assert_eq!(Case::get(&mut conn, &c.id).expect("get").summary, "Hameçonnage");
        let found = Indicator::lookup(&mut conn, IndicatorRules::default(), "prepared.example").expect("lookup");
        assert_eq!(found.len(), 1);
    }
    #[derive(QueryableByName)]
    struct Prepared {
        #[diesel(sql_type = diesel::sql_types::Text)]
        statement: String,
    }
    let prepared: Vec<Prepared> =
        diesel::sql_query("SELECT statement FROM pg_prepared_statements").load(&mut *conn).expect("prepared");
    let kept = |what: &str, marks: &[&str]| {
        assert!(
            prepared.iter().any(|p| marks.iter().all(|m| p.statement.contains(m))),
            "{what} is not kept prepared; prepared: {:#?}",
            prepared.iter().map(|p| &p.statement).collect::<Vec<_>>()
        );
    };
    kept("the page of cases", &["\"shred_epoch\"", "FROM \"cases\""]);
    kept("a case with its key", &["FROM \"cases\"", "\"data_keys\"", "\"cases\".\"id\" = $"]);
    kept("the lookup", &["FROM (\"indicators\"", "\"value_token\" = ANY("]);
}
