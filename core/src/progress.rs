//! Progress against a plan, computed offline from what the store holds: households pledged,
//! clans, meetings held, awareness activities, the checklist, each target against its
//! threshold, and the deadlines coming up.
//!
//! Two halves, so the server computes the same numbers on its own database: `Facts::load`
//! reads the minimum from any connection with the `records` table (phone store or server
//! SQLite; another backend only has to fill `Facts`), and `compute` is pure.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Serialize;
use uuid::Uuid;

use crate::checklist::{Task, TaskStatus, load_tasks};
use crate::percent::Percent;
use crate::clock::{format_date_vi, today_in_vietnam};
use crate::plans::{INDICATOR_NEW_LAW_ACTIVITY, INDICATOR_RESIDENTIAL_AREA_MODEL, Plan, load_plan, plans_for};
use crate::units::UnitTree;
use crate::{Error, Result, Store};

/// Tasks due within this many days count as "due soon".
pub const DUE_SOON_DAYS: i64 = 14;
/// How many upcoming deadlines a summary lists.
pub const UPCOMING_LIMIT: usize = 5;
/// The key task whose completion in a residential area counts for target 2.
pub const MODEL_TASK_CODE: &str = "3.3";

/// Ids of one kind of record in a set of units (households, clans). Public so a server can
/// check that its own indexes cover it (`records_by_entity_unit_id` in the phone schema).
pub const IDS_BY_KIND_SQL: &str = "SELECT id, unit_id FROM records WHERE entity = ?1 AND unit_id IN (SELECT value FROM json_each(?2))";

/// Subjects of the sealed pledges in a set of units; written to match the covering index
/// `records_pledge_subjects` (phone schema migration 3) so no document is read.
pub const SEALED_PLEDGES_SQL: &str = "SELECT unit_id, json_extract(doc, '$.kind'), json_extract(doc, '$.subject') FROM records
     WHERE entity = 'pledge' AND (seal IS NOT NULL) = 1 AND unit_id IN (SELECT value FROM json_each(?1))";

/// A sealed pledge, as progress needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PledgeFact {
    pub unit: Uuid,
    /// "household", "clan" or "residential_area".
    pub kind: String,
    pub subject: Uuid,
}

/// An awareness activity, as progress needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityFact {
    pub unit: Uuid,
    pub date: NaiveDate,
    pub new_law: bool,
    pub audience: u32,
}

/// Everything progress is computed from, for the units of one subtree and one plan.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub plan: Option<Plan>,
    /// (household id, its village).
    pub households: Vec<(Uuid, Uuid)>,
    /// (clan id, its unit).
    pub clans: Vec<(Uuid, Uuid)>,
    /// Sealed pledges only.
    pub pledges: Vec<PledgeFact>,
    /// Sealed original minutes (amendments left out): (unit, day held in Vietnam).
    pub meetings: Vec<(Uuid, NaiveDate)>,
    pub activities: Vec<ActivityFact>,
    /// The checklists under the plan (none without a plan).
    pub tasks: Vec<Task>,
}

fn uuid(s: &str) -> Result<Uuid> {
    Uuid::parse_str(s).map_err(|e| Error::Store(format!("bad id in store: {e}")))
}

impl Facts {
    /// Load the facts for the subtree of `scope` (and `plan`, if any) from a database with the
    /// `records` table.
    pub fn load(conn: &Connection, tree: &UnitTree, scope: Uuid, plan: Option<Uuid>) -> Result<Facts> {
        let units = tree.subtree(scope);
        let ids = serde_json::to_string(&units.iter().map(|u| u.to_string()).collect::<Vec<_>>())?;
        let plan = plan.map(|p| load_plan(conn, p)).transpose()?;
        let pairs = |entity: &str| -> Result<Vec<(Uuid, Uuid)>> {
            let mut stmt = conn.prepare_cached(IDS_BY_KIND_SQL)?;
            let rows = stmt.query_map(rusqlite::params![entity, ids], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            let mut out = Vec::new();
            for row in rows {
                let (id, unit) = row?;
                out.push((uuid(&id)?, uuid(&unit)?));
            }
            Ok(out)
        };
        let households = pairs("household")?;
        let clans = pairs("clan")?;

        let mut pledges = Vec::new();
        let mut stmt = conn.prepare_cached(SEALED_PLEDGES_SQL)?;
        let rows =
            stmt.query_map([&ids], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, Option<String>>(2)?)))?;
        for row in rows {
            let (unit, kind, subject) = row?;
            if let (Some(kind), Some(Ok(subject))) = (kind, subject.as_deref().map(Uuid::parse_str)) {
                pledges.push(PledgeFact { unit: uuid(&unit)?, kind, subject });
            }
        }

        let mut meetings = Vec::new();
        let mut stmt = conn.prepare_cached(
            "SELECT unit_id, json_extract(doc, '$.held_at') FROM records
             WHERE entity = 'minutes' AND seal IS NOT NULL AND json_extract(doc, '$.amends') IS NULL
               AND unit_id IN (SELECT value FROM json_each(?1))",
        )?;
        let rows = stmt.query_map([&ids], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<i64>>(1)?)))?;
        for row in rows {
            if let (unit, Some(held_at)) = row? {
                meetings.push((uuid(&unit)?, today_in_vietnam(held_at)));
            }
        }

        let mut activities = Vec::new();
        let mut stmt = conn.prepare_cached(
            "SELECT unit_id, json_extract(doc, '$.date'), json_extract(doc, '$.new_law'), json_extract(doc, '$.audience')
             FROM records WHERE entity = 'activity' AND unit_id IN (SELECT value FROM json_each(?1))",
        )?;
        let rows = stmt.query_map([&ids], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, Option<bool>>(2)?, r.get::<_, Option<i64>>(3)?))
        })?;
        for row in rows {
            let (unit, date, new_law, audience) = row?;
            if let Some(Ok(date)) = date.map(|d| d.parse::<NaiveDate>()) {
                let audience = u32::try_from(audience.unwrap_or(0)).unwrap_or(0);
                activities.push(ActivityFact { unit: uuid(&unit)?, date, new_law: new_law.unwrap_or(false), audience });
            }
        }

        let tasks = match &plan {
            Some(p) => load_tasks(conn, &units, Some(p.id))?,
            None => Vec::new(),
        };
        Ok(Facts { plan, households, clans, pledges, meetings, activities, tasks })
    }
}

/// A count against a total, with the share as every screen and report shows it
/// (`crate::percent`: floored to a tenth of a percent, "83,3%").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ratio {
    pub done: u32,
    pub total: u32,
    /// The share in tenths of a percent, floored: 833 for 5 of 6.
    pub pct_tenths: u32,
    /// The share as shown: "83,3%".
    pub pct_text: String,
}

impl Ratio {
    pub fn new(done: usize, total: usize) -> Ratio {
        let p = Percent::of(done as u64, total as u64);
        Ratio { done: done as u32, total: total as u32, pct_tenths: p.tenths(), pct_text: p.text() }
    }

    pub fn percent(&self) -> Percent {
        Percent::of(u64::from(self.done), u64::from(self.total))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ChecklistSummary {
    pub total: u32,
    pub done: u32,
    pub not_applicable: u32,
    /// Open (todo or doing) and not yet past due.
    pub open: u32,
    pub overdue: u32,
    /// Open and due within `DUE_SOON_DAYS` days (today included).
    pub due_soon: u32,
}

/// A task on a summary screen, with its due date as people read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskItem {
    pub task: Uuid,
    pub unit: Uuid,
    pub code: String,
    pub title: String,
    pub status: TaskStatus,
    pub due: NaiveDate,
    /// dd/mm/yyyy.
    pub due_text: String,
    /// Negative when overdue.
    pub days_left: i64,
}

impl TaskItem {
    fn new(t: &Task, today: NaiveDate) -> TaskItem {
        TaskItem {
            task: t.id,
            unit: t.unit,
            code: t.code.clone(),
            title: t.title.clone(),
            status: t.status,
            due: t.due,
            due_text: format_date_vi(t.due),
            days_left: (t.due - today).num_days(),
        }
    }
}

/// One target of the plan against its threshold, over the units below the one asked about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetProgress {
    pub code: String,
    pub text: String,
    pub indicator: String,
    pub threshold_pct: u32,
    /// Units measured (communes for target 1, residential areas for target 2) and how many
    /// meet the indicator. `measured` is 0 when the unit asked about is below that level.
    pub measured: u32,
    pub met: u32,
    /// `met` of `measured`; None when nothing is measured here or the indicator is unknown to
    /// this build.
    pub value: Option<Ratio>,
    pub reached: Option<bool>,
    /// The measured units that do not meet it yet, by name.
    pub missing: Vec<String>,
}

/// One residential area's line in a commune's progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AreaProgress {
    pub unit: Uuid,
    pub name: String,
    pub households: Ratio,
    pub meetings: u32,
    pub activities: u32,
    pub checklist: ChecklistSummary,
    /// Target 2's indicator: a model built (task 3.3 done) or a residential-area pledge.
    pub model: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub unit: Uuid,
    pub name: String,
    pub plan: Option<Uuid>,
    pub today: NaiveDate,
    pub today_text: String,
    /// Households pledged / households.
    pub households: Ratio,
    /// Clans pledged / clans.
    pub clans: Ratio,
    pub residential_area_pledges: u32,
    /// Sealed minutes of meetings held within the plan period (all, without a plan).
    pub meetings: u32,
    pub activities: u32,
    pub new_law_activities: u32,
    pub audience: u64,
    /// The unit's own checklist.
    pub checklist: ChecklistSummary,
    pub targets: Vec<TargetProgress>,
    /// The unit's own open tasks not yet past due, soonest first (at most `UPCOMING_LIMIT`).
    pub upcoming: Vec<TaskItem>,
    /// The residential areas below, one line each (empty for a residential area).
    pub areas: Vec<AreaProgress>,
}

/// The village head's first screen: progress, what is due soon and what is overdue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HomeSummary {
    pub progress: Progress,
    pub households_left: u32,
    pub due_soon: Vec<TaskItem>,
    pub overdue: Vec<TaskItem>,
}

fn summarize(tasks: &[&Task], today: NaiveDate) -> ChecklistSummary {
    let mut s = ChecklistSummary { total: tasks.len() as u32, ..Default::default() };
    for t in tasks {
        match t.status {
            TaskStatus::Done => s.done += 1,
            TaskStatus::NotApplicable => s.not_applicable += 1,
            _ if t.due < today => s.overdue += 1,
            _ => {
                s.open += 1;
                if (t.due - today).num_days() < DUE_SOON_DAYS {
                    s.due_soon += 1;
                }
            }
        }
    }
    s
}

/// The facts indexed by unit in one pass, so that any unit's progress is a walk over its
/// subtree rather than a scan of every fact (a district holds 100,000 pledges; it has 200
/// residential areas to measure).
struct Counts<'a> {
    plan: Option<&'a Plan>,
    /// Per unit: (households, households pledged), (clans, clans pledged).
    by_unit: HashMap<Uuid, [(usize, usize); 2]>,
    /// Per unit: sealed minutes of meetings held within the plan period.
    meetings: HashMap<Uuid, u32>,
    /// Per unit: awareness activities within the plan period.
    activities: HashMap<Uuid, Vec<&'a ActivityFact>>,
    /// Per unit: its own checklist, in the order of the facts.
    tasks: HashMap<Uuid, Vec<&'a Task>>,
    /// Units whose task `MODEL_TASK_CODE` is done.
    model_tasks: HashSet<Uuid>,
    /// Per unit: the sealed residential-area pledges it keeps.
    area_pledges: HashMap<Uuid, u32>,
    /// Units a sealed residential-area pledge is kept by or names.
    area_pledge_units: HashSet<Uuid>,
    /// Units a sealed residential-area pledge names.
    area_pledge_subjects: HashSet<Uuid>,
}

impl<'a> Counts<'a> {
    fn new(facts: &'a Facts) -> Counts<'a> {
        let period = facts.plan.as_ref().map(|p| p.period);
        let in_period = |d: NaiveDate| period.is_none_or(|p| p.contains(d));
        // A subject signed for twice (an amendment) still counts once.
        let pledged: HashSet<(&str, Uuid)> = facts.pledges.iter().map(|p| (p.kind.as_str(), p.subject)).collect();
        let mut by_unit: HashMap<Uuid, [(usize, usize); 2]> = HashMap::new();
        for (slot, kind, list) in [(0, "household", &facts.households), (1, "clan", &facts.clans)] {
            for (id, unit) in list {
                let c = &mut by_unit.entry(*unit).or_default()[slot];
                c.0 += 1;
                c.1 += usize::from(pledged.contains(&(kind, *id)));
            }
        }
        let mut meetings: HashMap<Uuid, u32> = HashMap::new();
        for (unit, day) in &facts.meetings {
            if in_period(*day) {
                *meetings.entry(*unit).or_default() += 1;
            }
        }
        let mut activities: HashMap<Uuid, Vec<&ActivityFact>> = HashMap::new();
        for a in facts.activities.iter().filter(|a| in_period(a.date)) {
            activities.entry(a.unit).or_default().push(a);
        }
        let mut tasks: HashMap<Uuid, Vec<&Task>> = HashMap::new();
        let mut model_tasks = HashSet::new();
        for t in &facts.tasks {
            tasks.entry(t.unit).or_default().push(t);
            if t.code == MODEL_TASK_CODE && t.status == TaskStatus::Done {
                model_tasks.insert(t.unit);
            }
        }
        let mut area_pledges: HashMap<Uuid, u32> = HashMap::new();
        let mut area_pledge_units = HashSet::new();
        let mut area_pledge_subjects = HashSet::new();
        for p in facts.pledges.iter().filter(|p| p.kind == "residential_area") {
            *area_pledges.entry(p.unit).or_default() += 1;
            area_pledge_units.extend([p.unit, p.subject]);
            area_pledge_subjects.insert(p.subject);
        }
        Counts { plan: facts.plan.as_ref(), by_unit, meetings, activities, tasks, model_tasks, area_pledges, area_pledge_units, area_pledge_subjects }
    }

    fn ratio(&self, units: &[Uuid], slot: usize) -> Ratio {
        let (total, done) = units.iter().filter_map(|u| self.by_unit.get(u)).fold((0, 0), |(t, d), c| (t + c[slot].0, d + c[slot].1));
        Ratio::new(done, total)
    }

    fn households(&self, units: &[Uuid]) -> Ratio {
        self.ratio(units, 0)
    }

    fn clans(&self, units: &[Uuid]) -> Ratio {
        self.ratio(units, 1)
    }

    fn meetings(&self, units: &[Uuid]) -> u32 {
        units.iter().filter_map(|u| self.meetings.get(u)).sum()
    }

    fn activities<'s>(&'s self, units: &'s [Uuid]) -> impl Iterator<Item = &'a ActivityFact> + 's {
        units.iter().filter_map(|u| self.activities.get(u)).flatten().copied()
    }

    fn new_law_activity(&self, units: &[Uuid]) -> bool {
        self.activities(units).any(|a| a.new_law)
    }

    fn tasks_of(&self, unit: Uuid) -> &[&'a Task] {
        self.tasks.get(&unit).map_or(&[], Vec::as_slice)
    }

    fn residential_area_pledges(&self, units: &[Uuid]) -> u32 {
        units.iter().filter_map(|u| self.area_pledges.get(u)).sum()
    }

    /// Target 2's indicator for `area` (whose subtree is `units`): task 3.3 done in it, or a
    /// sealed residential-area pledge naming it or kept in it.
    fn model(&self, area: Uuid, units: &[Uuid]) -> bool {
        self.area_pledge_subjects.contains(&area)
            || units.iter().any(|u| self.model_tasks.contains(u) || self.area_pledge_units.contains(u))
    }
}

fn target_progress(tree: &UnitTree, counts: &Counts<'_>, unit: Uuid, target: &crate::plans::Target, today: NaiveDate) -> TargetProgress {
    let measured: Vec<_> = tree
        .subtree(unit)
        .into_iter()
        .filter(|u| tree.matches_level(*u, &target.measured_over) && tree.get(*u).is_some_and(|x| x.is_active_on(today)))
        .collect();
    let known = [INDICATOR_NEW_LAW_ACTIVITY, INDICATOR_RESIDENTIAL_AREA_MODEL].contains(&target.indicator.as_str());
    let mut met = 0;
    let mut missing = Vec::new();
    for m in &measured {
        let units = tree.subtree(*m);
        let ok = match target.indicator.as_str() {
            INDICATOR_NEW_LAW_ACTIVITY => counts.new_law_activity(&units),
            INDICATOR_RESIDENTIAL_AREA_MODEL => counts.model(*m, &units),
            _ => false,
        };
        if ok {
            met += 1;
        } else {
            missing.push(tree.name_on(*m, today).unwrap_or_default().to_string());
        }
    }
    let n = measured.len();
    let value = (known && n > 0).then(|| Ratio::new(met, n));
    TargetProgress {
        code: target.code.clone(),
        text: target.text.clone(),
        indicator: target.indicator.clone(),
        threshold_pct: target.threshold_pct,
        measured: if known { n as u32 } else { 0 },
        met: met as u32,
        reached: value.as_ref().map(|v| v.percent().reaches(target.threshold_pct)),
        value,
        missing: if known { missing } else { Vec::new() },
    }
}

/// Progress of `unit` (a residential area, a commune, or any unit above) on `today`.
pub fn compute(tree: &UnitTree, facts: &Facts, unit: Uuid, today: NaiveDate) -> Progress {
    progress_of(tree, &Counts::new(facts), unit, today)
}

/// Progress of each of `units` from the same facts (a district's, say, for the district and
/// each of its communes): the facts are indexed once, and every result equals `compute`'s.
pub fn compute_each(tree: &UnitTree, facts: &Facts, units: &[Uuid], today: NaiveDate) -> Vec<Progress> {
    let counts = Counts::new(facts);
    units.iter().map(|u| progress_of(tree, &counts, *u, today)).collect()
}

fn progress_of(tree: &UnitTree, counts: &Counts<'_>, unit: Uuid, today: NaiveDate) -> Progress {
    let units = tree.subtree(unit);
    let activities: Vec<_> = counts.activities(&units).collect();
    let own_tasks = counts.tasks_of(unit);
    let mut upcoming: Vec<TaskItem> =
        own_tasks.iter().filter(|t| t.status.is_open() && t.due >= today).map(|t| TaskItem::new(t, today)).collect();
    upcoming.sort_by(|a, b| (a.due, &a.code).cmp(&(b.due, &b.code)));
    upcoming.truncate(UPCOMING_LIMIT);

    let areas = if tree.is_residential_area(unit) {
        Vec::new()
    } else {
        tree.residential_areas(unit, today)
            .into_iter()
            .map(|area| {
                let area_units = tree.subtree(area.id);
                AreaProgress {
                    unit: area.id,
                    name: area.name_on(today).to_string(),
                    households: counts.households(&area_units),
                    meetings: counts.meetings(&area_units),
                    activities: counts.activities(&area_units).count() as u32,
                    checklist: summarize(counts.tasks_of(area.id), today),
                    model: counts.model(area.id, &area_units),
                }
            })
            .collect()
    };

    Progress {
        unit,
        name: tree.name_on(unit, today).unwrap_or_default().to_string(),
        plan: counts.plan.map(|p| p.id),
        today,
        today_text: format_date_vi(today),
        households: counts.households(&units),
        clans: counts.clans(&units),
        residential_area_pledges: counts.residential_area_pledges(&units),
        meetings: counts.meetings(&units),
        activities: activities.len() as u32,
        new_law_activities: activities.iter().filter(|a| a.new_law).count() as u32,
        audience: activities.iter().map(|a| u64::from(a.audience)).sum(),
        checklist: summarize(own_tasks, today),
        targets: counts.plan.iter().flat_map(|p| &p.targets).map(|t| target_progress(tree, counts, unit, t, today)).collect(),
        upcoming,
        areas,
    }
}

/// The home screen of `unit` (a village head's), from its progress and its own tasks.
pub fn home(tree: &UnitTree, facts: &Facts, unit: Uuid, today: NaiveDate) -> HomeSummary {
    let progress = compute(tree, facts, unit, today);
    let own = facts.tasks.iter().filter(|t| t.unit == unit && t.status.is_open());
    let mut due_soon = Vec::new();
    let mut overdue = Vec::new();
    for t in own {
        let item = TaskItem::new(t, today);
        if t.due < today {
            overdue.push(item);
        } else if item.days_left < DUE_SOON_DAYS {
            due_soon.push(item);
        }
    }
    due_soon.sort_by(|a, b| (a.due, &a.code).cmp(&(b.due, &b.code)));
    overdue.sort_by(|a, b| (a.due, &a.code).cmp(&(b.due, &b.code)));
    HomeSummary { households_left: progress.households.total - progress.households.done, progress, due_soon, overdue }
}

/// Progress of `unit` under `plan` from a database with the `records` table, on `today`.
pub fn progress_from(conn: &Connection, unit: Uuid, plan: Option<Uuid>, today: NaiveDate) -> Result<Progress> {
    let tree = UnitTree::load(conn)?;
    if !tree.contains(unit) {
        return Err(Error::NotFound { entity: "unit", id: unit.to_string() });
    }
    let facts = Facts::load(conn, &tree, unit, plan)?;
    Ok(compute(&tree, &facts, unit, today))
}

impl Store {
    /// Today's date in Vietnam by this store's (server-corrected) clock.
    pub fn today(&self) -> NaiveDate {
        today_in_vietnam(self.now_millis())
    }

    /// Progress of a village, a commune (with a line per village) or any unit, under `plan`.
    pub fn progress(&self, unit: Uuid, plan: Option<Uuid>) -> Result<Progress> {
        let today = self.today();
        self.read(|c| progress_from(c, unit, plan, today))
    }

    /// The village head's home screen under the plan in force today: the newest one that gives
    /// the unit a checklist (a commune's own plan may sit beside the district's), else the
    /// newest that applies.
    pub fn home(&self, unit: Uuid) -> Result<HomeSummary> {
        let today = self.today();
        self.read(|c| {
            let tree = UnitTree::load(c)?;
            if !tree.contains(unit) {
                return Err(Error::NotFound { entity: "unit", id: unit.to_string() });
            }
            let in_force: Vec<Plan> = plans_for(c, &tree, unit)?.into_iter().filter(|p| p.period.contains(today)).collect();
            let mut plan = in_force.first().map(|p| p.id);
            for p in &in_force {
                if !load_tasks(c, &[unit], Some(p.id))?.is_empty() {
                    plan = Some(p.id);
                    break;
                }
            }
            let facts = Facts::load(c, &tree, unit, plan)?;
            Ok(home(&tree, &facts, unit, today))
        })
    }
}
