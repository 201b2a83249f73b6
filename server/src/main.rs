//! `sotay-server`: run the district server, and the few admin commands that work on its data
//! folder directly (issue an enrollment code, hand a village over, revoke a phone).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use sotay_core::clock::{SystemClock, format_date_vi, today_in_vietnam};
use sotay_core::WallClock;
use sotay_server::enrollment::{self, IssuedCode};
use sotay_server::storage::{Role, SqliteStorage, Storage};
use sotay_server::{AppState, app, demo};
use uuid::Uuid;

#[derive(Parser)]
#[command(name = "sotay-server", version, about = "Máy chủ Sổ tay Mặt trận (district server)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (creates the database on first run).
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        #[arg(long, default_value = "./data")]
        data: PathBuf,
        /// Load the demo district and the seed plan (once), print the admin login (first run)
        /// and an enrollment code for a demo village.
        #[arg(long)]
        demo: bool,
    },
    /// Issue a one-time enrollment code for the active village head of a unit.
    EnrollCode {
        #[arg(long, default_value = "./data")]
        data: PathBuf,
        #[arg(long)]
        unit: Uuid,
        /// Server address put in the QR code.
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        server_url: String,
    },
    /// Hand a village over to a new head: revoke the old head's phones, issue a code for the new.
    Handover {
        #[arg(long, default_value = "./data")]
        data: PathBuf,
        #[arg(long)]
        unit: Uuid,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        server_url: String,
    },
    /// Revoke a phone: its next request is told to wipe its data.
    Revoke {
        #[arg(long, default_value = "./data")]
        data: PathBuf,
        #[arg(long)]
        device: Uuid,
    },
}

fn open(data: &Path) -> Result<Arc<SqliteStorage>, String> {
    std::fs::create_dir_all(data).map_err(|e| format!("cannot create the data folder {}: {e}", data.display()))?;
    SqliteStorage::open(data.join("sotay.db")).map(Arc::new).map_err(|e| e.to_string())
}

fn print_code(issued: &IssuedCode, unit_label: &str, server_url: &str) {
    let expires = format_date_vi(today_in_vietnam(issued.expires_at));
    println!("Mã đăng ký thiết bị cho {unit_label}: {}", issued.code);
    println!("(dùng một lần, hết hạn ngày {expires})");
    println!("{}", enrollment::qr_terminal(&enrollment::qr_payload(server_url, &issued.code)));
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

async fn serve(addr: SocketAddr, data: PathBuf, with_demo: bool) -> Result<(), String> {
    let storage = open(&data)?;
    let now = SystemClock.now_millis();
    if with_demo {
        let s = storage.clone();
        let outcome = tokio::task::spawn_blocking(move || demo::load(s.as_ref(), now))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
        println!("Dữ liệu mẫu: huyện Bình Sơn, {} hộ gia đình mẫu.", outcome.households);
        if let Some(password) = &outcome.admin_password {
            println!("Tài khoản quản trị: {} / mật khẩu: {password}", demo::ADMIN_LOGIN);
            println!("(mật khẩu chỉ hiện một lần này; hãy ghi lại)");
        }
        print_code(&outcome.enrollment, &outcome.village_name, &format!("http://{addr}"));
    }
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    tracing::info!(%addr, "listening");
    println!("Máy chủ đang chạy tại http://{addr} (Ctrl-C để dừng)");
    axum::serve(listener, app(AppState::new(storage)))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| e.to_string())
}

fn village_head(storage: &dyn Storage, unit: Uuid) -> Result<sotay_server::storage::User, String> {
    storage
        .users_at_unit(unit)
        .map_err(|e| e.to_string())?
        .into_iter()
        .find(|u| u.role == Role::VillageHead && u.active)
        .ok_or_else(|| "this unit has no active village head; use `handover` to name one".to_string())
}

fn run(cli: Cli) -> Result<(), String> {
    let now = SystemClock.now_millis();
    match cli.command {
        Command::Serve { addr, data, demo } => {
            let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
            runtime.block_on(serve(addr, data, demo))
        }
        Command::EnrollCode { data, unit, server_url } => {
            let storage = open(&data)?;
            let head = village_head(storage.as_ref(), unit)?;
            let issued = enrollment::issue_code(storage.as_ref(), &head, now).map_err(|e| e.to_string())?;
            print_code(&issued, &unit.to_string(), &server_url);
            Ok(())
        }
        Command::Handover { data, unit, name, server_url } => {
            let storage = open(&data)?;
            let issued = enrollment::handover(storage.as_ref(), unit, &name, now).map_err(|e| e.to_string())?;
            print_code(&issued, &unit.to_string(), &server_url);
            Ok(())
        }
        Command::Revoke { data, device } => {
            let storage = open(&data)?;
            storage.revoke_device(device, now).map_err(|e| e.to_string())?;
            println!("Đã thu hồi thiết bị {device}.");
            Ok(())
        }
    }
}

/// Logs go to stderr (stdout carries what the operator must read: logins, codes). `RUST_LOG`
/// filters them; `SOTAY_LOG_FORMAT=json` writes one JSON object per line for a log collector.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if std::env::var("SOTAY_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn main() -> ExitCode {
    init_logging();
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Lỗi: {e}");
            ExitCode::FAILURE
        }
    }
}
