//! Pledges (cam kết) of households, clans and residential areas, against pledge templates that
//! are data: one per kind ships in `data/pledge-templates.json` (worded from the seed plan), and
//! a unit may install, edit or add its own. A pledge copies the template's commitments when it
//! is signed and is sealed as it is saved, so the seal covers the text that was signed; a
//! correction is an amendment pointing at the sealed pledge.

use chrono::NaiveDate;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::lookup::{existing, put_changed, records_by};
use crate::record::{self, Entity, RecordState, Seal};
use crate::store::{Store, list_records};
use crate::validate::{self, MAX_LINE, MAX_NAME};
use crate::{Error, Result, Rule, attachments};

const SHIPPED_TEMPLATES: &str = include_str!("../data/pledge-templates.json");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PledgeKind {
    #[default]
    Household,
    Clan,
    ResidentialArea,
}

/// The contract's `pledge_template` fields.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PledgeTemplateContent {
    pub kind: PledgeKind,
    pub title: String,
    /// Numbered in this order.
    pub commitments: Vec<String>,
    pub year: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PledgeTemplate {
    pub id: Uuid,
    /// The unit that issued (installed) the template.
    pub unit: Uuid,
    pub content: PledgeTemplateContent,
}

/// What the village head fills in when a household, clan or residential area signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PledgeInput {
    pub kind: PledgeKind,
    /// Household id, clan id, or the residential area's unit id, per `kind`.
    pub subject: Uuid,
    pub template: Uuid,
    pub signed_by: String,
    /// The village head who witnesses the signature.
    pub witness: String,
    pub signed_on: NaiveDate,
    /// SHA-256 of a signature image kept with `put_attachment`.
    pub signature: Option<String>,
}

/// The contract's `pledge` fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PledgeContent {
    pub kind: PledgeKind,
    pub subject: Uuid,
    pub template: Uuid,
    /// Copied from the template at signing.
    pub commitments: Vec<String>,
    pub signed_by: String,
    pub witness: String,
    pub signed_on: NaiveDate,
    pub signature: Option<String>,
    pub amends: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pledge {
    pub id: Uuid,
    /// The village (for a residential-area pledge: the residential area itself).
    pub unit: Uuid,
    pub content: PledgeContent,
    pub seal: Option<Seal>,
}

#[derive(Deserialize)]
struct ShippedTemplates {
    templates: Vec<PledgeTemplateContent>,
}

/// The templates that ship with the app, one per kind.
pub fn shipped_pledge_templates() -> Result<Vec<PledgeTemplateContent>> {
    let shipped: ShippedTemplates = serde_json::from_str(SHIPPED_TEMPLATES)?;
    Ok(shipped.templates)
}

impl PledgeTemplate {
    fn from_record(r: &RecordState) -> Result<PledgeTemplate> {
        Ok(PledgeTemplate { id: r.id, unit: r.unit, content: record::from_fields(&r.fields)? })
    }
}

impl Pledge {
    fn from_record(r: &RecordState) -> Result<Pledge> {
        Ok(Pledge { id: r.id, unit: r.unit, content: record::from_fields(&r.fields)?, seal: r.seal.clone() })
    }
}

impl Store {
    /// Install the shipped templates in `unit` for `year`. A kind the unit already has a
    /// template of for that year is left as it is, so installing twice changes nothing.
    pub fn install_pledge_templates(&self, unit: Uuid, year: i32) -> Result<Vec<PledgeTemplate>> {
        let shipped = shipped_pledge_templates()?;
        self.write(|tx| {
            let have = list_records(tx.conn(), Entity::PledgeTemplate, Some(unit))?
                .iter()
                .map(PledgeTemplate::from_record)
                .collect::<Result<Vec<_>>>()?;
            let mut out = Vec::new();
            for t in shipped {
                if let Some(existing) = have.iter().find(|h| h.content.kind == t.kind && h.content.year == year) {
                    out.push(existing.clone());
                    continue;
                }
                let content = check_template(&PledgeTemplateContent { year, ..t })?;
                let id = Uuid::now_v7();
                tx.put(Entity::PledgeTemplate, id, unit, record::to_fields(&content)?)?;
                out.push(PledgeTemplate { id, unit, content });
            }
            Ok(out)
        })
    }

    pub fn add_pledge_template(&self, unit: Uuid, content: &PledgeTemplateContent) -> Result<PledgeTemplate> {
        self.write(|tx| {
            let content = check_template(content)?;
            let id = Uuid::now_v7();
            tx.put(Entity::PledgeTemplate, id, unit, record::to_fields(&content)?)?;
            Ok(PledgeTemplate { id, unit, content })
        })
    }

    /// Edit a template. Pledges already signed keep the commitments they copied.
    pub fn edit_pledge_template(&self, id: Uuid, content: &PledgeTemplateContent) -> Result<PledgeTemplate> {
        self.write(|tx| {
            let current = existing(tx.conn(), id, Entity::PledgeTemplate)?;
            let content = check_template(content)?;
            put_changed(tx, &current, record::to_fields(&content)?)?;
            Ok(PledgeTemplate { id, unit: current.unit, content })
        })
    }

    /// Every template on this device (its unit's and its ancestors'), of `kind` if given,
    /// newest year first.
    pub fn pledge_templates(&self, kind: Option<PledgeKind>) -> Result<Vec<PledgeTemplate>> {
        self.read(|c| {
            let all = list_records(c, Entity::PledgeTemplate, None)?.iter().map(PledgeTemplate::from_record).collect::<Result<Vec<_>>>()?;
            let mut out: Vec<PledgeTemplate> = all.into_iter().filter(|t| kind.is_none_or(|k| t.content.kind == k)).collect();
            out.sort_by_key(|t| std::cmp::Reverse(t.content.year));
            Ok(out)
        })
    }

    /// Record a pledge signed now: checked, the template's commitments copied, and sealed by
    /// `by` in the same write (one change in the outbox).
    pub fn record_pledge(&self, input: &PledgeInput, by: &str) -> Result<Pledge> {
        self.write(|tx| {
            let by = validate::required("sealed_by", by, MAX_NAME)?;
            let (unit, content) = check_pledge(tx.conn(), input, None, tx.now_millis())?;
            if already_pledged(tx.conn(), &content)? {
                return Err(Error::validation("subject", Rule::Duplicate));
            }
            let id = Uuid::now_v7();
            let seal = tx.put_sealed(Entity::Pledge, id, unit, record::to_fields(&content)?, &by)?;
            Ok(Pledge { id, unit, content, seal: Some(seal) })
        })
    }

    /// Correct a sealed pledge: a new sealed pledge of the same subject pointing at it.
    pub fn amend_pledge(&self, original: Uuid, input: &PledgeInput, by: &str) -> Result<Pledge> {
        self.write(|tx| {
            let by = validate::required("sealed_by", by, MAX_NAME)?;
            let orig = Pledge::from_record(&existing(tx.conn(), original, Entity::Pledge)?)?;
            if orig.seal.is_none() {
                return Err(Error::validation("amends", Rule::Invalid { expected: "a sealed pledge" }));
            }
            if orig.content.kind != input.kind || orig.content.subject != input.subject {
                return Err(Error::validation("subject", Rule::Invalid { expected: "the subject of the pledge being amended" }));
            }
            let (unit, content) = check_pledge(tx.conn(), input, Some(original), tx.now_millis())?;
            let id = Uuid::now_v7();
            let seal = tx.put_sealed(Entity::Pledge, id, unit, record::to_fields(&content)?, &by)?;
            Ok(Pledge { id, unit, content, seal: Some(seal) })
        })
    }

    pub fn pledge(&self, id: Uuid) -> Result<Pledge> {
        self.read(|c| Pledge::from_record(&existing(c, id, Entity::Pledge)?))
    }

    /// The pledges recorded in a unit (a village, or a residential area's own), oldest first.
    pub fn pledges_of_unit(&self, unit: Uuid) -> Result<Vec<Pledge>> {
        self.read(|c| list_records(c, Entity::Pledge, Some(unit))?.iter().map(Pledge::from_record).collect())
    }

    /// The pledges of one household, clan or residential area, amendments included, oldest first.
    pub fn pledges_of_subject(&self, subject: Uuid) -> Result<Vec<Pledge>> {
        self.read(|c| records_by(c, Entity::Pledge, "subject", &subject.to_string())?.iter().map(Pledge::from_record).collect())
    }
}

fn check_template(t: &PledgeTemplateContent) -> Result<PledgeTemplateContent> {
    let title = validate::required("title", &t.title, MAX_LINE)?;
    if t.commitments.is_empty() {
        return Err(Error::validation("commitments", Rule::Required));
    }
    let commitments = t
        .commitments
        .iter()
        .enumerate()
        .map(|(i, c)| validate::required("text", c, MAX_LINE * 2).map_err(|e| validate::in_row("commitments", i, e)))
        .collect::<Result<_>>()?;
    validate::range("year", t.year.into(), 2000, 2100)?;
    Ok(PledgeTemplateContent { kind: t.kind, title, commitments, year: t.year })
}

/// Check a pledge and work out the unit it belongs to.
fn check_pledge(conn: &Connection, p: &PledgeInput, amends: Option<Uuid>, now_millis: i64) -> Result<(Uuid, PledgeContent)> {
    let unit = match p.kind {
        PledgeKind::Household => validate::reference(conn, "subject", p.subject, Entity::Household)?.unit,
        PledgeKind::Clan => validate::reference(conn, "subject", p.subject, Entity::Clan)?.unit,
        PledgeKind::ResidentialArea => {
            let area = validate::reference(conn, "subject", p.subject, Entity::Unit)?;
            if area.fields.get("residential_area").and_then(Value::as_bool) != Some(true) {
                return Err(Error::validation("subject", Rule::WrongUnitLevel));
            }
            area.id
        }
    };
    let template = PledgeTemplate::from_record(&validate::reference(conn, "template", p.template, Entity::PledgeTemplate)?)?;
    if template.content.kind != p.kind || template.content.commitments.is_empty() {
        return Err(Error::validation("template", Rule::Invalid { expected: "a template for this kind of pledge" }));
    }
    let signed_by = validate::required("signed_by", &p.signed_by, MAX_NAME)?;
    let witness = validate::required("witness", &p.witness, MAX_NAME)?;
    validate::not_future("signed_on", p.signed_on, now_millis)?;
    let signature = validate::optional("signature", p.signature.as_deref(), 64)?;
    if let Some(sha) = &signature {
        validate::sha256("signature", sha)?;
        if !attachments::exists(conn, sha)? {
            return Err(Error::validation("signature", Rule::UnknownReference { entity: "attachment" }));
        }
    }
    let content = PledgeContent {
        kind: p.kind,
        subject: p.subject,
        template: p.template,
        commitments: template.content.commitments,
        signed_by,
        witness,
        signed_on: p.signed_on,
        signature,
        amends,
    };
    Ok((unit, content))
}

/// Whether the subject already has an original (not amending) pledge on this template.
fn already_pledged(conn: &Connection, p: &PledgeContent) -> Result<bool> {
    let mut stmt = conn.prepare_cached(
        "SELECT 1 FROM records WHERE entity = 'pledge' AND json_extract(doc, '$.subject') = ?1
           AND json_extract(doc, '$.template') = ?2 AND json_extract(doc, '$.amends') IS NULL LIMIT 1",
    )?;
    Ok(stmt.exists(rusqlite::params![p.subject.to_string(), p.template.to_string()])?)
}
