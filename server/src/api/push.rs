//! `POST /api/v1/push`: a batch of a device's outbox changes, answered item by item. One bad item
//! never blocks the rest; the whole batch is applied in one write transaction and committed
//! before the answer leaves.

use axum::extract::State;
use axum::response::Response;
use sotay_core::sync::protocol::{MAX_PUSH_BYTES, MAX_PUSH_CHANGES, PushRequest, PushResponse, PushResult, PushStatus, reason};

use super::body;
use super::signed::Signed;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::storage::ApplyOutcome;
use crate::validate;

pub async fn push(State(state): State<AppState>, req: Signed) -> AppResult<Response> {
    let json = body::decoded(&req.headers, &req.body, MAX_PUSH_BYTES)?;
    let push: PushRequest = body::json(&json)?;
    if push.changes.len() > MAX_PUSH_CHANGES {
        return Err(AppError::too_large(format!("a push carries at most {MAX_PUSH_CHANGES} changes")));
    }
    // Decide what can be decided without the database; the rest goes to one transaction.
    let verdicts: Vec<Option<String>> = push
        .changes
        .iter()
        .map(|c| match req.scope.check_write(c) {
            Err(refusal) => Some(refusal.reason().to_string()),
            Ok(()) => validate::change(c).err().map(|field| format!("{}: {field}", reason::INVALID_FIELDS)),
        })
        .collect();
    let device = req.device.id;
    let now = state.now_ms();
    let changes = push.changes;
    // The changes travel to the blocking pool and back with their verdicts.
    let (changes, verdicts, outcomes) = state
        .db(move |s| {
            let outcomes = {
                let accepted: Vec<_> = changes.iter().zip(&verdicts).filter(|(_, v)| v.is_none()).map(|(c, _)| c).collect();
                s.apply_changes(device, &accepted, now)?
            };
            Ok((changes, verdicts, outcomes))
        })
        .await?;
    let mut outcomes = outcomes.into_iter();
    let mut results = Vec::with_capacity(changes.len());
    let (mut applied, mut duplicate, mut rejected) = (0usize, 0usize, 0usize);
    for (change, verdict) in changes.iter().zip(verdicts) {
        let (status, why) = match verdict {
            Some(why) => (PushStatus::Rejected, Some(why)),
            None => match outcomes.next() {
                Some(ApplyOutcome::Applied) => (PushStatus::Applied, None),
                Some(ApplyOutcome::Duplicate) => (PushStatus::Duplicate, None),
                Some(ApplyOutcome::Rejected(why)) => (PushStatus::Rejected, Some(why)),
                None => return Err(AppError::internal("storage answered fewer items than it was given")),
            },
        };
        match status {
            PushStatus::Applied => applied += 1,
            PushStatus::Duplicate => duplicate += 1,
            PushStatus::Rejected => rejected += 1,
        }
        results.push(PushResult { change: change.id, status, reason: why });
    }
    tracing::info!(device = %device, applied, duplicate, rejected, "push");
    body::json_response(&req.headers, &PushResponse { results, server_time_ms: now })
}
