//! Attachments: content-addressed, chunked, resumable, never sent twice, bounded in size.
mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::json;
use sotay_core::record::{Entity, sha256_hex};
use sotay_core::sync::protocol::{AttachmentStatus, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENT_CHUNK, MissingAttachments, PATH_ATTACHMENTS, PATH_ATTACHMENTS_MISSING};
use uuid::Uuid;

fn photo(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

async fn put(fx: &Fixture, phone: &Phone, sha: &str, offset: usize, size: usize, chunk: &[u8]) -> Response {
    fx.signed(phone, "PUT", &format!("{PATH_ATTACHMENTS}/{sha}?offset={offset}&size={size}"), chunk.to_vec(), false).await
}

#[tokio::test]
async fn an_upload_cut_midway_resumes_where_the_server_stopped() {
    let fx = Fixture::new();
    let phone = fx.village_phone("DEMO-BS-BC-1").await;
    let data = photo(600 * 1024);
    let sha = sha256_hex(&data);
    let path = format!("{PATH_ATTACHMENTS}/{sha}");

    assert_eq!(fx.signed(&phone, "GET", &path, vec![], false).await.status, StatusCode::NOT_FOUND);
    assert_eq!(fx.signed(&phone, "HEAD", &path, vec![], false).await.status, StatusCode::NOT_FOUND);

    let chunk = MAX_ATTACHMENT_CHUNK;
    let first = put(&fx, &phone, &sha, 0, data.len(), &data[..chunk]).await;
    assert_eq!(first.status, StatusCode::OK);
    // The link drops; later the phone asks where to resume.
    let status: AttachmentStatus = fx.signed(&phone, "GET", &path, vec![], false).await.json();
    assert_eq!((status.received, status.size, status.complete), (chunk as u64, data.len() as u64, false));

    // A chunk at the wrong offset (say, the first one again) is refused with 409.
    let wrong = put(&fx, &phone, &sha, 0, data.len(), &data[..chunk]).await;
    assert_eq!(wrong.status, StatusCode::CONFLICT);
    assert_eq!(wrong.error().error, "offset_mismatch");

    let mut offset = status.received as usize;
    while offset < data.len() {
        let end = (offset + chunk).min(data.len());
        let res = put(&fx, &phone, &sha, offset, data.len(), &data[offset..end]).await;
        assert_eq!(res.status, StatusCode::OK, "{}", String::from_utf8_lossy(&res.body));
        offset = end;
    }
    let done: AttachmentStatus = fx.signed(&phone, "GET", &path, vec![], false).await.json();
    assert!(done.complete);
    assert_eq!(fx.signed(&phone, "HEAD", &path, vec![], false).await.status, StatusCode::OK);
    // Sending it again is answered "complete" without storing anything twice.
    let again: AttachmentStatus = put(&fx, &phone, &sha, 0, data.len(), &data[..chunk]).await.json();
    assert!(again.complete);
    let absurd = fx.signed(&phone, "PUT", &format!("{path}?offset={}&size={}", u64::MAX, data.len()), data[..10].to_vec(), false).await;
    assert_eq!(absurd.status, StatusCode::OK, "a complete attachment stays complete whatever is sent");
}

#[tokio::test]
async fn bytes_that_do_not_match_the_address_are_discarded() {
    let fx = Fixture::new();
    let phone = fx.village_phone("DEMO-BS-BC-1").await;
    let data = photo(1000);
    let sha = sha256_hex(b"something else");
    let res = put(&fx, &phone, &sha, 0, data.len(), &data).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.error().error, "hash_mismatch");
    assert_eq!(fx.signed(&phone, "GET", &format!("{PATH_ATTACHMENTS}/{sha}"), vec![], false).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn too_large_attachments_and_chunks_get_413() {
    let fx = Fixture::new();
    let phone = fx.village_phone("DEMO-BS-BC-1").await;
    let sha = sha256_hex(b"x");
    let res = put(&fx, &phone, &sha, 0, MAX_ATTACHMENT_BYTES as usize + 1, b"x").await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res.error().message.contains("10 MB"));
    let res = put(&fx, &phone, &sha, 0, MAX_ATTACHMENT_CHUNK + 1, &photo(MAX_ATTACHMENT_CHUNK + 1)).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    let res = fx.signed(&phone, "PUT", &format!("{PATH_ATTACHMENTS}/not-a-hash?offset=0&size=1"), b"x".to_vec(), false).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn records_sync_before_their_attachments_which_are_listed_missing_until_uploaded() {
    let fx = Fixture::new();
    let a = fx.village_phone("DEMO-BS-BC-1").await;
    let b = fx.village_phone("DEMO-BS-BC-2").await;
    let data = photo(5000);
    let sha = sha256_hex(&data);
    let minutes = a.change(Entity::Minutes, Uuid::now_v7(), json!({"place": "Nhà văn hóa thôn", "attachments": [sha]}));
    let res = fx.push_ok(&a, vec![minutes]).await;
    assert_eq!(res.results[0].status, sotay_core::sync::protocol::PushStatus::Applied);

    let missing: MissingAttachments = fx.signed(&a, "GET", PATH_ATTACHMENTS_MISSING, vec![], false).await.json();
    assert_eq!(missing.sha256, vec![sha.clone()]);
    let other: MissingAttachments = fx.signed(&b, "GET", PATH_ATTACHMENTS_MISSING, vec![], false).await.json();
    assert!(other.sha256.is_empty(), "another village does not see it");

    assert_eq!(put(&fx, &a, &sha, 0, data.len(), &data).await.status, StatusCode::OK);
    let missing: MissingAttachments = fx.signed(&a, "GET", PATH_ATTACHMENTS_MISSING, vec![], false).await.json();
    assert!(missing.sha256.is_empty());

    let content = format!("{PATH_ATTACHMENTS}/{sha}/content");
    let mine = fx.signed(&a, "GET", &content, vec![], false).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert_eq!(mine.body.to_vec(), data);
    let theirs = fx.signed(&b, "GET", &content, vec![], false).await;
    assert_eq!(theirs.status, StatusCode::FORBIDDEN);
}
