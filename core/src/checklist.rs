//! A plan instantiated down the tree: every unit below the issuer (and the issuer itself) gets
//! its checklist of task records. Communes and districts get the key tasks, the duties of their
//! level and one report task per milestone with their level's deadline; residential areas get
//! the work of a village front head (built-in data). Task ids are derived from (plan, unit,
//! code), so instantiating again, here or on another device, never duplicates a task.

use chrono::NaiveDate;
use ring::digest;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::plans::{Plan, load_plan};
use crate::record::{self, Entity, RecordState};
use crate::store::{Tx, load_record};
use crate::units::UnitTree;
use crate::{Error, Result, Rule, Store};

const RESIDENTIAL_AREA_TASKS: &str = include_str!("../data/residential-area-tasks.json");
pub const MAX_TITLE: usize = 1000;
pub const MAX_NOTE: usize = 2000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Todo,
    Doing,
    Done,
    NotApplicable,
}

impl TaskStatus {
    /// Still to be done (neither done nor set aside as not applicable).
    pub fn is_open(self) -> bool {
        matches!(self, TaskStatus::Todo | TaskStatus::Doing)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            TaskStatus::Todo => "Chưa làm",
            TaskStatus::Doing => "Đang làm",
            TaskStatus::Done => "Đã xong",
            TaskStatus::NotApplicable => "Không áp dụng",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    Meeting,
    PledgeDrive,
    Activity,
    Note,
    Photo,
}

/// What shows a task was done: a meeting's minutes, a pledge drive, an awareness activity, a
/// note, or a photo (by its SHA-256).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub kind: EvidenceKind,
    /// A record id (minutes, activity, pledge) or a photo's SHA-256.
    #[serde(rename = "ref", default)]
    pub reference: Option<String>,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    #[serde(skip)]
    pub id: Uuid,
    /// The unit whose checklist this is (the record's `unit`).
    #[serde(skip)]
    pub unit: Uuid,
    pub plan: Uuid,
    pub code: String,
    pub title: String,
    pub due: NaiveDate,
    pub status: TaskStatus,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub evidence: Vec<Evidence>,
}

impl Task {
    pub(crate) fn from_record(r: &RecordState) -> Result<Task> {
        let mut t: Task = record::from_fields(&r.fields)?;
        t.id = r.id;
        t.unit = r.unit;
        Ok(t)
    }

    /// Open and past its due date on `today` (a date in Vietnam).
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status.is_open() && self.due < today
    }
}

/// A task a plan gives a unit, before it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedTask {
    pub code: String,
    pub title: String,
    pub due: NaiveDate,
}

impl PlannedTask {
    /// The new, not yet started task of `plan` for `unit`. Its id is derived from plan, unit and
    /// code, so every place that instantiates the plan (phone, server, dashboard) makes the same.
    pub fn into_task(self, plan: Uuid, unit: Uuid) -> Task {
        Task {
            id: task_id(plan, unit, &self.code),
            unit,
            plan,
            code: self.code,
            title: self.title,
            due: self.due,
            status: TaskStatus::Todo,
            reason: None,
            evidence: Vec::new(),
        }
    }
}

#[derive(Deserialize)]
struct AreaTaskTemplate {
    code: String,
    title: String,
    /// "first" or "last": the first or last reporting deadline of the unit above.
    due: String,
}

fn area_task_templates() -> Result<Vec<AreaTaskTemplate>> {
    Ok(serde_json::from_str(RESIDENTIAL_AREA_TASKS)?)
}

/// The id of the task `code` of `unit` under `plan`: the same on every device.
pub fn task_id(plan: Uuid, unit: Uuid, code: &str) -> Uuid {
    let input = format!("sotay/task/{plan}/{unit}/{code}");
    let hash = digest::digest(&digest::SHA256, input.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&hash.as_ref()[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// What `plan` asks of `unit` (pure: the server previews checklists with it too).
pub fn planned_tasks(plan: &Plan, tree: &UnitTree, unit: Uuid) -> Result<Vec<PlannedTask>> {
    let clamp = |d: NaiveDate| d.clamp(plan.period.from, plan.period.to);
    if tree.is_residential_area(unit) {
        // The deadlines of the nearest unit above that reports (the commune).
        let above = tree.ancestors(unit).into_iter().map(|u| plan.deadlines_for(tree, u.id)).find(|d| !d.is_empty()).unwrap_or_default();
        let first = above.first().map_or(plan.period.to, |(_, d)| *d);
        let last = above.last().map_or(plan.period.to, |(_, d)| *d);
        let tasks = area_task_templates()?.into_iter().map(|t| PlannedTask {
            due: clamp(if t.due == "first" { first } else { last }),
            code: t.code,
            title: t.title,
        });
        return Ok(tasks.collect());
    }
    let deadlines = plan.deadlines_for(tree, unit);
    let duties = plan.duties_for(tree, unit);
    if unit != plan.issuer && deadlines.is_empty() && duties.is_empty() {
        return Ok(Vec::new()); // a level the plan does not address
    }
    // Work with no date of its own is due by the unit's last report.
    let last = clamp(deadlines.last().map_or(plan.period.to, |(_, d)| *d));
    let mut out = Vec::new();
    for k in &plan.key_tasks {
        out.push(PlannedTask { code: k.code.clone(), title: k.title.clone(), due: last });
    }
    for d in duties {
        for (j, item) in d.items.iter().enumerate() {
            out.push(PlannedTask { code: format!("{}.{}", d.code, j + 1), title: item.clone(), due: last });
        }
    }
    for (m, due) in deadlines {
        out.push(PlannedTask { code: format!("M-{}", m.code), title: m.name.clone(), due: clamp(due) });
    }
    Ok(out)
}

/// What instantiating a plan did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Instantiation {
    /// Units that have a checklist under the plan.
    pub units: usize,
    pub created: usize,
    /// Tasks that were there already (left as they are).
    pub existing: usize,
}

/// Tasks of the given units (all plans when `plan` is None), by due date then code.
pub fn load_tasks(conn: &Connection, units: &[Uuid], plan: Option<Uuid>) -> Result<Vec<Task>> {
    let ids = serde_json::to_string(&units.iter().map(|u| u.to_string()).collect::<Vec<_>>())?;
    let mut stmt = conn.prepare_cached(
        "SELECT id, unit_id, doc FROM records
         WHERE entity = 'task' AND unit_id IN (SELECT value FROM json_each(?1))
           AND (?2 IS NULL OR json_extract(doc, '$.plan') = ?2)",
    )?;
    let rows = stmt.query_map(rusqlite::params![ids, plan.map(|p| p.to_string())], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, unit, doc) = row?;
        let mut t: Task = serde_json::from_str(&doc)?;
        t.id = Uuid::parse_str(&id).map_err(|e| Error::Store(e.to_string()))?;
        t.unit = Uuid::parse_str(&unit).map_err(|e| Error::Store(e.to_string()))?;
        out.push(t);
    }
    out.sort_by(|a, b| (a.due, &a.code).cmp(&(b.due, &b.code)));
    Ok(out)
}

pub(crate) fn load_task(conn: &Connection, id: Uuid) -> Result<Task> {
    match load_record(conn, id)? {
        Some(r) if r.entity == Entity::Task => Task::from_record(&r),
        _ => Err(Error::NotFound { entity: "task", id: id.to_string() }),
    }
}

/// Write the fields of `task` that differ from `old` (all for a new task).
fn put_task(tx: &mut Tx<'_>, task: &Task, old: Option<&Task>) -> Result<Task> {
    let mut fields = record::to_fields(task)?;
    if let Some(old) = old {
        let before = record::to_fields(old)?;
        fields.retain(|k, v| before.get(k) != Some(v));
    }
    let state = tx.put(Entity::Task, task.id, task.unit, fields)?;
    Task::from_record(&state)
}

fn check_title(title: &str) -> Result<()> {
    if title.trim().is_empty() {
        return Err(Error::validation("title", Rule::Required));
    }
    if title.chars().count() > MAX_TITLE {
        return Err(Error::validation("title", Rule::TooLong { max: MAX_TITLE }));
    }
    Ok(())
}

fn check_evidence(conn: &Connection, e: &Evidence) -> Result<()> {
    if e.note.chars().count() > MAX_NOTE {
        return Err(Error::validation("evidence.note", Rule::TooLong { max: MAX_NOTE }));
    }
    let reference = e.reference.as_deref().map(str::trim).filter(|r| !r.is_empty());
    let record_of = |entity: Entity, name: &'static str, required: bool| -> Result<()> {
        let Some(r) = reference else {
            return if required { Err(Error::validation("evidence.ref", Rule::Required)) } else { Ok(()) };
        };
        let found = Uuid::parse_str(r).ok().map(|id| load_record(conn, id)).transpose()?.flatten();
        match found {
            Some(rec) if rec.entity == entity => Ok(()),
            _ => Err(Error::validation("evidence.ref", Rule::UnknownReference { entity: name })),
        }
    };
    match e.kind {
        EvidenceKind::Meeting => record_of(Entity::Minutes, "minutes", true),
        EvidenceKind::Activity => record_of(Entity::Activity, "activity", true),
        EvidenceKind::PledgeDrive => record_of(Entity::Pledge, "pledge", false),
        EvidenceKind::Photo => match reference {
            Some(r) if r.len() == 64 && r.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) => Ok(()),
            Some(_) => Err(Error::validation("evidence.ref", Rule::Invalid { expected: "the SHA-256 of the photo" })),
            None => Err(Error::validation("evidence.ref", Rule::Required)),
        },
        EvidenceKind::Note if e.note.trim().is_empty() => Err(Error::validation("evidence.note", Rule::Required)),
        EvidenceKind::Note => Ok(()),
    }
}

/// Add evidence to a task inside a write (shared with activities, which link themselves).
pub(crate) fn attach_evidence_in(tx: &mut Tx<'_>, task: Uuid, evidence: Evidence) -> Result<Task> {
    let old = load_task(tx.conn(), task)?;
    check_evidence(tx.conn(), &evidence)?;
    let duplicate =
        evidence.reference.is_some() && old.evidence.iter().any(|e| e.kind == evidence.kind && e.reference == evidence.reference);
    if duplicate {
        return Ok(old);
    }
    let mut t = old.clone();
    t.evidence.push(Evidence { note: evidence.note.trim().to_string(), ..evidence });
    put_task(tx, &t, Some(&old))
}

impl Store {
    /// Give every unit the plan addresses its checklist. Safe to repeat: tasks already there
    /// (with their status and evidence) are kept as they are.
    pub fn instantiate_plan(&self, plan: Uuid) -> Result<Instantiation> {
        self.write(|tx| {
            let plan = load_plan(tx.conn(), plan)?;
            let tree = UnitTree::load(tx.conn())?;
            let mut report = Instantiation::default();
            for unit in tree.subtree(plan.issuer) {
                let active = tree.get(unit).is_some_and(|u| u.is_active_during(plan.period.from, plan.period.to));
                if !active {
                    continue;
                }
                let planned = planned_tasks(&plan, &tree, unit)?;
                if !planned.is_empty() {
                    report.units += 1;
                }
                for p in planned {
                    let id = task_id(plan.id, unit, &p.code);
                    if tx.record(id)?.is_some() {
                        report.existing += 1;
                        continue;
                    }
                    put_task(tx, &p.into_task(plan.id, unit), None)?;
                    report.created += 1;
                }
            }
            Ok(report)
        })
    }

    /// The checklist of `unit` under `plan`, by due date.
    pub fn checklist(&self, unit: Uuid, plan: Uuid) -> Result<Vec<Task>> {
        self.read(|c| load_tasks(c, &[unit], Some(plan)))
    }

    pub fn task(&self, id: Uuid) -> Result<Task> {
        self.read(|c| load_task(c, id))
    }

    /// A task of the unit's own (a commune adds what its own plan asks), due within the plan.
    pub fn add_task(&self, unit: Uuid, plan: Uuid, code: &str, title: &str, due: NaiveDate) -> Result<Task> {
        self.write(|tx| {
            let plan = load_plan(tx.conn(), plan)?;
            let tree = UnitTree::load(tx.conn())?;
            if !tree.in_scope(plan.issuer, unit) {
                return Err(Error::validation("unit", Rule::Invalid { expected: "a unit under the issuer of the plan" }));
            }
            if code.trim().is_empty() {
                return Err(Error::validation("code", Rule::Required));
            }
            check_title(title)?;
            plan.check_in_period("due", due)?;
            let task = PlannedTask { code: code.trim().to_string(), title: title.trim().to_string(), due }.into_task(plan.id, unit);
            if tx.record(task.id)?.is_some() {
                return Err(Error::validation("code", Rule::Duplicate));
            }
            put_task(tx, &task, None)
        })
    }

    /// Move a task's due date; it must stay within the plan's period.
    pub fn set_task_due(&self, task: Uuid, due: NaiveDate) -> Result<Task> {
        self.write(|tx| {
            let old = load_task(tx.conn(), task)?;
            load_plan(tx.conn(), old.plan)?.check_in_period("due", due)?;
            put_task(tx, &Task { due, ..old.clone() }, Some(&old))
        })
    }

    /// Move a task to `status`; `not_applicable` needs a reason.
    pub fn set_task_status(&self, task: Uuid, status: TaskStatus, reason: Option<&str>) -> Result<Task> {
        self.write(|tx| {
            let old = load_task(tx.conn(), task)?;
            let reason = reason.map(str::trim).filter(|r| !r.is_empty());
            let reason = match status {
                TaskStatus::NotApplicable => match reason {
                    Some(r) if r.chars().count() > MAX_NOTE => return Err(Error::validation("reason", Rule::TooLong { max: MAX_NOTE })),
                    Some(r) => Some(r.to_string()),
                    None => return Err(Error::validation("reason", Rule::ReasonRequired)),
                },
                _ => None,
            };
            put_task(tx, &Task { status, reason, ..old.clone() }, Some(&old))
        })
    }

    /// Add evidence to a task. Attaching the same record twice keeps one.
    pub fn attach_evidence(&self, task: Uuid, evidence: Evidence) -> Result<Task> {
        self.write(|tx| attach_evidence_in(tx, task, evidence))
    }
}
