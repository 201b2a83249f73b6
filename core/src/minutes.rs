//! Meeting minutes (biên bản hội nghị): a draft is written and edited freely, then sealed, which
//! checks that the minutes are complete, records who sealed them and when, and hashes the
//! content. A sealed record never changes; a correction is an amendment, a new minutes record
//! that points at the sealed one and is sealed in its turn.

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::lookup::{existing, put_changed};
use crate::record::{self, Entity, RecordState, Seal};
use crate::store::{Store, list_records};
use crate::validate::{self, MAX_LINE, MAX_NAME, MAX_TEXT};
use crate::{Error, Result, Rule, attachments, clock};

/// Most people one meeting may count.
pub const MAX_ATTENDEES: u32 = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingKind {
    #[default]
    VillageConference,
    CommuneConference,
    /// Also any value this build does not know (a newer app may add some).
    #[serde(other)]
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttendeeRole {
    HouseholdRepresentative,
    ClanHead,
    Youth,
    Women,
    Police,
    School,
    /// Also any role this build does not know (a newer app may add roles): the minutes still open.
    #[default]
    #[serde(other)]
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Attendee {
    pub name: String,
    pub role: AttendeeRole,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AssignedTask {
    pub what: String,
    pub who: String,
    pub due: Option<NaiveDate>,
}

/// What the secretary writes (the contract's `minutes` fields except `amends`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MinutesContent {
    /// When the meeting was held, Unix milliseconds; may be unset while drafting.
    pub held_at: Option<i64>,
    pub place: String,
    pub kind: MeetingKind,
    pub chair: String,
    pub secretary: String,
    pub attendee_count: u32,
    /// Optional named list; never longer than `attendee_count`.
    pub attendees: Vec<Attendee>,
    pub agenda: String,
    pub contents: String,
    pub conclusions: String,
    pub assigned_tasks: Vec<AssignedTask>,
    /// SHA-256 of photos kept with `put_attachment`.
    pub attachments: Vec<String>,
    pub plan: Option<Uuid>,
    pub task: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Minutes {
    pub id: Uuid,
    /// The unit that held the meeting.
    pub unit: Uuid,
    pub content: MinutesContent,
    /// The sealed minutes this record corrects.
    pub amends: Option<Uuid>,
    pub seal: Option<Seal>,
}

/// Minutes as a list shows them: each original with the amendments that correct it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinutesWithAmendments {
    pub minutes: Minutes,
    /// Oldest first; includes amendments of amendments.
    pub amendments: Vec<Minutes>,
}

impl Minutes {
    pub fn is_sealed(&self) -> bool {
        self.seal.is_some()
    }

    fn from_record(r: &RecordState) -> Result<Minutes> {
        Ok(Minutes { id: r.id, unit: r.unit, content: record::from_fields(&r.fields)?, amends: amends_of(r), seal: r.seal.clone() })
    }
}

impl Store {
    /// Start the minutes of a meeting held by `unit`, as a draft.
    pub fn create_minutes(&self, unit: Uuid, content: &MinutesContent) -> Result<Minutes> {
        self.write(|tx| {
            let content = check_draft(tx.conn(), content)?;
            let id = Uuid::now_v7();
            let mut fields = record::to_fields(&content)?;
            fields.insert("amends".into(), Value::Null);
            tx.put(Entity::Minutes, id, unit, fields)?;
            Ok(Minutes { id, unit, content, amends: None, seal: None })
        })
    }

    /// Change a draft. Sealed minutes are refused (`Error::Sealed`): amend them instead.
    pub fn edit_minutes(&self, id: Uuid, content: &MinutesContent) -> Result<Minutes> {
        self.write(|tx| {
            let current = existing(tx.conn(), id, Entity::Minutes)?;
            if current.seal.is_some() {
                return Err(Error::Sealed { entity: "minutes", id: id.to_string() });
            }
            let content = check_draft(tx.conn(), content)?;
            put_changed(tx, &current, record::to_fields(&content)?)?;
            Ok(Minutes { id, unit: current.unit, content, amends: amends_of(&current), seal: None })
        })
    }

    /// Seal minutes once complete: chair, secretary, place, time (not in the future), at least
    /// one attendee, named attendees no more than the count, every attachment on this device.
    pub fn seal_minutes(&self, id: Uuid, by: &str) -> Result<Minutes> {
        self.write(|tx| {
            let current = existing(tx.conn(), id, Entity::Minutes)?;
            if current.seal.is_some() {
                return Err(Error::Sealed { entity: "minutes", id: id.to_string() });
            }
            let by = validate::required("sealed_by", by, MAX_NAME)?;
            let minutes = Minutes::from_record(&current)?;
            check_complete(tx.conn(), &minutes.content, tx.now_millis())?;
            let seal = tx.seal(Entity::Minutes, id, &by)?;
            Ok(Minutes { seal: Some(seal), ..minutes })
        })
    }

    /// Start an amendment of sealed minutes: a draft in the same unit pointing at the original.
    pub fn amend_minutes(&self, original: Uuid, content: &MinutesContent) -> Result<Minutes> {
        self.write(|tx| {
            let orig = existing(tx.conn(), original, Entity::Minutes)?;
            if orig.seal.is_none() {
                return Err(Error::validation("amends", Rule::Invalid { expected: "sealed minutes (edit a draft directly)" }));
            }
            let content = check_draft(tx.conn(), content)?;
            let id = Uuid::now_v7();
            let mut fields = record::to_fields(&content)?;
            fields.insert("amends".into(), Value::String(original.to_string()));
            tx.put(Entity::Minutes, id, orig.unit, fields)?;
            Ok(Minutes { id, unit: orig.unit, content, amends: Some(original), seal: None })
        })
    }

    pub fn minutes(&self, id: Uuid) -> Result<Minutes> {
        self.read(|c| Minutes::from_record(&existing(c, id, Entity::Minutes)?))
    }

    /// The minutes of a unit, newest meeting first (undated drafts first of all), each with
    /// its amendments.
    pub fn minutes_of_unit(&self, unit: Uuid) -> Result<Vec<MinutesWithAmendments>> {
        self.read(|c| {
            let all: Vec<Minutes> = list_records(c, Entity::Minutes, Some(unit))?.iter().map(Minutes::from_record).collect::<Result<_>>()?;
            let parent: HashMap<Uuid, Option<Uuid>> = all.iter().map(|m| (m.id, m.amends)).collect();
            // Follow `amends` up to the original held in this unit (bounded: no cycles possible
            // locally, but records come from other devices too).
            let root = |mut id: Uuid| {
                for _ in 0..all.len() {
                    match parent.get(&id).copied().flatten() {
                        Some(p) if parent.contains_key(&p) => id = p,
                        _ => break,
                    }
                }
                id
            };
            let mut groups: Vec<MinutesWithAmendments> = Vec::new();
            let mut index: HashMap<Uuid, usize> = HashMap::new();
            // Records come in id order (UUIDv7: creation order), so amendments stay oldest first.
            for m in all.iter().filter(|m| root(m.id) == m.id) {
                index.insert(m.id, groups.len());
                groups.push(MinutesWithAmendments { minutes: m.clone(), amendments: Vec::new() });
            }
            for m in all.iter().filter(|m| root(m.id) != m.id) {
                if let Some(&i) = index.get(&root(m.id)) {
                    groups[i].amendments.push(m.clone());
                }
            }
            groups.sort_by_key(|g| std::cmp::Reverse(g.minutes.content.held_at.unwrap_or(i64::MAX)));
            Ok(groups)
        })
    }
}

fn amends_of(r: &RecordState) -> Option<Uuid> {
    r.fields.get("amends").and_then(Value::as_str).and_then(|s| Uuid::parse_str(s).ok())
}

/// What a draft must already satisfy: lengths, known plan and task, well-formed hashes.
fn check_draft(conn: &Connection, c: &MinutesContent) -> Result<MinutesContent> {
    if let Some(t) = c.held_at {
        validate::range("held_at", t, 0, i64::MAX)?;
    }
    validate::range("attendee_count", c.attendee_count.into(), 0, MAX_ATTENDEES.into())?;
    let attendees = c
        .attendees
        .iter()
        .enumerate()
        .map(|(i, a)| {
            Ok(Attendee { name: validate::limited("name", &a.name, MAX_NAME).map_err(|e| validate::in_row("attendees", i, e))?, role: a.role })
        })
        .collect::<Result<_>>()?;
    let assigned_tasks = c
        .assigned_tasks
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let row = |e| validate::in_row("assigned_tasks", i, e);
            Ok(AssignedTask {
                what: validate::limited("what", &t.what, MAX_LINE).map_err(row)?,
                who: validate::limited("who", &t.who, MAX_NAME).map_err(row)?,
                due: t.due,
            })
        })
        .collect::<Result<_>>()?;
    for sha in &c.attachments {
        validate::sha256("attachments", sha)?;
    }
    validate::optional_reference(conn, "plan", c.plan, Entity::Plan)?;
    validate::optional_reference(conn, "task", c.task, Entity::Task)?;
    Ok(MinutesContent {
        held_at: c.held_at,
        place: validate::limited("place", &c.place, MAX_LINE)?,
        kind: c.kind,
        chair: validate::limited("chair", &c.chair, MAX_NAME)?,
        secretary: validate::limited("secretary", &c.secretary, MAX_NAME)?,
        attendee_count: c.attendee_count,
        attendees,
        agenda: validate::limited("agenda", &c.agenda, MAX_TEXT)?,
        contents: validate::limited("contents", &c.contents, MAX_TEXT)?,
        conclusions: validate::limited("conclusions", &c.conclusions, MAX_TEXT)?,
        assigned_tasks,
        attachments: c.attachments.clone(),
        plan: c.plan,
        task: c.task,
    })
}

/// What sealed minutes must hold.
fn check_complete(conn: &Connection, c: &MinutesContent, now_millis: i64) -> Result<()> {
    let c = check_draft(conn, c)?;
    validate::required("chair", &c.chair, MAX_NAME)?;
    validate::required("secretary", &c.secretary, MAX_NAME)?;
    validate::required("place", &c.place, MAX_LINE)?;
    let held_at = c.held_at.ok_or_else(|| Error::validation("held_at", Rule::Required))?;
    validate::not_future("held_at", clock::today_in_vietnam(held_at), now_millis)?;
    validate::range("attendee_count", c.attendee_count.into(), 1, MAX_ATTENDEES.into())?;
    if c.attendees.len() > c.attendee_count as usize {
        return Err(Error::validation("attendees", Rule::Invalid { expected: "no more names than the number of attendees" }));
    }
    for (i, a) in c.attendees.iter().enumerate() {
        validate::required("name", &a.name, MAX_NAME).map_err(|e| validate::in_row("attendees", i, e))?;
    }
    for (i, t) in c.assigned_tasks.iter().enumerate() {
        validate::required("what", &t.what, MAX_LINE).map_err(|e| validate::in_row("assigned_tasks", i, e))?;
    }
    for sha in &c.attachments {
        if !attachments::exists(conn, sha)? {
            return Err(Error::validation("attachments", Rule::UnknownReference { entity: "attachment" }));
        }
    }
    Ok(())
}
