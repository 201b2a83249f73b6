//! Figures of a unit under a plan, from core's progress (`sotay_core::progress`): the same
//! counting the phones do, on the server's records (`Storage::progress_facts`); the unit and
//! its rows from one load of the facts, indexed once (`progress::compute_each`). This file only
//! maps core's `Progress` to the rows pages and reports show, adds the door-to-door visits (not
//! part of progress), and caches.
//!
//! Figures are cached per (plan, unit, day) and recomputed when any record has changed since
//! (the storage's record version), so the overview of a large district is served from memory
//! between syncs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use sotay_core::plans::{INDICATOR_NEW_LAW_ACTIVITY, Plan};
use sotay_core::progress::{self, Facts, Progress};
use sotay_core::record::Entity;
use sotay_core::units::UnitTree;
use uuid::Uuid;

use crate::reports::{ReportFigures, TargetFigure, TaskLine, UnitFigures};
use crate::state::AppState;
use crate::storage::{Storage, StorageResult};

use super::context::Ctx;
use super::error::WebResult;

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
    let plan_id = plan.id;
    let rows = rows.to_vec();
    let today = ctx.today;
    let figures = Arc::new(state.db(move |s| compute(s, &tree, plan_id, unit, &rows, today)).await?);
    state.web.figures.put(key, version, figures.clone());
    Ok((*figures).clone())
}

/// One row from core's progress of that unit.
fn row(p: &Progress, visits: u64) -> UnitFigures {
    // A residential area's own model counts for itself; above it, the areas below.
    let (areas, achieved) = if p.areas.is_empty() {
        (1, u64::from(p.areas.is_empty() && model_of_self(p)))
    } else {
        (p.areas.len() as u64, p.areas.iter().filter(|a| a.model).count() as u64)
    };
    UnitFigures {
        unit: Some(p.unit),
        name: p.name.clone(),
        activities: u64::from(p.activities),
        new_law_activities: u64::from(p.new_law_activities),
        audience: p.audience,
        meetings: u64::from(p.meetings),
        households: u64::from(p.households.total),
        households_pledged: u64::from(p.households.done),
        clans_pledged: u64::from(p.clans.done),
        residential_areas: areas,
        residential_areas_achieved: achieved,
        visits,
        overdue_tasks: u64::from(p.checklist.overdue) + p.areas.iter().map(|a| u64::from(a.checklist.overdue)).sum::<u64>(),
    }
}

/// For a residential area, target 2 is its own model: the target's count (1 of 1) says it.
fn model_of_self(p: &Progress) -> bool {
    p.targets.iter().any(|t| t.indicator != INDICATOR_NEW_LAW_ACTIVITY && t.measured == 1 && t.met == 1)
}

pub fn compute(s: &dyn Storage, tree: &UnitTree, plan: Uuid, unit: Uuid, rows: &[Uuid], today: NaiveDate) -> StorageResult<ReportFigures> {
    let facts: Facts = s.progress_facts(tree, unit, Some(plan))?;
    // The unit and each row from the same facts, indexed once (core's `compute_each`).
    let mut each = progress::compute_each(tree, &facts, &[&[unit], rows].concat(), today).into_iter();
    let Some(whole) = each.next() else { return Ok(ReportFigures { targets: Vec::new(), rows: Vec::new(), tasks: Vec::new() }) };

    // Door-to-door visits per row (outside core's progress).
    let mut row_of: HashMap<Uuid, usize> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        for u in tree.subtree(*r) {
            row_of.insert(u, i);
        }
    }
    let mut visits = vec![0u64; rows.len()];
    for c in s.count_records(Entity::Visit, &tree.subtree(unit), None)? {
        if let Some(&i) = row_of.get(&c.unit) {
            visits[i] += c.count;
        }
    }

    let rows: Vec<UnitFigures> = each.zip(&visits).map(|(p, v)| row(&p, *v)).collect();
    let targets = whole
        .targets
        .iter()
        .map(|t| TargetFigure {
            code: t.code.clone(),
            text: t.text.clone(),
            threshold_pct: t.threshold_pct,
            measured_over: if t.indicator == INDICATOR_NEW_LAW_ACTIVITY { "đơn vị MTTQ cấp xã" } else { "khu dân cư" }.to_string(),
            achieved: u64::from(t.met),
            total: u64::from(t.measured),
        })
        .collect();
    let mut tasks: Vec<TaskLine> = facts
        .tasks
        .iter()
        .filter(|t| t.unit == unit)
        .map(|t| TaskLine {
            code: t.code.clone(),
            title: t.title.clone(),
            due: Some(t.due),
            status: t.status.label_vi().to_string(),
            done: t.status == sotay_core::checklist::TaskStatus::Done,
        })
        .collect();
    tasks.sort_by(|a, b| (a.due, &a.code).cmp(&(b.due, &b.code)));
    Ok(ReportFigures { targets, rows, tasks })
}
