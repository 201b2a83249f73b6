mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use serde_json::Value;
use sotay_core::sync::protocol::{EnrollResponse, PATH_HEALTH};
use sotay_core::sync::signing::DeviceKey;
use sotay_server::enrollment::CODE_TTL_MS;
use sotay_server::storage::{Role, Storage};

#[tokio::test]
async fn health_answers_ok_with_the_server_time() {
    let fx = Fixture::new();
    let res = fx.send(Request::get(PATH_HEALTH).body(Body::empty()).unwrap()).await;
    assert_eq!(res.status, StatusCode::OK);
    let body: Value = res.json();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["server_time_ms"], T0);
}

#[tokio::test]
async fn a_code_enrolls_one_device_bound_to_its_user_and_unit() {
    let fx = Fixture::new();
    let village = unit("DEMO-BS-BC-1");
    let code = fx.code_for(village, Role::VillageHead);
    let key = DeviceKey::generate().unwrap();
    // Typed by hand: lower case, no dashes.
    let res = fx.post_enroll(&code.to_lowercase().replace('-', ""), &key).await;
    assert_eq!(res.status, StatusCode::OK);
    let enrolled: EnrollResponse = res.json();
    assert_eq!(enrolled.unit, village);
    assert_eq!(enrolled.unit_name, "Thôn 1");
    assert_eq!(enrolled.server_time_ms, T0);
    let device = fx.storage.device(enrolled.device_id).unwrap().unwrap();
    assert_eq!(device.unit, village);
    assert_eq!(device.public_key, key.public_key_hex());
    assert!(!device.revoked);

    let again = fx.post_enroll(&code, &DeviceKey::generate().unwrap()).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.error().error, "code_used");
}

/// The reply to an enrollment can be lost: the phone retries with the same code and key and
/// gets the device it already has; nobody else can use the code.
#[tokio::test]
async fn a_retried_enrollment_with_the_same_key_gets_the_same_device() {
    let fx = Fixture::new();
    let code = fx.code_for(unit("DEMO-BS-BC-1"), Role::VillageHead);
    let key = DeviceKey::generate().unwrap();
    let first: EnrollResponse = fx.post_enroll(&code, &key).await.json();
    fx.clock.advance(60_000);
    let res = fx.post_enroll(&code, &key).await;
    assert_eq!(res.status, StatusCode::OK);
    let again: EnrollResponse = res.json();
    assert_eq!((again.device_id, again.unit, &again.user_name), (first.device_id, first.unit, &first.user_name));
    assert_eq!(fx.storage.devices_of_user(fx.storage.device(first.device_id).unwrap().unwrap().user).unwrap().len(), 1);

    let other = fx.post_enroll(&code, &DeviceKey::generate().unwrap()).await;
    assert_eq!(other.status, StatusCode::CONFLICT);
    assert_eq!(other.error().error, "code_used");

    // Once the device is revoked, the retry is refused too.
    fx.storage.revoke_device(first.device_id, T0).unwrap();
    assert_eq!(fx.post_enroll(&code, &key).await.error().error, "code_used");
}

#[tokio::test]
async fn a_used_code_is_not_retried_after_it_expires() {
    let fx = Fixture::new();
    let code = fx.code_for(unit("DEMO-BS-BC-1"), Role::VillageHead);
    let key = DeviceKey::generate().unwrap();
    assert_eq!(fx.post_enroll(&code, &key).await.status, StatusCode::OK);
    fx.clock.advance(CODE_TTL_MS);
    let res = fx.post_enroll(&code, &key).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(res.error().error, "code_used");
}

#[tokio::test]
async fn an_expired_or_unknown_code_enrolls_nothing() {
    let fx = Fixture::new();
    let code = fx.code_for(unit("DEMO-BS-BC-1"), Role::VillageHead);
    fx.clock.advance(CODE_TTL_MS);
    let res = fx.post_enroll(&code, &DeviceKey::generate().unwrap()).await;
    assert_eq!(res.status, StatusCode::GONE);
    assert_eq!(res.error().error, "code_expired");

    let res = fx.post_enroll("AAAA-BBBB-CCCC", &DeviceKey::generate().unwrap()).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(res.error().error, "code_unknown");
}

#[tokio::test]
async fn a_malformed_key_or_body_is_refused_with_a_reason() {
    let fx = Fixture::new();
    let code = fx.code_for(unit("DEMO-BS-BC-1"), Role::VillageHead);
    let body = serde_json::json!({"code": code, "public_key": "abcd", "device_name": "x"}).to_string();
    let res = fx.send(Request::post("/api/v1/enroll").body(Body::from(body)).unwrap()).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(res.error().error, "bad_key");

    let res = fx.send(Request::post("/api/v1/enroll").body(Body::from("{\"code\":")).unwrap()).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(res.error().error, "bad_json");
    // The code was not used up by the bad requests.
    assert_eq!(fx.post_enroll(&code, &DeviceKey::generate().unwrap()).await.status, StatusCode::OK);
}
