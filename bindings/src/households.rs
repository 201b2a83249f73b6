//! Households and clans of a village: the list, accent-free search, add and edit, erasure on
//! request. Mirrors core's `households` and `search`.

use sotay_core::households::{Clan, ClanDetails, Erased, Household, HouseholdDetails};

use crate::error::{Result, call};
use crate::ids::{parse_id, parse_optional_id};
use crate::items;
use crate::store::SotayStore;

/// What the household form sends.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HouseholdInput {
    pub head_name: String,
    /// Hamlet group (xóm) or street address within the village.
    pub address: String,
    pub members: u32,
    pub children_under_18: u32,
    pub phone: Option<String>,
    pub clan_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HouseholdItem {
    pub id: String,
    pub village_id: String,
    pub head_name: String,
    pub address: String,
    pub members: u32,
    pub children_under_18: u32,
    /// National form, 10 or 11 digits starting with 0.
    pub phone: Option<String>,
    pub clan_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ClanInput {
    pub name: String,
    pub head_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ClanItem {
    pub id: String,
    /// The village (or commune) the clan is recorded in.
    pub unit_id: String,
    pub name: String,
    pub head_name: Option<String>,
    pub household_count: u32,
}

/// What erasing a household removed with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct ErasedCounts {
    pub visits: u32,
    pub pledges: u32,
}

impl HouseholdInput {
    fn into_core(self) -> sotay_core::Result<HouseholdDetails> {
        Ok(HouseholdDetails {
            clan: parse_optional_id("clan", self.clan_id)?,
            head_name: self.head_name,
            address: self.address,
            members: self.members,
            children_under_18: self.children_under_18,
            phone: self.phone,
        })
    }
}

impl From<Household> for HouseholdItem {
    fn from(h: Household) -> Self {
        let d = h.details;
        HouseholdItem {
            id: h.id.to_string(),
            village_id: h.village.to_string(),
            head_name: d.head_name,
            address: d.address,
            members: d.members,
            children_under_18: d.children_under_18,
            phone: d.phone,
            clan_id: d.clan.map(|c| c.to_string()),
        }
    }
}

impl From<ClanInput> for ClanDetails {
    fn from(c: ClanInput) -> Self {
        ClanDetails { name: c.name, head_name: c.head_name }
    }
}

impl From<Clan> for ClanItem {
    fn from(c: Clan) -> Self {
        ClanItem {
            id: c.id.to_string(),
            unit_id: c.unit.to_string(),
            name: c.details.name,
            head_name: c.details.head_name,
            household_count: c.household_count,
        }
    }
}

impl From<Erased> for ErasedCounts {
    fn from(e: Erased) -> Self {
        ErasedCounts { visits: e.visits, pledges: e.pledges }
    }
}

#[uniffi::export]
impl SotayStore {
    pub fn add_household(&self, village_id: String, input: HouseholdInput) -> Result<HouseholdItem> {
        call(|| Ok(self.store.add_household(parse_id("village", &village_id)?, &input.into_core()?)?.into()))
    }

    /// Save the form over an existing household; only changed fields are synced.
    pub fn edit_household(&self, id: String, input: HouseholdInput) -> Result<HouseholdItem> {
        call(|| Ok(self.store.edit_household(parse_id("household_id", &id)?, &input.into_core()?)?.into()))
    }

    pub fn household(&self, id: String) -> Result<HouseholdItem> {
        call(|| Ok(self.store.household(parse_id("household_id", &id)?)?.into()))
    }

    /// The village's households in Vietnamese alphabetical order of the head's name.
    pub fn households(&self, village_id: String) -> Result<Vec<HouseholdItem>> {
        call(|| Ok(items(self.store.households(parse_id("village", &village_id)?)?)))
    }

    /// Households whose head's name starts with what was typed, accents optional
    /// ("nguyen v" finds "Nguyễn Văn"); in one village, or everywhere when `village_id` is null.
    pub fn search_households(&self, village_id: Option<String>, typed: String, limit: u32) -> Result<Vec<HouseholdItem>> {
        call(|| Ok(items(self.store.search_households(parse_optional_id("village", village_id)?, &typed, limit as usize)?)))
    }

    /// Erase a household on request, with its visits and pledges; nothing of it stays here.
    pub fn erase_household(&self, id: String) -> Result<ErasedCounts> {
        call(|| Ok(self.store.erase_household(parse_id("household_id", &id)?)?.into()))
    }

    pub fn add_clan(&self, unit_id: String, input: ClanInput) -> Result<ClanItem> {
        call(|| Ok(self.store.add_clan(parse_id("unit_id", &unit_id)?, &input.into())?.into()))
    }

    pub fn edit_clan(&self, id: String, input: ClanInput) -> Result<ClanItem> {
        call(|| Ok(self.store.edit_clan(parse_id("clan_id", &id)?, &input.into())?.into()))
    }

    /// The clans of a unit in alphabetical order, with how many households each has.
    pub fn clans(&self, unit_id: String) -> Result<Vec<ClanItem>> {
        call(|| Ok(items(self.store.clans(parse_id("unit_id", &unit_id)?)?)))
    }

    pub fn search_clans(&self, unit_id: Option<String>, typed: String, limit: u32) -> Result<Vec<ClanItem>> {
        call(|| Ok(items(self.store.search_clans(parse_optional_id("unit_id", unit_id)?, &typed, limit as usize)?)))
    }

    pub fn clan_households(&self, clan_id: String) -> Result<Vec<HouseholdItem>> {
        call(|| Ok(items(self.store.clan_households(parse_id("clan_id", &clan_id)?)?)))
    }
}
