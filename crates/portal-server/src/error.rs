//! The HTTP error type: every failure under `/api/` becomes an RFC 9457 problem document.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portal_core::{FieldError, ServiceError, StoreError};
use serde::Serialize;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// A problem document with its HTTP status.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    detail: String,
    errors: Option<Vec<FieldError>>,
    retry_after_secs: Option<u64>,
}

#[derive(Serialize)]
struct ProblemBody<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'a str,
    status: u16,
    detail: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<&'a [FieldError]>,
}

impl ApiError {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            status,
            detail: detail.into(),
            errors: None,
            retry_after_secs: None,
        }
    }

    pub fn bad_request(detail: &str, errors: Vec<FieldError>) -> Self {
        Self {
            errors: Some(errors),
            ..Self::new(StatusCode::BAD_REQUEST, detail)
        }
    }

    pub fn invalid(errors: Vec<FieldError>) -> Self {
        Self {
            errors: Some(errors),
            ..Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "The request has invalid fields.",
            )
        }
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "Sign in is required: the credentials are missing, invalid, expired or revoked.",
        )
    }

    pub fn login_failed() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "The email or password is incorrect.",
        )
    }

    /// 429 with `Retry-After`. The detail is the same for every account and address, so it
    /// does not tell whether an account exists.
    pub fn too_many_requests(retry_after_secs: u64) -> Self {
        Self {
            retry_after_secs: Some(retry_after_secs),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "Too many failed sign-in attempts. Wait {retry_after_secs} seconds, then try again."
                ),
            )
        }
    }

    /// 401 for the second sign-in step: one message for a wrong, reused or malformed code
    /// and an invalid or expired `mfaToken`.
    pub fn mfa_failed() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "The code is incorrect or was already used, or the sign-in took too long. \
             Enter the newest code, or sign in again.",
        )
    }

    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "You are not allowed to do this.")
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "The requested resource was not found.",
        )
    }

    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "This method is not supported on this path.",
        )
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong on our side. Try again later.",
        )
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Returns the names of the invalid fields, for unit tests of the extractors.
    #[cfg(test)]
    pub(crate) fn field_names(&self) -> Vec<String> {
        let errors = self.errors.as_deref().unwrap_or_default();
        errors.iter().map(|error| error.field.clone()).collect()
    }
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::Validation(errors) => Self::invalid(errors),
            ServiceError::Unauthenticated => Self::unauthorized(),
            ServiceError::Forbidden => Self::forbidden(),
            ServiceError::ForbiddenWithDetail(detail) => Self::new(StatusCode::FORBIDDEN, detail),
            ServiceError::NotFound => Self::not_found(),
            ServiceError::Conflict(detail) => Self::new(StatusCode::CONFLICT, detail),
            ServiceError::Throttled(throttled) => {
                Self::too_many_requests(throttled.retry_after_secs())
            }
            ServiceError::Store(error) => Self::from(error),
            ServiceError::Internal(reason) => {
                tracing::error!(error = %reason, "internal error");
                Self::internal()
            }
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Duplicate(_) => {
                Self::new(StatusCode::CONFLICT, "The record already exists.")
            }
            StoreError::Unavailable(reason) => {
                tracing::error!(error = %reason, "database unavailable");
                Self {
                    retry_after_secs: Some(5),
                    ..Self::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "The database is unavailable. Try again shortly.",
                    )
                }
            }
            StoreError::Other(reason) => {
                tracing::error!(error = %reason, "storage failure");
                Self::internal()
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let title = title(self.status);
        let body = ProblemBody {
            kind: "about:blank",
            title,
            status: self.status.as_u16(),
            detail: &self.detail,
            errors: self.errors.as_deref(),
        };
        let json = serde_json::to_vec(&body).unwrap_or_default();
        let mut response = (self.status, json).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(seconds) = self.retry_after_secs {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// Returns the RFC 9110 reason phrase. RFC 9110 renamed 413 and 422, but the `http` crate
/// (1.x) still returns the older names.
fn title(status: StatusCode) -> &'static str {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => "Content Too Large",
        StatusCode::UNPROCESSABLE_ENTITY => "Unprocessable Content",
        other => other.canonical_reason().unwrap_or("Error"),
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
