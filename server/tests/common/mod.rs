//! Test fixture: a server on a temporary SQLite file with the demo district, a settable clock,
//! and phones that sign their requests like the real client. Requests go through `app(state)`
//! with `tower::ServiceExt::oneshot`.
#![allow(dead_code)]

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use sotay_core::clock::ManualClock;
use sotay_core::record::{Change, Entity, Fields};
use sotay_core::sync::protocol::{self, EnrollRequest, EnrollResponse, ErrorBody, PullResponse, PushRequest, PushResponse};
use sotay_core::sync::signing::{self, DeviceKey};
use sotay_core::{Hlc, WallClock};
use sotay_server::storage::{NewUser, Role, SqliteStorage, Storage};
use sotay_server::{AppState, app, demo, enrollment};
use tempfile::TempDir;
use tower::ServiceExt;
use uuid::Uuid;

pub const T0: i64 = 1_700_000_000_000;

pub struct Fixture {
    pub state: AppState,
    pub storage: Arc<SqliteStorage>,
    pub clock: Arc<ManualClock>,
    _dir: TempDir,
}

pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Response {
    pub fn json<T: DeserializeOwned>(&self) -> T {
        let raw = if self.headers.get("content-encoding").is_some_and(|v| v == "zstd") {
            zstd::decode_all(&self.body[..]).expect("zstd body")
        } else {
            self.body.to_vec()
        };
        serde_json::from_slice(&raw).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&raw)))
    }

    pub fn error(&self) -> ErrorBody {
        self.json()
    }
}

/// Demo unit ids by code, e.g. `unit("DEMO-BS-BC-1")`.
pub fn unit(code: &str) -> Uuid {
    demo::demo_id(&format!("unit:{code}"))
}

impl Fixture {
    pub fn new() -> Fixture {
        let dir = TempDir::new().unwrap();
        let storage = Arc::new(SqliteStorage::open(dir.path().join("sotay.db")).unwrap());
        storage.put_records(&demo::records(T0 - 86_400_000).unwrap()).unwrap();
        let clock = ManualClock::at(T0);
        let state = AppState::with_clock(storage.clone(), clock.clone());
        Fixture { state, storage, clock, _dir: dir }
    }

    /// The SQLite file, for readers that take a `rusqlite::Connection` (the core's progress).
    pub fn db_path(&self) -> std::path::PathBuf {
        self._dir.path().join("sotay.db")
    }

    pub fn app(&self) -> Router {
        app(self.state.clone())
    }

    pub fn now(&self) -> i64 {
        self.clock.now_millis()
    }

    pub async fn send(&self, req: Request<Body>) -> Response {
        let res = self.app().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes();
        Response { status, headers, body }
    }

    /// A new user at `unit` with a fresh enrollment code.
    pub fn code_for(&self, unit: Uuid, role: Role) -> String {
        let user = self
            .storage
            .create_user(NewUser { login: None, name: "Người thử".into(), role, unit, password_hash: None }, self.now())
            .unwrap();
        enrollment::issue_code(self.storage.as_ref(), &user, self.now()).unwrap().code
    }

    pub async fn post_enroll(&self, code: &str, key: &DeviceKey) -> Response {
        let body = serde_json::to_vec(&EnrollRequest { code: code.into(), public_key: key.public_key_hex(), device_name: "thử".into() }).unwrap();
        self.send(Request::post(protocol::PATH_ENROLL).header("content-type", "application/json").body(Body::from(body)).unwrap()).await
    }

    /// Enroll a phone for a new village head (or `role`) of `unit`.
    pub async fn phone(&self, unit: Uuid, role: Role) -> Phone {
        let key = DeviceKey::generate().unwrap();
        let res = self.post_enroll(&self.code_for(unit, role), &key).await;
        assert_eq!(res.status, StatusCode::OK, "{}", String::from_utf8_lossy(&res.body));
        let enrolled: EnrollResponse = res.json();
        Phone { key, id: enrolled.device_id, unit, hlc: std::cell::Cell::new(T0 as u64) }
    }

    pub async fn village_phone(&self, code: &str) -> Phone {
        self.phone(unit(code), Role::VillageHead).await
    }

    /// Send a request signed by `phone` now.
    pub async fn signed(&self, phone: &Phone, method: &str, path: &str, body: Vec<u8>, zstd: bool) -> Response {
        self.send(phone.request(method, path, body, self.now() / 1000, &signing::new_nonce(), zstd)).await
    }

    pub async fn push(&self, phone: &Phone, changes: Vec<Change>) -> Response {
        let json = serde_json::to_vec(&PushRequest { changes }).unwrap();
        self.signed(phone, "POST", protocol::PATH_PUSH, zstd::encode_all(&json[..], 3).unwrap(), true).await
    }

    pub async fn push_ok(&self, phone: &Phone, changes: Vec<Change>) -> PushResponse {
        let res = self.push(phone, changes).await;
        assert_eq!(res.status, StatusCode::OK, "{}", String::from_utf8_lossy(&res.body));
        res.json()
    }

    pub async fn pull(&self, phone: &Phone, query: &str) -> Response {
        self.signed(phone, "GET", &format!("{}{query}", protocol::PATH_PULL), Vec::new(), false).await
    }

    pub async fn pull_ok(&self, phone: &Phone, query: &str) -> PullResponse {
        let res = self.pull(phone, query).await;
        assert_eq!(res.status, StatusCode::OK, "{}", String::from_utf8_lossy(&res.body));
        res.json()
    }

    /// Every page from cursor 0.
    pub async fn pull_all(&self, phone: &Phone) -> Vec<sotay_core::RecordState> {
        self.pull_from(phone, 0).await.0
    }

    /// Every page from `cursor`: the records received and the cursor after them.
    pub async fn pull_from(&self, phone: &Phone, mut cursor: u64) -> (Vec<sotay_core::RecordState>, u64) {
        let mut out = Vec::new();
        loop {
            let page = self.pull_ok(phone, &format!("?cursor={cursor}")).await;
            out.extend(page.records);
            cursor = page.cursor;
            if !page.more {
                return (out, cursor);
            }
        }
    }
}

pub struct Phone {
    pub key: DeviceKey,
    pub id: Uuid,
    pub unit: Uuid,
    hlc: std::cell::Cell<u64>,
}

impl Phone {
    pub fn from_enrollment(key: DeviceKey, id: Uuid, unit: Uuid) -> Phone {
        Phone { key, id, unit, hlc: std::cell::Cell::new(T0 as u64) }
    }

    pub fn request(&self, method: &str, path: &str, body: Vec<u8>, created_secs: i64, nonce: &str, zstd: bool) -> Request<Body> {
        let key_id = self.id.to_string();
        let input = signing::signing_input(method, path, &body, created_secs, nonce, &key_id);
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(protocol::HEADER_KEY_ID, &key_id)
            .header(protocol::HEADER_CREATED, created_secs.to_string())
            .header(protocol::HEADER_NONCE, nonce)
            .header(protocol::HEADER_SIGNATURE, self.key.sign(&input));
        if zstd {
            b = b.header("content-encoding", "zstd");
        }
        b.body(Body::from(body)).unwrap()
    }

    /// A change to a record of this phone's unit, at the phone's next clock reading.
    pub fn change(&self, entity: Entity, record: Uuid, fields: Value) -> Change {
        self.change_in(self.unit, entity, record, fields)
    }

    pub fn change_in(&self, unit: Uuid, entity: Entity, record: Uuid, fields: Value) -> Change {
        self.hlc.set(self.hlc.get() + 1);
        Change {
            id: Uuid::now_v7(),
            entity,
            record,
            unit,
            hlc: Hlc { millis: self.hlc.get(), counter: 0, node: self.id.as_u128() as u64 },
            fields: fields.as_object().cloned().unwrap_or_default(),
            seal: None,
        }
    }

    pub fn set_clock(&self, millis: u64) {
        self.hlc.set(millis);
    }
}

pub fn household_fields(name: &str) -> Value {
    json!({"head_name": name, "address": "Xóm 1", "members": 4, "children_under_18": 1, "phone": null, "clan": null})
}

pub fn fields(v: Value) -> Fields {
    v.as_object().cloned().unwrap_or_default()
}
