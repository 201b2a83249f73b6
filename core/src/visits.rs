//! Door-to-door visits: each visit to a household, its outcome and when to come back; and the
//! two lists a village head walks with: the households still left to pledge, and the ones to
//! revisit today.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::households::Household;
use crate::lookup::{existing, records_by};
use crate::pledges::PledgeKind;
use crate::record::{self, Entity, RecordState};
use crate::store::{Store, list_records};
use crate::{Error, Result, Rule, clock, validate};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitOutcome {
    Pledged,
    #[default]
    NotHome,
    Refused,
    MovedAway,
    /// Also any value this build does not know (a newer app may add some).
    #[serde(other)]
    Other,
}

/// What the village head notes after knocking on a door.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitInput {
    pub visited_on: NaiveDate,
    pub outcome: VisitOutcome,
    /// When to come back; none once the household pledged or moved away.
    pub revisit_on: Option<NaiveDate>,
    pub note: String,
}

/// The contract's `visit` fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitContent {
    pub household: Uuid,
    pub visited_on: NaiveDate,
    pub outcome: VisitOutcome,
    pub revisit_on: Option<NaiveDate>,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visit {
    pub id: Uuid,
    pub village: Uuid,
    pub content: VisitContent,
}

/// A household on a to-visit list, with its latest visit if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdToVisit {
    pub household: Household,
    pub last_visit: Option<Visit>,
}

pub const MAX_NOTE: usize = 1000;

impl Visit {
    fn from_record(r: &RecordState) -> Result<Visit> {
        Ok(Visit { id: r.id, village: r.unit, content: record::from_fields(&r.fields)? })
    }
}

impl Store {
    pub fn record_visit(&self, household: Uuid, input: &VisitInput) -> Result<Visit> {
        self.write(|tx| {
            let h = validate::reference(tx.conn(), "household", household, Entity::Household)?;
            validate::not_future("visited_on", input.visited_on, tx.now_millis())?;
            if let Some(back) = input.revisit_on {
                if matches!(input.outcome, VisitOutcome::Pledged | VisitOutcome::MovedAway) {
                    return Err(Error::validation("revisit_on", Rule::Invalid { expected: "empty once the household pledged or moved away" }));
                }
                if back < input.visited_on {
                    return Err(Error::validation("revisit_on", Rule::Invalid { expected: "on or after the day of the visit" }));
                }
            }
            let content = VisitContent {
                household,
                visited_on: input.visited_on,
                outcome: input.outcome,
                revisit_on: input.revisit_on,
                note: validate::limited("note", &input.note, MAX_NOTE)?,
            };
            let id = Uuid::now_v7();
            tx.put(Entity::Visit, id, h.unit, record::to_fields(&content)?)?;
            Ok(Visit { id, village: h.unit, content })
        })
    }

    /// The visits to a household, latest first.
    pub fn visits_of_household(&self, household: Uuid) -> Result<Vec<Visit>> {
        self.read(|c| {
            existing(c, household, Entity::Household)?;
            let mut visits: Vec<Visit> =
                records_by(c, Entity::Visit, "household", &household.to_string())?.iter().map(Visit::from_record).collect::<Result<_>>()?;
            visits.sort_by_key(|v| std::cmp::Reverse((v.content.visited_on, v.id)));
            Ok(visits)
        })
    }

    /// Households of the village with no sealed household pledge that have not moved away,
    /// in alphabetical order.
    pub fn households_left(&self, village: Uuid) -> Result<Vec<HouseholdToVisit>> {
        self.read(|c| {
            let walk = Walk::load(c, village)?;
            Ok(walk.into_list(|_, last| last.is_none_or(|v| v.content.outcome != VisitOutcome::MovedAway)))
        })
    }

    /// Households whose latest visit says to come back on or before today (in Vietnam) and
    /// that have still not pledged, in alphabetical order.
    pub fn revisits_due_today(&self, village: Uuid) -> Result<Vec<HouseholdToVisit>> {
        let today = clock::today_in_vietnam(self.now_millis());
        self.read(|c| {
            let walk = Walk::load(c, village)?;
            Ok(walk.into_list(|_, last| {
                last.is_some_and(|v| v.content.outcome != VisitOutcome::MovedAway && v.content.revisit_on.is_some_and(|d| d <= today))
            }))
        })
    }
}

/// What the to-visit lists are computed from: the village's households, who has pledged, and
/// each household's latest visit.
struct Walk {
    households: Vec<Household>,
    pledged: HashSet<Uuid>,
    latest: HashMap<Uuid, Visit>,
}

impl Walk {
    fn load(c: &Connection, village: Uuid) -> Result<Walk> {
        let households = crate::households::sorted_households(
            c,
            "s.entity = 'household' AND s.unit_id = ?1",
            rusqlite::params![village.to_string()],
        )?;
        let mut pledged = HashSet::new();
        for r in list_records(c, Entity::Pledge, Some(village))? {
            if r.seal.is_none() {
                continue;
            }
            let kind: Option<PledgeKind> = r.fields.get("kind").cloned().and_then(|k| serde_json::from_value(k).ok());
            let subject = r.fields.get("subject").and_then(|s| s.as_str()).and_then(|s| Uuid::parse_str(s).ok());
            if let (Some(PledgeKind::Household), Some(subject)) = (kind, subject) {
                pledged.insert(subject);
            }
        }
        let mut latest: HashMap<Uuid, Visit> = HashMap::new();
        for v in village_visits(c, village)? {
            let key = (v.content.visited_on, v.id);
            match latest.get(&v.content.household) {
                Some(cur) if (cur.content.visited_on, cur.id) >= key => {}
                _ => {
                    latest.insert(v.content.household, v);
                }
            }
        }
        Ok(Walk { households, pledged, latest })
    }

    fn into_list(mut self, keep: impl Fn(&Household, Option<&Visit>) -> bool) -> Vec<HouseholdToVisit> {
        let mut out = Vec::new();
        for h in self.households {
            if self.pledged.contains(&h.id) || !keep(&h, self.latest.get(&h.id)) {
                continue;
            }
            let last_visit = self.latest.remove(&h.id);
            out.push(HouseholdToVisit { household: h, last_visit });
        }
        out
    }
}

fn village_visits(c: &Connection, village: Uuid) -> Result<Vec<Visit>> {
    list_records(c, Entity::Visit, Some(village))?.iter().map(Visit::from_record).collect()
}
