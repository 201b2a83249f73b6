//! Commune staff record the commune's own work from the browser: awareness activities, meeting
//! minutes, and the status of checklist tasks. The records are the ones the phones write, with
//! the same fields and checks (see `writer`).

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{NaiveDate, NaiveDateTime, TimeZone};
use maud::html;
use serde::Deserialize;
use serde_json::{Value, json};
use sotay_core::minutes::{MeetingKind, MinutesContent};
use sotay_core::record::{self, Entity};
use sotay_core::validate;
use uuid::Uuid;

use crate::state::AppState;

use super::context::Ctx;
use super::error::{WebError, WebResult};
use super::figures;
use super::layout::{Nav, csrf_field, page};
use super::session::Session;
use super::unit::activity_kind_vi;
use super::writer;

const ACTIVITY_KINDS: [&str; 7] = ["conference", "loudspeaker", "leaflets", "posters_banners", "social_media", "school_talk", "other"];

/// Commune staff write for their own unit; a district admin for any unit of the subtree.
fn require_writer(ctx: &Ctx, session: &Session, unit: Uuid) -> WebResult<()> {
    ctx.require_visible(session, unit)?;
    if session.is_admin() || session.unit() == unit {
        Ok(())
    } else {
        Err(WebError::forbidden("Chỉ cán bộ của đơn vị này được ghi số liệu cho đơn vị."))
    }
}

fn core_err(e: sotay_core::Error) -> WebError {
    WebError::bad_request(e.message_vi())
}

pub async fn new_activity(State(state): State<AppState>, session: Session, Path(unit): Path<Uuid>) -> WebResult<Html<String>> {
    let ctx = Ctx::load(&state).await?;
    require_writer(&ctx, &session, unit)?;
    let own = ctx.full_name(session.unit());
    let body = html! {
        p.crumbs { a href=(format!("/units/{unit}")) { (ctx.full_name(unit)) } " › Ghi hoạt động tuyên truyền" }
        h1 { "Ghi hoạt động tuyên truyền" }
        div.card { form #activity-form method="post" action=(format!("/units/{unit}/activities")) {
            (csrf_field(&session.csrf))
            label for="date" { "Ngày tổ chức" }
            input #date type="date" name="date" required value=(ctx.today);
            label for="kind" { "Hình thức" }
            select #kind name="kind" { @for k in ACTIVITY_KINDS { option value=(k) { (activity_kind_vi(k)) } } }
            label for="topic" { "Chủ đề, nội dung" }
            input #topic type="text" name="topic" required maxlength="300";
            label for="audience" { "Số người tham dự (ước tính)" }
            input #audience type="number" name="audience" min="0" max="1000000" value="0";
            label { input type="checkbox" name="new_law" value="1"; " Tuyên truyền chính sách, pháp luật mới ban hành về bảo vệ trẻ em (tính cho chỉ tiêu 1)" }
            div.actions { button type="submit" { "Lưu hoạt động" } a.button.secondary href=(format!("/units/{unit}")) { "Hủy" } }
        } }
    };
    let viewer = ctx.viewer(&session, &own);
    Ok(Html(page(&viewer, "Ghi hoạt động tuyên truyền", Nav::Units, None, body).into_string()))
}

#[derive(Deserialize)]
pub struct ActivityForm {
    csrf: String,
    date: NaiveDate,
    kind: String,
    topic: String,
    #[serde(default)]
    audience: String,
    #[serde(default)]
    new_law: Option<String>,
}

pub async fn create_activity(State(state): State<AppState>, session: Session, Path(unit): Path<Uuid>, Form(f): Form<ActivityForm>) -> WebResult<Response> {
    session.check_csrf(&f.csrf)?;
    let ctx = Ctx::load(&state).await?;
    require_writer(&ctx, &session, unit)?;
    if !ACTIVITY_KINDS.contains(&f.kind.as_str()) {
        return Err(WebError::bad_request("Hình thức: không hợp lệ."));
    }
    let topic = validate::required("topic", &f.topic, validate::MAX_LINE).map_err(core_err)?;
    let audience: i64 = if f.audience.trim().is_empty() { 0 } else { f.audience.trim().parse().map_err(|_| WebError::bad_request("Số người nghe: cần một số."))? };
    validate::range("audience", audience, 0, 1_000_000).map_err(core_err)?;
    validate::not_future("date", f.date, ctx.now_ms).map_err(core_err)?;
    let plan = figures::current_plan(&state, &ctx, unit, None).await?;
    if let Some(p) = &plan {
        p.check_in_period("date", f.date).map_err(core_err)?;
    }
    let fields = json!({
        "date": f.date, "kind": f.kind, "topic": topic, "audience": audience,
        "plan": plan.as_ref().map(|p| p.id), "task": Value::Null, "new_law": f.new_law.is_some(),
    });
    let fields = fields.as_object().cloned().unwrap_or_default();
    writer::write(&state, &session, Entity::Activity, Uuid::now_v7(), unit, fields, false).await?;
    Ok(Redirect::to(&format!("/units/{unit}")).into_response())
}

pub async fn new_meeting(State(state): State<AppState>, session: Session, Path(unit): Path<Uuid>) -> WebResult<Html<String>> {
    let ctx = Ctx::load(&state).await?;
    require_writer(&ctx, &session, unit)?;
    let own = ctx.full_name(session.unit());
    let body = html! {
        p.crumbs { a href=(format!("/units/{unit}")) { (ctx.full_name(unit)) } " › Ghi biên bản hội nghị" }
        h1 { "Ghi biên bản hội nghị" }
        div.card { form #meeting-form method="post" action=(format!("/units/{unit}/meetings")) {
            (csrf_field(&session.csrf))
            label for="held_at" { "Thời gian" }
            input #held_at type="datetime-local" name="held_at" required;
            label for="place" { "Địa điểm" }
            input #place type="text" name="place" required maxlength="300";
            label for="chair" { "Chủ trì" }
            input #chair type="text" name="chair" required maxlength="100";
            label for="secretary" { "Thư ký" }
            input #secretary type="text" name="secretary" required maxlength="100";
            label for="attendee_count" { "Số người dự" }
            input #attendee_count type="number" name="attendee_count" min="1" max="100000" required;
            label for="agenda" { "Nội dung chương trình" }
            textarea #agenda name="agenda" maxlength="20000" {}
            label for="contents" { "Diễn biến hội nghị" }
            textarea #contents name="contents" maxlength="20000" {}
            label for="conclusions" { "Kết luận" }
            textarea #conclusions name="conclusions" maxlength="20000" {}
            label { input type="checkbox" name="seal" value="1"; " Ký chốt biên bản (sau khi ký chốt không sửa được, chỉ lập bản đính chính)" }
            div.actions { button type="submit" { "Lưu biên bản" } a.button.secondary href=(format!("/units/{unit}")) { "Hủy" } }
        } }
    };
    let viewer = ctx.viewer(&session, &own);
    Ok(Html(page(&viewer, "Ghi biên bản hội nghị", Nav::Units, None, body).into_string()))
}

#[derive(Deserialize)]
pub struct MeetingForm {
    csrf: String,
    held_at: String,
    place: String,
    chair: String,
    secretary: String,
    attendee_count: String,
    #[serde(default)]
    agenda: String,
    #[serde(default)]
    contents: String,
    #[serde(default)]
    conclusions: String,
    #[serde(default)]
    seal: Option<String>,
}

pub async fn create_meeting(State(state): State<AppState>, session: Session, Path(unit): Path<Uuid>, Form(f): Form<MeetingForm>) -> WebResult<Response> {
    session.check_csrf(&f.csrf)?;
    let ctx = Ctx::load(&state).await?;
    require_writer(&ctx, &session, unit)?;
    let held = NaiveDateTime::parse_from_str(&f.held_at, "%Y-%m-%dT%H:%M")
        .ok()
        .and_then(|t| sotay_core::clock::vietnam().from_local_datetime(&t).single())
        .ok_or_else(|| WebError::bad_request("Thời gian: không hợp lệ."))?
        .timestamp_millis();
    if held > ctx.now_ms {
        return Err(WebError::bad_request("Thời gian: hội nghị chưa diễn ra."));
    }
    let count: i64 = f.attendee_count.trim().parse().map_err(|_| WebError::bad_request("Số người dự: cần một số."))?;
    validate::range("attendee_count", count, 1, 100_000).map_err(core_err)?;
    let plan = figures::current_plan(&state, &ctx, unit, None).await?;
    let kind = if ctx.tree.is_residential_area(unit) { MeetingKind::VillageConference } else { MeetingKind::CommuneConference };
    let content = MinutesContent {
        held_at: Some(held),
        place: validate::required("place", &f.place, validate::MAX_LINE).map_err(core_err)?,
        kind,
        chair: validate::required("chair", &f.chair, validate::MAX_NAME).map_err(core_err)?,
        secretary: validate::required("secretary", &f.secretary, validate::MAX_NAME).map_err(core_err)?,
        attendee_count: count as u32,
        attendees: Vec::new(),
        agenda: validate::limited("agenda", &f.agenda, validate::MAX_TEXT).map_err(core_err)?,
        contents: validate::limited("contents", &f.contents, validate::MAX_TEXT).map_err(core_err)?,
        conclusions: validate::limited("conclusions", &f.conclusions, validate::MAX_TEXT).map_err(core_err)?,
        assigned_tasks: Vec::new(),
        attachments: Vec::new(),
        plan: plan.map(|p| p.id),
        task: None,
    };
    let mut fields = record::to_fields(&content).map_err(WebError::internal)?;
    fields.insert("amends".into(), Value::Null);
    let id = writer::write(&state, &session, Entity::Minutes, Uuid::now_v7(), unit, fields, f.seal.is_some()).await?;
    Ok(Redirect::to(&format!("/minutes/{id}")).into_response())
}

#[derive(Deserialize)]
pub struct TaskForm {
    csrf: String,
    status: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    note: String,
}

/// `POST /units/{unit}/tasks/{task}`: set a checklist task's status (and a note as evidence).
pub async fn set_task_status(
    State(state): State<AppState>,
    session: Session,
    Path((unit, task)): Path<(Uuid, Uuid)>,
    Form(f): Form<TaskForm>,
) -> WebResult<Response> {
    session.check_csrf(&f.csrf)?;
    let ctx = Ctx::load(&state).await?;
    require_writer(&ctx, &session, unit)?;
    let t = state.db(move |s| s.record(task)).await?.filter(|r| r.entity == Entity::Task && r.unit == unit).ok_or_else(WebError::out_of_scope)?;
    if !["todo", "doing", "done", "not_applicable"].contains(&f.status.as_str()) {
        return Err(WebError::bad_request("Trạng thái: không hợp lệ."));
    }
    let note = validate::limited("note", &f.note, validate::MAX_LINE).map_err(core_err)?;
    // One text box: the reason when the task does not apply, else a note as evidence.
    let reason = if f.reason.trim().is_empty() && f.status == "not_applicable" { note.clone() } else { validate::limited("reason", &f.reason, validate::MAX_LINE).map_err(core_err)? };
    if f.status == "not_applicable" && reason.is_empty() {
        return Err(core_err(sotay_core::Error::validation("reason", sotay_core::Rule::ReasonRequired)));
    }
    let note = if f.status == "not_applicable" { String::new() } else { note };
    let mut fields = serde_json::Map::new();
    fields.insert("status".into(), json!(f.status));
    fields.insert("reason".into(), if reason.is_empty() { Value::Null } else { json!(reason) });
    if !note.is_empty() {
        let mut evidence = t.fields.get("evidence").and_then(|e| e.as_array()).cloned().unwrap_or_default();
        evidence.push(json!({"kind": "note", "ref": Value::Null, "note": note}));
        fields.insert("evidence".into(), Value::Array(evidence));
    }
    writer::write(&state, &session, Entity::Task, task, unit, fields, false).await?;
    Ok(Redirect::to(&format!("/units/{unit}")).into_response())
}
