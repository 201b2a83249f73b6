//! A TCP proxy in front of the server that misbehaves on request: it can let a request through
//! and drop the server's reply (the server committed, the phone never hears), or cut the
//! connection halfway through the request body. Each fault applies to the next connection
//! only; later connections pass through.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forward the request, swallow the answer, close.
    DropResponse,
    /// Forward the headers and half the body, then close both sides.
    CutRequestBody,
}

pub struct Proxy {
    pub addr: SocketAddr,
    pending: Arc<Mutex<Vec<Fault>>>,
    /// Bytes from client to server and back, through every connection (wire bytes).
    pub up: Arc<AtomicU64>,
    pub down: Arc<AtomicU64>,
    pub connections: Arc<AtomicU64>,
}

impl Proxy {
    pub fn start(target: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let addr = listener.local_addr().expect("proxy addr");
        let pending: Arc<Mutex<Vec<Fault>>> = Arc::default();
        let (up, down, connections) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let (p, u, d, n) = (pending.clone(), up.clone(), down.clone(), connections.clone());
        thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                n.fetch_add(1, Ordering::SeqCst);
                let fault = {
                    let mut q = p.lock().expect("lock");
                    if q.is_empty() { None } else { Some(q.remove(0)) }
                };
                let (u, d) = (u.clone(), d.clone());
                thread::spawn(move || handle(client, target, fault, u, d));
            }
        });
        Proxy { addr, pending, up, down, connections }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Misbehave on the next connection.
    pub fn inject(&self, fault: Fault) {
        self.pending.lock().expect("lock").push(fault);
    }

    pub fn reset_counters(&self) {
        self.up.store(0, Ordering::SeqCst);
        self.down.store(0, Ordering::SeqCst);
        self.connections.store(0, Ordering::SeqCst);
    }
}

fn handle(client: TcpStream, target: SocketAddr, fault: Option<Fault>, up: Arc<AtomicU64>, down: Arc<AtomicU64>) {
    let Ok(server) = TcpStream::connect(target) else { return };
    let (c2, s2) = match (client.try_clone(), server.try_clone()) {
        (Ok(c), Ok(s)) => (c, s),
        _ => return,
    };
    match fault {
        None => {
            let t = thread::spawn(move || copy(c2, s2, &up));
            copy(server, client, &down);
            let _ = t.join();
        }
        Some(Fault::DropResponse) => {
            thread::spawn(move || copy(c2, s2, &up));
            // Wait for the answer to begin (the server has committed), then hang up on the phone.
            let mut server = server;
            let mut buf = [0u8; 1];
            let _ = server.read(&mut buf);
            let _ = client.shutdown(Shutdown::Both);
            let _ = server.shutdown(Shutdown::Both);
        }
        Some(Fault::CutRequestBody) => {
            cut_half(c2, s2, &up);
            let _ = client.shutdown(Shutdown::Both);
            let _ = server.shutdown(Shutdown::Both);
        }
    }
}

fn copy(mut from: TcpStream, mut to: TcpStream, count: &AtomicU64) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                count.fetch_add(n as u64, Ordering::SeqCst);
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

/// Forward the request headers and half of its body, then stop.
fn cut_half(mut from: TcpStream, mut to: TcpStream, count: &AtomicU64) {
    let mut seen = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        seen.extend_from_slice(&buf[..n]);
        let Some(end) = seen.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4) else { continue };
        let head = String::from_utf8_lossy(&seen[..end]).to_ascii_lowercase();
        let len: usize = head.lines().find_map(|l| l.strip_prefix("content-length:").and_then(|v| v.trim().parse().ok())).unwrap_or(0);
        let upto = end + len / 2;
        if seen.len() >= upto {
            let _ = to.write_all(&seen[..upto]);
            count.fetch_add(upto as u64, Ordering::SeqCst);
            return;
        }
    }
}
