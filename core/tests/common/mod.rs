//! Helpers shared by the integration tests: a store on a fixed clock and unit records.
#![allow(dead_code)]

use std::sync::Arc;

use serde_json::json;
use sotay_core::Store;
use sotay_core::clock::ManualClock;
use sotay_core::households::{Household, HouseholdDetails};
use sotay_core::record::Entity;
use uuid::Uuid;

pub const KEY: [u8; 32] = [7; 32];
/// 2023-06-15 03:00 UTC = 10:00 in Vietnam.
pub const NOW: i64 = 1_686_798_000_000;

pub fn store() -> (Store, Arc<ManualClock>) {
    let clock = ManualClock::at(NOW);
    (Store::open_in_memory(&KEY, clock.clone()).unwrap(), clock)
}

/// Write a unit record as the units module would (its fields per the contract).
pub fn unit(store: &Store, name: &str, level: &str, parent: Option<Uuid>, residential_area: bool) -> Uuid {
    let id = Uuid::now_v7();
    let fields = json!({
        "code": name, "name": name, "level": level, "parent": parent,
        "residential_area": residential_area, "renames": [], "merged_into": null,
    });
    store.write(|tx| tx.put(Entity::Unit, id, id, fields.as_object().cloned().unwrap())).unwrap();
    id
}

pub fn details(head_name: &str) -> HouseholdDetails {
    HouseholdDetails { head_name: head_name.into(), address: "Xóm 1".into(), members: 4, children_under_18: 2, phone: None, clan: None }
}

pub fn household(store: &Store, village: Uuid, head_name: &str) -> Household {
    store.add_household(village, &details(head_name)).unwrap()
}

pub fn date(s: &str) -> chrono::NaiveDate {
    s.parse().unwrap()
}

// ---- units, plans, checklist, progress ----

pub fn ymd(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Milliseconds at 09:00 in Vietnam on the given day.
pub fn vn_morning(y: i32, m: u32, d: u32) -> i64 {
    ymd(y, m, d).and_hms_opt(2, 0, 0).unwrap().and_utc().timestamp_millis()
}

/// A store whose clock reads 09:00 in Vietnam on the given day.
pub fn store_at(y: i32, m: u32, d: u32) -> Store {
    Store::open_in_memory(&KEY, ManualClock::at(vn_morning(y, m, d))).unwrap()
}

pub fn new_unit(code: &str, name: &str, level: &str, parent: Option<Uuid>, residential_area: bool) -> sotay_core::units::NewUnit {
    sotay_core::units::NewUnit { code: code.into(), name: name.into(), level: level.into(), parent, residential_area, established_on: None }
}

/// Quảng Ngãi › Bình Sơn › (Bình Trị: Thôn Một, Thôn Hai; Châu Ổ: Tổ dân phố 1).
pub struct Tree {
    pub province: Uuid,
    pub district: Uuid,
    pub commune: Uuid,
    pub township: Uuid,
    pub village1: Uuid,
    pub village2: Uuid,
    pub group1: Uuid,
}

pub fn seed_tree(store: &Store) -> Tree {
    let add = |u| store.add_unit(u).unwrap().id;
    let province = add(new_unit("51", "Quảng Ngãi", "tỉnh", None, false));
    let district = add(new_unit("524", "Bình Sơn", "huyện", Some(province), false));
    let commune = add(new_unit("21", "Bình Trị", "xã", Some(district), false));
    let township = add(new_unit("22", "Châu Ổ", "thị trấn", Some(district), false));
    let village1 = add(new_unit("", "Thôn Một", "thôn", Some(commune), true));
    let village2 = add(new_unit("", "Thôn Hai", "thôn", Some(commune), true));
    let group1 = add(new_unit("", "Tổ dân phố 1", "tổ dân phố", Some(township), true));
    Tree { province, district, commune, township, village1, village2, group1 }
}

/// Assert that `r` failed validation on `field` with `rule`.
#[track_caller]
pub fn assert_invalid<T: std::fmt::Debug>(r: Result<T, sotay_core::Error>, field: &str, rule: sotay_core::Rule) {
    match r {
        Err(sotay_core::Error::Validation { field: f, rule: got }) => assert_eq!((f.as_str(), &got), (field, &rule)),
        other => panic!("expected invalid {field} ({rule}), got {other:?}"),
    }
}
