//! Administrative units: a tree whose levels are data. Units are records (entity `unit`) with a
//! level name ("tỉnh", "huyện", "xã", "thị trấn", "thôn", "tổ dân phố", ...), a parent, renames
//! and a merge, each effective from a date, so the tree before and after the July 2025 reform
//! (province / commune / village, districts gone) is the same code with other data.
//!
//! `UnitTree` is built from unit records and answers tree and scope questions without touching
//! the store, so the server checks scope with the same code the phone uses.
//!
//! Which units are "commune-level" is derived from the tree, never from a name: the levels
//! that residential areas (thôn, tổ dân phố) hang under. A unit merged into another hands its
//! records to the successor: the successor's subtree includes it.

use std::collections::{HashMap, HashSet, VecDeque};

use chrono::NaiveDate;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;
use uuid::Uuid;

use crate::clock::format_date_vi;
use crate::record::{self, Entity, RecordState};
use crate::store::{Tx, list_records};
use crate::{Error, Result, Rule, Store, text};

/// In a plan, a level reference that means "every commune-level unit" (xã, phường, thị trấn).
pub const LEVEL_COMMUNE: &str = "commune";
/// In a plan, a level reference that means "every residential area" (thôn, tổ dân phố).
pub const LEVEL_RESIDENTIAL_AREA: &str = "residential_area";

const MAX_NAME: usize = 200;
const MAX_LEVEL: usize = 50;
const MAX_CODE: usize = 20;

/// A unit as stored. `name` is the name it was established with; later names are `renames`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    #[serde(skip)]
    pub id: Uuid,
    #[serde(default)]
    pub code: String,
    pub name: String,
    pub level: String,
    #[serde(default)]
    pub parent: Option<Uuid>,
    #[serde(default)]
    pub residential_area: bool,
    #[serde(default)]
    pub renames: Vec<Rename>,
    #[serde(default)]
    pub merged_into: Option<Merge>,
    /// The day the unit came into being, when known (a unit created by the 2025 reform).
    /// Renames and merges cannot take effect before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub established_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rename {
    pub name: String,
    pub effective_from: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Merge {
    pub unit: Uuid,
    pub effective_from: NaiveDate,
}

/// What a caller gives to add a unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUnit {
    pub code: String,
    pub name: String,
    pub level: String,
    pub parent: Option<Uuid>,
    pub residential_area: bool,
    pub established_on: Option<NaiveDate>,
}

impl Unit {
    /// The name in force on `date`: the latest rename effective on or before it.
    pub fn name_on(&self, date: NaiveDate) -> &str {
        self.renames
            .iter()
            .filter(|r| r.effective_from <= date)
            .max_by_key(|r| r.effective_from)
            .map_or(self.name.as_str(), |r| r.name.as_str())
    }

    /// Whether the unit exists on `date`: established by then and not yet merged away.
    pub fn is_active_on(&self, date: NaiveDate) -> bool {
        self.established_on.is_none_or(|d| d <= date) && self.merged_into.is_none_or(|m| m.effective_from > date)
    }

    /// Whether the unit exists on any day of `from..=to`.
    pub fn is_active_during(&self, from: NaiveDate, to: NaiveDate) -> bool {
        self.established_on.is_none_or(|d| d <= to) && self.merged_into.is_none_or(|m| m.effective_from > from)
    }

    fn from_record(r: &RecordState) -> Result<Unit> {
        let mut u: Unit = record::from_fields(&r.fields)?;
        u.id = r.id;
        Ok(u)
    }

    fn latest_rename(&self) -> Option<NaiveDate> {
        self.renames.iter().map(|r| r.effective_from).max()
    }
}

/// Level names compare by their canonical Unicode form, case-insensitively.
fn level_key(level: &str) -> String {
    level.trim().nfc().collect::<String>().to_lowercase()
}

/// The unit tree, built from unit records; pure (no store access).
#[derive(Debug, Clone, Default)]
pub struct UnitTree {
    units: HashMap<Uuid, Unit>,
    children: HashMap<Uuid, Vec<Uuid>>,
    /// Units merged into the key.
    absorbed: HashMap<Uuid, Vec<Uuid>>,
    /// Level names (canonical) that residential areas hang under.
    commune_levels: HashSet<String>,
    /// Height of each level name above residential areas (0), from the tallest unit of it.
    tiers: HashMap<String, u32>,
    /// Display order: code, then the Vietnamese collation key of the name.
    sort_keys: HashMap<Uuid, (String, Vec<u8>)>,
}

impl UnitTree {
    pub fn from_units(units: impl IntoIterator<Item = Unit>) -> UnitTree {
        let mut tree = UnitTree { units: units.into_iter().map(|u| (u.id, u)).collect(), ..Default::default() };
        tree.sort_keys = tree.units.values().map(|u| (u.id, (u.code.clone(), text::sort_key(&u.name)))).collect();
        let mut ids: Vec<Uuid> = tree.units.keys().copied().collect();
        ids.sort_by(|a, b| tree.order(*a, *b));
        for id in &ids {
            let u = &tree.units[id];
            if let Some(p) = u.parent.filter(|p| tree.units.contains_key(p)) {
                tree.children.entry(p).or_default().push(*id);
                if u.residential_area {
                    tree.commune_levels.insert(level_key(&tree.units[&p].level));
                }
            }
            if let Some(m) = u.merged_into.filter(|m| tree.units.contains_key(&m.unit)) {
                tree.absorbed.entry(m.unit).or_default().push(*id);
            }
        }
        let mut heights = HashMap::new();
        for id in &ids {
            if let Some(h) = tree.height(*id, &mut heights, &mut HashSet::new()) {
                let t = tree.tiers.entry(level_key(&tree.units[id].level)).or_insert(h);
                *t = (*t).max(h);
            }
        }
        tree
    }

    /// Build from stored records; a record that does not decode as a unit is left out (one bad
    /// record from sync must not hide the whole tree).
    pub fn from_records<'a>(records: impl IntoIterator<Item = &'a RecordState>) -> UnitTree {
        Self::from_units(records.into_iter().filter(|r| r.entity == Entity::Unit).filter_map(|r| Unit::from_record(r).ok()))
    }

    /// Every unit record in a database with the `records` table (phone store or server).
    pub fn load(conn: &Connection) -> Result<UnitTree> {
        Ok(Self::from_records(&list_records(conn, Entity::Unit, None)?))
    }

    fn order(&self, a: Uuid, b: Uuid) -> std::cmp::Ordering {
        (&self.sort_keys[&a], a).cmp(&(&self.sort_keys[&b], b))
    }

    /// 0 for a residential area; 1 + the tallest child otherwise; None without children.
    fn height(&self, id: Uuid, memo: &mut HashMap<Uuid, Option<u32>>, visiting: &mut HashSet<Uuid>) -> Option<u32> {
        if let Some(h) = memo.get(&id) {
            return *h;
        }
        let u = self.units.get(&id)?;
        if u.residential_area {
            return Some(0);
        }
        if !visiting.insert(id) {
            return None; // a cycle in bad data
        }
        let h = self.children.get(&id).into_iter().flatten().filter_map(|c| self.height(*c, memo, visiting)).max().map(|h| h + 1);
        visiting.remove(&id);
        memo.insert(id, h);
        h
    }

    pub fn get(&self, id: Uuid) -> Option<&Unit> {
        self.units.get(&id)
    }

    pub fn contains(&self, id: Uuid) -> bool {
        self.units.contains_key(&id)
    }

    pub fn len(&self) -> usize {
        self.units.len()
    }

    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// Units with no parent (provinces), in order.
    pub fn roots(&self) -> Vec<&Unit> {
        let mut ids: Vec<Uuid> = self.units.values().filter(|u| u.parent.is_none_or(|p| !self.contains(p))).map(|u| u.id).collect();
        ids.sort_by(|a, b| self.order(*a, *b));
        ids.iter().map(|id| &self.units[id]).collect()
    }

    /// The units whose parent is `id`, by code then Vietnamese alphabetical name.
    pub fn children(&self, id: Uuid) -> Vec<&Unit> {
        self.children.get(&id).into_iter().flatten().map(|c| &self.units[c]).collect()
    }

    /// `id` and every unit below it, including units merged into any of them and what was
    /// below those (a successor inherits the records of the units merged into it).
    pub fn subtree(&self, id: Uuid) -> Vec<Uuid> {
        if !self.contains(id) {
            return Vec::new();
        }
        let mut seen = HashSet::from([id]);
        let mut out = vec![id];
        let mut queue = VecDeque::from([id]);
        while let Some(u) = queue.pop_front() {
            for next in self.children.get(&u).into_iter().flatten().chain(self.absorbed.get(&u).into_iter().flatten()) {
                if seen.insert(*next) {
                    out.push(*next);
                    queue.push_back(*next);
                }
            }
        }
        out
    }

    /// The parent chain of `id`, nearest first.
    pub fn ancestors(&self, id: Uuid) -> Vec<&Unit> {
        let mut out = Vec::new();
        let mut seen = HashSet::from([id]);
        let mut cur = self.units.get(&id).and_then(|u| u.parent);
        while let Some(p) = cur {
            let Some(u) = self.units.get(&p) else { break };
            if !seen.insert(p) {
                break;
            }
            out.push(u);
            cur = u.parent;
        }
        out
    }

    /// Every unit above `id` by parent or merge links (its ancestors, its successors and
    /// theirs), without `id` itself.
    fn above(&self, id: Uuid) -> HashSet<Uuid> {
        let mut seen = HashSet::new();
        let mut queue = VecDeque::from([id]);
        while let Some(u) = queue.pop_front() {
            let Some(unit) = self.units.get(&u) else { continue };
            for next in [unit.parent, unit.merged_into.map(|m| m.unit)].into_iter().flatten() {
                if next != id && self.contains(next) && seen.insert(next) {
                    queue.push_back(next);
                }
            }
        }
        seen
    }

    /// Whether a device bound to `device_unit` may read and write records of `record_unit`:
    /// the same unit or one below it.
    pub fn in_scope(&self, device_unit: Uuid, record_unit: Uuid) -> bool {
        (device_unit == record_unit && self.contains(device_unit)) || self.above(record_unit).contains(&device_unit)
    }

    /// Whether a device bound to `device_unit` may read a record of kind `entity` in
    /// `record_unit`: anything in scope, plus the units, plans and pledge templates of the
    /// units above it.
    pub fn readable(&self, device_unit: Uuid, entity: Entity, record_unit: Uuid) -> bool {
        self.in_scope(device_unit, record_unit)
            || (matches!(entity, Entity::Unit | Entity::Plan | Entity::PledgeTemplate) && self.above(device_unit).contains(&record_unit))
    }

    /// Whether the unit is commune-level: its level is one that residential areas hang under.
    pub fn is_commune_level(&self, id: Uuid) -> bool {
        self.units.get(&id).is_some_and(|u| !u.residential_area && self.commune_levels.contains(&level_key(&u.level)))
    }

    pub fn is_residential_area(&self, id: Uuid) -> bool {
        self.units.get(&id).is_some_and(|u| u.residential_area)
    }

    /// How far a level stands above residential areas (0 for them, 1 for communes, ...),
    /// learnt from the tree; None for a level with no unit below it yet.
    pub fn tier(&self, id: Uuid) -> Option<u32> {
        let u = self.units.get(&id)?;
        if u.residential_area { Some(0) } else { self.tiers.get(&level_key(&u.level)).copied() }
    }

    /// Whether two units stand at the same level: the same tier when the tree tells, else the
    /// same level name.
    pub fn same_level(&self, a: Uuid, b: Uuid) -> bool {
        let (Some(ua), Some(ub)) = (self.units.get(&a), self.units.get(&b)) else { return false };
        match (self.tier(a), self.tier(b)) {
            (Some(ta), Some(tb)) => ta == tb,
            _ => ua.residential_area == ub.residential_area && level_key(&ua.level) == level_key(&ub.level),
        }
    }

    /// Whether `id` is addressed by a plan's level reference: `commune`, `residential_area`,
    /// or a level name such as "huyện".
    pub fn matches_level(&self, id: Uuid, level_ref: &str) -> bool {
        match level_ref {
            LEVEL_COMMUNE => self.is_commune_level(id),
            LEVEL_RESIDENTIAL_AREA => self.is_residential_area(id),
            name => self.units.get(&id).is_some_and(|u| level_key(&u.level) == level_key(name)),
        }
    }

    /// The name of `id` in force on `date`.
    pub fn name_on(&self, id: Uuid, date: NaiveDate) -> Option<&str> {
        self.units.get(&id).map(|u| u.name_on(date))
    }

    /// The commune-level unit `id` belongs to on `date` (itself if commune-level), following
    /// merges that have taken effect.
    pub fn commune_of(&self, id: Uuid, date: NaiveDate) -> Option<Uuid> {
        let start = std::iter::once(id).chain(self.ancestors(id).into_iter().map(|u| u.id));
        let mut commune = start.into_iter().find(|u| self.is_commune_level(*u))?;
        let mut seen = HashSet::from([commune]);
        while let Some(m) = self.units[&commune].merged_into.filter(|m| m.effective_from <= date && self.contains(m.unit)) {
            if !seen.insert(m.unit) {
                break;
            }
            commune = m.unit;
        }
        Some(commune)
    }

    /// Residential areas (thôn, tổ dân phố) in the subtree of `id` that exist on `date`, in order.
    pub fn residential_areas(&self, id: Uuid, date: NaiveDate) -> Vec<&Unit> {
        self.select(id, |t, u| t.is_residential_area(u.id) && u.is_active_on(date))
    }

    /// Commune-level units in the subtree of `id` that exist on `date`, in order.
    pub fn communes(&self, id: Uuid, date: NaiveDate) -> Vec<&Unit> {
        self.select(id, |t, u| t.is_commune_level(u.id) && u.is_active_on(date))
    }

    fn select(&self, id: Uuid, keep: impl Fn(&Self, &Unit) -> bool) -> Vec<&Unit> {
        let mut ids: Vec<Uuid> = self.subtree(id).into_iter().filter(|u| keep(self, &self.units[u])).collect();
        ids.sort_by(|a, b| self.order(*a, *b));
        ids.iter().map(|u| &self.units[u]).collect()
    }

    // ---- validation of changes, against this tree ----

    fn check_new(&self, new: &NewUnit) -> Result<()> {
        check_text("name", &new.name, MAX_NAME)?;
        check_text("level", &new.level, MAX_LEVEL)?;
        if new.code.chars().count() > MAX_CODE {
            return Err(Error::validation("code", Rule::TooLong { max: MAX_CODE }));
        }
        let code = new.code.trim();
        if !code.is_empty() && self.units.values().any(|u| u.code.trim() == code) {
            return Err(Error::validation("code", Rule::Duplicate));
        }
        if let Some(p) = new.parent {
            self.check_parent(p)?;
        }
        Ok(())
    }

    fn check_parent(&self, parent: Uuid) -> Result<()> {
        let p = self.units.get(&parent).ok_or_else(|| Error::validation("parent", Rule::UnknownReference { entity: "unit" }))?;
        if p.residential_area {
            // Residential areas are the leaves: nothing hangs under a thôn.
            return Err(Error::validation("parent", Rule::WrongUnitLevel));
        }
        Ok(())
    }

    fn check_move(&self, id: Uuid, parent: Option<Uuid>) -> Result<()> {
        let Some(p) = parent else { return Ok(()) };
        if p == id {
            return Err(Error::validation("parent", Rule::SelfReference));
        }
        self.check_parent(p)?;
        if self.subtree(id).contains(&p) {
            return Err(Error::validation("parent", Rule::Cycle));
        }
        Ok(())
    }

    fn check_rename(&self, unit: &Unit, name: &str, from: NaiveDate) -> Result<()> {
        check_text("name", name, MAX_NAME)?;
        check_not_before_established(unit, from)?;
        if let Some(m) = unit.merged_into.filter(|m| from >= m.effective_from) {
            return Err(Error::validation("effective_from", Rule::NotAfter { date: day_before(m.effective_from) }));
        }
        if unit.renames.iter().any(|r| r.effective_from == from) {
            return Err(Error::validation("effective_from", Rule::Duplicate));
        }
        Ok(())
    }

    fn check_merge(&self, unit: &Unit, into: Uuid, from: NaiveDate) -> Result<()> {
        if into == unit.id {
            return Err(Error::validation("merged_into", Rule::SelfReference));
        }
        let target = self.units.get(&into).ok_or_else(|| Error::validation("merged_into", Rule::UnknownReference { entity: "unit" }))?;
        if unit.merged_into.is_some() {
            return Err(Error::validation("merged_into", Rule::Duplicate));
        }
        if !self.same_level(unit.id, into) {
            return Err(Error::validation("merged_into", Rule::WrongUnitLevel));
        }
        if self.subtree(unit.id).contains(&into) {
            return Err(Error::validation("merged_into", Rule::Cycle));
        }
        check_not_before_established(unit, from)?;
        check_not_before_established(target, from)?;
        if let Some(last) = unit.latest_rename().filter(|d| *d > from) {
            return Err(Error::validation("effective_from", Rule::NotBefore { date: format_date_vi(last) }));
        }
        if let Some(m) = target.merged_into.filter(|m| m.effective_from <= from) {
            // The target itself is gone by then.
            return Err(Error::validation("effective_from", Rule::NotAfter { date: day_before(m.effective_from) }));
        }
        Ok(())
    }
}

fn check_text(field: &str, value: &str, max: usize) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::validation(field, Rule::Required));
    }
    if value.chars().count() > max {
        return Err(Error::validation(field, Rule::TooLong { max }));
    }
    Ok(())
}

fn check_not_before_established(unit: &Unit, date: NaiveDate) -> Result<()> {
    match unit.established_on {
        Some(d) if date < d => Err(Error::validation("effective_from", Rule::NotBefore { date: format_date_vi(d) })),
        _ => Ok(()),
    }
}

fn day_before(d: NaiveDate) -> String {
    format_date_vi(d.pred_opt().unwrap_or(d))
}

/// Write the fields of `unit` that differ from `old` (all of them for a new unit), so
/// concurrent edits of other fields on other devices survive the merge.
fn put_unit(tx: &mut Tx<'_>, unit: &Unit, old: Option<&Unit>) -> Result<Unit> {
    let mut fields = record::to_fields(unit)?;
    if let Some(old) = old {
        let before = record::to_fields(old)?;
        fields.retain(|k, v| before.get(k) != Some(v));
    }
    let state = tx.put(Entity::Unit, unit.id, unit.id, fields)?;
    Unit::from_record(&state)
}

fn load_unit(tree: &UnitTree, id: Uuid) -> Result<Unit> {
    tree.get(id).cloned().ok_or(Error::NotFound { entity: "unit", id: id.to_string() })
}

impl Store {
    /// Add a unit under `parent` (or a root unit such as a province).
    pub fn add_unit(&self, new: NewUnit) -> Result<Unit> {
        self.write(|tx| {
            let tree = UnitTree::load(tx.conn())?;
            tree.check_new(&new)?;
            let id = Uuid::now_v7();
            let unit = Unit {
                id,
                code: new.code.trim().to_string(),
                name: new.name.trim().to_string(),
                level: new.level.trim().to_string(),
                parent: new.parent,
                residential_area: new.residential_area,
                renames: Vec::new(),
                merged_into: None,
                established_on: new.established_on,
            };
            put_unit(tx, &unit, None)
        })
    }

    /// Give a unit a new name from `effective_from` on; its earlier name stays for earlier dates.
    pub fn rename_unit(&self, id: Uuid, name: &str, effective_from: NaiveDate) -> Result<Unit> {
        self.write(|tx| {
            let tree = UnitTree::load(tx.conn())?;
            let old = load_unit(&tree, id)?;
            tree.check_rename(&old, name, effective_from)?;
            let mut unit = old.clone();
            unit.renames.push(Rename { name: name.trim().to_string(), effective_from });
            unit.renames.sort_by_key(|r| r.effective_from);
            put_unit(tx, &unit, Some(&old))
        })
    }

    /// Merge a unit into another of the same level from `effective_from` on. The merged unit
    /// keeps its records and history; from then on they count under `into`.
    pub fn merge_unit(&self, id: Uuid, into: Uuid, effective_from: NaiveDate) -> Result<Unit> {
        self.write(|tx| {
            let tree = UnitTree::load(tx.conn())?;
            let old = load_unit(&tree, id)?;
            tree.check_merge(&old, into, effective_from)?;
            let mut unit = old.clone();
            unit.merged_into = Some(Merge { unit: into, effective_from });
            put_unit(tx, &unit, Some(&old))
        })
    }

    /// Put a unit under another parent (a commune placed directly under the province when its
    /// district is abolished).
    pub fn move_unit(&self, id: Uuid, parent: Option<Uuid>) -> Result<Unit> {
        self.write(|tx| {
            let tree = UnitTree::load(tx.conn())?;
            let old = load_unit(&tree, id)?;
            tree.check_move(id, parent)?;
            let mut unit = old.clone();
            unit.parent = parent;
            put_unit(tx, &unit, Some(&old))
        })
    }

    pub fn unit(&self, id: Uuid) -> Result<Unit> {
        match self.record(id)? {
            Some(r) if r.entity == Entity::Unit => Unit::from_record(&r),
            _ => Err(Error::NotFound { entity: "unit", id: id.to_string() }),
        }
    }

    /// The whole unit tree this store holds.
    pub fn unit_tree(&self) -> Result<UnitTree> {
        self.read(UnitTree::load)
    }
}
