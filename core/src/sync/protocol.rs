//! The sync wire protocol, shared by the client here and the server crate. JSON bodies,
//! compressed with zstd (`Content-Encoding: zstd`) where they carry records.
//!
//! Compression: the client sends push bodies with `Content-Encoding: zstd` and asks for
//! `Accept-Encoding: zstd`; the server compresses pull and push answers when asked and says so
//! with `Content-Encoding: zstd`. The signature covers the body bytes as sent (compressed).
//!
//! Endpoints (all but enroll and health are signed):
//! - `POST PATH_ENROLL`: `EnrollRequest` -> `EnrollResponse` (unsigned: the one-time code is the proof)
//! - `POST PATH_PUSH`: `PushRequest` -> `PushResponse`
//! - `GET PATH_PULL?cursor=N`: -> `PullResponse`
//! - `GET PATH_ATTACHMENTS/{sha256}`: -> `AttachmentStatus` (404 `not_found` when nothing is held)
//! - `PUT PATH_ATTACHMENTS/{sha256}?offset=N&size=TOTAL`: raw bytes of one chunk (not compressed:
//!   photos already are), `Content-Type` the attachment's MIME type -> `AttachmentStatus`.
//!   The server appends only when `offset` equals what it has received (409 `offset_mismatch`
//!   otherwise, the client then asks for the status); on the last chunk it checks the SHA-256
//!   and discards the upload on mismatch (422 `hash_mismatch`). Beyond `MAX_ATTACHMENT_BYTES`: 413.
//! - `HEAD PATH_ATTACHMENTS/{sha256}`: 200 when the server holds the whole file (never send it
//!   again), 404 otherwise.
//! - `GET PATH_ATTACHMENTS/{sha256}/content`: the bytes, when a record in the device's scope names
//!   the attachment (403 `out_of_scope` otherwise, 404 while the server lacks it).
//! - `GET PATH_ATTACHMENTS_MISSING`: -> `MissingAttachments`, attachments named by records in the
//!   device's scope that the server does not hold whole yet.
//!
//! Erasure on request (personal data law): when the server erases a record (a household with
//! its visits and pledges), the id takes a place in the same `seq` order as records, and pulls
//! after it carry it in `PullResponse::erased` as an `ErasedRecord` (kind and id, nothing of
//! the content), to the devices whose scope holds the record's unit. The phone removes the
//! record and what depends on it (a household's visits and pledges, attachments only they
//! named, its search entry and any change still queued for it) in the transaction that stores
//! the page and moves the cursor. The field is new: older phones ignore it, older servers send
//! none (`serde(default)`). A push for an erased id (or a visit or pledge naming an erased
//! household) is rejected with reason `erased`, and the phone then erases that record too.
//!
//! Own writes: a pull leaves out a record that only the asking device has written since the
//! pull's cursor (it holds that record exactly as the server does), so the pull after a push
//! carries only what others wrote. As soon as anyone else (another device or the dashboard)
//! writes to the record after the cursor, the merged record is sent. The cursor moves only over
//! what is sent; `remaining` counts the same way.
//!
//! Scope: a pull returns only the device's scope; `?unit=U` narrows it to U's subtree (403
//! `out_of_scope` when U is outside). A pushed change outside the scope is rejected item by item
//! with reason `out_of_scope` (see `reason`), so one bad item never blocks the rest.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::record::{Change, Entity, RecordState};

pub const API_PREFIX: &str = "/api/v1";
pub const PATH_ENROLL: &str = "/api/v1/enroll";
pub const PATH_PUSH: &str = "/api/v1/push";
pub const PATH_PULL: &str = "/api/v1/pull";
pub const PATH_ATTACHMENTS: &str = "/api/v1/attachments";
pub const PATH_ATTACHMENTS_MISSING: &str = "/api/v1/attachments/missing";
pub const PATH_HEALTH: &str = "/health";

/// Largest attachment (a photo of an attendance sheet, a signature image).
pub const MAX_ATTACHMENT_BYTES: u64 = 10 * 1024 * 1024;
/// Bytes per attachment upload request; a cut loses at most one chunk.
pub const MAX_ATTACHMENT_CHUNK: usize = 256 * 1024;

/// Most changes in one push; the server answers 413 beyond.
pub const MAX_PUSH_CHANGES: usize = 1000;
/// Most bytes of one push body, compressed and uncompressed; 413 beyond.
pub const MAX_PUSH_BYTES: usize = 1024 * 1024;
/// Most records in one pull page.
pub const MAX_PULL_RECORDS: usize = 2000;
/// Most bytes of an enrollment request body.
pub const MAX_ENROLL_BYTES: usize = 16 * 1024;

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

/// Query of `GET PATH_PULL`: `?cursor=N&limit=M[&unit=U]`. `cursor` defaults to 0 (everything),
/// `limit` to and at most `MAX_PULL_RECORDS`; `unit` narrows the pull to that unit's subtree.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PullQuery {
    #[serde(default)]
    pub cursor: u64,
    #[serde(default)]
    pub limit: Option<usize>,
    #[serde(default)]
    pub unit: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    pub records: Vec<RecordState>,
    /// Records erased on the server since the cursor (see the module notes): remove them.
    /// They share the page with `records` (`limit` counts both) and the cursor moves past them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub erased: Vec<ErasedRecord>,
    /// Pass back as `?cursor=` for the next page.
    pub cursor: u64,
    pub more: bool,
    /// Records and erasures after this page still to come (for the progress bar).
    #[serde(default)]
    pub remaining: u64,
    pub server_time_ms: i64,
}

/// A record erased on request: which kind and which id, never what it held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ErasedRecord {
    pub entity: Entity,
    pub id: Uuid,
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

/// What the server holds of one attachment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttachmentStatus {
    pub sha256: String,
    pub size: u64,
    /// Bytes received so far; the next chunk starts here.
    pub received: u64,
    /// All bytes received and the SHA-256 checked.
    pub complete: bool,
}

/// Query of an attachment chunk upload (`PUT PATH_ATTACHMENTS/{sha256}?offset=N&size=S`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkQuery {
    pub offset: u64,
    pub size: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingAttachments {
    pub sha256: Vec<String>,
}

/// Reason codes of a rejected push item (`PushResult::reason` is `code` or `code: detail`).
pub mod reason {
    /// The record is sealed and the change differs from it: record an amendment instead.
    pub const SEALED_DIFFERS: &str = "sealed_differs";
    /// The record's unit is outside the device's scope.
    pub const OUT_OF_SCOPE: &str = "out_of_scope";
    /// A device may not write this kind of record (units; plans and templates from a village).
    pub const NOT_WRITABLE: &str = "not_writable";
    /// A field is missing or malformed; the detail names the field.
    pub const INVALID_FIELDS: &str = "invalid_fields";
    /// The record exists under another unit (records never move).
    pub const UNIT_MISMATCH: &str = "unit_mismatch";
    /// The record exists as another kind.
    pub const ENTITY_MISMATCH: &str = "entity_mismatch";
    /// A seal on a kind that cannot be sealed.
    pub const NOT_SEALABLE: &str = "not_sealable";
    /// The seal's hash does not match the content.
    pub const SEAL_MISMATCH: &str = "seal_mismatch";
    /// The record, or the household it is about, was erased on request (personal data law) and
    /// may not come back. The phone erases the record when it reads this answer.
    pub const ERASED: &str = "erased";
}

/// The Vietnamese sentence for a rejected push item, shown next to the set-aside item.
pub fn reason_vi(reason: &str) -> String {
    let (code, detail) = match reason.split_once(':') {
        Some((c, d)) => (c.trim(), Some(d.trim())),
        None => (reason.trim(), None),
    };
    let base = match code {
        reason::SEALED_DIFFERS => "Bản ghi đã ký chốt, không sửa được. Hãy lập bản đính chính.",
        reason::OUT_OF_SCOPE => "Bản ghi thuộc đơn vị ngoài phạm vi của thiết bị này.",
        reason::NOT_WRITABLE => "Thiết bị này không được sửa loại bản ghi này.",
        reason::INVALID_FIELDS => "Dữ liệu không hợp lệ",
        reason::UNIT_MISMATCH => "Bản ghi đã thuộc một đơn vị khác.",
        reason::ENTITY_MISMATCH => "Bản ghi đã có với loại khác.",
        reason::NOT_SEALABLE => "Loại bản ghi này không ký chốt được.",
        reason::SEAL_MISMATCH => "Chữ ký chốt không khớp với nội dung.",
        reason::ERASED => "Dữ liệu này đã được xóa theo yêu cầu của người dân, không gửi lại được.",
        _ => "Máy chủ từ chối bản ghi này.",
    };
    match (code, detail) {
        (reason::INVALID_FIELDS, Some(field)) => format!("{base}: {}.", crate::error::field_vi(field)),
        (reason::INVALID_FIELDS, None) => format!("{base}."),
        _ => base.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pull_page_without_erasures_parses_and_one_with_them_carries_kind_and_id_only() {
        let old_server = r#"{"records":[],"cursor":7,"more":false,"remaining":0,"server_time_ms":1}"#;
        let page: PullResponse = serde_json::from_str(old_server).unwrap();
        assert!(page.erased.is_empty());
        assert_eq!(serde_json::to_string(&page).unwrap(), old_server, "no erasures, the old shape");

        let id = Uuid::now_v7();
        let page = PullResponse { erased: vec![ErasedRecord { entity: Entity::Household, id }], ..page };
        let json: serde_json::Value = serde_json::to_value(&page).unwrap();
        assert_eq!(json["erased"], serde_json::json!([{"entity": "household", "id": id}]));
        assert_eq!(serde_json::from_value::<PullResponse>(json).unwrap(), page);
    }

    #[test]
    fn a_rejection_reason_reads_in_vietnamese() {
        assert_eq!(reason_vi("invalid_fields: members"), "Dữ liệu không hợp lệ: Số nhân khẩu.");
        assert!(reason_vi(reason::SEALED_DIFFERS).contains("ký chốt"));
        assert_eq!(reason_vi("something new"), "Máy chủ từ chối bản ghi này.");
    }
}
