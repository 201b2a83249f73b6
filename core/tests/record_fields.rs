//! The record contract's field rules (`validate::record_fields`): the same function guards every
//! local write and the server's push, so a phone cannot queue what the server would refuse.
mod common;

use common::*;
use serde_json::{Value, json};
use sotay_core::record::{Entity, Fields};
use sotay_core::validate::record_fields;
use sotay_core::{Error, Rule};
use uuid::Uuid;

fn fields(v: Value) -> Fields {
    v.as_object().cloned().unwrap()
}

fn bad(entity: Entity, v: Value) -> (String, Rule) {
    match record_fields(entity, &fields(v)) {
        Err(Error::Validation { field, rule }) => (field, rule),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[test]
fn fields_of_the_right_shape_pass_and_only_present_fields_are_checked() {
    let id = Uuid::now_v7().to_string();
    record_fields(Entity::Household, &fields(json!({"head_name": "Nguyễn Văn An", "members": 4, "children_under_18": 2, "clan": null})))
        .unwrap();
    record_fields(Entity::Household, &fields(json!({"phone": "0912345678"}))).unwrap();
    record_fields(Entity::Visit, &fields(json!({"household": id, "visited_on": "2023-06-01", "outcome": "not_home", "revisit_on": null})))
        .unwrap();
    record_fields(Entity::Minutes, &fields(json!({"attendees": [{"name": "Lê Thị Bình", "role": "women"}], "attachments": ["a".repeat(64)]})))
        .unwrap();
}

#[test]
fn each_rule_names_the_field() {
    assert_eq!(bad(Entity::Household, json!({"members": 0})), ("members".into(), Rule::OutOfRange { min: 1, max: 100 }));
    assert_eq!(bad(Entity::Household, json!({"members": 2, "children_under_18": 3})).0, "children_under_18");
    assert_eq!(bad(Entity::Household, json!({"head_name": "  "})), ("head_name".into(), Rule::Required));
    assert_eq!(bad(Entity::Household, json!({"address": "x".repeat(301)})), ("address".into(), Rule::TooLong { max: 300 }));
    assert_eq!(bad(Entity::Visit, json!({"outcome": "maybe"})).0, "outcome");
    assert_eq!(bad(Entity::Visit, json!({"visited_on": "01/06/2023"})).0, "visited_on");
    assert_eq!(bad(Entity::Pledge, json!({"subject": "not an id"})).0, "subject");
    assert_eq!(bad(Entity::Activity, json!({"audience": -1})).0, "audience");
    assert_eq!(bad(Entity::Activity, json!({"new_law": "yes"})).0, "new_law");
    assert_eq!(bad(Entity::Minutes, json!({"attachments": ["ABC"]})).0, "attachments");
    assert_eq!(bad(Entity::Minutes, json!({"attendees": [{"name": "A", "role": "mayor"}]})).0, "attendees");
    assert_eq!(bad(Entity::Task, json!({"status": "finished"})).0, "status");
    assert_eq!(bad(Entity::Plan, json!({"title": "x".repeat(20_001)})).0, "title");
}

#[test]
fn a_local_write_that_breaks_the_contract_is_refused_and_queues_nothing() {
    let (store, _clock) = store();
    let village = unit(&store, "Thôn 1", "thôn", None, true);
    let err = store
        .write(|tx| tx.put(Entity::Household, Uuid::now_v7(), village, fields(json!({"head_name": "Trần Văn Ba", "members": 0}))))
        .unwrap_err();
    assert!(matches!(err, Error::Validation { ref field, .. } if field == "members"), "{err:?}");
    assert!(store.households(village).unwrap().is_empty());
    let pending: i64 = store.read(|c| Ok(c.query_row("SELECT count(*) FROM outbox WHERE record_id NOT IN (SELECT id FROM records WHERE entity = 'unit')", [], |r| r.get(0))?)).unwrap();
    assert_eq!(pending, 0);
}
