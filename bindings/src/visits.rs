//! Door-to-door visits: what happened at each household, the households still to visit, and
//! the revisits due today.

use sotay_core::visits::{HouseholdToVisit, Visit, VisitInput, VisitOutcome};

use crate::dates::{DateText, parse_iso, parse_optional_iso};
use crate::error::{Result, call};
use crate::households::HouseholdItem;
use crate::ids::parse_id;
use crate::items;
use crate::store::SotayStore;

#[uniffi::remote(Enum)]
pub enum VisitOutcome {
    Pledged,
    NotHome,
    Refused,
    MovedAway,
    Other,
}

/// What the village head notes after knocking on a door.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct VisitForm {
    /// ISO `YYYY-MM-DD`.
    pub visited_on: String,
    pub outcome: VisitOutcome,
    /// ISO date to come back, or null (none once the household pledged or moved away).
    pub revisit_on: Option<String>,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct VisitItem {
    pub id: String,
    pub village_id: String,
    pub household_id: String,
    pub visited_on: DateText,
    pub outcome: VisitOutcome,
    pub revisit_on: Option<DateText>,
    pub note: String,
}

/// A household on a to-visit list, with its latest visit if any.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HouseholdToVisitItem {
    pub household: HouseholdItem,
    pub last_visit: Option<VisitItem>,
}

impl VisitForm {
    fn into_core(self) -> sotay_core::Result<VisitInput> {
        Ok(VisitInput {
            visited_on: parse_iso("visited_on", &self.visited_on)?,
            outcome: self.outcome,
            revisit_on: parse_optional_iso("revisit_on", self.revisit_on)?,
            note: self.note,
        })
    }
}

impl From<Visit> for VisitItem {
    fn from(v: Visit) -> Self {
        let c = v.content;
        VisitItem {
            id: v.id.to_string(),
            village_id: v.village.to_string(),
            household_id: c.household.to_string(),
            visited_on: c.visited_on.into(),
            outcome: c.outcome,
            revisit_on: c.revisit_on.map(DateText::from),
            note: c.note,
        }
    }
}

impl From<HouseholdToVisit> for HouseholdToVisitItem {
    fn from(h: HouseholdToVisit) -> Self {
        HouseholdToVisitItem { household: h.household.into(), last_visit: h.last_visit.map(VisitItem::from) }
    }
}

#[uniffi::export]
impl SotayStore {
    pub fn record_visit(&self, household_id: String, form: VisitForm) -> Result<VisitItem> {
        call(|| Ok(self.store.record_visit(parse_id("household_id", &household_id)?, &form.into_core()?)?.into()))
    }

    /// The visits to a household, latest first.
    pub fn visits_of_household(&self, household_id: String) -> Result<Vec<VisitItem>> {
        call(|| Ok(items(self.store.visits_of_household(parse_id("household_id", &household_id)?)?)))
    }

    /// Households of the village with no sealed household pledge that have not moved away,
    /// in alphabetical order.
    pub fn households_left(&self, village_id: String) -> Result<Vec<HouseholdToVisitItem>> {
        call(|| Ok(items(self.store.households_left(parse_id("village", &village_id)?)?)))
    }

    /// Households whose latest visit says to come back on or before today (in Vietnam) and
    /// that have still not pledged.
    pub fn revisits_due_today(&self, village_id: String) -> Result<Vec<HouseholdToVisitItem>> {
        call(|| Ok(items(self.store.revisits_due_today(parse_id("village", &village_id)?)?)))
    }
}
