//! Issuing a plan hands each unit below its checklist, as core's checklist derives it
//! (`checklist::planned_tasks`, ids from `checklist::task_id`, the same the phones compute).
//! Issuing again adds only what is missing, so a unit added later gets its checklist too.

use std::collections::HashSet;

use sotay_core::checklist;
use sotay_core::plans::Plan;
use sotay_core::record::{self, Entity};

use crate::state::AppState;

use super::context::Ctx;
use super::error::{WebError, WebResult};
use super::session::Session;
use super::writer;

pub async fn issue(state: &AppState, ctx: &Ctx, session: &Session, plan: &Plan) -> WebResult<usize> {
    let existing: HashSet<uuid::Uuid> = state.db(|s| s.records(Entity::Task, None)).await?.into_iter().map(|t| t.id).collect();
    let mut items = Vec::new();
    for unit in ctx.tree.subtree(plan.issuer) {
        for p in checklist::planned_tasks(plan, &ctx.tree, unit).map_err(WebError::from)? {
            let task = p.into_task(plan.id, unit);
            if existing.contains(&task.id) {
                continue;
            }
            items.push((Entity::Task, task.id, unit, record::to_fields(&task).map_err(WebError::internal)?));
        }
    }
    let created = writer::create_many(state, session, items).await?;
    tracing::info!(plan = %plan.id, tasks = created, "plan issued");
    Ok(created)
}
