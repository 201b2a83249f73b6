//! The one storage interface the handlers use. The SQLite implementation (`sqlite.rs`) is the
//! default; a PostgreSQL one can be added beside it without touching a handler, so nothing here
//! names a rusqlite type.
//!
//! The methods are blocking (SQLite is a blocking library): handlers call them through
//! `AppState::db`, which runs them on tokio's blocking pool.

pub mod sqlite;

use serde::{Deserialize, Serialize};
use sotay_core::record::{self, Change, Entity, MergeError, MergeOutcome, RecordState};
use sotay_core::sync::protocol::ErasedRecord;
use uuid::Uuid;

pub use sqlite::SqliteStorage;
/// Shared with the phones: the attachments a record names, and what an address looks like.
pub use sotay_core::attachments::{attachment_refs, is_sha256};

/// What a storage call can fail with. `Backend` is an internal fault (a 500 that hides its text).
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Invalid(String),
    #[error("storage backend: {0}")]
    Backend(String),
}

pub type StorageResult<T> = Result<T, StorageError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    DistrictAdmin,
    CommuneStaff,
    VillageHead,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::DistrictAdmin => "district_admin",
            Role::CommuneStaff => "commune_staff",
            Role::VillageHead => "village_head",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        [Role::DistrictAdmin, Role::CommuneStaff, Role::VillageHead].into_iter().find(|r| r.as_str() == s)
    }
}

/// A person with a role at a unit. Web users log in with `login` and a password; village heads
/// usually have no login and reach the server only through their enrolled phone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: Uuid,
    pub login: Option<String>,
    pub name: String,
    pub role: Role,
    pub unit: Uuid,
    pub active: bool,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub login: Option<String>,
    pub name: String,
    pub role: Role,
    pub unit: Uuid,
    /// An argon2 PHC string (see `auth::hash_password`), never the password.
    pub password_hash: Option<String>,
}

/// A phone bound to a user and a unit by enrollment.
#[derive(Debug, Clone, PartialEq)]
pub struct Device {
    pub id: Uuid,
    pub user: Uuid,
    pub role: Role,
    pub unit: Uuid,
    /// Ed25519 public key, lowercase hex.
    pub public_key: String,
    pub revoked: bool,
}

/// A one-time enrollment code as stored: only its SHA-256 is kept.
#[derive(Debug, Clone)]
pub struct NewEnrollment {
    pub code_hash: String,
    pub user: Uuid,
    pub unit: Uuid,
    pub created_at: i64,
    pub expires_at: i64,
}

#[derive(Debug, Clone)]
pub struct EnrollDevice {
    pub code_hash: String,
    pub public_key: String,
    pub device_name: String,
    pub now: i64,
}

#[derive(Debug, Clone)]
pub struct Enrolled {
    pub device: Uuid,
    pub user: User,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnrollRefusal {
    UnknownCode,
    Expired,
    AlreadyUsed,
    KeyInUse,
    UserInactive,
}

/// What happened to one change inside a push transaction.
#[derive(Debug, Clone, PartialEq)]
pub enum ApplyOutcome {
    Applied,
    Duplicate,
    Rejected(String),
}

/// One page of a pull: records and erasures in one `seq` order.
#[derive(Debug, Clone)]
pub struct PullPage {
    pub records: Vec<RecordState>,
    /// Records erased on request whose unit is in scope (kind and id only).
    pub erased: Vec<ErasedRecord>,
    /// The seq of the last record or erasure returned (the request's cursor when none).
    pub cursor: u64,
    pub more: bool,
    /// Records and erasures in scope after this page.
    pub remaining: u64,
}

/// What a device may read: every record of the units in `subtree`, and the unit, plan and
/// pledge-template records of the units in `ancestors`.
#[derive(Debug, Clone, Default)]
pub struct ReadScope {
    pub subtree: Vec<Uuid>,
    pub ancestors: Vec<Uuid>,
}

/// How far an attachment's upload has come.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttachmentProgress {
    pub mime: String,
    pub size: u64,
    pub received: u64,
    pub complete: bool,
}

/// One chunk of an attachment upload.
#[derive(Debug, Clone, Copy)]
pub struct ChunkUpload<'a> {
    pub sha256: &'a str,
    pub mime: &'a str,
    /// The whole file's size.
    pub size: u64,
    pub offset: u64,
    pub chunk: &'a [u8],
    pub now: i64,
}


pub trait Storage: Send + Sync + 'static {
    // --- records ---
    /// Write server-authored record states (demo data, admin imports, the web dashboard), each
    /// with a fresh `seq` so phones pull them.
    fn put_records(&self, states: &[RecordState]) -> StorageResult<()>;
    fn record(&self, id: Uuid) -> StorageResult<Option<RecordState>>;
    /// Every record of a kind, in one unit or all of them.
    fn records(&self, entity: Entity, unit: Option<Uuid>) -> StorageResult<Vec<RecordState>>;
    /// How many records of a kind each of `units` holds, split by the value of one field when
    /// `by_field` is given (door-to-door counts by outcome): counted where the records are, without
    /// loading them. Units holding none are left out.
    fn count_records(&self, entity: Entity, units: &[Uuid], by_field: Option<&str>) -> StorageResult<Vec<RecordCount>>;
    /// Apply a device's changes in ONE write transaction, in order, committed before returning:
    /// idempotent by change id, merged with `core::record::merge`, each applied change giving the
    /// record a new `seq`. Scope and validation are checked by the caller beforehand.
    fn apply_changes(&self, device: Uuid, changes: &[&Change], now: i64) -> StorageResult<Vec<ApplyOutcome>>;
    /// Records and erasures with `seq > cursor` in scope, in seq order, at most `limit` of
    /// both together. Records that only `asking` wrote since the cursor (it holds them as they
    /// are) are left out: a phone does not download what it has just pushed.
    fn pull(&self, scope: &ReadScope, asking: Uuid, cursor: u64, limit: usize) -> StorageResult<PullPage>;

    // --- users, sessions ---
    fn create_user(&self, user: NewUser, now: i64) -> StorageResult<User>;
    fn user(&self, id: Uuid) -> StorageResult<Option<User>>;
    /// The user with this login and their password hash.
    fn user_by_login(&self, login: &str) -> StorageResult<Option<(User, Option<String>)>>;
    fn users_at_unit(&self, unit: Uuid) -> StorageResult<Vec<User>>;
    fn set_user_active(&self, id: Uuid, active: bool) -> StorageResult<()>;
    /// A web session, keyed by the SHA-256 of its token.
    fn create_session(&self, token_hash: &str, user: Uuid, now: i64, expires_at: i64) -> StorageResult<()>;
    fn session_user(&self, token_hash: &str, now: i64) -> StorageResult<Option<User>>;
    fn delete_session(&self, token_hash: &str) -> StorageResult<()>;

    // --- enrollment and devices ---
    fn create_enrollment(&self, e: NewEnrollment) -> StorageResult<()>;
    /// Use a code once: bind a new device to the code's user and unit.
    fn enroll(&self, req: EnrollDevice) -> StorageResult<Result<Enrolled, EnrollRefusal>>;
    fn device(&self, id: Uuid) -> StorageResult<Option<Device>>;
    fn devices_of_user(&self, user: Uuid) -> StorageResult<Vec<Device>>;
    fn revoke_device(&self, id: Uuid, now: i64) -> StorageResult<()>;

    // --- attachments ---
    fn attachment(&self, sha256: &str) -> StorageResult<Option<AttachmentProgress>>;
    /// Append a chunk at `offset` (which must equal what was received so far). When the last
    /// byte arrives the content is checked against `sha256`; a mismatch discards the upload.
    fn append_attachment(&self, upload: ChunkUpload<'_>) -> StorageResult<AttachmentProgress>;
    /// The whole file and its MIME type, once complete.
    fn attachment_bytes(&self, sha256: &str) -> StorageResult<Option<(String, Vec<u8>)>>;
    /// Attachments referenced by records of these units but not complete on the server.
    fn missing_attachments(&self, units: &[Uuid]) -> StorageResult<Vec<String>>;
    /// Whether a record of one of these units references the attachment.
    fn attachment_referenced(&self, sha256: &str, units: &[Uuid]) -> StorageResult<bool>;

    /// A cheap round trip to the database, for the health check.
    fn ping(&self) -> StorageResult<()>;

    // --- settings ---
    fn meta(&self, key: &str) -> StorageResult<Option<String>>;
    fn set_meta(&self, key: &str, value: &str) -> StorageResult<()>;

    // --- dashboard: record version, filed reports, audit, erasure on request ---
    /// A number that changes whenever any record changes or is erased (the highest `seq`): caches of
    /// figures computed from records are valid while it stays the same.
    fn records_version(&self) -> StorageResult<u64>;
    fn file_report(&self, filing: &ReportFiling) -> StorageResult<()>;
    /// Every report filed under a plan.
    fn report_filings(&self, plan: Uuid) -> StorageResult<Vec<ReportFiling>>;
    fn report_filing(&self, id: Uuid) -> StorageResult<Option<ReportFiling>>;
    fn audit(&self, entry: &AuditEntry) -> StorageResult<()>;
    /// The latest audit entries, newest first.
    fn audit_entries(&self, limit: usize) -> StorageResult<Vec<AuditEntry>>;
    /// What core's progress is computed from, for the subtree of `scope` under `plan`
    /// (`sotay_core::progress::Facts`, loaded by the core from the `records` table).
    fn progress_facts(&self, tree: &sotay_core::units::UnitTree, scope: Uuid, plan: Option<Uuid>) -> StorageResult<sotay_core::progress::Facts>;
    /// Remove records outright (a household's data erased on request), in one transaction, with
    /// the attachments only they named, and remember their ids: a later push for any of them
    /// (or a visit or pledge naming one of them) is rejected as `erased`. Each record held gets
    /// a `seq` with its kind and unit, so the pulls of the devices whose scope holds that unit
    /// carry the erasure to the phones.
    fn erase_records(&self, ids: &[Uuid], now: i64) -> StorageResult<()>;
}

/// A milestone report a unit filed upward, frozen as filed.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportFiling {
    pub id: Uuid,
    pub unit: Uuid,
    pub plan: Uuid,
    /// "6_month", "9_month", "annual".
    pub milestone: String,
    pub filed_at: i64,
    pub filed_by: Uuid,
    pub filed_by_name: String,
    pub due: Option<chrono::NaiveDate>,
    pub late: bool,
    /// The report (`reports::MilestoneReport`) as JSON.
    pub report: String,
}

/// One line of [`Storage::count_records`]: records of a unit (with one field's value, if split).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordCount {
    pub unit: Uuid,
    /// The field's value as text; `None` when not split, or the field is missing or not text.
    pub value: Option<String>,
    pub count: u64,
}

/// Who did what to which record, for actions on people's data (export, erasure).
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub at: i64,
    pub user: Uuid,
    pub action: String,
    pub subject: Uuid,
    pub detail: String,
}

/// Apply one change to the record as stored (None for a new record). Shared by every storage
/// implementation so they decide alike. `Err` is a reason code for the rejected item.
pub fn merge_change(existing: Option<RecordState>, change: &Change) -> Result<(MergeOutcome, RecordState), String> {
    let mut state = existing.unwrap_or_else(|| RecordState::new(change.entity, change.record, change.unit));
    record::merge(&mut state, change).map(|o| (o, state)).map_err(|e| rejection_reason(&e).to_string())
}

/// The stable reason code a rejected change carries (see `protocol::reason_vi`).
pub fn rejection_reason(e: &MergeError) -> &'static str {
    match e {
        MergeError::SealedDiffers => "sealed_differs",
        MergeError::EntityMismatch => "entity_mismatch",
        MergeError::UnitMismatch => "unit_mismatch",
        MergeError::NotSealable => "not_sealable",
        MergeError::SealMismatch => "seal_mismatch",
    }
}
