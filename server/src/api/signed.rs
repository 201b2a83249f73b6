//! The signed-request extractor: every device request proves who sent it (Ed25519 over method,
//! path with query, body digest, time, nonce and key id; see `core::sync::signing`), is fresh,
//! is not a replay, and comes from a device that is not revoked. It yields the device, its scope
//! and the body as sent.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::HeaderMap;
use sotay_core::sync::protocol::{
    HEADER_CREATED, HEADER_KEY_ID, HEADER_NONCE, HEADER_SIGNATURE, MAX_PUSH_BYTES, SIGNATURE_WINDOW_SECS,
};
use sotay_core::record::Entity;
use sotay_core::sync::signing;
use uuid::Uuid;

use crate::error::AppError;
use crate::nonce::NonceRefusal;
use crate::scope::Scope;
use crate::state::AppState;
use crate::storage::Device;

/// Largest body a signed request may carry (a push; an attachment chunk is smaller).
pub const MAX_SIGNED_BODY: usize = MAX_PUSH_BYTES;

pub struct Signed {
    pub device: Device,
    pub scope: Scope,
    pub headers: HeaderMap,
    pub body: Bytes,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Result<&'a str, AppError> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 256)
        .ok_or_else(|| AppError::unauthorized("unsigned", format!("the request needs a valid {name} header")))
}

impl FromRequest<AppState> for Signed {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let headers = &parts.headers;
        let key_id = header(headers, HEADER_KEY_ID)?.to_string();
        let created = header(headers, HEADER_CREATED)?;
        let nonce = header(headers, HEADER_NONCE)?.to_string();
        let signature = header(headers, HEADER_SIGNATURE)?.to_string();
        let now = state.now_ms();

        let created: i64 = created
            .parse()
            .map_err(|_| AppError::unauthorized("unsigned", format!("{HEADER_CREATED} must be Unix seconds")))?;
        if (now / 1000).abs_diff(created) > SIGNATURE_WINDOW_SECS.unsigned_abs() {
            return Err(AppError::unauthorized(
                "clock_skew",
                format!("the request time is more than {SIGNATURE_WINDOW_SECS} s from the server's clock"),
            )
            .with_server_time(now));
        }
        let device_id = Uuid::parse_str(&key_id).map_err(|_| AppError::unauthorized("unknown_device", "unknown key id"))?;
        let device = state
            .db(move |s| s.device(device_id))
            .await?
            .ok_or_else(|| AppError::unauthorized("unknown_device", "unknown key id"))?;

        let body = axum::body::to_bytes(body, MAX_SIGNED_BODY).await.map_err(|e| {
            if std::error::Error::source(&e).is_some_and(|s| s.is::<http_body_util::LengthLimitError>()) {
                AppError::too_large(format!("the body is larger than {MAX_SIGNED_BODY} bytes"))
            } else {
                AppError::bad_request("bad_body", "the body could not be read (cut off?)")
            }
        })?;
        let path = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let input = signing::signing_input(parts.method.as_str(), path, &body, created, &nonce, &key_id);
        if !signing::verify(&device.public_key, &input, &signature) {
            tracing::warn!(device = %device.id, "bad signature");
            return Err(AppError::unauthorized("bad_signature", "the signature does not match the request"));
        }
        if device.revoked {
            tracing::info!(device = %device.id, "revoked device told to wipe");
            return Err(AppError::unauthorized("revoked", "this device was revoked").with_wipe());
        }
        state.nonces.check(device.id, &nonce, now).map_err(|r| match r {
            NonceRefusal::Replayed => AppError::unauthorized("replayed", "this request was already received"),
            NonceRefusal::Full => AppError::new(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "the server is receiving too many requests; retry later",
            ),
        })?;

        let units = state.db(|s| s.records(Entity::Unit, None)).await?;
        let scope = Scope::new(&units, device.unit, device.role);
        Ok(Signed { device, scope, headers: parts.headers, body })
    }
}
