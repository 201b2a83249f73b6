//! Minutes and pledges readable in full, with their seal (checked against the content) and the
//! chain of amendments that correct them.

use axum::extract::{Path, State};
use axum::response::Html;
use maud::{Markup, html};
use sotay_core::minutes::{AttendeeRole, MeetingKind, MinutesContent};
use sotay_core::pledges::{PledgeContent, PledgeKind};
use sotay_core::record::{self, Entity, RecordState, content_hash};
use uuid::Uuid;

use crate::state::AppState;

use super::context::Ctx;
use super::error::{WebError, WebResult};
use super::layout::{Nav, date_vi, datetime_vi, page};
use super::session::Session;

pub fn meeting_kind_vi(k: MeetingKind) -> &'static str {
    match k {
        MeetingKind::VillageConference => "Hội nghị thôn, tổ dân phố",
        MeetingKind::CommuneConference => "Hội nghị cấp xã",
        MeetingKind::Other => "Cuộc họp khác",
    }
}

fn attendee_role_vi(r: AttendeeRole) -> &'static str {
    match r {
        AttendeeRole::HouseholdRepresentative => "Đại diện hộ gia đình",
        AttendeeRole::ClanHead => "Trưởng tộc",
        AttendeeRole::Youth => "Đoàn thanh niên",
        AttendeeRole::Women => "Hội phụ nữ",
        AttendeeRole::Police => "Công an",
        AttendeeRole::School => "Nhà trường",
        AttendeeRole::Other => "Khác",
    }
}

pub fn pledge_kind_vi(k: PledgeKind) -> &'static str {
    match k {
        PledgeKind::Household => "Hộ gia đình",
        PledgeKind::Clan => "Tộc họ",
        PledgeKind::ResidentialArea => "Khu dân cư",
    }
}

/// A record of `entity` the viewer may read, with the amendments that point at it.
async fn load_with_amendments(state: &AppState, ctx: &Ctx, session: &Session, entity: Entity, id: Uuid) -> WebResult<(RecordState, Vec<RecordState>)> {
    let r = state.db(move |s| s.record(id)).await?.filter(|r| r.entity == entity).ok_or_else(WebError::out_of_scope)?;
    ctx.require_visible(session, r.unit)?;
    let unit = r.unit;
    let siblings = state.db(move |s| s.records(entity, Some(unit))).await?;
    // Amendments of amendments too: follow the chain from the original.
    let mut chain = Vec::new();
    let mut frontier = vec![id];
    while let Some(target) = frontier.pop() {
        for s in siblings.iter().filter(|s| amends_of(s) == Some(target)) {
            frontier.push(s.id);
            chain.push(s.clone());
        }
    }
    chain.sort_by_key(|r| r.seal.as_ref().map(|s| s.at).unwrap_or(i64::MAX));
    Ok((r, chain))
}

fn amends_of(r: &RecordState) -> Option<Uuid> {
    r.fields.get("amends").and_then(|v| v.as_str()).and_then(|s| Uuid::parse_str(s).ok())
}

/// The seal, and whether it still matches the content.
fn seal_box(r: &RecordState) -> Markup {
    html! {
        @match &r.seal {
            Some(seal) => {
                @let intact = seal.hash == content_hash(r.entity, r.id, &r.fields);
                div.seal.none[!intact] {
                    @if intact { "✔ Đã ký chốt, nội dung nguyên vẹn" } @else { "✘ Nội dung không khớp với dấu ký chốt" }
                    br; "Ký chốt bởi " strong { (seal.by) } " lúc " (datetime_vi(seal.at))
                    br; span.hash { "SHA-256: " (seal.hash) }
                }
            }
            None => div.seal.none { "Bản nháp, chưa ký chốt" },
        }
    }
}

fn amendments_list(chain: &[RecordState], base: &str) -> Markup {
    html! {
        @if !chain.is_empty() {
            h2 { "Bản đính chính" }
            ul {
                @for a in chain {
                    li {
                        a href=(format!("{base}/{}", a.id)) { "Bản đính chính" }
                        @if let Some(seal) = &a.seal { " — ký chốt lúc " (datetime_vi(seal.at)) " bởi " (seal.by) } @else { " — bản nháp" }
                    }
                }
            }
        }
    }
}

pub async fn minutes(State(state): State<AppState>, session: Session, Path(id): Path<Uuid>) -> WebResult<Html<String>> {
    let ctx = Ctx::load(&state).await?;
    let (r, chain) = load_with_amendments(&state, &ctx, &session, Entity::Minutes, id).await?;
    let m: MinutesContent = record::from_fields(&r.fields).map_err(WebError::internal)?;
    let unit_name = ctx.full_name(r.unit);
    let body = html! {
        p.crumbs { a href=(format!("/units/{}", r.unit)) { (unit_name) } " › Biên bản" }
        h1 { "Biên bản: " (meeting_kind_vi(m.kind)) }
        (seal_box(&r))
        @if let Some(original) = amends_of(&r) {
            p { "Bản này đính chính " a href=(format!("/minutes/{original}")) { "biên bản gốc" } "." }
        }
        div.doc style="margin-top:1rem" {
            dl {
                dt { "Thời gian" } dd { (m.held_at.map(datetime_vi).unwrap_or_else(|| "—".into())) }
                dt { "Địa điểm" } dd { (m.place) }
                dt { "Chủ trì" } dd { (m.chair) }
                dt { "Thư ký" } dd { (m.secretary) }
                dt { "Số người dự" } dd { (m.attendee_count) }
                @if !m.attendees.is_empty() {
                    dt { "Thành phần" }
                    dd { ul { @for a in &m.attendees { li { (a.name) " — " (attendee_role_vi(a.role)) } } } }
                }
                dt { "Nội dung chương trình" } dd { (m.agenda) }
                dt { "Diễn biến" } dd { (m.contents) }
                dt { "Kết luận" } dd { (m.conclusions) }
                @if !m.assigned_tasks.is_empty() {
                    dt { "Phân công" }
                    dd { ul { @for t in &m.assigned_tasks { li { (t.what) " — " (t.who) @if let Some(d) = t.due { " (hạn " (date_vi(d)) ")" } } } } }
                }
                @if !m.attachments.is_empty() {
                    dt { "Ảnh, tệp đính kèm" } dd { (m.attachments.len()) " tệp" }
                }
            }
        }
        (amendments_list(&chain, "/minutes"))
    };
    let own = ctx.full_name(session.unit());
    let viewer = ctx.viewer(&session, &own);
    Ok(Html(page(&viewer, "Biên bản", Nav::Units, None, body).into_string()))
}

pub async fn pledge(State(state): State<AppState>, session: Session, Path(id): Path<Uuid>) -> WebResult<Html<String>> {
    let ctx = Ctx::load(&state).await?;
    let (r, chain) = load_with_amendments(&state, &ctx, &session, Entity::Pledge, id).await?;
    let p: PledgeContent = record::from_fields(&r.fields).map_err(WebError::internal)?;
    let subject = subject_name(&state, &ctx, &p).await?;
    let unit_name = ctx.full_name(r.unit);
    let body = html! {
        p.crumbs { a href=(format!("/units/{}", r.unit)) { (unit_name) } " › Bản cam kết" }
        h1 { "Bản cam kết: " (pledge_kind_vi(p.kind)) }
        (seal_box(&r))
        @if let Some(original) = p.amends {
            p { "Bản này đính chính " a href=(format!("/pledges/{original}")) { "bản cam kết gốc" } "." }
        }
        div.doc style="margin-top:1rem" {
            p { strong { "Bên cam kết: " } (subject) }
            p { strong { "Cam kết thực hiện:" } }
            ol { @for c in &p.commitments { li { (c) } } }
            p { "Ngày ký: " (date_vi(p.signed_on)) }
            p { "Người ký: " strong { (p.signed_by) } " · Người chứng kiến: " (p.witness) }
            @if p.signature.is_some() { p.muted { "Có ảnh chữ ký." } }
        }
        (amendments_list(&chain, "/pledges"))
    };
    let own = ctx.full_name(session.unit());
    let viewer = ctx.viewer(&session, &own);
    Ok(Html(page(&viewer, "Bản cam kết", Nav::Units, None, body).into_string()))
}

async fn subject_name(state: &AppState, ctx: &Ctx, p: &PledgeContent) -> WebResult<String> {
    Ok(match p.kind {
        PledgeKind::ResidentialArea => ctx.full_name(p.subject),
        PledgeKind::Household | PledgeKind::Clan => {
            let id = p.subject;
            let r = state.db(move |s| s.record(id)).await?;
            let field = if p.kind == PledgeKind::Household { "head_name" } else { "name" };
            let name = r.as_ref().and_then(|r| r.fields.get(field)).and_then(|v| v.as_str()).unwrap_or("(đã xóa theo yêu cầu)");
            if p.kind == PledgeKind::Household { format!("Hộ ông/bà {name}") } else { format!("Tộc {name}") }
        }
    })
}
