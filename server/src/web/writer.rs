//! Writes from the browser take the same road as a phone's: a `Change` with a clock reading,
//! checked by the server's change validation, merged by core's `merge` in the storage's one
//! write transaction, given a `seq` so phones pull it. The clock is the server's (an HLC that
//! also moves past the record's own clocks, so a browser edit is never lost to a phone whose
//! clock runs ahead).

use std::sync::Mutex;

use sotay_core::clock::Hlc;
use sotay_core::record::{Change, Entity, Fields, Seal, content_hash};
use uuid::Uuid;

use crate::state::AppState;
use crate::storage::ApplyOutcome;

use super::error::{WebError, WebResult};
use super::session::Session;

/// The dashboard's node number in clock readings (phones use their device id's bits).
const NODE: u64 = 0x5e_7e_b0;

fn next_clock(now: i64, seen: Hlc) -> Hlc {
    static LAST: Mutex<Hlc> = Mutex::new(Hlc::ZERO);
    let mut last = LAST.lock().unwrap_or_else(|p| p.into_inner());
    *last = Hlc::observe(*last, seen, now, NODE);
    *last
}

/// Write `fields` to record `id` of `entity` in `unit` (new or existing), optionally sealing
/// it with the viewer's name. Returns the record id.
pub async fn write(
    state: &AppState,
    session: &Session,
    entity: Entity,
    id: Uuid,
    unit: Uuid,
    fields: Fields,
    seal: bool,
) -> WebResult<Uuid> {
    let existing = state.db(move |s| s.record(id)).await?;
    let seen = existing.as_ref().map(|r| r.updated()).unwrap_or(Hlc::ZERO);
    let now = state.now_ms();
    let mut full = existing.map(|r| r.fields).unwrap_or_default();
    for (k, v) in &fields {
        full.insert(k.clone(), v.clone());
    }
    let change = Change {
        id: Uuid::now_v7(),
        entity,
        record: id,
        unit,
        hlc: next_clock(now, seen),
        seal: seal.then(|| Seal { by: session.user.name.clone(), at: now, hash: content_hash(entity, id, &full) }),
        fields,
    };
    if let Err(field) = crate::validate::change(&change) {
        return Err(WebError::bad_request(format!("{}: không hợp lệ.", sotay_core::error::field_vi(&field))));
    }
    let author = session.user.id;
    let outcome = state.db(move |s| s.apply_changes(author, &[&change], now)).await?;
    match outcome.into_iter().next() {
        Some(ApplyOutcome::Applied) | Some(ApplyOutcome::Duplicate) => Ok(id),
        Some(ApplyOutcome::Rejected(why)) => Err(WebError::bad_request(match why.as_str() {
            "sealed_differs" => "Bản ghi đã ký chốt, không sửa được. Hãy lập bản đính chính.".to_string(),
            other => format!("Máy chủ không nhận thay đổi này ({other})."),
        })),
        None => Err(WebError::internal("storage answered no outcome")),
    }
}

/// Create many new records (entity, id, unit, fields) in one transaction (a plan's checklists
/// for every unit below).
pub async fn create_many(state: &AppState, session: &Session, items: Vec<(Entity, Uuid, Uuid, Fields)>) -> WebResult<usize> {
    let now = state.now_ms();
    let changes: Vec<Change> = items
        .into_iter()
        .map(|(entity, record, unit, fields)| Change {
            id: Uuid::now_v7(),
            entity,
            record,
            unit,
            hlc: next_clock(now, Hlc::ZERO),
            fields,
            seal: None,
        })
        .collect();
    for c in &changes {
        if let Err(field) = crate::validate::change(c) {
            return Err(WebError::bad_request(format!("{}: không hợp lệ.", sotay_core::error::field_vi(&field))));
        }
    }
    let author = session.user.id;
    let outcomes = state
        .db(move |s| {
            let refs: Vec<&Change> = changes.iter().collect();
            s.apply_changes(author, &refs, now)
        })
        .await?;
    Ok(outcomes.iter().filter(|o| matches!(o, ApplyOutcome::Applied)).count())
}
