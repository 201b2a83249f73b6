//! Nonces seen within the signature window, so a captured request cannot be replayed. Memory is
//! bounded: entries expire after twice the window (a request older than the window is refused
//! on its time anyway), and a full cache refuses new requests instead of growing.

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

use sotay_core::sync::protocol::SIGNATURE_WINDOW_SECS;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonceRefusal {
    Replayed,
    Full,
}

pub struct NonceCache {
    inner: Mutex<Inner>,
    capacity: usize,
}

#[derive(Default)]
struct Inner {
    seen: HashSet<(Uuid, String)>,
    /// Insertion order with expiry time, for pruning.
    order: VecDeque<(i64, Uuid, String)>,
}

impl NonceCache {
    /// About 100 requests a second for the whole window: far above a district's phones.
    pub const DEFAULT_CAPACITY: usize = 100_000;

    pub fn new(capacity: usize) -> NonceCache {
        NonceCache { inner: Mutex::new(Inner::default()), capacity }
    }

    /// Remember `nonce` of `device`; refuse it if it was seen within the window.
    pub fn check(&self, device: Uuid, nonce: &str, now_ms: i64) -> Result<(), NonceRefusal> {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        while inner.order.front().is_some_and(|(expires, _, _)| *expires <= now_ms) {
            if let Some((_, d, n)) = inner.order.pop_front() {
                inner.seen.remove(&(d, n));
            }
        }
        let key = (device, nonce.to_string());
        if inner.seen.contains(&key) {
            return Err(NonceRefusal::Replayed);
        }
        if inner.seen.len() >= self.capacity {
            return Err(NonceRefusal::Full);
        }
        inner.seen.insert(key);
        inner.order.push_back((now_ms + 2 * SIGNATURE_WINDOW_SECS * 1000, device, nonce.to_string()));
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).seen.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nonce_is_refused_within_the_window_and_forgotten_after_it() {
        let cache = NonceCache::new(2);
        let d = Uuid::now_v7();
        assert_eq!(cache.check(d, "a", 0), Ok(()));
        assert_eq!(cache.check(d, "a", 1000), Err(NonceRefusal::Replayed));
        assert_eq!(cache.check(Uuid::now_v7(), "a", 1000), Ok(()));
        assert_eq!(cache.check(d, "b", 1000), Err(NonceRefusal::Full));
        let later = 2 * SIGNATURE_WINDOW_SECS * 1000 + 1;
        assert_eq!(cache.check(d, "a", later), Ok(()));
        assert_eq!(cache.len(), 2);
    }
}
