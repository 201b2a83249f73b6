//! What a device may read and write, computed from the unit tree.
//!
//! TODO(plans): switch to `sotay_core::units::UnitTree` when branch `plans` lands it on main;
//! until then this small tree over the unit records' `parent` field does the same job.

use std::collections::{HashMap, HashSet};

use sotay_core::record::{Change, Entity};
use uuid::Uuid;

use crate::storage::{ReadScope, Role, UnitNode};

/// Parent links of every unit.
#[derive(Debug, Clone, Default)]
pub struct UnitTree {
    parent: HashMap<Uuid, Option<Uuid>>,
    children: HashMap<Uuid, Vec<Uuid>>,
}

impl UnitTree {
    pub fn new(nodes: &[UnitNode]) -> UnitTree {
        let mut tree = UnitTree::default();
        for n in nodes {
            tree.parent.insert(n.id, n.parent);
            if let Some(p) = n.parent {
                tree.children.entry(p).or_default().push(n.id);
            }
        }
        tree
    }

    pub fn contains(&self, unit: Uuid) -> bool {
        self.parent.contains_key(&unit)
    }

    /// `root` and every unit below it (a cycle in bad data cannot loop forever).
    pub fn subtree(&self, root: Uuid) -> Vec<Uuid> {
        let mut seen = HashSet::from([root]);
        let mut out = vec![root];
        let mut i = 0;
        while i < out.len() {
            for &c in self.children.get(&out[i]).into_iter().flatten() {
                if seen.insert(c) {
                    out.push(c);
                }
            }
            i += 1;
        }
        out
    }

    /// The units above `unit`, nearest first.
    pub fn ancestors(&self, unit: Uuid) -> Vec<Uuid> {
        let mut out = Vec::new();
        let mut seen = HashSet::from([unit]);
        let mut at = self.parent.get(&unit).copied().flatten();
        while let Some(p) = at {
            if !seen.insert(p) {
                break;
            }
            out.push(p);
            at = self.parent.get(&p).copied().flatten();
        }
        out
    }
}

/// A device's scope: its unit's subtree (read and write) and its ancestors (read the unit, plan
/// and pledge-template records only).
#[derive(Debug, Clone)]
pub struct Scope {
    pub root: Uuid,
    pub role: Role,
    subtree: HashSet<Uuid>,
    read: ReadScope,
}

/// Why a change may not be written by a device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteRefusal {
    OutOfScope,
    NotWritable,
}

impl WriteRefusal {
    pub fn reason(&self) -> &'static str {
        match self {
            WriteRefusal::OutOfScope => "out_of_scope",
            WriteRefusal::NotWritable => "not_writable",
        }
    }
}

impl Scope {
    pub fn new(tree: &UnitTree, root: Uuid, role: Role) -> Scope {
        let subtree = tree.subtree(root);
        let read = ReadScope { subtree: subtree.clone(), ancestors: tree.ancestors(root) };
        Scope { root, role, subtree: subtree.into_iter().collect(), read }
    }

    pub fn read_scope(&self) -> &ReadScope {
        &self.read
    }

    pub fn units(&self) -> &[Uuid] {
        &self.read.subtree
    }

    pub fn covers(&self, unit: Uuid) -> bool {
        self.subtree.contains(&unit)
    }

    /// A device writes only inside its subtree, never unit records (the unit tree is managed on
    /// the server), and plans and pledge templates only from a commune or district device.
    pub fn check_write(&self, change: &Change) -> Result<(), WriteRefusal> {
        if !self.covers(change.unit) {
            return Err(WriteRefusal::OutOfScope);
        }
        match change.entity {
            Entity::Unit => Err(WriteRefusal::NotWritable),
            Entity::Plan | Entity::PledgeTemplate if self.role == Role::VillageHead => Err(WriteRefusal::NotWritable),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtree_and_ancestors_follow_parents_and_survive_a_cycle() {
        let (d, c, v1, v2) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let tree = UnitTree::new(&[
            UnitNode { id: d, parent: None },
            UnitNode { id: c, parent: Some(d) },
            UnitNode { id: v1, parent: Some(c) },
            UnitNode { id: v2, parent: Some(c) },
        ]);
        assert_eq!(tree.subtree(c).len(), 3);
        assert_eq!(tree.ancestors(v1), vec![c, d]);
        let cyclic = UnitTree::new(&[UnitNode { id: v1, parent: Some(v2) }, UnitNode { id: v2, parent: Some(v1) }]);
        assert_eq!(cyclic.ancestors(v1), vec![v2]);
        assert_eq!(cyclic.subtree(v1).len(), 2);
    }
}
