//! Errors as RFC 9457 problem details (`application/problem+json`) with a stable type.

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
    status: StatusCode,
    slug: &'static str,
    title: &'static str,
    detail: String,
    errors: Vec<FieldError>,
    allowed: Option<Vec<CaseStatus>>,
    retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, slug: &'static str, title: &'static str, detail: impl Into<String>) -> Self {
        Self(Box::new(Inner {
            status,
            slug,
            title,
            detail: detail.into(),
            errors: Vec::new(),
            allowed: None,
            retry_after: None,
        }))
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad-request", "Bad request", detail)
    }

    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        let (field, message) = (field.into(), message.into());
        let mut e =
            Self::new(StatusCode::UNPROCESSABLE_ENTITY, "validation", "Invalid request", format!("{field}: {message}"));
        e.0.errors.push(FieldError { field, message });
        e
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", "Authentication required", detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "Not allowed", detail)
    }

    pub fn not_found(what: impl fmt::Display) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", "Not found", format!("{what} not found"))
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", "Conflict", detail)
    }

    pub fn precondition_failed(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::PRECONDITION_FAILED, "precondition-failed", "Precondition failed", detail)
    }

    /// RFC 6585: the change must name the version it was made against.
    pub fn precondition_required(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::PRECONDITION_REQUIRED, "precondition-required", "Precondition required", detail)
    }

    pub fn too_many_requests(retry_after_secs: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too-many-requests",
            "Too many attempts",
            format!("too many failed attempts; try again in {retry_after_secs} seconds"),
        );
        e.0.retry_after = Some(retry_after_secs.max(1));
        e
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            "the server could not complete the request",
        )
    }

    pub fn with_slug(mut self, slug: &'static str, title: &'static str) -> Self {
        self.0.slug = slug;
        self.0.title = title;
        self
    }

    pub fn slug(&self) -> &'static str {
        self.0.slug
    }

    fn problem(&self) -> Problem {
        let e = &self.0;
        Problem {
            problem_type: format!("{PROBLEM_PREFIX}{}", e.slug),
            title: e.title.to_owned(),
            status: e.status.as_u16(),
            detail: e.detail.clone(),
            errors: e.errors.clone(),
            allowed: e.allowed.clone(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.0.status, self.0.slug, self.0.detail)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.0.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.0.status);
        response.insert_header((header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json")));
        if let Some(secs) = self.0.retry_after {
            response.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        if self.0.status == StatusCode::UNAUTHORIZED {
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
            AppError::Conflict { slug, title, detail } => ApiError::conflict(detail).with_slug(slug, title),
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
                let mut err =
                    ApiError::new(StatusCode::CONFLICT, "illegal-transition", "Illegal status change", t.to_string());
                err.0.allowed = Some(t.allowed);
                err
            }
            StoreError::Invalid { field, message } => ApiError::validation(field, message),
            StoreError::EvidenceCorrupted { .. } => {
                tracing::error!(error = %e, "evidence digest mismatch");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "evidence-corrupted",
                    "Evidence corrupted",
                    "the stored file does not match its digest; it must not be used",
                )
            }
            StoreError::Connect(_) | StoreError::Pool(_) => {
                tracing::error!(error = %e, "database unavailable");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "Service unavailable",
                    "the database is unavailable",
                )
            }
            other => {
                tracing::error!(error = %other, kind = other.kind(), "store error");
                ApiError::internal()
            }
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
