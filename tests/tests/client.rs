//! The sync client against the real server: attachments resume and are never sent twice,
//! progress is reported to the end, and a cancelled sync loses nothing.

use std::sync::Mutex;

use sotay_core::Error;
use sotay_core::households::HouseholdDetails;
use sotay_core::minutes::MinutesContent;
use sotay_core::sync::protocol::{AttachmentStatus, MAX_ATTACHMENT_CHUNK, PATH_ATTACHMENTS};
use sotay_core::sync::{CancelToken, NoProgress, Progress, SyncPhase, SyncProgress};
use sotay_e2e::*;

/// A photo-sized attachment of three chunks.
fn photo() -> Vec<u8> {
    (0..(2 * MAX_ATTACHMENT_CHUNK + 90_000)).map(|i| (i * 31 % 251) as u8).collect()
}

fn server_status(server: &Server, phone: &Phone, sha: &str) -> AttachmentStatus {
    let (status, body) = signed_raw(server, phone, "GET", &format!("{PATH_ATTACHMENTS}/{sha}"), b"", &[]);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    serde_json::from_slice(&body).unwrap()
}

#[test]
fn an_interrupted_attachment_upload_resumes_and_is_never_sent_twice() {
    let server = Server::start();
    let phone = Phone::enrolled(&server, village_a());
    phone.sync().unwrap();
    let bytes = photo();
    let info = phone.store.put_attachment(&bytes, "image/jpeg").unwrap();
    let content = MinutesContent { place: "Nhà văn hóa".into(), chair: "A".into(), secretary: "B".into(), attendee_count: 12, held_at: Some(1_681_300_000_000), attachments: vec![info.sha256.clone()], ..Default::default() };
    let m = phone.store.create_minutes(village_a(), &content).unwrap();
    phone.store.seal_minutes(m.id, "Trưởng ban").unwrap();

    // A first chunk got through before the link dropped.
    let first = &bytes[..MAX_ATTACHMENT_CHUNK];
    let path = format!("{PATH_ATTACHMENTS}/{}?offset=0&size={}", info.sha256, bytes.len());
    let (status, body) = signed_raw(&server, &phone, "PUT", &path, first, &[("content-type", "image/jpeg")]);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));

    let report = phone.sync().unwrap();
    assert_eq!(report.attachments_uploaded, 1);
    // Only what the server lacked went up (the push body is small).
    assert!(report.wire.bytes_sent < (bytes.len() - MAX_ATTACHMENT_CHUNK + 10_000) as u64, "sent {}", report.wire.bytes_sent);
    assert!(server_status(&server, &phone, &info.sha256).complete);
    assert!(phone.store.attachments_not_uploaded().unwrap().is_empty());

    // Another phone that took the same photo does not send it again.
    let other = Phone::enrolled(&server, village_a());
    other.store.put_attachment(&bytes, "image/jpeg").unwrap();
    let report = other.sync().unwrap();
    assert_eq!(report.attachments_uploaded, 1);
    assert!(report.wire.bytes_sent < 1_000, "sent {}", report.wire.bytes_sent);

    // A phone without it fetches it for the sealed minutes it received.
    let third = Phone::enrolled(&server, village_a());
    let report = third.sync().unwrap();
    assert_eq!(report.attachments_downloaded, 1);
    assert_eq!(third.store.attachment(&info.sha256).unwrap(), bytes);
    assert!(third.store.attachments_missing().unwrap().is_empty());
}

#[derive(Default)]
struct Recorder(Mutex<Vec<Progress>>);

impl SyncProgress for Recorder {
    fn report(&self, p: &Progress) {
        self.0.lock().unwrap().push(p.clone());
    }
}

#[test]
fn progress_runs_to_the_total_and_a_cancelled_sync_resumes_without_loss() {
    let server = Server::start();
    let phone = Phone::enrolled(&server, village_a());
    for i in 0..30 {
        let d = HouseholdDetails { head_name: format!("Đặng Văn Số {i}"), address: String::new(), members: 2, children_under_18: 0, phone: None, clan: None };
        phone.store.add_household(village_a(), &d).unwrap();
    }
    // Cancelled before it starts: nothing sent, nothing lost.
    let cancel = CancelToken::new();
    cancel.cancel();
    assert!(matches!(phone.client().sync(&NoProgress, &cancel), Err(Error::Cancelled)));
    assert_eq!(phone.pending(), 30);

    let recorder = Recorder::default();
    let report = phone.client().sync(&recorder, &CancelToken::new()).unwrap();
    assert_eq!(report.pushed, 30);
    let events = recorder.0.into_inner().unwrap();
    let push: Vec<_> = events.iter().filter(|p| p.phase == SyncPhase::Push).collect();
    let last = push.last().unwrap();
    assert_eq!((last.items_done, last.items_total), (30, 30));
    assert_eq!(Some(last.bytes_done), last.bytes_total);
    assert!(push.windows(2).all(|w| w[0].items_done <= w[1].items_done));
    let pull = events.iter().rfind(|p| p.phase == SyncPhase::Pull).unwrap();
    assert_eq!(pull.items_done, pull.items_total);
    assert!(pull.items_done >= 30);
    assert_eq!(phone.pending(), 0);
}
