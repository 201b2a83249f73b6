//! Every device request is signed; the server refuses stale, replayed, tampered, forged and
//! revoked requests with a reason.
mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use sotay_core::sync::protocol::{PATH_PULL, SIGNATURE_WINDOW_SECS};
use sotay_core::sync::signing::{self, DeviceKey};
use sotay_server::enrollment;
use sotay_server::storage::Storage;

#[tokio::test]
async fn a_request_outside_the_time_window_gets_the_server_time() {
    let fx = Fixture::new();
    let phone = fx.village_phone("DEMO-BS-BC-1").await;
    let now = fx.now() / 1000;
    for created in [now - SIGNATURE_WINDOW_SECS - 1, now + SIGNATURE_WINDOW_SECS + 1, now - 86_400, i64::MIN, i64::MAX] {
        let res = fx.send(phone.request("GET", PATH_PULL, Vec::new(), created, &signing::new_nonce(), false)).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
        let err = res.error();
        assert_eq!(err.error, "clock_skew");
        assert_eq!(err.server_time_ms, Some(T0));
        assert!(!err.wipe);
    }
    // At the edge of the window it is still accepted.
    let res = fx.send(phone.request("GET", PATH_PULL, Vec::new(), now - SIGNATURE_WINDOW_SECS, &signing::new_nonce(), false)).await;
    assert_eq!(res.status, StatusCode::OK);
}

#[tokio::test]
async fn a_replayed_request_is_refused() {
    let fx = Fixture::new();
    let phone = fx.village_phone("DEMO-BS-BC-1").await;
    let nonce = signing::new_nonce();
    let first = fx.send(phone.request("GET", PATH_PULL, Vec::new(), fx.now() / 1000, &nonce, false)).await;
    assert_eq!(first.status, StatusCode::OK);
    fx.clock.advance(60_000);
    let again = fx.send(phone.request("GET", PATH_PULL, Vec::new(), fx.now() / 1000, &nonce, false)).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    assert_eq!(again.error().error, "replayed");
}

#[tokio::test]
async fn a_tampered_body_path_or_signature_is_refused() {
    let fx = Fixture::new();
    let phone = fx.village_phone("DEMO-BS-BC-1").await;
    let created = fx.now() / 1000;

    // Body changed after signing: the digest in the signed text no longer matches.
    let signed = phone.request("POST", "/api/v1/push", b"{\"changes\":[]}".to_vec(), created, &signing::new_nonce(), false);
    let (parts, _) = signed.into_parts();
    let res = fx.send(Request::from_parts(parts, Body::from("{\"changes\":[ ]}"))).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(res.error().error, "bad_signature");

    // Query changed after signing.
    let signed = phone.request("GET", "/api/v1/pull?cursor=0", Vec::new(), created, &signing::new_nonce(), false);
    let (mut parts, body) = signed.into_parts();
    parts.uri = "/api/v1/pull?cursor=5".parse().unwrap();
    let res = fx.send(Request::from_parts(parts, body)).await;
    assert_eq!(res.error().error, "bad_signature");

    // Signed by another key under this device's id.
    let mut forged = fx.village_phone("DEMO-BS-BC-1").await;
    forged.id = phone.id;
    forged.key = DeviceKey::generate().unwrap();
    let res = fx.send(forged.request("GET", PATH_PULL, Vec::new(), created, &signing::new_nonce(), false)).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(res.error().error, "bad_signature");

    // Missing headers.
    let res = fx.send(Request::get(PATH_PULL).body(Body::empty()).unwrap()).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(res.error().error, "unsigned");
}

#[tokio::test]
async fn an_unknown_key_is_refused() {
    let fx = Fixture::new();
    let mut phone = fx.village_phone("DEMO-BS-BC-1").await;
    phone.id = uuid::Uuid::now_v7();
    let res = fx.send(phone.request("GET", PATH_PULL, Vec::new(), fx.now() / 1000, &signing::new_nonce(), false)).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(res.error().error, "unknown_device");
}

#[tokio::test]
async fn a_revoked_device_is_told_to_wipe_on_every_request() {
    let fx = Fixture::new();
    let phone = fx.village_phone("DEMO-BS-BC-1").await;
    fx.storage.revoke_device(phone.id, fx.now()).unwrap();
    for res in [fx.pull(&phone, "").await, fx.push(&phone, vec![]).await] {
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
        let err = res.error();
        assert_eq!(err.error, "revoked");
        assert!(err.wipe);
    }
}

#[tokio::test]
async fn handover_revokes_the_old_phone_and_keeps_what_it_synced() {
    let fx = Fixture::new();
    let village = unit("DEMO-BS-BC-2");
    let old = fx.village_phone("DEMO-BS-BC-2").await;
    let household = uuid::Uuid::now_v7();
    let pushed = fx.push_ok(&old, vec![old.change(sotay_core::Entity::Household, household, household_fields("Hộ thử"))]).await;
    assert_eq!(pushed.results[0].status, sotay_core::sync::protocol::PushStatus::Applied);

    let issued = enrollment::handover(fx.storage.as_ref(), village, "Trưởng ban mới (mẫu)", fx.now()).unwrap();
    let res = fx.pull(&old, "").await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert!(res.error().wipe);

    let key = DeviceKey::generate().unwrap();
    let res = fx.post_enroll(&issued.code, &key).await;
    assert_eq!(res.status, StatusCode::OK);
    let enrolled: sotay_core::sync::protocol::EnrollResponse = res.json();
    assert_eq!(enrolled.user_name, "Trưởng ban mới (mẫu)");
    let new = Phone::from_enrollment(key, enrolled.device_id, village);
    let records = fx.pull_all(&new).await;
    assert!(records.iter().any(|r| r.id == household), "the new head's phone receives what the old one synced");
    assert!(fx.storage.record(household).unwrap().is_some());
}
