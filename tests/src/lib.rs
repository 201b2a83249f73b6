//! End-to-end harness: a real `sotay-server` process on loopback with a temporary data folder
//! and the demo district, simulated phones (the core's store and sync client), raw signed
//! requests for the attacks, and a TCP proxy that cuts connections at chosen points.

pub mod dashboard;
pub mod proxy;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use sotay_core::clock::{SystemClock, WallClock};
use sotay_core::record::{Entity, RecordState};
use sotay_core::store::{list_records, meta_get};
use sotay_core::sync::signing::{self, DeviceKey};
use sotay_core::sync::{CancelToken, NoProgress, RetryPolicy, SyncClient, SyncReport};
use sotay_core::{Result, Store};
use tempfile::TempDir;
use uuid::Uuid;

/// The demo district's ids are derived from names (the server's `demo` module).
pub use sotay_server::demo::demo_id;

pub fn demo_unit(code: &str) -> Uuid {
    demo_id(&format!("unit:{code}"))
}

/// The commune and two of its villages used by the tests.
pub fn commune() -> Uuid {
    demo_unit("DEMO-BS-BC")
}
pub fn village_a() -> Uuid {
    demo_unit("DEMO-BS-BC-1")
}
pub fn village_b() -> Uuid {
    demo_unit("DEMO-BS-BC-2")
}
/// The seed plan the demo district issues.
pub fn seed_plan() -> Uuid {
    demo_id("plan:2023-binh-son")
}

/// Retries quick enough for tests (a cut costs 20 ms, not seconds).
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy { attempts: 4, first_backoff: Duration::from_millis(20), max_backoff: Duration::from_millis(100), timeout: Duration::from_secs(20) }
}

/// The directory cargo puts binaries of this profile in (the test binary sits in `deps/`).
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let mut dir = exe.parent().expect("deps dir").to_path_buf();
    if dir.ends_with("deps") || dir.ends_with("examples") {
        dir.pop();
    }
    dir
}

/// The server binary, built first if this checkout has not built it yet.
pub fn server_binary() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| workspace_binary("sotay-server", "sotay-server")).clone()
}

/// The field CLI binary, built first if missing.
pub fn cli_binary() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| workspace_binary("sotay-cli", "sotay")).clone()
}

/// A binary of the workspace, built when missing or older than this test program (which is
/// relinked whenever the core or the server library changes), so the tests do not run a stale
/// server. `cargo test` does not build other packages' binaries by itself.
fn workspace_binary(package: &str, bin: &str) -> PathBuf {
    let path = profile_dir().join(format!("{bin}{}", std::env::consts::EXE_SUFFIX));
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let this = std::env::current_exe().ok().and_then(|p| modified(&p));
    if modified(&path).is_none_or(|built| this.is_some_and(|t| built < t)) {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.args(["build", "-p", package, "--bin", bin]);
        if profile_dir().ends_with("release") {
            cmd.arg("--release");
        }
        let status = cmd.status().expect("run cargo build");
        assert!(status.success(), "building {bin} failed");
    }
    path
}

pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    pub url: String,
    data: TempDir,
    /// The code `serve --demo` printed for the demo village (village A).
    demo_code: Mutex<Option<String>>,
    /// The demo district admin's password, printed once at the first start.
    admin_password: Option<String>,
}

impl Server {
    pub fn start() -> Server {
        let data = tempfile::tempdir().expect("temp dir");
        let addr = free_port();
        let mut child = Command::new(server_binary())
            .args(["serve", "--demo", "--addr", &addr.to_string(), "--data"])
            .arg(data.path())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start sotay-server");
        let stdout = child.stdout.take().expect("server stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(|l| l.ok()) {
                let _ = tx.send(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut demo_code = None;
        let mut admin_password = None;
        loop {
            match rx.recv_timeout(Duration::from_millis(100)) {
                Ok(line) => {
                    if let Some(code) = parse_code(&line) {
                        demo_code = Some(code);
                    }
                    if let Some(password) = line.rsplit_once("/ mật khẩu: ").map(|(_, p)| p.trim().to_string()) {
                        admin_password = Some(password);
                    }
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => panic!("the server exited at start"),
                Err(_) => {}
            }
            if TcpStream::connect(addr).is_ok() && demo_code.is_some() {
                break;
            }
            assert!(Instant::now() < deadline, "the server did not start");
        }
        Server { child, addr, url: format!("http://{addr}"), data, demo_code: Mutex::new(demo_code), admin_password }
    }

    fn admin(&self, args: &[&str]) -> String {
        let out = Command::new(server_binary()).args(args).arg("--data").arg(self.data.path()).env("RUST_LOG", "warn").output().expect("run admin command");
        assert!(out.status.success(), "sotay-server {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// A one-time enrollment code for the head of `unit` (a new head is handed the unit if it
    /// has none yet; the demo code is used first for village A).
    pub fn enrollment_code(&self, unit: Uuid) -> String {
        if unit == village_a()
            && let Some(code) = self.demo_code.lock().expect("lock").take()
        {
            return code;
        }
        let unit_s = unit.to_string();
        let out = Command::new(server_binary())
            .args(["enroll-code", "--unit", &unit_s, "--server-url", &self.url, "--data"])
            .arg(self.data.path())
            .env("RUST_LOG", "warn")
            .output()
            .expect("run enroll-code");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        if let Some(code) = text.lines().find_map(parse_code) {
            return code;
        }
        // No head at that unit yet: hand it over to a new one, which issues a code.
        let text = self.admin(&["handover", "--unit", &unit_s, "--name", "Trưởng ban thử nghiệm", "--server-url", &self.url]);
        text.lines().find_map(parse_code).unwrap_or_else(|| panic!("no code in: {text}"))
    }

    /// The dashboard, logged in as the demo district admin.
    pub fn dashboard_admin(&self) -> dashboard::Dashboard {
        let password = self.admin_password.as_deref().expect("the server printed the admin password");
        dashboard::Dashboard::login(self.addr, sotay_server::demo::ADMIN_LOGIN, password)
    }

    pub fn revoke(&self, device: Uuid) {
        self.admin(&["revoke", "--device", &device.to_string()]);
    }

    pub fn data_dir(&self) -> &Path {
        self.data.path()
    }

    /// Progress of `unit` as the server holds it: the core's progress over the server's own
    /// database (plain SQLite, same `records` layout), read beside the running server.
    pub fn progress(&self, unit: Uuid, plan: Option<Uuid>, today: chrono::NaiveDate) -> sotay_core::progress::Progress {
        let conn = rusqlite::Connection::open_with_flags(self.data.path().join("sotay.db"), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open server db");
        sotay_core::progress::progress_from(&conn, unit, plan, today).expect("server progress")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// "Mã đăng ký thiết bị cho …: CODE"
fn parse_code(line: &str) -> Option<String> {
    let rest = line.strip_prefix("Mã đăng ký thiết bị cho ")?;
    Some(rest.rsplit(": ").next()?.trim().to_string())
}

fn free_port() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr")
}

/// A wall clock off from the real one by a fixed amount (a phone set to the wrong day).
pub struct SkewedClock(pub i64);

impl WallClock for SkewedClock {
    fn now_millis(&self) -> i64 {
        SystemClock.now_millis() + self.0
    }
}

/// A simulated phone: its own encrypted store and the core's sync client.
pub struct Phone {
    pub store: Arc<Store>,
    _dir: TempDir,
}

impl Phone {
    pub fn new() -> Phone {
        Self::with_clock(Arc::new(SystemClock))
    }

    pub fn with_clock(clock: Arc<dyn WallClock>) -> Phone {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open_with_clock(dir.path().join("phone.db"), &[7u8; 32], clock).expect("open store");
        Phone { store: Arc::new(store), _dir: dir }
    }

    /// A phone enrolled with the server for `unit`, not yet synced.
    pub fn enrolled(server: &Server, unit: Uuid) -> Phone {
        let p = Phone::new();
        p.enroll(server.url.as_str(), &server.enrollment_code(unit));
        p
    }

    pub fn enroll(&self, url: &str, code: &str) {
        sotay_core::sync::device::enroll_with(&self.store, url, code, "e2e phone", fast_retry()).expect("enroll");
    }

    pub fn client(&self) -> SyncClient {
        SyncClient::with_retry(self.store.clone(), fast_retry()).expect("client")
    }

    /// A client that talks to `url` (a proxy) instead of the enrolled address.
    pub fn client_via(&self, url: &str) -> SyncClient {
        self.store.write(|tx| sotay_core::store::meta_set(tx.conn(), "sync.server_url", url)).expect("set url");
        self.client()
    }

    pub fn sync(&self) -> Result<SyncReport> {
        self.client().sync(&NoProgress, &CancelToken::new())
    }

    pub fn device_id(&self) -> Uuid {
        sotay_core::sync::enrollment(&self.store).expect("read").expect("enrolled").device_id
    }

    pub fn records(&self, entity: Entity) -> Vec<RecordState> {
        self.store.read(|c| list_records(c, entity, None)).expect("list")
    }

    pub fn pending(&self) -> u64 {
        self.store.outbox_pending_count().expect("count")
    }

    /// This phone's signing identity, for hand-made requests.
    pub fn credentials(&self) -> Credentials {
        let (id, key) = self
            .store
            .read(|c| Ok((meta_get(c, "sync.device_id")?, meta_get(c, "sync.key_pkcs8")?)))
            .expect("read meta");
        let key = DeviceKey::from_pkcs8(&signing::unhex(&key.expect("key")).expect("hex")).expect("key");
        Credentials { key_id: id.expect("device id"), key, offset_ms: self.store.clock_offset_ms(), store: self.store.clone() }
    }
}

impl Default for Phone {
    fn default() -> Self {
        Self::new()
    }
}

pub struct Credentials {
    pub key_id: String,
    pub key: DeviceKey,
    pub offset_ms: i64,
    store: Arc<Store>,
}

impl Credentials {
    /// Signing headers for a request, at the phone's (corrected) time.
    pub fn headers(&self, method: &str, path: &str, body: &[u8]) -> Vec<(String, String)> {
        let created = self.store.now_millis() / 1000;
        let nonce = signing::new_nonce();
        let input = signing::signing_input(method, path, body, created, &nonce, &self.key_id);
        vec![
            ("x-sotay-key".into(), self.key_id.clone()),
            ("x-sotay-created".into(), created.to_string()),
            ("x-sotay-nonce".into(), nonce),
            ("x-sotay-signature".into(), self.key.sign(&input)),
        ]
    }
}

/// An HTTP/1.1 request as raw bytes (so tests can send what no client library would).
pub fn raw_request(method: &str, path: &str, headers: &[(String, String)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("{method} {path} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\ncontent-length: {}\r\n", body.len()).into_bytes();
    for (k, v) in headers {
        out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

/// Send raw bytes, read the answer: (status, decoded body).
pub fn send_raw(addr: SocketAddr, bytes: &[u8]) -> (u16, Vec<u8>) {
    let (status, _, body) = exchange_raw(addr, bytes);
    (status, body)
}

/// Send raw bytes, read the answer: (status, header lines as sent, decoded body).
pub fn exchange_raw(addr: SocketAddr, bytes: &[u8]) -> (u16, String, Vec<u8>) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
    // No half-close: the server would take it for the phone hanging up. `connection: close`
    // makes it close after answering.
    let _ = s.write_all(bytes);
    let mut resp = Vec::new();
    let _ = s.read_to_end(&mut resp);
    let status = std::str::from_utf8(resp.get(9..12).unwrap_or(b"000")).ok().and_then(|s| s.parse().ok()).unwrap_or(0);
    let Some(end) = resp.windows(4).position(|w| w == b"\r\n\r\n") else { return (status, String::new(), Vec::new()) };
    let sent_head = String::from_utf8_lossy(&resp[..end]).into_owned();
    let head = sent_head.to_ascii_lowercase();
    let mut body = resp[end + 4..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        body = dechunk(&body);
    }
    if body.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        body = zstd::stream::decode_all(&body[..]).unwrap_or_default();
    }
    (status, sent_head, body)
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(i) = data.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&data[..i]).trim(), 16).unwrap_or(0);
        if size == 0 || data.len() < i + 2 + size {
            break;
        }
        out.extend_from_slice(&data[i + 2..i + 2 + size]);
        data = &data[(i + 4 + size).min(data.len())..];
    }
    out
}

/// A signed request from `phone`, sent raw: (status, decoded body).
pub fn signed_raw(server: &Server, phone: &Phone, method: &str, path: &str, body: &[u8], extra: &[(&str, &str)]) -> (u16, Vec<u8>) {
    send_raw(server.addr, &signed_bytes(phone, method, path, body, extra))
}

/// The bytes of a signed request (to send twice, for a replay).
pub fn signed_bytes(phone: &Phone, method: &str, path: &str, body: &[u8], extra: &[(&str, &str)]) -> Vec<u8> {
    let mut headers = phone.credentials().headers(method, path, body);
    headers.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    raw_request(method, path, &headers, body)
}

/// zstd-compressed JSON, as the client sends it.
pub fn zstd_json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    zstd::bulk::compress(&serde_json::to_vec(value).expect("json"), 3).expect("zstd")
}


/// Every record a phone holds, keyed by id, for comparing phones.
pub fn snapshot(phone: &Phone) -> std::collections::BTreeMap<Uuid, RecordState> {
    Entity::ALL.into_iter().flat_map(|e| phone.records(e)).map(|r| (r.id, r)).collect()
}
