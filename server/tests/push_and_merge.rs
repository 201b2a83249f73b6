//! Push answers item by item, is idempotent by change id, keeps sealed records immutable, and
//! merges fields by clock exactly like the phones (core::record::merge).
mod common;

use common::*;
use serde_json::json;
use sotay_core::record::{Entity, Seal, content_hash};
use sotay_core::sync::protocol::{PushStatus, reason};
use sotay_server::storage::Storage;
use uuid::Uuid;

#[tokio::test]
async fn each_item_gets_its_own_answer_and_a_bad_one_blocks_nothing() {
    let fx = Fixture::new();
    let phone = fx.village_phone("DEMO-BS-BC-1").await;
    let good = phone.change(Entity::Household, Uuid::now_v7(), household_fields("Hộ một"));
    let invalid = phone.change(Entity::Household, Uuid::now_v7(), json!({"head_name": "Hộ hai", "members": 0}));
    let not_writable = phone.change(Entity::Unit, Uuid::now_v7(), json!({"name": "Thôn mới"}));
    let also_good = phone.change(Entity::Visit, Uuid::now_v7(), json!({"household": good.record, "visited_on": "2023-06-01", "outcome": "not_home"}));
    let res = fx.push_ok(&phone, vec![good.clone(), invalid.clone(), not_writable.clone(), also_good.clone()]).await;
    let statuses: Vec<_> = res.results.iter().map(|r| (r.change, r.status, r.reason.clone())).collect();
    assert_eq!(
        statuses,
        vec![
            (good.id, PushStatus::Applied, None),
            (invalid.id, PushStatus::Rejected, Some(format!("{}: members", reason::INVALID_FIELDS))),
            (not_writable.id, PushStatus::Rejected, Some(reason::NOT_WRITABLE.to_string())),
            (also_good.id, PushStatus::Applied, None),
        ]
    );
    assert_eq!(res.server_time_ms, T0);
    assert!(fx.storage.record(good.record).unwrap().is_some());
    assert!(fx.storage.record(invalid.record).unwrap().is_none());
}

#[tokio::test]
async fn the_same_batch_twice_applies_once() {
    let fx = Fixture::new();
    let phone = fx.village_phone("DEMO-BS-BC-1").await;
    let batch: Vec<_> = (0..20).map(|i| phone.change(Entity::Household, Uuid::now_v7(), household_fields(&format!("Hộ {i}")))).collect();
    let first = fx.push_ok(&phone, batch.clone()).await;
    assert!(first.results.iter().all(|r| r.status == PushStatus::Applied));
    let second = fx.push_ok(&phone, batch).await;
    assert!(second.results.iter().all(|r| r.status == PushStatus::Duplicate));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_batch_on_two_connections_at_once_applies_once() {
    let fx = Fixture::new();
    let phone = fx.village_phone("DEMO-BS-BC-1").await;
    let batch: Vec<_> = (0..200).map(|i| phone.change(Entity::Household, Uuid::now_v7(), household_fields(&format!("Hộ {i}")))).collect();
    let (a, b) = tokio::join!(fx.push_ok(&phone, batch.clone()), fx.push_ok(&phone, batch.clone()));
    for i in 0..batch.len() {
        let mut pair = [a.results[i].status, b.results[i].status];
        pair.sort_by_key(|s| *s as u8);
        assert_eq!(pair, [PushStatus::Applied, PushStatus::Duplicate], "item {i} applied exactly once");
    }
    // Another phone of the village receives each record once.
    let neighbour = fx.village_phone("DEMO-BS-BC-1").await;
    let pulled = fx.pull_all(&neighbour).await;
    assert_eq!(pulled.iter().filter(|r| batch.iter().any(|c| c.record == r.id)).count(), batch.len());
}

#[tokio::test]
async fn a_change_that_alters_nothing_is_a_duplicate() {
    let fx = Fixture::new();
    let phone = fx.village_phone("DEMO-BS-BC-1").await;
    let id = Uuid::now_v7();
    fx.push_ok(&phone, vec![phone.change(Entity::Household, id, household_fields("Hộ một"))]).await;
    // An older write of the same field loses to the stored one: nothing changes.
    let mut stale = phone.change(Entity::Household, id, json!({"address": "Xóm 9"}));
    stale.hlc.millis = 1;
    let res = fx.push_ok(&phone, vec![stale]).await;
    assert_eq!(res.results[0].status, PushStatus::Duplicate);
    assert_eq!(fx.storage.record(id).unwrap().unwrap().fields["address"], json!("Xóm 1"));
}

#[tokio::test]
async fn fields_merge_by_clock_and_the_next_pull_returns_the_merged_truth() {
    let fx = Fixture::new();
    let a = fx.village_phone("DEMO-BS-BC-1").await;
    let b = fx.village_phone("DEMO-BS-BC-1").await;
    let id = Uuid::now_v7();
    fx.push_ok(&a, vec![a.change(Entity::Household, id, household_fields("Hộ gốc"))]).await;
    let after_create = fx.pull_ok(&a, "").await.cursor;

    // b edits the phone number later; a, offline, edits the address and the phone earlier.
    b.set_clock(T0 as u64 + 5_000);
    let b_edit = b.change(Entity::Household, id, json!({"phone": "0905 000 111"}));
    a.set_clock(T0 as u64 + 1_000);
    let a_edit = a.change(Entity::Household, id, json!({"address": "Xóm 2", "phone": "0905 999 999"}));
    fx.push_ok(&b, vec![b_edit]).await;
    let res = fx.push_ok(&a, vec![a_edit]).await;
    assert_eq!(res.results[0].status, PushStatus::Applied, "the address is new even though the phone lost");

    let stored = fx.storage.record(id).unwrap().unwrap();
    assert_eq!(stored.fields["address"], json!("Xóm 2"));
    assert_eq!(stored.fields["phone"], json!("0905 000 111"));
    // a's own write moved the record's seq: a's next pull brings the merged record back.
    let page = fx.pull_ok(&a, &format!("?cursor={after_create}")).await;
    let merged = page.records.iter().find(|r| r.id == id).expect("merged record pulled");
    assert_eq!(merged.fields["phone"], json!("0905 000 111"));
    assert_eq!(merged.fields["address"], json!("Xóm 2"));
}

fn sealed_pledge(phone: &Phone, id: Uuid, signed_by: &str) -> sotay_core::Change {
    let mut c = phone.change(
        Entity::Pledge,
        id,
        json!({
            "kind": "household", "subject": Uuid::now_v7(), "template": Uuid::now_v7(),
            "commitments": ["Không để trẻ em bị xâm hại"], "signed_by": signed_by, "witness": "Trưởng thôn",
            "signed_on": "2023-06-01", "signature": null, "amends": null,
        }),
    );
    c.seal = Some(Seal { by: "thử".into(), at: T0, hash: content_hash(Entity::Pledge, id, &c.fields) });
    c
}

#[tokio::test]
async fn a_sealed_record_accepts_only_an_identical_repeat() {
    let fx = Fixture::new();
    let a = fx.village_phone("DEMO-BS-BC-1").await;
    let b = fx.village_phone("DEMO-BS-BC-1").await;
    let id = Uuid::now_v7();
    let first = sealed_pledge(&a, id, "Nguyễn Văn Mẫu");
    assert_eq!(fx.push_ok(&a, vec![first.clone()]).await.results[0].status, PushStatus::Applied);

    // The same content sealed again under a new change id: nothing new.
    let mut repeat = first.clone();
    repeat.id = Uuid::now_v7();
    assert_eq!(fx.push_ok(&b, vec![repeat]).await.results[0].status, PushStatus::Duplicate);

    // A different second version of the sealed pledge is refused, later clock or not.
    b.set_clock(T0 as u64 + 60_000);
    let other = sealed_pledge(&b, id, "Trần Thị Mẫu");
    let res = fx.push_ok(&b, vec![other]).await;
    assert_eq!(res.results[0].status, PushStatus::Rejected);
    assert_eq!(res.results[0].reason.as_deref(), Some(reason::SEALED_DIFFERS));
    let edit = b.change(Entity::Pledge, id, json!({"witness": "Người khác"}));
    assert_eq!(fx.push_ok(&b, vec![edit]).await.results[0].reason.as_deref(), Some(reason::SEALED_DIFFERS));
    assert_eq!(fx.storage.record(id).unwrap().unwrap().fields["signed_by"], json!("Nguyễn Văn Mẫu"));
}

#[tokio::test]
async fn a_seal_that_does_not_match_the_content_is_refused() {
    let fx = Fixture::new();
    let phone = fx.village_phone("DEMO-BS-BC-1").await;
    let mut c = sealed_pledge(&phone, Uuid::now_v7(), "Nguyễn Văn Mẫu");
    c.fields.insert("signed_by".into(), json!("Ai khác"));
    let res = fx.push_ok(&phone, vec![c]).await;
    assert_eq!(res.results[0].reason.as_deref(), Some(reason::SEAL_MISMATCH));
}

#[tokio::test]
async fn a_record_erased_on_request_cannot_be_pushed_back() {
    let fx = Fixture::new();
    let phone = fx.village_phone("DEMO-BS-BC-1").await;
    let household = phone.change(Entity::Household, Uuid::now_v7(), household_fields("Hộ sẽ xóa"));
    fx.push_ok(&phone, vec![household.clone()]).await;
    fx.storage.erase_records(&[household.record], T0).unwrap();
    // The phone still holds the household and edits it: the server must not bring it back.
    let edit = phone.change(Entity::Household, household.record, json!({"phone": "0912345678"}));
    let res = fx.push_ok(&phone, vec![edit.clone()]).await;
    assert_eq!(res.results[0].status, PushStatus::Rejected);
    assert_eq!(res.results[0].reason.as_deref(), Some(reason::ERASED));
    assert!(fx.storage.record(household.record).unwrap().is_none());
    assert!(sotay_core::sync::protocol::reason_vi(reason::ERASED).contains("đã được xóa"));
}
