//! Field checks shared by the domain modules: each returns the typed error that names the field
//! and the rule, so every screen reports bad input the same way.

use chrono::NaiveDate;
use rusqlite::Connection;
use uuid::Uuid;

use serde_json::Value;

use crate::record::{Entity, Fields, RecordState};
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

/// The field-shape rules of the record contract (notes/data-contract.md): types, required
/// texts, lengths, ranges, enum values, dates and ids, all checked on the fields alone. A change
/// may carry only some fields of its record, so only the fields present are checked; checks
/// against other records (references, scope, duplicates) stay with the domain modules. Every
/// local write (`store::Tx::put`, `seal`) and the server's push run it.
pub fn record_fields(entity: Entity, fields: &Fields) -> Result<()> {
    for (name, value) in fields {
        text_fits(name, value)?;
        field(entity, name, value)?;
    }
    let int = |name| fields.get(name).and_then(Value::as_i64);
    if let (Some(members), Some(children)) = (int("members"), int("children_under_18"))
        && children > members
    {
        return Err(Error::validation("children_under_18", Rule::OutOfRange { min: 0, max: members }));
    }
    Ok(())
}

/// No text anywhere in a record is longer than the longest free text.
fn text_fits(name: &str, v: &Value) -> Result<()> {
    match v {
        Value::String(s) => limited(name, s, MAX_TEXT).map(drop),
        Value::Array(items) => items.iter().try_for_each(|i| text_fits(name, i)),
        Value::Object(map) => map.values().try_for_each(|i| text_fits(name, i)),
        _ => Ok(()),
    }
}

fn field(entity: Entity, name: &str, v: &Value) -> Result<()> {
    use Entity::*;
    use crate::{activities, checklist, households, minutes, pledges, visits};
    match (entity, name) {
        (Household, "head_name") | (Clan, "name") => text(name, v, MAX_NAME, true),
        (Household, "address") | (Minutes, "place") => text(name, v, MAX_LINE, false),
        (Household, "members") => int(name, v, 1, households::MAX_MEMBERS.into()),
        (Household, "children_under_18") => int(name, v, 0, households::MAX_MEMBERS.into()),
        (Household, "phone") => nullable(v, |v| text(name, v, 30, false)),
        (Clan, "head_name") => nullable(v, |v| text(name, v, MAX_NAME, false)),
        (Household, "clan") | (Pledge, "amends") | (Minutes, "amends") | (Minutes, "plan") | (Minutes, "task")
        | (Activity, "plan") | (Activity, "task") => nullable(v, |v| id(name, v)),
        (Pledge, "subject") | (Pledge, "template") | (Visit, "household") | (Task, "plan") => id(name, v),
        (Pledge, "kind") => one_of::<pledges::PledgeKind>(name, v),
        (Pledge, "signed_by") | (Pledge, "witness") => text(name, v, MAX_NAME, true),
        (Pledge, "commitments") => list(name, v, |c| text(name, c, MAX_LINE * 2, true)),
        (Pledge, "signature") => nullable(v, |v| sha256(name, v.as_str().unwrap_or_default())),
        (Pledge, "signed_on") | (Visit, "visited_on") | (Activity, "date") | (Task, "due") => date(name, v),
        (Visit, "revisit_on") => nullable(v, |v| date(name, v)),
        (Visit, "outcome") => one_of::<visits::VisitOutcome>(name, v),
        (Visit, "note") => text(name, v, visits::MAX_NOTE, false),
        (Task, "title") => text(name, v, checklist::MAX_TITLE, false),
        (Task, "status") => one_of::<checklist::TaskStatus>(name, v),
        (Task, "reason") => nullable(v, |v| text(name, v, checklist::MAX_NOTE, false)),
        (Task, "evidence") => one_of::<Vec<checklist::Evidence>>(name, v),
        (Activity, "kind") => one_of::<activities::ActivityKind>(name, v),
        (Activity, "topic") => text(name, v, activities::MAX_TOPIC, true),
        (Activity, "audience") => int(name, v, 0, activities::MAX_AUDIENCE.into()),
        (Activity, "new_law") => v.is_boolean().then_some(()).ok_or_else(|| invalid(name, "true or false")),
        (Minutes, "held_at") => nullable(v, |v| int(name, v, 0, i64::MAX)),
        (Minutes, "kind") => one_of::<minutes::MeetingKind>(name, v),
        (Minutes, "chair") | (Minutes, "secretary") => text(name, v, MAX_NAME, false),
        (Minutes, "attendee_count") => int(name, v, 0, minutes::MAX_ATTENDEES.into()),
        (Minutes, "attendees") => one_of::<Vec<minutes::Attendee>>(name, v),
        (Minutes, "assigned_tasks") => one_of::<Vec<minutes::AssignedTask>>(name, v),
        (Minutes, "attachments") => list(name, v, |s| sha256(name, s.as_str().unwrap_or_default())),
        _ => Ok(()),
    }
}

fn invalid(field: &str, expected: &'static str) -> Error {
    Error::validation(field, Rule::Invalid { expected })
}

fn text(field: &str, v: &Value, max: usize, needed: bool) -> Result<()> {
    let s = v.as_str().ok_or_else(|| invalid(field, "a text"))?;
    if needed { required(field, s, max) } else { limited(field, s, max) }.map(drop)
}

fn int(field: &str, v: &Value, min: i64, max: i64) -> Result<()> {
    range(field, v.as_i64().ok_or_else(|| invalid(field, "a whole number"))?, min, max)
}

fn id(field: &str, v: &Value) -> Result<()> {
    v.as_str().and_then(|s| Uuid::parse_str(s).ok()).map(drop).ok_or_else(|| invalid(field, "a record id"))
}

fn date(field: &str, v: &Value) -> Result<()> {
    v.as_str()
        .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .map(drop)
        .ok_or_else(|| invalid(field, "a date (YYYY-MM-DD)"))
}

fn nullable(v: &Value, check: impl FnOnce(&Value) -> Result<()>) -> Result<()> {
    if v.is_null() { Ok(()) } else { check(v) }
}

fn list(field: &str, v: &Value, check: impl Fn(&Value) -> Result<()>) -> Result<()> {
    v.as_array().ok_or_else(|| invalid(field, "a list"))?.iter().try_for_each(check)
}

/// A value of one of the core's types: an enum value, or a list of rows of a known shape. Reading
/// is lenient (a value a newer app added reads as "other", so its records still open), writing is
/// not: what was given must read back as itself, so an unknown value is refused here.
fn one_of<T: serde::de::DeserializeOwned + serde::Serialize>(field: &str, v: &Value) -> Result<()> {
    let refused = || invalid(field, "one of the allowed values");
    let read = T::deserialize(v).map_err(|_| refused())?;
    let again = serde_json::to_value(read).map_err(|_| refused())?;
    if reads_as_given(v, &again) { Ok(()) } else { Err(refused()) }
}

/// Whether `read` (a value decoded and encoded again) keeps what `given` says: the same scalars,
/// lists of the same length, and every key of an object that the type knows.
fn reads_as_given(given: &Value, read: &Value) -> bool {
    match (given, read) {
        (Value::Array(g), Value::Array(r)) => g.len() == r.len() && g.iter().zip(r).all(|(g, r)| reads_as_given(g, r)),
        (Value::Object(g), Value::Object(r)) => g.iter().all(|(k, gv)| r.get(k).is_none_or(|rv| reads_as_given(gv, rv))),
        _ => given == read,
    }
}
