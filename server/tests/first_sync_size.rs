//! The first sync of a newly enrolled village phone (500 households, the plan, its checklist,
//! the pledge templates) must stay small on a paid, slow link: under 100 KB downloaded.
mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::json;
use sotay_core::record::Entity;
use sotay_core::sync::protocol::{PATH_PULL, PullResponse};
use sotay_core::sync::signing;
use uuid::Uuid;

const FAMILY: [&str; 8] = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi"];
const MIDDLE: [&str; 4] = ["Văn", "Thị", "Đức", "Ngọc"];
const GIVEN: [&str; 16] = ["An", "Bình", "Cường", "Dũng", "Hà", "Hoa", "Lan", "Minh", "Nam", "Phúc", "Sơn", "Thảo", "Tuấn", "Vy", "Khánh", "Long"];

#[tokio::test]
async fn a_village_phone_first_sync_of_500_households_is_under_100_kb() {
    let fx = Fixture::new();
    let head = fx.village_phone("DEMO-BS-BC-1").await;
    // The demo village has 20 households; another phone of the village records 480 more, one
    // push per 100 as a village head would over some weeks.
    let clerk = fx.village_phone("DEMO-BS-BC-1").await;
    let mut seed = 12345u64;
    let mut next = || {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) as usize
    };
    for batch in 0..5 {
        let changes = (0..96)
            .map(|i| {
                let n = batch * 96 + i;
                let phone = if next() % 2 == 0 { json!(format!("09{:08}", next() % 100_000_000)) } else { json!(null) };
                clerk.set_clock(T0 as u64 + (n as u64) * 60_000 + (next() % 50_000) as u64);
                clerk.change(
                    Entity::Household,
                    Uuid::now_v7(),
                    json!({
                        "head_name": format!("{} {} {}", FAMILY[next() % 8], MIDDLE[next() % 4], GIVEN[next() % 16]),
                        "address": format!("Xóm {}", 1 + next() % 6),
                        "members": 1 + (next() % 7) as i64,
                        "children_under_18": (next() % 2) as i64,
                        "phone": phone,
                        "clan": null,
                    }),
                )
            })
            .collect();
        fx.push_ok(&clerk, changes).await;
    }

    let mut cursor = 0;
    let mut bytes = 0;
    let mut households = 0;
    let mut tasks = 0;
    loop {
        let mut req = head.request("GET", &format!("{PATH_PULL}?cursor={cursor}"), Vec::new(), fx.now() / 1000, &signing::new_nonce(), false);
        req.headers_mut().insert("accept-encoding", "zstd".parse().unwrap());
        let res = fx.send(req).await;
        assert_eq!(res.status, StatusCode::OK);
        bytes += res.body.len();
        let page: PullResponse = res.json();
        households += page.records.iter().filter(|r| r.entity == Entity::Household).count();
        tasks += page.records.iter().filter(|r| r.entity == Entity::Task && r.unit == head.unit).count();
        assert!(page.records.iter().any(|r| r.entity == Entity::Plan) || cursor > 0);
        cursor = page.cursor;
        if !page.more {
            break;
        }
    }
    assert_eq!(households, 500);
    assert!(tasks > 0, "the village's checklist comes with the first sync");
    println!("first sync of a village phone: {households} households, {tasks} checklist tasks, the plan and templates in {bytes} bytes");
    assert!(bytes < 100 * 1024, "{bytes} bytes");
}
