//! The unit's checklist under a plan: tasks with their due dates, status and evidence.

use sotay_core::checklist::{Evidence, EvidenceKind, Task, TaskStatus};

use crate::dates::DateText;
use crate::error::{Result, call};
use crate::ids::parse_id;
use crate::store::SotayStore;

#[uniffi::remote(Enum)]
pub enum EvidenceKind {
    Meeting,
    PledgeDrive,
    Activity,
    Note,
    Photo,
}

/// What shows a task was done.
#[uniffi::remote(Record)]
pub struct Evidence {
    pub kind: EvidenceKind,
    /// A record id (minutes, activity, pledge) or a photo's SHA-256.
    pub reference: Option<String>,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TaskView {
    pub id: String,
    pub unit_id: String,
    pub plan_id: String,
    /// "3.2", "M-6_month", ...
    pub code: String,
    pub title: String,
    pub due: DateText,
    pub status: TaskStatus,
    /// The status as the UI names it ("Chưa làm", "Đã xong", ...).
    pub status_vi: String,
    /// Open and past its due date today (in Vietnam).
    pub overdue: bool,
    /// Why it does not apply (status `not_applicable`).
    pub reason: Option<String>,
    pub evidence: Vec<Evidence>,
}

impl SotayStore {
    fn task_view(&self, t: Task) -> TaskView {
        TaskView {
            overdue: t.is_overdue(self.store.today()),
            id: t.id.to_string(),
            unit_id: t.unit.to_string(),
            plan_id: t.plan.to_string(),
            code: t.code,
            title: t.title,
            due: t.due.into(),
            status: t.status,
            status_vi: t.status.label_vi().to_string(),
            reason: t.reason,
            evidence: t.evidence,
        }
    }
}

#[uniffi::export]
impl SotayStore {
    /// The checklist of `unit_id` under `plan_id`, by due date.
    pub fn checklist(&self, unit_id: String, plan_id: String) -> Result<Vec<TaskView>> {
        call(|| {
            let tasks = self.store.checklist(parse_id("unit_id", &unit_id)?, parse_id("plan", &plan_id)?)?;
            Ok(tasks.into_iter().map(|t| self.task_view(t)).collect())
        })
    }

    pub fn task(&self, id: String) -> Result<TaskView> {
        call(|| Ok(self.task_view(self.store.task(parse_id("task", &id)?)?)))
    }

    /// Move a task to `status`; `not_applicable` needs a reason.
    pub fn set_task_status(&self, id: String, status: TaskStatus, reason: Option<String>) -> Result<TaskView> {
        call(|| Ok(self.task_view(self.store.set_task_status(parse_id("task", &id)?, status, reason.as_deref())?)))
    }

    /// Add evidence (minutes, a pledge drive, an activity, a note, a photo) to a task.
    pub fn attach_evidence(&self, id: String, evidence: Evidence) -> Result<TaskView> {
        call(|| Ok(self.task_view(self.store.attach_evidence(parse_id("task", &id)?, evidence)?)))
    }
}
