//! Awareness activities (tuyên truyền): what a front committee ran, when, for how many people,
//! and whether it was on newly issued child-protection law (which counts for target 1).

use chrono::NaiveDate;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::checklist::{Evidence, EvidenceKind, attach_evidence_in, load_task};
use crate::clock::{format_date_vi, today_in_vietnam};
use crate::plans::load_plan;
use crate::record::{self, Entity, RecordState};
use crate::store::{Tx, list_records, load_record};
use crate::units::UnitTree;
use crate::{Error, Result, Rule, Store};

pub const MAX_TOPIC: usize = 500;
/// More people than this at one activity is a typing mistake, not a crowd.
pub const MAX_AUDIENCE: u32 = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    Conference,
    Loudspeaker,
    Leaflets,
    PostersBanners,
    SocialMedia,
    SchoolTalk,
    /// Also any value this build does not know (a newer app may add some).
    #[serde(other)]
    Other,
}

impl ActivityKind {
    pub const ALL: [ActivityKind; 7] = [
        ActivityKind::Conference,
        ActivityKind::Loudspeaker,
        ActivityKind::Leaflets,
        ActivityKind::PostersBanners,
        ActivityKind::SocialMedia,
        ActivityKind::SchoolTalk,
        ActivityKind::Other,
    ];

    pub fn label_vi(self) -> &'static str {
        match self {
            ActivityKind::Conference => "Hội nghị",
            ActivityKind::Loudspeaker => "Loa truyền thanh",
            ActivityKind::Leaflets => "Tờ rơi",
            ActivityKind::PostersBanners => "Pa nô, áp phích, băng rôn",
            ActivityKind::SocialMedia => "Mạng xã hội",
            ActivityKind::SchoolTalk => "Nói chuyện tại trường học",
            ActivityKind::Other => "Hình thức khác",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    #[serde(skip)]
    pub id: Uuid,
    /// The unit that ran it (the record's `unit`).
    #[serde(skip)]
    pub unit: Uuid,
    pub date: NaiveDate,
    pub kind: ActivityKind,
    pub topic: String,
    pub audience: u32,
    #[serde(default)]
    pub plan: Option<Uuid>,
    #[serde(default)]
    pub task: Option<Uuid>,
    /// On newly issued child-protection law: counts for target 1.
    #[serde(default)]
    pub new_law: bool,
}

impl Activity {
    fn from_record(r: &RecordState) -> Result<Activity> {
        let mut a: Activity = record::from_fields(&r.fields)?;
        a.id = r.id;
        a.unit = r.unit;
        Ok(a)
    }
}

/// Check an activity against the store: its unit, plan and task exist, the plan's period holds
/// its date, and the date is not after `today`. Fills `plan` from the task when left out.
fn check(conn: &Connection, a: &mut Activity, today: NaiveDate) -> Result<()> {
    let topic = a.topic.trim();
    if topic.is_empty() {
        return Err(Error::validation("topic", Rule::Required));
    }
    if topic.chars().count() > MAX_TOPIC {
        return Err(Error::validation("topic", Rule::TooLong { max: MAX_TOPIC }));
    }
    a.topic = topic.to_string();
    if a.audience > MAX_AUDIENCE {
        return Err(Error::validation("audience", Rule::OutOfRange { min: 0, max: i64::from(MAX_AUDIENCE) }));
    }
    if a.date > today {
        return Err(Error::validation("date", Rule::NotAfter { date: format_date_vi(today) }));
    }
    let tree = UnitTree::load(conn)?;
    if !tree.contains(a.unit) {
        return Err(Error::validation("unit", Rule::UnknownReference { entity: "unit" }));
    }
    if let Some(task_id) = a.task {
        let task = load_task(conn, task_id).map_err(|_| Error::validation("task", Rule::UnknownReference { entity: "task" }))?;
        if a.plan.is_some_and(|p| p != task.plan) {
            return Err(Error::validation("task", Rule::Invalid { expected: "a task of the same plan" }));
        }
        if !tree.in_scope(task.unit, a.unit) {
            return Err(Error::validation("task", Rule::Invalid { expected: "a task of this unit or a unit above it" }));
        }
        a.plan = Some(task.plan);
    }
    if let Some(plan_id) = a.plan {
        let plan = load_plan(conn, plan_id).map_err(|_| Error::validation("plan", Rule::UnknownReference { entity: "plan" }))?;
        if !tree.readable(a.unit, Entity::Plan, plan.issuer) {
            return Err(Error::validation("plan", Rule::Invalid { expected: "a plan of this unit or a unit above it" }));
        }
        plan.check_in_period("date", a.date)?;
    }
    Ok(())
}

fn put_activity(tx: &mut Tx<'_>, a: &Activity, old: Option<&Activity>) -> Result<Activity> {
    let mut fields = record::to_fields(a)?;
    if let Some(old) = old {
        let before = record::to_fields(old)?;
        fields.retain(|k, v| before.get(k) != Some(v));
    }
    let state = tx.put(Entity::Activity, a.id, a.unit, fields)?;
    Activity::from_record(&state)
}

/// Link the activity to its task as evidence (once).
fn link_to_task(tx: &mut Tx<'_>, a: &Activity) -> Result<()> {
    if let Some(task) = a.task {
        let evidence = Evidence { kind: EvidenceKind::Activity, reference: Some(a.id.to_string()), note: a.topic.clone() };
        attach_evidence_in(tx, task, evidence)?;
    }
    Ok(())
}

/// Activities held by `unit` (every unit when None), oldest first.
pub fn load_activities(conn: &Connection, unit: Option<Uuid>) -> Result<Vec<Activity>> {
    let mut out: Vec<Activity> = list_records(conn, Entity::Activity, unit)?.iter().filter_map(|r| Activity::from_record(r).ok()).collect();
    out.sort_by_key(|a| (a.date, a.id));
    Ok(out)
}

impl Store {
    /// Record an activity `unit` ran. With a task, it also becomes that task's evidence.
    pub fn record_activity(&self, unit: Uuid, activity: &Activity) -> Result<Activity> {
        let today = today_in_vietnam(self.now_millis());
        self.write(|tx| {
            let mut a = Activity { id: Uuid::now_v7(), unit, ..activity.clone() };
            check(tx.conn(), &mut a, today)?;
            let saved = put_activity(tx, &a, None)?;
            link_to_task(tx, &saved)?;
            Ok(saved)
        })
    }

    /// Correct an activity (its unit stays).
    pub fn edit_activity(&self, id: Uuid, activity: &Activity) -> Result<Activity> {
        let today = today_in_vietnam(self.now_millis());
        self.write(|tx| {
            let old = match load_record(tx.conn(), id)? {
                Some(r) if r.entity == Entity::Activity => Activity::from_record(&r)?,
                _ => return Err(Error::NotFound { entity: "activity", id: id.to_string() }),
            };
            let mut a = Activity { id, unit: old.unit, ..activity.clone() };
            check(tx.conn(), &mut a, today)?;
            let saved = put_activity(tx, &a, Some(&old))?;
            link_to_task(tx, &saved)?;
            Ok(saved)
        })
    }

    /// The activities `unit` ran, oldest first.
    pub fn activities(&self, unit: Uuid) -> Result<Vec<Activity>> {
        self.read(|c| load_activities(c, Some(unit)))
    }
}
