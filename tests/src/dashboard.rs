//! The web dashboard as a browser uses it, over raw HTTP: log in, read a page, post its form
//! with the page's CSRF token.

use std::net::SocketAddr;

use crate::{exchange_raw, raw_request};

pub struct Dashboard {
    addr: SocketAddr,
    cookie: String,
}

impl Dashboard {
    pub fn login(addr: SocketAddr, login: &str, password: &str) -> Dashboard {
        let body = form(&[("login", login), ("password", password)]);
        let headers = vec![("content-type".to_string(), "application/x-www-form-urlencoded".to_string())];
        let (status, head, _) = exchange_raw(addr, &raw_request("POST", "/login", &headers, body.as_bytes()));
        assert_eq!(status, 303, "login answered {status}");
        let cookie = head
            .lines()
            .find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie")).map(|(_, v)| v.trim().to_string()))
            .and_then(|v| v.split(';').next().map(str::to_string))
            .expect("a session cookie");
        Dashboard { addr, cookie }
    }

    /// GET a page: (status, HTML).
    pub fn get(&self, path: &str) -> (u16, String) {
        let headers = vec![("cookie".to_string(), self.cookie.clone())];
        let (status, _, body) = exchange_raw(self.addr, &raw_request("GET", path, &headers, b""));
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    /// Open the page at `page`, then submit its form to `action` with `fields` and the page's
    /// CSRF token, as the browser does: the answer's status.
    pub fn submit(&self, page: &str, action: &str, fields: &[(&str, &str)]) -> u16 {
        let (status, html) = self.get(page);
        assert_eq!(status, 200, "{page} answered {status}");
        let csrf = csrf_of(&html).expect("the page carries a CSRF token");
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        let headers = vec![
            ("cookie".to_string(), self.cookie.clone()),
            ("content-type".to_string(), "application/x-www-form-urlencoded".to_string()),
        ];
        exchange_raw(self.addr, &raw_request("POST", action, &headers, form(&all).as_bytes())).0
    }
}

/// The value of the page's hidden `csrf` input.
fn csrf_of(html: &str) -> Option<String> {
    let at = html.find(r#"name="csrf""#)?;
    let rest = &html[at..];
    let value = rest.find(r#"value=""#)? + 7;
    Some(rest[value..].split('"').next()?.to_string())
}

/// `application/x-www-form-urlencoded`.
fn form(fields: &[(&str, &str)]) -> String {
    fn encode(s: &str) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
                b' ' => "+".to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    }
    fields.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}
