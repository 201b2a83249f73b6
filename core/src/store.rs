//! The encrypted offline store: one SQLCipher connection (the only writer), WAL, migrations,
//! and the write path that puts every local change and its outbox entry in one transaction.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, ToSql, Transaction, params};
use uuid::Uuid;

use crate::clock::{Hlc, SystemClock, WallClock};
use crate::record::{self, Change, Entity, Fields, MergeOutcome, RecordState, Seal};
use crate::{Error, Result, Rule, schema, text};

/// The store key: 32 random bytes the shell keeps in the Android Keystore / iOS Keychain.
pub const KEY_LEN: usize = 32;

pub struct Store {
    inner: Mutex<Inner>,
    clock: Arc<dyn WallClock>,
    device_id: Uuid,
    node: u64,
    /// Server time minus device time, learned at sync; added to the wall clock.
    offset_ms: AtomicI64,
}

struct Inner {
    conn: Connection,
    last: Hlc,
}

impl Store {
    /// Open (or create) the store at `path`, decrypting it with `key`.
    pub fn open(path: impl AsRef<Path>, key: &[u8]) -> Result<Store> {
        Self::open_with_clock(path, key, Arc::new(SystemClock))
    }

    pub fn open_with_clock(path: impl AsRef<Path>, key: &[u8], clock: Arc<dyn WallClock>) -> Result<Store> {
        initialize_sqlite()?;
        let conn = Connection::open(path.as_ref())?;
        Self::init(conn, key, clock)
    }

    /// A store in memory, still encrypted (for tests and previews).
    pub fn open_in_memory(key: &[u8], clock: Arc<dyn WallClock>) -> Result<Store> {
        initialize_sqlite()?;
        Self::init(Connection::open_in_memory()?, key, clock)
    }

    fn init(mut conn: Connection, key: &[u8], clock: Arc<dyn WallClock>) -> Result<Store> {
        if key.len() != KEY_LEN {
            return Err(Error::validation("key", Rule::Invalid { expected: "32 bytes" }));
        }
        // SQLCipher logs decryption failures to stderr by default; a wrong key is reported as a
        // typed error instead.
        conn.pragma_update(None, "cipher_log_level", "NONE")?;
        // A raw key (x'..') skips SQLCipher's password stretching: the key is already random.
        conn.pragma_update(None, "key", format!("x'{}'", record::hex(key)))?;
        // The first read decrypts page 1: a wrong key fails here.
        if conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)).is_err() {
            return Err(Error::WrongKey);
        }
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // FULL: a change the user saw saved survives a power cut.
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // 16 MB of decrypted pages: a commune's search table (10,000 households, ~2 MB) stays
        // in memory between keystrokes instead of being decrypted again on every scan.
        conn.pragma_update(None, "cache_size", -16_000)?;
        let tx = conn.transaction()?;
        schema::migrate(&tx)?;
        let device_id = match meta_get(&tx, "device_id")? {
            Some(id) => Uuid::parse_str(&id).map_err(|e| Error::Store(e.to_string()))?,
            None => {
                let id = Uuid::now_v7();
                meta_set(&tx, "device_id", &id.to_string())?;
                id
            }
        };
        let last = meta_get(&tx, "hlc")?.and_then(|s| s.parse().ok()).unwrap_or(Hlc::ZERO);
        let offset = meta_get(&tx, "clock_offset_ms")?.and_then(|s| s.parse().ok()).unwrap_or(0);
        tx.commit()?;
        let node = u64::from_be_bytes(device_id.as_bytes()[8..].try_into().unwrap_or([0; 8]));
        Ok(Store {
            inner: Mutex::new(Inner { conn, last }),
            clock,
            device_id,
            node,
            offset_ms: AtomicI64::new(offset),
        })
    }

    pub fn device_id(&self) -> Uuid {
        self.device_id
    }

    /// Physical time corrected by the server offset learned at the last sync.
    pub fn now_millis(&self) -> i64 {
        self.clock.now_millis() + self.offset_ms.load(Ordering::Relaxed)
    }

    pub fn clock_offset_ms(&self) -> i64 {
        self.offset_ms.load(Ordering::Relaxed)
    }

    pub fn set_clock_offset_ms(&self, offset: i64) -> Result<()> {
        self.offset_ms.store(offset, Ordering::Relaxed);
        self.write(|tx| meta_set(tx.conn(), "clock_offset_ms", &offset.to_string()))
    }

    fn lock(&self) -> Result<MutexGuard<'_, Inner>> {
        // A panic while holding the lock leaves SQLite consistent (the transaction rolls back),
        // so the poisoned guard is safe to reuse.
        Ok(self.inner.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Run `f` in one write transaction; everything it does commits together or not at all.
    pub fn write<T>(&self, f: impl FnOnce(&mut Tx<'_>) -> Result<T>) -> Result<T> {
        let mut guard = self.lock()?;
        let Inner { conn, last } = &mut *guard;
        let mut tx = Tx { tx: conn.transaction()?, last: *last, node: self.node, now: self.now_millis(), device: self.device_id };
        let out = f(&mut tx)?;
        let new_last = tx.last;
        if new_last != *last {
            meta_set(&tx.tx, "hlc", &new_last.to_string())?;
        }
        tx.tx.commit()?;
        *last = new_last;
        Ok(out)
    }

    /// Run `f` with read access to the store.
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let guard = self.lock()?;
        f(&guard.conn)
    }

    pub fn record(&self, id: Uuid) -> Result<Option<RecordState>> {
        self.read(|c| load_record(c, id))
    }
}

/// Initialise SQLite (and SQLCipher) once, before any connection is opened.
///
/// SQLite marks itself initialised before it runs SQLCipher's extra initialisation, so a second
/// thread opening a connection at that moment gets through and fails to key ("An error occurred
/// with PRAGMA key"). Finishing the whole initialisation in one thread first closes that gap.
/// Anything else in the process that opens SQLite connections should call this first too.
pub fn initialize_sqlite() -> Result<()> {
    static INIT: std::sync::OnceLock<i32> = std::sync::OnceLock::new();
    // SAFETY: sqlite3_initialize takes no arguments and is safe to call at any time.
    let rc = *INIT.get_or_init(|| unsafe { rusqlite::ffi::sqlite3_initialize() });
    if rc == rusqlite::ffi::SQLITE_OK { Ok(()) } else { Err(Error::Store(format!("SQLite failed to initialise ({rc})"))) }
}

/// A write transaction with the device's clock.
pub struct Tx<'a> {
    tx: Transaction<'a>,
    last: Hlc,
    node: u64,
    now: i64,
    device: Uuid,
}

impl Tx<'_> {
    pub fn conn(&self) -> &Connection {
        &self.tx
    }

    pub fn now_millis(&self) -> i64 {
        self.now
    }

    pub fn device_id(&self) -> Uuid {
        self.device
    }

    fn tick(&mut self) -> Hlc {
        self.last = Hlc::tick(self.last, self.now, self.node);
        self.last
    }

    pub fn record(&self, id: Uuid) -> Result<Option<RecordState>> {
        load_record(&self.tx, id)
    }

    /// A local write: set `fields` of a record (creating it if new), and queue the change.
    pub fn put(&mut self, entity: Entity, id: Uuid, unit: Uuid, fields: Fields) -> Result<RecordState> {
        self.local_change(entity, id, unit, fields, None)
    }

    /// Seal a record: hash its content, record who and when, queue the change. Immutable after.
    pub fn seal(&mut self, entity: Entity, id: Uuid, by: &str) -> Result<Seal> {
        let state = self.record(id)?.ok_or(Error::NotFound { entity: entity_name(entity), id: id.to_string() })?;
        if state.seal.is_some() {
            return Err(Error::Sealed { entity: entity_name(entity), id: id.to_string() });
        }
        let seal = Seal { by: by.to_string(), at: self.now, hash: record::content_hash(entity, id, &state.fields) };
        // The change repeats the sealed content so the server can check the hash on its own.
        self.local_change(entity, id, state.unit, state.fields.clone(), Some(seal.clone()))?;
        Ok(seal)
    }

    /// Write `fields` and seal the result in one change (a pledge signed on the spot): one
    /// outbox entry instead of a put followed by a seal.
    pub fn put_sealed(&mut self, entity: Entity, id: Uuid, unit: Uuid, fields: Fields, by: &str) -> Result<Seal> {
        let mut all = match self.record(id)? {
            Some(s) if s.seal.is_some() => return Err(Error::Sealed { entity: entity_name(entity), id: id.to_string() }),
            Some(s) => s.fields,
            None => Fields::new(),
        };
        all.extend(fields);
        let seal = Seal { by: by.to_string(), at: self.now, hash: record::content_hash(entity, id, &all) };
        self.local_change(entity, id, unit, all, Some(seal.clone()))?;
        Ok(seal)
    }

    fn local_change(&mut self, entity: Entity, id: Uuid, unit: Uuid, fields: Fields, seal: Option<Seal>) -> Result<RecordState> {
        let mut state = match self.record(id)? {
            Some(s) => s,
            None => RecordState::new(entity, id, unit),
        };
        if state.seal.is_some() {
            return Err(Error::Sealed { entity: entity_name(entity), id: id.to_string() });
        }
        // The contract's field rules, the same the server applies to this change at push.
        crate::validate::record_fields(entity, &fields)?;
        let change = Change { id: Uuid::now_v7(), entity, record: id, unit, hlc: self.tick(), fields, seal };
        record::merge(&mut state, &change).map_err(|e| Error::Validation {
            field: "record".into(),
            rule: Rule::Invalid { expected: merge_expectation(&e) },
        })?;
        save_record(&self.tx, &state)?;
        self.tx.execute(
            "INSERT INTO outbox (change_id, record_id, body) VALUES (?1, ?2, ?3)",
            params![change.id.to_string(), id.to_string(), serde_json::to_string(&change)?],
        )?;
        Ok(state)
    }

    /// Apply a record state pulled from the server. Fields with a change still pending on this
    /// device keep their local value (principle 4); the server has the last word after push.
    pub fn apply_remote(&mut self, remote: &RecordState) -> Result<MergeOutcome> {
        self.last = Hlc::observe(self.last, remote.updated(), self.now, self.node);
        let Some(mut local) = self.record(remote.id)? else {
            save_record(&self.tx, remote)?;
            return Ok(MergeOutcome::Applied);
        };
        let pending = pending_fields(&self.tx, remote.id)?;
        let before = local.clone();
        if let Err(e) = record::merge_state(&mut local, remote) {
            if pending.is_empty() {
                return Err(Error::Validation { field: "record".into(), rule: Rule::Invalid { expected: merge_expectation(&e) } });
            }
            // A local sealed record still waiting for push: keep it; push will settle it.
            return Ok(MergeOutcome::Duplicate);
        }
        for (name, (value, clock)) in pending {
            local.fields.insert(name.clone(), value);
            let c = local.clocks.entry(name).or_insert(clock);
            *c = (*c).max(clock);
        }
        if local == before {
            return Ok(MergeOutcome::Duplicate);
        }
        save_record(&self.tx, &local)?;
        Ok(MergeOutcome::Applied)
    }

    /// Remove a record outright (a household's data erased on request): its row, its search
    /// entry, every outbox entry for it (pending or set aside: none may reach the server again)
    /// and the attachments only it named. Queues nothing: the erasure itself is the server's.
    /// Whether the record was here; erasing an id never held changes nothing else.
    pub fn erase(&mut self, id: Uuid) -> Result<bool> {
        let key = id.to_string();
        let held = self.record(id)?;
        self.tx.execute("DELETE FROM records WHERE id = ?1", [&key])?;
        self.tx.execute("DELETE FROM search WHERE record_id = ?1", [&key])?;
        self.tx.execute("DELETE FROM outbox WHERE record_id = ?1", [&key])?;
        if let Some(record) = &held {
            for sha in crate::attachments::attachment_refs(&record.fields) {
                crate::attachments::drop_if_unreferenced(&self.tx, &sha)?;
            }
        }
        Ok(held.is_some())
    }
}

fn merge_expectation(e: &record::MergeError) -> &'static str {
    match e {
        record::MergeError::SealedDiffers => "unchanged once sealed",
        record::MergeError::EntityMismatch => "of the same kind as the existing record",
        record::MergeError::UnitMismatch => "in the unit the record belongs to",
        record::MergeError::NotSealable => "a kind of record that can be sealed",
        record::MergeError::SealMismatch => "a seal that matches the content",
    }
}

pub fn entity_name(e: Entity) -> &'static str {
    e.as_str()
}

/// Field values of changes not yet accepted by the server, latest last.
fn pending_fields(conn: &Connection, record: Uuid) -> Result<BTreeMap<String, (serde_json::Value, Hlc)>> {
    let mut stmt = conn.prepare_cached("SELECT body FROM outbox WHERE record_id = ?1 ORDER BY seq")?;
    let mut out = BTreeMap::new();
    let rows = stmt.query_map([record.to_string()], |r| r.get::<_, String>(0))?;
    for body in rows {
        let change: Change = serde_json::from_str(&body?)?;
        for (k, v) in change.fields {
            out.insert(k, (v, change.hlc));
        }
    }
    Ok(out)
}

/// The columns a record is read from, in the order `record_from_row` expects them.
pub const RECORD_COLUMNS: &str = "id, entity, unit_id, doc, clocks, seal";

pub fn load_record(conn: &Connection, id: Uuid) -> Result<Option<RecordState>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {RECORD_COLUMNS} FROM records WHERE id = ?1"))?;
    let mut rows = stmt.query([id.to_string()])?;
    rows.next()?.map(record_from_row).transpose()
}

/// Decode a row whose first columns are `RECORD_COLUMNS` (phone store and server alike).
pub fn record_from_row(r: &rusqlite::Row<'_>) -> Result<RecordState> {
    let text = |i: usize| -> Result<&str> { r.get_ref(i)?.as_str().map_err(|e| Error::Store(e.to_string())) };
    let seal = r.get_ref(5)?.as_str_or_null().map_err(|e| Error::Store(e.to_string()))?;
    let id = Uuid::parse_str(text(0)?).map_err(|e| Error::Store(e.to_string()))?;
    decode_record(id, text(1)?, text(2)?, text(3)?, text(4)?, seal)
}

/// Decode a stored row into a record state.
pub fn decode_record(id: Uuid, entity: &str, unit: &str, doc: &str, clocks: &str, seal: Option<&str>) -> Result<RecordState> {
    Ok(RecordState {
        entity: entity.parse()?,
        id,
        unit: Uuid::parse_str(unit).map_err(|e| Error::Store(e.to_string()))?,
        fields: serde_json::from_str(doc)?,
        clocks: serde_json::from_str(clocks)?,
        seal: seal.map(serde_json::from_str).transpose()?,
    })
}

/// Decode every row of a query whose first columns are `RECORD_COLUMNS`.
pub fn collect_records(mut rows: rusqlite::Rows<'_>) -> Result<Vec<RecordState>> {
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(record_from_row(r)?);
    }
    Ok(out)
}

/// Every record of a kind in a unit (or in all units when `unit` is `None`).
pub fn list_records(conn: &Connection, entity: Entity, unit: Option<Uuid>) -> Result<Vec<RecordState>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {RECORD_COLUMNS} FROM records WHERE entity = ?1 AND (?2 IS NULL OR unit_id = ?2) ORDER BY id"
    ))?;
    collect_records(stmt.query(params![entity.as_str(), unit.map(|u| u.to_string())])?)
}

/// Insert a record's row or update it in place. `extra` are the columns a store adds to the
/// shared table (`records_table!`) with their values: the server's pull cursor.
pub fn upsert_record(conn: &Connection, s: &RecordState, extra: &[(&str, &dyn ToSql)]) -> Result<()> {
    let mut columns = String::from("id, entity, unit_id, doc, clocks, updated, seal");
    let mut values = String::from("?1, ?2, ?3, ?4, ?5, ?6, ?7");
    let mut updates = String::from("unit_id = excluded.unit_id, doc = excluded.doc, clocks = excluded.clocks, updated = excluded.updated, seal = excluded.seal");
    for (i, (name, _)) in extra.iter().enumerate() {
        columns.push_str(&format!(", {name}"));
        values.push_str(&format!(", ?{}", i + 8));
        updates.push_str(&format!(", {name} = excluded.{name}"));
    }
    let (id, entity, unit) = (s.id.to_string(), s.entity.as_str(), s.unit.to_string());
    let (doc, clocks, updated) = (serde_json::to_string(&s.fields)?, serde_json::to_string(&s.clocks)?, s.updated().to_string());
    let seal = s.seal.as_ref().map(serde_json::to_string).transpose()?;
    let mut args: Vec<&dyn ToSql> = vec![&id, &entity, &unit, &doc, &clocks, &updated, &seal];
    args.extend(extra.iter().map(|(_, v)| *v));
    conn.prepare_cached(&format!("INSERT INTO records ({columns}) VALUES ({values}) ON CONFLICT (id) DO UPDATE SET {updates}"))?
        .execute(args.as_slice())?;
    Ok(())
}

fn save_record(conn: &Connection, s: &RecordState) -> Result<()> {
    upsert_record(conn, s, &[])?;
    index_for_search(conn, s)
}

/// The name a record is searched and sorted by, if it is searchable.
fn search_name(s: &RecordState) -> Option<&str> {
    let field = match s.entity {
        Entity::Household => "head_name",
        Entity::Clan => "name",
        _ => return None,
    };
    s.fields.get(field).and_then(|v| v.as_str())
}

fn index_for_search(conn: &Connection, s: &RecordState) -> Result<()> {
    let Some(name) = search_name(s) else { return Ok(()) };
    conn.prepare_cached(
        "INSERT INTO search (record_id, entity, unit_id, folded, sort_key) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (record_id) DO UPDATE SET unit_id = excluded.unit_id, folded = excluded.folded, sort_key = excluded.sort_key",
    )?
    .execute(params![s.id.to_string(), s.entity.as_str(), s.unit.to_string(), text::fold(name), text::sort_key(name)])?;
    Ok(())
}

pub fn meta_get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
}

pub fn meta_set(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}
