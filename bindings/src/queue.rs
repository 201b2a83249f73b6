//! What waits to be sent, and what the server set aside (one bad item never blocks the rest):
//! the shell lists set-aside items with the server's reason and lets the user retry or discard.

use sotay_core::error::entity_vi;
use sotay_core::outbox::SetAside;

use crate::error::{Result, call};
use crate::ids::parse_id;
use crate::store::SotayStore;

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SetAsideItem {
    pub change_id: String,
    /// Record kind (`pledge`, `minutes`, ...) and its Vietnamese name for the list.
    pub entity: String,
    pub entity_vi: String,
    pub record_id: String,
    /// Why the server refused it, as the server said.
    pub reason: String,
}

impl From<SetAside> for SetAsideItem {
    fn from(s: SetAside) -> Self {
        SetAsideItem {
            change_id: s.change_id.to_string(),
            entity: s.entity.as_str().to_string(),
            entity_vi: entity_vi(s.entity.as_str()).to_string(),
            record_id: s.record.to_string(),
            reason: s.reason,
        }
    }
}

/// The sync screen's summary of the queue.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct QueueStatus {
    /// Changes saved on the phone, not yet accepted by the server.
    pub pending: u64,
    pub set_aside: Vec<SetAsideItem>,
}

#[uniffi::export]
impl SotayStore {
    pub fn queue_status(&self) -> Result<QueueStatus> {
        call(|| {
            Ok(QueueStatus {
                pending: self.store.outbox_pending_count()?,
                set_aside: self.store.outbox_set_aside_items()?.into_iter().map(SetAsideItem::from).collect(),
            })
        })
    }

    /// Put a set-aside change back in the queue, to be sent at the next sync.
    pub fn retry_set_aside(&self, change_id: String) -> Result<()> {
        call(|| self.store.outbox_retry(parse_id("change_id", &change_id)?))
    }

    /// Drop a set-aside change for good (the user decided it was wrong).
    pub fn discard_set_aside(&self, change_id: String) -> Result<()> {
        call(|| self.store.outbox_discard(parse_id("change_id", &change_id)?))
    }
}
