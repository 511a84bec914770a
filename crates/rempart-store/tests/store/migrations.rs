//! The migrations: same names on both backends, applied and reverted cleanly.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use rempart_store::db::{revert_last_migration, run_migrations};
use rempart_test_db::{Backend, TestDb, on_both_backends};
use std::collections::BTreeSet;
use std::path::Path;

fn migration_names(backend: &str) -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations").join(backend);
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn both_backends_have_the_same_migrations() {
    let sqlite = migration_names("sqlite");
    let postgres = migration_names("postgres");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres, "migrations/sqlite and migrations/postgres must hold the same names");
    for backend in ["sqlite", "postgres"] {
        for name in &sqlite {
            for file in ["up.sql", "down.sql"] {
                let path =
                    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations").join(backend).join(name).join(file);
                assert!(path.is_file(), "missing {}", path.display());
            }
        }
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

fn table_count(db: &TestDb) -> i64 {
    let sql = match db.backend() {
        Backend::Sqlite => {
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '__diesel_schema_migrations'"
        }
        Backend::Postgres => {
            "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'"
        }
    };
    diesel::sql_query(sql).get_result::<Count>(&mut *db.conn()).expect("count tables").n
}

fn down_then_up_again(db: TestDb) {
    let tables = table_count(&db);
    assert!(tables >= 20, "the foundation creates the case tables, found {tables}");
    let mut conn = db.conn();
    let mut reverted = Vec::new();
    while let Ok(name) = revert_last_migration(&mut conn) {
        reverted.push(name);
    }
    assert_eq!(
        reverted,
        [
            "20261209000015",
            "20261208000014",
            "20261207000013",
            "20261206000012",
            "20261206000011",
            "20261205000010",
            "20261205000009",
            "20261201000008",
            "20261122000007",
            "20261122000006",
            "20261122000005",
            "20261122000004",
            "20261122000003",
            "20261122000002",
            "20261122000001"
        ],
        "newest first, down to nothing"
    );
    drop(conn);
    assert_eq!(table_count(&db), 0, "down migrations drop every table");
    let applied = run_migrations(&mut db.conn()).expect("up again");
    assert_eq!(applied.len(), reverted.len());
    assert_eq!(table_count(&db), tables);
    assert!(run_migrations(&mut db.conn()).expect("nothing pending").is_empty());
}

fn taxonomies_are_seeded(db: TestDb) {
    let audience: Vec<Name> = diesel::sql_query("SELECT code AS name FROM audience_types ORDER BY position")
        .load(&mut *db.conn())
        .expect("load");
    let codes: Vec<&str> = audience.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(
        codes,
        [
            "journalist",
            "human_rights_defender",
            "activist",
            "civil_society_organisation",
            "lgbtqi_organisation",
            "sex_worker_organisation",
            "hiv_programme_implementer",
            "other"
        ]
    );
    let services: Vec<Name> = diesel::sql_query("SELECT code AS name FROM service_types ORDER BY position")
        .load(&mut *db.conn())
        .expect("load");
    assert_eq!(services.len(), 9);
    assert!(services.iter().any(|n| n.name == "device_seized_lost"));
}

on_both_backends!(down_then_up_again, taxonomies_are_seeded);

#[derive(QueryableByName)]
struct Pragma {
    #[diesel(sql_type = Text)]
    value: String,
}

#[test]
fn sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout() {
    let db = TestDb::sqlite();
    let mut conn = db.conn();
    let mut pragma = |p: &str| {
        diesel::sql_query(format!("SELECT CAST(({p}) AS TEXT) AS value"))
            .get_result::<Pragma>(&mut *conn)
            .map(|r| r.value)
            .expect("pragma")
    };
    assert_eq!(pragma("SELECT journal_mode FROM pragma_journal_mode"), "wal");
    assert_eq!(pragma("SELECT foreign_keys FROM pragma_foreign_keys"), "1");
    assert_eq!(pragma("SELECT timeout FROM pragma_busy_timeout"), "5000");
    assert_eq!(pragma("SELECT synchronous FROM pragma_synchronous"), "2", "synchronous = FULL");
}

#[test]
fn sqlite_file_and_folder_are_created_on_first_run() {
    let dir = tempfile_dir();
    let path = dir.join("nested/data/rempart.db");
    let pool = rempart_store::DbPool::connect(&format!("sqlite://{}", path.display()), Default::default())
        .expect("creates the file");
    pool.migrate().expect("migrate");
    assert!(path.is_file());
    let _ = std::fs::remove_dir_all(dir);
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("rempart-first-run-{}", uuid_like()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn uuid_like() -> String {
    format!("{}-{:?}", std::process::id(), std::time::SystemTime::now())
        .replace(|c: char| !c.is_ascii_alphanumeric(), "")
}

#[test]
fn unsupported_urls_are_refused_with_a_clear_error() {
    for url in ["mysql://root@localhost/x", "data.db", "sqlite://"] {
        let err = rempart_store::DbPool::connect(url, Default::default()).expect_err(url);
        assert_eq!(err.kind(), "unsupported-database-url", "{url}: {err}");
    }
    let err = rempart_store::DbPool::connect("postgres://postgres:secret@127.0.0.1:1/none", Default::default())
        .expect_err("nothing listens on port 1");
    assert_eq!(err.kind(), "database-unavailable");
}
