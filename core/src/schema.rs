//! The store's schema and its migrations. `PRAGMA user_version` holds the version; each
//! migration moves one version up inside the opening transaction. Never edit a shipped
//! migration: add a new one.

use rusqlite::Transaction;

use crate::{Error, Result};

/// The `records` table as phone stores and the server both have it, with its first index.
/// A store adds its own columns after `seal` as string literals (the server: its pull cursor
/// `seq`), so `records_table!()` is what phone migration 1 created.
#[macro_export]
macro_rules! records_table {
    ($($extra:literal),*) => {
        concat!(
            "
    CREATE TABLE records (
        id        TEXT PRIMARY KEY,
        entity    TEXT NOT NULL,
        unit_id   TEXT NOT NULL,
        doc       TEXT NOT NULL,
        clocks    TEXT NOT NULL,
        updated   TEXT NOT NULL,
        seal      TEXT",
            $(",\n        ", $extra,)*
            "
    ) STRICT;
    CREATE INDEX records_by_entity_unit ON records (entity, unit_id);
"
        )
    };
}

/// Covering indexes for `crate::progress` (`IDS_BY_KIND_SQL`, `SEALED_PLEDGES_SQL`): ids per
/// kind and unit (households, clans), and the subject of every sealed pledge, so counting a
/// commune reads indexes, not documents. (entity, unit_id, id) serves every use of the index it
/// replaces. Phone migration 5; the server adds them with its own migration.
pub const PROGRESS_INDEXES: &str = r#"
    CREATE INDEX records_by_entity_unit_id ON records (entity, unit_id, id);
    DROP INDEX records_by_entity_unit;
    CREATE INDEX records_pledge_subjects ON records
        (entity, unit_id, (seal IS NOT NULL), json_extract(doc, '$.kind'), json_extract(doc, '$.subject'))
        WHERE entity = 'pledge';
    "#;

/// Migration `i` (0-based) takes the schema from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: records with per-field clocks, the outbox, device metadata.
    concat!(
        r#"
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) STRICT;"#,
        records_table!(),
        r#"    CREATE TABLE outbox (
        seq        INTEGER PRIMARY KEY AUTOINCREMENT,
        change_id  TEXT NOT NULL UNIQUE,
        record_id  TEXT NOT NULL,
        body       TEXT NOT NULL,
        state      TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'rejected')),
        reason     TEXT
    ) STRICT;
    CREATE INDEX outbox_by_record ON outbox (record_id);
    "#
    ),
    // 2: accent-free search with a Vietnamese sort key, and content-addressed attachments.
    r#"
    CREATE TABLE search (
        record_id TEXT PRIMARY KEY,
        entity    TEXT NOT NULL,
        unit_id   TEXT NOT NULL,
        folded    TEXT NOT NULL,
        sort_key  BLOB NOT NULL
    ) STRICT;
    CREATE INDEX search_by_order ON search (entity, unit_id, sort_key);
    CREATE TABLE attachments (
        sha256    TEXT PRIMARY KEY,
        mime      TEXT NOT NULL,
        size      INTEGER NOT NULL,
        data      BLOB NOT NULL,
        uploaded  INTEGER NOT NULL DEFAULT 0
    ) STRICT;
    "#,
    // 3: pledges by subject and visits by household without parsing every record's JSON
    // (the duplicate-pledge check on every signature, erasure on request).
    r#"
    CREATE INDEX records_pledge_subject ON records (json_extract(doc, '$.subject')) WHERE entity = 'pledge';
    CREATE INDEX records_visit_household ON records (json_extract(doc, '$.household')) WHERE entity = 'visit';
    "#,
    // 4: names in alphabetical order with everything a search reads, so a search walks one
    // index in order and stops at the first screenful of matches.
    r#"
    CREATE INDEX search_in_order ON search (entity, sort_key, record_id, unit_id, folded);
    "#,
    // 5: covering indexes for progress.
    PROGRESS_INDEXES,
];

pub const VERSION: i64 = MIGRATIONS.len() as i64;

/// Bring the schema up to `VERSION`, one migration at a time.
pub fn migrate(tx: &Transaction<'_>) -> Result<()> {
    migrate_to(tx, VERSION)
}

/// Bring the schema up to `target` (tests use this to build every earlier schema).
pub fn migrate_to(tx: &Transaction<'_>, target: i64) -> Result<()> {
    let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > VERSION {
        return Err(Error::SchemaTooNew { found: current, known: VERSION });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize).take((target - current).max(0) as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
    }
    Ok(())
}
