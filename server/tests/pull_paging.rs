//! Pull pages by seq with a cursor, counts what remains, and compresses when asked.
mod common;

use axum::http::StatusCode;
use common::*;
use sotay_core::record::Entity;
use sotay_core::sync::protocol::{PATH_PULL, PullResponse};
use sotay_core::sync::signing;
use uuid::Uuid;

#[tokio::test]
async fn pages_follow_the_cursor_without_gaps_or_repeats() {
    let fx = Fixture::new();
    let phone = fx.village_phone("DEMO-BS-BC-1").await;
    let everything = fx.pull_all(&phone).await;
    let mut ids = Vec::new();
    let mut cursor = 0;
    let mut pages = 0;
    loop {
        let page = fx.pull_ok(&phone, &format!("?cursor={cursor}&limit=7")).await;
        assert!(page.records.len() <= 7);
        assert_eq!(page.remaining as usize, everything.len() - ids.len() - page.records.len());
        ids.extend(page.records.iter().map(|r| r.id));
        cursor = page.cursor;
        pages += 1;
        if !page.more {
            break;
        }
    }
    assert_eq!(ids.len(), everything.len());
    assert_eq!(pages, everything.len().div_ceil(7));
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len());

    // Nothing new: an empty page at the same cursor.
    let idle = fx.pull_ok(&phone, &format!("?cursor={cursor}")).await;
    assert!(idle.records.is_empty() && !idle.more);
    assert_eq!(idle.cursor, cursor);

    // A new write by another phone of the village shows up after the cursor.
    let id = Uuid::now_v7();
    let neighbour = fx.village_phone("DEMO-BS-BC-1").await;
    fx.push_ok(&neighbour, vec![neighbour.change(Entity::Household, id, household_fields("Hộ mới"))]).await;
    let next = fx.pull_ok(&phone, &format!("?cursor={cursor}")).await;
    assert_eq!(next.records.iter().map(|r| r.id).collect::<Vec<_>>(), vec![id]);
}

#[tokio::test]
async fn the_answer_is_zstd_when_asked_and_plain_json_otherwise() {
    let fx = Fixture::new();
    let phone = fx.village_phone("DEMO-BS-BC-1").await;
    let mut req = phone.request("GET", PATH_PULL, Vec::new(), fx.now() / 1000, &signing::new_nonce(), false);
    req.headers_mut().insert("accept-encoding", "gzip, zstd".parse().unwrap());
    let compressed = fx.send(req).await;
    assert_eq!(compressed.headers["content-encoding"], "zstd");
    let plain = fx.pull(&phone, "").await;
    assert!(plain.headers.get("content-encoding").is_none());
    let a: PullResponse = compressed.json();
    let b: PullResponse = plain.json();
    assert_eq!(a.records, b.records);
    assert!(compressed.body.len() * 4 < plain.body.len(), "{} vs {}", compressed.body.len(), plain.body.len());
}

#[tokio::test]
async fn a_bad_query_is_refused_with_a_reason() {
    let fx = Fixture::new();
    let phone = fx.village_phone("DEMO-BS-BC-1").await;
    let res = fx.pull(&phone, "?cursor=-1").await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(res.error().error, "bad_query");
}
