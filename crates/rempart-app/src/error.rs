//! The one error of the layer: what went wrong, in terms every adapter can answer in its
//! own way (the API as problem documents, the console beside the field, the CLI on
//! standard error).

use rempart_store::StoreError;

pub type AppResult<T> = Result<T, AppError>;

/// Why the state of things refuses an operation, when a client may act on the difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictKind {
    General,
    /// The rota's wellbeing rules refuse this assignee now.
    AssigneeUnavailable,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Nothing with this id, or nothing this actor may know exists.
    #[error("{0} not found")]
    NotFound(String),
    /// The actor is known to be there but may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The state of things refuses it.
    #[error("{detail}")]
    Conflict { kind: ConflictKind, detail: String },
    /// A value is not acceptable.
    #[error("{field}: {message}")]
    Validation { field: String, message: String },
    /// Storage said no, with its own kind (not found, conflict, invalid, unavailable...).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A failed statement inside a transaction of the layer ([`rempart_store::DbConn::write`]).
impl From<rempart_store::DieselError> for AppError {
    fn from(e: rempart_store::DieselError) -> Self {
        Self::Store(e.into())
    }
}

impl AppError {
    pub fn not_found(what: impl std::fmt::Display) -> Self {
        Self::NotFound(what.to_string())
    }

    pub fn forbidden(why: impl Into<String>) -> Self {
        Self::Forbidden(why.into())
    }

    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation { field: field.into(), message: message.into() }
    }

    pub fn conflict(kind: ConflictKind, detail: impl Into<String>) -> Self {
        Self::Conflict { kind, detail: detail.into() }
    }

    /// The stable name of the kind of error, for tests and logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "not-found",
            Self::Forbidden(_) => "forbidden",
            Self::Conflict { kind: ConflictKind::General, .. } => "conflict",
            Self::Conflict { kind: ConflictKind::AssigneeUnavailable, .. } => "assignee-unavailable",
            Self::Validation { .. } => "validation",
            Self::Store(e) => e.kind(),
        }
    }
}
