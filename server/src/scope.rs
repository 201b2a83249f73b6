//! What a device may read and write, decided by the core's unit tree (`core::units::UnitTree`),
//! the same code the phones use, so both sides agree on scope.

use sotay_core::record::{Change, Entity, RecordState};
use sotay_core::units::UnitTree;
use uuid::Uuid;

use crate::storage::{ReadScope, Role};

/// A device's scope: its unit's subtree (read and write) and the units above it (read their
/// unit, plan and pledge-template records only).
#[derive(Debug, Clone)]
pub struct Scope {
    pub root: Uuid,
    pub role: Role,
    tree: UnitTree,
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
        use sotay_core::sync::protocol::reason;
        match self {
            WriteRefusal::OutOfScope => reason::OUT_OF_SCOPE,
            WriteRefusal::NotWritable => reason::NOT_WRITABLE,
        }
    }
}

impl Scope {
    /// The scope of a device bound to `root`, from every unit record.
    pub fn new(units: &[RecordState], root: Uuid, role: Role) -> Scope {
        let tree = UnitTree::from_records(units);
        Self::in_tree(tree, root, role)
    }

    pub fn in_tree(tree: UnitTree, root: Uuid, role: Role) -> Scope {
        let subtree = tree.subtree(root);
        let below: std::collections::HashSet<Uuid> = subtree.iter().copied().collect();
        // Units above `root` by parent or merge links: every unit whose unit record the device
        // may read without it being in its subtree.
        let all = tree.roots().iter().flat_map(|r| tree.subtree(r.id)).collect::<Vec<_>>();
        let ancestors = all.into_iter().filter(|u| !below.contains(u) && tree.readable(root, Entity::Unit, *u)).collect();
        Scope { root, role, tree, read: ReadScope { subtree, ancestors } }
    }

    /// The same device, narrowed to `unit` (which must be in scope).
    pub fn narrowed(&self, unit: Uuid) -> Option<Scope> {
        self.covers(unit).then(|| Self::in_tree(self.tree.clone(), unit, self.role))
    }

    pub fn read_scope(&self) -> &ReadScope {
        &self.read
    }

    /// The units the device reads and writes everything of.
    pub fn units(&self) -> &[Uuid] {
        &self.read.subtree
    }

    pub fn covers(&self, unit: Uuid) -> bool {
        self.tree.in_scope(self.root, unit)
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
