//! `GET /api/v1/pull?cursor=N&limit=M[&unit=U]`: records changed or erased since the cursor, in
//! the device's scope, paged by `seq`, zstd-compressed when asked (the phones always ask).

use axum::extract::{Query, State};
use axum::response::Response;
use sotay_core::sync::protocol::{MAX_PULL_RECORDS, PullQuery, PullResponse};

use super::body;
use super::signed::Signed;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub async fn pull(
    State(state): State<AppState>,
    query: Result<Query<PullQuery>, axum::extract::rejection::QueryRejection>,
    req: Signed,
) -> AppResult<Response> {
    let Query(query) = query.map_err(|e| AppError::bad_request("bad_query", e.body_text()))?;
    let limit = query.limit.unwrap_or(MAX_PULL_RECORDS).clamp(1, MAX_PULL_RECORDS);
    let scope = match query.unit {
        None => req.scope,
        Some(unit) => {
            req.scope.narrowed(unit).ok_or_else(|| AppError::forbidden("out_of_scope", "this unit is outside the device's scope"))?
        }
    };
    let read = scope.read_scope().clone();
    let (cursor, device) = (query.cursor, req.device.id);
    let page = state.db(move |s| s.pull(&read, device, cursor, limit)).await?;
    let (count, erased) = (page.records.len(), page.erased.len());
    let response = PullResponse {
        records: page.records,
        erased: page.erased,
        cursor: page.cursor,
        more: page.more,
        remaining: page.remaining,
        server_time_ms: state.now_ms(),
    };
    tracing::info!(device = %req.device.id, records = count, erased, remaining = page.remaining, "pull");
    body::json_response(&req.headers, &response)
}
