//! Enrollment, sync with a progress line, and what is pending or set aside.

use std::collections::BTreeMap;
use std::io::Write;

use clap::Subcommand;
use serde_json::json;
use sotay_core::error::entity_vi;
use sotay_core::sync::{CancelToken, Progress, SyncClient, SyncPhase, SyncProgress};

use crate::context::{CliError, CliResult, Context, parse_id};
use crate::output::{Output, bytes_vi};

#[derive(Subcommand)]
pub enum SetAsideCommand {
    /// List the changes the server refused, with its reasons.
    List,
    /// Put a refused change back in the queue (after fixing what was wrong).
    Retry { change: String },
    /// Drop a refused change for good.
    Discard { change: String },
}

pub fn enroll(ctx: &Context, server: &str, code: &str, name: &str) -> CliResult<Output> {
    let e = sotay_core::sync::enroll(&ctx.store, server, code, name)?;
    Ok(Output::new(
        json!({ "device_id": e.device_id, "unit": e.unit, "unit_name": e.unit_name, "user_name": e.user_name, "server_url": e.server_url }),
        format!("Đã đăng ký thiết bị cho {} (người dùng: {}).\nHãy chạy `sotay sync` để nhận dữ liệu của đơn vị.", e.unit_name, e.user_name),
    ))
}

pub fn status(ctx: &Context) -> CliResult<Output> {
    let enrolled = sotay_core::sync::enrollment(&ctx.store)?;
    let pending = ctx.store.outbox_pending_count()?;
    let set_aside = ctx.store.outbox_set_aside_items()?.len();
    let mut human = match &enrolled {
        Some(e) => format!("Đơn vị: {}\nNgười dùng: {}\nMáy chủ: {}\n", e.unit_name, e.user_name, e.server_url),
        None => "Máy chưa đăng ký với máy chủ.\n".to_string(),
    };
    human.push_str(&format!("Chờ gửi: {pending} thay đổi\nBị từ chối: {set_aside} thay đổi"));
    Ok(Output::new(
        json!({
            "enrolled": enrolled.as_ref().map(|e| json!({ "device_id": e.device_id, "unit": e.unit, "unit_name": e.unit_name, "user_name": e.user_name, "server_url": e.server_url })),
            "pending": pending,
            "set_aside": set_aside,
        }),
        human,
    ))
}

/// Draws one progress line on stderr.
struct ProgressLine;

impl SyncProgress for ProgressLine {
    fn report(&self, p: &Progress) {
        let phase = match p.phase {
            SyncPhase::Push => "Đang gửi",
            SyncPhase::Pull => "Đang nhận",
            SyncPhase::Attachments => "Đang tải tệp lên",
        };
        let bytes = match p.bytes_total {
            Some(t) => format!("{} / {}", bytes_vi(p.bytes_done), bytes_vi(t)),
            None => bytes_vi(p.bytes_done),
        };
        let mut err = std::io::stderr();
        let _ = write!(err, "\r{phase}: {}/{} mục, {bytes}        ", p.items_done, p.items_total);
        if p.items_done >= p.items_total {
            let _ = writeln!(err);
        }
        let _ = err.flush();
    }
}

pub fn sync(ctx: &Context) -> CliResult<Output> {
    let client = SyncClient::new(ctx.store.clone())?;
    let progress: &dyn SyncProgress = if ctx.json { &sotay_core::sync::NoProgress } else { &ProgressLine };
    // A revoked device comes back wiped, with `Error::Revoked`.
    let report = client.sync(progress, &CancelToken::new())?;
    let mut human = format!("Đồng bộ xong: đã gửi {} thay đổi, đã nhận {} bản ghi.", report.pushed, report.pulled);
    if report.set_aside > 0 {
        human.push_str(&format!("\n{} thay đổi bị máy chủ từ chối: xem `sotay set-aside list`.", report.set_aside));
    }
    if report.erased > 0 {
        human.push_str(&format!("\nĐã xóa {} bản ghi mà máy chủ đã xóa theo yêu cầu của người dân.", report.erased));
    }
    if report.attachments_downloaded > 0 {
        human.push_str(&format!("\nĐã tải về {} tệp đính kèm.", report.attachments_downloaded));
    }
    if report.attachments_uploaded + report.attachments_refused > 0 {
        human.push_str(&format!("\nĐã tải lên {} tệp đính kèm; {} tệp bị từ chối.", report.attachments_uploaded, report.attachments_refused));
    }
    Ok(Output::new(
        json!({
            "pushed": report.pushed,
            "set_aside": report.set_aside,
            "pulled": report.pulled,
            "pull_conflicts": report.pull_conflicts,
            "erased": report.erased,
            "attachments_uploaded": report.attachments_uploaded,
            "attachments_refused": report.attachments_refused,
            "attachments_downloaded": report.attachments_downloaded,
            "requests": report.wire.requests,
            "bytes_sent": report.wire.bytes_sent,
            "bytes_received": report.wire.bytes_received,
        }),
        human,
    ))
}

pub fn pending(ctx: &Context) -> CliResult<Output> {
    let changes = ctx.store.outbox_batch(1_000_000, usize::MAX)?;
    let mut by_entity: BTreeMap<&'static str, u64> = BTreeMap::new();
    for c in &changes {
        *by_entity.entry(c.entity.as_str()).or_default() += 1;
    }
    let mut human = format!("Chờ gửi: {} thay đổi", changes.len());
    for (entity, n) in &by_entity {
        human.push_str(&format!("\n  {}: {n}", entity_vi(entity)));
    }
    let items: Vec<_> = changes.iter().map(|c| json!({ "change": c.id, "entity": c.entity, "record": c.record })).collect();
    Ok(Output::new(json!({ "pending": changes.len(), "by_entity": by_entity, "changes": items }), human))
}

pub fn set_aside(ctx: &Context, cmd: SetAsideCommand) -> CliResult<Output> {
    match cmd {
        SetAsideCommand::List => {
            let items = ctx.store.outbox_set_aside_items()?;
            let mut human = format!("Bị từ chối: {} thay đổi", items.len());
            for i in &items {
                human.push_str(&format!("\n  {} ({}): {}", i.change_id, entity_vi(i.entity.as_str()), reason_vi(&i.reason)));
            }
            let list: Vec<_> = items
                .iter()
                .map(|i| json!({ "change": i.change_id, "entity": i.entity, "record": i.record, "reason": i.reason, "reason_vi": reason_vi(&i.reason) }))
                .collect();
            Ok(Output::new(json!({ "set_aside": list }), human))
        }
        SetAsideCommand::Retry { change } => {
            let id = parse_id(&change)?;
            ctx.store.outbox_retry(id)?;
            Ok(Output::new(json!({ "retried": id }), "Đã đưa lại vào hàng chờ gửi."))
        }
        SetAsideCommand::Discard { change } => {
            let id = parse_id(&change)?;
            ctx.store.outbox_discard(id)?;
            Ok(Output::new(json!({ "discarded": id }), "Đã bỏ thay đổi này."))
        }
    }
}

use sotay_core::sync::protocol::reason_vi;

pub fn wipe(ctx: &Context, yes: bool) -> CliResult<Output> {
    if !yes {
        return Err(CliError::Usage("Xóa toàn bộ dữ liệu trên máy: thêm --yes để xác nhận.".into()));
    }
    ctx.store.wipe()?;
    Ok(Output::new(json!({ "wiped": true }), "Đã xóa toàn bộ dữ liệu trên máy."))
}
