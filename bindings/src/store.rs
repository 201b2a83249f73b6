//! `SotayStore`: the one object a shell holds. It owns the encrypted store; every use case is a
//! method on it (see the other modules), each a coarse call that does one screen's work.

use std::sync::Arc;

use sotay_core::Store;
use sotay_core::clock::ManualClock;

use crate::error::{Result, call};

#[derive(uniffi::Object)]
pub struct SotayStore {
    pub(crate) store: Arc<Store>,
}

#[uniffi::export]
impl SotayStore {
    /// Open (or create) the store file at `path` with its 32-byte key (kept by the shell in the
    /// Android Keystore / iOS Keychain). A wrong key fails with kind `wrong_key`.
    #[uniffi::constructor]
    pub fn open(path: String, key: Vec<u8>) -> Result<Arc<Self>> {
        call(|| Ok(Arc::new(SotayStore { store: Arc::new(Store::open(&path, &key)?) })))
    }

    /// Open with the wall clock fixed at `now_millis` (Unix ms): for tests and screenshots of a
    /// given day. The clock does not move.
    #[uniffi::constructor]
    pub fn open_at_time(path: String, key: Vec<u8>, now_millis: i64) -> Result<Arc<Self>> {
        call(|| Ok(Arc::new(SotayStore { store: Arc::new(Store::open_with_clock(&path, &key, ManualClock::at(now_millis))?) })))
    }

    /// This installation's id (not secret; shown on the settings screen for support).
    pub fn device_id(&self) -> String {
        self.store.device_id().to_string()
    }
}
