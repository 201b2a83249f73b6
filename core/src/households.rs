//! Households of a village and clans (tộc họ): the only personal data the app keeps about people
//! (head's name, hamlet group, head counts, an optional phone, a clan), kept to that minimum.

use std::collections::HashMap;

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::record::{self, Entity, RecordState};
use crate::lookup::{existing, parse_id, put_changed};
use crate::store::{Store, Tx, load_record};
use crate::validate::{self, MAX_LINE, MAX_NAME};
use crate::{Error, Result, Rule};

/// Most people one household record may count.
pub const MAX_MEMBERS: u32 = 100;

/// What a household record holds (the contract's `household` fields).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct HouseholdDetails {
    pub head_name: String,
    /// Hamlet group (xóm) or street address within the village.
    pub address: String,
    pub members: u32,
    pub children_under_18: u32,
    pub phone: Option<String>,
    pub clan: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Household {
    pub id: Uuid,
    pub village: Uuid,
    pub details: HouseholdDetails,
}

/// What a clan record holds.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ClanDetails {
    pub name: String,
    pub head_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clan {
    pub id: Uuid,
    /// The village (or commune) the clan is recorded in.
    pub unit: Uuid,
    pub details: ClanDetails,
    /// Households whose `clan` points here.
    pub household_count: u32,
}

/// One row of a commune's household list being imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdImport {
    pub village: Uuid,
    pub details: HouseholdDetails,
}

/// What erasing a household removed with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Erased {
    pub visits: u32,
    pub pledges: u32,
}

impl Household {
    pub fn from_record(r: &RecordState) -> Result<Household> {
        Ok(Household { id: r.id, village: r.unit, details: record::from_fields(&r.fields)? })
    }
}

impl Clan {
    fn from_record(r: &RecordState, household_count: u32) -> Result<Clan> {
        Ok(Clan { id: r.id, unit: r.unit, details: record::from_fields(&r.fields)?, household_count })
    }
}

impl Store {
    pub fn add_household(&self, village: Uuid, details: &HouseholdDetails) -> Result<Household> {
        self.write(|tx| {
            let details = check_household(tx.conn(), village, details, &mut Checked::default())?;
            let id = Uuid::now_v7();
            tx.put(Entity::Household, id, village, record::to_fields(&details)?)?;
            Ok(Household { id, village, details })
        })
    }

    /// Change a household; only the fields that differ are written (and synced), so an edit on
    /// another phone to another field is kept.
    pub fn edit_household(&self, id: Uuid, details: &HouseholdDetails) -> Result<Household> {
        self.write(|tx| {
            let current = existing(tx.conn(), id, Entity::Household)?;
            let details = check_household(tx.conn(), current.unit, details, &mut Checked::default())?;
            put_changed(tx, &current, record::to_fields(&details)?)?;
            Ok(Household { id, village: current.unit, details })
        })
    }

    pub fn household(&self, id: Uuid) -> Result<Household> {
        self.read(|c| Household::from_record(&existing(c, id, Entity::Household)?))
    }

    /// The households of a village in Vietnamese alphabetical order of the head's name.
    pub fn households(&self, village: Uuid) -> Result<Vec<Household>> {
        self.read(|c| {
            sorted_households(
                c,
                "s.entity = 'household' AND s.unit_id = ?1",
                params![village.to_string()],
            )
        })
    }

    /// Import a commune's household list in one transaction: every row is checked first and
    /// nothing is written unless all rows are valid. The error names the row
    /// (`households[12].members`, counted from 0). Returns the new ids in row order.
    pub fn import_households(&self, commune: Uuid, rows: &[HouseholdImport]) -> Result<Vec<Uuid>> {
        self.write(|tx| {
            let mut checked = Checked { commune: Some(commune), ..Checked::default() };
            let mut ready = Vec::with_capacity(rows.len());
            for (i, row) in rows.iter().enumerate() {
                let details = check_household(tx.conn(), row.village, &row.details, &mut checked)
                    .map_err(|e| validate::in_row("households", i, e))?;
                ready.push((row.village, record::to_fields(&details)?));
            }
            let mut ids = Vec::with_capacity(rows.len());
            for (village, fields) in ready {
                let id = Uuid::now_v7();
                tx.put(Entity::Household, id, village, fields)?;
                ids.push(id);
            }
            Ok(ids)
        })
    }

    /// Erase a household on request (Law on Personal Data Protection), with its visits and
    /// pledges, which carry its people's names. Nothing of it stays on the device.
    pub fn erase_household(&self, id: Uuid) -> Result<Erased> {
        self.write(|tx| {
            existing(tx.conn(), id, Entity::Household)?;
            Ok(erase_with_dependents(tx, id)?.1)
        })
    }

    /// Add a clan to a village (or a commune, for a clan spread over several villages).
    pub fn add_clan(&self, unit: Uuid, details: &ClanDetails) -> Result<Clan> {
        self.write(|tx| {
            if let Some(r) = load_record(tx.conn(), unit)?
                && r.entity != Entity::Unit
            {
                return Err(Error::validation("unit_id", Rule::UnknownReference { entity: "unit" }));
            }
            let details = check_clan(details)?;
            let id = Uuid::now_v7();
            tx.put(Entity::Clan, id, unit, record::to_fields(&details)?)?;
            Ok(Clan { id, unit, details, household_count: 0 })
        })
    }

    pub fn edit_clan(&self, id: Uuid, details: &ClanDetails) -> Result<Clan> {
        self.write(|tx| {
            let current = existing(tx.conn(), id, Entity::Clan)?;
            let details = check_clan(details)?;
            put_changed(tx, &current, record::to_fields(&details)?)?;
            let count = clan_member_counts(tx.conn())?.get(&id).copied().unwrap_or(0);
            Ok(Clan { id, unit: current.unit, details, household_count: count })
        })
    }

    pub fn clan(&self, id: Uuid) -> Result<Clan> {
        self.read(|c| {
            let r = existing(c, id, Entity::Clan)?;
            Clan::from_record(&r, clan_member_counts(c)?.get(&id).copied().unwrap_or(0))
        })
    }

    /// The clans recorded in a unit, in Vietnamese alphabetical order, with their household counts.
    pub fn clans(&self, unit: Uuid) -> Result<Vec<Clan>> {
        self.read(|c| {
            let counts = clan_member_counts(c)?;
            let mut stmt = c.prepare_cached(
                "SELECT r.id, r.doc FROM search s JOIN records r ON r.id = s.record_id
                 WHERE s.entity = 'clan' AND s.unit_id = ?1 ORDER BY s.sort_key, s.record_id",
            )?;
            let rows = stmt.query_map([unit.to_string()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            let mut out = Vec::new();
            for row in rows {
                let (id, doc) = row?;
                let id = parse_id(&id)?;
                let details: ClanDetails = serde_json::from_str(&doc)?;
                out.push(Clan { id, unit, details, household_count: counts.get(&id).copied().unwrap_or(0) });
            }
            Ok(out)
        })
    }

    /// The member households of a clan, in alphabetical order.
    pub fn clan_households(&self, clan: Uuid) -> Result<Vec<Household>> {
        self.read(|c| {
            existing(c, clan, Entity::Clan)?;
            sorted_households(
                c,
                "s.entity = 'household' AND json_extract(r.doc, '$.clan') = ?1",
                params![clan.to_string()],
            )
        })
    }
}

/// Lookups already made during one write (a bulk import checks each village and clan once).
#[derive(Default)]
struct Checked {
    /// When importing for a commune: villages must belong to it if their unit record says so.
    commune: Option<Uuid>,
    villages: HashMap<Uuid, Option<RecordState>>,
    clans: HashMap<Uuid, Option<Uuid>>,
}

impl Checked {
    fn village(&mut self, conn: &Connection, village: Uuid) -> Result<Option<&RecordState>> {
        if let std::collections::hash_map::Entry::Vacant(e) = self.villages.entry(village) {
            e.insert(load_record(conn, village)?);
        }
        Ok(self.villages.get(&village).and_then(Option::as_ref))
    }

    /// The unit of a clan, or `None` if there is no such clan.
    fn clan_unit(&mut self, conn: &Connection, clan: Uuid) -> Result<Option<Uuid>> {
        if let Some(u) = self.clans.get(&clan) {
            return Ok(*u);
        }
        let unit = load_record(conn, clan)?.filter(|r| r.entity == Entity::Clan).map(|r| r.unit);
        self.clans.insert(clan, unit);
        Ok(unit)
    }
}

/// Check and normalise a household's fields for `village`.
fn check_household(conn: &Connection, village: Uuid, d: &HouseholdDetails, checked: &mut Checked) -> Result<HouseholdDetails> {
    let commune = checked.commune;
    let parent = match checked.village(conn, village)? {
        // No unit record on this device (not synced yet): the server checks scope.
        None => None,
        Some(unit) => {
            let residential = unit.entity == Entity::Unit
                && unit.fields.get("residential_area").and_then(Value::as_bool) == Some(true);
            if !residential {
                return Err(Error::validation("village", Rule::WrongUnitLevel));
            }
            let parent = unit.fields.get("parent").and_then(Value::as_str).and_then(|p| Uuid::parse_str(p).ok());
            if let Some(commune) = commune
                && parent != Some(commune)
            {
                return Err(Error::validation("village", Rule::Invalid { expected: "a village of the commune being imported" }));
            }
            parent
        }
    };
    let head_name = validate::required("head_name", &d.head_name, MAX_NAME)?;
    let address = validate::limited("address", &d.address, MAX_LINE)?;
    validate::range("members", d.members.into(), 1, MAX_MEMBERS.into())?;
    validate::range("children_under_18", d.children_under_18.into(), 0, d.members.into())?;
    let phone = phone(d.phone.as_deref())?;
    if let Some(clan) = d.clan {
        match checked.clan_unit(conn, clan)? {
            None => return Err(Error::validation("clan", Rule::UnknownReference { entity: "clan" })),
            Some(unit) if unit == village || Some(unit) == parent => {}
            Some(_) => return Err(Error::validation("clan", Rule::Invalid { expected: "a clan of this village or its commune" })),
        }
    }
    Ok(HouseholdDetails { head_name, address, members: d.members, children_under_18: d.children_under_18, phone, clan: d.clan })
}

fn check_clan(d: &ClanDetails) -> Result<ClanDetails> {
    Ok(ClanDetails {
        name: validate::required("name", &d.name, MAX_NAME)?,
        head_name: validate::optional("head_name", d.head_name.as_deref(), MAX_NAME)?,
    })
}

/// A Vietnamese phone number in national form: 10 digits (mobile) or 11 (landline), starting
/// with 0. Spaces, dots, dashes and a +84 prefix are accepted and normalised away.
fn phone(value: Option<&str>) -> Result<Option<String>> {
    let Some(raw) = validate::optional("phone", value, 30)? else { return Ok(None) };
    let compact: String = raw.chars().filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')')).collect();
    let national = match compact.strip_prefix("+84") {
        Some(rest) => format!("0{rest}"),
        None => compact,
    };
    let ok = national.starts_with('0')
        && !national.starts_with("00")
        && (10..=11).contains(&national.len())
        && national.bytes().all(|b| b.is_ascii_digit());
    if !ok {
        return Err(Error::validation("phone", Rule::Invalid { expected: "a phone number of 10 or 11 digits starting with 0" }));
    }
    Ok(Some(national))
}

/// Households matching `filter` (over `search s` joined with `records r`), alphabetical.
pub(crate) fn sorted_households(conn: &Connection, filter: &str, params: &[&dyn rusqlite::ToSql]) -> Result<Vec<Household>> {
    let sql = format!(
        "SELECT r.id, r.unit_id, r.doc FROM search s JOIN records r ON r.id = s.record_id
         WHERE {filter} ORDER BY s.sort_key, s.record_id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params, |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (id, village, doc) = row?;
        out.push(Household { id: parse_id(&id)?, village: parse_id(&village)?, details: serde_json::from_str(&doc)? });
    }
    Ok(out)
}

/// Number of households pointing at each clan.
fn clan_member_counts(conn: &Connection) -> Result<HashMap<Uuid, u32>> {
    let mut stmt = conn.prepare_cached(
        "SELECT json_extract(doc, '$.clan') AS clan, count(*) FROM records
         WHERE entity = 'household' AND clan IS NOT NULL GROUP BY clan",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    let mut out = HashMap::new();
    for row in rows {
        let (clan, n) = row?;
        if let Ok(id) = Uuid::parse_str(&clan) {
            out.insert(id, n as u32);
        }
    }
    Ok(out)
}

/// The records about a household, by the field that names it: a visit's `household` and a pledge's
/// `subject` (ids are unique, so a subject equal to a household's id is a household pledge).
/// Erasing a household takes these with it, on the phone and on the server, and the server refuses
/// any later change naming an erased household.
pub const HOUSEHOLD_REFERENCES: [(Entity, &str); 2] = [(Entity::Visit, "household"), (Entity::Pledge, "subject")];

/// The household that a record of `entity` with these fields names, by [`HOUSEHOLD_REFERENCES`].
pub fn household_named_by(entity: Entity, fields: &record::Fields) -> Option<&str> {
    let (_, field) = HOUSEHOLD_REFERENCES.iter().find(|(e, _)| *e == entity)?;
    fields.get(*field)?.as_str()
}

/// Erase a record and, when it is a household, the visits and household pledges about it (as
/// the server does): the one erasure path for a request made on the phone and for an erasure
/// the server announces at sync. Returns whether the record itself was held, and what went
/// with it. Erasing an id this device never had changes nothing.
pub(crate) fn erase_with_dependents(tx: &mut Tx<'_>, id: Uuid) -> Result<(bool, Erased)> {
    let linked: Vec<(String, String)> = {
        let sql = HOUSEHOLD_REFERENCES
            .iter()
            .map(|(entity, field)| format!("SELECT id, entity FROM records WHERE entity = '{entity}' AND json_extract(doc, '$.{field}') = ?1"))
            .collect::<Vec<_>>()
            .join(" UNION ALL ");
        let mut stmt = tx.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map([id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut erased = Erased::default();
    for (linked_id, entity) in linked {
        let linked_id = Uuid::parse_str(&linked_id).map_err(|e| Error::Store(e.to_string()))?;
        tx.erase(linked_id)?;
        match entity.as_str() {
            "visit" => erased.visits += 1,
            _ => erased.pledges += 1,
        }
    }
    let held = tx.erase(id)?;
    Ok((held, erased))
}
