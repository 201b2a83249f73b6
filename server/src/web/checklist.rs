//! Issuing a plan hands each unit below its checklist: one task per key task (due at the end of
//! the plan period) and one per reporting milestone that has a deadline for the unit's level.
//! Issuing again adds only what is missing, so a unit added later gets its checklist too.
//!
//! TODO(plans): use core's checklist API when branch `plans` lands it on main.

use std::collections::HashSet;

use serde_json::{Value, json};
use sotay_core::plans::Plan;
use sotay_core::record::Entity;
use uuid::Uuid;

use crate::state::AppState;

use super::context::Ctx;
use super::error::WebResult;
use super::session::Session;
use super::writer;

/// The tasks `unit` should have under `plan`: (code, title, due).
fn tasks_for(ctx: &Ctx, plan: &Plan, unit: Uuid) -> Vec<(String, String, chrono::NaiveDate)> {
    let mut out: Vec<_> = plan.key_tasks.iter().map(|k| (k.code.clone(), k.title.clone(), plan.period.to)).collect();
    for (m, due) in plan.deadlines_for(&ctx.tree, unit) {
        out.push((format!("M-{}", m.code), m.name.clone(), due));
    }
    out
}

pub async fn issue(state: &AppState, ctx: &Ctx, session: &Session, plan: &Plan) -> WebResult<usize> {
    let mut units: Vec<Uuid> = ctx.tree.communes(plan.issuer, ctx.today).iter().map(|u| u.id).collect();
    units.extend(ctx.tree.residential_areas(plan.issuer, ctx.today).iter().map(|u| u.id));
    let existing = state.db(|s| s.records(Entity::Task, None)).await?;
    let plan_key = plan.id.to_string();
    let have: HashSet<(Uuid, String)> = existing
        .iter()
        .filter(|t| t.fields.get("plan").and_then(|v| v.as_str()) == Some(plan_key.as_str()))
        .map(|t| (t.unit, t.fields.get("code").and_then(|v| v.as_str()).unwrap_or("").to_string()))
        .collect();
    let mut items = Vec::new();
    for unit in units {
        for (code, title, due) in tasks_for(ctx, plan, unit) {
            if have.contains(&(unit, code.clone())) {
                continue;
            }
            let fields = json!({
                "plan": plan.id, "code": code, "title": title, "due": due,
                "status": "todo", "reason": "", "evidence": Value::Array(vec![]),
            });
            items.push((Entity::Task, unit, fields.as_object().cloned().unwrap_or_default()));
        }
    }
    let created = writer::create_many(state, session, items).await?;
    tracing::info!(plan = %plan.id, tasks = created, "plan issued");
    Ok(created)
}
