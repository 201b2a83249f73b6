//! One HTTP exchange with the server: signing, zstd bodies, retries with bounded exponential
//! backoff on network errors and 5xx, one retry after learning the server's clock on a 401,
//! and the mapping of refusals to typed errors.

use std::io::Read;
use std::sync::Once;
use std::time::Duration;

use reqwest::blocking::Client;
use reqwest::header::{CONTENT_ENCODING, CONTENT_TYPE};

use super::progress::CancelToken;
use super::protocol::{ErrorBody, HEADER_CREATED, HEADER_KEY_ID, HEADER_NONCE, HEADER_SIGNATURE};
use super::signing::{self, DeviceKey};
use crate::store::Store;
use crate::{Error, Result};

/// Largest answer body accepted, after decompression (a pull page of 2000 records is far less).
const MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;

/// How hard to try before giving up on the network for this sync.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Attempts per request, the first included.
    pub attempts: u32,
    pub first_backoff: Duration,
    pub max_backoff: Duration,
    /// Per-request timeout (connect, send and receive).
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 5,
            first_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            timeout: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.saturating_sub(1)).unwrap_or(u32::MAX);
        self.first_backoff.saturating_mul(factor).min(self.max_backoff)
    }
}

/// Which certificate authorities an https server's certificate must chain to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustRoots {
    /// The operating system's verifier and trust store (rustls-platform-verifier): it follows the
    /// device's own trust settings and revocation checks. iOS, macOS, Windows and Linux.
    System,
    /// Mozilla's root programme compiled into the library (webpki-root-certs), updated with each
    /// release. Android's system verifier is reachable only through JNI with the app's Context,
    /// which a library called from any thread does not have; these roots need nothing.
    Bundled,
}

/// Mozilla's roots as reqwest certificates, parsed once per process (each sync builds a client).
fn bundled_roots() -> &'static [reqwest::Certificate] {
    static ROOTS: std::sync::OnceLock<Vec<reqwest::Certificate>> = std::sync::OnceLock::new();
    ROOTS.get_or_init(|| webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().filter_map(|der| reqwest::Certificate::from_der(der).ok()).collect())
}

impl TrustRoots {
    pub const fn for_this_platform() -> TrustRoots {
        if cfg!(target_os = "android") { TrustRoots::Bundled } else { TrustRoots::System }
    }
}

/// The device's signing identity: the key id the server knows it by and its key.
pub(crate) struct Signer {
    pub key_id: String,
    pub key: DeviceKey,
}

pub(crate) struct Request<'a> {
    pub method: reqwest::Method,
    pub path_and_query: String,
    pub body: Vec<u8>,
    pub content_type: &'a str,
    /// `Some("zstd")` when `body` is compressed.
    pub content_encoding: Option<&'a str>,
}

impl Request<'_> {
    pub fn get(path_and_query: String) -> Request<'static> {
        Request { method: reqwest::Method::GET, path_and_query, body: Vec::new(), content_type: "application/json", content_encoding: None }
    }

    /// A JSON body, zstd-compressed.
    pub fn json_zstd<T: serde::Serialize>(method: reqwest::Method, path_and_query: String, value: &T) -> Result<Request<'static>> {
        let json = serde_json::to_vec(value).map_err(|e| Error::Store(e.to_string()))?;
        Ok(Request { method, path_and_query, body: compress(&json)?, content_type: "application/json", content_encoding: Some("zstd") })
    }
}

pub(crate) struct Response {
    pub status: u16,
    pub content_type: Option<String>,
    /// Decompressed body.
    pub body: Vec<u8>,
}

impl Response {
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| Error::Server { status: self.status, reason: format!("unreadable answer: {e}") })
    }
}

/// Counters of what went over the wire (bodies as sent, compressed).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WireStats {
    pub requests: u32,
    pub bytes_sent: u64,
    pub bytes_received: u64,
}

pub(crate) struct Transport {
    http: Client,
    base: String,
    retry: RetryPolicy,
}

/// zstd level for request bodies: high enough to matter on paid links, cheap on a phone for
/// bodies of at most 1 MiB.
pub const ZSTD_LEVEL: i32 = 9;

pub(crate) fn compress(bytes: &[u8]) -> Result<Vec<u8>> {
    zstd::bulk::compress(bytes, ZSTD_LEVEL).map_err(|e| Error::Store(format!("compression failed: {e}")))
}

fn decompress(bytes: &[u8]) -> std::result::Result<Vec<u8>, String> {
    let mut out = Vec::new();
    zstd::stream::read::Decoder::new(bytes)
        .map_err(|e| e.to_string())?
        .take(MAX_RESPONSE_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|e| e.to_string())?;
    if out.len() as u64 > MAX_RESPONSE_BYTES {
        return Err("answer too large".into());
    }
    Ok(out)
}

fn install_crypto_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Fails only if another provider is already installed, which is just as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

enum Attempt {
    Done(Response),
    /// Worth trying again after a pause (network error, 5xx, 429).
    Retry(Error),
    Fail(Error),
    /// 401 with the server's clock: learn the offset, then try once more at once.
    ClockSkew { server_time_ms: i64, error: Error },
}

impl Transport {
    pub fn new(base_url: &str, retry: RetryPolicy) -> Result<Transport> {
        Self::with_trust(base_url, retry, TrustRoots::for_this_platform())
    }

    pub fn with_trust(base_url: &str, retry: RetryPolicy, trust: TrustRoots) -> Result<Transport> {
        install_crypto_provider();
        let mut builder = Client::builder().timeout(retry.timeout).connect_timeout(retry.timeout.min(Duration::from_secs(15)));
        if trust == TrustRoots::Bundled {
            builder = builder.tls_certs_only(bundled_roots().iter().cloned());
        }
        let http = builder.build().map_err(|e| Error::Network(e.to_string()))?;
        let base = base_url.trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(Error::validation("server_url", crate::Rule::Invalid { expected: "an http(s) address" }));
        }
        Ok(Transport { http, base, retry })
    }

    /// Send `req` (signed when `signer` is given), retrying as the policy allows.
    pub fn send(&self, req: &Request<'_>, signer: Option<&Signer>, store: &Store, cancel: &CancelToken, stats: &mut WireStats) -> Result<Response> {
        let mut attempt = 0;
        let mut learned_clock = false;
        loop {
            cancel.check()?;
            attempt += 1;
            match self.attempt(req, signer, store, stats) {
                Attempt::Done(r) => return Ok(r),
                Attempt::Fail(e) => return Err(e),
                Attempt::ClockSkew { server_time_ms, error } => {
                    if learned_clock || signer.is_none() {
                        return Err(error);
                    }
                    learned_clock = true;
                    attempt -= 1;
                    learn_clock_offset(store, server_time_ms)?;
                }
                Attempt::Retry(e) => {
                    if attempt >= self.retry.attempts {
                        return Err(e);
                    }
                    cancel.sleep(self.retry.backoff(attempt))?;
                }
            }
        }
    }

    fn attempt(&self, req: &Request<'_>, signer: Option<&Signer>, store: &Store, stats: &mut WireStats) -> Attempt {
        let url = format!("{}{}", self.base, req.path_and_query);
        let mut b = self
            .http
            .request(req.method.clone(), &url)
            .header("accept-encoding", "zstd")
            .header(CONTENT_TYPE, req.content_type)
            .body(req.body.clone());
        if let Some(enc) = req.content_encoding {
            b = b.header(CONTENT_ENCODING, enc);
        }
        if let Some(s) = signer {
            let created = store.now_millis().div_euclid(1000);
            let nonce = signing::new_nonce();
            let input = signing::signing_input(req.method.as_str(), &req.path_and_query, &req.body, created, &nonce, &s.key_id);
            b = b
                .header(HEADER_KEY_ID, &s.key_id)
                .header(HEADER_CREATED, created.to_string())
                .header(HEADER_NONCE, nonce)
                .header(HEADER_SIGNATURE, s.key.sign(&input));
        }
        stats.requests += 1;
        stats.bytes_sent += req.body.len() as u64;
        let resp = match b.send() {
            Ok(r) => r,
            Err(e) if is_certificate_problem(&e) => return Attempt::Fail(Error::UntrustedServer(describe(e))),
            Err(e) => return Attempt::Retry(Error::Network(describe(e))),
        };
        let status = resp.status().as_u16();
        let zstd = resp.headers().get(CONTENT_ENCODING).is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"zstd"));
        let content_type = resp.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_string);
        let raw = match read_limited(resp) {
            Ok(r) => r,
            Err(e) => return Attempt::Retry(Error::Network(e)),
        };
        stats.bytes_received += raw.len() as u64;
        let body = if zstd {
            match decompress(&raw) {
                Ok(b) => b,
                // A cut inside a compressed body looks like this: try again.
                Err(e) => return Attempt::Retry(Error::Network(format!("answer could not be decompressed: {e}"))),
            }
        } else {
            raw
        };
        classify(status, content_type, body)
    }
}

fn read_limited(resp: reqwest::blocking::Response) -> std::result::Result<Vec<u8>, String> {
    let mut out = Vec::new();
    resp.take(MAX_RESPONSE_BYTES + 1).read_to_end(&mut out).map_err(|e| e.to_string())?;
    if out.len() as u64 > MAX_RESPONSE_BYTES {
        return Err("answer too large".into());
    }
    Ok(out)
}

fn classify(status: u16, content_type: Option<String>, body: Vec<u8>) -> Attempt {
    if (200..300).contains(&status) {
        return Attempt::Done(Response { status, content_type, body });
    }
    let parsed: Option<ErrorBody> = serde_json::from_slice(&body).ok();
    let reason = match &parsed {
        Some(e) => e.message.clone(),
        None => String::from_utf8_lossy(&body).chars().take(200).collect(),
    };
    let error = Error::Server { status, reason };
    if status >= 500 || status == 429 || status == 408 {
        return Attempt::Retry(error);
    }
    match (status, parsed) {
        (401, Some(e)) if e.wipe => Attempt::Fail(Error::Revoked),
        (401, Some(ErrorBody { server_time_ms: Some(t), .. })) => Attempt::ClockSkew { server_time_ms: t, error },
        _ => Attempt::Fail(error),
    }
}

/// Set the store's clock offset so that its corrected time matches `server_time_ms` now.
pub(crate) fn learn_clock_offset(store: &Store, server_time_ms: i64) -> Result<()> {
    let device_time = store.now_millis() - store.clock_offset_ms();
    store.set_clock_offset_ms(server_time_ms - device_time)
}

/// Whether the request failed because the server's certificate did not verify. rustls's error
/// sits inside io::Errors (nested, on this path), whose `source()` skips what they wrap, so
/// unwrap those too.
fn is_certificate_problem(e: &reqwest::Error) -> bool {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = next {
        if let Some(rustls::Error::InvalidCertificate(_)) = err.downcast_ref::<rustls::Error>() {
            return true;
        }
        next = match err.downcast_ref::<std::io::Error>() {
            Some(io) => io.get_ref().map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    false
}

/// The error chain without the URL (which is not personal, but keeps messages short).
fn describe(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut s = e.to_string();
    let mut src = std::error::Error::source(&e);
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-connection https server on loopback with a self-signed certificate for 127.0.0.1:
    /// whatever the trust roots, the client must refuse it.
    fn self_signed_server() -> (String, std::thread::JoinHandle<()>) {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        install_crypto_provider();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tls");
        let cert = CertificateDer::from_pem_file(format!("{dir}/self-signed.crt")).unwrap();
        let key = PrivateKeyDer::from_pem_file(format!("{dir}/self-signed.key")).unwrap();
        let config = rustls::ServerConfig::builder().with_no_client_auth().with_single_cert(vec![cert], key).unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("https://{}", listener.local_addr().unwrap());
        let server = std::thread::spawn(move || {
            let (mut tcp, _) = listener.accept().unwrap();
            let mut tls = rustls::ServerConnection::new(std::sync::Arc::new(config)).unwrap();
            // The client aborts the handshake; its alert ends this loop.
            while tls.is_handshaking() {
                if tls.complete_io(&mut tcp).is_err() {
                    break;
                }
            }
        });
        (url, server)
    }

    fn refusal_with(trust: TrustRoots) -> Error {
        let (url, server) = self_signed_server();
        // Several attempts allowed: a certificate problem must fail at the first, not be retried
        // (the server thread accepts only one connection).
        let once = RetryPolicy { attempts: 3, timeout: Duration::from_secs(10), ..RetryPolicy::default() };
        let transport = Transport::with_trust(&url, once, trust).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("s.db"), &[7; 32]).unwrap();
        let outcome = transport.send(&Request::get("/health".into()), None, &store, &CancelToken::new(), &mut WireStats::default());
        server.join().unwrap();
        outcome.err().expect("a self-signed certificate must be refused")
    }

    #[test]
    fn bundled_roots_refuse_a_certificate_no_authority_signed() {
        let err = refusal_with(TrustRoots::Bundled);
        assert!(matches!(&err, Error::UntrustedServer(m) if m.contains("UnknownIssuer")), "{err:?}");
        assert_eq!(err.kind(), "untrusted_server");
    }

    #[test]
    fn system_roots_refuse_a_certificate_no_authority_signed() {
        let err = refusal_with(TrustRoots::System);
        assert!(matches!(&err, Error::UntrustedServer(m) if m.contains("invalid peer certificate")), "{err:?}");
    }

    #[test]
    fn android_uses_the_bundled_roots_and_others_the_system() {
        let expected = if cfg!(target_os = "android") { TrustRoots::Bundled } else { TrustRoots::System };
        assert_eq!(TrustRoots::for_this_platform(), expected);
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let p = RetryPolicy { attempts: 10, first_backoff: Duration::from_millis(100), max_backoff: Duration::from_millis(700), timeout: Duration::from_secs(1) };
        let waits: Vec<u64> = (1..=5).map(|a| p.backoff(a).as_millis() as u64).collect();
        assert_eq!(waits, [100, 200, 400, 700, 700]);
        assert_eq!(p.backoff(40), Duration::from_millis(700));
    }

    #[test]
    fn refusals_map_to_typed_errors() {
        let revoked = br#"{"error":"revoked","message":"x","wipe":true}"#.to_vec();
        assert!(matches!(classify(401, None, revoked), Attempt::Fail(Error::Revoked)));
        let skew = br#"{"error":"clock_skew","message":"x","server_time_ms":5}"#.to_vec();
        assert!(matches!(classify(401, None, skew), Attempt::ClockSkew { server_time_ms: 5, .. }));
        assert!(matches!(classify(503, None, b"busy".to_vec()), Attempt::Retry(Error::Server { status: 503, .. })));
        let scope = br#"{"error":"out_of_scope","message":"not yours"}"#.to_vec();
        match classify(403, None, scope) {
            Attempt::Fail(Error::Server { status, reason }) => assert_eq!((status, reason.as_str()), (403, "not yours")),
            _ => panic!("a 403 is final"),
        }
    }
}
