//! How a sync tells the shell how far it got, and how the shell asks it to stop.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncPhase {
    /// Sending local changes.
    Push,
    /// Receiving the unit's records.
    Pull,
    /// Uploading photos and signature images.
    Attachments,
}

/// Items and bytes done of the total in the current phase. Push counts changes and their
/// (uncompressed) size; pull counts records and the compressed bytes received, with the
/// total known only as a count; attachments count files and their bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub phase: SyncPhase,
    pub items_done: u64,
    pub items_total: u64,
    pub bytes_done: u64,
    /// `None` when the total is not known in advance (pull).
    pub bytes_total: Option<u64>,
}

/// Receives progress reports; called on the syncing thread, so keep it quick.
pub trait SyncProgress: Send + Sync {
    fn report(&self, progress: &Progress);
}

/// For callers that draw no progress.
pub struct NoProgress;

impl SyncProgress for NoProgress {
    fn report(&self, _: &Progress) {}
}

/// Shared flag the shell sets to stop a sync. It is checked between requests (and during
/// backoff waits), so what was committed stays committed and the next sync resumes.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst)
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    pub(crate) fn check(&self) -> Result<()> {
        if self.is_cancelled() { Err(Error::Cancelled) } else { Ok(()) }
    }

    /// Sleep for `total`, waking early (with `Cancelled`) if the token is set.
    pub(crate) fn sleep(&self, total: Duration) -> Result<()> {
        let step = Duration::from_millis(20);
        let mut left = total;
        while !left.is_zero() {
            self.check()?;
            let d = left.min(step);
            std::thread::sleep(d);
            left -= d;
        }
        self.check()
    }
}
