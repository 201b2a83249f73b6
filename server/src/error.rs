//! The one error type of every handler: it becomes a response with `protocol::ErrorBody`. A 4xx
//! says what was wrong; a 5xx is logged here and answered without its internals.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sotay_core::sync::protocol::ErrorBody;

use crate::storage::StorageError;

#[derive(Debug)]
pub struct AppError {
    pub status: StatusCode,
    pub body: ErrorBody,
}

impl AppError {
    pub fn new(status: StatusCode, kind: &str, message: impl Into<String>) -> AppError {
        AppError { status, body: ErrorBody { error: kind.into(), message: message.into(), wipe: false, server_time_ms: None } }
    }

    pub fn bad_request(kind: &str, message: impl Into<String>) -> AppError {
        Self::new(StatusCode::BAD_REQUEST, kind, message)
    }

    pub fn unauthorized(kind: &str, message: impl Into<String>) -> AppError {
        Self::new(StatusCode::UNAUTHORIZED, kind, message)
    }

    pub fn forbidden(kind: &str, message: impl Into<String>) -> AppError {
        Self::new(StatusCode::FORBIDDEN, kind, message)
    }

    pub fn not_found(message: impl Into<String>) -> AppError {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn too_large(message: impl Into<String>) -> AppError {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message)
    }

    pub fn conflict(kind: &str, message: impl Into<String>) -> AppError {
        Self::new(StatusCode::CONFLICT, kind, message)
    }

    /// An internal fault: logged (the message is ours, never request content), hidden from the
    /// caller.
    pub fn internal(what: impl std::fmt::Display) -> AppError {
        tracing::error!(error = %what, "internal error");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the server could not complete the request")
    }

    pub fn with_server_time(mut self, now_ms: i64) -> AppError {
        self.body.server_time_ms = Some(now_ms);
        self
    }

    pub fn with_wipe(mut self) -> AppError {
        self.body.wipe = true;
        self
    }
}

impl From<StorageError> for AppError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::NotFound(what) => AppError::not_found(format!("{what} not found")),
            StorageError::Conflict(m) => AppError::conflict("conflict", m),
            StorageError::Invalid(m) => AppError::bad_request("invalid", m),
            StorageError::Backend(m) => AppError::internal(m),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

pub type AppResult<T> = Result<T, AppError>;
