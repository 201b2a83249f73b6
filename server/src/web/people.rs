//! Users, their phones and enrollment codes: create a user, print a code (with a QR code the
//! phone scans), revoke a lost or handed-over phone.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;
use uuid::Uuid;

use crate::enrollment;
use crate::state::AppState;
use crate::storage::{NewUser, Role};

use super::context::{Ctx, full_name};
use super::error::{WebError, WebResult};
use super::layout::{Nav, csrf_field, datetime_vi, page};
use super::session::{Session, role_label};

/// Where phones reach this server; shown in the QR code. Set by `SOTAY_PUBLIC_URL`.
pub fn public_url(headers: &axum::http::HeaderMap) -> String {
    if let Ok(url) = std::env::var("SOTAY_PUBLIC_URL") {
        return url;
    }
    let host = headers.get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1:8080");
    format!("http://{host}")
}

/// Roles a viewer may create: a district admin any, commune staff only village heads.
fn creatable(session: &Session) -> &'static [Role] {
    if session.is_admin() { &[Role::CommuneStaff, Role::VillageHead, Role::DistrictAdmin] } else { &[Role::VillageHead] }
}

pub async fn list(State(state): State<AppState>, session: Session) -> WebResult<Html<String>> {
    let ctx = Ctx::load(&state).await?;
    let units: Vec<Uuid> = ctx.selectable(&session).iter().map(|u| u.id).collect();
    let rows = state
        .db(move |s| {
            let mut out = Vec::new();
            for unit in units {
                for user in s.users_at_unit(unit)? {
                    let devices = s.devices_of_user(user.id)?;
                    out.push((user, devices));
                }
            }
            Ok(out)
        })
        .await?;
    let unit_name = ctx.full_name(session.unit());
    let body = html! {
        h1 { "Người dùng và thiết bị" }
        p.sub { "Cấp mã đăng ký để điện thoại của Trưởng ban công tác Mặt trận kết nối với máy chủ; thu hồi thiết bị bị mất hoặc khi bàn giao." }
        div.table-wrap {
            table {
                thead { tr { th { "Họ và tên" } th { "Vai trò" } th { "Đơn vị" } th { "Tên đăng nhập" } th { "Thiết bị" } th { "" } } }
                tbody {
                    @for (user, devices) in &rows {
                        tr {
                            td { (user.name) @if !user.active { " " span.badge.muted { "Đã khóa" } } }
                            td { (role_label(user.role)) }
                            td { (ctx.full_name(user.unit)) }
                            td { (user.login.as_deref().unwrap_or("—")) }
                            td {
                                @if devices.is_empty() { span.muted { "Chưa có" } }
                                @for d in devices {
                                    div {
                                        code title=(d.id) { (d.id.to_string()[..8]) }
                                        " "
                                        @if d.revoked { span.badge.late { "Đã thu hồi" } } @else {
                                            span.badge.ok { "Đang dùng" } " "
                                            form.inline method="post" action=(format!("/people/devices/{}/revoke", d.id)) {
                                                (csrf_field(&session.csrf))
                                                button.danger type="submit" data-confirm="revoke" { "Thu hồi" }
                                            }
                                        }
                                    }
                                }
                            }
                            td {
                                @if user.active {
                                    form.inline method="post" action=(format!("/people/users/{}/code", user.id)) {
                                        (csrf_field(&session.csrf))
                                        button.secondary type="submit" { "Cấp mã đăng ký" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 { "Thêm người dùng" }
        div.card {
            form method="post" action="/people/users" {
                (csrf_field(&session.csrf))
                label for="name" { "Họ và tên" }
                input #name type="text" name="name" required maxlength="200";
                label for="role" { "Vai trò" }
                select #role name="role" {
                    @for r in creatable(&session) { option value=(r.as_str()) { (role_label(*r)) } }
                }
                label for="unit" { "Đơn vị" }
                select #unit name="unit" {
                    @for u in ctx.selectable(&session) { option value=(u.id) { (full_name(u, ctx.today)) } }
                }
                label for="login" { "Tên đăng nhập " span.muted { "(chỉ cán bộ dùng trang web)" } }
                input #login type="text" name="login" maxlength="100" autocomplete="off";
                label for="password" { "Mật khẩu " span.muted { "(ít nhất 10 ký tự)" } }
                input #password type="password" name="password" autocomplete="new-password";
                div.actions { button type="submit" { "Thêm người dùng" } }
            }
        }
    };
    let viewer = ctx.viewer(&session, &unit_name);
    Ok(Html(page(&viewer, "Người dùng và thiết bị", Nav::People, None, body).into_string()))
}

#[derive(Deserialize)]
pub struct NewUserForm {
    csrf: String,
    name: String,
    role: String,
    unit: Uuid,
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
}

pub async fn create(State(state): State<AppState>, session: Session, Form(form): Form<NewUserForm>) -> WebResult<Response> {
    session.check_csrf(&form.csrf)?;
    let ctx = Ctx::load(&state).await?;
    ctx.require_visible(&session, form.unit)?;
    let role = Role::parse(&form.role)
        .filter(|r| creatable(&session).contains(r))
        .ok_or_else(|| WebError::bad_request("Vai trò không hợp lệ."))?;
    let name = form.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(WebError::bad_request("Họ và tên: không được để trống, tối đa 200 ký tự."));
    }
    let login = Some(form.login.trim().to_string()).filter(|l| !l.is_empty());
    let password_hash = match (&login, form.password.as_str()) {
        (None, _) => None,
        (Some(_), p) if p.chars().count() < 10 => {
            return Err(WebError::bad_request("Mật khẩu: cần ít nhất 10 ký tự cho người dùng có tên đăng nhập."));
        }
        (Some(_), p) => {
            let p = p.to_string();
            let hash = tokio::task::spawn_blocking(move || crate::auth::hash_password(&p)).await.map_err(WebError::internal)?;
            Some(hash.map_err(WebError::internal)?)
        }
    };
    let now = state.now_ms();
    let new = NewUser { login, name, role, unit: form.unit, password_hash };
    state.db(move |s| s.create_user(new, now)).await?;
    Ok(Redirect::to("/people").into_response())
}

/// Issue a one-time code and show it once, with its QR code.
pub async fn issue_code(
    State(state): State<AppState>,
    session: Session,
    headers: axum::http::HeaderMap,
    Path(user): Path<Uuid>,
    Form(form): Form<super::login::CsrfOnly>,
) -> WebResult<Html<String>> {
    session.check_csrf(&form.csrf)?;
    let ctx = Ctx::load(&state).await?;
    let target = state.db(move |s| s.user(user)).await?.ok_or_else(WebError::out_of_scope)?;
    ctx.require_visible(&session, target.unit)?;
    if !creatable(&session).contains(&target.role) && target.id != session.user.id {
        return Err(WebError::forbidden("Bạn không cấp mã cho người dùng có vai trò này."));
    }
    let now = state.now_ms();
    let issued = state.db(move |s| enrollment::issue_code(s, &target, now)).await?;
    let payload = enrollment::qr_payload(&public_url(&headers), &issued.code);
    let qr = super::qr::svg(&payload).unwrap_or_default();
    let unit_name = ctx.full_name(session.unit());
    let body = code_page(&ctx, &issued, &qr, &payload);
    let viewer = ctx.viewer(&session, &unit_name);
    Ok(Html(page(&viewer, "Mã đăng ký thiết bị", Nav::People, None, body).into_string()))
}

fn code_page(ctx: &Ctx, issued: &enrollment::IssuedCode, qr: &str, payload: &str) -> Markup {
    html! {
        p.crumbs { a href="/people" { "Người dùng và thiết bị" } " › Mã đăng ký" }
        h1 { "Mã đăng ký thiết bị" }
        div.card.two {
            div {
                p { "Cho " strong { (issued.user.name) } " (" (role_label(issued.user.role)) ", " (ctx.full_name(issued.user.unit)) ")." }
                p { "Mở ứng dụng Sổ tay Mặt trận trên điện thoại, chọn " em { "Đăng ký thiết bị" } " rồi quét mã QR, hoặc nhập mã:" }
                p #enrollment-code style="font-size:1.8rem;font-weight:700;letter-spacing:2px;font-family:monospace" { (issued.code) }
                p.muted { "Mã chỉ dùng một lần, hết hạn lúc " (datetime_vi(issued.expires_at)) ". Mã không được lưu trên máy chủ, hãy in hoặc ghi lại ngay." }
                p.muted.hash { (payload) }
                div.actions { a.button.secondary href="/people" { "← Quay lại danh sách" } }
            }
            div { (PreEscaped(qr)) }
        }
    }
}

pub async fn revoke(
    State(state): State<AppState>,
    session: Session,
    Path(device): Path<Uuid>,
    Form(form): Form<super::login::CsrfOnly>,
) -> WebResult<Response> {
    session.check_csrf(&form.csrf)?;
    let ctx = Ctx::load(&state).await?;
    let d = state.db(move |s| s.device(device)).await?.ok_or_else(WebError::out_of_scope)?;
    ctx.require_visible(&session, d.unit)?;
    let now = state.now_ms();
    state.db(move |s| s.revoke_device(device, now)).await?;
    tracing::info!(device = %device, "device revoked from the dashboard");
    Ok(Redirect::to("/people").into_response())
}
