//! Every problem type the API answers, in one closed list (as Lemmy's error types are):
//! `urn:rempart:problem:<slug>`, stable, so that clients can branch on it. The OpenAPI
//! document lists them in the `Problem` schema's `type`.

use actix_web::http::StatusCode;

macro_rules! problem_types {
    ($( $(#[$doc:meta])* $variant:ident = ($slug:literal, $title:literal, $status:ident) ),* $(,)?) => {
        /// The kinds of problem, each with its slug, title and HTTP status.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ProblemType {
            $( $(#[$doc])* $variant ),*
        }

        impl ProblemType {
            pub const ALL: &[ProblemType] = &[$(ProblemType::$variant),*];

            /// The stable part of `type`, after `urn:rempart:problem:`.
            pub fn slug(self) -> &'static str {
                match self { $(ProblemType::$variant => $slug),* }
            }

            pub fn title(self) -> &'static str {
                match self { $(ProblemType::$variant => $title),* }
            }

            pub fn status(self) -> StatusCode {
                match self { $(ProblemType::$variant => StatusCode::$status),* }
            }
        }
    };
}

problem_types! {
    /// The request cannot be read (syntax, a parameter of the wrong type).
    BadRequest = ("bad-request", "Bad request", BAD_REQUEST),
    /// A value is not valid; `errors` names the fields.
    Validation = ("validation", "Invalid request", UNPROCESSABLE_ENTITY),
    Unauthorized = ("unauthorized", "Authentication required", UNAUTHORIZED),
    TokenExpired = ("token-expired", "Token expired", UNAUTHORIZED),
    /// Signed out by a password or role change, a disabled account, a logout.
    TokenRevoked = ("token-revoked", "Token revoked", UNAUTHORIZED),
    InvalidCredentials = ("invalid-credentials", "Invalid credentials", UNAUTHORIZED),
    InvalidRefreshToken = ("invalid-refresh-token", "Invalid refresh token", UNAUTHORIZED),
    /// A refresh token used twice: its whole family is revoked.
    RefreshTokenReused = ("refresh-token-reused", "Refresh token reused", UNAUTHORIZED),
    TotpRequired = ("totp-required", "TOTP code required", UNAUTHORIZED),
    PasswordChangeRequired = ("password-change-required", "Password change required", FORBIDDEN),
    /// An administrator reset the account's authenticator: enrol a new one first.
    TotpEnrolmentRequired = ("totp-enrolment-required", "Authenticator enrolment required", FORBIDDEN),
    Forbidden = ("forbidden", "Not allowed", FORBIDDEN),
    NotFound = ("not-found", "Not found", NOT_FOUND),
    MethodNotAllowed = ("method-not-allowed", "Method not allowed", METHOD_NOT_ALLOWED),
    Conflict = ("conflict", "Conflict", CONFLICT),
    /// The rota's wellbeing rules refuse this assignee now.
    AssigneeUnavailable = ("assignee-unavailable", "Assignee unavailable", CONFLICT),
    /// The status cannot go there from here; `allowed` says where it can.
    IllegalTransition = ("illegal-transition", "Illegal status change", CONFLICT),
    PreconditionFailed = ("precondition-failed", "Precondition failed", PRECONDITION_FAILED),
    PreconditionRequired = ("precondition-required", "Precondition required", PRECONDITION_REQUIRED),
    PayloadTooLarge = ("payload-too-large", "Payload too large", PAYLOAD_TOO_LARGE),
    UnsupportedMediaType = ("unsupported-media-type", "Unsupported media type", UNSUPPORTED_MEDIA_TYPE),
    TooManyRequests = ("too-many-requests", "Too many attempts", TOO_MANY_REQUESTS),
    Internal = ("internal", "Internal error", INTERNAL_SERVER_ERROR),
    /// A stored evidence file does not match its digest: it must not be used.
    EvidenceCorrupted = ("evidence-corrupted", "Evidence corrupted", INTERNAL_SERVER_ERROR),
    Unavailable = ("unavailable", "Service unavailable", SERVICE_UNAVAILABLE),
    /// The service started sealed and waits for a lead or an administrator to unlock it.
    Sealed = ("sealed", "Service sealed", SERVICE_UNAVAILABLE),
}

#[cfg(test)]
mod tests {
    use super::ProblemType;

    #[test]
    fn slugs_are_unique_and_well_formed() {
        let mut slugs: Vec<&str> = ProblemType::ALL.iter().map(|p| p.slug()).collect();
        assert!(slugs.iter().all(|s| s.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')));
        slugs.sort_unstable();
        slugs.dedup();
        assert_eq!(slugs.len(), ProblemType::ALL.len());
        assert!(ProblemType::ALL.iter().all(|p| p.status().is_client_error() || p.status().is_server_error()));
    }
}
