//! A unit's page: its progress (targets, rows below), checklist with status and evidence,
//! meetings, awareness activities, pledges and door-to-door progress by village; for a village,
//! its households (with export and erasure on request).

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::response::Html;
use maud::{Markup, html};
use sotay_core::record::{Entity, RecordState};
use uuid::Uuid;

use crate::reports::format_count;
use crate::state::AppState;

use super::context::{Ctx, full_name};
use super::documents::meeting_kind_vi;
use super::error::WebResult;
use super::figures::{self, status_vi};
use super::layout::{Nav, csrf_field, date_vi, datetime_vi, page};
use super::overview::PlanQuery;
use super::session::Session;

fn text<'a>(r: &'a RecordState, k: &str) -> &'a str {
    r.fields.get(k).and_then(|v| v.as_str()).unwrap_or("")
}

fn int(r: &RecordState, k: &str) -> i64 {
    r.fields.get(k).and_then(|v| v.as_i64()).unwrap_or(0)
}

/// `GET /units`: the viewer's subtree as an indented list.
pub async fn index(State(state): State<AppState>, session: Session) -> WebResult<Html<String>> {
    let ctx = Ctx::load(&state).await?;
    let mut items = Vec::new();
    ctx.walk(session.unit(), 0, &mut |u, depth| items.push((u, depth)));
    let own = ctx.full_name(session.unit());
    let body = html! {
        h1 { "Đơn vị" }
        div.card {
            ul style="list-style:none;padding-left:0;margin:0" {
                @for (u, depth) in &items {
                    li style=(format!("padding:.15rem 0 .15rem {}rem", depth * 2)) {
                        a href=(format!("/units/{}", u.id)) { (full_name(u, ctx.today)) }
                    }
                }
            }
        }
    };
    let viewer = ctx.viewer(&session, &own);
    Ok(Html(page(&viewer, "Đơn vị", Nav::Units, None, body).into_string()))
}

/// `GET /units/{id}`.
pub async fn show(State(state): State<AppState>, session: Session, Path(id): Path<Uuid>, Query(q): Query<PlanQuery>) -> WebResult<Html<String>> {
    let ctx = Ctx::load(&state).await?;
    ctx.require_visible(&session, id)?;
    let plan = figures::current_plan(&state, &ctx, id, q.plan).await?;
    let (tasks, minutes, activities) = state
        .db(move |s| Ok((s.records(Entity::Task, Some(id))?, s.records(Entity::Minutes, Some(id))?, s.records(Entity::Activity, Some(id))?)))
        .await?;
    let is_village = ctx.tree.is_residential_area(id);
    let village = if is_village {
        Some(state.db(move |s| Ok((s.records(Entity::Household, Some(id))?, s.records(Entity::Pledge, Some(id))?, s.records(Entity::Visit, Some(id))?))).await?)
    } else {
        None
    };
    // Door-to-door by village: visits per outcome.
    let visit_rows = if !is_village {
        let villages: Vec<Uuid> = ctx.tree.residential_areas(id, ctx.today).iter().map(|u| u.id).collect();
        state
            .db(move |s| {
                let counts = s.count_records(Entity::Visit, &villages, Some("outcome"))?;
                let mut out: Vec<(Uuid, BTreeMap<String, u64>)> = villages.iter().map(|v| (*v, BTreeMap::new())).collect();
                for c in counts {
                    if let Some((_, by)) = out.iter_mut().find(|(v, _)| *v == c.unit) {
                        *by.entry(c.value.unwrap_or_else(|| "other".into())).or_default() += c.count;
                    }
                }
                Ok(out)
            })
            .await?
    } else {
        Vec::new()
    };
    let view = match &plan {
        Some(p) if !is_village => Some(figures::unit_view(&state, &ctx, p, id).await?),
        _ => None,
    };
    let can_edit = session.user.unit == id || ctx.tree.is_commune_level(id) && ctx.visible(&session, id);
    let own = ctx.full_name(session.unit());
    let name = ctx.full_name(id);
    let mut ancestors: Vec<_> = ctx.tree.ancestors(id).into_iter().filter(|u| ctx.visible(&session, u.id)).collect();
    ancestors.reverse();
    let children = ctx.tree.children(id);
    let body = html! {
        p.crumbs {
            @for a in &ancestors { a href=(format!("/units/{}", a.id)) { (full_name(a, ctx.today)) } " › " }
            (name)
        }
        h1 { (name) }
        @if !children.is_empty() {
            p.sub { @for (i, c) in children.iter().filter(|c| c.is_active_on(ctx.today)).enumerate() {
                @if i > 0 { " · " } a href=(format!("/units/{}", c.id)) { (c.name_on(ctx.today)) }
            } }
        }
        @if let (Some(p), Some(v)) = (&plan, &view) {
            (super::overview::render(&ctx, p, v))
            div.actions {
                a.button.secondary href=(format!("/reports/{id}/6_month/docx?plan={}", p.id)) { "Tải báo cáo (DOCX)" }
                a.button.secondary href=(format!("/reports/{id}/6_month/xlsx?plan={}", p.id)) { "Tải số liệu (XLSX)" }
            }
        }
        @if let Some((households, pledges, visits)) = &village { (village_detail(&session, households, pledges, visits)) }
        (checklist(&session, &tasks, can_edit, id, ctx.today))
        (meetings(&minutes))
        (activity_list(&activities))
        @if can_edit && !is_village {
            div.actions {
                a.button href=(format!("/units/{id}/activities/new")) { "Ghi hoạt động tuyên truyền" }
                a.button.secondary href=(format!("/units/{id}/meetings/new")) { "Ghi biên bản hội nghị" }
            }
        }
        @if !visit_rows.is_empty() { (door_to_door(&ctx, &visit_rows)) }
    };
    let viewer = ctx.viewer(&session, &own);
    Ok(Html(page(&viewer, &name, Nav::Units, None, body).into_string()))
}

fn checklist(session: &Session, tasks: &[RecordState], can_edit: bool, unit: Uuid, today: chrono::NaiveDate) -> Markup {
    let mut tasks: Vec<&RecordState> = tasks.iter().collect();
    tasks.sort_by(|a, b| text(a, "code").cmp(text(b, "code")));
    html! {
        h2 { "Danh mục nhiệm vụ" }
        @if tasks.is_empty() { p.muted { "Chưa có nhiệm vụ nào được giao cho đơn vị này." } }
        @else {
            div.table-wrap {
                table #checklist {
                    thead { tr { th { "Mã" } th { "Nhiệm vụ" } th { "Hạn" } th { "Trạng thái" } th { "Minh chứng" } @if can_edit { th style="min-width:22rem" { "Cập nhật" } } } }
                    tbody {
                        @for t in &tasks {
                            @let status = text(t, "status");
                            tr {
                                td { @if !text(t, "code").starts_with("M-") { (text(t, "code")) } }
                                td { (text(t, "title")) @if !text(t, "reason").is_empty() { br; span.muted { "Lý do: " (text(t, "reason")) } } }
                                td { (text(t, "due").parse::<chrono::NaiveDate>().map(date_vi).unwrap_or_default()) }
                                @let overdue = matches!(status, "todo" | "doing") && text(t, "due").parse::<chrono::NaiveDate>().is_ok_and(|d| d < today);
                                td { @match status {
                                    _ if overdue => span.badge.late { "Quá hạn" },
                                    "done" => span.badge.ok { (status_vi(status)) },
                                    "doing" => span.badge.warn { (status_vi(status)) },
                                    _ => span.badge.muted { (status_vi(status)) },
                                } }
                                td { @if let Some(ev) = t.fields.get("evidence").and_then(|e| e.as_array()) {
                                    @for e in ev {
                                        @let kind = e.get("kind").and_then(|k| k.as_str()).unwrap_or("");
                                        @let r = e.get("ref").and_then(|k| k.as_str()).unwrap_or("");
                                        div {
                                            @match kind {
                                                "meeting" => a href=(format!("/minutes/{r}")) { "Biên bản" },
                                                "pledge_drive" => span { "Đợt cam kết" },
                                                "activity" => span { "Hoạt động" },
                                                "photo" => span { "Ảnh" },
                                                _ => span { "Ghi chú" },
                                            }
                                            @let note = e.get("note").and_then(|k| k.as_str()).unwrap_or("");
                                            @if !note.is_empty() { ": " (note) }
                                        }
                                    }
                                } }
                                @if can_edit {
                                    td {
                                        form.task method="post" action=(format!("/units/{unit}/tasks/{}", t.id)) {
                                            (csrf_field(&session.csrf))
                                            select name="status" aria-label="Trạng thái" {
                                                @for s in ["todo", "doing", "done", "not_applicable"] {
                                                    option value=(s) selected[s == status] { (status_vi(s)) }
                                                }
                                            }
                                            input type="text" name="note" maxlength="300" placeholder="Minh chứng, hoặc lý do nếu không áp dụng" aria-label="Minh chứng hoặc lý do";
                                            button.secondary type="submit" { "Lưu" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn meetings(minutes: &[RecordState]) -> Markup {
    let mut list: Vec<&RecordState> = minutes.iter().collect();
    list.sort_by_key(|m| std::cmp::Reverse(int(m, "held_at")));
    html! {
        h2 { "Hội nghị, biên bản" }
        @if list.is_empty() { p.muted { "Chưa có biên bản nào." } }
        @else {
            div.table-wrap { table {
                thead { tr { th { "Thời gian" } th { "Loại" } th { "Địa điểm" } th.num { "Số người dự" } th { "Ký chốt" } } }
                tbody { @for m in &list {
                    tr {
                        td { a href=(format!("/minutes/{}", m.id)) { (datetime_vi(int(m, "held_at"))) } }
                        td { (serde_json::from_value(m.fields.get("kind").cloned().unwrap_or_default()).map(meeting_kind_vi).unwrap_or("Khác"))
                             @if m.fields.get("amends").is_some_and(|a| !a.is_null()) { " " span.badge.muted { "Đính chính" } } }
                        td { (text(m, "place")) }
                        td.num { (int(m, "attendee_count")) }
                        td { @if m.seal.is_some() { span.badge.ok { "Đã ký chốt" } } @else { span.badge.warn { "Bản nháp" } } }
                    }
                } }
            } }
        }
    }
}

pub fn activity_kind_vi(k: &str) -> &'static str {
    match k {
        "conference" => "Hội nghị tuyên truyền",
        "loudspeaker" => "Loa truyền thanh",
        "leaflets" => "Tờ rơi",
        "posters_banners" => "Pa nô, áp phích, băng rôn",
        "social_media" => "Mạng xã hội",
        "school_talk" => "Nói chuyện tại trường học",
        _ => "Hình thức khác",
    }
}

fn activity_list(activities: &[RecordState]) -> Markup {
    let mut list: Vec<&RecordState> = activities.iter().collect();
    list.sort_by(|a, b| text(b, "date").cmp(text(a, "date")));
    html! {
        h2 { "Hoạt động tuyên truyền" }
        @if list.is_empty() { p.muted { "Chưa ghi hoạt động tuyên truyền nào." } }
        @else {
            div.table-wrap { table #activities {
                thead { tr { th { "Ngày" } th { "Hình thức" } th { "Chủ đề" } th.num { "Số người" } th { "Pháp luật mới" } } }
                tbody { @for a in &list {
                    tr {
                        td { (text(a, "date").parse::<chrono::NaiveDate>().map(date_vi).unwrap_or_default()) }
                        td { (activity_kind_vi(text(a, "kind"))) }
                        td { (text(a, "topic")) }
                        td.num { (format_count(int(a, "audience").max(0) as u64)) }
                        td { @if a.fields.get("new_law").and_then(|v| v.as_bool()).unwrap_or(false) { span.badge.ok { "Có" } } }
                    }
                } }
            } }
        }
    }
}

fn outcome_vi(o: &str) -> &'static str {
    match o {
        "pledged" => "Đã cam kết",
        "not_home" => "Vắng nhà",
        "refused" => "Từ chối",
        "moved_away" => "Đã chuyển đi",
        _ => "Khác",
    }
}

const OUTCOMES: [&str; 5] = ["pledged", "not_home", "refused", "moved_away", "other"];

fn door_to_door(ctx: &Ctx, rows: &[(Uuid, BTreeMap<String, u64>)]) -> Markup {
    html! {
        h2 { "Vận động đến từng hộ" }
        div.table-wrap { table #visits {
            thead { tr { th { "Thôn, tổ dân phố" } @for o in OUTCOMES { th.num { (outcome_vi(o)) } } th.num { "Tổng lượt" } } }
            tbody { @for (v, by) in rows {
                tr {
                    td { a href=(format!("/units/{v}")) { (ctx.full_name(*v)) } }
                    @for o in OUTCOMES { td.num { (format_count(by.get(o).copied().unwrap_or(0))) } }
                    td.num { (format_count(by.values().sum())) }
                }
            } }
        } }
    }
}

fn village_detail(session: &Session, households: &[RecordState], pledges: &[RecordState], visits: &[RecordState]) -> Markup {
    let pledged: std::collections::HashSet<&str> = pledges
        .iter()
        .filter(|p| p.seal.is_some() && text(p, "kind") == "household")
        .map(|p| text(p, "subject"))
        .collect();
    let mut list: Vec<&RecordState> = households.iter().collect();
    list.sort_by(|a, b| sotay_core::text::compare(text(a, "head_name"), text(b, "head_name")));
    let covered = list.iter().filter(|h| pledged.contains(h.id.to_string().as_str())).count() as u64;
    html! {
        h2 { "Hộ gia đình và cam kết" }
        p { "Đã cam kết: " strong { (covered) "/" (list.len()) } " hộ (" (sotay_core::percent::Percent::of(covered, list.len() as u64)) "), "
            (visits.len()) " lượt đến hộ." }
        @let others: Vec<&RecordState> = pledges.iter().filter(|p| text(p, "kind") != "household").collect();
        @if !others.is_empty() {
            p { "Cam kết của tộc họ, khu dân cư: "
                @for (i, p) in others.iter().enumerate() { @if i > 0 { ", " } a href=(format!("/pledges/{}", p.id)) { (text(p, "signed_by")) } } }
        }
        div.table-wrap { table #households {
            thead { tr { th { "Chủ hộ" } th { "Địa chỉ" } th.num { "Nhân khẩu" } th { "Cam kết" } th { "Dữ liệu cá nhân" } } }
            tbody { @for h in &list {
                @let pledge = pledges.iter().find(|p| text(p, "subject") == h.id.to_string() && p.seal.is_some());
                tr {
                    td { (text(h, "head_name")) }
                    td { (text(h, "address")) }
                    td.num { (int(h, "members")) }
                    td { @if let Some(p) = pledge { a href=(format!("/pledges/{}", p.id)) { span.badge.ok { "Đã cam kết" } } } @else { span.badge.muted { "Chưa" } } }
                    td {
                        a href=(format!("/households/{}/export", h.id)) { "Xuất (JSON)" } " · "
                        a href=(format!("/households/{}/erase", h.id)) { "Xóa theo yêu cầu" }
                    }
                }
            } }
        } }
        @let _ = session;
    }
}
