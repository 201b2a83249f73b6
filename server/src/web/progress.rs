//! Progress of a unit against a plan, per row unit (communes of a district, villages of a
//! commune), with the definitions of notes/data-contract.md:
//! - a household is pledged when a sealed household pledge names it (amendments count once);
//! - target 1 (`new_law_activity`): a commune with at least one activity on new law, in it or
//!   below it, within the plan period;
//! - target 2 (`residential_area_model`): a residential area whose task of key task 3.3 is done,
//!   or that has a sealed residential-area pledge.
//!
//! TODO(plans): replace the counting below by core's `progress` module when branch `plans` lands
//! it on main, so phones, pages and reports share one implementation. This file then keeps only
//! the mapping to `ReportFigures` and the cache.
//!
//! Figures are cached per (plan, unit, day) and recomputed when any record has changed since
//! (the storage's record version), so the overview of a large district is served from memory
//! between syncs.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use sotay_core::plans::Plan;
use sotay_core::record::{Entity, RecordState};
use sotay_core::units::UnitTree;
use uuid::Uuid;

use crate::reports::{ReportFigures, TargetFigure, UnitFigures};
use crate::state::AppState;
use crate::storage::Storage;

use super::context::Ctx;
use super::error::WebResult;
use super::figures::task_lines;

/// Key task whose completion counts for target 2.
const MODEL_TASK: &str = "3.3";

type Key = (Uuid, Uuid, NaiveDate);

#[derive(Default)]
pub struct FiguresCache {
    entries: Mutex<HashMap<Key, (u64, Arc<ReportFigures>)>>,
}

impl FiguresCache {
    fn get(&self, key: &Key, version: u64) -> Option<Arc<ReportFigures>> {
        let map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        map.get(key).filter(|(v, _)| *v == version).map(|(_, f)| f.clone())
    }

    fn put(&self, key: Key, version: u64, figures: Arc<ReportFigures>) {
        let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 1000 {
            map.clear();
        }
        map.insert(key, (version, figures));
    }
}

pub async fn report_figures(state: &AppState, ctx: &Ctx, plan: &Plan, unit: Uuid, rows: &[Uuid]) -> WebResult<ReportFigures> {
    let key = (plan.id, unit, ctx.today);
    let version = state.db(|s| s.records_version()).await?;
    if let Some(f) = state.web.figures.get(&key, version) {
        return Ok((*f).clone());
    }
    let tree = ctx.tree.clone();
    let plan = plan.clone();
    let rows = rows.to_vec();
    let today = ctx.today;
    let figures = state.db(move |s| compute(s, &tree, &plan, unit, &rows, today)).await?;
    let figures = Arc::new(figures);
    state.web.figures.put(key, version, figures.clone());
    Ok((*figures).clone())
}

fn text<'a>(r: &'a RecordState, k: &str) -> &'a str {
    r.fields.get(k).and_then(|v| v.as_str()).unwrap_or("")
}

fn in_period(plan: &Plan, r: &RecordState, field: &str) -> bool {
    NaiveDate::parse_from_str(text(r, field), "%Y-%m-%d").is_ok_and(|d| plan.period.contains(d))
}

pub fn compute(
    s: &dyn Storage,
    tree: &UnitTree,
    plan: &Plan,
    unit: Uuid,
    rows: &[Uuid],
    today: NaiveDate,
) -> crate::storage::StorageResult<ReportFigures> {
    // Which row each unit of the subtree counts for.
    let mut row_of: HashMap<Uuid, usize> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        for u in tree.subtree(*r) {
            row_of.insert(u, i);
        }
    }
    let subtree: HashSet<Uuid> = tree.subtree(unit).into_iter().collect();
    let mut figures: Vec<UnitFigures> = rows
        .iter()
        .map(|r| UnitFigures { unit: Some(*r), name: tree.name_on(*r, today).unwrap_or("").to_string(), ..Default::default() })
        .collect();
    let plan_key = plan.id.to_string();

    // Households and household pledges.
    let households = s.records(Entity::Household, None)?;
    let pledges = s.records(Entity::Pledge, None)?;
    let pledged: HashSet<&str> = pledges
        .iter()
        .filter(|p| p.seal.is_some() && text(p, "kind") == "household")
        .map(|p| text(p, "subject"))
        .collect();
    for h in households.iter().filter(|h| subtree.contains(&h.unit)) {
        if let Some(&i) = row_of.get(&h.unit) {
            figures[i].households += 1;
            if pledged.contains(h.id.to_string().as_str()) {
                figures[i].households_pledged += 1;
            }
        }
    }
    let mut kdc_achieved: HashSet<Uuid> = HashSet::new();
    for p in pledges.iter().filter(|p| p.seal.is_some() && subtree.contains(&p.unit)) {
        match text(p, "kind") {
            // An amendment corrects a pledge already counted.
            "clan" if p.fields.get("amends").is_none_or(|a| a.is_null()) => {
                if let Some(&i) = row_of.get(&p.unit) {
                    figures[i].clans_pledged += 1;
                }
            }
            "residential_area" => {
                if let Ok(kdc) = Uuid::parse_str(text(p, "subject")) {
                    kdc_achieved.insert(kdc);
                }
            }
            _ => {}
        }
    }

    // Tasks: key task 3.3 done in a residential area; the unit's own checklist.
    let tasks = s.records(Entity::Task, None)?;
    for t in tasks.iter().filter(|t| subtree.contains(&t.unit) && text(t, "plan") == plan_key) {
        let status = text(t, "status");
        if text(t, "code") == MODEL_TASK && status == "done" {
            kdc_achieved.insert(t.unit);
        }
        let overdue = NaiveDate::parse_from_str(text(t, "due"), "%Y-%m-%d").is_ok_and(|d| d < today);
        if overdue && status != "done" && status != "not_applicable" {
            if let Some(&i) = row_of.get(&t.unit) {
                figures[i].overdue_tasks += 1;
            }
        }
    }
    let own_tasks: Vec<RecordState> = tasks.into_iter().filter(|t| t.unit == unit).collect();

    // Activities within the period.
    let mut new_law_units: HashSet<Uuid> = HashSet::new();
    for a in s.records(Entity::Activity, None)?.iter().filter(|a| subtree.contains(&a.unit) && in_period(plan, a, "date")) {
        let new_law = a.fields.get("new_law").and_then(|v| v.as_bool()).unwrap_or(false);
        if new_law {
            new_law_units.insert(a.unit);
        }
        if let Some(&i) = row_of.get(&a.unit) {
            figures[i].activities += 1;
            figures[i].audience += a.fields.get("audience").and_then(|v| v.as_u64()).unwrap_or(0);
            if new_law {
                figures[i].new_law_activities += 1;
            }
        }
    }

    // Meetings: sealed minutes, an amendment not counted again.
    for m in s.records(Entity::Minutes, None)?.iter().filter(|m| m.seal.is_some() && subtree.contains(&m.unit)) {
        if m.fields.get("amends").is_some_and(|a| !a.is_null()) {
            continue;
        }
        if let Some(&i) = row_of.get(&m.unit) {
            figures[i].meetings += 1;
        }
    }
    for v in s.records(Entity::Visit, None)?.iter().filter(|v| subtree.contains(&v.unit)) {
        if let Some(&i) = row_of.get(&v.unit) {
            figures[i].visits += 1;
        }
    }

    // Residential areas per row.
    let areas = tree.residential_areas(unit, today);
    for a in &areas {
        if let Some(&i) = row_of.get(&a.id) {
            figures[i].residential_areas += 1;
            if kdc_achieved.contains(&a.id) {
                figures[i].residential_areas_achieved += 1;
            }
        }
    }

    // Targets.
    let communes = tree.communes(unit, today);
    let targets = plan
        .targets
        .iter()
        .map(|t| {
            let (achieved, total, over) = match t.indicator.as_str() {
                sotay_core::plans::INDICATOR_NEW_LAW_ACTIVITY => {
                    let ok = communes.iter().filter(|c| tree.subtree(c.id).iter().any(|u| new_law_units.contains(u))).count();
                    (ok, communes.len(), "đơn vị MTTQ cấp xã")
                }
                _ => (areas.iter().filter(|a| kdc_achieved.contains(&a.id)).count(), areas.len(), "khu dân cư"),
            };
            TargetFigure {
                code: t.code.clone(),
                text: t.text.clone(),
                threshold_pct: t.threshold_pct,
                measured_over: over.to_string(),
                achieved: achieved as u64,
                total: total as u64,
            }
        })
        .collect();
    Ok(ReportFigures { targets, rows: figures, tasks: task_lines(&own_tasks, plan.id) })
}
