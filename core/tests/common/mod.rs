//! Helpers shared by the integration tests: a store at a fixed time and a small unit tree.
#![allow(dead_code)]

use chrono::NaiveDate;
use sotay_core::clock::ManualClock;
use sotay_core::units::NewUnit;
use sotay_core::{Error, Rule, Store};
use uuid::Uuid;

pub const KEY: [u8; 32] = [7; 32];

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Milliseconds at 09:00 in Vietnam on the given day.
pub fn vn_morning(y: i32, m: u32, d: u32) -> i64 {
    date(y, m, d).and_hms_opt(2, 0, 0).unwrap().and_utc().timestamp_millis()
}

pub fn store_at(y: i32, m: u32, d: u32) -> Store {
    Store::open_in_memory(&KEY, ManualClock::at(vn_morning(y, m, d))).unwrap()
}

pub fn unit(code: &str, name: &str, level: &str, parent: Option<Uuid>, residential_area: bool) -> NewUnit {
    NewUnit { code: code.into(), name: name.into(), level: level.into(), parent, residential_area, established_on: None }
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
    let province = store.add_unit(unit("51", "Quảng Ngãi", "tỉnh", None, false)).unwrap().id;
    let district = store.add_unit(unit("524", "Bình Sơn", "huyện", Some(province), false)).unwrap().id;
    let commune = store.add_unit(unit("21", "Bình Trị", "xã", Some(district), false)).unwrap().id;
    let township = store.add_unit(unit("22", "Châu Ổ", "thị trấn", Some(district), false)).unwrap().id;
    let village1 = store.add_unit(unit("", "Thôn Một", "thôn", Some(commune), true)).unwrap().id;
    let village2 = store.add_unit(unit("", "Thôn Hai", "thôn", Some(commune), true)).unwrap().id;
    let group1 = store.add_unit(unit("", "Tổ dân phố 1", "tổ dân phố", Some(township), true)).unwrap().id;
    Tree { province, district, commune, township, village1, village2, group1 }
}

/// Assert that `r` failed validation on `field` with `rule`.
#[track_caller]
pub fn assert_invalid<T: std::fmt::Debug>(r: Result<T, Error>, field: &str, rule: Rule) {
    match r {
        Err(Error::Validation { field: f, rule: got }) => {
            assert_eq!((f.as_str(), &got), (field, &rule));
        }
        other => panic!("expected invalid {field} ({rule}), got {other:?}"),
    }
}
