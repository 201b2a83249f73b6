//! Data shared by the benchmarks: a commune of villages with Vietnamese names drawn with the
//! rough frequencies of real ones (many Nguyễn, Trần, Lê), from a fixed seed.
#![allow(dead_code)]

use std::path::Path;
use std::time::Duration;

use serde_json::json;
use sotay_core::Store;
use sotay_core::households::{HouseholdDetails, HouseholdImport};
use sotay_core::record::Entity;
use uuid::Uuid;

pub const KEY: [u8; 32] = [7; 32];
pub const VILLAGES: usize = 20;
pub const HOUSEHOLDS: usize = 10_000;

const SURNAMES: [(&str, u32); 14] = [
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 10), ("Phạm", 7), ("Huỳnh", 5), ("Hoàng", 3), ("Võ", 4),
    ("Phan", 4), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 2), ("Ngô", 2), ("Dương", 1),
];
const MIDDLE: [&str; 8] = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Công"];
const GIVEN: [&str; 32] = [
    "An", "Anh", "Bình", "Cường", "Dũng", "Hải", "Hà", "Hạnh", "Hoa", "Hùng", "Hương", "Khánh",
    "Lan", "Linh", "Long", "Mai", "Minh", "Nam", "Nga", "Ngọc", "Phong", "Phúc", "Quang", "Sơn",
    "Tâm", "Thảo", "Thành", "Trang", "Tuấn", "Vân", "Việt", "Yến",
];

/// A small deterministic generator (no dependency needed for fixed bench data).
pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Self {
        Lcg(seed)
    }
    pub fn next(&mut self, n: u32) -> u32 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as u32
    }
}

pub fn name(rng: &mut Lcg) -> String {
    let total: u32 = SURNAMES.iter().map(|s| s.1).sum();
    let mut pick = rng.next(total);
    let surname = SURNAMES.iter().find(|(_, w)| if pick < *w { true } else { pick -= w; false }).map(|s| s.0).unwrap_or("Nguyễn");
    format!("{surname} {} {}", MIDDLE[rng.next(8) as usize], GIVEN[rng.next(32) as usize])
}

pub fn details(rng: &mut Lcg) -> HouseholdDetails {
    let members = 1 + rng.next(7);
    HouseholdDetails {
        head_name: name(rng),
        address: format!("Xóm {}", 1 + rng.next(6)),
        members,
        children_under_18: rng.next(members + 1),
        phone: (rng.next(2) == 0).then(|| format!("09{:08}", rng.next(100_000_000))),
        clan: None,
    }
}

/// A commune unit record and its villages (residential areas).
pub fn commune(store: &Store) -> (Uuid, Vec<Uuid>) {
    let put = |id: Uuid, v: serde_json::Value| {
        store.write(|tx| tx.put(Entity::Unit, id, id, v.as_object().cloned().unwrap_or_default())).unwrap();
    };
    let commune = Uuid::now_v7();
    put(commune, json!({"code": "XA", "name": "Xã Bình Thạnh", "level": "xã", "parent": null, "residential_area": false}));
    let villages = (0..VILLAGES)
        .map(|i| {
            let id = Uuid::now_v7();
            put(id, json!({"code": format!("T{i}"), "name": format!("Thôn {}", i + 1), "level": "thôn", "parent": commune, "residential_area": true}));
            id
        })
        .collect();
    (commune, villages)
}

/// The commune's 10,000 households, spread over its villages.
pub fn rows(villages: &[Uuid]) -> Vec<HouseholdImport> {
    let mut rng = Lcg::new(2023);
    (0..HOUSEHOLDS).map(|i| HouseholdImport { village: villages[i % villages.len()], details: details(&mut rng) }).collect()
}

pub fn open(path: &Path) -> Store {
    Store::open(path, &KEY).unwrap()
}

/// Median and 99th percentile of individual timings.
pub fn percentiles(mut t: Vec<Duration>) -> (Duration, Duration) {
    t.sort();
    if t.is_empty() {
        return (Duration::ZERO, Duration::ZERO);
    }
    let at = |q: f64| t[((t.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.99))
}
