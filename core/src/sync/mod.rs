//! Sync between a phone and the district server: the wire protocol (shared with the server),
//! request signing, and the client.

mod batch;
pub mod client;
pub mod device;
pub mod progress;
pub mod protocol;
pub mod signing;
pub mod transport;

pub use client::{SyncClient, SyncReport};
pub use device::{Enrollment, enroll, enrollment};
pub use progress::{CancelToken, NoProgress, Progress, SyncPhase, SyncProgress};
pub use transport::{RetryPolicy, TrustRoots, WireStats};
