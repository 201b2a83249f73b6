//! Faults on the wire and misbehaving clients; each ends with nothing lost and nothing
//! duplicated.

use std::collections::BTreeSet;

use sotay_core::Error;
use sotay_core::households::HouseholdDetails;
use sotay_core::record::Entity;
use sotay_core::sync::protocol::{PATH_HEALTH, PATH_PULL, PATH_PUSH, PushRequest, PushResponse, PushStatus};
use sotay_e2e::proxy::{Fault, Proxy};
use sotay_e2e::*;
use uuid::Uuid;

fn add(phone: &Phone, village: Uuid, names: &[&str]) -> Vec<Uuid> {
    names
        .iter()
        .map(|n| {
            let d = HouseholdDetails { head_name: n.to_string(), address: "Xóm 1".into(), members: 3, children_under_18: 1, phone: None, clan: None };
            phone.store.add_household(village, &d).expect("add household").id
        })
        .collect()
}

/// The households of `village` as a fresh phone receives them from the server.
fn server_households(server: &Server, village: Uuid) -> Vec<Uuid> {
    let fresh = Phone::enrolled(server, village);
    fresh.sync().expect("fresh phone syncs");
    fresh.records(Entity::Household).into_iter().map(|r| r.id).collect()
}

fn assert_held_once(server: &Server, village: Uuid, ids: &[Uuid]) {
    let held = server_households(server, village);
    let unique: BTreeSet<_> = held.iter().collect();
    assert_eq!(unique.len(), held.len(), "no record twice");
    for id in ids {
        assert!(unique.contains(id), "record {id} reached the server");
    }
}

#[test]
fn a_reply_lost_after_the_server_committed_is_settled_on_retry() {
    let server = Server::start();
    let proxy = Proxy::start(server.addr);
    let phone = Phone::enrolled(&server, village_a());
    phone.sync().unwrap();
    let ids = add(&phone, village_a(), &["Lê Văn Một", "Lê Văn Hai", "Lê Văn Ba"]);
    proxy.inject(Fault::DropResponse);
    let report = phone.client_via(&proxy.url()).sync(&sotay_core::sync::NoProgress, &sotay_core::sync::CancelToken::new()).unwrap();
    assert_eq!(report.pushed, 3);
    assert!(report.wire.requests >= 3, "the push was sent again after the lost reply");
    assert_eq!(phone.pending(), 0);
    assert_held_once(&server, village_a(), &ids);
}

#[test]
fn an_enrollment_whose_reply_was_lost_is_settled_on_retry() {
    let server = Server::start();
    let proxy = Proxy::start(server.addr);
    let phone = Phone::new();
    proxy.inject(Fault::DropResponse);
    // The server enrolled the key but the phone never heard; the retry gets the same device.
    phone.enroll(&proxy.url(), &server.enrollment_code(village_a()));
    let enrollment = sotay_core::sync::enrollment(&phone.store).unwrap().expect("enrolled");
    assert_eq!(enrollment.unit, village_a());
    let ids = add(&phone, village_a(), &["Lê Văn Bốn"]);
    assert_eq!(phone.sync().unwrap().pushed, 1);
    assert_held_once(&server, village_a(), &ids);
}

#[test]
fn a_cut_in_the_middle_of_a_body_loses_nothing() {
    let server = Server::start();
    let proxy = Proxy::start(server.addr);
    let phone = Phone::enrolled(&server, village_a());
    phone.sync().unwrap();
    let ids = add(&phone, village_a(), &["Phạm Thị Cắt", "Phạm Văn Đứt"]);
    proxy.inject(Fault::CutRequestBody);
    let report = phone.client_via(&proxy.url()).sync(&sotay_core::sync::NoProgress, &sotay_core::sync::CancelToken::new()).unwrap();
    assert_eq!(report.pushed, 2);
    assert_eq!(phone.pending(), 0);
    assert_held_once(&server, village_a(), &ids);
}

#[test]
fn the_same_batch_pushed_twice_at_once_is_applied_once() {
    let server = Server::start();
    let phone = Phone::enrolled(&server, village_a());
    phone.sync().unwrap();
    let ids = add(&phone, village_a(), &["Võ Văn Đôi", "Võ Thị Song", "Võ Văn Cặp"]);
    let batch = phone.store.outbox_batch(100, 1 << 20).unwrap();
    let body = zstd_json(&PushRequest { changes: batch.clone() });
    let requests: Vec<Vec<u8>> = (0..2).map(|_| signed_bytes(&phone, "POST", PATH_PUSH, &body, &[("content-encoding", "zstd"), ("content-type", "application/json")])).collect();
    let answers: Vec<(u16, Vec<u8>)> = std::thread::scope(|s| {
        let handles: Vec<_> = requests.iter().map(|r| s.spawn(|| send_raw(server.addr, r))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut applied = 0;
    for (status, body) in &answers {
        assert_eq!(*status, 200, "{}", String::from_utf8_lossy(body));
        let resp: PushResponse = serde_json::from_slice(body).unwrap();
        assert_eq!(resp.results.len(), batch.len());
        for r in &resp.results {
            assert_ne!(r.status, PushStatus::Rejected);
            if r.status == PushStatus::Applied {
                applied += 1;
            }
        }
    }
    assert_eq!(applied, batch.len(), "each change applied by exactly one of the two pushes");
    // The phone, which never heard either answer, pushes again and is told they are duplicates.
    let report = phone.sync().unwrap();
    assert_eq!(report.pushed, 3);
    assert_eq!(phone.pending(), 0);
    assert_held_once(&server, village_a(), &ids);
}

#[test]
fn a_replayed_request_is_refused() {
    let server = Server::start();
    let phone = Phone::enrolled(&server, village_a());
    phone.sync().unwrap();
    add(&phone, village_a(), &["Đỗ Văn Lặp"]);
    let batch = phone.store.outbox_batch(100, 1 << 20).unwrap();
    let body = zstd_json(&PushRequest { changes: batch });
    let request = signed_bytes(&phone, "POST", PATH_PUSH, &body, &[("content-encoding", "zstd")]);
    assert_eq!(send_raw(server.addr, &request).0, 200);
    let (status, _) = send_raw(server.addr, &request);
    assert_eq!(status, 401, "the same nonce is refused");
    let pull = signed_bytes(&phone, "GET", &format!("{PATH_PULL}?cursor=0"), b"", &[]);
    assert_eq!(send_raw(server.addr, &pull).0, 200);
    assert_eq!(send_raw(server.addr, &pull).0, 401);
    // A tampered body under a valid signature is refused too.
    let mut tampered = signed_bytes(&phone, "POST", PATH_PUSH, &body, &[("content-encoding", "zstd")]);
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    assert_eq!(send_raw(server.addr, &tampered).0, 401);
}

#[test]
fn village_a_can_neither_read_nor_write_village_b() {
    let server = Server::start();
    let a = Phone::enrolled(&server, village_a());
    a.sync().unwrap();
    let mine = add(&a, village_a(), &["Huỳnh Văn Nhà"]);
    // The phone has no record of village B, so the core cannot refuse this; the server must.
    let intruder = add(&a, village_b(), &["Huỳnh Văn Lạ"]);
    let report = a.sync().unwrap();
    assert_eq!((report.pushed, report.set_aside), (1, 1), "the bad item is set aside, the good one goes");
    let aside = a.store.outbox_set_aside_items().unwrap();
    assert_eq!(aside.len(), 1);
    assert_eq!(aside[0].record, intruder[0]);
    assert!(aside[0].reason.contains("out_of_scope"), "{}", aside[0].reason);
    assert_eq!(a.pending(), 0);
    // Reading village B: refused.
    let (status, _) = signed_raw(&server, &a, "GET", &format!("{PATH_PULL}?cursor=0&unit={}", village_b()), b"", &[]);
    assert_eq!(status, 403);
    // Village B's phone never sees the intruder; village A's record arrived.
    let held_b = server_households(&server, village_b());
    assert!(!held_b.contains(&intruder[0]));
    assert!(a.records(Entity::Household).iter().all(|h| h.unit != village_b() || h.id == intruder[0]));
    assert_held_once(&server, village_a(), &mine);
}

#[test]
fn a_revoked_device_is_told_to_wipe_and_what_it_synced_stays() {
    let server = Server::start();
    let phone = Phone::enrolled(&server, village_a());
    let synced = add(&phone, village_a(), &["Bùi Văn Giữ"]);
    phone.sync().unwrap();
    add(&phone, village_a(), &["Bùi Văn Chưa"]);
    server.revoke(phone.device_id());
    match phone.sync() {
        Err(Error::Revoked) => {}
        other => panic!("expected Revoked, got {other:?}"),
    }
    // The sync itself wiped the phone, as the server instructed.
    assert!(sotay_core::sync::enrollment(&phone.store).unwrap().is_none());
    assert_eq!(snapshot(&phone).len(), 0);
    assert_eq!(phone.pending(), 0);
    assert_held_once(&server, village_a(), &synced);
}

#[test]
fn a_device_clock_off_by_a_day_is_corrected_and_the_sync_goes_through() {
    let server = Server::start();
    let day = 86_400_000;
    let phone = Phone::with_clock(std::sync::Arc::new(SkewedClock(day)));
    phone.enroll(&server.url, &server.enrollment_code(village_a()));
    // As if the clock was set wrong after enrolling: the phone believes its own time.
    phone.store.set_clock_offset_ms(0).unwrap();
    let ids = add(&phone, village_a(), &["Hồ Văn Lịch"]);
    let report = phone.sync().unwrap();
    assert_eq!(report.pushed, 1);
    assert!((phone.store.clock_offset_ms() + day).abs() < 60_000, "offset learned: {}", phone.store.clock_offset_ms());
    assert_held_once(&server, village_a(), &ids);
}

#[test]
fn malformed_bodies_get_a_client_error_and_change_nothing() {
    let server = Server::start();
    let phone = Phone::enrolled(&server, village_a());
    phone.sync().unwrap();
    let before = server_households(&server, village_a()).len();
    let valid = serde_json::to_vec(&PushRequest { changes: vec![] }).unwrap();
    let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes();
    let mut too_big = Vec::with_capacity(3 << 20);
    let mut x: u32 = 1;
    while too_big.len() < (3 << 20) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        too_big.extend_from_slice(&x.to_le_bytes());
    }
    let zstd = |b: &[u8]| zstd::bulk::compress(b, 1).unwrap();
    let truncated = {
        let z = zstd(&valid);
        z[..z.len() / 2].to_vec()
    };
    let cases: Vec<(&str, Vec<u8>, bool)> = vec![
        ("empty", vec![], false),
        ("empty zstd", vec![], true),
        ("truncated zstd", truncated, true),
        ("truncated json", valid[..valid.len() / 2].to_vec(), false),
        ("non-UTF-8", vec![b'{', 0xff, 0xfe, b'}'], false),
        ("non-UTF-8 zstd", zstd(&[b'"', 0xc3, 0x28, b'"']), true),
        ("deeply nested", zstd(&nested), true),
        ("oversized", too_big, false),
    ];
    for (name, body, compressed) in cases {
        let extra: Vec<(&str, &str)> = if compressed { vec![("content-encoding", "zstd")] } else { vec![] };
        let (status, answer) = signed_raw(&server, &phone, "POST", PATH_PUSH, &body, &extra);
        assert!((400..500).contains(&status), "{name}: got {status} {}", String::from_utf8_lossy(&answer));
        let (enroll_status, _) = send_raw(server.addr, &raw_request("POST", sotay_core::sync::protocol::PATH_ENROLL, &[], &body));
        assert!((400..500).contains(&enroll_status), "enroll {name}: got {enroll_status}");
    }
    let (health, _) = send_raw(server.addr, &raw_request("GET", PATH_HEALTH, &[], b""));
    assert_eq!(health, 200);
    assert_eq!(server_households(&server, village_a()).len(), before);
    phone.sync().expect("the phone still syncs");
}
