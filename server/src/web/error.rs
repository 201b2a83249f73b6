//! Errors of the dashboard become an HTML page with a reason in Vietnamese; internal faults are
//! logged without request content and shown as a generic message.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::html;

use crate::error::AppError;
use crate::storage::StorageError;

#[derive(Debug)]
pub struct WebError {
    pub status: StatusCode,
    pub message: String,
}

pub type WebResult<T> = Result<T, WebError>;

impl WebError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> WebError {
        WebError { status, message: message.into() }
    }
    pub fn bad_request(message: impl Into<String>) -> WebError {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
    pub fn forbidden(message: impl Into<String>) -> WebError {
        Self::new(StatusCode::FORBIDDEN, message)
    }
    pub fn not_found(message: impl Into<String>) -> WebError {
        Self::new(StatusCode::NOT_FOUND, message)
    }
    /// Outside the viewer's subtree: answered as "not found" so ids of others are not confirmed.
    pub fn out_of_scope() -> WebError {
        Self::not_found("Không tìm thấy trang này trong phạm vi đơn vị của bạn.")
    }
    pub fn internal(what: impl std::fmt::Display) -> WebError {
        tracing::error!(error = %what, "dashboard internal error");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "Máy chủ gặp lỗi khi xử lý yêu cầu. Hãy thử lại sau.")
    }
}

impl From<AppError> for WebError {
    fn from(e: AppError) -> Self {
        // AppError already logged internals; keep its public message for 4xx.
        if e.status.is_server_error() {
            WebError::new(e.status, "Máy chủ gặp lỗi khi xử lý yêu cầu. Hãy thử lại sau.")
        } else {
            WebError::new(e.status, e.body.message)
        }
    }
}

impl From<StorageError> for WebError {
    fn from(e: StorageError) -> Self {
        WebError::from(AppError::from(e))
    }
}

impl From<sotay_core::Error> for WebError {
    fn from(e: sotay_core::Error) -> Self {
        match &e {
            sotay_core::Error::Validation { .. } | sotay_core::Error::Sealed { .. } => WebError::bad_request(e.message_vi()),
            sotay_core::Error::NotFound { .. } => WebError::not_found(e.message_vi()),
            _ => WebError::internal(e),
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let title = match self.status {
            StatusCode::NOT_FOUND => "Không tìm thấy",
            StatusCode::FORBIDDEN => "Không được phép",
            s if s.is_client_error() => "Yêu cầu chưa hợp lệ",
            _ => "Lỗi máy chủ",
        };
        let body = super::layout::bare(
            title,
            html! {
                div.card.login {
                    h1 { (title) }
                    p { (self.message) }
                    p { a href="/" { "← Về trang tổng quan" } }
                }
            },
        );
        (self.status, Html(body.into_string())).into_response()
    }
}
