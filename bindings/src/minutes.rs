//! Minutes of meetings, from draft to seal, and amendments of sealed minutes.

use sotay_core::minutes::{AssignedTask, Attendee, AttendeeRole, MeetingKind, Minutes, MinutesContent, MinutesWithAmendments};

use crate::dates::{format_date_vi_opt, format_instant_vi, parse_optional_iso};
use crate::error::{Result, call};
use crate::ids::{parse_id, parse_optional_id};
use crate::seal::SealInfo;
use crate::store::SotayStore;

#[uniffi::remote(Enum)]
pub enum MeetingKind {
    VillageConference,
    CommuneConference,
    Other,
}

#[uniffi::remote(Enum)]
pub enum AttendeeRole {
    HouseholdRepresentative,
    ClanHead,
    Youth,
    Women,
    Police,
    School,
    Other,
}

#[uniffi::remote(Record)]
pub struct Attendee {
    pub name: String,
    pub role: AttendeeRole,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AssignedTaskForm {
    pub what: String,
    pub who: String,
    /// ISO `YYYY-MM-DD`, or null.
    pub due: Option<String>,
    /// `dd/mm/yyyy`: filled in what the store returns, ignored on input.
    pub due_shown: Option<String>,
}

/// The minutes form, as the secretary fills it; sent to create and edit, returned in
/// `MinutesItem.form` so a draft can be edited further.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MinutesForm {
    /// When the meeting was held, Unix ms; may be null while drafting.
    pub held_at: Option<i64>,
    pub place: String,
    pub kind: MeetingKind,
    pub chair: String,
    pub secretary: String,
    pub attendee_count: u32,
    /// Optional named list, never longer than `attendee_count`.
    pub attendees: Vec<Attendee>,
    pub agenda: String,
    pub contents: String,
    pub conclusions: String,
    pub assigned_tasks: Vec<AssignedTaskForm>,
    /// SHA-256 of photos kept on the device.
    pub attachments: Vec<String>,
    pub plan_id: Option<String>,
    pub task_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MinutesItem {
    pub id: String,
    /// The unit that held the meeting.
    pub unit_id: String,
    pub form: MinutesForm,
    /// `dd/mm/yyyy HH:MM`, Vietnam time.
    pub held_at_shown: Option<String>,
    /// The sealed minutes this draft or record corrects.
    pub amends_id: Option<String>,
    /// Null while a draft.
    pub seal: Option<SealInfo>,
}

/// An original with the amendments that correct it, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MinutesEntry {
    pub minutes: MinutesItem,
    pub amendments: Vec<MinutesItem>,
}

impl MinutesForm {
    fn into_core(self) -> sotay_core::Result<MinutesContent> {
        let assigned_tasks = self
            .assigned_tasks
            .into_iter()
            .enumerate()
            .map(|(i, t)| {
                Ok(AssignedTask { due: parse_optional_iso(&format!("assigned_tasks[{i}].due"), t.due)?, what: t.what, who: t.who })
            })
            .collect::<sotay_core::Result<_>>()?;
        Ok(MinutesContent {
            held_at: self.held_at,
            place: self.place,
            kind: self.kind,
            chair: self.chair,
            secretary: self.secretary,
            attendee_count: self.attendee_count,
            attendees: self.attendees,
            agenda: self.agenda,
            contents: self.contents,
            conclusions: self.conclusions,
            assigned_tasks,
            attachments: self.attachments,
            plan: parse_optional_id("plan", self.plan_id)?,
            task: parse_optional_id("task", self.task_id)?,
        })
    }
}

impl From<MinutesContent> for MinutesForm {
    fn from(c: MinutesContent) -> Self {
        MinutesForm {
            held_at: c.held_at,
            place: c.place,
            kind: c.kind,
            chair: c.chair,
            secretary: c.secretary,
            attendee_count: c.attendee_count,
            attendees: c.attendees,
            agenda: c.agenda,
            contents: c.contents,
            conclusions: c.conclusions,
            assigned_tasks: c
                .assigned_tasks
                .into_iter()
                .map(|t| AssignedTaskForm {
                    due: t.due.map(|d| d.format("%Y-%m-%d").to_string()),
                    due_shown: format_date_vi_opt(t.due),
                    what: t.what,
                    who: t.who,
                })
                .collect(),
            attachments: c.attachments,
            plan_id: c.plan.map(|u| u.to_string()),
            task_id: c.task.map(|u| u.to_string()),
        }
    }
}

impl From<Minutes> for MinutesItem {
    fn from(m: Minutes) -> Self {
        MinutesItem {
            id: m.id.to_string(),
            unit_id: m.unit.to_string(),
            held_at_shown: m.content.held_at.map(format_instant_vi),
            form: m.content.into(),
            amends_id: m.amends.map(|u| u.to_string()),
            seal: m.seal.map(SealInfo::from),
        }
    }
}

impl From<MinutesWithAmendments> for MinutesEntry {
    fn from(m: MinutesWithAmendments) -> Self {
        MinutesEntry { minutes: m.minutes.into(), amendments: m.amendments.into_iter().map(MinutesItem::from).collect() }
    }
}

#[uniffi::export]
impl SotayStore {
    /// Start the minutes of a meeting held by `unit_id`, as a draft (checked lightly).
    pub fn create_minutes(&self, unit_id: String, form: MinutesForm) -> Result<MinutesItem> {
        call(|| Ok(self.store.create_minutes(parse_id("unit_id", &unit_id)?, &form.into_core()?)?.into()))
    }

    /// Save a draft. Sealed minutes are refused (kind `sealed`): amend them instead.
    pub fn edit_minutes(&self, id: String, form: MinutesForm) -> Result<MinutesItem> {
        call(|| Ok(self.store.edit_minutes(parse_id("minutes_id", &id)?, &form.into_core()?)?.into()))
    }

    /// Seal complete minutes (chair, secretary, place, time, attendees...); immutable after.
    /// A missing piece is a validation error naming the field.
    pub fn seal_minutes(&self, id: String, sealed_by: String) -> Result<MinutesItem> {
        call(|| Ok(self.store.seal_minutes(parse_id("minutes_id", &id)?, &sealed_by)?.into()))
    }

    /// Start an amendment of sealed minutes: a draft pointing at the original.
    pub fn amend_minutes(&self, original_id: String, form: MinutesForm) -> Result<MinutesItem> {
        call(|| Ok(self.store.amend_minutes(parse_id("amends", &original_id)?, &form.into_core()?)?.into()))
    }

    pub fn minutes(&self, id: String) -> Result<MinutesItem> {
        call(|| Ok(self.store.minutes(parse_id("minutes_id", &id)?)?.into()))
    }

    /// The unit's minutes, newest meeting first (undated drafts first), each with its amendments.
    pub fn minutes_of_unit(&self, unit_id: String) -> Result<Vec<MinutesEntry>> {
        call(|| Ok(self.store.minutes_of_unit(parse_id("unit_id", &unit_id)?)?.into_iter().map(MinutesEntry::from).collect()))
    }
}
