use std::sync::Arc;

use serde_json::json;
use sotay_core::clock::ManualClock;
use sotay_core::record::Entity;
use sotay_core::{Error, Store, schema};
use uuid::Uuid;

const KEY: [u8; 32] = [7; 32];

fn fields(v: serde_json::Value) -> sotay_core::Fields {
    v.as_object().cloned().unwrap()
}

#[test]
fn the_store_is_encrypted_and_refuses_the_wrong_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sotay.db");
    let village = Uuid::now_v7();
    {
        let store = Store::open(&path, &KEY).unwrap();
        store
            .write(|tx| tx.put(Entity::Household, Uuid::now_v7(), village, fields(json!({"head_name": "Nguyễn Văn Thành"}))))
            .unwrap();
    }
    // No plaintext in the database or its WAL.
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let needle = "Nguyễn Văn Thành".as_bytes();
        assert!(!bytes.windows(needle.len()).any(|w| w == needle));
        assert!(!bytes.windows(6).any(|w| w == b"SQLite"), "header must be encrypted too");
    }
    match Store::open(&path, &[8; 32]) {
        Err(Error::WrongKey) => {}
        other => panic!("expected WrongKey, got {:?}", other.err()),
    }
    assert!(matches!(Store::open(&path, &[1; 5]), Err(Error::Validation { .. })));
    let store = Store::open(&path, &KEY).unwrap();
    let n: i64 = store.read(|c| Ok(c.query_row("SELECT count(*) FROM records", [], |r| r.get(0))?)).unwrap();
    assert_eq!(n, 1);
}

#[test]
fn every_local_change_is_queued_in_the_same_transaction() {
    let store = Store::open_in_memory(&KEY, ManualClock::at(1_700_000_000_000)).unwrap();
    let id = Uuid::now_v7();
    let village = Uuid::now_v7();
    store.write(|tx| tx.put(Entity::Household, id, village, fields(json!({"head_name": "A"})))).unwrap();
    // A failing write leaves neither the record change nor its outbox entry.
    let failed: Result<(), Error> = store.write(|tx| {
        tx.put(Entity::Household, id, village, fields(json!({"head_name": "B"})))?;
        Err(Error::Cancelled)
    });
    assert!(failed.is_err());
    let (outbox, name): (i64, String) = store
        .read(|c| {
            Ok((
                c.query_row("SELECT count(*) FROM outbox", [], |r| r.get(0))?,
                c.query_row("SELECT json_extract(doc, '$.head_name') FROM records", [], |r| r.get(0))?,
            ))
        })
        .unwrap();
    assert_eq!((outbox, name.as_str()), (1, "A"));
}

#[test]
fn sealed_records_cannot_be_edited() {
    let store = Store::open_in_memory(&KEY, ManualClock::at(1_700_000_000_000)).unwrap();
    let id = Uuid::now_v7();
    let unit = Uuid::now_v7();
    store.write(|tx| tx.put(Entity::Pledge, id, unit, fields(json!({"signed_by": "A"})))).unwrap();
    store.write(|tx| tx.seal(Entity::Pledge, id, "Trưởng ban")).unwrap();
    let err = store.write(|tx| tx.put(Entity::Pledge, id, unit, fields(json!({"signed_by": "B"})))).unwrap_err();
    assert!(matches!(err, Error::Sealed { .. }));
    assert!(matches!(store.write(|tx| tx.seal(Entity::Pledge, id, "x")), Err(Error::Sealed { .. })));
}

#[test]
fn a_pull_keeps_fields_with_pending_local_changes() {
    let clock = ManualClock::at(1_700_000_000_000);
    let store = Store::open_in_memory(&KEY, clock.clone()).unwrap();
    let id = Uuid::now_v7();
    let unit = Uuid::now_v7();
    store.write(|tx| tx.put(Entity::Household, id, unit, fields(json!({"head_name": "A", "phone": "1"})))).unwrap();
    let mut remote = store.record(id).unwrap().unwrap();
    let later = sotay_core::Hlc { millis: 1_800_000_000_000, counter: 0, node: 99 };
    remote.fields.insert("phone".into(), json!("9"));
    remote.fields.insert("address".into(), json!("Xóm 2"));
    remote.clocks.insert("phone".into(), later);
    remote.clocks.insert("address".into(), later);
    store.write(|tx| tx.apply_remote(&remote)).unwrap();
    let now = store.record(id).unwrap().unwrap();
    assert_eq!(now.fields["phone"], json!("1"), "pending local value kept");
    assert_eq!(now.fields["address"], json!("Xóm 2"), "other fields merged");
    // Local writes after a pull order after everything seen.
    store.write(|tx| tx.put(Entity::Household, id, unit, fields(json!({"address": "Xóm 3"})))).unwrap();
    let after = store.record(id).unwrap().unwrap();
    assert!(after.clocks["address"] > later);
}

#[test]
fn every_earlier_schema_upgrades_to_the_current_one() {
    for version in 0..schema::VERSION {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            let mut conn = rusqlite::Connection::open(&path).unwrap();
            conn.pragma_update(None, "key", format!("x'{}'", sotay_core::record::hex(&KEY))).unwrap();
            let tx = conn.transaction().unwrap();
            schema::migrate_to(&tx, version).unwrap();
            if version >= 1 {
                tx.execute(
                    "INSERT INTO records (id, entity, unit_id, doc, clocks, updated) VALUES (?1, 'household', ?2, '{\"head_name\":\"Lê Thị Ba\"}', '{}', '0')",
                    [Uuid::now_v7().to_string(), Uuid::now_v7().to_string()],
                )
                .unwrap();
            }
            tx.commit().unwrap();
        }
        let store = Store::open(&path, &KEY).unwrap();
        let (v, n): (i64, i64) = store
            .read(|c| Ok((c.query_row("PRAGMA user_version", [], |r| r.get(0))?, c.query_row("SELECT count(*) FROM records", [], |r| r.get(0))?)))
            .unwrap();
        assert_eq!(v, schema::VERSION, "from version {version}");
        assert_eq!(n, i64::from(version >= 1), "data kept from version {version}");
    }
}

#[test]
fn a_store_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    drop(Store::open(&path, &KEY).unwrap());
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "key", format!("x'{}'", sotay_core::record::hex(&KEY))).unwrap();
        conn.pragma_update(None, "user_version", 999).unwrap();
    }
    assert!(matches!(Store::open(&path, &KEY), Err(Error::SchemaTooNew { found: 999, .. })));
}

#[allow(dead_code)]
fn _clock_is_shareable(c: Arc<ManualClock>) -> Arc<dyn sotay_core::WallClock> {
    c
}
