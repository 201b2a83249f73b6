//! Server-side checks of an incoming change, before it is merged: the shape of the change here,
//! and the record field contract by the core's `validate::record_fields`, the very rules a phone
//! applies when it writes. A change may carry only some fields of its record, so only what is
//! present is checked.

use sotay_core::record::Change;

const MAX_FIELDS: usize = 64;
const MAX_FIELD_NAME: usize = 64;

/// `Err(field)` names the first bad field.
pub fn change(c: &Change) -> Result<(), String> {
    if c.record.is_nil() || c.unit.is_nil() {
        return Err("record".into());
    }
    if c.fields.len() > MAX_FIELDS {
        return Err("fields".into());
    }
    let well_named = |name: &str| {
        !name.is_empty()
            && name.len() <= MAX_FIELD_NAME
            && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    };
    if !c.fields.keys().all(|name| well_named(name)) {
        return Err("fields".into());
    }
    sotay_core::validate::record_fields(c.entity, &c.fields).map_err(|e| match e {
        sotay_core::Error::Validation { field, .. } => field,
        _ => "fields".into(),
    })
}
#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};
    use sotay_core::record::Entity;
    use uuid::Uuid;
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
        assert_eq!(change(&household(json!({"address": "x".repeat(sotay_core::validate::MAX_TEXT + 1)}))), Err("address".into()));
    }

    /// The contract's rules come from the core (`validate::record_fields`), as on the phone.
    #[test]
    fn the_core_rules_apply_to_every_kind() {
        let of = |entity, fields: Value| Change { entity, ..household(fields) };
        assert_eq!(change(&of(Entity::Visit, json!({"outcome": "maybe"}))), Err("outcome".into()));
        assert_eq!(change(&of(Entity::Visit, json!({"visited_on": "2023-02-30"}))), Err("visited_on".into()));
        assert_eq!(change(&of(Entity::Household, json!({"head_name": " "}))), Err("head_name".into()));
        assert_eq!(change(&of(Entity::Activity, json!({"topic": "x".repeat(501)}))), Err("topic".into()));
        assert_eq!(change(&of(Entity::Minutes, json!({"attachments": ["not-a-hash"]}))), Err("attachments".into()));
        assert_eq!(change(&of(Entity::Pledge, json!({"kind": "household", "signed_on": "2023-06-01"}))), Ok(()));
    }
}
