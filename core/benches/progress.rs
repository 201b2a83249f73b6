//! Progress of a commune with 20 villages, 10,000 households and 10,000 sealed pledges.
//! Goal: under 50 ms. Run: `cargo bench -p sotay-core --bench progress`.

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;
use sotay_core::clock::ManualClock;
use sotay_core::progress::{Facts, compute};
use sotay_core::record::Entity;
use sotay_core::units::{NewUnit, UnitTree};
use sotay_core::{Fields, Store};
use uuid::Uuid;

const VILLAGES: usize = 20;
const HOUSEHOLDS: usize = 10_000;
/// Pledges signed by 9,500 households, 500 of them amended later: 10,000 sealed pledges.
const AMENDED: usize = 500;

fn fields(v: serde_json::Value) -> Fields {
    v.as_object().cloned().unwrap_or_default()
}

fn unit(name: &str, level: &str, parent: Option<Uuid>, residential_area: bool) -> NewUnit {
    NewUnit { code: String::new(), name: name.into(), level: level.into(), parent, residential_area, established_on: None }
}

struct Setup {
    store: Store,
    _dir: tempfile::TempDir,
    commune: Uuid,
    village: Uuid,
    plan: Uuid,
    today: NaiveDate,
}

fn setup() -> Setup {
    let today = NaiveDate::from_ymd_opt(2023, 6, 10).unwrap_or_default();
    let now = today.and_hms_opt(2, 0, 0).unwrap_or_default().and_utc().timestamp_millis();
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open_with_clock(dir.path().join("bench.db"), &[7; 32], ManualClock::at(now)).expect("store");
    let province = store.add_unit(unit("Quảng Ngãi", "tỉnh", None, false)).expect("unit").id;
    let district = store.add_unit(unit("Bình Sơn", "huyện", Some(province), false)).expect("unit").id;
    let commune = store.add_unit(unit("Bình Trị", "xã", Some(district), false)).expect("unit").id;
    let villages: Vec<Uuid> =
        (0..VILLAGES).map(|i| store.add_unit(unit(&format!("Thôn {}", i + 1), "thôn", Some(commune), true)).expect("unit").id).collect();
    let plan = store.install_seed_plan(district).expect("seed").id;
    store.instantiate_plan(plan).expect("instantiate");

    let households: Vec<(Uuid, Uuid)> = (0..HOUSEHOLDS).map(|i| (Uuid::now_v7(), villages[i % VILLAGES])).collect();
    store
        .write(|tx| {
            for (i, (id, village)) in households.iter().enumerate() {
                let f = json!({"head_name": format!("Nguyễn Văn {i}"), "address": format!("Xóm {}", i % 7 + 1),
                               "members": 4, "children_under_18": 1, "phone": null, "clan": null});
                tx.put(Entity::Household, *id, *village, fields(f))?;
            }
            Ok(())
        })
        .expect("households");
    let pledge = |subject: Uuid, amends: Option<Uuid>| {
        fields(json!({"kind": "household", "subject": subject, "template": Uuid::nil(),
                      "commitments": ["Không để trẻ em bị xâm hại, bạo lực", "Không vi phạm pháp luật", "Quản lý, giáo dục con em"],
                      "signed_by": "Chủ hộ", "witness": "Trưởng thôn", "signed_on": "2023-05-20", "signature": null, "amends": amends}))
    };
    store
        .write(|tx| {
            let signed = HOUSEHOLDS - AMENDED;
            for (i, (household, village)) in households.iter().take(signed).enumerate() {
                let id = Uuid::now_v7();
                tx.put(Entity::Pledge, id, *village, pledge(*household, None))?;
                tx.seal(Entity::Pledge, id, "Trưởng thôn")?;
                if i < AMENDED {
                    let amendment = Uuid::now_v7();
                    tx.put(Entity::Pledge, amendment, *village, pledge(*household, Some(id)))?;
                    tx.seal(Entity::Pledge, amendment, "Trưởng thôn")?;
                }
            }
            Ok(())
        })
        .expect("pledges");
    Setup { store, _dir: dir, commune, village: villages[0], plan, today }
}

fn bench(c: &mut Criterion) {
    let s = setup();
    let p = s.store.progress(s.commune, Some(s.plan)).expect("progress");
    assert_eq!((p.households.done, p.households.total), ((HOUSEHOLDS - AMENDED) as u32, HOUSEHOLDS as u32));
    assert_eq!(p.areas.len(), VILLAGES);

    c.bench_function("commune_progress_20_villages_10k_households_10k_pledges", |b| {
        b.iter(|| black_box(s.store.progress(black_box(s.commune), Some(s.plan)).expect("progress")))
    });
    c.bench_function("village_home_500_households", |b| b.iter(|| black_box(s.store.home(black_box(s.village)).expect("home"))));
    // The two halves apart: loading the facts, and the pure computation.
    c.bench_function("commune_facts_load", |b| {
        b.iter(|| {
            s.store
                .read(|conn| {
                    let tree = UnitTree::load(conn)?;
                    Ok(black_box(Facts::load(conn, &tree, s.commune, Some(s.plan))?))
                })
                .expect("load")
        })
    });
    let (tree, facts) = s
        .store
        .read(|conn| {
            let tree = UnitTree::load(conn)?;
            let facts = Facts::load(conn, &tree, s.commune, Some(s.plan))?;
            Ok((tree, facts))
        })
        .expect("facts");
    c.bench_function("commune_compute_only", |b| b.iter(|| black_box(compute(&tree, &facts, s.commune, s.today))));
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = bench
}
criterion_main!(benches);
