//! Plans (kế hoạch): the document a front committee issues and the units below carry out.
//! A plan is a record (entity `plan`) whose `unit` is the issuing unit. Everything in it is
//! data: targets with their thresholds, key tasks, duties per level and reporting deadlines per
//! level, so a district copies this year's plan into next year's and edits it.

use chrono::{Datelike, NaiveDate};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::clock::format_date_vi;
use crate::record::{self, Entity, RecordState};
use crate::store::{Tx, list_records, load_record};
use crate::units::UnitTree;
use crate::{Error, Result, Rule, Store};

/// Indicators the core knows how to measure (see `progress`).
pub const INDICATOR_NEW_LAW_ACTIVITY: &str = "new_law_activity";
pub const INDICATOR_RESIDENTIAL_AREA_MODEL: &str = "residential_area_model";
pub const INDICATORS: [&str; 2] = [INDICATOR_NEW_LAW_ACTIVITY, INDICATOR_RESIDENTIAL_AREA_MODEL];

const MAX_TITLE: usize = 500;
const MAX_TEXT: usize = 20_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    #[serde(skip)]
    pub id: Uuid,
    /// The issuing unit (the record's `unit`).
    #[serde(skip)]
    pub issuer: Uuid,
    /// Number and symbol, e.g. "267/KH-MTTQ-BTT"; empty while a draft waits for its number.
    #[serde(default)]
    pub number: String,
    pub issuer_name: String,
    pub issued_on: NaiveDate,
    pub place: String,
    pub title: String,
    pub implements: Implements,
    pub period: Period,
    #[serde(default)]
    pub purposes: Vec<String>,
    #[serde(default)]
    pub targets: Vec<Target>,
    /// Bullets of the targets section that set no measurable threshold, kept as written.
    #[serde(default)]
    pub other_targets: Vec<String>,
    #[serde(default)]
    pub key_tasks: Vec<KeyTask>,
    #[serde(default)]
    pub duties: Vec<Duty>,
    #[serde(default)]
    pub milestones: Vec<Milestone>,
    pub signer: Signer,
}

/// The upper plan this one carries out: a link when it is in the store, and its citation.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Implements {
    pub plan: Option<Uuid>,
    #[serde(default)]
    pub reference: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub code: String,
    pub text: String,
    /// What is measured: one of `INDICATORS`.
    pub indicator: String,
    /// The share (0–100) of measured units that must meet the indicator.
    pub threshold_pct: u32,
    /// The units measured: a level name, or `commune` / `residential_area`.
    pub measured_over: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyTask {
    pub code: String,
    pub title: String,
    pub text: String,
}

/// What the committees of one level must do ("4.2. Đối với Ban Thường trực ... các xã").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duty {
    pub code: String,
    /// A level name, or `commune` / `residential_area`.
    pub level: String,
    pub items: Vec<String>,
}

/// A reporting milestone (6-month, 9-month, annual) with a deadline for each level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    pub code: String,
    pub name: String,
    pub deadlines: Vec<Deadline>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    pub level: String,
    pub due: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signer {
    /// "TM. BAN THƯỜNG TRỰC" above the title, when the document has it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub on_behalf_of: String,
    pub title: String,
    pub name: String,
}

impl Plan {
    pub(crate) fn from_record(r: &RecordState) -> Result<Plan> {
        let mut p: Plan = record::from_fields(&r.fields)?;
        p.id = r.id;
        p.issuer = r.unit;
        Ok(p)
    }

    /// Check the plan on its own; every error names the field path and the rule.
    pub fn validate(&self) -> Result<()> {
        let number = self.number.trim();
        if !number.is_empty() && !is_plan_number(number) {
            return Err(Error::validation("number", Rule::Invalid { expected: "a number and symbol such as 267/KH-MTTQ-BTT" }));
        }
        required("issuer_name", &self.issuer_name, MAX_TITLE)?;
        required("place", &self.place, MAX_TITLE)?;
        required("title", &self.title, MAX_TITLE)?;
        if self.period.to < self.period.from {
            return Err(Error::validation("period.to", Rule::NotBefore { date: format_date_vi(self.period.from) }));
        }
        for (i, p) in self.purposes.iter().enumerate() {
            required(&format!("purposes[{i}]"), p, MAX_TEXT)?;
        }
        unique_codes("targets", self.targets.iter().map(|t| t.code.as_str()))?;
        for (i, t) in self.targets.iter().enumerate() {
            required(&format!("targets[{i}].text"), &t.text, MAX_TEXT)?;
            if !INDICATORS.contains(&t.indicator.as_str()) {
                return Err(Error::validation(
                    format!("targets[{i}].indicator"),
                    Rule::Invalid { expected: "new_law_activity or residential_area_model" },
                ));
            }
            if t.threshold_pct > 100 {
                return Err(Error::validation(format!("targets[{i}].threshold_pct"), Rule::OutOfRange { min: 0, max: 100 }));
            }
            required(&format!("targets[{i}].measured_over"), &t.measured_over, MAX_TITLE)?;
        }
        unique_codes("key_tasks", self.key_tasks.iter().map(|t| t.code.as_str()))?;
        for (i, k) in self.key_tasks.iter().enumerate() {
            required(&format!("key_tasks[{i}].title"), &k.title, MAX_TITLE)?;
            required(&format!("key_tasks[{i}].text"), &k.text, MAX_TEXT)?;
        }
        unique_codes("duties", self.duties.iter().map(|d| d.code.as_str()))?;
        for (i, d) in self.duties.iter().enumerate() {
            required(&format!("duties[{i}].level"), &d.level, MAX_TITLE)?;
            if d.items.is_empty() {
                return Err(Error::validation(format!("duties[{i}].items"), Rule::Required));
            }
            for (j, item) in d.items.iter().enumerate() {
                required(&format!("duties[{i}].items[{j}]"), item, MAX_TEXT)?;
            }
        }
        unique_codes("milestones", self.milestones.iter().map(|m| m.code.as_str()))?;
        for (i, m) in self.milestones.iter().enumerate() {
            required(&format!("milestones[{i}].name"), &m.name, MAX_TITLE)?;
            if m.deadlines.is_empty() {
                return Err(Error::validation(format!("milestones[{i}].deadlines"), Rule::Required));
            }
            for (j, d) in m.deadlines.iter().enumerate() {
                required(&format!("milestones[{i}].deadlines[{j}].level"), &d.level, MAX_TITLE)?;
                self.check_in_period(&format!("milestones[{i}].deadlines[{j}].due"), d.due)?;
            }
        }
        required("signer.title", &self.signer.title, MAX_TITLE)?;
        required("signer.name", &self.signer.name, MAX_TITLE)?;
        Ok(())
    }

    /// A date that must fall within the plan's period (a deadline, a task's due date).
    pub fn check_in_period(&self, field: &str, d: NaiveDate) -> Result<()> {
        if self.period.contains(d) {
            Ok(())
        } else {
            Err(Error::validation(
                field,
                Rule::DateOutsidePeriod { from: format_date_vi(self.period.from), to: format_date_vi(self.period.to) },
            ))
        }
    }

    /// Next year's plan from this one: every date one year later, "năm 2023" in the title,
    /// purposes and targets becoming "năm 2024", the number and the upper plan left to fill.
    pub fn copy_for_next_year(&self) -> Plan {
        let year = self.period.from.year();
        let retitle = |s: &str| s.replace(&format!("năm {year}"), &format!("năm {}", year + 1));
        let mut next = self.clone();
        next.id = Uuid::nil();
        next.number = String::new();
        next.implements = Implements::default();
        next.issued_on = next_year(self.issued_on);
        next.period = Period { from: next_year(self.period.from), to: next_year(self.period.to) };
        next.title = retitle(&self.title);
        next.purposes = self.purposes.iter().map(|p| retitle(p)).collect();
        for t in &mut next.targets {
            t.text = retitle(&t.text);
        }
        for m in &mut next.milestones {
            for d in &mut m.deadlines {
                d.due = next_year(d.due);
            }
        }
        next
    }

    /// This plan brought forward to `year` by `copy_for_next_year`, year after year (the
    /// built-in 2023 plan as this year's draft); itself when it is already that year or later.
    pub fn copy_for_year(&self, year: i32) -> Plan {
        let mut plan = self.clone();
        while plan.period.from.year() < year {
            plan = plan.copy_for_next_year();
        }
        plan
    }

    /// The deadlines of `milestones` that apply to `unit`, in date order.
    pub fn deadlines_for(&self, tree: &UnitTree, unit: Uuid) -> Vec<(&Milestone, NaiveDate)> {
        let mut out: Vec<_> = self
            .milestones
            .iter()
            .filter_map(|m| m.deadlines.iter().find(|d| tree.matches_level(unit, &d.level)).map(|d| (m, d.due)))
            .collect();
        out.sort_by_key(|(_, due)| *due);
        out
    }

    /// The duties that apply to `unit`.
    pub fn duties_for(&self, tree: &UnitTree, unit: Uuid) -> Vec<&Duty> {
        self.duties.iter().filter(|d| tree.matches_level(unit, &d.level)).collect()
    }
}

fn next_year(d: NaiveDate) -> NaiveDate {
    // 29/02 has no twin next year: 28/02.
    d.with_year(d.year() + 1).or_else(|| NaiveDate::from_ymd_opt(d.year() + 1, d.month(), 28)).unwrap_or(d)
}

/// "267/KH-MTTQ-BTT": digits, a slash, a symbol without spaces.
fn is_plan_number(s: &str) -> bool {
    match s.split_once('/') {
        Some((n, symbol)) => {
            !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) && !symbol.is_empty() && !symbol.contains(char::is_whitespace)
        }
        None => false,
    }
}

fn required(field: &str, value: &str, max: usize) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::validation(field, Rule::Required));
    }
    if value.chars().count() > max {
        return Err(Error::validation(field, Rule::TooLong { max }));
    }
    Ok(())
}

fn unique_codes<'a>(list: &str, codes: impl Iterator<Item = &'a str>) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    for (i, code) in codes.enumerate() {
        if code.trim().is_empty() {
            return Err(Error::validation(format!("{list}[{i}].code"), Rule::Required));
        }
        if !seen.insert(code.trim()) {
            return Err(Error::validation(format!("{list}[{i}].code"), Rule::Duplicate));
        }
    }
    Ok(())
}

/// Load a plan by id from a database with the `records` table.
pub fn load_plan(conn: &Connection, id: Uuid) -> Result<Plan> {
    match load_record(conn, id)? {
        Some(r) if r.entity == Entity::Plan => Plan::from_record(&r),
        _ => Err(Error::NotFound { entity: "plan", id: id.to_string() }),
    }
}

/// The plans that apply to `unit`: issued by it or by any unit above it, newest period first.
pub fn plans_for(conn: &Connection, tree: &UnitTree, unit: Uuid) -> Result<Vec<Plan>> {
    let mut out = Vec::new();
    for r in list_records(conn, Entity::Plan, None)? {
        if tree.readable(unit, Entity::Plan, r.unit)
            && let Ok(p) = Plan::from_record(&r)
        {
            out.push(p);
        }
    }
    out.sort_by_key(|p| std::cmp::Reverse((p.period.from, p.issued_on, p.id)));
    Ok(out)
}

fn check_issuer(tree: &UnitTree, issuer: Uuid) -> Result<()> {
    if !tree.contains(issuer) {
        return Err(Error::validation("issuer", Rule::UnknownReference { entity: "unit" }));
    }
    if tree.is_residential_area(issuer) {
        return Err(Error::validation("issuer", Rule::WrongUnitLevel));
    }
    Ok(())
}

fn check_implements(conn: &Connection, plan: &Plan) -> Result<()> {
    match plan.implements.plan {
        Some(id) if id == plan.id => Err(Error::validation("implements.plan", Rule::SelfReference)),
        Some(id) => {
            load_plan(conn, id).map(|_| ()).map_err(|_| Error::validation("implements.plan", Rule::UnknownReference { entity: "plan" }))
        }
        None => Ok(()),
    }
}

/// Write the fields that differ from `old` (all for a new plan).
fn put_plan(tx: &mut Tx<'_>, plan: &Plan, old: Option<&Plan>) -> Result<Plan> {
    let mut fields = record::to_fields(plan)?;
    if let Some(old) = old {
        let before = record::to_fields(old)?;
        fields.retain(|k, v| before.get(k) != Some(v));
    }
    let state = tx.put(Entity::Plan, plan.id, plan.issuer, fields)?;
    Plan::from_record(&state)
}

pub(crate) fn create_plan_in(tx: &mut Tx<'_>, issuer: Uuid, plan: &Plan) -> Result<Plan> {
    let tree = UnitTree::load(tx.conn())?;
    check_issuer(&tree, issuer)?;
    let mut plan = plan.clone();
    plan.id = Uuid::now_v7();
    plan.issuer = issuer;
    plan.validate()?;
    check_implements(tx.conn(), &plan)?;
    put_plan(tx, &plan, None)
}

impl Store {
    /// Issue a plan for `issuer` (a district, a commune, ...). The plan's own `id` and
    /// `issuer` are ignored: a new id is made.
    pub fn create_plan(&self, issuer: Uuid, plan: &Plan) -> Result<Plan> {
        self.write(|tx| create_plan_in(tx, issuer, plan))
    }

    /// Replace the content of plan `id`; its issuer stays.
    pub fn edit_plan(&self, id: Uuid, plan: &Plan) -> Result<Plan> {
        self.write(|tx| {
            let old = load_plan(tx.conn(), id)?;
            let mut plan = plan.clone();
            plan.id = id;
            plan.issuer = old.issuer;
            plan.validate()?;
            check_implements(tx.conn(), &plan)?;
            put_plan(tx, &plan, Some(&old))
        })
    }

    pub fn plan(&self, id: Uuid) -> Result<Plan> {
        self.read(|c| load_plan(c, id))
    }

    /// The plans that apply to `unit` (its own and those of the units above it), newest first.
    pub fn plans_for(&self, unit: Uuid) -> Result<Vec<Plan>> {
        self.read(|c| plans_for(c, &UnitTree::load(c)?, unit))
    }

    /// The plan in force for `unit` on `date`: the newest applicable plan whose period holds it.
    pub fn current_plan_for(&self, unit: Uuid, date: NaiveDate) -> Result<Option<Plan>> {
        Ok(self.plans_for(unit)?.into_iter().find(|p| p.period.contains(date)))
    }

    /// Make next year's plan from plan `id` (same issuer, dates one year later, no number yet).
    pub fn copy_plan_for_next_year(&self, id: Uuid) -> Result<Plan> {
        self.write(|tx| {
            let old = load_plan(tx.conn(), id)?;
            create_plan_in(tx, old.issuer, &old.copy_for_next_year())
        })
    }
}
