//! Content-addressed attachments (photos of attendance sheets, signature images): stored by the
//! SHA-256 of their bytes in the encrypted store, referenced from minutes and pledges by that
//! hash. The sync engine uploads what is not yet uploaded and fetches what records reference
//! but the device lacks.

use rusqlite::{Connection, OptionalExtension, params};

use crate::record::sha256_hex;
use crate::store::Store;
use crate::{Error, Result, Rule, validate};

/// Largest attachment accepted: a phone photo of a sheet, compressed by the shell.
pub const MAX_ATTACHMENT_BYTES: usize = 5 * 1024 * 1024;

/// An attachment without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentInfo {
    pub sha256: String,
    pub mime: String,
    pub size: u64,
    pub uploaded: bool,
}

impl Store {
    /// Keep `bytes` and return their address. Putting the same bytes again changes nothing.
    pub fn put_attachment(&self, bytes: &[u8], mime: &str) -> Result<AttachmentInfo> {
        let mime = check(bytes, mime)?;
        let sha256 = sha256_hex(bytes);
        self.write(|tx| insert(tx.conn(), &sha256, &mime, bytes, false))?;
        self.attachment_info(&sha256)
    }

    /// Keep bytes fetched from the server for a record that references `sha256`; refuses bytes
    /// that do not hash to it. They are marked uploaded (the server has them).
    pub fn put_downloaded_attachment(&self, sha256: &str, bytes: &[u8], mime: &str) -> Result<AttachmentInfo> {
        validate::sha256("sha256", sha256)?;
        let mime = check(bytes, mime)?;
        if sha256_hex(bytes) != sha256 {
            return Err(Error::validation("attachment", Rule::Invalid { expected: "bytes that match their SHA-256" }));
        }
        self.write(|tx| insert(tx.conn(), sha256, &mime, bytes, true))?;
        self.attachment_info(sha256)
    }

    /// The bytes of an attachment.
    pub fn attachment(&self, sha256: &str) -> Result<Vec<u8>> {
        validate::sha256("sha256", sha256)?;
        self.read(|c| {
            c.query_row("SELECT data FROM attachments WHERE sha256 = ?1", [sha256], |r| r.get(0))
                .optional()?
                .ok_or_else(|| not_found(sha256))
        })
    }

    pub fn attachment_info(&self, sha256: &str) -> Result<AttachmentInfo> {
        validate::sha256("sha256", sha256)?;
        self.read(|c| info(c, sha256)?.ok_or_else(|| not_found(sha256)))
    }

    /// Attachments the server does not have yet, oldest first.
    pub fn attachments_not_uploaded(&self) -> Result<Vec<AttachmentInfo>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT sha256, mime, size, uploaded FROM attachments WHERE uploaded = 0 ORDER BY rowid",
            )?;
            let rows = stmt.query_map([], row_info)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    pub fn mark_attachment_uploaded(&self, sha256: &str) -> Result<()> {
        validate::sha256("sha256", sha256)?;
        self.write(|tx| match tx.conn().execute("UPDATE attachments SET uploaded = 1 WHERE sha256 = ?1", [sha256])? {
            0 => Err(not_found(sha256)),
            _ => Ok(()),
        })
    }

    /// Hashes that minutes or pledges on this device reference but whose bytes are not here
    /// (records pulled from the server): what the sync engine should download.
    pub fn attachments_missing(&self) -> Result<Vec<String>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT DISTINCT ref FROM (
                    SELECT a.value AS ref FROM records r, json_each(r.doc, '$.attachments') a
                     WHERE r.entity = 'minutes'
                    UNION
                    SELECT json_extract(r.doc, '$.signature') FROM records r WHERE r.entity = 'pledge'
                 ) WHERE ref IS NOT NULL AND ref NOT IN (SELECT sha256 FROM attachments)
                 ORDER BY ref",
            )?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }
}

/// SHA-256 addresses named anywhere in a record's fields: any string of exactly 64 lowercase
/// hex digits (minutes' `attachments`, a pledge's `signature`, a task's evidence `ref`).
/// The server indexes them on every write; a phone drops them with the record that alone
/// named them (erasure on request).
pub fn attachment_refs(fields: &crate::record::Fields) -> Vec<String> {
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) if is_sha256(s) => out.push(s.clone()),
            serde_json::Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            serde_json::Value::Object(map) => map.values().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    fields.values().for_each(|v| walk(v, &mut out));
    out.sort();
    out.dedup();
    out
}

pub fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Remove the bytes of `sha256` unless a record still names it (the erased record is already
/// gone). Any mention in a document counts, so a shared photo is never lost.
pub(crate) fn drop_if_unreferenced(conn: &Connection, sha256: &str) -> Result<()> {
    conn.prepare_cached(
        "DELETE FROM attachments WHERE sha256 = ?1 AND NOT EXISTS (SELECT 1 FROM records WHERE instr(doc, ?1) > 0)",
    )?
    .execute([sha256])?;
    Ok(())
}

/// Whether the store holds the bytes of `sha256` (used when sealing a record that cites it).
pub(crate) fn exists(conn: &Connection, sha256: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM attachments WHERE sha256 = ?1")?
        .query_row([sha256], |_| Ok(()))
        .optional()?
        .is_some())
}

fn check(bytes: &[u8], mime: &str) -> Result<String> {
    if bytes.is_empty() {
        return Err(Error::validation("attachment", Rule::Required));
    }
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(Error::validation("attachment", Rule::TooLarge { max_bytes: MAX_ATTACHMENT_BYTES }));
    }
    let mime = mime.trim().to_ascii_lowercase();
    let allowed = mime.strip_prefix("image/").is_some_and(|s| !s.is_empty() && !s.contains('/')) || mime == "application/pdf";
    if !allowed {
        return Err(Error::validation("mime", Rule::Invalid { expected: "an image or a PDF" }));
    }
    Ok(mime)
}

fn insert(conn: &Connection, sha256: &str, mime: &str, bytes: &[u8], uploaded: bool) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO attachments (sha256, mime, size, data, uploaded) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (sha256) DO UPDATE SET uploaded = max(uploaded, excluded.uploaded)",
    )?
    .execute(params![sha256, mime, bytes.len() as i64, bytes, uploaded])?;
    Ok(())
}

fn info(conn: &Connection, sha256: &str) -> Result<Option<AttachmentInfo>> {
    Ok(conn
        .prepare_cached("SELECT sha256, mime, size, uploaded FROM attachments WHERE sha256 = ?1")?
        .query_row([sha256], row_info)
        .optional()?)
}

fn row_info(r: &rusqlite::Row<'_>) -> rusqlite::Result<AttachmentInfo> {
    Ok(AttachmentInfo { sha256: r.get(0)?, mime: r.get(1)?, size: r.get::<_, i64>(2)? as u64, uploaded: r.get(3)? })
}

fn not_found(sha256: &str) -> Error {
    Error::NotFound { entity: "attachment", id: sha256.to_string() }
}
