//! Meeting minutes: draft, edit, seal, amend, list.

use clap::{Args, Subcommand, ValueEnum};
use serde_json::{Value, json};
use sotay_core::minutes::{MeetingKind, Minutes, MinutesContent};

use crate::context::{CliError, CliResult, Context, parse_id};
use crate::output::{Output, datetime_vi};

#[derive(Subcommand)]
pub enum MinutesCommand {
    /// Start the minutes of a meeting as a draft.
    Draft {
        #[command(flatten)]
        fields: MinutesFields,
        /// The unit that held the meeting (defaults to the enrolled unit).
        #[arg(long)]
        unit: Option<String>,
    },
    /// Change a draft (only the fields given).
    Edit {
        id: String,
        #[command(flatten)]
        fields: MinutesFields,
    },
    /// Seal complete minutes: they never change afterwards.
    Seal {
        id: String,
        /// Who seals (the village front head).
        #[arg(long)]
        by: String,
    },
    /// Start a correction of sealed minutes, from their content and the fields given.
    Amend {
        id: String,
        #[command(flatten)]
        fields: MinutesFields,
    },
    /// The unit's minutes, newest meeting first, with their amendments.
    List {
        #[arg(long)]
        unit: Option<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum KindArg {
    VillageConference,
    CommuneConference,
    Other,
}

#[derive(Args)]
pub struct MinutesFields {
    /// When the meeting was held: "dd/mm/yyyy HH:MM" (Vietnam time).
    #[arg(long)]
    held_at: Option<String>,
    #[arg(long)]
    place: Option<String>,
    #[arg(long, value_enum)]
    kind: Option<KindArg>,
    #[arg(long)]
    chair: Option<String>,
    #[arg(long)]
    secretary: Option<String>,
    #[arg(long)]
    attendee_count: Option<u32>,
    #[arg(long)]
    agenda: Option<String>,
    #[arg(long)]
    contents: Option<String>,
    #[arg(long)]
    conclusions: Option<String>,
    /// SHA-256 of a photo already kept on this device (repeatable).
    #[arg(long = "attachment")]
    attachments: Vec<String>,
}

impl MinutesFields {
    fn apply(self, c: &mut MinutesContent) -> CliResult<()> {
        if let Some(t) = self.held_at {
            c.held_at = Some(parse_datetime(&t)?);
        }
        if let Some(v) = self.place {
            c.place = v;
        }
        if let Some(k) = self.kind {
            c.kind = match k {
                KindArg::VillageConference => MeetingKind::VillageConference,
                KindArg::CommuneConference => MeetingKind::CommuneConference,
                KindArg::Other => MeetingKind::Other,
            };
        }
        if let Some(v) = self.chair {
            c.chair = v;
        }
        if let Some(v) = self.secretary {
            c.secretary = v;
        }
        if let Some(v) = self.attendee_count {
            c.attendee_count = v;
        }
        if let Some(v) = self.agenda {
            c.agenda = v;
        }
        if let Some(v) = self.contents {
            c.contents = v;
        }
        if let Some(v) = self.conclusions {
            c.conclusions = v;
        }
        c.attachments.extend(self.attachments);
        Ok(())
    }
}

fn parse_datetime(s: &str) -> CliResult<i64> {
    let t = chrono::NaiveDateTime::parse_from_str(s.trim(), "%d/%m/%Y %H:%M")
        .map_err(|_| CliError::Usage(format!("Thời gian không hợp lệ: {s} (cần dạng dd/mm/yyyy HH:MM)")))?;
    t.and_local_timezone(sotay_core::clock::vietnam())
        .single()
        .map(|d| d.timestamp_millis())
        .ok_or_else(|| CliError::Usage(format!("Thời gian không hợp lệ: {s}")))
}

pub fn run(ctx: &Context, cmd: MinutesCommand) -> CliResult<Output> {
    match cmd {
        MinutesCommand::Draft { fields, unit } => {
            let unit = ctx.unit(unit.as_deref().map(parse_id).transpose()?)?;
            let mut content = MinutesContent::default();
            fields.apply(&mut content)?;
            let m = ctx.store.create_minutes(unit, &content)?;
            Ok(one(&m, "Đã lưu bản nháp biên bản"))
        }
        MinutesCommand::Edit { id, fields } => {
            let id = parse_id(&id)?;
            let mut content = ctx.store.minutes(id)?.content;
            fields.apply(&mut content)?;
            Ok(one(&ctx.store.edit_minutes(id, &content)?, "Đã sửa bản nháp biên bản"))
        }
        MinutesCommand::Seal { id, by } => Ok(one(&ctx.store.seal_minutes(parse_id(&id)?, &by)?, "Đã ký chốt biên bản")),
        MinutesCommand::Amend { id, fields } => {
            let id = parse_id(&id)?;
            let mut content = ctx.store.minutes(id)?.content;
            fields.apply(&mut content)?;
            Ok(one(&ctx.store.amend_minutes(id, &content)?, "Đã lập bản nháp đính chính biên bản"))
        }
        MinutesCommand::List { unit } => {
            let unit = ctx.unit(unit.as_deref().map(parse_id).transpose()?)?;
            let all = ctx.store.minutes_of_unit(unit)?;
            let mut human = format!("{} biên bản", all.len());
            let mut list = Vec::new();
            for m in &all {
                human.push_str(&format!("\n  {}", line(&m.minutes)));
                for a in &m.amendments {
                    human.push_str(&format!("\n    đính chính: {}", line(a)));
                }
                let mut v = minutes_json(&m.minutes);
                v["amendments"] = Value::Array(m.amendments.iter().map(minutes_json).collect());
                list.push(v);
            }
            Ok(Output::new(json!({ "minutes": list }), human))
        }
    }
}

fn line(m: &Minutes) -> String {
    let when = m.content.held_at.map(datetime_vi).unwrap_or_else(|| "chưa có ngày".into());
    let state = if m.is_sealed() { "đã ký chốt" } else { "bản nháp" };
    format!("{}  {when}, {}: {state}", m.id, if m.content.place.is_empty() { "-" } else { &m.content.place })
}

fn minutes_json(m: &Minutes) -> Value {
    json!({
        "id": m.id,
        "unit": m.unit,
        "content": m.content,
        "amends": m.amends,
        "sealed": m.is_sealed(),
        "seal": m.seal.as_ref().map(|s| json!({ "by": s.by, "at": s.at, "hash": s.hash })),
    })
}

fn one(m: &Minutes, what: &str) -> Output {
    Output::new(minutes_json(m), format!("{what}: {}", line(m)))
}
