//! Plans: create a year's plan from the built-in template or from last year's plan, edit its
//! number, targets, key tasks and deadlines, and issue it to the units below (which gives each
//! of them its checklist through core's checklist API).

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use maud::{Markup, html};
use serde::Deserialize;
use sotay_core::plans::Plan;
use sotay_core::record::{self, Entity};
use uuid::Uuid;

use crate::state::AppState;

use super::context::Ctx;
use super::error::{WebError, WebResult};
use super::figures;
use super::layout::{Nav, csrf_field, date_vi, page};
use super::session::Session;
use super::writer;

fn require_admin(session: &Session) -> WebResult<()> {
    if session.is_admin() { Ok(()) } else { Err(WebError::forbidden("Chỉ quản trị cấp huyện lập và ban hành kế hoạch.")) }
}

fn core_err(e: sotay_core::Error) -> WebError {
    WebError::bad_request(e.message_vi())
}

/// Whether a plan has been issued (has its checklist handed down): marked in the record.
fn issued(r: &sotay_core::RecordState) -> bool {
    r.fields.get("issued_at").and_then(|v| v.as_i64()).is_some()
}

pub async fn index(State(state): State<AppState>, session: Session) -> WebResult<Html<String>> {
    let ctx = Ctx::load(&state).await?;
    let plans = figures::plans_for(&state, &ctx, session.unit()).await?;
    let own = ctx.full_name(session.unit());
    let body = html! {
        h1 { "Kế hoạch" }
        div.table-wrap { table #plans {
            thead { tr { th { "Số" } th { "Tên kế hoạch" } th { "Đơn vị ban hành" } th { "Thời gian" } } }
            tbody {
                @if plans.is_empty() { tr { td colspan="4" { span.muted { "Chưa có kế hoạch nào." } } } }
                @for p in &plans {
                    tr {
                        td { @if p.number.is_empty() { span.badge.warn { "Dự thảo" } } @else { (p.number) } }
                        td { a href=(format!("/plans/{}", p.id)) { (p.title) } }
                        td { (ctx.full_name(p.issuer)) }
                        td { (date_vi(p.period.from)) " – " (date_vi(p.period.to)) }
                    }
                }
            }
        } }
        @if session.is_admin() {
            h2 { "Lập kế hoạch năm" }
            div.card { form #new-plan method="post" action="/plans" {
                (csrf_field(&session.csrf))
                label for="source" { "Lập từ" }
                select #source name="source" {
                    option value="template" { "Mẫu có sẵn: Kế hoạch phòng, chống xâm hại trẻ em (theo Kế hoạch năm 2023 của huyện Bình Sơn)" }
                    @for p in plans.iter().filter(|p| p.issuer == session.unit()) {
                        option value=(p.id) { "Kế hoạch năm trước: " (p.title) " (" (p.period.from.format("%Y")) ")" }
                    }
                }
                div.actions { button type="submit" { "Tạo dự thảo" } }
            } }
        }
    };
    let viewer = ctx.viewer(&session, &own);
    Ok(Html(page(&viewer, "Kế hoạch", Nav::Plans, None, body).into_string()))
}

#[derive(Deserialize)]
pub struct NewPlanForm {
    csrf: String,
    source: String,
}

pub async fn create(State(state): State<AppState>, session: Session, Form(f): Form<NewPlanForm>) -> WebResult<Response> {
    session.check_csrf(&f.csrf)?;
    require_admin(&session)?;
    let ctx = Ctx::load(&state).await?;
    let issuer = session.unit();
    let mut plan = if f.source == "template" {
        // The template is the 2023 plan: bring it to this year if it is later.
        let mut p = sotay_core::seed::plan_2023_binh_son().map_err(WebError::internal)?.copy_for_year(chrono::Datelike::year(&ctx.today));
        p.issuer_name = format!("Ban Thường trực Ủy ban MTTQ Việt Nam {}", lower_first(&ctx.full_name(issuer)));
        p.place = ctx.name(issuer);
        p
    } else {
        let id = Uuid::parse_str(&f.source).map_err(|_| WebError::bad_request("Nguồn kế hoạch không hợp lệ."))?;
        let old = figures::current_plan(&state, &ctx, issuer, Some(id)).await?.ok_or_else(WebError::out_of_scope)?;
        old.copy_for_next_year()
    };
    plan.number = String::new();
    plan.issued_on = ctx.today.max(plan.period.from).min(plan.period.to);
    plan.validate().map_err(core_err)?;
    let id = Uuid::now_v7();
    let fields = record::to_fields(&plan).map_err(WebError::internal)?;
    writer::write(&state, &session, Entity::Plan, id, issuer, fields, false).await?;
    Ok(Redirect::to(&format!("/plans/{id}")).into_response())
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_lowercase().chain(c).collect()).unwrap_or_default()
}

pub async fn show(State(state): State<AppState>, session: Session, Path(id): Path<Uuid>) -> WebResult<Html<String>> {
    let ctx = Ctx::load(&state).await?;
    let plan = figures::current_plan(&state, &ctx, session.unit(), Some(id)).await?.ok_or_else(WebError::out_of_scope)?;
    let r = state.db(move |s| s.record(id)).await?.ok_or_else(WebError::out_of_scope)?;
    let editable = session.is_admin() && plan.issuer == session.unit();
    let own = ctx.full_name(session.unit());
    let body = html! {
        p.crumbs { a href="/plans" { "Kế hoạch" } " › " (if plan.number.is_empty() { "Dự thảo" } else { plan.number.as_str() }) }
        h1 { (plan.title) }
        p.sub { (plan.issuer_name) " · " (plan.place) ", ngày " (date_vi(plan.issued_on)) " · Thời gian thực hiện " (date_vi(plan.period.from)) " – " (date_vi(plan.period.to)) }
        @if issued(&r) { p { span.badge.ok { "Đã ban hành cho các đơn vị cấp dưới" } } }
        @else if editable { p { span.badge.warn { "Dự thảo — chưa ban hành" } } }
        @if editable { (edit_form(&session, &plan, issued(&r))) } @else { (read_only(&plan)) }
    };
    let viewer = ctx.viewer(&session, &own);
    Ok(Html(page(&viewer, "Kế hoạch", Nav::Plans, None, body).into_string()))
}

fn read_only(plan: &Plan) -> Markup {
    html! {
        div.doc {
            h3 { "Chỉ tiêu" }
            ul { @for t in &plan.targets { li { (t.text) } } }
            h3 { "Nội dung công tác trọng tâm" }
            @for k in &plan.key_tasks { p { strong { (k.code) ". " (k.title) } } }
            h3 { "Thời hạn báo cáo" }
            ul { @for m in &plan.milestones { li { (m.name) ": " @for (i, d) in m.deadlines.iter().enumerate() { @if i > 0 { "; " } (level_vi(&d.level)) " trước " (date_vi(d.due)) } } } }
        }
    }
}

fn level_vi(level: &str) -> String {
    match level {
        "commune" => "cấp xã".into(),
        "residential_area" => "thôn, tổ dân phố".into(),
        other => format!("cấp {other}"),
    }
}

fn edit_form(session: &Session, plan: &Plan, already_issued: bool) -> Markup {
    html! {
        form #plan-form method="post" action=(format!("/plans/{}", plan.id)) {
            (csrf_field(&session.csrf))
            div.card {
                h2 style="margin-top:0" { "Thông tin chung" }
                label for="number" { "Số, ký hiệu (ví dụ 12/KH-MTTQ-BTT)" }
                input #number type="text" name="number" value=(plan.number) maxlength="50";
                label for="title" { "Tên kế hoạch" }
                textarea #title name="title" maxlength="500" style="min-height:3rem" { (plan.title) }
                label for="issued_on" { "Ngày ban hành" }
                input #issued_on type="date" name="issued_on" value=(plan.issued_on);
            }
            div.card {
                h2 style="margin-top:0" { "Chỉ tiêu" }
                @for (i, t) in plan.targets.iter().enumerate() {
                    label for=(format!("target_text_{i}")) { "Chỉ tiêu " (t.code) }
                    textarea id=(format!("target_text_{i}")) name=(format!("target_text_{i}")) maxlength="20000" style="min-height:3rem" { (t.text) }
                    label for=(format!("target_pct_{i}")) { "Tỷ lệ phải đạt (%)" }
                    input id=(format!("target_pct_{i}")) type="number" min="0" max="100" name=(format!("target_pct_{i}")) value=(t.threshold_pct) style="max-width:8rem";
                }
            }
            div.card {
                h2 style="margin-top:0" { "Nội dung công tác trọng tâm" }
                @for (i, k) in plan.key_tasks.iter().enumerate() {
                    label for=(format!("task_title_{i}")) { (k.code) }
                    input id=(format!("task_title_{i}")) type="text" name=(format!("task_title_{i}")) value=(k.title) maxlength="500";
                }
            }
            div.card {
                h2 style="margin-top:0" { "Thời hạn báo cáo" }
                div.table-wrap { table {
                    thead { tr { th { "Kỳ" } th { "Cấp" } th { "Hạn" } } }
                    tbody {
                        @for (i, m) in plan.milestones.iter().enumerate() {
                            @for (j, d) in m.deadlines.iter().enumerate() {
                                tr { td { (m.name) } td { (level_vi(&d.level)) }
                                     td { input type="date" name=(format!("due_{i}_{j}")) value=(d.due) aria-label=(format!("{} {}", m.name, level_vi(&d.level))); } }
                            }
                        }
                    }
                } }
            }
            div.actions {
                button type="submit" name="action" value="save" { "Lưu" }
                @if !already_issued { button type="submit" name="action" value="issue" { "Ban hành cho các đơn vị cấp dưới" } }
            }
        }
    }
}

/// `POST /plans/{id}`: save the edits, and with `action=issue` issue the plan.
pub async fn update(State(state): State<AppState>, session: Session, Path(id): Path<Uuid>, Form(form): Form<Vec<(String, String)>>) -> WebResult<Response> {
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    session.check_csrf(get("csrf").unwrap_or(""))?;
    require_admin(&session)?;
    let ctx = Ctx::load(&state).await?;
    let mut plan = figures::current_plan(&state, &ctx, session.unit(), Some(id)).await?.ok_or_else(WebError::out_of_scope)?;
    if plan.issuer != session.unit() {
        return Err(WebError::forbidden("Chỉ đơn vị ban hành được sửa kế hoạch."));
    }
    let before = record::to_fields(&plan).map_err(WebError::internal)?;
    if let Some(v) = get("number") {
        plan.number = v.trim().to_string();
    }
    if let Some(v) = get("title") {
        plan.title = v.trim().to_string();
    }
    if let Some(v) = get("issued_on") {
        plan.issued_on = parse_date(v, "Ngày ban hành")?;
    }
    for (i, t) in plan.targets.iter_mut().enumerate() {
        if let Some(v) = get(&format!("target_text_{i}")) {
            t.text = v.trim().to_string();
        }
        if let Some(v) = get(&format!("target_pct_{i}")) {
            t.threshold_pct = v.trim().parse().map_err(|_| WebError::bad_request("Tỷ lệ phải đạt: cần một số từ 0 đến 100."))?;
        }
    }
    for (i, k) in plan.key_tasks.iter_mut().enumerate() {
        if let Some(v) = get(&format!("task_title_{i}")) {
            k.title = v.trim().to_string();
        }
    }
    for (i, m) in plan.milestones.iter_mut().enumerate() {
        for (j, d) in m.deadlines.iter_mut().enumerate() {
            if let Some(v) = get(&format!("due_{i}_{j}")) {
                d.due = parse_date(v, "Hạn báo cáo")?;
            }
        }
    }
    plan.validate().map_err(core_err)?;
    let issue = get("action") == Some("issue");
    if issue && plan.number.is_empty() {
        return Err(WebError::bad_request("Cần ghi số, ký hiệu của kế hoạch trước khi ban hành."));
    }
    let mut fields = record::to_fields(&plan).map_err(WebError::internal)?;
    fields.retain(|k, v| before.get(k) != Some(v));
    if issue {
        fields.insert("issued_at".into(), serde_json::json!(ctx.now_ms));
    }
    if !fields.is_empty() {
        writer::write(&state, &session, Entity::Plan, id, plan.issuer, fields, false).await?;
    }
    if issue {
        super::checklist::issue(&state, &ctx, &session, &plan).await?;
    }
    Ok(Redirect::to(&format!("/plans/{id}")).into_response())
}

fn parse_date(v: &str, label: &str) -> WebResult<NaiveDate> {
    NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").map_err(|_| WebError::bad_request(format!("{label}: ngày không hợp lệ.")))
}
