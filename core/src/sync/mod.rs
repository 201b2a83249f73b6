//! Sync between a phone and the district server: the wire protocol (shared with the server),
//! request signing, and the client.

pub mod protocol;
pub mod signing;
