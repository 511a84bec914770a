//! Errors as RFC 9457 problem details (`application/problem+json`) with a stable type.

use crate::problem::ProblemType;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use rempart_core::CaseStatus;
use rempart_store::StoreError;
use serde::Serialize;
use std::fmt;

/// The `type` of every problem is `urn:rempart:problem:<slug>`; the slug is stable.
pub const PROBLEM_PREFIX: &str = "urn:rempart:problem:";

/// One offending field of a request.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// A problem details document.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// `urn:rempart:problem:<slug>`, stable: clients branch on it.
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Validation errors: the offending fields.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Illegal transitions: where the case may go from where it stands.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<CaseStatus>>,
}

/// Every failure of the API (boxed: errors travel through many `Result`s).
#[derive(Debug)]
pub struct ApiError(Box<Inner>);

#[derive(Debug)]
struct Inner {
    kind: ProblemType,
    detail: String,
    errors: Vec<FieldError>,
    allowed: Option<Vec<CaseStatus>>,
    retry_after: Option<u64>,
}

impl ApiError {
    /// A problem of `kind` with a detail for people.
    pub fn of(kind: ProblemType, detail: impl Into<String>) -> Self {
        Self(Box::new(Inner { kind, detail: detail.into(), errors: Vec::new(), allowed: None, retry_after: None }))
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::of(ProblemType::BadRequest, detail)
    }

    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        let (field, message) = (field.into(), message.into());
        let mut e = Self::of(ProblemType::Validation, format!("{field}: {message}"));
        e.0.errors.push(FieldError { field, message });
        e
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::of(ProblemType::Unauthorized, detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::of(ProblemType::Forbidden, detail)
    }

    pub fn not_found(what: impl fmt::Display) -> Self {
        Self::of(ProblemType::NotFound, format!("{what} not found"))
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::of(ProblemType::Conflict, detail)
    }

    pub fn precondition_failed(detail: impl Into<String>) -> Self {
        Self::of(ProblemType::PreconditionFailed, detail)
    }

    /// RFC 6585: the change must name the version it was made against.
    pub fn precondition_required(detail: impl Into<String>) -> Self {
        Self::of(ProblemType::PreconditionRequired, detail)
    }

    pub fn too_many_requests(retry_after_secs: u64) -> Self {
        let mut e = Self::of(
            ProblemType::TooManyRequests,
            format!("too many failed attempts; try again in {retry_after_secs} seconds"),
        );
        e.0.retry_after = Some(retry_after_secs.max(1));
        e
    }

    pub fn internal() -> Self {
        Self::of(ProblemType::Internal, "the server could not complete the request")
    }

    /// The same detail as a more precise kind (of the same status).
    pub fn with_type(mut self, kind: ProblemType) -> Self {
        self.0.kind = kind;
        self
    }

    pub fn kind(&self) -> ProblemType {
        self.0.kind
    }

    pub fn slug(&self) -> &'static str {
        self.0.kind.slug()
    }

    /// What went wrong, for people.
    pub fn detail(&self) -> &str {
        &self.0.detail
    }

    /// The offending fields of a validation error.
    pub fn field_errors(&self) -> &[FieldError] {
        &self.0.errors
    }

    /// How long to wait, when too many attempts failed.
    pub fn retry_after(&self) -> Option<u64> {
        self.0.retry_after
    }

    fn problem(&self) -> Problem {
        let e = &self.0;
        Problem {
            problem_type: format!("{PROBLEM_PREFIX}{}", e.kind.slug()),
            title: e.kind.title().to_owned(),
            status: e.kind.status().as_u16(),
            detail: e.detail.clone(),
            errors: e.errors.clone(),
            allowed: e.allowed.clone(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.0.kind.status(), self.0.kind.slug(), self.0.detail)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.0.kind.status()
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.0.kind.status());
        response.insert_header((header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json")));
        if let Some(secs) = self.0.retry_after {
            response.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        if self.0.kind.status() == StatusCode::UNAUTHORIZED {
            response.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
        }
        response.json(self.problem())
    }
}

impl From<rempart_app::AppError> for ApiError {
    fn from(e: rempart_app::AppError) -> Self {
        use rempart_app::AppError;
        match e {
            AppError::NotFound(what) => ApiError::not_found(what),
            AppError::Forbidden(why) => ApiError::forbidden(why),
            AppError::Conflict { kind: rempart_app::error::ConflictKind::General, detail } => {
                ApiError::conflict(detail)
            }
            AppError::Conflict { kind: rempart_app::error::ConflictKind::AssigneeUnavailable, detail } => {
                ApiError::of(ProblemType::AssigneeUnavailable, detail)
            }
            AppError::Validation { field, message } => ApiError::validation(field, message),
            AppError::Store(e) => e.into(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { entity, id } => ApiError::not_found(format!("{entity} {id}")),
            StoreError::Conflict(msg) => ApiError::conflict(msg),
            StoreError::VersionMismatch { .. } => {
                ApiError::precondition_failed("the case was changed since you read it; fetch it again")
            }
            StoreError::IllegalTransition(t) => {
                let mut err = ApiError::of(ProblemType::IllegalTransition, t.to_string());
                err.0.allowed = Some(t.allowed);
                err
            }
            StoreError::Invalid { field, message } => ApiError::validation(field, message),
            StoreError::EvidenceCorrupted { .. } => {
                tracing::error!(error = %e, "evidence digest mismatch");
                ApiError::of(
                    ProblemType::EvidenceCorrupted,
                    "the stored file does not match its digest; it must not be used",
                )
            }
            StoreError::Connect(_) | StoreError::Pool(_) => {
                tracing::error!(error = %e, "database unavailable");
                ApiError::of(ProblemType::Unavailable, "the database is unavailable")
            }
            StoreError::Sealed => ApiError::of(
                ProblemType::Sealed,
                "the service is sealed: a lead or an administrator must unlock it before cases can be read",
            ),
            other => {
                tracing::error!(error = %other, kind = other.kind(), "store error");
                ApiError::internal()
            }
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
