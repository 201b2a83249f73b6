//! Login with a password, sessions in an HttpOnly cookie, and CSRF protection for every form.
//!
//! The session token lives only in the cookie; the server stores its SHA-256. The CSRF token of
//! a session is derived from the session token, so a page can embed it in forms while a script
//! on another site can neither read the cookie nor compute the token. Cookies are SameSite=Strict
//! on top of that, and a POST whose Origin names another host is refused.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use sotay_core::record::sha256_hex;
use uuid::Uuid;

use crate::state::AppState;
use crate::storage::{Role, User};

use super::error::WebError;

pub const COOKIE: &str = "sotay_sid";
/// A working day and a bit: staff log in each morning.
pub const SESSION_TTL_MS: i64 = 12 * 3600 * 1000;

/// The person behind a request, with the token their forms must carry.
#[derive(Clone, Debug)]
pub struct Session {
    pub user: User,
    pub csrf: String,
    token_hash: String,
}

impl Session {
    pub fn is_admin(&self) -> bool {
        self.user.role == Role::DistrictAdmin
    }

    pub fn unit(&self) -> Uuid {
        self.user.unit
    }

    /// Refuse a form whose CSRF token is not this session's.
    pub fn check_csrf(&self, sent: &str) -> Result<(), WebError> {
        if constant_time_eq(sent.as_bytes(), self.csrf.as_bytes()) {
            Ok(())
        } else {
            Err(WebError::forbidden("Phiên làm việc đã thay đổi. Hãy tải lại trang và thử lại."))
        }
    }

    pub fn token_hash(&self) -> &str {
        &self.token_hash
    }
}

pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::DistrictAdmin => "Quản trị cấp huyện",
        Role::CommuneStaff => "Cán bộ cấp xã",
        Role::VillageHead => "Trưởng ban công tác Mặt trận",
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn csrf_for(token: &str) -> String {
    sha256_hex(format!("csrf:{token}").as_bytes())
}

pub fn token_hash(token: &str) -> String {
    sha256_hex(token.as_bytes())
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty() && v.len() <= 128)
}

/// `Set-Cookie` for a new session.
pub fn session_cookie(token: &str) -> HeaderValue {
    let v = format!("{COOKIE}={token}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age={}", SESSION_TTL_MS / 1000);
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static("sotay_sid=; Path=/; Max-Age=0"))
}

pub fn clear_cookie() -> HeaderValue {
    HeaderValue::from_static("sotay_sid=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0")
}

/// A POST from a page of another site (Origin present and naming another host) is refused.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or(origin);
    origin != "null" && origin_host == host
}

async fn load(parts: &Parts, state: &AppState) -> Result<Option<Session>, WebError> {
    let Some(token) = cookie_token(&parts.headers) else {
        return Ok(None);
    };
    let hash = token_hash(&token);
    let now = state.now_ms();
    let lookup = hash.clone();
    let user = state.db(move |s| s.session_user(&lookup, now)).await.map_err(WebError::from)?;
    Ok(user.filter(|u| u.active && web_role(u.role)).map(|user| Session { user, csrf: csrf_for(&token), token_hash: hash }))
}

/// Roles that may use the dashboard.
pub fn web_role(role: Role) -> bool {
    matches!(role, Role::DistrictAdmin | Role::CommuneStaff)
}

/// Pages need a session: without one the browser is sent to the login page.
impl FromRequestParts<AppState> for Session {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match load(parts, state).await {
            Ok(Some(s)) => {
                if parts.method == axum::http::Method::POST && !same_origin(&parts.headers) {
                    return Err(WebError::forbidden("Yêu cầu không đến từ trang của máy chủ này.").into_response());
                }
                Ok(s)
            }
            Ok(None) => Err(Redirect::to("/login").into_response()),
            Err(e) => Err(e.into_response()),
        }
    }
}

impl OptionalFromRequestParts<AppState> for Session {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Option<Self>, Self::Rejection> {
        load(parts, state).await.map_err(IntoResponse::into_response)
    }
}
