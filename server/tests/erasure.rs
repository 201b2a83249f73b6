//! Erasure on request reaches the phones: an erased id takes a place in the pull order, goes to
//! the devices whose scope holds its unit and to no other, and nothing about it comes back.
mod common;

use common::*;
use serde_json::json;
use sotay_core::record::{Entity, Seal, content_hash, sha256_hex};
use sotay_core::sync::protocol::{ErasedRecord, PushStatus, reason};
use sotay_server::storage::{ChunkUpload, Role, Storage};
use uuid::Uuid;

/// A sealed household pledge for `household`, naming a signature image.
fn pledge_for(phone: &Phone, household: Uuid, signature: Option<&str>) -> sotay_core::Change {
    let id = Uuid::now_v7();
    let mut c = phone.change(
        Entity::Pledge,
        id,
        json!({
            "kind": "household", "subject": household, "template": Uuid::now_v7(),
            "commitments": ["Không để trẻ em bị xâm hại"], "signed_by": "Nguyễn Văn Mẫu", "witness": "Trưởng thôn",
            "signed_on": "2023-06-01", "signature": signature, "amends": null,
        }),
    );
    c.seal = Some(Seal { by: "thử".into(), at: T0, hash: content_hash(Entity::Pledge, id, &c.fields) });
    c
}

#[tokio::test]
async fn an_erasure_reaches_the_devices_whose_scope_holds_it_and_no_other() {
    let fx = Fixture::new();
    let village = fx.village_phone("DEMO-BS-BC-1").await;
    let commune = fx.phone(unit("DEMO-BS-BC"), Role::CommuneStaff).await;
    let other_village = fx.village_phone("DEMO-BS-BC-2").await;
    let other_commune = fx.phone(unit("DEMO-BS-BD"), Role::CommuneStaff).await;
    let household = village.change(Entity::Household, Uuid::now_v7(), household_fields("Hộ sẽ xóa"));
    let pledge = pledge_for(&village, household.record, None);
    let res = fx.push_ok(&village, vec![household.clone(), pledge.clone()]).await;
    assert!(res.results.iter().all(|r| r.status == PushStatus::Applied));

    let mut cursors = Vec::new();
    for phone in [&village, &commune, &other_village, &other_commune] {
        cursors.push(fx.pull_from(phone, 0).await.1);
    }
    let version = fx.storage.records_version().unwrap();
    // As the dashboard does: the household's pledges and visits, then the household.
    fx.storage.erase_records(&[pledge.record, household.record], fx.now()).unwrap();
    assert!(fx.storage.records_version().unwrap() > version, "figures cached before the erasure are stale");

    let expected = vec![
        ErasedRecord { entity: Entity::Pledge, id: pledge.record },
        ErasedRecord { entity: Entity::Household, id: household.record },
    ];
    for (phone, &cursor) in [&village, &commune].into_iter().zip(&cursors) {
        let page = fx.pull_ok(phone, &format!("?cursor={cursor}")).await;
        assert!(page.records.is_empty());
        assert_eq!(page.erased, expected);
        assert!(page.cursor > cursor && !page.more);
        // The cursor is past them: the next pull is empty.
        let next = fx.pull_ok(phone, &format!("?cursor={}", page.cursor)).await;
        assert!(next.records.is_empty() && next.erased.is_empty());
        assert_eq!(next.cursor, page.cursor);
    }
    for (phone, &cursor) in [&other_village, &other_commune].into_iter().zip(&cursors[2..]) {
        let page = fx.pull_ok(phone, &format!("?cursor={cursor}")).await;
        assert!(page.erased.is_empty() && page.records.is_empty(), "another village hears nothing of it");
        assert_eq!(page.cursor, cursor);
    }

    // A phone syncing for the first time gets the erasure too (and none of the data).
    let mut cursor = 0;
    let (mut records, mut erased) = (Vec::new(), Vec::new());
    loop {
        let page = fx.pull_ok(&village, &format!("?cursor={cursor}")).await;
        records.extend(page.records);
        erased.extend(page.erased);
        cursor = page.cursor;
        if !page.more {
            break;
        }
    }
    assert!(records.iter().all(|r| r.id != household.record && r.id != pledge.record));
    assert_eq!(erased, expected);
}

#[tokio::test]
async fn erasures_share_pages_with_records_and_count_in_what_remains() {
    let fx = Fixture::new();
    let phone = fx.village_phone("DEMO-BS-BC-1").await;
    let cursor = fx.pull_from(&phone, 0).await.1;
    let doomed = phone.change(Entity::Household, Uuid::now_v7(), household_fields("Hộ sẽ xóa"));
    fx.push_ok(&phone, vec![doomed.clone()]).await;
    fx.storage.erase_records(&[doomed.record], fx.now()).unwrap();
    // Written by another phone of the village (a phone is not sent back what it wrote itself).
    let neighbour = fx.village_phone("DEMO-BS-BC-1").await;
    let kept = neighbour.change(Entity::Household, Uuid::now_v7(), household_fields("Hộ ở lại"));
    fx.push_ok(&neighbour, vec![kept.clone()]).await;

    let first = fx.pull_ok(&phone, &format!("?cursor={cursor}&limit=1")).await;
    assert_eq!(first.erased, vec![ErasedRecord { entity: Entity::Household, id: doomed.record }]);
    assert!(first.records.is_empty());
    assert!(first.more);
    assert_eq!(first.remaining, 1);
    // The erased record took the last seq; a record written after it still comes after it.
    let second = fx.pull_ok(&phone, &format!("?cursor={}&limit=1", first.cursor)).await;
    assert_eq!(second.records.iter().map(|r| r.id).collect::<Vec<_>>(), vec![kept.record]);
    assert!(second.erased.is_empty() && !second.more);
    assert!(second.cursor > first.cursor);
}

#[tokio::test]
async fn nothing_about_an_erased_household_is_taken_back() {
    let fx = Fixture::new();
    let phone = fx.village_phone("DEMO-BS-BC-1").await;
    let household = phone.change(Entity::Household, Uuid::now_v7(), household_fields("Hộ sẽ xóa"));
    fx.push_ok(&phone, vec![household.clone()]).await;
    fx.storage.erase_records(&[household.record], fx.now()).unwrap();
    // Written offline before the phone heard of the erasure: a visit and a pledge about it.
    let visit = phone.change(
        Entity::Visit,
        Uuid::now_v7(),
        json!({"household": household.record, "visited_on": "2023-06-01", "outcome": "pledged", "revisit_on": null, "note": "Gặp chủ hộ"}),
    );
    let pledge = pledge_for(&phone, household.record, None);
    let unrelated = phone.change(Entity::Household, Uuid::now_v7(), household_fields("Hộ khác"));
    let res = fx.push_ok(&phone, vec![visit.clone(), pledge.clone(), unrelated.clone()]).await;
    let reasons: Vec<Option<&str>> = res.results.iter().map(|r| r.reason.as_deref()).collect();
    assert_eq!(reasons, [Some(reason::ERASED), Some(reason::ERASED), None]);
    assert!(fx.storage.record(visit.record).unwrap().is_none());
    assert!(fx.storage.record(pledge.record).unwrap().is_none());
    assert!(fx.storage.record(unrelated.record).unwrap().is_some());
}

#[tokio::test]
async fn a_signature_image_goes_with_the_pledge_unless_another_record_names_it() {
    let fx = Fixture::new();
    let phone = fx.village_phone("DEMO-BS-BC-1").await;
    let upload = |bytes: &'static [u8]| {
        let sha = sha256_hex(bytes);
        let size = bytes.len() as u64;
        fx.storage
            .append_attachment(ChunkUpload { sha256: &sha, mime: "image/png", size, offset: 0, chunk: bytes, now: fx.now() })
            .unwrap();
        sha
    };
    let (own, shared) = (upload(b"chu ky rieng"), upload(b"anh dung chung"));
    let household = phone.change(Entity::Household, Uuid::now_v7(), household_fields("Hộ sẽ xóa"));
    let pledge = pledge_for(&phone, household.record, Some(&own));
    let minutes_like = pledge_for(&phone, Uuid::now_v7(), Some(&shared));
    let also_shared = pledge_for(&phone, household.record, Some(&shared));
    fx.push_ok(&phone, vec![household.clone(), pledge.clone(), minutes_like, also_shared.clone()]).await;

    fx.storage.erase_records(&[pledge.record, also_shared.record, household.record], fx.now()).unwrap();
    assert!(fx.storage.attachment(&own).unwrap().is_none(), "the erased pledge's signature is gone");
    assert!(fx.storage.attachment_bytes(&shared).unwrap().is_some(), "an image another record names stays");
}

#[tokio::test]
async fn erasing_an_id_the_server_never_held_refuses_it_without_announcing_it() {
    let fx = Fixture::new();
    let phone = fx.village_phone("DEMO-BS-BC-1").await;
    let cursor = fx.pull_from(&phone, 0).await.1;
    let never = Uuid::now_v7();
    fx.storage.erase_records(&[never], fx.now()).unwrap();
    let page = fx.pull_ok(&phone, &format!("?cursor={cursor}")).await;
    assert!(page.erased.is_empty());
    assert_eq!(page.cursor, cursor);
    let res = fx.push_ok(&phone, vec![phone.change(Entity::Household, never, household_fields("Hộ"))]).await;
    assert_eq!(res.results[0].reason.as_deref(), Some(reason::ERASED));
}
