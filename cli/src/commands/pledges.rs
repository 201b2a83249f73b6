//! Pledges: capture (sealed as saved), amend, list; and the pledge templates.

use clap::{Subcommand, ValueEnum};
use serde_json::{Value, json};
use sotay_core::pledges::{Pledge, PledgeInput, PledgeKind};

use crate::context::{CliError, CliResult, Context, parse_date, parse_id};
use crate::output::{Output, date_vi};

#[derive(Clone, Copy, ValueEnum)]
pub enum KindArg {
    Household,
    Clan,
    ResidentialArea,
}

impl From<KindArg> for PledgeKind {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::Household => PledgeKind::Household,
            KindArg::Clan => PledgeKind::Clan,
            KindArg::ResidentialArea => PledgeKind::ResidentialArea,
        }
    }
}

#[derive(Subcommand)]
pub enum PledgesCommand {
    /// Record a signed pledge; it is sealed as it is saved.
    Capture {
        #[arg(long, value_enum, default_value = "household")]
        kind: KindArg,
        /// The household, clan or residential area that pledges.
        #[arg(long)]
        subject: String,
        /// The template signed (defaults to the newest of the kind on this device).
        #[arg(long)]
        template: Option<String>,
        #[arg(long)]
        signed_by: String,
        /// The village head who witnesses (and seals).
        #[arg(long)]
        witness: String,
        /// dd/mm/yyyy (defaults to today).
        #[arg(long)]
        signed_on: Option<String>,
        /// SHA-256 of a signature image kept on this device.
        #[arg(long)]
        signature: Option<String>,
    },
    /// Correct a sealed pledge with a new sealed one pointing at it.
    Amend {
        id: String,
        #[arg(long)]
        signed_by: String,
        #[arg(long)]
        witness: String,
        #[arg(long)]
        signed_on: Option<String>,
    },
    /// The pledges recorded in the unit.
    List {
        #[arg(long)]
        unit: Option<String>,
    },
    /// Install the shipped pledge templates for a unit and year (commune or village staff).
    InstallTemplates {
        #[arg(long)]
        unit: Option<String>,
        #[arg(long)]
        year: i32,
    },
    /// The pledge templates on this device.
    Templates,
}

pub fn run(ctx: &Context, cmd: PledgesCommand) -> CliResult<Output> {
    match cmd {
        PledgesCommand::Capture { kind, subject, template, signed_by, witness, signed_on, signature } => {
            let kind: PledgeKind = kind.into();
            let template = match template {
                Some(t) => parse_id(&t)?,
                None => ctx
                    .store
                    .pledge_templates(Some(kind))?
                    .first()
                    .map(|t| t.id)
                    .ok_or_else(|| CliError::Usage("Chưa có mẫu cam kết cho loại này trên máy: hãy đồng bộ trước.".into()))?,
            };
            let input = PledgeInput {
                kind,
                subject: parse_id(&subject)?,
                template,
                signed_by,
                witness: witness.clone(),
                signed_on: signed_on_or_today(ctx, signed_on.as_deref())?,
                signature,
            };
            let p = ctx.store.record_pledge(&input, &witness)?;
            Ok(Output::new(pledge_json(&p), format!("Đã ghi và ký chốt cam kết: {}", line(&p))))
        }
        PledgesCommand::Amend { id, signed_by, witness, signed_on } => {
            let original = ctx.store.pledge(parse_id(&id)?)?;
            let input = PledgeInput {
                kind: original.content.kind,
                subject: original.content.subject,
                template: original.content.template,
                signed_by,
                witness: witness.clone(),
                signed_on: signed_on_or_today(ctx, signed_on.as_deref())?,
                signature: original.content.signature.clone(),
            };
            let p = ctx.store.amend_pledge(original.id, &input, &witness)?;
            Ok(Output::new(pledge_json(&p), format!("Đã ghi bản đính chính cam kết: {}", line(&p))))
        }
        PledgesCommand::List { unit } => {
            let unit = ctx.unit(unit.as_deref().map(parse_id).transpose()?)?;
            let all = ctx.store.pledges_of_unit(unit)?;
            let mut human = format!("{} bản cam kết", all.len());
            for p in &all {
                human.push_str(&format!("\n  {}", line(p)));
            }
            Ok(Output::new(json!({ "pledges": all.iter().map(pledge_json).collect::<Vec<_>>() }), human))
        }
        PledgesCommand::InstallTemplates { unit, year } => {
            let unit = ctx.unit(unit.as_deref().map(parse_id).transpose()?)?;
            let installed = ctx.store.install_pledge_templates(unit, year)?;
            Ok(Output::new(json!({ "installed": installed.iter().map(|t| t.id).collect::<Vec<_>>() }), format!("Đã cài {} mẫu cam kết.", installed.len())))
        }
        PledgesCommand::Templates => {
            let all = ctx.store.pledge_templates(None)?;
            let mut human = format!("{} mẫu cam kết", all.len());
            for t in &all {
                human.push_str(&format!("\n  {}  {} ({}), {} điều", t.id, t.content.title, t.content.year, t.content.commitments.len()));
            }
            let list: Vec<Value> = all.iter().map(|t| json!({ "id": t.id, "unit": t.unit, "content": t.content })).collect();
            Ok(Output::new(json!({ "templates": list }), human))
        }
    }
}

fn signed_on_or_today(ctx: &Context, given: Option<&str>) -> CliResult<chrono::NaiveDate> {
    match given {
        Some(d) => parse_date(d),
        None => Ok(sotay_core::clock::today_in_vietnam(ctx.store.now_millis())),
    }
}

fn line(p: &Pledge) -> String {
    format!("{}  {} ký ngày {}{}", p.id, p.content.signed_by, date_vi(p.content.signed_on), if p.content.amends.is_some() { " (đính chính)" } else { "" })
}

fn pledge_json(p: &Pledge) -> Value {
    json!({ "id": p.id, "unit": p.unit, "content": p.content, "sealed": p.seal.is_some() })
}
