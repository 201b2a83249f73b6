//! Attachments by content address: resumable chunked upload, existence check, download within
//! scope, and the list of attachments records name but the server lacks. A record syncs on its
//! own; its attachments follow whenever the link allows.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use sotay_core::sync::protocol::{MAX_ATTACHMENT_CHUNK, AttachmentStatus, ChunkQuery, MAX_ATTACHMENT_BYTES, MissingAttachments};

use super::signed::Signed;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::storage::{AttachmentProgress, ChunkUpload, StorageError, is_sha256};

const MAX_MIME: usize = 100;

fn checked(sha256: String) -> AppResult<String> {
    if is_sha256(&sha256) {
        Ok(sha256)
    } else {
        Err(AppError::bad_request("bad_address", "an attachment is addressed by its SHA-256 as 64 lowercase hex digits"))
    }
}

fn to_status(sha256: String, p: AttachmentProgress) -> AttachmentStatus {
    AttachmentStatus { sha256, received: p.received, size: p.size, complete: p.complete }
}

/// `HEAD`: 200 when the server holds the whole file.
pub async fn exists(State(state): State<AppState>, Path(sha256): Path<String>, _req: Signed) -> AppResult<StatusCode> {
    let sha256 = checked(sha256)?;
    let p = state.db(move |s| s.attachment(&sha256)).await?;
    Ok(if p.is_some_and(|p| p.complete) { StatusCode::OK } else { StatusCode::NOT_FOUND })
}

/// `GET`: how much the server holds (the offset to resume at); 404 when nothing.
pub async fn status(State(state): State<AppState>, Path(sha256): Path<String>, _req: Signed) -> AppResult<Json<AttachmentStatus>> {
    let sha256 = checked(sha256)?;
    let key = sha256.clone();
    let p = state.db(move |s| s.attachment(&key)).await?.ok_or_else(|| AppError::not_found("the server holds nothing of this attachment"))?;
    Ok(Json(to_status(sha256, p)))
}

/// `PUT ?offset=N&size=S`: one chunk.
pub async fn upload_chunk(
    State(state): State<AppState>,
    Path(sha256): Path<String>,
    query: Result<Query<ChunkQuery>, axum::extract::rejection::QueryRejection>,
    req: Signed,
) -> AppResult<Json<AttachmentStatus>> {
    let sha256 = checked(sha256)?;
    let Query(q) = query.map_err(|e| AppError::bad_request("bad_query", e.body_text()))?;
    if q.size > MAX_ATTACHMENT_BYTES {
        return Err(AppError::too_large(format!("an attachment may be at most {} MB", MAX_ATTACHMENT_BYTES / (1024 * 1024))));
    }
    if req.body.len() > MAX_ATTACHMENT_CHUNK {
        return Err(AppError::too_large(format!("a chunk may be at most {MAX_ATTACHMENT_CHUNK} bytes")));
    }
    if q.size == 0 {
        return Err(AppError::bad_request("bad_query", "size must be the whole file's size, at least 1 byte"));
    }
    let mime = req
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|m| m.len() <= MAX_MIME)
        .unwrap_or("application/octet-stream")
        .to_string();
    let now = state.now_ms();
    let (key, chunk, offset, size) = (sha256.clone(), req.body.clone(), q.offset, q.size);
    let p = state
        .db(move |s| match s.append_attachment(ChunkUpload { sha256: &key, mime: &mime, size, offset, chunk: &chunk, now }) {
            Err(StorageError::Conflict(m)) => Ok(Err(m)),
            other => other.map(Ok),
        })
        .await?
        .map_err(|m| AppError::conflict("offset_mismatch", m))?;
    if offset.saturating_add(req.body.len() as u64) == size && !p.complete {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "hash_mismatch",
            "the uploaded bytes do not match the SHA-256 address; the upload was discarded, start again",
        ));
    }
    if p.complete {
        tracing::info!(device = %req.device.id, bytes = size, "attachment complete");
    }
    Ok(Json(to_status(sha256, p)))
}

/// `GET .../content`: the bytes, when a record in scope names them.
pub async fn content(State(state): State<AppState>, Path(sha256): Path<String>, req: Signed) -> AppResult<Response> {
    let sha256 = checked(sha256)?;
    let units = req.scope.units().to_vec();
    let key = sha256.clone();
    if !state.db(move |s| s.attachment_referenced(&key, &units)).await? {
        return Err(AppError::forbidden("out_of_scope", "no record in this device's scope names this attachment"));
    }
    let (mime, bytes) =
        state.db(move |s| s.attachment_bytes(&sha256)).await?.ok_or_else(|| AppError::not_found("the server does not have this attachment yet"))?;
    Ok(([(CONTENT_TYPE, mime)], bytes).into_response())
}

/// `GET /api/v1/attachments/missing`.
pub async fn missing(State(state): State<AppState>, req: Signed) -> AppResult<Json<MissingAttachments>> {
    let units = req.scope.units().to_vec();
    let sha256 = state.db(move |s| s.missing_attachments(&units)).await?;
    Ok(Json(MissingAttachments { sha256 }))
}
