//! Fresh, migrated databases for tests, after crates.io's `crates_io_test_db`.
//!
//! [`TestDb::sqlite`] makes a database file in a temporary folder; [`TestDb::postgres`]
//! creates a new database on the PostgreSQL server named by `REMPART_TEST_POSTGRES_URL`
//! (default `postgres://postgres@127.0.0.1:5432`). Both are removed when the value is
//! dropped. A test that needs PostgreSQL fails loudly when the server is down: it never
//! skips.

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

impl TestDb {
    pub fn new(backend: Backend) -> Self {
        let db = Self::empty(backend);
        db.pool().migrate().expect("migrations apply to a fresh database");
        db
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
