//! What every handler shares: the storage, the clock, the nonce memory.

use std::sync::Arc;

use sotay_core::WallClock;
use sotay_core::clock::SystemClock;

use crate::error::{AppError, AppResult};
use crate::nonce::NonceCache;
use crate::storage::{Storage, StorageResult};

#[derive(Clone)]
pub struct AppState {
    pub storage: Arc<dyn Storage>,
    pub clock: Arc<dyn WallClock>,
    pub nonces: Arc<NonceCache>,
    /// The dashboard's in-memory state (figures cache).
    pub web: Arc<crate::web::WebState>,
}

impl AppState {
    pub fn new(storage: Arc<dyn Storage>) -> AppState {
        Self::with_clock(storage, Arc::new(SystemClock))
    }

    /// Tests pass a `ManualClock` to check the signature window.
    pub fn with_clock(storage: Arc<dyn Storage>, clock: Arc<dyn WallClock>) -> AppState {
        AppState { storage, clock, nonces: Arc::new(NonceCache::new(NonceCache::DEFAULT_CAPACITY)), web: Arc::default() }
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_millis()
    }

    /// Run a storage call on the blocking pool (SQLite blocks), mapping its error.
    pub async fn db<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Storage) -> StorageResult<T> + Send + 'static,
    {
        let storage = self.storage.clone();
        match tokio::task::spawn_blocking(move || f(storage.as_ref())).await {
            Ok(result) => result.map_err(AppError::from),
            Err(e) => Err(AppError::internal(format!("storage task failed: {e}"))),
        }
    }
}
