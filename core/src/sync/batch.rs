//! Building one push batch from the oldest pending changes. A change whose fields are all
//! rewritten by a later change of the same record in the same batch adds nothing the later one
//! does not carry (last writer wins per field), so only the later one is sent and its answer
//! settles both. A pledge written and then sealed thus travels once.

use std::collections::HashMap;

use uuid::Uuid;

use crate::record::Change;

#[derive(Debug, Default)]
pub struct Batch {
    /// What goes on the wire, in outbox order.
    pub send: Vec<Change>,
    /// Sent change id -> the earlier changes it makes redundant.
    covers: HashMap<Uuid, Vec<Uuid>>,
}

impl Batch {
    /// The earlier changes settled by the answer for `change`.
    pub fn covered_by(&self, change: Uuid) -> impl Iterator<Item = Uuid> + '_ {
        self.covers.get(&change).into_iter().flatten().copied()
    }

    /// Keep at most `max_count` changes and about `max_bytes` (by `sizes`), in order; the rest
    /// (and what they cover) stay pending for the next batch.
    pub fn limit(mut self, max_count: usize, max_bytes: usize, sizes: &HashMap<Uuid, u64>) -> Batch {
        let mut bytes = 0u64;
        let mut keep = 0;
        for c in &self.send {
            let size = sizes.get(&c.id).copied().unwrap_or(0) + 1;
            if keep > 0 && (keep >= max_count || bytes + size > max_bytes as u64) {
                break;
            }
            bytes += size;
            keep += 1;
        }
        for dropped in self.send.drain(keep..) {
            self.covers.remove(&dropped.id);
        }
        self
    }
}

/// Fold redundant changes into the later change of the same record that rewrites all their
/// fields. A change carrying a seal is never folded (nothing after a seal can cover it).
pub fn coalesce(changes: Vec<Change>) -> Batch {
    let mut kept: Vec<Change> = Vec::with_capacity(changes.len());
    let mut covers: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    let mut latest: HashMap<Uuid, usize> = HashMap::new();
    for c in changes.into_iter().rev() {
        if let Some(&i) = latest.get(&c.record) {
            let later = &kept[i];
            let redundant = c.seal.is_none()
                && later.entity == c.entity
                && later.unit == c.unit
                && later.hlc > c.hlc
                && c.fields.keys().all(|k| later.fields.contains_key(k));
            if redundant {
                let later_id = later.id;
                let mut folded = covers.remove(&c.id).unwrap_or_default();
                folded.push(c.id);
                covers.entry(later_id).or_default().extend(folded);
                continue;
            }
        }
        latest.insert(c.record, kept.len());
        kept.push(c);
    }
    kept.reverse();
    Batch { send: kept, covers }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::clock::Hlc;
    use crate::record::{Entity, Seal};

    fn change(record: Uuid, millis: u64, fields: serde_json::Value, sealed: bool) -> Change {
        Change {
            id: Uuid::now_v7(),
            entity: Entity::Pledge,
            record,
            unit: Uuid::nil(),
            hlc: Hlc { millis, counter: 0, node: 1 },
            fields: fields.as_object().cloned().unwrap(),
            seal: sealed.then(|| Seal { by: "x".into(), at: 1, hash: "h".into() }),
        }
    }

    #[test]
    fn a_write_followed_by_its_seal_travels_once_and_both_are_settled() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let put_a = change(a, 1, json!({"signed_by": "A", "witness": "W"}), false);
        let put_b = change(b, 2, json!({"signed_by": "B"}), false);
        let seal_a = change(a, 3, json!({"signed_by": "A", "witness": "W", "kind": "household"}), true);
        let batch = coalesce(vec![put_a.clone(), put_b.clone(), seal_a.clone()]);
        let sent: Vec<Uuid> = batch.send.iter().map(|c| c.id).collect();
        assert_eq!(sent, [put_b.id, seal_a.id]);
        assert_eq!(batch.covered_by(seal_a.id).collect::<Vec<_>>(), [put_a.id]);
        assert_eq!(batch.covered_by(put_b.id).count(), 0);
    }

    #[test]
    fn a_change_with_a_field_the_later_one_lacks_is_kept() {
        let a = Uuid::now_v7();
        let first = change(a, 1, json!({"phone": "1", "address": "x"}), false);
        let second = change(a, 2, json!({"phone": "2"}), false);
        let batch = coalesce(vec![first.clone(), second.clone()]);
        assert_eq!(batch.send.len(), 2);
    }

    #[test]
    fn chains_fold_into_the_last_and_limiting_drops_the_tail_with_what_it_covers() {
        let a = Uuid::now_v7();
        let c1 = change(a, 1, json!({"phone": "1"}), false);
        let c2 = change(a, 2, json!({"phone": "2"}), false);
        let c3 = change(a, 3, json!({"phone": "3"}), false);
        let other = change(Uuid::now_v7(), 0, json!({"phone": "9"}), false);
        let batch = coalesce(vec![other.clone(), c1.clone(), c2.clone(), c3.clone()]);
        let mut folded: Vec<Uuid> = batch.covered_by(c3.id).collect();
        folded.sort();
        assert_eq!(folded, [c1.id, c2.id]);
        let limited = batch.limit(1, 1 << 20, &HashMap::new());
        assert_eq!(limited.send.len(), 1);
        assert_eq!(limited.send[0].id, other.id);
        assert_eq!(limited.covered_by(c3.id).count(), 0);
    }
}
