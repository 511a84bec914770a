//! The store's error: a stable, machine-readable kind and a human message.

use rempart_core::IllegalTransition;

pub type StoreResult<T> = Result<T, StoreError>;

/// Everything a store call can fail with. [`StoreError::kind`] is stable: the API maps it
/// to a problem type, the CLI prints it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{entity} `{id}` not found")]
    NotFound { entity: &'static str, id: String },
    #[error("{0}")]
    Conflict(String),
    #[error("the record was changed by someone else (expected version {expected})")]
    VersionMismatch { expected: i32 },
    #[error(transparent)]
    IllegalTransition(#[from] IllegalTransition),
    #[error("invalid {field}: {message}")]
    Invalid { field: &'static str, message: String },
    #[error("stored evidence {sha256} does not match its digest: the content was altered")]
    EvidenceCorrupted { sha256: String },
    #[error("database URL `{0}` is not supported: use sqlite://PATH or postgres://...")]
    UnsupportedUrl(String),
    #[error("cannot connect to the database: {0}")]
    Connect(String),
    #[error("migration failed: {0}")]
    Migration(String),
    /// A backup or export that cannot be read back as it was written.
    #[error("{0}")]
    Archive(String),
    #[error("database error: {0}")]
    Database(#[source] diesel::result::Error),
    #[error("connection pool error: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    /// The service has no master key yet (sealed start): it waits to be unlocked.
    #[error("the store is sealed: a lead or an administrator must unlock it")]
    Sealed,
    /// A sealed value or key did not open: the wrong master key, or an altered or moved value.
    #[error("a protected value cannot be read: {0}")]
    Unreadable(String),
}

impl From<rempart_vault::VaultError> for StoreError {
    fn from(e: rempart_vault::VaultError) -> Self {
        match e {
            rempart_vault::VaultError::Sealed => StoreError::Sealed,
            other => StoreError::Unreadable(other.to_string()),
        }
    }
}

impl StoreError {
    /// Stable identifier of the kind of failure.
    pub fn kind(&self) -> &'static str {
        match self {
            StoreError::NotFound { .. } => "not-found",
            StoreError::Conflict(_) => "conflict",
            StoreError::VersionMismatch { .. } => "version-mismatch",
            StoreError::IllegalTransition(_) => "illegal-transition",
            StoreError::Invalid { .. } => "invalid",
            StoreError::EvidenceCorrupted { .. } => "evidence-corrupted",
            StoreError::UnsupportedUrl(_) => "unsupported-database-url",
            StoreError::Connect(_) => "database-unavailable",
            StoreError::Migration(_) => "migration-failed",
            StoreError::Archive(_) => "archive-invalid",
            StoreError::Database(_) => "database",
            StoreError::Pool(_) => "database-unavailable",
            StoreError::Sealed => "sealed",
            StoreError::Unreadable(_) => "unreadable",
        }
    }

    /// The database could not be reached or dropped the connection: retrying later may work.
    /// Everything else is a property of the request.
    pub fn is_unavailable(&self) -> bool {
        use diesel::result::{DatabaseErrorKind, Error};
        match self {
            StoreError::Connect(_) | StoreError::Pool(_) => true,
            StoreError::Database(Error::DatabaseError(
                DatabaseErrorKind::UnableToSendCommand | DatabaseErrorKind::ClosedConnection,
                _,
            )) => true,
            StoreError::Database(Error::DatabaseError(_, info)) => {
                // SQLite: the file is locked or cannot be opened; PostgreSQL: the server is gone.
                let m = info.message();
                m.contains("database is locked") || m.contains("unable to open") || m.contains("terminating connection")
            }
            _ => false,
        }
    }

    pub(crate) fn invalid(field: &'static str, message: impl ToString) -> Self {
        StoreError::Invalid { field, message: message.to_string() }
    }

    pub(crate) fn not_found(entity: &'static str, id: impl ToString) -> Self {
        StoreError::NotFound { entity, id: id.to_string() }
    }
}

impl From<diesel::result::Error> for StoreError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                StoreError::Conflict(format!("already exists ({})", info.message()))
            }
            Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => StoreError::Invalid {
                field: "reference",
                message: format!("refers to a missing record ({})", info.message()),
            },
            Error::DatabaseError(DatabaseErrorKind::CheckViolation, info) => {
                StoreError::Invalid { field: "value", message: info.message().to_owned() }
            }
            other => StoreError::Database(other),
        }
    }
}
