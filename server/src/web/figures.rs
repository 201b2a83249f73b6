//! The one place the dashboard turns synced records into figures: plans that apply, progress
//! per unit (core's progress, the same numbers the phones and the reports show), deadlines and
//! who is late. Pages and reports both call this.

use chrono::{NaiveDate, TimeZone};
use sotay_core::plans::Plan;
use sotay_core::record::{self, Entity, RecordState};
use uuid::Uuid;

use crate::reports::{Milestone, ReportFigures};
use crate::state::AppState;
use crate::storage::ReportFiling;

use super::context::Ctx;
use super::error::{WebError, WebResult};

pub fn plan_from_record(r: &RecordState) -> Option<Plan> {
    let mut p: Plan = record::from_fields(&r.fields).ok()?;
    p.id = r.id;
    p.issuer = r.unit;
    Some(p)
}

/// Plans that apply to `unit` (its own and those of units above), newest period first.
pub async fn plans_for(state: &AppState, ctx: &Ctx, unit: Uuid) -> WebResult<Vec<Plan>> {
    let records = state.db(|s| s.records(Entity::Plan, None)).await?;
    let mut plans: Vec<Plan> = records
        .iter()
        .filter(|r| ctx.tree.readable(unit, Entity::Plan, r.unit))
        .filter_map(plan_from_record)
        .collect();
    plans.sort_by_key(|p| std::cmp::Reverse((p.period.from, p.issued_on, p.id)));
    Ok(plans)
}

/// The plan asked for (if it applies to `unit`), else the one in force today, else the newest.
pub async fn current_plan(state: &AppState, ctx: &Ctx, unit: Uuid, wanted: Option<Uuid>) -> WebResult<Option<Plan>> {
    let plans = plans_for(state, ctx, unit).await?;
    if let Some(id) = wanted {
        return plans.into_iter().find(|p| p.id == id).map(Some).ok_or_else(WebError::out_of_scope);
    }
    let today = ctx.today;
    let current = plans.iter().position(|p| p.period.contains(today)).unwrap_or(0);
    Ok(plans.into_iter().nth(current))
}

/// Deadline of `milestone` for `unit`'s level in `plan`.
pub fn deadline_for(ctx: &Ctx, plan: &Plan, unit: Uuid, milestone: Milestone) -> Option<NaiveDate> {
    plan.deadlines_for(&ctx.tree, unit).into_iter().find(|(m, _)| m.code == milestone.code()).map(|(_, d)| d)
}

/// Every milestone with `unit`'s deadline (None when the plan sets none for its level).
pub fn deadlines_of(ctx: &Ctx, plan: &Plan, unit: Uuid) -> Vec<(Milestone, Option<NaiveDate>)> {
    Milestone::ALL
        .into_iter()
        .filter(|m| plan.milestones.iter().any(|pm| pm.code == m.code()))
        .map(|m| (m, deadline_for(ctx, plan, unit, m)))
        .collect()
}

/// Filed after the end of the due day in Vietnam.
pub fn is_late(filed_at_ms: i64, due: NaiveDate) -> bool {
    let end = due.and_hms_opt(23, 59, 59).and_then(|t| sotay_core::clock::vietnam().from_local_datetime(&t).single());
    end.is_some_and(|end| filed_at_ms > end.timestamp_millis() + 999)
}

/// The units a page or report has one row for: communes when `unit` is above communes, the
/// residential areas of a commune, active today.
pub fn row_units(ctx: &Ctx, _plan: &Plan, unit: Uuid) -> Vec<Uuid> {
    if ctx.tree.is_residential_area(unit) {
        return Vec::new();
    }
    if ctx.tree.is_commune_level(unit) {
        ctx.tree.residential_areas(unit, ctx.today).iter().map(|u| u.id).collect()
    } else {
        ctx.tree.communes(unit, ctx.today).iter().map(|u| u.id).collect()
    }
}

pub struct Deadline {
    pub due: NaiveDate,
    pub what: String,
}

pub struct Late {
    pub unit: Uuid,
    pub unit_name: String,
    pub what: String,
    pub due: NaiveDate,
}

/// Where one row's report for the next milestone stands.
pub enum FilingStatus {
    Filed { late: bool },
    Missing { overdue: bool },
    NoDeadline,
}

impl FilingStatus {
    pub fn badge(&self) -> maud::Markup {
        maud::html! {
            @match self {
                FilingStatus::Filed { late: false } => span.badge.ok { "Đã nộp" },
                FilingStatus::Filed { late: true } => span.badge.warn { "Nộp muộn" },
                FilingStatus::Missing { overdue: true } => span.badge.late { "Quá hạn" },
                FilingStatus::Missing { overdue: false } => span.badge.muted { "Chưa nộp" },
                FilingStatus::NoDeadline => span.muted { "—" },
            }
        }
    }
}

/// What the overview and the unit page show for one unit.
pub struct UnitView {
    pub figures: ReportFigures,
    pub rows_level: String,
    pub rows_are_communes: bool,
    pub deadlines: Vec<Deadline>,
    pub late: Vec<Late>,
    /// One per row: the report of the milestone most recently due (or next due).
    pub filing: Vec<FilingStatus>,
}

/// Whether `rows` are communes, and their level in words ("xã, thị trấn", "thôn, tổ dân phố").
pub fn rows_level(ctx: &Ctx, rows: &[Uuid]) -> (bool, String) {
    let communes = rows.first().is_some_and(|r| ctx.tree.is_commune_level(*r));
    (communes, if communes { "xã, thị trấn" } else { "thôn, tổ dân phố" }.to_string())
}

pub async fn unit_view(state: &AppState, ctx: &Ctx, plan: &Plan, unit: Uuid) -> WebResult<UnitView> {
    let rows = row_units(ctx, plan, unit);
    let (rows_are_communes, rows_level) = rows_level(ctx, &rows);
    let figures = super::progress::report_figures(state, ctx, plan, unit, &rows).await?;
    let plan_id = plan.id;
    let filings = state.db(move |s| s.report_filings(plan_id)).await?;

    // Deadlines coming up: the viewer's own, and the rows' (the reports the viewer waits for).
    let mut deadlines = Vec::new();
    for (m, due) in deadlines_of(ctx, plan, unit) {
        if let Some(due) = due.filter(|d| *d >= ctx.today) {
            deadlines.push(Deadline { due, what: format!("{} nộp báo cáo {}", ctx.full_name(unit), m.name_vi().to_lowercase()) });
        }
    }
    if let Some(first) = rows.first() {
        for (m, due) in deadlines_of(ctx, plan, *first) {
            if let Some(due) = due.filter(|d| *d >= ctx.today) {
                deadlines.push(Deadline { due, what: format!("Các {} nộp báo cáo {}", rows_level, m.name_vi().to_lowercase()) });
            }
        }
    }
    for t in figures.tasks.iter().filter(|t| !t.done) {
        if let Some(due) = t.due.filter(|d| *d >= ctx.today) {
            deadlines.push(Deadline { due, what: format!("Nhiệm vụ {} {}", t.code, t.title) });
        }
    }
    deadlines.sort_by_key(|d| d.due);
    deadlines.truncate(8);

    // Late: rows whose deadline passed without a report.
    let mut late = Vec::new();
    let mut filing = Vec::new();
    for r in &rows {
        let mut status = FilingStatus::NoDeadline;
        for (m, due) in deadlines_of(ctx, plan, *r) {
            let Some(due) = due else { continue };
            let filed = latest(&filings, *r, m);
            if due < ctx.today && filed.is_none() {
                late.push(Late { unit: *r, unit_name: ctx.full_name(*r), what: format!("chưa nộp báo cáo {}", m.name_vi().to_lowercase()), due });
            }
            // The status column follows the latest milestone already due, or the first ahead.
            let relevant = due < ctx.today || matches!(status, FilingStatus::NoDeadline);
            if relevant {
                status = match filed {
                    Some(f) => FilingStatus::Filed { late: f.late },
                    None => FilingStatus::Missing { overdue: due < ctx.today },
                };
            }
        }
        filing.push(status);
    }
    for (r, f) in rows.iter().zip(&figures.rows) {
        if f.overdue_tasks > 0 {
            late.push(Late { unit: *r, unit_name: ctx.full_name(*r), what: format!("{} nhiệm vụ quá hạn", f.overdue_tasks), due: ctx.today });
        }
    }
    late.sort_by_key(|l| l.due);
    Ok(UnitView { figures, rows_level, rows_are_communes, deadlines, late, filing })
}

fn latest(filings: &[ReportFiling], unit: Uuid, m: Milestone) -> Option<&ReportFiling> {
    filings.iter().filter(|f| f.unit == unit && f.milestone == m.code()).max_by_key(|f| f.filed_at)
}

/// Vietnamese label of a task status.
pub fn status_vi(status: &str) -> &'static str {
    match status {
        "todo" => "Chưa làm",
        "doing" => "Đang làm",
        "done" => "Đã hoàn thành",
        "not_applicable" => "Không áp dụng",
        _ => "Không rõ",
    }
}
