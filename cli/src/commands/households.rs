//! Households of the village: add, import a CSV list, search, list.

use std::path::PathBuf;

use clap::Subcommand;
use serde_json::{Value, json};
use sotay_core::households::{Household, HouseholdDetails, HouseholdImport};
use sotay_core::record::Entity;
use sotay_core::store::list_records;
use uuid::Uuid;

use crate::context::{CliError, CliResult, Context, parse_id};
use crate::output::Output;

#[derive(Subcommand)]
pub enum HouseholdsCommand {
    /// Add a household to the village.
    Add {
        #[arg(long)]
        head_name: String,
        #[arg(long, default_value = "")]
        address: String,
        #[arg(long)]
        members: u32,
        #[arg(long, default_value_t = 0)]
        children: u32,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        clan: Option<String>,
        /// The village (defaults to the enrolled unit).
        #[arg(long)]
        unit: Option<String>,
    },
    /// Import households from a CSV file with a header row: head_name, address, members,
    /// children_under_18, phone, and optionally village (code or id) when importing for a commune.
    Import {
        file: PathBuf,
        /// The commune whose villages the rows name; without it, every row goes to the enrolled village.
        #[arg(long)]
        commune: Option<String>,
    },
    /// Search households by the head's name, without needing the accents.
    Search {
        text: String,
        #[arg(long)]
        unit: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// The village's households in alphabetical order.
    List {
        #[arg(long)]
        unit: Option<String>,
    },
}

pub fn run(ctx: &Context, cmd: HouseholdsCommand) -> CliResult<Output> {
    match cmd {
        HouseholdsCommand::Add { head_name, address, members, children, phone, clan, unit } => {
            let village = ctx.unit(unit.as_deref().map(parse_id).transpose()?)?;
            let clan = clan.as_deref().map(parse_id).transpose()?;
            let details = HouseholdDetails { head_name, address, members, children_under_18: children, phone, clan };
            let h = ctx.store.add_household(village, &details)?;
            Ok(Output::new(household_json(&h), format!("Đã thêm hộ {} (mã {}).", h.details.head_name, h.id)))
        }
        HouseholdsCommand::Import { file, commune } => import(ctx, &file, commune.as_deref()),
        HouseholdsCommand::Search { text, unit, limit } => {
            let unit = unit.as_deref().map(parse_id).transpose()?;
            let found = ctx.store.search_households(unit, &text, limit)?;
            Ok(listing(&found))
        }
        HouseholdsCommand::List { unit } => {
            let village = ctx.unit(unit.as_deref().map(parse_id).transpose()?)?;
            Ok(listing(&ctx.store.households(village)?))
        }
    }
}

fn household_json(h: &Household) -> Value {
    let mut v = json!({ "id": h.id, "village": h.village });
    if let (Value::Object(m), Ok(Value::Object(d))) = (&mut v, serde_json::to_value(&h.details)) {
        m.extend(d);
    }
    v
}

fn listing(households: &[Household]) -> Output {
    let mut human = format!("{} hộ", households.len());
    for h in households {
        let d = &h.details;
        human.push_str(&format!(
            "\n  {}  {}, {}: {} nhân khẩu, {} trẻ em dưới 18 tuổi{}",
            h.id,
            d.head_name,
            if d.address.is_empty() { "-" } else { &d.address },
            d.members,
            d.children_under_18,
            d.phone.as_deref().map(|p| format!(", ĐT {p}")).unwrap_or_default()
        ));
    }
    Output::new(json!({ "households": households.iter().map(household_json).collect::<Vec<_>>() }), human)
}

#[derive(serde::Deserialize)]
struct CsvRow {
    head_name: String,
    #[serde(default)]
    address: String,
    members: u32,
    #[serde(default)]
    children_under_18: u32,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    village: Option<String>,
}

fn import(ctx: &Context, file: &std::path::Path, commune: Option<&str>) -> CliResult<Output> {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_path(file).map_err(|e| CliError::Usage(format!("Không đọc được tệp {}: {e}", file.display())))?;
    let commune = commune.map(parse_id).transpose()?;
    let default_village = if commune.is_none() { Some(ctx.unit(None)?) } else { None };
    let mut rows = Vec::new();
    for (i, row) in reader.deserialize::<CsvRow>().enumerate() {
        // Row numbers as a spreadsheet shows them (the header is row 1).
        let line = i + 2;
        let row = row.map_err(|e| CliError::Usage(format!("Dòng {line} của tệp không hợp lệ: {e}")))?;
        let village = match (&row.village, default_village) {
            (Some(v), _) if !v.is_empty() => resolve_village(ctx, v).ok_or_else(|| CliError::Usage(format!("Dòng {line}: không tìm thấy thôn, tổ dân phố {v}.")))?,
            (_, Some(v)) => v,
            _ => return Err(CliError::Usage(format!("Dòng {line}: thiếu cột village (mã thôn, tổ dân phố)."))),
        };
        let phone = row.phone.filter(|p| !p.is_empty());
        rows.push(HouseholdImport {
            village,
            details: HouseholdDetails { head_name: row.head_name, address: row.address, members: row.members, children_under_18: row.children_under_18, phone, clan: None },
        });
    }
    let ids = match commune {
        Some(c) => ctx.store.import_households(c, &rows)?,
        None => {
            // A village phone imports its own village's list: its commune is the village's parent.
            let village = default_village.unwrap_or_default();
            let parent = parent_of(ctx, village).unwrap_or(Uuid::nil());
            ctx.store.import_households(parent, &rows)?
        }
    };
    Ok(Output::new(json!({ "imported": ids.len(), "ids": ids }), format!("Đã nhập {} hộ.", ids.len())))
}

/// A village named by id or by its unit code.
fn resolve_village(ctx: &Context, v: &str) -> Option<Uuid> {
    if let Ok(id) = Uuid::parse_str(v) {
        return Some(id);
    }
    let units = ctx.store.read(|c| list_records(c, Entity::Unit, None)).ok()?;
    units.into_iter().find(|u| u.fields.get("code").and_then(Value::as_str) == Some(v)).map(|u| u.id)
}

fn parent_of(ctx: &Context, unit: Uuid) -> Option<Uuid> {
    let r = ctx.store.record(unit).ok()??;
    r.fields.get("parent").and_then(Value::as_str).and_then(|p| Uuid::parse_str(p).ok())
}
