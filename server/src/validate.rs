//! Server-side checks of an incoming change, before it is merged.
//!
//! TODO(field): call the core's domain validation (`core/src/validate.rs` and the domain modules
//! on branch `field`) when it lands on main. Until then these checks cover the record field
//! contract (notes/data-contract.md) for the fields a change carries: a change may carry only
//! some fields of its record, so only what is present is checked.

use chrono::NaiveDate;
use serde_json::Value;
use sotay_core::record::{Change, Entity};
use uuid::Uuid;

const MAX_FIELDS: usize = 64;
const MAX_FIELD_NAME: usize = 64;
/// The longest text anywhere in a record (minutes' contents are the longest).
const MAX_TEXT: usize = 20_000;

/// `Err(field)` names the first bad field.
pub fn change(c: &Change) -> Result<(), String> {
    if c.record.is_nil() || c.unit.is_nil() {
        return Err("record".into());
    }
    if c.fields.len() > MAX_FIELDS {
        return Err("fields".into());
    }
    for (name, value) in &c.fields {
        let well_named = !name.is_empty()
            && name.len() <= MAX_FIELD_NAME
            && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !well_named || !texts_fit(value) {
            return Err(if well_named { name.clone() } else { "fields".into() });
        }
        if !field_ok(c.entity, name, value) {
            return Err(name.clone());
        }
    }
    if let (Some(members), Some(children)) = (int(&c.fields, "members"), int(&c.fields, "children_under_18"))
        && children > members
    {
        return Err("children_under_18".into());
    }
    Ok(())
}

fn texts_fit(v: &Value) -> bool {
    match v {
        Value::String(s) => s.chars().count() <= MAX_TEXT,
        Value::Array(items) => items.iter().all(texts_fit),
        Value::Object(map) => map.values().all(texts_fit),
        _ => true,
    }
}

fn int(fields: &sotay_core::Fields, name: &str) -> Option<i64> {
    fields.get(name).and_then(Value::as_i64)
}

fn is_date(v: &Value) -> bool {
    v.as_str().is_some_and(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok())
}

fn is_uuid(v: &Value) -> bool {
    v.as_str().is_some_and(|s| Uuid::parse_str(s).is_ok())
}

fn one_of(v: &Value, allowed: &[&str]) -> bool {
    v.as_str().is_some_and(|s| allowed.contains(&s))
}

fn field_ok(entity: Entity, name: &str, v: &Value) -> bool {
    use Entity::*;
    match (entity, name) {
        (Household, "members") => v.as_i64().is_some_and(|n| (1..=1000).contains(&n)),
        (Household, "children_under_18") => v.as_i64().is_some_and(|n| (0..=1000).contains(&n)),
        (Household, "head_name") | (Clan, "name") => v.as_str().is_some_and(|s| !s.trim().is_empty()),
        (Household, "clan") => v.is_null() || is_uuid(v),
        (Pledge, "kind") => one_of(v, &["household", "clan", "residential_area"]),
        (Pledge, "subject") | (Pledge, "template") => is_uuid(v),
        (Pledge, "signed_on") | (Visit, "visited_on") | (Activity, "date") | (Task, "due") => is_date(v),
        (Pledge, "amends") | (Minutes, "amends") | (Activity, "plan") | (Activity, "task") | (Minutes, "task") => {
            v.is_null() || is_uuid(v)
        }
        (Visit, "revisit_on") => v.is_null() || is_date(v),
        (Visit, "household") | (Task, "plan") => is_uuid(v),
        (Visit, "outcome") => one_of(v, &["pledged", "not_home", "refused", "moved_away", "other"]),
        (Task, "status") => one_of(v, &["todo", "doing", "done", "not_applicable"]),
        (Activity, "kind") => {
            one_of(v, &["conference", "loudspeaker", "leaflets", "posters_banners", "social_media", "school_talk", "other"])
        }
        (Activity, "audience") | (Minutes, "attendee_count") => v.as_i64().is_some_and(|n| n >= 0),
        (Activity, "new_law") => v.is_boolean(),
        (Minutes, "held_at") => v.as_i64().is_some(),
        (Minutes, "kind") => one_of(v, &["village_conference", "commune_conference", "other"]),
        (Minutes, "attachments") => v.as_array().is_some_and(|a| a.iter().all(|s| s.as_str().is_some_and(crate::storage::is_sha256))),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use sotay_core::Hlc;

    fn household(fields: Value) -> Change {
        Change {
            id: Uuid::now_v7(),
            entity: Entity::Household,
            record: Uuid::now_v7(),
            unit: Uuid::now_v7(),
            hlc: Hlc::ZERO,
            fields: fields.as_object().cloned().unwrap_or_default(),
            seal: None,
        }
    }

    #[test]
    fn names_the_first_bad_field() {
        assert_eq!(change(&household(json!({"members": 3, "children_under_18": 1}))), Ok(()));
        assert_eq!(change(&household(json!({"members": 0}))), Err("members".into()));
        assert_eq!(change(&household(json!({"members": 2, "children_under_18": 3}))), Err("children_under_18".into()));
        assert_eq!(change(&household(json!({"Bad Name": 1}))), Err("fields".into()));
        assert_eq!(change(&household(json!({"address": "x".repeat(MAX_TEXT + 1)}))), Err("address".into()));
    }
}
