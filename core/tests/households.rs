mod common;

use common::*;
use sotay_core::households::{ClanDetails, HouseholdDetails, HouseholdImport};
use sotay_core::record::Entity;
use sotay_core::{Error, Rule};
use uuid::Uuid;

fn rule_of(e: Error) -> (String, Rule) {
    match e {
        Error::Validation { field, rule } => (field, rule),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[test]
fn households_are_added_edited_and_listed_in_vietnamese_order() {
    let (store, _) = store();
    let village = Uuid::now_v7();
    for name in ["Đào Văn Bé", "Dương Thị Hoa", "Ân Văn Tâm", "An Thị Lý", "Nguyễn Văn A"] {
        household(&store, village, name);
    }
    household(&store, Uuid::now_v7(), "Lê Văn Khác"); // another village
    let names: Vec<_> = store.households(village).unwrap().into_iter().map(|h| h.details.head_name).collect();
    assert_eq!(names, ["An Thị Lý", "Ân Văn Tâm", "Dương Thị Hoa", "Đào Văn Bé", "Nguyễn Văn A"]);

    let h = store.households(village).unwrap().remove(0);
    let mut d = h.details.clone();
    d.head_name = "  Bùi Thị Lý ".into();
    d.phone = Some("+84 905 123 456".into());
    let edited = store.edit_household(h.id, &d).unwrap();
    assert_eq!(edited.details.head_name, "Bùi Thị Lý");
    assert_eq!(edited.details.phone.as_deref(), Some("0905123456"));
    assert_eq!(store.household(h.id).unwrap(), edited);
    let names: Vec<_> = store.households(village).unwrap().into_iter().map(|h| h.details.head_name).collect();
    assert_eq!(names[..2], ["Ân Văn Tâm", "Bùi Thị Lý"]);
}

#[test]
fn an_edit_writes_only_the_fields_that_changed() {
    let (store, _) = store();
    let h = household(&store, Uuid::now_v7(), "Trần Văn Ba");
    let before = store.outbox_pending_count().unwrap();
    store.edit_household(h.id, &h.details).unwrap();
    assert_eq!(store.outbox_pending_count().unwrap(), before, "an unchanged edit queues nothing");
    let mut d = h.details.clone();
    d.members = 6;
    store.edit_household(h.id, &d).unwrap();
    let batch = store.outbox_batch(100, 1 << 20).unwrap();
    let last = batch.last().unwrap();
    assert_eq!(last.fields.keys().collect::<Vec<_>>(), ["members"]);
}

#[test]
fn bad_household_input_names_the_field_and_the_rule() {
    let (store, _) = store();
    let village = Uuid::now_v7();
    let cases: Vec<(HouseholdDetails, &str)> = vec![
        (HouseholdDetails { head_name: "   ".into(), ..details("x") }, "head_name"),
        (HouseholdDetails { members: 0, children_under_18: 0, ..details("A") }, "members"),
        (HouseholdDetails { members: 2, children_under_18: 3, ..details("A") }, "children_under_18"),
        (HouseholdDetails { phone: Some("12345".into()), ..details("A") }, "phone"),
        (HouseholdDetails { phone: Some("09051234ab".into()), ..details("A") }, "phone"),
        (HouseholdDetails { head_name: "A".repeat(101), ..details("A") }, "head_name"),
        (HouseholdDetails { clan: Some(Uuid::now_v7()), ..details("A") }, "clan"),
    ];
    for (d, field) in cases {
        let (f, _) = rule_of(store.add_household(village, &d).unwrap_err());
        assert_eq!(f, field);
    }
    let (_, rule) = rule_of(store.add_household(village, &HouseholdDetails { members: 2, children_under_18: 3, ..details("A") }).unwrap_err());
    assert_eq!(rule, Rule::OutOfRange { min: 0, max: 2 });
    let (_, rule) = rule_of(store.add_household(village, &HouseholdDetails { clan: Some(Uuid::now_v7()), ..details("A") }).unwrap_err());
    assert_eq!(rule, Rule::UnknownReference { entity: "clan" });
    assert!(store.households(village).unwrap().is_empty());
    assert_eq!(store.outbox_pending_count().unwrap(), 0);
}

#[test]
fn a_household_belongs_to_a_residential_area() {
    let (store, _) = store();
    let commune = unit(&store, "Xã Bình Thạnh", "xã", None, false);
    let village = unit(&store, "Thôn Tây", "thôn", Some(commune), true);
    let (field, rule) = rule_of(store.add_household(commune, &details("Phạm Văn Tư")).unwrap_err());
    assert_eq!((field.as_str(), rule), ("village", Rule::WrongUnitLevel));
    store.add_household(village, &details("Phạm Văn Tư")).unwrap();
    let err = store.edit_household(Uuid::now_v7(), &details("X")).unwrap_err();
    assert!(matches!(err, Error::NotFound { entity: "household", .. }));
}

#[test]
fn clans_list_their_member_households() {
    let (store, _) = store();
    let commune = unit(&store, "Xã Bình Thạnh", "xã", None, false);
    let village = unit(&store, "Thôn Tây", "thôn", Some(commune), true);
    let other_commune = unit(&store, "Xã Khác", "xã", None, false);
    let le = store.add_clan(village, &ClanDetails { name: "Tộc Lê".into(), head_name: Some("Lê Văn Cả".into()) }).unwrap();
    let dang = store.add_clan(commune, &ClanDetails { name: "Tộc Đặng".into(), head_name: None }).unwrap();
    let foreign = store.add_clan(other_commune, &ClanDetails { name: "Tộc Võ".into(), head_name: None }).unwrap();
    for (name, clan) in [("Lê Văn Hai", le.id), ("Lê Thị Ba", le.id), ("Đặng Văn Tư", dang.id)] {
        store.add_household(village, &HouseholdDetails { clan: Some(clan), ..details(name) }).unwrap();
    }
    let (field, _) = rule_of(store.add_household(village, &HouseholdDetails { clan: Some(foreign.id), ..details("Võ A") }).unwrap_err());
    assert_eq!(field, "clan");
    let members: Vec<_> = store.clan_households(le.id).unwrap().into_iter().map(|h| h.details.head_name).collect();
    assert_eq!(members, ["Lê Thị Ba", "Lê Văn Hai"]);
    assert_eq!(store.clan(le.id).unwrap().household_count, 2);
    let clans: Vec<_> = store.clans(village).unwrap().into_iter().map(|c| (c.details.name, c.household_count)).collect();
    assert_eq!(clans, [("Tộc Lê".to_string(), 2)]);
    let renamed = store.edit_clan(dang.id, &ClanDetails { name: "Họ Đặng".into(), head_name: Some("Đặng Văn Cả".into()) }).unwrap();
    assert_eq!((renamed.details.name.as_str(), renamed.household_count), ("Họ Đặng", 1));
    let (field, rule) = rule_of(store.add_clan(village, &ClanDetails { name: " ".into(), head_name: None }).unwrap_err());
    assert_eq!((field.as_str(), rule), ("name", Rule::Required));
    let h = store.household(store.clan_households(le.id).unwrap()[0].id).unwrap();
    let (field, _) = rule_of(store.add_clan(h.id, &ClanDetails { name: "X".into(), head_name: None }).unwrap_err());
    assert_eq!(field, "unit_id");
}

#[test]
fn a_commune_import_is_all_or_nothing_and_names_the_bad_row() {
    let (store, _) = store();
    let commune = unit(&store, "Xã Bình Thạnh", "xã", None, false);
    let villages = [unit(&store, "Thôn Đông", "thôn", Some(commune), true), unit(&store, "Thôn Tây", "thôn", Some(commune), true)];
    let elsewhere = unit(&store, "Thôn Xa", "thôn", Some(Uuid::now_v7()), true);
    let mut rows: Vec<HouseholdImport> = (0..50)
        .map(|i| HouseholdImport { village: villages[i % 2], details: details(&format!("Nguyễn Văn {i}")) })
        .collect();
    rows[37].details.members = 0;
    let err = store.import_households(commune, &rows).unwrap_err();
    assert_eq!(rule_of(err).0, "households[37].members");
    assert_eq!(store.outbox_pending_count().unwrap(), 4, "only the four unit records");
    let msg = store.import_households(commune, &rows).unwrap_err().message_vi();
    assert_eq!(msg, "Hộ thứ 38, số nhân khẩu: phải trong khoảng 1 đến 100");

    rows[37].details.members = 3;
    rows[10].village = elsewhere;
    assert_eq!(rule_of(store.import_households(commune, &rows).unwrap_err()).0, "households[10].village");
    rows[10].village = villages[0];
    let ids = store.import_households(commune, &rows).unwrap();
    assert_eq!(ids.len(), 50);
    assert_eq!(store.households(villages[0]).unwrap().len(), 25);
    assert_eq!(store.household(ids[7]).unwrap().details.head_name, "Nguyễn Văn 7");
}

#[test]
fn erasing_a_household_removes_it_and_what_names_it() {
    let (store, _) = store();
    let village = Uuid::now_v7();
    let keep = household(&store, village, "Hồ Văn Giữ");
    let gone = household(&store, village, "Hồ Văn Xóa");
    let erased = store.erase_household(gone.id).unwrap();
    assert_eq!(erased.visits + erased.pledges, 0);
    assert!(matches!(store.household(gone.id), Err(Error::NotFound { .. })));
    assert_eq!(store.households(village).unwrap(), vec![keep.clone()]);
    assert!(store.search_households(None, "xoa", 10).unwrap().is_empty());
    assert!(store.outbox_batch(100, 1 << 20).unwrap().iter().all(|c| c.record != gone.id));
    assert!(matches!(store.erase_household(gone.id), Err(Error::NotFound { .. })));
    // Only households can be erased this way.
    let clan = store.add_clan(village, &ClanDetails { name: "Tộc Hồ".into(), head_name: None }).unwrap();
    assert!(matches!(store.erase_household(clan.id), Err(Error::NotFound { .. })));
    assert_eq!(store.record(clan.id).unwrap().unwrap().entity, Entity::Clan);
}
