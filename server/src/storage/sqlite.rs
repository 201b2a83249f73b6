//! The embedded SQLite storage: one writer connection (behind a mutex, WAL, busy timeout) and a
//! small pool of read connections, which WAL lets run beside the writer.
//!
//! Deployment decision: the server's database is plain SQLite, not SQLCipher. Phones encrypt
//! because they get lost; the server's data is protected by disk encryption on the host (LUKS or
//! the cloud provider's volume encryption) and by the host's access control.
//!
//! The `records` table has the same columns as the phone store's (core/src/schema.rs) plus
//! `seq`, the pull cursor, so the core's record readers and progress loader run on it unchanged.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, params};
use sotay_core::households::household_named_by;
use sotay_core::record::{Change, Entity, MergeOutcome, RecordState};
use sotay_core::store::{RECORD_COLUMNS, record_from_row, upsert_record};
use sotay_core::sync::protocol::ErasedRecord;
use uuid::Uuid;

use super::{
    ApplyOutcome, AttachmentProgress, ChunkUpload, Device, EnrollDevice, EnrollRefusal, Enrolled, NewEnrollment, NewUser, PullPage,
    ReadScope, Role, Storage, StorageError, StorageResult, User, attachment_refs, merge_change,
};
use super::{AuditEntry, RecordCount, ReportFiling};

/// Migration `i` takes the schema from version `i` to `i + 1`. Never edit a shipped one.
/// The records table is the phone store's (`sotay_core::records_table!`) plus `seq`.
const MIGRATIONS: &[&str] = &[concat!(r#"
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) STRICT;"#,
    sotay_core::records_table!("seq       INTEGER NOT NULL"),
    r#"    CREATE UNIQUE INDEX records_by_seq ON records (seq);
    CREATE INDEX records_by_unit_seq ON records (unit_id, seq);
    -- Change ids already taken, so a repeated push is a duplicate.
    CREATE TABLE changes (
        id          TEXT PRIMARY KEY,
        record_id   TEXT NOT NULL,
        device_id   TEXT NOT NULL,
        received_at INTEGER NOT NULL
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE users (
        id            TEXT PRIMARY KEY,
        login         TEXT UNIQUE,
        name          TEXT NOT NULL,
        role          TEXT NOT NULL,
        unit_id       TEXT NOT NULL,
        password_hash TEXT,
        active        INTEGER NOT NULL DEFAULT 1,
        created_at    INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX users_by_unit ON users (unit_id);
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        user_id    TEXT NOT NULL REFERENCES users (id),
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE enrollments (
        code_hash  TEXT PRIMARY KEY,
        user_id    TEXT NOT NULL REFERENCES users (id),
        unit_id    TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at    INTEGER,
        device_id  TEXT
    ) STRICT;
    CREATE TABLE devices (
        id         TEXT PRIMARY KEY,
        user_id    TEXT NOT NULL REFERENCES users (id),
        unit_id    TEXT NOT NULL,
        public_key TEXT NOT NULL UNIQUE,
        name       TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
    ) STRICT;
    CREATE INDEX devices_by_user ON devices (user_id);
    CREATE TABLE attachments (
        sha256     TEXT PRIMARY KEY,
        mime       TEXT NOT NULL,
        size       INTEGER NOT NULL,
        received   INTEGER NOT NULL,
        complete   INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE attachment_chunks (
        sha256 TEXT NOT NULL,
        offset INTEGER NOT NULL,
        data   BLOB NOT NULL,
        PRIMARY KEY (sha256, offset)
    ) STRICT;
    -- Which record names which attachment (kept on every write), for the missing list.
    CREATE TABLE attachment_refs (
        sha256    TEXT NOT NULL,
        record_id TEXT NOT NULL,
        unit_id   TEXT NOT NULL,
        PRIMARY KEY (sha256, record_id)
    ) STRICT;
    CREATE INDEX attachment_refs_by_unit ON attachment_refs (unit_id);
"#), r#"
    -- Milestone reports filed through the dashboard, frozen as filed (the report as JSON).
    CREATE TABLE report_filings (
        id            TEXT PRIMARY KEY,
        unit_id       TEXT NOT NULL,
        plan_id       TEXT NOT NULL,
        milestone     TEXT NOT NULL,
        filed_at      INTEGER NOT NULL,
        filed_by      TEXT NOT NULL,
        filed_by_name TEXT NOT NULL,
        due           TEXT,
        late          INTEGER NOT NULL,
        report        TEXT NOT NULL
    ) STRICT;
    CREATE INDEX report_filings_by_plan ON report_filings (plan_id, unit_id);
    -- Actions on people's data (export, erasure): who, when, which record; never its content.
    CREATE TABLE audit (
        at      INTEGER NOT NULL,
        user_id TEXT NOT NULL,
        action  TEXT NOT NULL,
        subject TEXT NOT NULL,
        detail  TEXT NOT NULL
    ) STRICT;
    CREATE INDEX audit_by_time ON audit (at);
"#,
    // 3: the phone store's covering indexes for progress, so `core::progress` reads indexes.
    sotay_core::schema::PROGRESS_INDEXES,
    // 4: ids erased on request, so a phone that still holds the data cannot bring it back.
    r#"
    CREATE TABLE erased (
        record_id TEXT PRIMARY KEY,
        erased_at INTEGER NOT NULL
    ) STRICT, WITHOUT ROWID;
"#,
    // 5: erasures travel to the phones: each takes a seq from the records' sequence (the pull
    // cursor) with the kind and unit of the record, so scope decides who hears of it. Ids erased
    // before this keep NULLs (their unit is gone) and are not sent.
    r#"
    ALTER TABLE erased ADD COLUMN entity TEXT;
    ALTER TABLE erased ADD COLUMN unit_id TEXT;
    ALTER TABLE erased ADD COLUMN seq INTEGER;
    CREATE UNIQUE INDEX erased_by_seq ON erased (seq);
"#,
    // 6: a device's own writes are not sent back to it. Per record: the device that wrote it last
    // (NULL: the server itself) and the seq of the last write by anyone else (0: none). Records
    // from before keep NULL and are sent to everyone, as before.
    r#"
    ALTER TABLE records ADD COLUMN last_device TEXT;
    ALTER TABLE records ADD COLUMN foreign_seq INTEGER NOT NULL DEFAULT 0;
"#,
];

const READERS: usize = 4;

pub struct SqliteStorage {
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    path: PathBuf,
}

fn backend(e: impl std::fmt::Display) -> StorageError {
    StorageError::Backend(e.to_string())
}

impl From<rusqlite::Error> for StorageError {
    fn from(e: rusqlite::Error) -> Self {
        backend(e)
    }
}

impl From<serde_json::Error> for StorageError {
    fn from(e: serde_json::Error) -> Self {
        backend(e)
    }
}

impl From<sotay_core::Error> for StorageError {
    fn from(e: sotay_core::Error) -> Self {
        backend(e)
    }
}

impl SqliteStorage {
    /// Open (or create) the database file and bring its schema up to date.
    pub fn open(path: impl AsRef<Path>) -> StorageResult<SqliteStorage> {
        let path = path.as_ref().to_path_buf();
        sotay_core::store::initialize_sqlite()?;
        let mut conn = Connection::open(&path)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // FULL: a change acknowledged to a phone (which then drops it from its outbox) must
        // survive a power cut of the server.
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let tx = conn.transaction()?;
        let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if current > MIGRATIONS.len() as i64 {
            return Err(backend(format!("database schema {current} is newer than this build knows")));
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        }
        tx.commit()?;
        Ok(SqliteStorage { writer: Mutex::new(conn), readers: Mutex::new(Vec::new()), path })
    }

    fn writer(&self) -> MutexGuard<'_, Connection> {
        // A panic inside a transaction rolls it back, so a poisoned connection is still sound.
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Run `f` in one write transaction (BEGIN IMMEDIATE), committed when it returns Ok.
    fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> StorageResult<T>) -> StorageResult<T> {
        let mut conn = self.writer();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Run `f` on a read connection from the pool (opened on demand).
    fn read<T>(&self, f: impl FnOnce(&Connection) -> StorageResult<T>) -> StorageResult<T> {
        let pooled = self.readers.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match pooled {
            Some(c) => c,
            None => {
                let c = Connection::open_with_flags(&self.path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
                c.busy_timeout(Duration::from_secs(10))?;
                c
            }
        };
        let out = f(&conn);
        let mut pool = self.readers.lock().unwrap_or_else(|p| p.into_inner());
        if pool.len() < READERS {
            pool.push(conn);
        }
        out
    }
}

/// The highest seq given so far. Erasures share the sequence: a pull cursor that moved past an
/// erasure must never see a later record take a seq at or below it.
fn last_seq(conn: &Connection) -> StorageResult<i64> {
    Ok(conn
        .prepare_cached("SELECT max(COALESCE((SELECT MAX(seq) FROM records), 0), COALESCE((SELECT MAX(seq) FROM erased), 0))")?
        .query_row([], |r| r.get(0))?)
}

fn next_seq(conn: &Connection) -> StorageResult<i64> {
    Ok(last_seq(conn)? + 1)
}

fn load(conn: &Connection, id: Uuid) -> StorageResult<Option<RecordState>> {
    Ok(sotay_core::store::load_record(conn, id)?)
}

/// Who wrote a record last (migration 6): the device (None: the server) and the seq of the last
/// write by anyone else.
struct LastWrite {
    seq: i64,
    device: Option<String>,
    foreign_seq: i64,
}

/// A record with its last write, in one read: what a device's change is merged into and saved over.
fn load_for_write(conn: &Connection, id: Uuid) -> StorageResult<Option<(RecordState, LastWrite)>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {RECORD_COLUMNS}, seq, last_device, foreign_seq FROM records WHERE id = ?1"))?;
    let mut rows = stmt.query([id.to_string()])?;
    let Some(r) = rows.next()? else { return Ok(None) };
    Ok(Some((record_from_row(r)?, LastWrite { seq: r.get(6)?, device: r.get(7)?, foreign_seq: r.get(8)? })))
}

/// Insert or replace a record with the next seq, and index the attachments it names. `device` is
/// the device whose change this is, with the record's last write as it was before (`before`), so
/// that a pull need not send a device what it wrote itself. None: written by the server, which is
/// sent to every device (its `foreign_seq` is never read, as no device is its last writer).
fn save(conn: &Connection, s: &RecordState, device: Option<Uuid>, before: Option<&LastWrite>) -> StorageResult<()> {
    let writer = device.map(|d| d.to_string());
    // The last write by someone other than `writer`: unchanged while the same device keeps
    // writing, else the write just before this one.
    let foreign_seq = match before {
        Some(b) if writer.is_some() && b.device == writer => b.foreign_seq,
        Some(b) if writer.is_some() => b.seq,
        _ => 0,
    };
    let seq = next_seq(conn)?;
    upsert_record(conn, s, &[("seq", &seq), ("last_device", &writer), ("foreign_seq", &foreign_seq)])?;
    let refs = attachment_refs(&s.fields);
    if !refs.is_empty() {
        let mut stmt = conn.prepare_cached("INSERT OR IGNORE INTO attachment_refs (sha256, record_id, unit_id) VALUES (?1, ?2, ?3)")?;
        for sha in refs {
            stmt.execute(params![sha, s.id.to_string(), s.unit.to_string()])?;
        }
    }
    Ok(())
}

fn parse_uuid(s: &str) -> StorageResult<Uuid> {
    Uuid::parse_str(s).map_err(backend)
}

fn user_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(String, Option<String>, String, String, String, bool)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
}

fn to_user(row: (String, Option<String>, String, String, String, bool)) -> StorageResult<User> {
    let (id, login, name, role, unit, active) = row;
    Ok(User {
        id: parse_uuid(&id)?,
        login,
        name,
        role: Role::parse(&role).ok_or_else(|| backend("unknown role in database"))?,
        unit: parse_uuid(&unit)?,
        active,
    })
}

const USER_COLUMNS: &str = "id, login, name, role, unit_id, active";

/// The ids as a JSON array, for `IN (SELECT value FROM json_each(?))`.
fn id_list(ids: &[Uuid]) -> String {
    serde_json::to_string(&ids.iter().map(|u| u.to_string()).collect::<Vec<_>>()).unwrap_or_else(|_| "[]".into())
}

impl Storage for SqliteStorage {
    fn put_records(&self, states: &[RecordState]) -> StorageResult<()> {
        self.write(|tx| {
            for s in states {
                save(tx, s, None, None)?;
            }
            Ok(())
        })
    }

    fn record(&self, id: Uuid) -> StorageResult<Option<RecordState>> {
        self.read(|c| load(c, id))
    }

    fn records(&self, entity: Entity, unit: Option<Uuid>) -> StorageResult<Vec<RecordState>> {
        self.read(|c| Ok(sotay_core::store::list_records(c, entity, unit)?))
    }

    fn count_records(&self, entity: Entity, units: &[Uuid], by_field: Option<&str>) -> StorageResult<Vec<RecordCount>> {
        let units = serde_json::to_string(&units.iter().map(Uuid::to_string).collect::<Vec<_>>()).map_err(backend)?;
        self.read(|c| {
            // Without a field, the (entity, unit_id, id) index answers alone.
            let sql = match by_field {
                None => "SELECT unit_id, NULL, count(*) FROM records WHERE entity = ?1 AND unit_id IN (SELECT value FROM json_each(?2)) GROUP BY 1",
                Some(_) => {
                    "SELECT unit_id, json_extract(doc, '$.' || ?3), count(*) FROM records
                     WHERE entity = ?1 AND unit_id IN (SELECT value FROM json_each(?2)) GROUP BY 1, 2"
                }
            };
            let mut stmt = c.prepare_cached(sql)?;
            let mut rows = match by_field {
                None => stmt.query(params![entity.as_str(), units])?,
                Some(field) => stmt.query(params![entity.as_str(), units, field])?,
            };
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                let value = match row.get_ref(1)? {
                    rusqlite::types::ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
                    _ => None,
                };
                out.push(RecordCount { unit: parse_uuid(&row.get::<_, String>(0)?)?, value, count: row.get::<_, i64>(2)?.max(0) as u64 });
            }
            Ok(out)
        })
    }

    fn apply_changes(&self, device: Uuid, changes: &[&Change], now: i64) -> StorageResult<Vec<ApplyOutcome>> {
        self.write(|tx| {
            let device_id = device;
            let device = device.to_string();
            let mut seen = tx.prepare_cached("SELECT 1 FROM changes WHERE id = ?1")?;
            let mut remember =
                tx.prepare_cached("INSERT INTO changes (id, record_id, device_id, received_at) VALUES (?1, ?2, ?3, ?4)")?;
            let mut erased = tx.prepare_cached("SELECT 1 FROM erased WHERE record_id = ?1")?;
            let mut out = Vec::with_capacity(changes.len());
            for change in changes {
                let id = change.id.to_string();
                if seen.exists([&id])? {
                    out.push(ApplyOutcome::Duplicate);
                    continue;
                }
                let about_erased = match household_named_by(change.entity, &change.fields) {
                    Some(id) => erased.exists([id])?,
                    None => false,
                };
                if about_erased || erased.exists([change.record.to_string()])? {
                    out.push(ApplyOutcome::Rejected(sotay_core::sync::protocol::reason::ERASED.to_string()));
                    continue;
                }
                let (current, before) = load_for_write(tx, change.record)?.unzip();
                let outcome = match merge_change(current, change) {
                    Err(reason) => {
                        // Not remembered: the phone may fix the item and send it again.
                        out.push(ApplyOutcome::Rejected(reason));
                        continue;
                    }
                    Ok((MergeOutcome::Applied, state)) => {
                        save(tx, &state, Some(device_id), before.as_ref())?;
                        ApplyOutcome::Applied
                    }
                    Ok((MergeOutcome::Duplicate, _)) => ApplyOutcome::Duplicate,
                };
                remember.execute(params![id, change.record.to_string(), device, now])?;
                out.push(outcome);
            }
            Ok(out)
        })
    }

    fn pull(&self, scope: &ReadScope, asking: Uuid, cursor: u64, limit: usize) -> StorageResult<PullPage> {
        const IN_SCOPE: &str = "(unit_id IN (SELECT value FROM json_each(?2))
            OR (entity IN ('unit', 'plan', 'pledge_template') AND unit_id IN (SELECT value FROM json_each(?3))))";
        // What the asking device wrote itself since the cursor, with no one else writing since,
        // it already holds as the server does: not sent back (`?5` is the device).
        const NOT_ITS_OWN: &str = "NOT (last_device IS ?5 AND foreign_seq <= ?1)";
        self.read(|c| {
            let (subtree, ancestors) = (id_list(&scope.subtree), id_list(&scope.ancestors));
            let asking = asking.to_string();
            // Records and erasures in one seq order; an erasure row carries only kind and id.
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {RECORD_COLUMNS}, seq, 0 AS erased FROM records WHERE seq > ?1 AND {IN_SCOPE} AND {NOT_ITS_OWN}
                 UNION ALL
                 SELECT record_id, entity, unit_id, '', '', NULL, seq, 1 FROM erased WHERE seq > ?1 AND {IN_SCOPE}
                 ORDER BY seq LIMIT ?4"
            ))?;
            let cursor_i = i64::try_from(cursor).unwrap_or(i64::MAX);
            let mut rows = stmt.query(params![cursor_i, subtree, ancestors, (limit + 1) as i64, asking])?;
            let (mut records, mut erased) = (Vec::new(), Vec::new());
            let mut last = cursor_i;
            let mut more = false;
            while let Some(r) = rows.next()? {
                if records.len() + erased.len() == limit {
                    more = true;
                    break;
                }
                if r.get::<_, bool>(7)? {
                    let entity: String = r.get(1)?;
                    erased.push(ErasedRecord { entity: entity.parse()?, id: parse_uuid(&r.get::<_, String>(0)?)? });
                } else {
                    records.push(record_from_row(r)?);
                }
                last = r.get(6)?;
            }
            let remaining: i64 = if more {
                c.prepare_cached(&format!(
                    "SELECT (SELECT COUNT(*) FROM records WHERE seq > ?1 AND {IN_SCOPE} AND {NOT_ITS_OWN})
                          + (SELECT COUNT(*) FROM erased WHERE seq > ?1 AND {IN_SCOPE})"
                ))?
                // Counted as the next page will be asked for: from `last` (`?4` is unused here).
                .query_row(params![last, subtree, ancestors, rusqlite::types::Null, asking], |r| r.get(0))?
            } else {
                0
            };
            Ok(PullPage { records, erased, cursor: last as u64, more, remaining: remaining as u64 })
        })
    }

    fn create_user(&self, user: NewUser, now: i64) -> StorageResult<User> {
        let id = Uuid::now_v7();
        self.write(|tx| {
            let taken = match &user.login {
                Some(login) => tx.prepare_cached("SELECT 1 FROM users WHERE login = ?1")?.exists([login])?,
                None => false,
            };
            if taken {
                return Err(StorageError::Conflict("this login is already taken".into()));
            }
            tx.prepare_cached(
                "INSERT INTO users (id, login, name, role, unit_id, password_hash, active, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7)",
            )?
            .execute(params![
                id.to_string(),
                user.login,
                user.name,
                user.role.as_str(),
                user.unit.to_string(),
                user.password_hash,
                now
            ])?;
            Ok(())
        })?;
        Ok(User { id, login: user.login, name: user.name, role: user.role, unit: user.unit, active: true })
    }

    fn user(&self, id: Uuid) -> StorageResult<Option<User>> {
        self.read(|c| {
            let row = c
                .prepare_cached(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"))?
                .query_row([id.to_string()], user_from_row)
                .optional()?;
            row.map(to_user).transpose()
        })
    }

    fn user_by_login(&self, login: &str) -> StorageResult<Option<(User, Option<String>)>> {
        self.read(|c| {
            let row = c
                .prepare_cached(&format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE login = ?1"))?
                .query_row([login], |r| Ok((user_from_row(r)?, r.get::<_, Option<String>>(6)?)))
                .optional()?;
            row.map(|(u, hash)| Ok((to_user(u)?, hash))).transpose()
        })
    }

    fn users_at_unit(&self, unit: Uuid) -> StorageResult<Vec<User>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(&format!("SELECT {USER_COLUMNS} FROM users WHERE unit_id = ?1 ORDER BY created_at"))?;
            let rows = stmt.query_map([unit.to_string()], user_from_row)?;
            rows.map(|r| to_user(r?)).collect()
        })
    }

    fn set_user_active(&self, id: Uuid, active: bool) -> StorageResult<()> {
        self.write(|tx| {
            let n = tx.execute("UPDATE users SET active = ?2 WHERE id = ?1", params![id.to_string(), active])?;
            if n == 0 {
                return Err(StorageError::NotFound("user"));
            }
            Ok(())
        })
    }

    fn create_session(&self, token_hash: &str, user: Uuid, now: i64, expires_at: i64) -> StorageResult<()> {
        self.write(|tx| {
            tx.execute("DELETE FROM sessions WHERE expires_at <= ?1", [now])?;
            tx.execute(
                "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
                params![token_hash, user.to_string(), now, expires_at],
            )?;
            Ok(())
        })
    }

    fn session_user(&self, token_hash: &str, now: i64) -> StorageResult<Option<User>> {
        self.read(|c| {
            let cols = USER_COLUMNS.split(", ").map(|col| format!("u.{col}")).collect::<Vec<_>>().join(", ");
            let row = c
                .prepare_cached(&format!(
                    "SELECT {cols} FROM sessions s JOIN users u ON u.id = s.user_id
                     WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND u.active = 1"
                ))?
                .query_row(params![token_hash, now], user_from_row)
                .optional()?;
            row.map(to_user).transpose()
        })
    }

    fn delete_session(&self, token_hash: &str) -> StorageResult<()> {
        self.write(|tx| {
            tx.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?;
            Ok(())
        })
    }

    fn create_enrollment(&self, e: NewEnrollment) -> StorageResult<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO enrollments (code_hash, user_id, unit_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![e.code_hash, e.user.to_string(), e.unit.to_string(), e.created_at, e.expires_at],
            )?;
            Ok(())
        })
    }

    fn enroll(&self, req: EnrollDevice) -> StorageResult<Result<Enrolled, EnrollRefusal>> {
        self.write(|tx| {
            let row = tx
                .query_row(
                    "SELECT user_id, unit_id, expires_at, device_id FROM enrollments WHERE code_hash = ?1",
                    [&req.code_hash],
                    |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, Option<String>>(3)?)),
                )
                .optional()?;
            let Some((user_id, unit_id, expires_at, enrolled_device)) = row else {
                return Ok(Err(EnrollRefusal::UnknownCode));
            };
            // A used code enrolls again only the same key while the code is valid: the phone
            // retrying after the reply was lost gets the device it already has.
            let retried = match &enrolled_device {
                Some(d) if req.now < expires_at => tx
                    .query_row("SELECT public_key = ?2 AND revoked_at IS NULL FROM devices WHERE id = ?1", params![d, req.public_key], |r| {
                        r.get::<_, bool>(0)
                    })
                    .optional()?
                    .unwrap_or(false),
                _ => false,
            };
            if enrolled_device.is_some() && !retried {
                return Ok(Err(EnrollRefusal::AlreadyUsed));
            }
            if req.now >= expires_at {
                return Ok(Err(EnrollRefusal::Expired));
            }
            if !retried && tx.prepare_cached("SELECT 1 FROM devices WHERE public_key = ?1")?.exists([&req.public_key])? {
                return Ok(Err(EnrollRefusal::KeyInUse));
            }
            let user = tx
                .query_row(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"), [&user_id], user_from_row)
                .optional()?
                .map(to_user)
                .transpose()?
                .ok_or(StorageError::NotFound("user"))?;
            if !user.active {
                return Ok(Err(EnrollRefusal::UserInactive));
            }
            if let Some(device) = enrolled_device {
                return Ok(Ok(Enrolled { device: parse_uuid(&device)?, user }));
            }
            let device = Uuid::now_v7();
            tx.execute(
                "INSERT INTO devices (id, user_id, unit_id, public_key, name, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![device.to_string(), user_id, unit_id, req.public_key, req.device_name, req.now],
            )?;
            tx.execute(
                "UPDATE enrollments SET used_at = ?2, device_id = ?3 WHERE code_hash = ?1",
                params![req.code_hash, req.now, device.to_string()],
            )?;
            Ok(Ok(Enrolled { device, user }))
        })
    }

    fn device(&self, id: Uuid) -> StorageResult<Option<Device>> {
        self.read(|c| {
            let row = c
                .prepare_cached(
                    "SELECT d.user_id, u.role, d.unit_id, d.public_key, d.revoked_at IS NOT NULL OR u.active = 0
                     FROM devices d JOIN users u ON u.id = d.user_id WHERE d.id = ?1",
                )?
                .query_row([id.to_string()], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?, r.get::<_, bool>(4)?))
                })
                .optional()?;
            row.map(|(user, role, unit, public_key, revoked)| {
                Ok(Device {
                    id,
                    user: parse_uuid(&user)?,
                    role: Role::parse(&role).ok_or_else(|| backend("unknown role in database"))?,
                    unit: parse_uuid(&unit)?,
                    public_key,
                    revoked,
                })
            })
            .transpose()
        })
    }

    fn devices_of_user(&self, user: Uuid) -> StorageResult<Vec<Device>> {
        let ids: Vec<String> = self.read(|c| {
            let mut stmt = c.prepare_cached("SELECT id FROM devices WHERE user_id = ?1 ORDER BY created_at")?;
            let rows = stmt.query_map([user.to_string()], |r| r.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })?;
        let mut out = Vec::new();
        for id in ids {
            if let Some(d) = self.device(parse_uuid(&id)?)? {
                out.push(d);
            }
        }
        Ok(out)
    }

    fn revoke_device(&self, id: Uuid, now: i64) -> StorageResult<()> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE devices SET revoked_at = COALESCE(revoked_at, ?2) WHERE id = ?1",
                params![id.to_string(), now],
            )?;
            if n == 0 {
                return Err(StorageError::NotFound("device"));
            }
            Ok(())
        })
    }

    fn attachment(&self, sha256: &str) -> StorageResult<Option<AttachmentProgress>> {
        self.read(|c| {
            Ok(c.prepare_cached("SELECT mime, size, received, complete FROM attachments WHERE sha256 = ?1")?
                .query_row([sha256], |r| {
                    Ok(AttachmentProgress {
                        mime: r.get(0)?,
                        size: r.get::<_, i64>(1)? as u64,
                        received: r.get::<_, i64>(2)? as u64,
                        complete: r.get(3)?,
                    })
                })
                .optional()?)
        })
    }

    fn append_attachment(&self, up: ChunkUpload<'_>) -> StorageResult<AttachmentProgress> {
        let ChunkUpload { sha256, mime, size, offset, chunk, now } = up;
        self.write(|tx| {
            let row = tx
                .query_row("SELECT mime, size, received, complete FROM attachments WHERE sha256 = ?1", [sha256], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64, r.get::<_, i64>(2)? as u64, r.get::<_, bool>(3)?))
                })
                .optional()?;
            let (mime, received) = match row {
                // Already whole: nothing to do, the phone learns it is complete.
                Some((m, s, r, true)) => return Ok(AttachmentProgress { mime: m, size: s, received: r, complete: true }),
                Some((m, s, r, false)) if s == size => (m, r),
                Some((_, s, _, false)) => {
                    return Err(StorageError::Conflict(format!("this attachment was started with size {s}")));
                }
                None => {
                    tx.execute(
                        "INSERT INTO attachments (sha256, mime, size, received, complete, created_at) VALUES (?1, ?2, ?3, 0, 0, ?4)",
                        params![sha256, mime, size as i64, now],
                    )?;
                    (mime.to_string(), 0)
                }
            };
            if offset != received {
                return Err(StorageError::Conflict(format!("the server holds {received} bytes of this attachment")));
            }
            if received + chunk.len() as u64 > size {
                return Err(StorageError::Invalid("the chunk goes past the declared size".into()));
            }
            if !chunk.is_empty() {
                tx.execute(
                    "INSERT INTO attachment_chunks (sha256, offset, data) VALUES (?1, ?2, ?3)",
                    params![sha256, offset as i64, chunk],
                )?;
            }
            let received = received + chunk.len() as u64;
            let mut complete = false;
            if received == size {
                let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
                let mut stmt = tx.prepare_cached("SELECT data FROM attachment_chunks WHERE sha256 = ?1 ORDER BY offset")?;
                let mut rows = stmt.query([sha256])?;
                while let Some(row) = rows.next()? {
                    ctx.update(row.get_ref(0)?.as_blob().map_err(backend)?);
                }
                if sotay_core::record::hex(ctx.finish().as_ref()) != sha256 {
                    // Discard the upload and commit that, so the phone can start over.
                    tx.execute("DELETE FROM attachment_chunks WHERE sha256 = ?1", [sha256])?;
                    tx.execute("DELETE FROM attachments WHERE sha256 = ?1", [sha256])?;
                    return Ok(AttachmentProgress { mime, size, received: 0, complete: false });
                }
                complete = true;
            }
            tx.execute(
                "UPDATE attachments SET received = ?2, complete = ?3 WHERE sha256 = ?1",
                params![sha256, received as i64, complete],
            )?;
            Ok(AttachmentProgress { mime, size, received, complete })
        })
    }

    fn attachment_bytes(&self, sha256: &str) -> StorageResult<Option<(String, Vec<u8>)>> {
        self.read(|c| {
            let row: Option<(String, bool)> = c
                .query_row("SELECT mime, complete FROM attachments WHERE sha256 = ?1", [sha256], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            let Some((mime, true)) = row else { return Ok(None) };
            let mut stmt = c.prepare_cached("SELECT data FROM attachment_chunks WHERE sha256 = ?1 ORDER BY offset")?;
            let mut rows = stmt.query([sha256])?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                out.extend_from_slice(row.get_ref(0)?.as_blob().map_err(backend)?);
            }
            Ok(Some((mime, out)))
        })
    }

    fn missing_attachments(&self, units: &[Uuid]) -> StorageResult<Vec<String>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT DISTINCT r.sha256 FROM attachment_refs r LEFT JOIN attachments a ON a.sha256 = r.sha256
                 WHERE r.unit_id IN (SELECT value FROM json_each(?1)) AND COALESCE(a.complete, 0) = 0 ORDER BY r.sha256",
            )?;
            let rows = stmt.query_map([id_list(units)], |r| r.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    fn attachment_referenced(&self, sha256: &str, units: &[Uuid]) -> StorageResult<bool> {
        self.read(|c| {
            Ok(c.prepare_cached(
                "SELECT 1 FROM attachment_refs WHERE sha256 = ?1 AND unit_id IN (SELECT value FROM json_each(?2))",
            )?
            .exists(params![sha256, id_list(units)])?)
        })
    }

    fn ping(&self) -> StorageResult<()> {
        self.read(|c| Ok(c.query_row("SELECT 1", [], |_| Ok(()))?))
    }

    fn meta(&self, key: &str) -> StorageResult<Option<String>> {
        self.read(|c| Ok(c.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?))
    }

    fn set_meta(&self, key: &str, value: &str) -> StorageResult<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )?;
            Ok(())
        })
    }

    fn records_version(&self) -> StorageResult<u64> {
        self.read(|c| Ok(last_seq(c)? as u64))
    }

    fn file_report(&self, f: &ReportFiling) -> StorageResult<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO report_filings (id, unit_id, plan_id, milestone, filed_at, filed_by, filed_by_name, due, late, report)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    f.id.to_string(),
                    f.unit.to_string(),
                    f.plan.to_string(),
                    f.milestone,
                    f.filed_at,
                    f.filed_by.to_string(),
                    f.filed_by_name,
                    f.due.map(|d| d.format("%Y-%m-%d").to_string()),
                    f.late,
                    f.report
                ],
            )?;
            Ok(())
        })
    }

    fn report_filings(&self, plan: Uuid) -> StorageResult<Vec<ReportFiling>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(&format!("SELECT {FILING_COLUMNS} FROM report_filings WHERE plan_id = ?1 ORDER BY filed_at"))?;
            let rows = stmt.query_map([plan.to_string()], filing_row)?;
            rows.map(|r| to_filing(r?)).collect()
        })
    }

    fn report_filing(&self, id: Uuid) -> StorageResult<Option<ReportFiling>> {
        self.read(|c| {
            c.prepare_cached(&format!("SELECT {FILING_COLUMNS} FROM report_filings WHERE id = ?1"))?
                .query_row([id.to_string()], filing_row)
                .optional()?
                .map(to_filing)
                .transpose()
        })
    }

    fn audit(&self, e: &AuditEntry) -> StorageResult<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO audit (at, user_id, action, subject, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![e.at, e.user.to_string(), e.action, e.subject.to_string(), e.detail],
            )?;
            Ok(())
        })
    }

    fn audit_entries(&self, limit: usize) -> StorageResult<Vec<AuditEntry>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached("SELECT at, user_id, action, subject, detail FROM audit ORDER BY at DESC, rowid DESC LIMIT ?1")?;
            let rows = stmt.query_map([limit as i64], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?, r.get::<_, String>(4)?))
            })?;
            rows.map(|r| {
                let (at, user, action, subject, detail) = r?;
                Ok(AuditEntry { at, user: parse_uuid(&user)?, action, subject: parse_uuid(&subject)?, detail })
            })
            .collect()
        })
    }

    fn progress_facts(&self, tree: &sotay_core::units::UnitTree, scope: Uuid, plan: Option<Uuid>) -> StorageResult<sotay_core::progress::Facts> {
        self.read(|c| Ok(sotay_core::progress::Facts::load(c, tree, scope, plan)?))
    }

    fn erase_records(&self, ids: &[Uuid], now: i64) -> StorageResult<()> {
        self.write(|tx| {
            for id in ids {
                let key = id.to_string();
                let Some(held) = load(tx, *id)? else {
                    // Nothing here to announce; the id is still refused from now on.
                    tx.execute("INSERT INTO erased (record_id, erased_at) VALUES (?1, ?2) ON CONFLICT DO NOTHING", params![key, now])?;
                    continue;
                };
                // Taken while the record still holds its seq: the erasure must come after it.
                let seq = next_seq(tx)?;
                tx.execute("DELETE FROM records WHERE id = ?1", [&key])?;
                tx.execute("DELETE FROM attachment_refs WHERE record_id = ?1", [&key])?;
                // A signature image is the person's too: dropped unless another record names it.
                for sha in attachment_refs(&held.fields) {
                    if !tx.prepare_cached("SELECT 1 FROM attachment_refs WHERE sha256 = ?1")?.exists([&sha])? {
                        tx.execute("DELETE FROM attachment_chunks WHERE sha256 = ?1", [&sha])?;
                        tx.execute("DELETE FROM attachments WHERE sha256 = ?1", [&sha])?;
                    }
                }
                tx.execute(
                    "INSERT INTO erased (record_id, erased_at, entity, unit_id, seq) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (record_id) DO UPDATE SET
                        erased_at = excluded.erased_at, entity = excluded.entity, unit_id = excluded.unit_id, seq = excluded.seq",
                    params![key, now, held.entity.as_str(), held.unit.to_string(), seq],
                )?;
            }
            Ok(())
        })
    }
}

const FILING_COLUMNS: &str = "id, unit_id, plan_id, milestone, filed_at, filed_by, filed_by_name, due, late, report";

type FilingRow = (String, String, String, String, i64, String, String, Option<String>, bool, String);

fn filing_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<FilingRow> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?))
}

fn to_filing(row: FilingRow) -> StorageResult<ReportFiling> {
    let (id, unit, plan, milestone, filed_at, filed_by, filed_by_name, due, late, report) = row;
    Ok(ReportFiling {
        id: parse_uuid(&id)?,
        unit: parse_uuid(&unit)?,
        plan: parse_uuid(&plan)?,
        milestone,
        filed_at,
        filed_by: parse_uuid(&filed_by)?,
        filed_by_name,
        due: due.and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
        late,
        report,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_records_per_unit_and_by_a_field_without_other_units() {
        let dir = tempfile::tempdir().unwrap();
        let storage = SqliteStorage::open(dir.path().join("sotay.db")).unwrap();
        let (a, b, elsewhere) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let visit = |unit: Uuid, outcome: serde_json::Value| {
            let mut s = RecordState::new(Entity::Visit, Uuid::now_v7(), unit);
            if !outcome.is_null() {
                s.fields.insert("outcome".into(), outcome);
            }
            s
        };
        let states = vec![
            visit(a, "pledged".into()),
            visit(a, "pledged".into()),
            visit(a, "absent".into()),
            visit(a, serde_json::Value::Null),
            visit(b, "refused".into()),
            visit(elsewhere, "pledged".into()),
            RecordState::new(Entity::Household, Uuid::now_v7(), a),
        ];
        storage.put_records(&states).unwrap();

        let mut all = storage.count_records(Entity::Visit, &[a, b], None).unwrap();
        all.sort_by_key(|c| (c.unit != a, c.count));
        assert_eq!(all, [RecordCount { unit: a, value: None, count: 4 }, RecordCount { unit: b, value: None, count: 1 }]);

        let mut by = storage.count_records(Entity::Visit, &[a, b], Some("outcome")).unwrap();
        by.sort_by(|x, y| (x.unit != a, &x.value).cmp(&(y.unit != a, &y.value)));
        let seen: Vec<(bool, Option<&str>, u64)> = by.iter().map(|c| (c.unit == a, c.value.as_deref(), c.count)).collect();
        assert_eq!(seen, [(true, None, 1), (true, Some("absent"), 1), (true, Some("pledged"), 2), (false, Some("refused"), 1)]);

        assert!(storage.count_records(Entity::Visit, &[], None).unwrap().is_empty());
    }

    #[test]
    fn ids_erased_before_erasures_travelled_stay_refused_and_are_not_sent() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sotay.db");
        let old = Uuid::now_v7();
        {
            let mut conn = Connection::open(&path).unwrap();
            let tx = conn.transaction().unwrap();
            for sql in &MIGRATIONS[..4] {
                tx.execute_batch(sql).unwrap();
            }
            tx.pragma_update(None, "user_version", 4).unwrap();
            tx.execute("INSERT INTO erased (record_id, erased_at) VALUES (?1, 1)", [old.to_string()]).unwrap();
            tx.commit().unwrap();
        }
        let storage = SqliteStorage::open(&path).unwrap();
        let unit = Uuid::now_v7();
        let change = Change {
            id: Uuid::now_v7(),
            entity: Entity::Household,
            record: old,
            unit,
            hlc: sotay_core::Hlc { millis: 1, counter: 0, node: 1 },
            fields: serde_json::json!({"head_name": "Hộ"}).as_object().cloned().unwrap(),
            seal: None,
        };
        let outcome = storage.apply_changes(Uuid::now_v7(), &[&change], 2).unwrap();
        assert_eq!(outcome, [ApplyOutcome::Rejected(sotay_core::sync::protocol::reason::ERASED.into())]);
        let page = storage.pull(&ReadScope { subtree: vec![unit], ancestors: vec![] }, Uuid::now_v7(), 0, 10).unwrap();
        assert!(page.erased.is_empty() && page.records.is_empty());
        assert_eq!(storage.records_version().unwrap(), 0);
    }
}
