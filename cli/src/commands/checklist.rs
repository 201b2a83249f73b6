//! The unit's checklist under a plan, task status with reason and evidence, and progress.

use clap::{Subcommand, ValueEnum};
use serde_json::{Value, json};
use sotay_core::checklist::{Evidence, EvidenceKind, Task, TaskStatus};
use uuid::Uuid;

use crate::context::{CliError, CliResult, Context, parse_id};
use crate::output::{Output, date_vi};

#[derive(Clone, Copy, ValueEnum)]
pub enum StatusArg {
    Todo,
    Doing,
    Done,
    NotApplicable,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum EvidenceArg {
    Meeting,
    PledgeDrive,
    Activity,
    Note,
    Photo,
}

#[derive(Subcommand)]
pub enum ChecklistCommand {
    /// The unit's tasks under the plan, by due date.
    List {
        #[arg(long)]
        unit: Option<String>,
        /// Defaults to the newest plan that applies to the unit.
        #[arg(long)]
        plan: Option<String>,
    },
    /// Set a task's status; "not-applicable" needs a reason.
    Set {
        task: String,
        #[arg(long, value_enum)]
        status: StatusArg,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Attach evidence to a task: minutes, a pledge drive, an activity, a note or a photo.
    Evidence {
        task: String,
        #[arg(long, value_enum)]
        kind: EvidenceArg,
        /// A record id or a photo's SHA-256.
        #[arg(long = "ref")]
        reference: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
    },
}

pub fn run(ctx: &Context, cmd: ChecklistCommand) -> CliResult<Output> {
    match cmd {
        ChecklistCommand::List { unit, plan } => {
            let unit = ctx.unit(unit.as_deref().map(parse_id).transpose()?)?;
            let plan = plan_for(ctx, unit, plan.as_deref())?;
            let tasks = ctx.store.checklist(unit, plan)?;
            let today = ctx.store.today();
            let mut human = format!("{} nhiệm vụ", tasks.len());
            for t in &tasks {
                let late = if t.is_overdue(today) { " (quá hạn)" } else { "" };
                human.push_str(&format!("\n  {}  [{}] {} {}: hạn {}{late}", t.id, t.status.label_vi(), t.code, t.title, date_vi(t.due)));
            }
            Ok(Output::new(json!({ "plan": plan, "tasks": tasks.iter().map(task_json).collect::<Vec<_>>() }), human))
        }
        ChecklistCommand::Set { task, status, reason } => {
            let status = match status {
                StatusArg::Todo => TaskStatus::Todo,
                StatusArg::Doing => TaskStatus::Doing,
                StatusArg::Done => TaskStatus::Done,
                StatusArg::NotApplicable => TaskStatus::NotApplicable,
            };
            let t = ctx.store.set_task_status(parse_id(&task)?, status, reason.as_deref())?;
            Ok(Output::new(task_json(&t), format!("Nhiệm vụ {}: {}.", t.code, t.status.label_vi())))
        }
        ChecklistCommand::Evidence { task, kind, reference, note } => {
            let kind = match kind {
                EvidenceArg::Meeting => EvidenceKind::Meeting,
                EvidenceArg::PledgeDrive => EvidenceKind::PledgeDrive,
                EvidenceArg::Activity => EvidenceKind::Activity,
                EvidenceArg::Note => EvidenceKind::Note,
                EvidenceArg::Photo => EvidenceKind::Photo,
            };
            let t = ctx.store.attach_evidence(parse_id(&task)?, Evidence { kind, reference, note })?;
            Ok(Output::new(task_json(&t), format!("Đã thêm minh chứng cho nhiệm vụ {} ({} minh chứng).", t.code, t.evidence.len())))
        }
    }
}

/// The plan given, else the newest plan that applies to the unit.
pub fn plan_for(ctx: &Context, unit: Uuid, given: Option<&str>) -> CliResult<Uuid> {
    if let Some(p) = given {
        return parse_id(p);
    }
    let plans = ctx.store.plans_for(unit)?;
    plans
        .iter()
        .max_by_key(|p| p.issued_on)
        .map(|p| p.id)
        .ok_or_else(|| CliError::Usage("Chưa có kế hoạch nào cho đơn vị này trên máy: hãy đồng bộ trước.".into()))
}

fn task_json(t: &Task) -> Value {
    let mut v = serde_json::to_value(t).unwrap_or(Value::Null);
    v["id"] = json!(t.id);
    v["unit"] = json!(t.unit);
    v
}

pub fn progress(ctx: &Context, unit: Option<String>, plan: Option<String>) -> CliResult<Output> {
    let unit = ctx.unit(unit.as_deref().map(parse_id).transpose()?)?;
    let plan = plan_for(ctx, unit, plan.as_deref()).ok();
    let p = ctx.store.progress(unit, plan)?;
    let mut human = format!(
        "Tiến độ của {} (đến ngày {}):\n  Hộ đã ký cam kết: {}/{} ({})\n  Tộc họ đã ký cam kết: {}/{}\n  Cam kết khu dân cư: {}\n  Hội nghị có biên bản: {}\n  Hoạt động tuyên truyền: {} (về luật mới: {})\n  Nhiệm vụ: {}/{} đã xong, {} quá hạn",
        p.name,
        p.today_text,
        p.households.done,
        p.households.total,
        p.households.pct_text,
        p.clans.done,
        p.clans.total,
        p.residential_area_pledges,
        p.meetings,
        p.activities,
        p.new_law_activities,
        p.checklist.done,
        p.checklist.total,
        p.checklist.overdue,
    );
    for a in &p.areas {
        human.push_str(&format!("\n  - {}: {}/{} hộ ({})", a.name, a.households.done, a.households.total, a.households.pct_text));
    }
    Ok(Output::new(serde_json::to_value(&p).unwrap_or(Value::Null), human))
}
