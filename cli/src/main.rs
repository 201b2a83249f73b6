//! `sotay`: the field client in a terminal. The phone's use cases over the core (enroll, the
//! checklist, households, minutes, pledges, visits, progress, sync, what is pending or set
//! aside), Vietnamese output with dd/mm/yyyy dates, or `--json` for scripts.

mod commands;
mod context;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use context::{CliError, Context};
use output::Output;

#[derive(Parser)]
#[command(name = "sotay", version, about = "Sổ tay Mặt trận: sổ tay của Ban Công tác Mặt trận thôn, tổ dân phố")]
struct Cli {
    /// The encrypted store file (created on first use).
    #[arg(long, global = true, env = "SOTAY_STORE", default_value = "sotay.db")]
    store: PathBuf,
    /// A file holding the 32-byte store key (raw, or 64 hex digits). SOTAY_KEY (hex) wins.
    #[arg(long, global = true, env = "SOTAY_KEY_FILE")]
    key_file: Option<PathBuf>,
    /// Machine-readable output on stdout.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write a new random store key to a file (keep it like a password).
    Keygen { file: PathBuf },
    /// Register this device with the server using a one-time code.
    Enroll {
        #[arg(long)]
        server: String,
        #[arg(long)]
        code: String,
        #[arg(long, default_value = "sotay-cli")]
        name: String,
    },
    /// Enrollment, pending and set-aside counts.
    Status,
    /// Send what is pending, receive what is new, upload attachments.
    Sync,
    /// Changes waiting to be sent.
    Pending,
    /// Changes the server refused.
    #[command(subcommand, name = "set-aside")]
    SetAside(commands::sync::SetAsideCommand),
    /// Erase everything on this device (what a revoked device must do).
    Wipe {
        #[arg(long)]
        yes: bool,
    },
    #[command(subcommand)]
    Checklist(commands::checklist::ChecklistCommand),
    /// Progress against the plan's targets (a commune shows a line per village).
    Progress {
        #[arg(long)]
        unit: Option<String>,
        #[arg(long)]
        plan: Option<String>,
    },
    #[command(subcommand)]
    Households(commands::households::HouseholdsCommand),
    #[command(subcommand)]
    Minutes(commands::minutes::MinutesCommand),
    #[command(subcommand)]
    Pledges(commands::pledges::PledgesCommand),
    #[command(subcommand)]
    Visits(commands::visits::VisitsCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    match run(cli) {
        Ok(out) => {
            out.print(json);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("Lỗi: {}", e.message_vi());
            if json {
                println!("{}", serde_json::json!({ "error": e.kind(), "message": e.message_vi() }));
            }
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<Output, CliError> {
    let ctx = match &cli.command {
        // Making a key needs no store.
        Command::Keygen { file } => return context::keygen(file),
        _ => Context::open(&cli.store, cli.key_file.as_deref(), cli.json)?,
    };
    match cli.command {
        Command::Keygen { file } => context::keygen(&file),
        Command::Enroll { server, code, name } => commands::sync::enroll(&ctx, &server, &code, &name),
        Command::Status => commands::sync::status(&ctx),
        Command::Sync => commands::sync::sync(&ctx),
        Command::Pending => commands::sync::pending(&ctx),
        Command::SetAside(c) => commands::sync::set_aside(&ctx, c),
        Command::Wipe { yes } => commands::sync::wipe(&ctx, yes),
        Command::Checklist(c) => commands::checklist::run(&ctx, c),
        Command::Progress { unit, plan } => commands::checklist::progress(&ctx, unit, plan),
        Command::Households(c) => commands::households::run(&ctx, c),
        Command::Minutes(c) => commands::minutes::run(&ctx, c),
        Command::Pledges(c) => commands::pledges::run(&ctx, c),
        Command::Visits(c) => commands::visits::run(&ctx, c),
    }
}
