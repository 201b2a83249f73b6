mod common;

use common::*;
use sotay_core::Rule;
use sotay_core::record::Entity;
use sotay_core::units::UnitTree;

#[test]
fn levels_are_data_and_communes_are_found_from_the_tree() {
    let store = store_at(2023, 4, 1);
    let t = seed_tree(&store);
    let tree = store.unit_tree().unwrap();
    // xã and thị trấn are both commune-level because residential areas hang under them.
    assert!(tree.is_commune_level(t.commune));
    assert!(tree.is_commune_level(t.township));
    assert!(!tree.is_commune_level(t.district));
    assert!(!tree.is_commune_level(t.village1));
    assert!(tree.matches_level(t.district, "huyện"));
    assert!(tree.matches_level(t.township, "commune"));
    assert!(tree.matches_level(t.group1, "residential_area"));
    let names: Vec<_> = tree.children(t.commune).iter().map(|u| u.name.clone()).collect();
    assert_eq!(names, ["Thôn Hai", "Thôn Một"], "Vietnamese alphabetical order");
    let communes: Vec<_> = tree.communes(t.province, ymd(2023, 4, 1)).iter().map(|u| u.id).collect();
    assert_eq!(communes, [t.commune, t.township]);
    let areas = tree.residential_areas(t.district, ymd(2023, 4, 1));
    assert_eq!(areas.len(), 3);
    let ancestors: Vec<_> = tree.ancestors(t.village1).iter().map(|u| u.id).collect();
    assert_eq!(ancestors, [t.commune, t.district, t.province]);
    assert_eq!(tree.subtree(t.commune).len(), 3);
    assert_eq!(tree.commune_of(t.village2, ymd(2023, 4, 1)), Some(t.commune));
}

#[test]
fn scope_covers_the_subtree_and_lets_devices_read_plans_above() {
    let store = store_at(2023, 4, 1);
    let t = seed_tree(&store);
    let tree = store.unit_tree().unwrap();
    assert!(tree.in_scope(t.commune, t.village1));
    assert!(tree.in_scope(t.commune, t.commune));
    assert!(!tree.in_scope(t.commune, t.group1));
    assert!(!tree.in_scope(t.village1, t.commune));
    assert!(tree.readable(t.village1, Entity::Plan, t.district));
    assert!(tree.readable(t.village1, Entity::Unit, t.province));
    assert!(tree.readable(t.village1, Entity::PledgeTemplate, t.commune));
    assert!(!tree.readable(t.village1, Entity::Household, t.commune));
    assert!(!tree.readable(t.village1, Entity::Plan, t.township), "a plan of a sibling branch");
    assert!(!tree.in_scope(t.commune, uuid::Uuid::now_v7()), "unknown units are out of scope");
}

#[test]
fn a_rename_takes_effect_from_its_date() {
    let store = store_at(2023, 4, 1);
    let t = seed_tree(&store);
    store.rename_unit(t.village1, "Thôn Phước Hòa", ymd(2024, 1, 1)).unwrap();
    let u = store.unit(t.village1).unwrap();
    assert_eq!(u.name_on(ymd(2023, 12, 31)), "Thôn Một");
    assert_eq!(u.name_on(ymd(2024, 1, 1)), "Thôn Phước Hòa");
    assert_invalid(store.rename_unit(t.village1, "Khác", ymd(2024, 1, 1)), "effective_from", Rule::Duplicate);
    assert_invalid(store.rename_unit(t.village1, "  ", ymd(2024, 2, 1)), "name", Rule::Required);
}

#[test]
fn the_2025_reform_merges_communes_and_drops_the_district_tier() {
    let store = store_at(2025, 8, 1);
    let t = seed_tree(&store);
    // The new commune hangs straight under the province from 1 July 2025.
    let mut new = new_unit("", "Bình Sơn", "xã", Some(t.province), false);
    new.established_on = Some(ymd(2025, 7, 1));
    let new_commune = store.add_unit(new).unwrap().id;
    store.merge_unit(t.commune, new_commune, ymd(2025, 7, 1)).unwrap();
    store.merge_unit(t.township, new_commune, ymd(2025, 7, 1)).unwrap();
    let tree = store.unit_tree().unwrap();
    // The villages of the merged communes now count under the new commune.
    assert!(tree.in_scope(new_commune, t.village1));
    assert!(tree.in_scope(new_commune, t.group1));
    assert_eq!(tree.residential_areas(new_commune, ymd(2025, 8, 1)).len(), 3);
    assert_eq!(tree.commune_of(t.village1, ymd(2025, 8, 1)), Some(new_commune));
    assert_eq!(tree.commune_of(t.village1, ymd(2025, 6, 30)), Some(t.commune));
    let communes: Vec<_> = tree.communes(t.province, ymd(2025, 8, 1)).iter().map(|u| u.id).collect();
    assert_eq!(communes, [new_commune]);
    // A device of the new commune reads the province's plans (its parent), not the old district's data.
    assert!(tree.readable(new_commune, Entity::Plan, t.province));
    assert!(!tree.in_scope(new_commune, t.district));
}

#[test]
fn merges_are_checked() {
    let store = store_at(2025, 8, 1);
    let t = seed_tree(&store);
    assert_invalid(store.merge_unit(t.commune, t.commune, ymd(2025, 7, 1)), "merged_into", Rule::SelfReference);
    assert_invalid(store.merge_unit(t.commune, t.district, ymd(2025, 7, 1)), "merged_into", Rule::WrongUnitLevel);
    assert_invalid(store.merge_unit(t.village1, t.commune, ymd(2025, 7, 1)), "merged_into", Rule::WrongUnitLevel);
    assert_invalid(
        store.merge_unit(t.commune, uuid::Uuid::now_v7(), ymd(2025, 7, 1)),
        "merged_into",
        Rule::UnknownReference { entity: "unit" },
    );
    let mut new = new_unit("", "Bình Sơn", "xã", Some(t.province), false);
    new.established_on = Some(ymd(2025, 7, 1));
    let new_commune = store.add_unit(new).unwrap().id;
    // Into a unit that did not exist yet on that day.
    assert_invalid(
        store.merge_unit(t.commune, new_commune, ymd(2025, 6, 1)),
        "effective_from",
        Rule::NotBefore { date: "01/07/2025".into() },
    );
    store.merge_unit(t.commune, new_commune, ymd(2025, 7, 1)).unwrap();
    assert_invalid(store.merge_unit(t.commune, t.township, ymd(2025, 7, 1)), "merged_into", Rule::Duplicate);
    // Into a unit that was itself merged away by then.
    assert_invalid(
        store.merge_unit(t.township, t.commune, ymd(2025, 8, 1)),
        "effective_from",
        Rule::NotAfter { date: "30/06/2025".into() },
    );
    // No renames after a unit is gone.
    assert_invalid(
        store.rename_unit(t.commune, "Tên mới", ymd(2025, 9, 1)),
        "effective_from",
        Rule::NotAfter { date: "30/06/2025".into() },
    );
    // Merging a unit into one merged into it would loop.
    store.merge_unit(t.village2, t.village1, ymd(2025, 7, 1)).unwrap();
    assert_invalid(store.merge_unit(t.village1, t.village2, ymd(2025, 6, 1)), "merged_into", Rule::Cycle);
}

#[test]
fn renames_and_merges_cannot_predate_the_unit() {
    let store = store_at(2025, 8, 1);
    let t = seed_tree(&store);
    let mut new = new_unit("", "Thôn Mới", "thôn", Some(t.commune), true);
    new.established_on = Some(ymd(2025, 7, 1));
    let v = store.add_unit(new).unwrap().id;
    assert_invalid(store.rename_unit(v, "Thôn Mới Hai", ymd(2025, 1, 1)), "effective_from", Rule::NotBefore { date: "01/07/2025".into() });
    assert_invalid(store.merge_unit(v, t.village1, ymd(2025, 6, 30)), "effective_from", Rule::NotBefore { date: "01/07/2025".into() });
}

#[test]
fn adding_and_moving_units_is_checked() {
    let store = store_at(2023, 4, 1);
    let t = seed_tree(&store);
    assert_invalid(store.add_unit(new_unit("", "", "thôn", Some(t.commune), true)), "name", Rule::Required);
    assert_invalid(store.add_unit(new_unit("", "Thôn Ba", "", Some(t.commune), true)), "level", Rule::Required);
    assert_invalid(
        store.add_unit(new_unit("", "Thôn Ba", "thôn", Some(uuid::Uuid::now_v7()), true)),
        "parent",
        Rule::UnknownReference { entity: "unit" },
    );
    assert_invalid(store.add_unit(new_unit("", "Xóm", "xóm", Some(t.village1), true)), "parent", Rule::WrongUnitLevel);
    assert_invalid(store.add_unit(new_unit("21", "Bình Hải", "xã", Some(t.district), false)), "code", Rule::Duplicate);
    assert_invalid(store.move_unit(t.district, Some(t.commune)), "parent", Rule::Cycle);
    assert_invalid(store.move_unit(t.district, Some(t.district)), "parent", Rule::SelfReference);
    // Abolishing the district tier: the commune moves under the province.
    store.move_unit(t.commune, Some(t.province)).unwrap();
    let tree = store.unit_tree().unwrap();
    assert_eq!(tree.ancestors(t.village1).iter().map(|u| u.id).collect::<Vec<_>>(), [t.commune, t.province]);
    assert!(matches!(store.rename_unit(uuid::Uuid::now_v7(), "X", ymd(2024, 1, 1)), Err(sotay_core::Error::NotFound { .. })));
}

#[test]
fn a_tree_from_bad_records_does_not_hang_or_panic() {
    use sotay_core::record::RecordState;
    let a = uuid::Uuid::now_v7();
    let b = uuid::Uuid::now_v7();
    let rec = |id, parent| {
        let mut r = RecordState::new(Entity::Unit, id, id);
        r.fields = serde_json::json!({"code": "", "name": "X", "level": "xã", "parent": parent}).as_object().cloned().unwrap();
        r
    };
    let mut junk = RecordState::new(Entity::Unit, uuid::Uuid::now_v7(), uuid::Uuid::nil());
    junk.fields.insert("name".into(), serde_json::json!(42));
    let tree = UnitTree::from_records(&[rec(a, b), rec(b, a), junk]);
    assert_eq!(tree.len(), 2);
    assert_eq!(tree.ancestors(a).len(), 1);
    assert!(tree.in_scope(a, b) && tree.in_scope(b, a));
    assert_eq!(tree.subtree(a).len(), 2);
}

#[test]
fn validation_messages_are_vietnamese_and_name_the_field() {
    let store = store_at(2023, 4, 1);
    let t = seed_tree(&store);
    let err = store.merge_unit(t.commune, t.district, ymd(2025, 7, 1)).unwrap_err();
    assert_eq!(err.message_vi(), "Sáp nhập vào: không đúng loại đơn vị");
}
