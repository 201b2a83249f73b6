//! Dashboard timings on a district of 20 communes, 200 villages, 100,000 households,
//! 100,000 sealed household pledges and 100,000 door-to-door visits (plus the seed plan,
//! activities and checklists):
//! - the overview page (`GET /`), server time per request, with the figures cache cold (a record
//!   changed since the last request: figures recomputed) and warm (no change since). Goal < 100 ms.
//! - one milestone report as DOCX and as XLSX. Goal < 2 s.
//!
//!     cargo bench -p sotay-server --bench dashboard
//!
//! Requests go through `app(state)` with `oneshot` (no socket), so the figure is the server's.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::json;
use sotay_core::clock::ManualClock;
use sotay_core::record::{Entity, RecordState, Seal, content_hash};
use sotay_server::demo::{demo_id, server_record};
use sotay_server::storage::{NewUser, Role, SqliteStorage, Storage};
use sotay_server::{AppState, app};
use tower::ServiceExt;
use uuid::Uuid;

const COMMUNES: usize = 20;
const VILLAGES_PER_COMMUNE: usize = 10;
const HOUSEHOLDS_PER_VILLAGE: usize = 500;
/// 10/06/2023 09:00 in Vietnam.
const NOW: i64 = 1_686_362_400_000;

fn unit(code: &str, name: &str, level: &str, parent: Option<Uuid>) -> RecordState {
    let id = demo_id(&format!("bench-unit:{code}"));
    server_record(
        Entity::Unit,
        id,
        id,
        json!({"code": code, "name": name, "level": level, "parent": parent,
               "residential_area": matches!(level, "thôn"), "renames": [], "merged_into": null}),
        NOW - 86_400_000,
    )
}

fn district() -> Vec<RecordState> {
    let t = NOW - 86_400_000;
    let mut out = vec![unit("P", "Tỉnh Quảng Ngãi", "tỉnh", None)];
    let district = unit("D", "Huyện Bình Sơn", "huyện", Some(out[0].id));
    let district_id = district.id;
    out.push(district);
    let plan = sotay_core::seed::plan_2023_binh_son().expect("seed plan");
    let mut fields = sotay_core::record::to_fields(&plan).expect("plan fields");
    fields.insert("number".into(), json!("12/KH-MTTQ-BTT"));
    let plan_id = demo_id("bench-plan");
    out.push(server_record(Entity::Plan, plan_id, district_id, serde_json::Value::Object(fields), t));
    for c in 0..COMMUNES {
        let commune = unit(&format!("C{c}"), &format!("Xã Mẫu {c}"), "xã", Some(district_id));
        let commune_id = commune.id;
        out.push(commune);
        if c % 3 != 0 {
            out.push(server_record(
                Entity::Activity,
                Uuid::now_v7(),
                commune_id,
                json!({"date": "2023-04-01", "kind": "conference", "topic": "Luật Trẻ em", "audience": 200, "plan": plan_id, "task": null, "new_law": true}),
                t,
            ));
        }
        for v in 0..VILLAGES_PER_COMMUNE {
            let village = unit(&format!("C{c}V{v}"), &format!("Thôn {v}"), "thôn", Some(commune_id));
            let village_id = village.id;
            out.push(village);
            out.push(server_record(
                Entity::Task,
                Uuid::now_v7(),
                village_id,
                json!({"plan": plan_id, "code": "3.3", "title": "Mô hình", "due": "2023-12-31",
                       "status": if v % 5 == 0 { "todo" } else { "done" }, "reason": "", "evidence": []}),
                t,
            ));
            for h in 0..HOUSEHOLDS_PER_VILLAGE {
                let household = Uuid::now_v7();
                out.push(server_record(
                    Entity::Household,
                    household,
                    village_id,
                    json!({"head_name": format!("Chủ hộ mẫu {c}-{v}-{h}"), "address": "Xóm 1", "members": 4, "children_under_18": 1, "phone": null, "clan": null}),
                    t,
                ));
                let pledge = Uuid::now_v7();
                let mut p = server_record(
                    Entity::Pledge,
                    pledge,
                    village_id,
                    json!({"kind": "household", "subject": household, "template": Uuid::nil(), "commitments": ["Không để trẻ em bị xâm hại"],
                           "signed_by": "Chủ hộ", "witness": "Trưởng thôn", "signed_on": "2023-04-10", "signature": null, "amends": null}),
                    t,
                );
                p.seal = Some(Seal { by: "Trưởng thôn".into(), at: t, hash: content_hash(Entity::Pledge, pledge, &p.fields) });
                out.push(p);
                out.push(server_record(
                    Entity::Visit,
                    Uuid::now_v7(),
                    village_id,
                    json!({"household": household, "visited_on": "2023-04-10", "outcome": "pledged", "note": "", "revisit_on": null}),
                    t,
                ));
            }
        }
    }
    out
}

async fn get(state: &AppState, path: &str, cookie: &str) -> (StatusCode, usize) {
    let req = Request::get(path).header(header::COOKIE, cookie).body(Body::empty()).expect("request");
    let res = app(state.clone()).oneshot(req).await.expect("response");
    let status = res.status();
    let body = res.into_body().collect().await.expect("body").to_bytes();
    (status, body.len())
}

fn summary(name: &str, mut times: Vec<Duration>, goal: Duration) {
    times.sort();
    let median = times[times.len() / 2];
    let max = *times.last().expect("a sample");
    let verdict = if median < goal { "meets" } else { "MISSES" };
    println!("{name}: median {:.1} ms, min {:.1} ms, max {:.1} ms over {} runs ({verdict} the goal of {} ms)",
        median.as_secs_f64() * 1e3, times[0].as_secs_f64() * 1e3, max.as_secs_f64() * 1e3, times.len(), goal.as_millis());
}

fn main() {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let storage = Arc::new(SqliteStorage::open(dir.path().join("bench.db")).expect("storage"));
    let started = Instant::now();
    let records = district();
    let count = records.len();
    for chunk in records.chunks(20_000) {
        storage.put_records(chunk).expect("load");
    }
    println!("loaded {count} records in {:.1} s", started.elapsed().as_secs_f64());
    let admin = storage
        .create_user(NewUser { login: Some("bench".into()), name: "Bench".into(), role: Role::DistrictAdmin, unit: demo_id("bench-unit:D"), password_hash: None }, NOW)
        .expect("user");
    let token = "benchmark-session-token";
    storage.create_session(&sotay_server::web::session::token_hash(token), admin.id, NOW, NOW + 86_400_000).expect("session");
    let cookie = format!("{}={token}", sotay_server::web::session::COOKIE);
    let clock = ManualClock::at(NOW);
    let state = AppState::with_clock(storage.clone(), clock);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let district = demo_id("bench-unit:D");
    let plan = demo_id("bench-plan");

    runtime.block_on(async {
        let (status, size) = get(&state, "/", &cookie).await;
        assert_eq!(status, StatusCode::OK);
        println!("overview page: {size} bytes");

        let mut cold = Vec::new();
        for i in 0..10 {
            // A change anywhere (as a phone's sync would make) invalidates the cached figures.
            let touch = server_record(Entity::Activity, Uuid::now_v7(), district, json!({"date": "2023-05-01", "kind": "other", "topic": format!("t{i}"), "audience": 1, "plan": plan, "task": null, "new_law": false}), NOW);
            storage.put_records(&[touch]).expect("touch");
            let t = Instant::now();
            assert_eq!(get(&state, "/", &cookie).await.0, StatusCode::OK);
            cold.push(t.elapsed());
        }
        let mut warm = Vec::new();
        for _ in 0..50 {
            let t = Instant::now();
            assert_eq!(get(&state, "/", &cookie).await.0, StatusCode::OK);
            warm.push(t.elapsed());
        }
        summary("overview, figures recomputed (after a sync)", cold, Duration::from_millis(100));

        // Where a recomputation spends its time.
        let units = storage.records(Entity::Unit, None).expect("units");
        let tree = sotay_core::units::UnitTree::from_records(&units);
        let today = sotay_core::clock::today_in_vietnam(NOW);
        let t = Instant::now();
        let facts = storage.progress_facts(&tree, district, Some(plan)).expect("facts");
        println!("  core Facts::load on the server's records: {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let _ = sotay_core::progress::compute(&tree, &facts, district, today);
        println!("  core progress::compute for the district: {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
        let communes = tree.communes(district, today);
        let t = Instant::now();
        for c in &communes {
            let _ = sotay_core::progress::compute(&tree, &facts, c.id, today);
        }
        println!("  core progress::compute for each of {} communes on the district's facts: {:.1} ms", communes.len(), t.elapsed().as_secs_f64() * 1e3);
        let mut units = vec![district];
        units.extend(communes.iter().map(|c| c.id));
        let t = Instant::now();
        let _ = sotay_core::progress::compute_each(&tree, &facts, &units, today);
        println!("  core progress::compute_each for the district and its {} communes (one index): {:.1} ms", communes.len(), t.elapsed().as_secs_f64() * 1e3);
        summary("overview, no change since the last request", warm, Duration::from_millis(100));

        for format in ["docx", "xlsx"] {
            let path = format!("/reports/{district}/6_month/{format}?plan={plan}");
            let mut times = Vec::new();
            for _ in 0..5 {
                let t = Instant::now();
                let (status, size) = get(&state, &path, &cookie).await;
                assert_eq!(status, StatusCode::OK);
                times.push(t.elapsed());
                if times.len() == 1 {
                    println!("report {format}: {size} bytes");
                }
            }
            summary(&format!("milestone report as {format}"), times, Duration::from_secs(2));
        }
    });
}
