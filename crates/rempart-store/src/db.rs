//! Connections, the pool and migrations, for SQLite and PostgreSQL behind one type.

use crate::error::{StoreError, StoreResult};
use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{ManageConnection, Pool, PooledConnection, R2D2Connection};
use diesel::{PgConnection, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use std::path::PathBuf;
use std::time::Duration;

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// One connection to whichever database the URL names.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

impl std::fmt::Debug for DbConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DbConn::Sqlite(_) => "DbConn::Sqlite",
            DbConn::Postgres(_) => "DbConn::Postgres",
        })
    }
}

/// The database engine in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A parsed database URL: `sqlite://PATH` (relative or absolute) or `postgres://...`
/// (also `postgresql://`).
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl std::fmt::Debug for DatabaseUrl {
    /// Never prints a PostgreSQL password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.redacted())
    }
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> StoreResult<Self> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(StoreError::UnsupportedUrl(url.to_owned()));
            }
            Ok(Self::Sqlite(PathBuf::from(path)))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres(url.to_owned()))
        } else {
            Err(StoreError::UnsupportedUrl(redact(url)))
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            DatabaseUrl::Sqlite(_) => Backend::Sqlite,
            DatabaseUrl::Postgres(_) => Backend::Postgres,
        }
    }

    /// The URL with any password replaced by `***`, for logs and messages.
    pub fn redacted(&self) -> String {
        match self {
            DatabaseUrl::Sqlite(p) => format!("sqlite://{}", p.display()),
            DatabaseUrl::Postgres(u) => redact(u),
        }
    }
}

fn redact(url: &str) -> String {
    // scheme://user:password@host/db -> scheme://user:***@host/db. The authority ends at
    // the first '/' after the scheme; a password may itself hold an unencoded '@'.
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) if userinfo.contains(':') => {
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}{path}")
        }
        _ => url.to_owned(),
    }
}

/// Settings of the pool and of each connection.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    pub max_size: u32,
    pub connect_timeout: Duration,
    pub sqlite_busy_timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self { max_size: 8, connect_timeout: Duration::from_secs(10), sqlite_busy_timeout: Duration::from_secs(5) }
    }
}

/// Creates a folder that only the service account can enter (0700), with its missing
/// parents, whatever the process umask. An existing folder is left as it is.
pub fn create_private_dir(path: &std::path::Path) -> std::io::Result<()> {
    if path.as_os_str().is_empty() || path.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path)
}

/// The SQLite file and its `-wal` and `-shm` companions readable by the service account
/// only (0600), whatever the umask: SQLite creates the companions with the mode of the
/// database file, so the file is created first, and files left readable by an older
/// version are tightened.
#[cfg(unix)]
fn private_sqlite_files(path: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    if !path.exists() {
        std::fs::OpenOptions::new().write(true).create(true).truncate(false).mode(0o600).open(path)?;
    }
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let file = std::path::PathBuf::from(name);
        if let Ok(meta) = std::fs::metadata(&file)
            && meta.permissions().mode() & 0o077 != 0
        {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn private_sqlite_files(_path: &std::path::Path) -> std::io::Result<()> {
    Ok(())
}

/// Opens connections of the URL's backend and prepares each one.
#[derive(Debug)]
pub struct ConnectionManager {
    url: DatabaseUrl,
    options: PoolOptions,
}

impl ConnectionManager {
    fn open(&self) -> StoreResult<DbConn> {
        match &self.url {
            DatabaseUrl::Sqlite(path) => {
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    create_private_dir(parent)
                        .map_err(|e| StoreError::Connect(format!("cannot create {}: {e}", parent.display())))?;
                }
                if path.as_os_str() != ":memory:" {
                    private_sqlite_files(path)
                        .map_err(|e| StoreError::Connect(format!("cannot protect {}: {e}", path.display())))?;
                }
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())
                    .map_err(|e| StoreError::Connect(e.to_string()))?;
                // WAL lets readers work beside the writer; FULL sync so a committed
                // message survives a power cut; foreign keys are off by default in SQLite.
                let busy = self.options.sqlite_busy_timeout.as_millis();
                for pragma in [
                    format!("PRAGMA busy_timeout = {busy}"),
                    "PRAGMA journal_mode = WAL".to_owned(),
                    "PRAGMA synchronous = FULL".to_owned(),
                    "PRAGMA foreign_keys = ON".to_owned(),
                    // Deleted and overwritten content is zeroed, not left in free pages.
                    "PRAGMA secure_delete = ON".to_owned(),
                ] {
                    diesel::sql_query(pragma).execute(&mut conn).map_err(|e| StoreError::Connect(e.to_string()))?;
                }
                Ok(DbConn::Sqlite(conn))
            }
            DatabaseUrl::Postgres(url) => {
                let mut conn = PgConnection::establish(url).map_err(|e| StoreError::Connect(e.to_string()))?;
                diesel::sql_query("SET TIME ZONE 'UTC'").execute(&mut conn)?;
                Ok(DbConn::Postgres(conn))
            }
        }
    }
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConn;
    type Error = StoreError;

    fn connect(&self) -> Result<DbConn, StoreError> {
        self.open()
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), StoreError> {
        conn.ping().map(|_| ()).map_err(StoreError::from)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}

pub type PooledConn = PooledConnection<ConnectionManager>;

impl DbConn {
    /// One connection, outside any pool, set up like pooled ones (PRAGMAs, UTC): for a
    /// short-lived process such as `mailgate`, where a pool's threads cost more than the work.
    pub fn open(url: &str, options: PoolOptions) -> StoreResult<DbConn> {
        let url = DatabaseUrl::parse(url)?;
        ConnectionManager { url, options }.open()
    }
}

/// The connection pool: cheap to clone, shared by every part of the service.
#[derive(Debug, Clone)]
pub struct DbPool {
    pool: Pool<ConnectionManager>,
    url: DatabaseUrl,
}

impl DbPool {
    /// Connects (creating the SQLite file and its folder on first run). Fails fast with the
    /// cause when the database cannot be reached.
    pub fn connect(url: &str, options: PoolOptions) -> StoreResult<Self> {
        let url = DatabaseUrl::parse(url)?;
        let manager = ConnectionManager { url: url.clone(), options: options.clone() };
        // Try one connection first so a wrong URL fails with the driver's own message.
        drop(manager.open()?);
        // No test query on every checkout: it costs a round trip per request, and a
        // broken connection is caught by `has_broken` and replaced.
        // Connections open as they are needed (up to max_size) rather than all at start:
        // a PostgreSQL server has a connection limit shared by every process and tool.
        // No minimum kept idle: a pool topping itself up opens a connection in the
        // background, and a short command exiting meanwhile crashed in libpq's clean-up
        // (signal 11, about one exit in seven; tests/cli.rs checks it stays fixed).
        let pool = Pool::builder()
            .min_idle(Some(0))
            .test_on_check_out(false)
            .max_size(options.max_size)
            .connection_timeout(options.connect_timeout)
            .build(manager)
            .map_err(|e| StoreError::Connect(e.to_string()))?;
        Ok(Self { pool, url })
    }

    pub fn get(&self) -> StoreResult<PooledConn> {
        Ok(self.pool.get()?)
    }

    pub fn backend(&self) -> Backend {
        self.url.backend()
    }

    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// Applies every pending migration; returns the names applied.
    pub fn migrate(&self) -> StoreResult<Vec<String>> {
        run_migrations(&mut *self.get()?)
    }
}

/// Applies the pending migrations of the connection's backend.
pub fn run_migrations(conn: &mut DbConn) -> StoreResult<Vec<String>> {
    let applied = match conn {
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
        DbConn::Postgres(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
    }
    .map_err(|e| StoreError::Migration(e.to_string()))?;
    let applied: Vec<String> = applied.iter().map(ToString::to_string).collect();
    if applied.iter().any(|v| v == WORD_INDEX_MIGRATION) {
        // The word index was just created: fill it for the cases already there.
        crate::case_words::reindex_all(conn)?;
    }
    Ok(applied)
}

/// The migration that creates the word index of the cases.
const WORD_INDEX_MIGRATION: &str = "20261206000011";

/// Reverts the most recent migration; returns its name.
pub fn revert_last_migration(conn: &mut DbConn) -> StoreResult<String> {
    let reverted = match conn {
        DbConn::Sqlite(c) => c.revert_last_migration(SQLITE_MIGRATIONS),
        DbConn::Postgres(c) => c.revert_last_migration(POSTGRES_MIGRATIONS),
    }
    .map_err(|e| StoreError::Migration(e.to_string()))?;
    Ok(reverted.to_string())
}

impl DbConn {
    pub fn backend(&self) -> Backend {
        match self {
            DbConn::Sqlite(_) => Backend::Sqlite,
            DbConn::Postgres(_) => Backend::Postgres,
        }
    }

    /// Runs `f` in a transaction meant to write. On SQLite the outermost one begins with
    /// `BEGIN IMMEDIATE`, taking the write lock at once: two deferred transactions that
    /// both read and then write would deadlock, and the busy timeout cannot resolve that.
    /// Nested calls become savepoints.
    /// Whether a transaction (or savepoint) is open on this connection.
    pub fn in_transaction(&mut self) -> diesel::QueryResult<bool> {
        Ok(<DbConn as Connection>::TransactionManager::transaction_manager_status_mut(self)
            .transaction_depth()?
            .is_some())
    }

    pub fn write<T, E>(&mut self, f: impl FnOnce(&mut DbConn) -> Result<T, E>) -> Result<T, E>
    where
        E: From<diesel::result::Error>,
    {
        let outermost = !self.in_transaction()?;
        match self {
            DbConn::Sqlite(c) if outermost => {
                AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
                match f(self) {
                    Ok(value) => {
                        <DbConn as Connection>::TransactionManager::commit_transaction(self)?;
                        Ok(value)
                    }
                    Err(e) => {
                        <DbConn as Connection>::TransactionManager::rollback_transaction(self)?;
                        Err(e)
                    }
                }
            }
            _ => self.transaction(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_appear_in_redacted_urls() {
        let cases = [
            ("postgres://rempart:s3cret@db:5432/rempart", "postgres://rempart:***@db:5432/rempart"),
            ("postgres://rempart:p@ss@db/rempart", "postgres://rempart:***@db/rempart"),
            ("postgres://postgres@127.0.0.1/x", "postgres://postgres@127.0.0.1/x"),
            ("postgresql://u:pw@h", "postgresql://u:***@h"),
            ("not a url", "not a url"),
        ];
        for (url, want) in cases {
            assert_eq!(redact(url), want);
        }
        let parsed = DatabaseUrl::parse("postgres://rempart:s3cret@db/rempart").expect("valid");
        assert!(!format!("{parsed:?}").contains("s3cret"));
        let err = DatabaseUrl::parse("mysql://root:s3cret@db/x").expect_err("unsupported");
        assert!(!err.to_string().contains("s3cret"), "{err}");
    }
}
