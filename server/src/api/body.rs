//! Bounded body decoding: zstd with a cap on the decompressed size (a decompression bomb gets a
//! 413, not the server's memory), and JSON that refuses bad bytes with a reason.

use std::io::Read;

use axum::http::HeaderMap;
use axum::http::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{AppError, AppResult};

/// The body as JSON bytes: decompressed when it says `Content-Encoding: zstd`, at most `max`.
pub fn decoded(headers: &HeaderMap, body: &[u8], max: usize) -> AppResult<Vec<u8>> {
    if body.len() > max {
        return Err(AppError::too_large(format!("the body is larger than {max} bytes")));
    }
    let encoding = headers.get(CONTENT_ENCODING).map(|v| v.to_str().unwrap_or("?").trim().to_ascii_lowercase());
    match encoding.as_deref() {
        None | Some("identity") => Ok(body.to_vec()),
        Some("zstd") => {
            let decoder = zstd::stream::read::Decoder::new(body)
                .map_err(|_| AppError::bad_request("bad_encoding", "the body is not valid zstd"))?;
            let mut out = Vec::new();
            decoder
                .take(max as u64 + 1)
                .read_to_end(&mut out)
                .map_err(|_| AppError::bad_request("bad_encoding", "the body is not valid zstd (truncated or corrupt)"))?;
            if out.len() > max {
                return Err(AppError::too_large(format!("the body decompresses to more than {max} bytes")));
            }
            Ok(out)
        }
        Some(_) => Err(AppError::new(
            axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "bad_encoding",
            "only zstd or uncompressed bodies are accepted",
        )),
    }
}

/// Parse JSON, answering 400 with what is wrong (serde_json refuses invalid UTF-8 and nesting
/// deeper than 128 levels without recursing further).
pub fn json<T: DeserializeOwned>(bytes: &[u8]) -> AppResult<T> {
    if bytes.is_empty() {
        return Err(AppError::bad_request("bad_json", "the body is empty"));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Eof => "the body ends too early (truncated JSON)",
            serde_json::error::Category::Syntax => "the body is not valid JSON",
            serde_json::error::Category::Data => "the body does not have the expected fields",
            serde_json::error::Category::Io => "the body could not be read",
        };
        match e.classify() {
            // The detail names the missing or mistyped field (the client's own data, never logged).
            serde_json::error::Category::Data => AppError::bad_request("bad_json", format!("{what}: {e}")),
            _ => AppError::bad_request("bad_json", format!("{what}: line {}, column {}", e.line(), e.column())),
        }
    })
}

/// A JSON answer, zstd-compressed when the request accepts it (the phones always do).
pub fn json_response<T: Serialize>(request_headers: &HeaderMap, value: &T) -> AppResult<Response> {
    let json = serde_json::to_vec(value).map_err(AppError::internal)?;
    let accepts_zstd = request_headers
        .get_all(ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(',').any(|e| e.split(';').next().is_some_and(|name| name.trim().eq_ignore_ascii_case("zstd"))));
    if accepts_zstd {
        let compressed = zstd::bulk::compress(&json, 9).map_err(AppError::internal)?;
        Ok(([(CONTENT_TYPE, "application/json"), (CONTENT_ENCODING, "zstd")], compressed).into_response())
    } else {
        Ok(([(CONTENT_TYPE, "application/json")], json).into_response())
    }
}
