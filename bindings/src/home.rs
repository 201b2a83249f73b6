//! The home screen and progress: households pledged, meetings, activities, targets against
//! their thresholds, what is due soon and what is overdue. Computed by core from the store.

use sotay_core::checklist::TaskStatus;
use sotay_core::plans::Plan;
use sotay_core::progress::{AreaProgress, ChecklistSummary, HomeSummary, Progress, Ratio, TargetProgress, TaskItem};

use crate::dates::DateText;
use crate::error::{Result, call};
use crate::ids::{parse_id, parse_optional_id};
use crate::items;
use crate::store::SotayStore;

#[uniffi::remote(Enum)]
pub enum TaskStatus {
    Todo,
    Doing,
    Done,
    NotApplicable,
}

/// A count against a total, with the share as the dashboard and the reports show it: floored
/// to a tenth of a percent (`pct_tenths`, 833) and written for display (`pct_text`, "83,3%").
#[uniffi::remote(Record)]
pub struct Ratio {
    pub done: u32,
    pub total: u32,
    pub pct_tenths: u32,
    pub pct_text: String,
}

#[uniffi::remote(Record)]
pub struct ChecklistSummary {
    pub total: u32,
    pub done: u32,
    pub not_applicable: u32,
    pub open: u32,
    pub overdue: u32,
    pub due_soon: u32,
}

/// One target of the plan against its threshold.
#[uniffi::remote(Record)]
pub struct TargetProgress {
    pub code: String,
    pub text: String,
    pub indicator: String,
    pub threshold_pct: u32,
    pub measured: u32,
    pub met: u32,
    pub value: Option<Ratio>,
    pub reached: Option<bool>,
    pub missing: Vec<String>,
}

/// A task on a summary screen.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TaskLine {
    pub task_id: String,
    pub unit_id: String,
    pub code: String,
    pub title: String,
    pub status: TaskStatus,
    pub due: DateText,
    /// Negative when overdue.
    pub days_left: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AreaLine {
    pub unit_id: String,
    pub name: String,
    pub households: Ratio,
    pub meetings: u32,
    pub activities: u32,
    pub checklist: ChecklistSummary,
    /// A prevention model built (task 3.3 done) or a residential-area pledge.
    pub model: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ProgressView {
    pub unit_id: String,
    pub name: String,
    pub plan_id: Option<String>,
    pub today: DateText,
    /// Households pledged / households.
    pub households: Ratio,
    pub clans: Ratio,
    pub residential_area_pledges: u32,
    pub meetings: u32,
    pub activities: u32,
    pub new_law_activities: u32,
    pub audience: u64,
    pub checklist: ChecklistSummary,
    pub targets: Vec<TargetProgress>,
    /// Open tasks not yet past due, soonest first.
    pub upcoming: Vec<TaskLine>,
    /// One line per residential area below (empty for a residential area).
    pub areas: Vec<AreaLine>,
}

/// The village head's first screen.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HomeView {
    pub progress: ProgressView,
    pub households_left: u32,
    pub due_soon: Vec<TaskLine>,
    pub overdue: Vec<TaskLine>,
}

/// A plan as lists and headers show it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PlanSummary {
    pub id: String,
    /// e.g. "267/KH-MTTQ-BTT".
    pub number: String,
    pub issuer_name: String,
    pub title: String,
    pub issued_on: DateText,
    pub period_from: DateText,
    pub period_to: DateText,
}

impl From<TaskItem> for TaskLine {
    fn from(t: TaskItem) -> Self {
        TaskLine {
            task_id: t.task.to_string(),
            unit_id: t.unit.to_string(),
            code: t.code,
            title: t.title,
            status: t.status,
            due: t.due.into(),
            days_left: t.days_left,
        }
    }
}

impl From<AreaProgress> for AreaLine {
    fn from(a: AreaProgress) -> Self {
        AreaLine {
            unit_id: a.unit.to_string(),
            name: a.name,
            households: a.households,
            meetings: a.meetings,
            activities: a.activities,
            checklist: a.checklist,
            model: a.model,
        }
    }
}

impl From<Progress> for ProgressView {
    fn from(p: Progress) -> Self {
        ProgressView {
            unit_id: p.unit.to_string(),
            name: p.name,
            plan_id: p.plan.map(|u| u.to_string()),
            today: p.today.into(),
            households: p.households,
            clans: p.clans,
            residential_area_pledges: p.residential_area_pledges,
            meetings: p.meetings,
            activities: p.activities,
            new_law_activities: p.new_law_activities,
            audience: p.audience,
            checklist: p.checklist,
            targets: p.targets,
            upcoming: items(p.upcoming),
            areas: items(p.areas),
        }
    }
}

impl From<HomeSummary> for HomeView {
    fn from(h: HomeSummary) -> Self {
        HomeView { progress: h.progress.into(), households_left: h.households_left, due_soon: items(h.due_soon), overdue: items(h.overdue) }
    }
}

impl From<Plan> for PlanSummary {
    fn from(p: Plan) -> Self {
        PlanSummary {
            id: p.id.to_string(),
            number: p.number,
            issuer_name: p.issuer_name,
            title: p.title,
            issued_on: p.issued_on.into(),
            period_from: p.period.from.into(),
            period_to: p.period.to.into(),
        }
    }
}

#[uniffi::export]
impl SotayStore {
    /// The home screen of `unit_id` (the enrolled village) under the plan in force today.
    pub fn home(&self, unit_id: String) -> Result<HomeView> {
        call(|| Ok(self.store.home(parse_id("unit_id", &unit_id)?)?.into()))
    }

    /// Progress of a village, a commune (with a line per village) or any unit, under a plan
    /// (null: counts without a plan period).
    pub fn progress(&self, unit_id: String, plan_id: Option<String>) -> Result<ProgressView> {
        call(|| Ok(self.store.progress(parse_id("unit_id", &unit_id)?, parse_optional_id("plan", plan_id)?)?.into()))
    }

    /// The plans that apply to a unit (its own and its ancestors'), newest first.
    pub fn plans(&self, unit_id: String) -> Result<Vec<PlanSummary>> {
        call(|| Ok(items(self.store.plans_for(parse_id("unit_id", &unit_id)?)?)))
    }

    /// The plan in force for a unit today, if any.
    pub fn current_plan(&self, unit_id: String) -> Result<Option<PlanSummary>> {
        call(|| Ok(self.store.current_plan_for(parse_id("unit_id", &unit_id)?, self.store.today())?.map(PlanSummary::from)))
    }
}
