//! Server ingest: 8 enrolled phones (one per demo village) push sealed household pledges at once
//! over loopback HTTP to a real server on a fresh SQLite file; prints pledges applied per second.
//! Goal: 20,000 or more on the 2-core build machine.
//!
//!     cargo bench -p sotay-server --bench ingest
//!
//! Bodies are built and signed before the clock starts, so the figure is the server's: HTTP,
//! signature check, zstd, JSON, scope, validation, merge and the SQLite write transaction.

use std::sync::Arc;
use std::time::Instant;

use serde_json::json;
use sotay_core::record::{Change, Entity, Seal, content_hash};
use sotay_core::sync::protocol::{self, EnrollRequest, EnrollResponse, PushRequest, PushResponse, PushStatus};
use sotay_core::sync::signing::{self, DeviceKey};
use sotay_core::{Hlc, WallClock};
use sotay_server::storage::{NewUser, Role, SqliteStorage, Storage};
use sotay_server::{AppState, app, demo, enrollment};
use uuid::Uuid;

const DEVICES: usize = 8;
const BATCHES_PER_DEVICE: usize = 10;
const PLEDGES_PER_BATCH: usize = 1000;

struct Prepared {
    path: String,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

fn pledge(device: &Uuid, unit: Uuid, template: Uuid, i: usize, now: i64) -> Change {
    let id = Uuid::now_v7();
    let fields = json!({
        "kind": "household", "subject": Uuid::now_v7(), "template": template,
        "commitments": ["Không để xảy ra xâm hại trẻ em trong gia đình", "Giáo dục con em chấp hành pháp luật"],
        "signed_by": format!("Chủ hộ mẫu {i}"), "witness": "Trưởng ban công tác Mặt trận (mẫu)",
        "signed_on": "2023-06-01", "signature": null, "amends": null,
    });
    let fields = fields.as_object().cloned().unwrap_or_default();
    let seal = Seal { by: "bench".into(), at: now, hash: content_hash(Entity::Pledge, id, &fields) };
    Change {
        id: Uuid::now_v7(),
        entity: Entity::Pledge,
        record: id,
        unit,
        hlc: Hlc { millis: now as u64, counter: i as u32, node: device.as_u128() as u64 },
        fields,
        seal: Some(seal),
    }
}

fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::TempDir::new().expect("temp dir");
    let storage = Arc::new(SqliteStorage::open(dir.path().join("sotay.db")).expect("open"));
    let now = sotay_core::clock::SystemClock.now_millis();
    storage.put_records(&demo::records(now).expect("demo data")).expect("demo");
    let template = storage.records(Entity::PledgeTemplate, None).expect("templates")[0].id;
    let villages: Vec<Uuid> = ["BC", "BD", "BH"]
        .iter()
        .flat_map(|c| (1..=3).map(move |v| demo::demo_id(&format!("unit:DEMO-BS-{c}-{v}"))))
        .take(DEVICES)
        .collect();

    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let state = AppState::new(storage.clone());
    runtime.spawn(async move { axum::serve(listener, app(state)).await });

    // Enroll one phone per village through the API, and prepare its signed batches.
    let http = reqwest::blocking::Client::new();
    let mut work: Vec<Vec<Prepared>> = Vec::new();
    let mut body_bytes = 0usize;
    for village in &villages {
        let user = storage
            .create_user(NewUser { login: None, name: "bench".into(), role: Role::VillageHead, unit: *village, password_hash: None }, now)
            .expect("user");
        let code = enrollment::issue_code(storage.as_ref(), &user, now).expect("code").code;
        let key = DeviceKey::generate().expect("key");
        let enrolled: EnrollResponse = http
            .post(format!("{base}{}", protocol::PATH_ENROLL))
            .header("content-type", "application/json")
            .body(serde_json::to_vec(&EnrollRequest { code, public_key: key.public_key_hex(), device_name: "bench".into() }).expect("json"))
            .send()
            .and_then(|r| r.error_for_status())
            .and_then(|r| r.bytes())
            .map(|b| serde_json::from_slice(&b).expect("enroll answer"))
            .expect("enroll");
        let key_id = enrolled.device_id.to_string();
        let mut batches = Vec::new();
        for b in 0..BATCHES_PER_DEVICE {
            let changes = (0..PLEDGES_PER_BATCH).map(|i| pledge(&enrolled.device_id, *village, template, b * PLEDGES_PER_BATCH + i, now)).collect();
            let json = serde_json::to_vec(&PushRequest { changes }).expect("json");
            let body = zstd::bulk::compress(&json, 3).expect("zstd");
            body_bytes += body.len();
            let created = now / 1000;
            let nonce = signing::new_nonce();
            let input = signing::signing_input("POST", protocol::PATH_PUSH, &body, created, &nonce, &key_id);
            batches.push(Prepared {
                path: protocol::PATH_PUSH.to_string(),
                headers: vec![
                    (protocol::HEADER_KEY_ID, key_id.clone()),
                    (protocol::HEADER_CREATED, created.to_string()),
                    (protocol::HEADER_NONCE, nonce),
                    (protocol::HEADER_SIGNATURE, key.sign(&input)),
                    ("content-encoding", "zstd".into()),
                    ("content-type", "application/json".into()),
                    ("accept-encoding", "zstd".into()),
                ],
                body,
            });
        }
        work.push(batches);
    }

    let started = Instant::now();
    let threads: Vec<_> = work
        .into_iter()
        .map(|batches| {
            let base = base.clone();
            std::thread::spawn(move || {
                let http = reqwest::blocking::Client::new();
                let mut applied = 0usize;
                for p in batches {
                    let mut req = http.post(format!("{base}{}", p.path)).body(p.body);
                    for (k, v) in &p.headers {
                        req = req.header(*k, v);
                    }
                    let res = req.send().expect("push");
                    assert!(res.status().is_success(), "push answered {}", res.status());
                    let bytes = res.bytes().expect("body");
                    let json = zstd::decode_all(&bytes[..]).expect("zstd answer");
                    let answer: PushResponse = serde_json::from_slice(&json).expect("answer");
                    applied += answer.results.iter().filter(|r| r.status == PushStatus::Applied).count();
                }
                applied
            })
        })
        .collect();
    let applied: usize = threads.into_iter().map(|t| t.join().expect("device thread")).sum();
    let elapsed = started.elapsed();
    let expected = DEVICES * BATCHES_PER_DEVICE * PLEDGES_PER_BATCH;
    assert_eq!(applied, expected, "every pledge applied once");
    println!(
        "ingest: {DEVICES} devices x {BATCHES_PER_DEVICE} pushes x {PLEDGES_PER_BATCH} sealed pledges = {applied} applied in {:.2} s: {:.0} pledges/s ({:.0} compressed bytes per pledge on the wire)",
        elapsed.as_secs_f64(),
        applied as f64 / elapsed.as_secs_f64(),
        body_bytes as f64 / expected as f64
    );
}
