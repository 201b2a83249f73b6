//! Oversized, compressed-bomb, empty, truncated, non-UTF-8 and deeply nested bodies get a 4xx
//! with a reason, never a panic or a 5xx.
mod common;

use axum::http::StatusCode;
use common::*;
use sotay_core::record::Entity;
use sotay_core::sync::protocol::{MAX_PUSH_BYTES, MAX_PUSH_CHANGES, PATH_PUSH, PushRequest};
use uuid::Uuid;

async fn push_raw(fx: &Fixture, phone: &Phone, body: Vec<u8>, zstd: bool) -> Response {
    fx.signed(phone, "POST", PATH_PUSH, body, zstd).await
}

#[tokio::test]
async fn too_many_changes_get_413() {
    let fx = Fixture::new();
    let phone = fx.village_phone("DEMO-BS-BC-1").await;
    let changes: Vec<_> = (0..=MAX_PUSH_CHANGES).map(|_| phone.change(Entity::Visit, Uuid::now_v7(), serde_json::json!({}))).collect();
    let res = fx.push(&phone, changes).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(res.error().error, "too_large");
}

#[tokio::test]
async fn too_many_bytes_get_413_compressed_or_not() {
    let fx = Fixture::new();
    let phone = fx.village_phone("DEMO-BS-BC-1").await;
    let raw = vec![b' '; MAX_PUSH_BYTES + 1];
    let res = push_raw(&fx, &phone, raw, false).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);

    // A decompression bomb: a few KB that would inflate to 64 MB.
    let bomb = zstd::encode_all(&vec![b' '; 64 * 1024 * 1024][..], 19).unwrap();
    assert!(bomb.len() < 64 * 1024);
    let res = push_raw(&fx, &phone, bomb, true).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res.error().message.contains("decompresses"));
}

#[tokio::test]
async fn malformed_bodies_get_400_with_a_reason() {
    let fx = Fixture::new();
    let phone = fx.village_phone("DEMO-BS-BC-1").await;
    let good = serde_json::to_vec(&PushRequest { changes: vec![phone.change(Entity::Visit, Uuid::now_v7(), serde_json::json!({}))] }).unwrap();
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes();
    let deep_in_fields = format!(
        "{{\"changes\":[{{\"id\":\"{}\",\"entity\":\"visit\",\"record\":\"{}\",\"unit\":\"{}\",\"hlc\":\"{}\",\"fields\":{{\"note\":{}{}}}}}]}}",
        Uuid::now_v7(),
        Uuid::now_v7(),
        phone.unit,
        "0".repeat(32),
        "[".repeat(5000),
        "]".repeat(5000)
    )
    .into_bytes();
    let cases: Vec<(&str, Vec<u8>, bool, &str)> = vec![
        ("empty", vec![], false, "bad_json"),
        ("truncated", good[..good.len() / 2].to_vec(), false, "bad_json"),
        ("not UTF-8", vec![b'{', b'"', 0xff, 0xfe, b'"', b'}'], false, "bad_json"),
        ("not an object", b"[1, 2, 3]".to_vec(), false, "bad_json"),
        ("deeply nested", deep, false, "bad_json"),
        ("deeply nested inside fields", deep_in_fields, false, "bad_json"),
        ("truncated zstd", zstd::encode_all(&good[..], 3).unwrap()[..10].to_vec(), true, "bad_encoding"),
        ("garbage zstd", b"not zstd at all".to_vec(), true, "bad_encoding"),
    ];
    for (what, body, zstd, kind) in cases {
        let res = push_raw(&fx, &phone, body, zstd).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{what}");
        let err = res.error();
        assert_eq!(err.error, kind, "{what}: {}", err.message);
        assert!(!err.message.is_empty());
    }
    // The phone still works afterwards.
    assert_eq!(push_raw(&fx, &phone, good, false).await.status, StatusCode::OK);
}

#[tokio::test]
async fn an_unknown_content_encoding_gets_415() {
    let fx = Fixture::new();
    let phone = fx.village_phone("DEMO-BS-BC-1").await;
    let mut req = phone.request("POST", PATH_PUSH, b"{}".to_vec(), fx.now() / 1000, &sotay_core::sync::signing::new_nonce(), false);
    req.headers_mut().insert("content-encoding", "br".parse().unwrap());
    let res = fx.send(req).await;
    assert_eq!(res.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(res.error().error, "bad_encoding");
}
