//! Record look-ups and writes shared by the domain modules.

use rusqlite::Connection;
use uuid::Uuid;

use crate::record::{Entity, Fields, RecordState};
use crate::store::{RECORD_COLUMNS, Tx, collect_records, load_record};
use crate::{Error, Result};

/// The record `id`, which must exist and be of kind `entity`.
pub(crate) fn existing(conn: &Connection, id: Uuid, entity: Entity) -> Result<RecordState> {
    match load_record(conn, id)? {
        Some(r) if r.entity == entity => Ok(r),
        _ => Err(Error::NotFound { entity: entity.as_str(), id: id.to_string() }),
    }
}

/// Write only the fields whose value differs from the stored record.
pub(crate) fn put_changed(tx: &mut Tx<'_>, current: &RecordState, fields: Fields) -> Result<()> {
    let changed: Fields = fields.into_iter().filter(|(k, v)| current.fields.get(k) != Some(v)).collect();
    if !changed.is_empty() {
        tx.put(current.entity, current.id, current.unit, changed)?;
    }
    Ok(())
}

pub(crate) fn parse_id(s: &str) -> Result<Uuid> {
    Uuid::parse_str(s).map_err(|e| Error::Store(e.to_string()))
}

/// Records of `entity` whose JSON field `field` equals `value`, oldest first. Pledges by
/// `subject` and visits by `household` use an index (schema migration 3).
pub(crate) fn records_by(conn: &Connection, entity: Entity, field: &str, value: &str) -> Result<Vec<RecordState>> {
    let sql = format!(
        "SELECT {RECORD_COLUMNS} FROM records WHERE entity = '{}' AND json_extract(doc, '$.{field}') = ?1 ORDER BY id",
        entity.as_str()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    collect_records(stmt.query([value])?)
}
