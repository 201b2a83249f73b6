//! The server's `records` table has the phone store's columns (plus `seq`), so the core's
//! progress code runs on the server database unchanged and counts what the phones pushed.
mod common;

use chrono::NaiveDate;
use common::*;
use serde_json::json;
use sotay_core::record::{Entity, Seal, content_hash};
use sotay_core::sync::protocol::PushStatus;
use sotay_server::demo;
use sotay_server::storage::Storage;
use uuid::Uuid;

#[tokio::test]
async fn core_progress_counts_pledges_pushed_to_the_server() {
    let fx = Fixture::new();
    let village = unit("DEMO-BS-BC-1");
    let phone = fx.village_phone("DEMO-BS-BC-1").await;
    let households = fx.storage.records(Entity::Household, Some(village)).unwrap();
    let template = fx.storage.records(Entity::PledgeTemplate, None).unwrap()[0].id;
    let pledges = households[..3]
        .iter()
        .map(|h| {
            let id = Uuid::now_v7();
            let mut c = phone.change(
                Entity::Pledge,
                id,
                json!({
                    "kind": "household", "subject": h.id, "template": template, "commitments": ["Cam kết mẫu"],
                    "signed_by": "Chủ hộ (mẫu)", "witness": "Trưởng ban (mẫu)", "signed_on": "2023-06-01",
                    "signature": null, "amends": null,
                }),
            );
            c.seal = Some(Seal { by: "thử".into(), at: T0, hash: content_hash(Entity::Pledge, id, &c.fields) });
            c
        })
        .collect();
    let res = fx.push_ok(&phone, pledges).await;
    assert!(res.results.iter().all(|r| r.status == PushStatus::Applied));

    let conn = rusqlite::Connection::open(fx.db_path()).unwrap();
    let today = NaiveDate::from_ymd_opt(2023, 7, 1).unwrap();
    let progress = sotay_core::progress::progress_from(&conn, village, Some(demo::demo_id("plan:2023-binh-son")), today).unwrap();
    assert_eq!((progress.households.done, progress.households.total), (3, households.len() as u32));
    let commune = sotay_core::progress::progress_from(&conn, unit("DEMO-BS-BC"), None, today).unwrap();
    assert_eq!(commune.households.done, 3);
    assert_eq!(commune.households.total, 60);
}

/// The server adds the phone store's progress indexes (`core::schema::PROGRESS_INDEXES`), so
/// core's progress queries read indexes on the server's database too, not documents.
#[test]
fn core_progress_queries_use_the_covering_indexes_on_the_server_db() {
    let fx = Fixture::new();
    let conn = rusqlite::Connection::open(fx.db_path()).unwrap();
    let plan = |sql: &str, params: &[&dyn rusqlite::ToSql]| -> String {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = stmt.query_map(params, |r| r.get::<_, String>(3)).unwrap();
        rows.collect::<Result<Vec<_>, _>>().unwrap().join("; ")
    };
    let ids = plan(sotay_core::progress::IDS_BY_KIND_SQL, &[&"household", &"[]"]);
    assert!(ids.contains("COVERING INDEX records_by_entity_unit_id"), "{ids}");
    let pledges = plan(sotay_core::progress::SEALED_PLEDGES_SQL, &[&"[]"]);
    assert!(pledges.contains("COVERING INDEX records_pledge_subjects"), "{pledges}");
}
