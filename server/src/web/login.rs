//! The login and logout pages.

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

use crate::auth::{random_secret, verify_password};
use crate::state::AppState;

use super::error::{WebError, WebResult};
use super::layout::bare;
use super::session::{self, Session};

/// A hash verified when the login is unknown, so an unknown login takes as long as a wrong
/// password and logins cannot be probed by timing.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| crate::auth::hash_password(&random_secret(24)).unwrap_or_default())
}

pub async fn login_page(session: Option<Session>) -> Response {
    if session.is_some() {
        return Redirect::to("/").into_response();
    }
    Html(login_form(None, "").into_string()).into_response()
}

fn login_form(error: Option<&str>, login: &str) -> maud::Markup {
    bare(
        "Đăng nhập",
        html! {
            div.login {
                h1 { "Sổ tay Mặt trận" }
                p.sub style="text-align:center" { "Theo dõi kế hoạch, cam kết và báo cáo của Mặt trận các cấp" }
                div.card {
                    @if let Some(e) = error { div.flash.err role="alert" { (e) } }
                    form method="post" action="/login" {
                        label for="login" { "Tên đăng nhập" }
                        input #login type="text" name="login" value=(login) autocomplete="username" required autofocus;
                        label for="password" { "Mật khẩu" }
                        input #password type="password" name="password" autocomplete="current-password" required;
                        div.actions { button type="submit" { "Đăng nhập" } }
                    }
                }
            }
        },
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    login: String,
    password: String,
}

pub async fn login(State(state): State<AppState>, headers: HeaderMap, Form(form): Form<LoginForm>) -> WebResult<Response> {
    if !session::same_origin(&headers) {
        return Err(WebError::forbidden("Yêu cầu không đến từ trang của máy chủ này."));
    }
    let login = form.login.trim().to_string();
    if login.is_empty() || login.len() > 100 || form.password.len() > 200 {
        return Ok(refused(&login));
    }
    let lookup = login.clone();
    let found = state.db(move |s| s.user_by_login(&lookup)).await?;
    let password = form.password;
    let user = tokio::task::spawn_blocking(move || match found {
        Some((user, Some(hash))) if verify_password(&password, &hash) => Some(user),
        _ => {
            let _ = verify_password(&password, decoy_hash());
            None
        }
    })
    .await
    .map_err(WebError::internal)?;
    let Some(user) = user.filter(|u| u.active && session::web_role(u.role)) else {
        return Ok(refused(&login));
    };
    let token = random_secret(43);
    let hash = session::token_hash(&token);
    let now = state.now_ms();
    let user_id = user.id;
    state.db(move |s| s.create_session(&hash, user_id, now, now + session::SESSION_TTL_MS)).await?;
    let mut resp = Redirect::to("/").into_response();
    resp.headers_mut().insert(header::SET_COOKIE, session::session_cookie(&token));
    Ok(resp)
}

fn refused(login: &str) -> Response {
    let page = login_form(Some("Tên đăng nhập hoặc mật khẩu không đúng."), login);
    (axum::http::StatusCode::UNAUTHORIZED, Html(page.into_string())).into_response()
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    pub csrf: String,
}

pub async fn logout(State(state): State<AppState>, session: Session, Form(form): Form<CsrfOnly>) -> WebResult<Response> {
    session.check_csrf(&form.csrf)?;
    let hash = session.token_hash().to_string();
    state.db(move |s| s.delete_session(&hash)).await?;
    let mut resp = Redirect::to("/login").into_response();
    resp.headers_mut().insert(header::SET_COOKIE, session::clear_cookie());
    Ok(resp)
}
