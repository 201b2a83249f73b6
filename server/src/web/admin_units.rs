//! Administrative units, for the district admin: add a unit, rename one from a date, merge one
//! into another from a date (as the 2025 reform did). Units are records like any other, so the
//! phones receive the new tree at their next sync; history keeps the old names for old reports.

use axum::Form;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use maud::html;
use serde::Deserialize;
use serde_json::json;
use sotay_core::record::Entity;
use sotay_core::units::Unit;
use sotay_core::validate;
use uuid::Uuid;

use crate::state::AppState;

use super::context::{Ctx, full_name};
use super::error::{WebError, WebResult};
use super::layout::{Nav, csrf_field, date_vi, page};
use super::session::Session;
use super::writer;

fn require_admin(session: &Session) -> WebResult<()> {
    if session.is_admin() { Ok(()) } else { Err(WebError::forbidden("Chỉ quản trị cấp huyện sửa địa giới hành chính.")) }
}

fn core_err(e: sotay_core::Error) -> WebError {
    WebError::bad_request(e.message_vi())
}

fn unit_options(ctx: &Ctx, session: &Session) -> maud::Markup {
    let mut items: Vec<(&Unit, usize)> = Vec::new();
    ctx.walk(session.unit(), 0, &mut |u, d| items.push((u, d)));
    html! { @for (u, d) in items { option value=(u.id) { (" ".repeat(d * 2)) (full_name(u, ctx.today)) } } }
}

pub async fn index(State(state): State<AppState>, session: Session) -> WebResult<Html<String>> {
    require_admin(&session)?;
    let ctx = Ctx::load(&state).await?;
    let mut all: Vec<(&Unit, usize)> = Vec::new();
    ctx.walk(session.unit(), 0, &mut |u, d| all.push((u, d)));
    // Merged units are inactive today and left out of `walk`: list them apart.
    let merged: Vec<Uuid> = ctx.tree.subtree(session.unit()).into_iter().filter(|id| ctx.tree.get(*id).is_some_and(|u| u.merged_into.is_some())).collect();
    let own = ctx.full_name(session.unit());
    let body = html! {
        h1 { "Địa giới hành chính" }
        p.sub { "Tên, cấp và quan hệ của các đơn vị là dữ liệu: thêm, đổi tên, sáp nhập có ngày hiệu lực; báo cáo cũ vẫn giữ tên cũ." }
        div.two {
            div.card {
                h2 style="margin-top:0" { "Các đơn vị" }
                ul #unit-tree style="list-style:none;padding-left:0;margin:0" {
                    @for (u, d) in &all {
                        li style=(format!("padding:.1rem 0 .1rem {}rem", d * 2)) {
                            a href=(format!("/units/{}", u.id)) { (full_name(u, ctx.today)) }
                            @if !u.renames.is_empty() { " " span.muted { "(trước đây: " (u.name) ")" } }
                        }
                    }
                }
                @if !merged.is_empty() {
                    h3 { "Đã sáp nhập" }
                    ul { @for id in &merged { @if let Some(u) = ctx.tree.get(*id) { @if let Some(m) = u.merged_into {
                        li { (u.name_on(m.effective_from.pred_opt().unwrap_or(m.effective_from))) " → " (ctx.full_name(m.unit)) " từ " (date_vi(m.effective_from)) }
                    } } } }
                }
            }
            div {
                div.card { h2 style="margin-top:0" { "Thêm đơn vị" }
                    form #add-unit method="post" action="/admin/units/add" {
                        (csrf_field(&session.csrf))
                        label for="parent" { "Thuộc đơn vị" } select #parent name="parent" { (unit_options(&ctx, &session)) }
                        label for="name" { "Tên" } input #name type="text" name="name" required maxlength="200";
                        label for="level" { "Cấp (xã, thị trấn, phường, thôn, tổ dân phố...)" } input #level type="text" name="level" required maxlength="50" list="levels";
                        datalist #levels { @for l in ["xã", "thị trấn", "phường", "thôn", "tổ dân phố"] { option value=(l) {} } }
                        label for="code" { "Mã (không bắt buộc)" } input #code type="text" name="code" maxlength="20";
                        label { input type="checkbox" name="residential_area" value="1"; " Là khu dân cư (thôn, tổ dân phố)" }
                        div.actions { button type="submit" { "Thêm" } }
                    }
                }
                div.card { h2 style="margin-top:0" { "Đổi tên" }
                    form #rename-unit method="post" action="/admin/units/rename" {
                        (csrf_field(&session.csrf))
                        label for="r-unit" { "Đơn vị" } select #r-unit name="unit" { (unit_options(&ctx, &session)) }
                        label for="r-name" { "Tên mới" } input #r-name type="text" name="name" required maxlength="200";
                        label for="r-from" { "Có hiệu lực từ ngày" } input #r-from type="date" name="effective_from" required;
                        div.actions { button type="submit" { "Đổi tên" } }
                    }
                }
                div.card { h2 style="margin-top:0" { "Sáp nhập" }
                    form #merge-unit method="post" action="/admin/units/merge" {
                        (csrf_field(&session.csrf))
                        label for="m-unit" { "Đơn vị bị sáp nhập" } select #m-unit name="unit" { (unit_options(&ctx, &session)) }
                        label for="m-into" { "Sáp nhập vào" } select #m-into name="into" { (unit_options(&ctx, &session)) }
                        label for="m-from" { "Có hiệu lực từ ngày" } input #m-from type="date" name="effective_from" required;
                        div.actions { button type="submit" { "Sáp nhập" } }
                    }
                }
            }
        }
    };
    let viewer = ctx.viewer(&session, &own);
    Ok(Html(page(&viewer, "Địa giới hành chính", Nav::Admin, None, body).into_string()))
}

#[derive(Deserialize)]
pub struct AddForm {
    csrf: String,
    parent: Uuid,
    name: String,
    level: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    residential_area: Option<String>,
}

pub async fn add(State(state): State<AppState>, session: Session, Form(f): Form<AddForm>) -> WebResult<Response> {
    session.check_csrf(&f.csrf)?;
    require_admin(&session)?;
    let ctx = Ctx::load(&state).await?;
    let parent = ctx.require_visible(&session, f.parent)?;
    if parent.residential_area {
        return Err(WebError::bad_request("Không thể thêm đơn vị dưới một khu dân cư."));
    }
    let name = validate::required("name", &f.name, 200).map_err(core_err)?;
    let level = validate::required("level", &f.level, 50).map_err(core_err)?;
    let code = validate::limited("code", &f.code, 20).map_err(core_err)?;
    let id = Uuid::now_v7();
    let fields = json!({
        "code": code, "name": name, "level": level, "parent": f.parent,
        "residential_area": f.residential_area.is_some(), "renames": [], "merged_into": null,
    });
    writer::write(&state, &session, Entity::Unit, id, id, fields.as_object().cloned().unwrap_or_default(), false).await?;
    Ok(Redirect::to("/admin/units").into_response())
}

#[derive(Deserialize)]
pub struct RenameForm {
    csrf: String,
    unit: Uuid,
    name: String,
    effective_from: NaiveDate,
}

pub async fn rename(State(state): State<AppState>, session: Session, Form(f): Form<RenameForm>) -> WebResult<Response> {
    session.check_csrf(&f.csrf)?;
    require_admin(&session)?;
    let ctx = Ctx::load(&state).await?;
    let u = ctx.require_visible(&session, f.unit)?;
    let name = validate::required("name", &f.name, 200).map_err(core_err)?;
    if u.renames.iter().any(|r| r.effective_from >= f.effective_from) || u.established_on.is_some_and(|d| d > f.effective_from) {
        return Err(WebError::bad_request("Ngày hiệu lực: phải sau lần đổi tên trước và sau ngày thành lập."));
    }
    let mut renames = u.renames.clone();
    renames.push(sotay_core::units::Rename { name, effective_from: f.effective_from });
    let mut fields = serde_json::Map::new();
    fields.insert("renames".into(), serde_json::to_value(&renames).map_err(WebError::internal)?);
    writer::write(&state, &session, Entity::Unit, f.unit, f.unit, fields, false).await?;
    Ok(Redirect::to("/admin/units").into_response())
}

#[derive(Deserialize)]
pub struct MergeForm {
    csrf: String,
    unit: Uuid,
    into: Uuid,
    effective_from: NaiveDate,
}

pub async fn merge(State(state): State<AppState>, session: Session, Form(f): Form<MergeForm>) -> WebResult<Response> {
    session.check_csrf(&f.csrf)?;
    require_admin(&session)?;
    let ctx = Ctx::load(&state).await?;
    let u = ctx.require_visible(&session, f.unit)?;
    ctx.require_visible(&session, f.into)?;
    if f.unit == f.into || f.unit == session.unit() {
        return Err(WebError::bad_request("Không thể sáp nhập một đơn vị vào chính nó hoặc sáp nhập đơn vị của bạn."));
    }
    if u.merged_into.is_some() {
        return Err(WebError::bad_request("Đơn vị này đã được sáp nhập."));
    }
    if !ctx.tree.same_level(f.unit, f.into) {
        return Err(WebError::bad_request("Chỉ sáp nhập các đơn vị cùng cấp."));
    }
    let mut fields = serde_json::Map::new();
    fields.insert("merged_into".into(), json!({"unit": f.into, "effective_from": f.effective_from}));
    writer::write(&state, &session, Entity::Unit, f.unit, f.unit, fields, false).await?;
    Ok(Redirect::to("/admin/units").into_response())
}
