//! A phone is not sent back what it wrote itself: the pull after a push carries only what others
//! wrote. A record it wrote is sent again as soon as anyone else wrote to it after the phone's
//! cursor, so the phone never misses another's field.
mod common;

use common::*;
use serde_json::json;
use sotay_core::record::Entity;
use sotay_server::storage::Storage;
use uuid::Uuid;

#[tokio::test]
async fn own_writes_are_not_sent_back_but_writes_by_others_since_the_cursor_are() {
    let fx = Fixture::new();
    let a = fx.village_phone("DEMO-BS-BC-1").await;
    let b = fx.village_phone("DEMO-BS-BC-1").await;
    let (_, a_cursor) = fx.pull_from(&a, 0).await;
    let (_, b_cursor) = fx.pull_from(&b, 0).await;

    a.set_clock(1_000_000);
    let household = a.change(Entity::Household, Uuid::now_v7(), household_fields("Hộ của A"));
    fx.push_ok(&a, vec![household.clone()]).await;
    let (to_a, _) = fx.pull_from(&a, a_cursor).await;
    assert!(to_a.is_empty(), "A holds what it pushed: nothing to send back");
    let (to_b, _) = fx.pull_from(&b, b_cursor).await;
    assert_eq!(to_b.iter().map(|r| r.id).collect::<Vec<_>>(), [household.record]);

    // B changes the address. A, still at its old cursor, gets the record with B's field.
    b.set_clock(2_000_000);
    fx.push_ok(&b, vec![b.change(Entity::Household, household.record, json!({"address": "Xóm 2"}))]).await;
    // A changes it twice more before it has pulled: the record still comes back, with all fields.
    a.set_clock(3_000_000);
    fx.push_ok(&a, vec![a.change(Entity::Household, household.record, json!({"members": 5}))]).await;
    fx.push_ok(&a, vec![a.change(Entity::Household, household.record, json!({"children_under_18": 2}))]).await;
    let (to_a, a_cursor) = fx.pull_from(&a, a_cursor).await;
    let record = to_a.iter().find(|r| r.id == household.record).expect("B wrote to it after A's cursor");
    assert_eq!(record.fields["address"], "Xóm 2");
    assert_eq!(record.fields["members"], 5);
    assert_eq!(record.fields["children_under_18"], 2);

    // A's cursor is now past B's write: A's next own write is not sent back.
    a.set_clock(4_000_000);
    fx.push_ok(&a, vec![a.change(Entity::Household, household.record, json!({"members": 6}))]).await;
    let (to_a, a_cursor) = fx.pull_from(&a, a_cursor).await;
    assert!(to_a.is_empty());
    // B, which wrote to it before, gets A's writes.
    let (to_b, _) = fx.pull_from(&b, b_cursor).await;
    let record = to_b.iter().find(|r| r.id == household.record).unwrap();
    assert_eq!((record.fields["address"].as_str(), record.fields["members"].as_i64()), (Some("Xóm 2"), Some(6)));

    // Written by the server (the dashboard): sent to A as to everyone.
    let mut edited = fx.storage.record(household.record).unwrap().unwrap();
    edited.fields.insert("address".into(), json!("Xóm 3"));
    fx.storage.put_records(&[edited]).unwrap();
    let (to_a, _) = fx.pull_from(&a, a_cursor).await;
    assert_eq!(to_a.iter().map(|r| r.id).collect::<Vec<_>>(), [household.record]);
}

#[tokio::test]
async fn what_remains_does_not_count_own_writes() {
    let fx = Fixture::new();
    let a = fx.village_phone("DEMO-BS-BC-1").await;
    let b = fx.village_phone("DEMO-BS-BC-1").await;
    let (_, a_cursor) = fx.pull_from(&a, 0).await;
    let own: Vec<_> = (0..3).map(|i| a.change(Entity::Household, Uuid::now_v7(), household_fields(&format!("Hộ A{i}")))).collect();
    fx.push_ok(&a, own).await;
    let theirs: Vec<_> = (0..3).map(|i| b.change(Entity::Household, Uuid::now_v7(), household_fields(&format!("Hộ B{i}")))).collect();
    fx.push_ok(&b, theirs.clone()).await;

    let first = fx.pull_ok(&a, &format!("?cursor={a_cursor}&limit=2")).await;
    assert_eq!(first.records.len(), 2);
    assert!(first.more);
    assert_eq!(first.remaining, 1);
    let second = fx.pull_ok(&a, &format!("?cursor={}&limit=2", first.cursor)).await;
    assert!(!second.more);
    let got: Vec<Uuid> = first.records.iter().chain(&second.records).map(|r| r.id).collect();
    assert_eq!(got, theirs.iter().map(|c| c.record).collect::<Vec<_>>());
}
