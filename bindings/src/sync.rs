//! Sync from the phone's side: progress through a callback interface, cancellation through a
//! handle object. `SotayStore::sync` is a blocking call: shells run it off the UI thread
//! (Kotlin: `withContext(Dispatchers.IO)`, Swift: `Task.detached`), and cancel it from any
//! thread with `SyncCancel::cancel`; see bindings/README.md.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// How far a sync has got, for a progress bar.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SyncProgress {
    /// `push` (sending the phone's changes) or `pull` (receiving the unit's records).
    pub phase: String,
    /// Items handled so far in this phase.
    pub done: u64,
    /// Items known to be waiting in this phase (pull: null until the server says).
    pub total: Option<u64>,
    /// A line to show under the bar.
    pub message_vi: String,
}

/// Implemented by the shell. Called on the syncing thread: hop to the UI thread to draw.
#[uniffi::export(callback_interface)]
pub trait SyncListener: Send + Sync {
    fn on_progress(&self, progress: SyncProgress);
}

/// A cancellation handle: create one per sync, pass it in, call `cancel()` from any thread.
/// The sync stops at the next batch boundary with an error of kind `cancelled`; everything
/// committed before stays committed and the rest is sent next time.
#[derive(Debug, Default, uniffi::Object)]
pub struct SyncCancel {
    flag: Arc<AtomicBool>,
}

#[uniffi::export]
impl SyncCancel {
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(SyncCancel::default())
    }

    pub fn cancel(&self) {
        self.flag.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }
}

impl SyncCancel {
    /// The shared flag, for the core's sync client.
    #[allow(dead_code)]
    pub(crate) fn flag(&self) -> Arc<AtomicBool> {
        self.flag.clone()
    }
}
