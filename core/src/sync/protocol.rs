//! The sync wire protocol, shared by the client here and the server crate. JSON bodies,
//! compressed with zstd (`Content-Encoding: zstd`) where they carry records.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::record::{Change, RecordState};

pub const API_PREFIX: &str = "/api/v1";
pub const PATH_ENROLL: &str = "/api/v1/enroll";
pub const PATH_PUSH: &str = "/api/v1/push";
pub const PATH_PULL: &str = "/api/v1/pull";
pub const PATH_HEALTH: &str = "/health";

/// Most changes in one push; the server answers 413 beyond.
pub const MAX_PUSH_CHANGES: usize = 1000;
/// Most bytes of one push body, compressed and uncompressed; 413 beyond.
pub const MAX_PUSH_BYTES: usize = 1024 * 1024;
/// Most records in one pull page.
pub const MAX_PULL_RECORDS: usize = 2000;

pub const HEADER_KEY_ID: &str = "x-sotay-key";
pub const HEADER_CREATED: &str = "x-sotay-created";
pub const HEADER_NONCE: &str = "x-sotay-nonce";
pub const HEADER_SIGNATURE: &str = "x-sotay-signature";
/// Requests signed more than this far from the server's clock are refused (401 with the
/// server's time, so the client can learn its offset and retry).
pub const SIGNATURE_WINDOW_SECS: i64 = 300;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrollRequest {
    pub code: String,
    /// Ed25519 public key, 32 bytes as lowercase hex.
    pub public_key: String,
    pub device_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrollResponse {
    /// The key id the device signs with from now on.
    pub device_id: Uuid,
    pub user_name: String,
    pub unit: Uuid,
    pub unit_name: String,
    pub server_time_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PushStatus {
    Applied,
    Duplicate,
    Rejected,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushResult {
    pub change: Uuid,
    pub status: PushStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushResponse {
    pub results: Vec<PushResult>,
    pub server_time_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    pub records: Vec<RecordState>,
    /// Pass back as `?cursor=` for the next page.
    pub cursor: u64,
    pub more: bool,
    pub server_time_ms: i64,
}

/// The body of every 4xx/5xx answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Machine-readable kind, such as `bad_signature`, `out_of_scope`, `too_large`, `revoked`.
    pub error: String,
    /// A reason a person can read.
    pub message: String,
    /// Set when the device was revoked: the phone must erase its local data.
    #[serde(default)]
    pub wipe: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_time_ms: Option<i64>,
}
