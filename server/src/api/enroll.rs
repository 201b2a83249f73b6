//! `POST /api/v1/enroll`: a phone trades a one-time code for a device identity bound to the
//! code's user and unit. Not signed (the device has no identity yet); the code is the secret.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use sotay_core::record::Entity;
use sotay_core::sync::protocol::{EnrollRequest, EnrollResponse, MAX_ENROLL_BYTES};
use sotay_core::sync::signing;

use super::body;
use crate::enrollment::code_hash;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::storage::{EnrollDevice, EnrollRefusal};

const MAX_DEVICE_NAME: usize = 100;

pub async fn enroll(State(state): State<AppState>, headers: HeaderMap, raw: Bytes) -> AppResult<Json<EnrollResponse>> {
    let req: EnrollRequest = body::json(&body::decoded(&headers, &raw, MAX_ENROLL_BYTES)?)?;
    let key = signing::unhex(&req.public_key.to_ascii_lowercase())
        .filter(|k| k.len() == 32)
        .ok_or_else(|| AppError::bad_request("bad_key", "public_key must be 32 bytes as hex (Ed25519)"))?;
    let device_name: String = req.device_name.trim().chars().take(MAX_DEVICE_NAME).collect();
    let now = state.now_ms();
    let enrolled = state
        .db(move |s| {
            s.enroll(EnrollDevice {
                code_hash: code_hash(&req.code),
                public_key: sotay_core::record::hex(&key),
                device_name,
                now,
            })
        })
        .await?
        .map_err(|r| match r {
            EnrollRefusal::UnknownCode => AppError::new(StatusCode::NOT_FOUND, "code_unknown", "no such enrollment code"),
            EnrollRefusal::Expired => AppError::new(StatusCode::GONE, "code_expired", "this enrollment code has expired"),
            EnrollRefusal::AlreadyUsed => AppError::conflict("code_used", "this enrollment code was already used"),
            EnrollRefusal::KeyInUse => AppError::conflict("key_in_use", "this public key is already enrolled"),
            EnrollRefusal::UserInactive => AppError::forbidden("user_inactive", "the code's user is no longer active"),
        })?;
    let unit = enrolled.user.unit;
    let unit_name = state
        .db(move |s| s.record(unit))
        .await?
        .filter(|r| r.entity == Entity::Unit)
        .and_then(|r| r.fields.get("name").and_then(|n| n.as_str()).map(str::to_string))
        .unwrap_or_default();
    tracing::info!(device = %enrolled.device, user = %enrolled.user.id, unit = %unit, "device enrolled");
    Ok(Json(EnrollResponse { device_id: enrolled.device, user_name: enrolled.user.name, unit, unit_name, server_time_ms: now }))
}
