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
