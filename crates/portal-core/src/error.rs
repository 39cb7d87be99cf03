//! Errors shared by the services and the storage traits.

use serde::Serialize;

/// A problem with one field of a request, named by its JSON path in camelCase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Failures a storage backend reports, independent of which database it runs on. Cloneable,
/// so that one failed batch write can return its error to every request in the batch.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint rejected the write; the string names the constraint (`email`, ...).
    #[error("duplicate value for {0}")]
    Duplicate(&'static str),
    /// The database could not be reached or is overloaded; the request may succeed later.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Anything else: a bug, corrupt data or an unexpected database error.
    #[error("storage failure: {0}")]
    Other(String),
}

/// Outcome of a service call that did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("invalid request")]
    Validation(Vec<FieldError>),
    #[error("not signed in")]
    Unauthenticated,
    #[error("not allowed")]
    Forbidden,
    /// Not allowed, with a detail for the client that says why and what to do.
    #[error("not allowed: {0}")]
    ForbiddenWithDetail(&'static str),
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// Too many recent failed attempts for the account or the client address.
    #[error("throttled for {} s", .0.retry_after_secs())]
    Throttled(crate::throttle::Throttled),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ServiceError {
    /// Builds a validation error for a single field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;
