//! Records and changes: the one shape every entity takes in the store and on the wire.
//!
//! A record is a map of fields, each with the hybrid logical clock of its last write, plus an
//! optional seal. A change carries some fields of one record at one clock reading. Merging is
//! last-writer-wins per field, except that a sealed record never changes again. Both the phone
//! store and the server apply changes through `merge`, so they agree by construction.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use ring::digest;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::clock::Hlc;

pub type Fields = Map<String, Value>;

/// The kinds of record. The text form is what the store and the wire use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    Unit,
    Household,
    Clan,
    Plan,
    PledgeTemplate,
    Task,
    Activity,
    Minutes,
    Pledge,
    Visit,
}

impl Entity {
    pub const ALL: [Entity; 10] = [
        Entity::Unit,
        Entity::Household,
        Entity::Clan,
        Entity::Plan,
        Entity::PledgeTemplate,
        Entity::Task,
        Entity::Activity,
        Entity::Minutes,
        Entity::Pledge,
        Entity::Visit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Unit => "unit",
            Entity::Household => "household",
            Entity::Clan => "clan",
            Entity::Plan => "plan",
            Entity::PledgeTemplate => "pledge_template",
            Entity::Task => "task",
            Entity::Activity => "activity",
            Entity::Minutes => "minutes",
            Entity::Pledge => "pledge",
            Entity::Visit => "visit",
        }
    }

    /// Records of these kinds can be sealed and are immutable afterwards.
    pub fn sealable(self) -> bool {
        matches!(self, Entity::Minutes | Entity::Pledge)
    }
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Entity {
    type Err = crate::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Entity::ALL
            .into_iter()
            .find(|e| e.as_str() == s)
            .ok_or_else(|| crate::Error::validation("entity", crate::Rule::Invalid { expected: "a known record kind" }))
    }
}

/// Who sealed a record, when, and the SHA-256 of its content at that moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seal {
    pub by: String,
    /// Milliseconds since the Unix epoch.
    pub at: i64,
    /// Lowercase hex SHA-256 of `content_hash_input(entity, id, fields)`.
    pub hash: String,
}

/// One write to one record: the unit of sync. `id` makes it idempotent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub id: Uuid,
    pub entity: Entity,
    pub record: Uuid,
    /// The unit the record belongs to (a village, a commune, ...): the scope key.
    pub unit: Uuid,
    pub hlc: Hlc,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub fields: Fields,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seal: Option<Seal>,
}

/// A record as stored: its fields, the clock of each field's last write, and its seal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordState {
    pub entity: Entity,
    pub id: Uuid,
    pub unit: Uuid,
    pub fields: Fields,
    pub clocks: BTreeMap<String, Hlc>,
    pub seal: Option<Seal>,
}

impl RecordState {
    pub fn new(entity: Entity, id: Uuid, unit: Uuid) -> Self {
        RecordState { entity, id, unit, fields: Map::new(), clocks: BTreeMap::new(), seal: None }
    }

    /// The latest clock reading of any field.
    pub fn updated(&self) -> Hlc {
        self.clocks.values().copied().max().unwrap_or(Hlc::ZERO)
    }
}

/// What applying a change did.
#[derive(Debug, Clone, PartialEq)]
pub enum MergeOutcome {
    /// At least one field (or the seal) changed.
    Applied,
    /// Nothing new: every field was already at this value or a later one.
    Duplicate,
}

/// Why a change cannot be applied; shown to the user next to the set-aside item.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    #[error("the record is sealed and this change differs from it")]
    SealedDiffers,
    #[error("the change is for a different kind of record")]
    EntityMismatch,
    #[error("the record cannot move to another unit")]
    UnitMismatch,
    #[error("this kind of record cannot be sealed")]
    NotSealable,
    #[error("the seal does not match the content")]
    SealMismatch,
}

/// Apply `change` to `state` (a fresh state for a new record). Last writer wins per field by
/// clock; a sealed record accepts only a change that repeats exactly what it holds.
pub fn merge(state: &mut RecordState, change: &Change) -> Result<MergeOutcome, MergeError> {
    if state.entity != change.entity {
        return Err(MergeError::EntityMismatch);
    }
    if state.unit != change.unit {
        return Err(MergeError::UnitMismatch);
    }
    if change.seal.is_some() && !change.entity.sealable() {
        return Err(MergeError::NotSealable);
    }
    if let Some(existing) = &state.seal {
        let same_fields = change.fields.iter().all(|(k, v)| state.fields.get(k) == Some(v));
        let same_seal = change.seal.as_ref().is_none_or(|s| s.hash == existing.hash);
        return if same_fields && same_seal {
            Ok(MergeOutcome::Duplicate)
        } else {
            Err(MergeError::SealedDiffers)
        };
    }
    let mut next = state.clone();
    let mut changed = false;
    for (name, value) in &change.fields {
        let newer = next.clocks.get(name).is_none_or(|c| change.hlc > *c);
        if newer {
            if next.fields.get(name) != Some(value) {
                changed = true;
            }
            next.fields.insert(name.clone(), value.clone());
            next.clocks.insert(name.clone(), change.hlc);
        }
    }
    if let Some(seal) = &change.seal {
        if seal.hash != content_hash(next.entity, next.id, &next.fields) {
            return Err(MergeError::SealMismatch);
        }
        next.seal = Some(seal.clone());
        changed = true;
    }
    *state = next;
    Ok(if changed { MergeOutcome::Applied } else { MergeOutcome::Duplicate })
}

/// SHA-256 over the record's kind, id and fields as canonical JSON (keys sorted, no spaces).
pub fn content_hash(entity: Entity, id: Uuid, fields: &Fields) -> String {
    // serde_json's Map is a BTreeMap (no `preserve_order`), so serialisation is canonical.
    let body = serde_json::json!({ "entity": entity, "id": id, "fields": fields });
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    hex(digest::digest(&digest::SHA256, &bytes).as_ref())
}

/// SHA-256 of raw bytes, lowercase hex: the address of an attachment.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(digest::digest(&digest::SHA256, bytes).as_ref())
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 0xf) as usize] as char);
    }
    s
}

/// Merge a whole record state received from the server (a pull) into the local one: per field,
/// the later clock wins; a seal from the server is taken with its fields.
pub fn merge_state(local: &mut RecordState, remote: &RecordState) -> Result<MergeOutcome, MergeError> {
    if local.entity != remote.entity {
        return Err(MergeError::EntityMismatch);
    }
    if local.seal.is_some() {
        return if local.seal == remote.seal && local.fields == remote.fields {
            Ok(MergeOutcome::Duplicate)
        } else {
            Err(MergeError::SealedDiffers)
        };
    }
    let mut changed = false;
    if local.unit != remote.unit {
        local.unit = remote.unit;
        changed = true;
    }
    for (name, value) in &remote.fields {
        let remote_clock = remote.clocks.get(name).copied().unwrap_or(Hlc::ZERO);
        let newer = local.clocks.get(name).is_none_or(|c| remote_clock > *c);
        if newer {
            if local.fields.get(name) != Some(value) {
                changed = true;
            }
            local.fields.insert(name.clone(), value.clone());
            local.clocks.insert(name.clone(), remote_clock);
        }
    }
    if let Some(seal) = &remote.seal {
        if seal.hash != content_hash(remote.entity, remote.id, &remote.fields) {
            return Err(MergeError::SealMismatch);
        }
        local.fields = remote.fields.clone();
        local.clocks = remote.clocks.clone();
        local.seal = Some(seal.clone());
        changed = true;
    }
    Ok(if changed { MergeOutcome::Applied } else { MergeOutcome::Duplicate })
}

/// A typed domain value as record fields.
pub fn to_fields<T: Serialize>(value: &T) -> crate::Result<Fields> {
    match serde_json::to_value(value)? {
        Value::Object(map) => Ok(map),
        _ => Err(crate::Error::Store("a record must serialise to an object".into())),
    }
}

/// Record fields as a typed domain value.
pub fn from_fields<T: serde::de::DeserializeOwned>(fields: &Fields) -> crate::Result<T> {
    Ok(serde_json::from_value(Value::Object(fields.clone()))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn change(hlc: u64, fields: Value) -> Change {
        Change {
            id: Uuid::now_v7(),
            entity: Entity::Household,
            record: Uuid::nil(),
            unit: Uuid::nil(),
            hlc: Hlc { millis: hlc, counter: 0, node: 1 },
            fields: fields.as_object().cloned().unwrap_or_default(),
            seal: None,
        }
    }

    #[test]
    fn last_writer_wins_per_field_whatever_the_arrival_order() {
        let a = change(10, json!({"head_name": "A", "phone": "1"}));
        let b = change(20, json!({"phone": "2"}));
        let mut s1 = RecordState::new(Entity::Household, Uuid::nil(), Uuid::nil());
        let mut s2 = s1.clone();
        merge(&mut s1, &a).unwrap();
        merge(&mut s1, &b).unwrap();
        merge(&mut s2, &b).unwrap();
        merge(&mut s2, &a).unwrap();
        assert_eq!(s1, s2);
        assert_eq!(s1.fields["phone"], json!("2"));
        assert_eq!(s1.fields["head_name"], json!("A"));
    }

    #[test]
    fn applying_twice_is_a_duplicate() {
        let a = change(10, json!({"head_name": "A"}));
        let mut s = RecordState::new(Entity::Household, Uuid::nil(), Uuid::nil());
        assert_eq!(merge(&mut s, &a), Ok(MergeOutcome::Applied));
        assert_eq!(merge(&mut s, &a), Ok(MergeOutcome::Duplicate));
    }

    #[test]
    fn sealed_records_accept_only_an_identical_repeat() {
        let id = Uuid::now_v7();
        let fields = json!({"signed_by": "Nguyễn Văn A"}).as_object().cloned().unwrap();
        let seal = Seal { by: "x".into(), at: 1, hash: content_hash(Entity::Pledge, id, &fields) };
        let c = Change {
            id: Uuid::now_v7(),
            entity: Entity::Pledge,
            record: id,
            unit: Uuid::nil(),
            hlc: Hlc { millis: 5, counter: 0, node: 1 },
            fields: fields.clone(),
            seal: Some(seal),
        };
        let mut s = RecordState::new(Entity::Pledge, id, Uuid::nil());
        assert_eq!(merge(&mut s, &c), Ok(MergeOutcome::Applied));
        assert_eq!(merge(&mut s, &c), Ok(MergeOutcome::Duplicate));
        let mut other = c.clone();
        other.fields.insert("signed_by".into(), json!("B"));
        other.seal = None;
        other.hlc.millis = 50;
        assert_eq!(merge(&mut s, &other), Err(MergeError::SealedDiffers));
        assert_eq!(s.fields["signed_by"], json!("Nguyễn Văn A"));
    }

    #[test]
    fn a_seal_must_match_the_content() {
        let mut c = change(1, json!({"signed_by": "A"}));
        c.entity = Entity::Pledge;
        c.seal = Some(Seal { by: "x".into(), at: 1, hash: "00".into() });
        let mut s = RecordState::new(Entity::Pledge, Uuid::nil(), Uuid::nil());
        assert_eq!(merge(&mut s, &c), Err(MergeError::SealMismatch));
        assert!(s.fields.is_empty());
    }
}
