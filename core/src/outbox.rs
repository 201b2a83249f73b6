//! The outbox: local changes waiting for the server. The sync client takes bounded batches in
//! order, removes what the server acknowledged, and sets aside what it rejected, with the reason,
//! so one bad item never blocks the rest.

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::record::{Change, Entity};
use crate::store::Store;
use crate::{Error, Result};

/// A change the server rejected, kept on the device and shown to the user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetAside {
    pub change_id: Uuid,
    pub entity: Entity,
    pub record: Uuid,
    pub reason: String,
}

impl Store {
    /// The oldest pending changes, at most `max_count` of them and about `max_bytes` of JSON
    /// (always at least one, so a single large change still moves).
    pub fn outbox_batch(&self, max_count: usize, max_bytes: usize) -> Result<Vec<Change>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached("SELECT body FROM outbox WHERE state = 'pending' ORDER BY seq LIMIT ?1")?;
            let rows = stmt.query_map([max_count as i64], |r| r.get::<_, String>(0))?;
            let mut out = Vec::new();
            let mut bytes = 0;
            for body in rows {
                let body = body?;
                bytes += body.len();
                if !out.is_empty() && bytes > max_bytes {
                    break;
                }
                out.push(serde_json::from_str(&body)?);
            }
            Ok(out)
        })
    }

    pub fn outbox_pending_count(&self) -> Result<u64> {
        self.read(|c| count(c, "pending"))
    }

    /// Remove changes the server has committed (applied or duplicate).
    pub fn outbox_acknowledge(&self, change_ids: &[Uuid]) -> Result<()> {
        self.write(|tx| {
            let mut stmt = tx.conn().prepare_cached("DELETE FROM outbox WHERE change_id = ?1")?;
            for id in change_ids {
                stmt.execute([id.to_string()])?;
            }
            Ok(())
        })
    }

    /// Keep a rejected change out of the queue, with the server's reason.
    pub fn outbox_set_aside(&self, change_id: Uuid, reason: &str) -> Result<()> {
        self.write(|tx| {
            tx.conn().execute(
                "UPDATE outbox SET state = 'rejected', reason = ?2 WHERE change_id = ?1",
                params![change_id.to_string(), reason],
            )?;
            Ok(())
        })
    }

    pub fn outbox_set_aside_items(&self) -> Result<Vec<SetAside>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached("SELECT body, COALESCE(reason, '') FROM outbox WHERE state = 'rejected' ORDER BY seq")?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            let mut out = Vec::new();
            for row in rows {
                let (body, reason) = row?;
                let change: Change = serde_json::from_str(&body)?;
                out.push(SetAside { change_id: change.id, entity: change.entity, record: change.record, reason });
            }
            Ok(out)
        })
    }

    /// Put a set-aside change back in the queue (after the user fixed what was wrong).
    pub fn outbox_retry(&self, change_id: Uuid) -> Result<()> {
        self.update_rejected(change_id, "UPDATE outbox SET state = 'pending', reason = NULL WHERE change_id = ?1 AND state = 'rejected'")
    }

    /// Drop a set-aside change for good; the record keeps its other fields.
    pub fn outbox_discard(&self, change_id: Uuid) -> Result<()> {
        self.update_rejected(change_id, "DELETE FROM outbox WHERE change_id = ?1 AND state = 'rejected'")
    }

    fn update_rejected(&self, change_id: Uuid, sql: &str) -> Result<()> {
        self.write(|tx| match tx.conn().execute(sql, [change_id.to_string()])? {
            0 => Err(Error::NotFound { entity: "change", id: change_id.to_string() }),
            _ => Ok(()),
        })
    }
}

fn count(c: &Connection, state: &str) -> Result<u64> {
    Ok(c.query_row("SELECT count(*) FROM outbox WHERE state = ?1", [state], |r| r.get::<_, i64>(0))? as u64)
}
