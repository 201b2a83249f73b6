//! The SQLCipher this crate builds reads and writes standard SQLCipher 4 files, with the expected
//! crypto provider, whichever provider wrote the file.

use rusqlite::Connection;
use std::path::Path;

/// The raw 32-byte key the fixture was written with: bytes 0x00..=0x1f, as sotay keys its stores.
fn fixture_key() -> String {
    let hex: String = (0u8..32).map(|b| format!("{b:02x}")).collect();
    format!("PRAGMA key = \"x'{hex}'\";")
}

fn open(path: &Path, key: &str) -> Connection {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(key).unwrap();
    conn
}

fn heads(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT head FROM households ORDER BY id")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    rows.collect()
}

/// Written by rusqlite's bundled SQLCipher 4.20.0 with the OpenSSL provider (the build sotay used
/// before), so a store from that build, or one opened with the stock `sqlcipher` tool, is readable.
fn openssl_fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sqlcipher4-openssl.db");
    std::fs::copy(fixture, dir.path().join("store.db")).unwrap();
    dir
}

#[test]
fn the_provider_is_the_small_one_for_this_platform() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch("PRAGMA key = 'k';").unwrap();
    let provider: String = conn.query_row("PRAGMA cipher_provider", [], |r| r.get(0)).unwrap();
    assert_eq!(provider, sotay_sqlcipher::CRYPTO_PROVIDER);
    let expected = if cfg!(target_vendor = "apple") { "commoncrypto" } else { "libtomcrypt" };
    assert_eq!(provider, expected);
    let version: String = conn.query_row("PRAGMA cipher_version", [], |r| r.get(0)).unwrap();
    assert!(version.starts_with("4."), "{version}");
}

#[test]
fn reads_a_file_written_with_the_openssl_provider() {
    let dir = openssl_fixture();
    let conn = open(&dir.path().join("store.db"), &fixture_key());
    assert_eq!(heads(&conn).unwrap(), ["Nguyễn Văn An", "Trần Thị Bình"]);
    // Checks every page's MAC; lists the pages that fail, none when the file is whole.
    let mut check = conn.prepare("PRAGMA cipher_integrity_check").unwrap();
    let failures: Vec<String> = check.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    assert!(failures.is_empty(), "{failures:?}");
}

#[test]
fn writes_to_that_file_read_back_after_reopening() {
    let dir = openssl_fixture();
    let path = dir.path().join("store.db");
    {
        let conn = open(&path, &fixture_key());
        conn.execute("INSERT INTO households(head) VALUES (?1)", ["Lê Văn Cường"]).unwrap();
    }
    let conn = open(&path, &fixture_key());
    assert_eq!(heads(&conn).unwrap(), ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"]);
}

#[test]
fn a_wrong_key_reads_nothing() {
    let dir = openssl_fixture();
    let wrong = format!("PRAGMA key = \"x'{}'\";", "ab".repeat(32));
    let conn = open(&dir.path().join("store.db"), &wrong);
    let err = heads(&conn).unwrap_err();
    assert!(err.to_string().contains("not a database"), "{err}");
}

#[test]
fn a_new_file_has_no_plaintext_and_no_sqlite_header() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    {
        let conn = open(&path, &fixture_key());
        conn.execute_batch("CREATE TABLE households(id INTEGER PRIMARY KEY, head TEXT NOT NULL);").unwrap();
        for i in 0..200 {
            conn.execute("INSERT INTO households(head) VALUES (?1)", [format!("Phạm Thị Dung {i}")]).unwrap();
        }
    }
    let bytes = std::fs::read(&path).unwrap();
    assert!(!bytes.starts_with(b"SQLite format 3\0"));
    let needle = "Phạm Thị Dung".as_bytes();
    assert!(!bytes.windows(needle.len()).any(|w| w == needle));
    // Two files with the same content differ: each has its own random salt.
    let other = dir.path().join("other.db");
    {
        let conn = open(&other, &fixture_key());
        conn.execute_batch("CREATE TABLE households(id INTEGER PRIMARY KEY, head TEXT NOT NULL);").unwrap();
    }
    assert_ne!(bytes[..16], std::fs::read(&other).unwrap()[..16]);
    let conn = open(&path, &fixture_key());
    assert_eq!(heads(&conn).unwrap().len(), 200);
}
