//! Door-to-door visits: record one, the households left to pledge, the revisits due today.

use clap::{Subcommand, ValueEnum};
use serde_json::{Value, json};
use sotay_core::visits::{HouseholdToVisit, VisitInput, VisitOutcome};

use crate::context::{CliResult, Context, parse_date, parse_id};
use crate::output::{Output, date_vi};

#[derive(Clone, Copy, ValueEnum)]
pub enum OutcomeArg {
    Pledged,
    NotHome,
    Refused,
    MovedAway,
    Other,
}

#[derive(Subcommand)]
pub enum VisitsCommand {
    /// Note a visit to a household.
    Record {
        #[arg(long)]
        household: String,
        #[arg(long, value_enum)]
        outcome: OutcomeArg,
        /// dd/mm/yyyy (defaults to today).
        #[arg(long)]
        on: Option<String>,
        /// When to come back, dd/mm/yyyy.
        #[arg(long)]
        revisit: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Households that have not pledged yet.
    Left {
        #[arg(long)]
        unit: Option<String>,
    },
    /// Households to go back to today.
    RevisitToday {
        #[arg(long)]
        unit: Option<String>,
    },
}

pub fn run(ctx: &Context, cmd: VisitsCommand) -> CliResult<Output> {
    match cmd {
        VisitsCommand::Record { household, outcome, on, revisit, note } => {
            let visited_on = match on {
                Some(d) => parse_date(&d)?,
                None => sotay_core::clock::today_in_vietnam(ctx.store.now_millis()),
            };
            let input = VisitInput {
                visited_on,
                outcome: match outcome {
                    OutcomeArg::Pledged => VisitOutcome::Pledged,
                    OutcomeArg::NotHome => VisitOutcome::NotHome,
                    OutcomeArg::Refused => VisitOutcome::Refused,
                    OutcomeArg::MovedAway => VisitOutcome::MovedAway,
                    OutcomeArg::Other => VisitOutcome::Other,
                },
                revisit_on: revisit.as_deref().map(parse_date).transpose()?,
                note,
            };
            let v = ctx.store.record_visit(parse_id(&household)?, &input)?;
            let again = v.content.revisit_on.map(|d| format!(", hẹn quay lại ngày {}", date_vi(d))).unwrap_or_default();
            Ok(Output::new(
                json!({ "id": v.id, "village": v.village, "content": v.content }),
                format!("Đã ghi lần đến hộ ngày {}{again}.", date_vi(v.content.visited_on)),
            ))
        }
        VisitsCommand::Left { unit } => {
            let village = ctx.unit(unit.as_deref().map(parse_id).transpose()?)?;
            Ok(to_visit(&ctx.store.households_left(village)?, "hộ chưa cam kết"))
        }
        VisitsCommand::RevisitToday { unit } => {
            let village = ctx.unit(unit.as_deref().map(parse_id).transpose()?)?;
            Ok(to_visit(&ctx.store.revisits_due_today(village)?, "hộ cần quay lại hôm nay"))
        }
    }
}

fn to_visit(list: &[HouseholdToVisit], what: &str) -> Output {
    let mut human = format!("{} {what}", list.len());
    let mut items: Vec<Value> = Vec::new();
    for h in list {
        let last = h.last_visit.as_ref().map(|v| format!(" (lần gần nhất: {})", date_vi(v.content.visited_on))).unwrap_or_default();
        human.push_str(&format!("\n  {}  {}{last}", h.household.id, h.household.details.head_name));
        items.push(json!({
            "household": h.household.id,
            "head_name": h.household.details.head_name,
            "last_visit": h.last_visit.as_ref().map(|v| json!({ "id": v.id, "content": v.content })),
        }));
    }
    Output::new(json!({ "households": items }), human)
}
