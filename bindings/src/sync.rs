//! Enrollment and sync from the phone's side. Both are blocking calls that do network I/O:
//! shells run them off the UI thread (Kotlin: `withContext(Dispatchers.IO)`, Swift:
//! `Task.detached`). Sync reports progress through a callback interface and stops when its
//! `SyncCancel` handle is cancelled from any thread; see bindings/README.md.

use std::sync::Arc;

use sotay_core::sync::{self as core_sync, CancelToken, Enrollment, Progress, SyncClient, SyncPhase, SyncReport};

use crate::error::{Result, call};
use crate::store::SotayStore;

#[uniffi::remote(Enum)]
pub enum SyncPhase {
    Push,
    Pull,
    Attachments,
}

/// How far a sync has got, for a progress bar (mirrors core's `Progress`).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SyncProgress {
    pub phase: SyncPhase,
    pub items_done: u64,
    /// Push and attachments: items to send; pull: records the server said remain.
    pub items_total: u64,
    pub bytes_done: u64,
    /// Null when not known in advance (pull).
    pub bytes_total: Option<u64>,
}

impl From<&Progress> for SyncProgress {
    fn from(p: &Progress) -> Self {
        SyncProgress { phase: p.phase, items_done: p.items_done, items_total: p.items_total, bytes_done: p.bytes_done, bytes_total: p.bytes_total }
    }
}

/// Implemented by the shell. Called on the syncing thread, between requests: keep it quick and
/// hop to the UI thread to draw.
#[uniffi::export(callback_interface)]
pub trait SyncListener: Send + Sync {
    fn on_progress(&self, progress: SyncProgress);
}

struct ListenerAdapter(Box<dyn SyncListener>);

impl core_sync::SyncProgress for ListenerAdapter {
    fn report(&self, progress: &Progress) {
        self.0.on_progress(progress.into())
    }
}

/// A cancellation handle: create one per sync, pass it in, call `cancel()` from any thread.
/// The sync stops at the next request with an error of kind `cancelled`; what was committed
/// stays committed and the next sync resumes without loss or duplicates.
#[derive(Debug, Default, uniffi::Object)]
pub struct SyncCancel {
    token: CancelToken,
}

#[uniffi::export]
impl SyncCancel {
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(SyncCancel::default())
    }

    pub fn cancel(&self) {
        self.token.cancel()
    }

    pub fn is_cancelled(&self) -> bool {
        self.token.is_cancelled()
    }
}

/// The device's enrollment: which server, which unit, which user.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct EnrollmentInfo {
    pub server_url: String,
    /// The key id the server knows this device by.
    pub device_key_id: String,
    /// The unit (village) this device works for: its id goes to `households`, `visits`, ...
    pub unit_id: String,
    pub unit_name: String,
    pub user_name: String,
}

impl From<Enrollment> for EnrollmentInfo {
    fn from(e: Enrollment) -> Self {
        EnrollmentInfo {
            server_url: e.server_url,
            device_key_id: e.device_id.to_string(),
            unit_id: e.unit.to_string(),
            unit_name: e.unit_name,
            user_name: e.user_name,
        }
    }
}

/// What one sync did (mirrors core's `SyncReport`).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SyncSummary {
    /// Changes the server took.
    pub pushed: u64,
    /// Changes the server refused: listed by `queue_status` with the reason.
    pub set_aside: u64,
    pub pulled: u64,
    pub pull_conflicts: u64,
    /// Records removed from the phone because the server erased them on request.
    pub erased: u64,
    pub attachments_uploaded: u64,
    pub attachments_refused: u64,
    pub requests: u32,
    pub bytes_sent: u64,
    pub bytes_received: u64,
}

impl From<SyncReport> for SyncSummary {
    fn from(r: SyncReport) -> Self {
        SyncSummary {
            pushed: r.pushed,
            set_aside: r.set_aside,
            pulled: r.pulled,
            pull_conflicts: r.pull_conflicts,
            erased: r.erased,
            attachments_uploaded: r.attachments_uploaded,
            attachments_refused: r.attachments_refused,
            requests: r.wire.requests,
            bytes_sent: r.wire.bytes_sent,
            bytes_received: r.wire.bytes_received,
        }
    }
}

#[uniffi::export]
impl SotayStore {
    /// Register this phone with the server using the one-time code the commune gave. Blocking.
    pub fn enroll(&self, server_url: String, code: String, device_name: String) -> Result<EnrollmentInfo> {
        call(|| Ok(core_sync::enroll(&self.store, &server_url, &code, &device_name)?.into()))
    }

    /// The enrollment kept in the store, or null before enrolling.
    pub fn enrollment(&self) -> Result<Option<EnrollmentInfo>> {
        call(|| Ok(core_sync::enrollment(&self.store)?.map(EnrollmentInfo::from)))
    }

    /// Push the phone's changes, pull the unit's records, upload attachments. Blocking: run it
    /// on a background thread. A device the server revoked is wiped (kind `revoked`).
    pub fn sync(&self, listener: Box<dyn SyncListener>, cancel: Arc<SyncCancel>) -> Result<SyncSummary> {
        call(|| {
            let client = SyncClient::new(self.store.clone())?;
            Ok(client.sync(&ListenerAdapter(listener), &cancel.token)?.into())
        })
    }
}
