//! One household's data on request (the person's rights under the personal data law): export
//! everything held about it as JSON, or erase it with its visits and pledges. Both leave an
//! audit entry (who, when, which household id; never the person's details).

use axum::Form;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use sotay_core::households::{HOUSEHOLD_REFERENCES, household_named_by};
use sotay_core::record::{Entity, RecordState};
use uuid::Uuid;

use crate::state::AppState;
use crate::storage::AuditEntry;

use super::context::Ctx;
use super::error::{WebError, WebResult};
use super::layout::{Nav, csrf_field, page};
use super::session::Session;

/// The household and every record that is about it: its visits and household pledges.
async fn gather(state: &AppState, ctx: &Ctx, session: &Session, id: Uuid) -> WebResult<(RecordState, Vec<RecordState>)> {
    let h = state.db(move |s| s.record(id)).await?.filter(|r| r.entity == Entity::Household).ok_or_else(WebError::out_of_scope)?;
    ctx.require_visible(session, h.unit)?;
    let village = h.unit;
    let key = id.to_string();
    let linked = state
        .db(move |s| {
            let mut out: Vec<RecordState> = Vec::new();
            for (entity, _) in HOUSEHOLD_REFERENCES {
                let about_it = s.records(entity, Some(village))?.into_iter().filter(|r| household_named_by(r.entity, &r.fields) == Some(key.as_str()));
                out.extend(about_it);
            }
            Ok(out)
        })
        .await?;
    Ok((h, linked))
}

async fn audit(state: &AppState, session: &Session, action: &str, subject: Uuid, detail: String) -> WebResult<()> {
    let entry = AuditEntry { at: state.now_ms(), user: session.user.id, action: action.to_string(), subject, detail };
    state.db(move |s| s.audit(&entry)).await?;
    Ok(())
}

/// `GET /households/{id}/export`: a JSON file of everything held about the household.
pub async fn export(State(state): State<AppState>, session: Session, Path(id): Path<Uuid>) -> WebResult<Response> {
    let ctx = Ctx::load(&state).await?;
    let (h, linked) = gather(&state, &ctx, &session, id).await?;
    let doc = serde_json::json!({
        "exported_at": sotay_core::clock::to_datetime(ctx.now_ms).to_rfc3339(),
        "exported_by_unit": ctx.full_name(session.unit()),
        "village": ctx.full_name(h.unit),
        "household": { "id": h.id, "fields": h.fields },
        "visits": linked.iter().filter(|r| r.entity == Entity::Visit).map(|r| serde_json::json!({"id": r.id, "fields": r.fields})).collect::<Vec<_>>(),
        "pledges": linked.iter().filter(|r| r.entity == Entity::Pledge).map(|r| serde_json::json!({"id": r.id, "fields": r.fields, "seal": r.seal})).collect::<Vec<_>>(),
    });
    let body = serde_json::to_vec_pretty(&doc).map_err(WebError::internal)?;
    audit(&state, &session, "household_export", id, format!("{} records", 1 + linked.len())).await?;
    let disposition = format!("attachment; filename=\"ho-gia-dinh-{id}.json\"");
    Ok(([(header::CONTENT_TYPE, "application/json; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, disposition)], body).into_response())
}

/// `GET /households/{id}/erase`: what will be erased, and a confirmation form.
pub async fn confirm_erase(State(state): State<AppState>, session: Session, Path(id): Path<Uuid>) -> WebResult<Html<String>> {
    let ctx = Ctx::load(&state).await?;
    let (h, linked) = gather(&state, &ctx, &session, id).await?;
    let visits = linked.iter().filter(|r| r.entity == Entity::Visit).count();
    let pledges = linked.len() - visits;
    let own = ctx.full_name(session.unit());
    let body = html! {
        p.crumbs { a href=(format!("/units/{}", h.unit)) { (ctx.full_name(h.unit)) } " › Xóa dữ liệu hộ gia đình" }
        h1 { "Xóa dữ liệu của một hộ gia đình" }
        div.card {
            p { "Hộ ông/bà " strong { (h.fields.get("head_name").and_then(|v| v.as_str()).unwrap_or("")) } " ở " (ctx.full_name(h.unit)) "." }
            p { "Sẽ xóa hẳn: thông tin hộ, " (visits) " lần đến hộ và " (pledges) " bản cam kết của hộ, trên máy chủ và trên điện thoại khi đồng bộ. Việc xóa không hoàn tác được và được ghi vào nhật ký." }
            p { "Nên " a href=(format!("/households/{id}/export")) { "xuất dữ liệu (JSON)" } " trước nếu người yêu cầu muốn nhận bản sao." }
            form method="post" action=(format!("/households/{id}/erase")) {
                (csrf_field(&session.csrf))
                label for="reason" { "Căn cứ yêu cầu (ví dụ: đơn đề nghị ngày ...)" }
                input #reason type="text" name="reason" required maxlength="300";
                div.actions { button.danger type="submit" { "Xóa dữ liệu hộ này" } a.button.secondary href=(format!("/units/{}", h.unit)) { "Hủy" } }
            }
        }
    };
    let viewer = ctx.viewer(&session, &own);
    Ok(Html(page(&viewer, "Xóa dữ liệu hộ gia đình", Nav::Units, None, body).into_string()))
}

#[derive(Deserialize)]
pub struct EraseForm {
    csrf: String,
    reason: String,
}

pub async fn erase(State(state): State<AppState>, session: Session, Path(id): Path<Uuid>, Form(form): Form<EraseForm>) -> WebResult<Response> {
    session.check_csrf(&form.csrf)?;
    let reason = form.reason.trim().to_string();
    if reason.is_empty() || reason.chars().count() > 300 {
        return Err(WebError::bad_request("Căn cứ yêu cầu: không được để trống, tối đa 300 ký tự."));
    }
    let ctx = Ctx::load(&state).await?;
    let (h, linked) = gather(&state, &ctx, &session, id).await?;
    let mut ids: Vec<Uuid> = linked.iter().map(|r| r.id).collect();
    ids.push(id);
    let count = ids.len();
    let now = ctx.now_ms;
    state.db(move |s| s.erase_records(&ids, now)).await?;
    audit(&state, &session, "household_erase", id, format!("{count} records; {reason}")).await?;
    tracing::info!(household = %id, records = count, "household erased on request");
    Ok(Redirect::to(&format!("/units/{}", h.unit)).into_response())
}
