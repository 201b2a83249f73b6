//! What most pages load first: the unit tree (core's), today's date in Vietnam, and the
//! viewer's scope in it.

use chrono::NaiveDate;
use sotay_core::record::Entity;
use sotay_core::units::{Unit, UnitTree};
use uuid::Uuid;

use crate::state::AppState;

use super::error::{WebError, WebResult};
use super::layout::Viewer;
use super::session::{Session, role_label};

pub struct Ctx {
    pub tree: UnitTree,
    pub today: NaiveDate,
    pub now_ms: i64,
}

impl Ctx {
    pub async fn load(state: &AppState) -> WebResult<Ctx> {
        let records = state.db(|s| s.records(Entity::Unit, None)).await?;
        let now_ms = state.now_ms();
        Ok(Ctx { tree: UnitTree::from_records(&records), today: sotay_core::clock::today_in_vietnam(now_ms), now_ms })
    }

    /// The unit's name today, or a placeholder for a unit the tree does not know.
    pub fn name(&self, unit: Uuid) -> String {
        self.tree.name_on(unit, self.today).map(str::to_string).unwrap_or_else(|| "(đơn vị không rõ)".into())
    }

    /// "Xã Bình Hải": the level and the name, as people say it.
    pub fn full_name(&self, unit: Uuid) -> String {
        match self.tree.get(unit) {
            Some(u) => full_name(u, self.today),
            None => self.name(unit),
        }
    }

    /// Whether the viewer may see `unit` (their own unit or below it).
    pub fn visible(&self, session: &Session, unit: Uuid) -> bool {
        self.tree.in_scope(session.unit(), unit)
    }

    /// Refuse a unit outside the viewer's subtree.
    pub fn require_visible(&self, session: &Session, unit: Uuid) -> WebResult<&Unit> {
        match self.tree.get(unit) {
            Some(u) if self.visible(session, unit) => Ok(u),
            _ => Err(WebError::out_of_scope()),
        }
    }

    pub fn viewer<'a>(&'a self, session: &'a Session, unit_name: &'a str) -> Viewer<'a> {
        Viewer {
            name: &session.user.name,
            role_label: role_label(session.user.role),
            unit_name,
            csrf: &session.csrf,
            is_admin: session.is_admin(),
        }
    }

    /// Units the viewer may pick in a form: their subtree, in tree order, active today.
    pub fn selectable(&self, session: &Session) -> Vec<&Unit> {
        let mut out = Vec::new();
        self.walk(session.unit(), 0, &mut |u, _| out.push(u));
        out
    }

    /// Depth-first over the active subtree of `root`, with the depth.
    pub fn walk<'a>(&'a self, root: Uuid, depth: usize, f: &mut dyn FnMut(&'a Unit, usize)) {
        if let Some(u) = self.tree.get(root) {
            if !u.is_active_on(self.today) {
                return;
            }
            f(u, depth);
            for c in self.tree.children(root) {
                self.walk(c.id, depth + 1, f);
            }
        }
    }
}

/// "Xã Bình Hải", "Thôn An Phú": the level (capitalised) before the name, unless the name
/// already starts with it.
pub fn full_name(u: &Unit, date: NaiveDate) -> String {
    let name = u.name_on(date);
    let level = u.level.trim();
    if level.is_empty() || sotay_core::text::fold(name).starts_with(&sotay_core::text::fold(level)) {
        return name.to_string();
    }
    let mut chars = level.chars();
    let cap: String = chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
    format!("{cap} {name}")
}
