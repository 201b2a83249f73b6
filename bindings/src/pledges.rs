//! Pledge capture: the templates a household, clan or residential area signs, pledges recorded
//! and sealed in one call, and amendments of sealed pledges.

use sotay_core::pledges::{Pledge, PledgeInput, PledgeKind, PledgeTemplate};

use crate::dates::{DateText, parse_iso};
use crate::error::{Result, call};
use crate::ids::parse_id;
use crate::seal::SealInfo;
use crate::items;
use crate::store::SotayStore;

#[uniffi::remote(Enum)]
pub enum PledgeKind {
    Household,
    Clan,
    ResidentialArea,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PledgeTemplateItem {
    pub id: String,
    /// The unit that issued the template.
    pub unit_id: String,
    pub kind: PledgeKind,
    pub title: String,
    /// Numbered in this order on the form.
    pub commitments: Vec<String>,
    pub year: i32,
}

/// What the village head fills in when a household, clan or residential area signs.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PledgeForm {
    pub kind: PledgeKind,
    /// Household id, clan id, or the residential area's unit id, per `kind`.
    pub subject_id: String,
    pub template_id: String,
    pub signed_by: String,
    /// The village head who witnesses the signature.
    pub witness: String,
    /// ISO `YYYY-MM-DD`.
    pub signed_on: String,
    /// SHA-256 of a signature image kept on the device, or null.
    pub signature: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PledgeItem {
    pub id: String,
    /// The village (for a residential-area pledge: the residential area itself).
    pub unit_id: String,
    pub kind: PledgeKind,
    pub subject_id: String,
    pub template_id: String,
    /// The commitments as signed (copied from the template at signing).
    pub commitments: Vec<String>,
    pub signed_by: String,
    pub witness: String,
    pub signed_on: DateText,
    pub signature: Option<String>,
    /// The pledge this one corrects.
    pub amends_id: Option<String>,
    pub seal: Option<SealInfo>,
}

impl PledgeForm {
    fn into_core(self) -> sotay_core::Result<PledgeInput> {
        Ok(PledgeInput {
            kind: self.kind,
            subject: parse_id("subject", &self.subject_id)?,
            template: parse_id("template_id", &self.template_id)?,
            signed_on: parse_iso("signed_on", &self.signed_on)?,
            signed_by: self.signed_by,
            witness: self.witness,
            signature: self.signature,
        })
    }
}

impl From<PledgeTemplate> for PledgeTemplateItem {
    fn from(t: PledgeTemplate) -> Self {
        let c = t.content;
        PledgeTemplateItem { id: t.id.to_string(), unit_id: t.unit.to_string(), kind: c.kind, title: c.title, commitments: c.commitments, year: c.year }
    }
}

impl From<Pledge> for PledgeItem {
    fn from(p: Pledge) -> Self {
        let c = p.content;
        PledgeItem {
            id: p.id.to_string(),
            unit_id: p.unit.to_string(),
            kind: c.kind,
            subject_id: c.subject.to_string(),
            template_id: c.template.to_string(),
            commitments: c.commitments,
            signed_by: c.signed_by,
            witness: c.witness,
            signed_on: c.signed_on.into(),
            signature: c.signature,
            amends_id: c.amends.map(|u| u.to_string()),
            seal: p.seal.map(SealInfo::from),
        }
    }
}

#[uniffi::export]
impl SotayStore {
    /// Every template on this device (its unit's and its ancestors'), of `kind` if given,
    /// newest year first.
    pub fn pledge_templates(&self, kind: Option<PledgeKind>) -> Result<Vec<PledgeTemplateItem>> {
        call(|| Ok(items(self.store.pledge_templates(kind)?)))
    }

    /// Install the templates shipped with the app in `unit_id` for `year` (a commune or a unit
    /// with no upper templates yet); installing twice changes nothing.
    pub fn install_pledge_templates(&self, unit_id: String, year: i32) -> Result<Vec<PledgeTemplateItem>> {
        call(|| Ok(items(self.store.install_pledge_templates(parse_id("unit_id", &unit_id)?, year)?)))
    }

    /// Record a pledge signed now: checked, the template's commitments copied, and sealed by
    /// `recorded_by` in the same write.
    pub fn record_pledge(&self, form: PledgeForm, recorded_by: String) -> Result<PledgeItem> {
        call(|| Ok(self.store.record_pledge(&form.into_core()?, &recorded_by)?.into()))
    }

    /// Correct a sealed pledge: a new sealed pledge of the same subject pointing at it.
    pub fn amend_pledge(&self, original_id: String, form: PledgeForm, recorded_by: String) -> Result<PledgeItem> {
        call(|| Ok(self.store.amend_pledge(parse_id("amends", &original_id)?, &form.into_core()?, &recorded_by)?.into()))
    }

    pub fn pledge(&self, id: String) -> Result<PledgeItem> {
        call(|| Ok(self.store.pledge(parse_id("pledge_id", &id)?)?.into()))
    }

    /// The pledges recorded in a unit, oldest first.
    pub fn pledges_of_unit(&self, unit_id: String) -> Result<Vec<PledgeItem>> {
        call(|| Ok(items(self.store.pledges_of_unit(parse_id("unit_id", &unit_id)?)?)))
    }

    /// The pledges of one household, clan or residential area, amendments included, oldest first.
    pub fn pledges_of_subject(&self, subject_id: String) -> Result<Vec<PledgeItem>> {
        call(|| Ok(items(self.store.pledges_of_subject(parse_id("subject", &subject_id)?)?)))
    }
}
