//! Fresh, migrated databases for tests, after crates.io's `crates_io_test_db`.
//!
//! [`TestDb::sqlite`] makes a database file in a temporary folder; [`TestDb::postgres`]
//! creates a new database on the PostgreSQL server named by `REMPART_TEST_POSTGRES_URL`
//! (default `postgres://postgres@127.0.0.1:5432`). Both are removed when the value is
//! dropped. A test that needs PostgreSQL fails loudly when the server is down: it never
//! skips.
//!
//! Migrations run once, into a template: on PostgreSQL a database named after a digest of
//! the migrations (shared by every test process of the run, created under an advisory
//! lock) that each test copies with `CREATE DATABASE ... TEMPLATE`; on SQLite a migrated
//! file per test process that each test copies. [`TestDb::empty`] still gives a database
//! without the schema, for the migrations' own tests.

use diesel::prelude::*;
pub mod fixtures;

pub use rempart_store::Backend;
use rempart_store::{DbPool, PoolOptions, PooledConn};

pub const POSTGRES_URL_VAR: &str = "REMPART_TEST_POSTGRES_URL";
const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432";

/// The PostgreSQL server tests use, without a database name.
pub fn postgres_server_url() -> String {
    std::env::var(POSTGRES_URL_VAR).unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned()).trim_end_matches('/').to_owned()
}

/// A throw-away database.
#[derive(Debug)]
pub struct TestDb {
    pool: Option<DbPool>,
    url: String,
    backend: Backend,
    postgres_name: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

/// Gives the test process a master key (one per process, made once: every test database of
/// the process keeps its data keys wrapped by it), as `rempart serve` does at start.
pub fn ensure_master_key() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if !rempart_vault::is_unsealed() {
            rempart_vault::install(rempart_vault::MasterKey::generate());
        }
    });
}

/// Writes the test process's master key where `rempart` started in `dir` reads it by default
/// (`data/master.key`), so that the binary opens what the test sealed and the other way round.
pub fn share_master_key(dir: &std::path::Path) {
    ensure_master_key();
    let data = dir.join("data");
    rempart_store::db::create_private_dir(&data).expect("data folder");
    let key = rempart_vault::current().expect("the test's master key");
    std::fs::write(data.join("master.key"), key.to_file_text().as_bytes()).expect("master key file");
}

impl TestDb {
    /// A migrated database, copied from the run's template.
    pub fn new(backend: Backend) -> Self {
        ensure_master_key();
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary folder");
                let path = dir.path().join("rempart-test.db");
                std::fs::copy(template::sqlite(), &path).expect("copy the migrated SQLite template");
                let url = format!("sqlite://{}", path.display());
                let pool = DbPool::connect(&url, PoolOptions { max_size: 20, ..PoolOptions::default() })
                    .expect("SQLite test database");
                Self { pool: Some(pool), url, backend, postgres_name: None, _dir: Some(dir) }
            }
            Backend::Postgres => {
                let server = postgres_server_url();
                let template = template::postgres(&server);
                let name = format!("rempart_test_{}", uuid::Uuid::new_v4().simple());
                let mut admin = admin_connection(&server);
                diesel::sql_query(format!("CREATE DATABASE {name} TEMPLATE {template}"))
                    .execute(&mut admin)
                    .unwrap_or_else(|e| panic!("cannot create test database {name} from {template} on {server}: {e}"));
                let url = format!("{server}/{name}");
                let pool = DbPool::connect(&url, PoolOptions { max_size: 20, ..PoolOptions::default() })
                    .unwrap_or_else(|e| panic!("cannot connect to {url}: {e}"));
                Self { pool: Some(pool), url, backend, postgres_name: Some(name), _dir: None }
            }
        }
    }

    pub fn sqlite() -> Self {
        Self::new(Backend::Sqlite)
    }

    pub fn postgres() -> Self {
        Self::new(Backend::Postgres)
    }

    /// A fresh database without the schema (to test migrations themselves).
    pub fn empty(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary folder");
                let url = format!("sqlite://{}", dir.path().join("rempart-test.db").display());
                let pool = DbPool::connect(&url, PoolOptions { max_size: 20, ..PoolOptions::default() })
                    .expect("SQLite test database");
                Self { pool: Some(pool), url, backend, postgres_name: None, _dir: Some(dir) }
            }
            Backend::Postgres => {
                let server = postgres_server_url();
                let name = format!("rempart_test_{}", uuid::Uuid::new_v4().simple());
                let mut admin = admin_connection(&server);
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .unwrap_or_else(|e| panic!("cannot create test database {name} on {server}: {e}"));
                let url = format!("{server}/{name}");
                let pool = DbPool::connect(&url, PoolOptions { max_size: 20, ..PoolOptions::default() })
                    .unwrap_or_else(|e| panic!("cannot connect to {url}: {e}"));
                Self { pool: Some(pool), url, backend, postgres_name: Some(name), _dir: None }
            }
        }
    }

    pub fn pool(&self) -> &DbPool {
        self.pool.as_ref().expect("pool lives until drop")
    }

    pub fn conn(&self) -> PooledConn {
        self.pool().get().expect("a connection from the test pool")
    }

    /// The database URL, for a child process (the `rempart` binary) to use.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }
}

mod template {
    use super::*;
    use std::path::{Path, PathBuf};
    use std::sync::OnceLock;

    /// A digest of the migrations of `engine` (names and contents): a changed migration
    /// gets a new template.
    fn digest(engine: &str) -> String {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations").join(engine);
        let mut files = Vec::new();
        let mut stack = vec![root.clone()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("migrations folder") {
                let path = entry.expect("entry").path();
                if path.is_dir() { stack.push(path) } else { files.push(path) }
            }
        }
        files.sort();
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        for file in files {
            let name = file.strip_prefix(&root).unwrap_or(&file).to_string_lossy().into_owned();
            h.update(name.as_bytes());
            h.update(std::fs::read(&file).expect("migration file"));
        }
        // 16 hex digits keep the database name short; enough to tell versions apart.
        hex::encode(&h.finalize()[..8])
    }

    /// The migrated SQLite file this process copies for each test.
    pub fn sqlite() -> &'static Path {
        static FILE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
        &FILE
            .get_or_init(|| {
                let dir = tempfile::tempdir().expect("temporary folder");
                let path = dir.path().join("template.db");
                {
                    let pool = DbPool::connect(&format!("sqlite://{}", path.display()), PoolOptions::default())
                        .expect("SQLite template");
                    pool.migrate().expect("migrations apply to the template");
                    // Everything into the main file, so that copying it copies the schema.
                    let mut conn = pool.get().expect("connection");
                    if let rempart_store::DbConn::Sqlite(c) = &mut *conn {
                        diesel::sql_query("PRAGMA wal_checkpoint(TRUNCATE)").execute(c).expect("checkpoint");
                    }
                }
                (dir, path)
            })
            .1
    }

    /// The name of the migrated template database on `server`, made once per run.
    pub fn postgres(server: &str) -> &'static str {
        static NAME: OnceLock<String> = OnceLock::new();
        NAME.get_or_init(|| {
            let name = format!("rempart_template_{}", digest("postgres"));
            let mut admin = admin_connection(server);
            // One process of the run creates it; the others wait for it.
            diesel::sql_query("SELECT pg_advisory_lock(727001)").execute(&mut admin).expect("advisory lock");
            #[derive(QueryableByName)]
            struct Found {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                n: i64,
            }
            let found: Found = diesel::sql_query(format!(
                "SELECT COUNT(*) AS n FROM pg_database WHERE datname = '{name}' AND datistemplate"
            ))
            .get_result(&mut admin)
            .expect("look for the template");
            if found.n == 0 {
                // Templates of older migrations are of no more use.
                #[derive(QueryableByName)]
                struct Old {
                    #[diesel(sql_type = diesel::sql_types::Text)]
                    datname: String,
                }
                let old: Vec<Old> = diesel::sql_query(format!(
                    "SELECT datname::text AS datname FROM pg_database WHERE datname LIKE 'rempart_template_%' AND datname <> '{name}'"
                ))
                .load(&mut admin)
                .expect("older templates");
                for Old { datname } in old {
                    let _ = diesel::sql_query(format!("ALTER DATABASE {datname} WITH IS_TEMPLATE false")).execute(&mut admin);
                    let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {datname} WITH (FORCE)")).execute(&mut admin);
                }
                diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin)
                    .expect("drop a half-made template");
                diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut admin).expect("create template");
                {
                    let pool = DbPool::connect(&format!("{server}/{name}"), PoolOptions::default())
                        .unwrap_or_else(|e| panic!("cannot connect to the template {name}: {e}"));
                    pool.migrate().expect("migrations apply to the template");
                }
                // Marked a template only once migrated: a crash in between leaves no
                // half-made template that others would copy.
                diesel::sql_query(format!("ALTER DATABASE {name} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"))
                    .execute(&mut admin)
                    .expect("mark the template");
            }
            diesel::sql_query("SELECT pg_advisory_unlock(727001)").execute(&mut admin).expect("advisory unlock");
            name
        })
    }
}

fn admin_connection(server: &str) -> PgConnection {
    PgConnection::establish(&format!("{server}/postgres")).unwrap_or_else(|e| {
        panic!(
            "PostgreSQL is required for this test and is not reachable at {server} ({e}). \
             Start it (pg_ctlcluster --skip-systemctl-redirect 15 main start) or set {POSTGRES_URL_VAR}."
        )
    })
}

impl Drop for TestDb {
    fn drop(&mut self) {
        drop(self.pool.take());
        if let Some(name) = &self.postgres_name {
            let mut admin = admin_connection(&postgres_server_url());
            if let Err(e) =
                diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin)
            {
                eprintln!("warning: could not drop test database {name}: {e}");
            }
        }
    }
}

/// Runs each listed test function (taking a [`TestDb`]) once on SQLite and once on
/// PostgreSQL, as `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { super::$name($crate::TestDb::new($crate::Backend::Sqlite)) } )*
        }
        mod postgres {
            $( #[test] fn $name() { super::$name($crate::TestDb::new($crate::Backend::Postgres)) } )*
        }
    };
}
