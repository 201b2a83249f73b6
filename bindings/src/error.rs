//! The one error that crosses the boundary, and the one place core errors and panics become it.
//!
//! Shells branch on `kind` (core's stable `Error::kind()`, plus `panic` for a bug caught here),
//! show `message_vi` to the user, and highlight `field` when validation names one.

use std::panic::{AssertUnwindSafe, catch_unwind};

use sotay_core::Error as CoreError;

/// Every failure of a call. Kotlin: `SotayException.Failure`; Swift: `SotayError.Failure`.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum SotayError {
    #[error("{kind}: {detail}")]
    Failure {
        /// Machine-readable: validation, not_found, sealed, wrong_key, schema_too_new, store,
        /// network, untrusted_server, server, revoked, cancelled, or panic.
        kind: String,
        /// The sentence to show the person holding the phone, in Vietnamese.
        message_vi: String,
        /// The input field a validation error is about (e.g. `chair`), else null.
        field: Option<String>,
        /// English detail for developers; never shown to users, may name internal ids.
        detail: String,
    },
}

impl SotayError {
    pub fn kind(&self) -> &str {
        let SotayError::Failure { kind, .. } = self;
        kind
    }
}

impl From<CoreError> for SotayError {
    fn from(e: CoreError) -> Self {
        let field = match &e {
            CoreError::Validation { field, .. } => Some(field.clone()),
            _ => None,
        };
        SotayError::Failure { kind: e.kind().to_string(), message_vi: e.message_vi(), field, detail: e.to_string() }
    }
}

pub type Result<T, E = SotayError> = std::result::Result<T, E>;

/// Run one exported call: core errors become `SotayError`, and a panic (a bug) becomes an error
/// of kind `panic` instead of unwinding into the JVM or Swift. Needs `panic = "unwind"`, which
/// the workspace's release profiles keep.
pub fn call<T>(f: impl FnOnce() -> sotay_core::Result<T>) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result.map_err(SotayError::from),
        Err(payload) => {
            let detail = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(SotayError::Failure {
                kind: "panic".into(),
                message_vi: "Đã xảy ra lỗi trong ứng dụng. Dữ liệu đã lưu trước đó vẫn còn.".into(),
                field: None,
                detail,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sotay_core::Rule;

    #[test]
    fn a_validation_error_keeps_kind_field_and_vietnamese_message() {
        let e = call::<()>(|| Err(CoreError::validation("chair", Rule::Required))).unwrap_err();
        let SotayError::Failure { kind, message_vi, field, .. } = e;
        assert_eq!(kind, "validation");
        assert_eq!(field.as_deref(), Some("chair"));
        assert_eq!(message_vi, "Chủ trì: không được để trống");
    }

    #[test]
    fn a_panic_becomes_an_error_of_kind_panic() {
        let e = call::<()>(|| panic!("index out of bounds")).unwrap_err();
        assert_eq!(e.kind(), "panic");
        let SotayError::Failure { detail, message_vi, .. } = e;
        assert_eq!(detail, "index out of bounds");
        assert!(message_vi.starts_with("Đã xảy ra lỗi"));
    }
}
