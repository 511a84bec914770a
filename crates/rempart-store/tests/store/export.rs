//! The export stream behind backups and moves between engines: round trips on each engine
//! and across them, and every way a stream can be refused without leaving half of it.

use diesel::prelude::*;
use rand::SeedableRng;
use rempart_store::export::{self, TABLES};
use rempart_store::{Backend, StoreError};
use rempart_test_db::fixtures::{self, Loaded};
use rempart_test_db::{TestDb, on_both_backends};

/// A database with a row in every table and a few hundred bulk cases.
fn populated(backend: Backend) -> TestDb {
    let db = TestDb::new(backend);
    let mut conn = db.conn();
    fixtures::every_table(&mut conn);
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    fixtures::bulk_load(&mut conn, &mut rng, 300, 300, &mut Loaded::default());
    drop(conn);
    db
}

fn exported(db: &TestDb) -> (Vec<u8>, export::Summary) {
    let mut out = Vec::new();
    let summary = export::export(&mut db.conn(), &mut out).expect("export");
    (out, summary)
}

fn round_trip_on_one_engine(db: TestDb) {
    let source = populated(db.backend());
    let (stream, summary) = exported(&source);
    for table in TABLES {
        let t = summary.table(table).expect("every table is in the summary");
        assert!(t.rows > 0, "the fixture leaves {table} empty: the round trip would not prove it");
    }
    let imported = export::import(&mut db.conn(), &mut stream.as_slice()).expect("import");
    assert_eq!(imported.summary, summary);
    assert_eq!(imported.header.migrations, export::applied_migrations(&mut source.conn()).expect("migrations"));
    // Read back from the new database on its own: the same rows, byte for byte.
    let (again, again_summary) = exported(&db);
    assert_eq!(again_summary, summary);
    let rows = |s: &[u8]| s.split(|b| *b == b'\n').skip(1).map(<[u8]>::to_vec).collect::<Vec<_>>();
    assert_eq!(rows(&again), rows(&stream));
    // The evidence file's bytes came back intact (every byte value).
    let sha256: String = rempart_store::schema::evidence_blobs::table
        .select(rempart_store::schema::evidence_blobs::sha256)
        .first(&mut db.conn())
        .expect("blob");
    let blob = rempart_store::evidence::get_blob(&mut db.conn(), &sha256).expect("opened");
    assert_eq!(blob, (0..=255u8).cycle().take(4096).collect::<Vec<u8>>());
}

fn refuses_a_database_that_is_not_empty(db: TestDb) {
    let source = populated(db.backend());
    let (stream, _) = exported(&source);
    fixtures::every_table(&mut db.conn());
    let before = export::summarize(&mut db.conn()).expect("summary");
    let err = export::import(&mut db.conn(), &mut stream.as_slice()).expect_err("not empty");
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    assert!(err.to_string().contains("not empty"), "{err}");
    assert_eq!(export::summarize(&mut db.conn()).expect("summary"), before, "nothing changed");
}

/// Every refusal leaves the target as it was: empty.
fn refuses_damaged_streams_and_keeps_nothing(db: TestDb) {
    let source = populated(db.backend());
    let (stream, _) = exported(&source);
    let text = String::from_utf8(stream).expect("utf-8");
    let lines: Vec<&str> = text.lines().collect();
    let truncated = lines[..lines.len() - 1].join("\n");
    let cut_mid_table = lines[..lines.len() / 2].join("\n");
    // One value changed, the end line kept: the digest catches it.
    let tampered = text.replacen("\"name\":\"Cierre\"", "\"name\":\"Cierra\"", 1);
    assert_ne!(tampered, text);
    let dropped_row = lines.iter().enumerate().filter(|(i, _)| *i != 3).map(|(_, l)| *l).collect::<Vec<_>>().join("\n");
    let mut newer: serde_json::Value = serde_json::from_str(lines[0]).expect("header");
    newer["header"]["migrations"].as_array_mut().expect("list").push("2099-01-01-000001".into());
    let newer = format!("{newer}\n{}", lines[1..].join("\n"));
    let cases = [
        (truncated.as_str(), "truncated"),
        (cut_mid_table.as_str(), "truncated"),
        (tampered.as_str(), "content differs"),
        (dropped_row.as_str(), "rows here"),
        (newer.as_str(), "newer Rempart"),
        ("", "not a Rempart export"),
        ("{\"t\":\"users\",\"r\":{}}\n", "not a Rempart export"),
        ("garbage\n", "not valid"),
    ];
    for (input, expected) in cases {
        let err = export::import(&mut db.conn(), &mut input.as_bytes()).expect_err(expected);
        assert!(err.to_string().contains(expected), "expected {expected:?}, got: {err}");
        let summary = export::summarize(&mut db.conn()).expect("summary");
        for t in ["users", "cases", "messages", "evidence_blobs", "audit_events"] {
            assert_eq!(summary.table(t).expect("table").rows, 0, "{t} after a refused import ({expected})");
        }
    }
}

on_both_backends!(
    round_trip_on_one_engine,
    refuses_a_database_that_is_not_empty,
    refuses_damaged_streams_and_keeps_nothing,
    the_stream_carries_every_table_and_column
);

/// The move behind `rempart migrate-data`, both ways: same counts and digests.
fn across_engines(from: Backend, to: Backend) {
    let source = populated(from);
    let target = TestDb::new(to);
    let (stream, summary) = exported(&source);
    let imported = export::import(&mut target.conn(), &mut stream.as_slice()).expect("import");
    assert_eq!(imported.header.backend, if from == Backend::Sqlite { "sqlite" } else { "postgres" });
    let differences = export::summarize(&mut target.conn()).expect("summary").differences(&summary);
    assert!(differences.is_empty(), "{differences:?}");
}

#[test]
fn sqlite_to_postgres() {
    across_engines(Backend::Sqlite, Backend::Postgres);
}

#[test]
fn postgres_to_sqlite() {
    across_engines(Backend::Postgres, Backend::Sqlite);
}

/// A value PostgreSQL cannot hold exactly (a nanosecond timestamp written into SQLite by
/// some other tool) stops the move instead of being silently rounded.
#[test]
fn a_value_the_target_cannot_hold_stops_the_move() {
    let source = TestDb::sqlite();
    fixtures::every_table(&mut source.conn());
    diesel::sql_query("UPDATE comments SET created_at = '2026-03-04 05:06:07.123456789'")
        .execute(&mut source.conn())
        .expect("update");
    let (stream, _) = exported(&source);
    let target = TestDb::postgres();
    let err = export::import(&mut target.conn(), &mut stream.as_slice()).expect_err("rounded");
    assert!(err.to_string().contains("comments: 1 rows here, 1 there (content differs)"), "{err}");
    let summary = export::summarize(&mut target.conn()).expect("summary");
    assert_eq!(summary.table("comments").expect("table").rows, 0);
    assert_eq!(summary.table("users").expect("table").rows, 0);
}

#[derive(diesel::QueryableByName)]
struct TableColumn {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    column_name: String,
}

/// Every table and column of the migrated database, as the engine reports them.
fn live_columns(db: &TestDb) -> std::collections::BTreeSet<(String, String)> {
    use diesel::RunQueryDsl;
    let sql = match db.backend() {
        Backend::Sqlite => {
            "SELECT m.name AS table_name, p.name AS column_name FROM sqlite_master m, pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '__diesel_schema_migrations'"
        }
        Backend::Postgres => {
            "SELECT table_name::text AS table_name, column_name::text AS column_name FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'"
        }
    };
    diesel::sql_query(sql)
        .load::<TableColumn>(&mut *db.conn())
        .expect("columns")
        .into_iter()
        .map(|c| (c.table_name, c.column_name))
        .collect()
}

/// A table or column added by a migration and forgotten by the backup stream fails here
/// (the backup would silently lose it), as does one the stream names that no longer exists.
fn the_stream_carries_every_table_and_column(db: TestDb) {
    let live = live_columns(&db);
    let carried: std::collections::BTreeSet<(String, String)> = export::COLUMNS
        .iter()
        .flat_map(|(table, columns)| columns.iter().map(|c| ((*table).to_owned(), (*c).to_owned())))
        .collect();
    let forgotten: Vec<_> = live.difference(&carried).collect();
    let stale: Vec<_> = carried.difference(&live).collect();
    assert!(forgotten.is_empty(), "in the database but not in the backup stream: {forgotten:?}");
    assert!(stale.is_empty(), "in the backup stream but not in the database: {stale:?}");
    assert_eq!(export::TABLES.len(), export::COLUMNS.len());
}
