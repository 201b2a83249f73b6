//! Field checks shared by the domain modules: each returns the typed error that names the field
//! and the rule, so every screen reports bad input the same way.

use chrono::NaiveDate;
use rusqlite::Connection;
use uuid::Uuid;

use crate::record::{Entity, RecordState};
use crate::store::load_record;
use crate::{Error, Result, Rule, clock};

/// Longest name (of a person, a clan, a place) the app accepts.
pub const MAX_NAME: usize = 100;
/// Longest one-line text (an address, a title, a topic).
pub const MAX_LINE: usize = 300;
/// Longest free text (minutes contents, a note).
pub const MAX_TEXT: usize = 20_000;

/// A required text: trimmed, not empty, at most `max` characters.
pub fn required(field: &str, value: &str, max: usize) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Error::validation(field, Rule::Required));
    }
    limited(field, v, max)
}

/// An optional text: trimmed, empty becomes `None`, at most `max` characters.
pub fn optional(field: &str, value: Option<&str>, max: usize) -> Result<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => limited(field, v, max).map(Some),
    }
}

/// A text that may be empty (a draft's field), at most `max` characters, trimmed.
pub fn limited(field: &str, value: &str, max: usize) -> Result<String> {
    let v = value.trim();
    if v.chars().count() > max {
        return Err(Error::validation(field, Rule::TooLong { max }));
    }
    Ok(v.to_string())
}

pub fn range(field: &str, value: i64, min: i64, max: i64) -> Result<()> {
    if value < min || value > max {
        return Err(Error::validation(field, Rule::OutOfRange { min, max }));
    }
    Ok(())
}

/// A date that has already come in Vietnam at `now_millis`.
pub fn not_future(field: &str, date: NaiveDate, now_millis: i64) -> Result<()> {
    if date > clock::today_in_vietnam(now_millis) {
        return Err(Error::validation(field, Rule::InFuture));
    }
    Ok(())
}

/// A lowercase hex SHA-256, the address of an attachment.
pub fn sha256(field: &str, value: &str) -> Result<()> {
    if value.len() != 64 || !value.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(Error::validation(field, Rule::Invalid { expected: "a SHA-256 in lowercase hex" }));
    }
    Ok(())
}

/// The record `id` refers to, which must exist and be of kind `entity`.
pub fn reference(conn: &Connection, field: &str, id: Uuid, entity: Entity) -> Result<RecordState> {
    match load_record(conn, id)? {
        Some(r) if r.entity == entity => Ok(r),
        _ => Err(Error::validation(field, Rule::UnknownReference { entity: entity.as_str() })),
    }
}

/// An optional reference: checked when given.
pub fn optional_reference(conn: &Connection, field: &str, id: Option<Uuid>, entity: Entity) -> Result<()> {
    if let Some(id) = id {
        reference(conn, field, id, entity)?;
    }
    Ok(())
}

/// Prefix the field of an error with the row of a list it came from (`households[3].phone`).
pub fn in_row(list: &str, row: usize, e: Error) -> Error {
    match e {
        Error::Validation { field, rule } => Error::Validation { field: format!("{list}[{row}].{field}"), rule },
        other => other,
    }
}
