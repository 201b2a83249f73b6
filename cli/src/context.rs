//! Opening the store with its key, the unit commands act on, and the CLI's errors.

use std::path::Path;
use std::sync::Arc;

use ring::rand::{SecureRandom, SystemRandom};
use sotay_core::store::KEY_LEN;
use sotay_core::sync::signing::unhex;
use sotay_core::{Error, Store};
use uuid::Uuid;

use crate::output::Output;

/// A failure: the core's typed error, or a problem with the command line itself.
#[derive(Debug)]
pub enum CliError {
    Core(Error),
    /// A Vietnamese sentence for the user.
    Usage(String),
}

impl From<Error> for CliError {
    fn from(e: Error) -> Self {
        CliError::Core(e)
    }
}

impl CliError {
    pub fn message_vi(&self) -> String {
        match self {
            CliError::Core(e) => e.message_vi(),
            CliError::Usage(m) => m.clone(),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            CliError::Core(e) => e.kind(),
            CliError::Usage(_) => "usage",
        }
    }
}

pub type CliResult<T> = Result<T, CliError>;

pub struct Context {
    pub store: Arc<Store>,
    pub json: bool,
}

impl Context {
    pub fn open(path: &Path, key_file: Option<&Path>, json: bool) -> CliResult<Context> {
        let key = load_key(key_file)?;
        let store = Store::open(path, &key)?;
        Ok(Context { store: Arc::new(store), json })
    }

    /// The unit given on the command line, else the unit this device is enrolled for.
    pub fn unit(&self, given: Option<Uuid>) -> CliResult<Uuid> {
        if let Some(u) = given {
            return Ok(u);
        }
        match sotay_core::sync::enrollment(&self.store)? {
            Some(e) => Ok(e.unit),
            None => Err(CliError::Usage("Máy chưa đăng ký với máy chủ: hãy chạy `sotay enroll` hoặc chỉ rõ đơn vị (--unit).".into())),
        }
    }
}

/// The key from SOTAY_KEY (64 hex digits) or a key file (32 raw bytes or 64 hex digits).
fn load_key(key_file: Option<&Path>) -> CliResult<Vec<u8>> {
    if let Ok(hex) = std::env::var("SOTAY_KEY") {
        return parse_key(hex.trim().as_bytes()).ok_or_else(|| CliError::Usage("SOTAY_KEY phải gồm 64 chữ số thập lục phân (32 byte).".into()));
    }
    let Some(file) = key_file else {
        return Err(CliError::Usage("Thiếu khóa dữ liệu: đặt SOTAY_KEY hoặc dùng --key-file (tạo khóa bằng `sotay keygen TỆP`).".into()));
    };
    let bytes = std::fs::read(file).map_err(|e| CliError::Usage(format!("Không đọc được tệp khóa {}: {e}", file.display())))?;
    parse_key(&bytes).ok_or_else(|| CliError::Usage("Tệp khóa phải chứa đúng 32 byte hoặc 64 chữ số thập lục phân.".into()))
}

fn parse_key(bytes: &[u8]) -> Option<Vec<u8>> {
    if bytes.len() == KEY_LEN {
        return Some(bytes.to_vec());
    }
    let text = std::str::from_utf8(bytes).ok()?.trim();
    unhex(text).filter(|k| k.len() == KEY_LEN)
}

pub fn keygen(file: &Path) -> CliResult<Output> {
    if file.exists() {
        return Err(CliError::Usage(format!("Tệp {} đã có, không ghi đè.", file.display())));
    }
    let mut key = [0u8; KEY_LEN];
    SystemRandom::new().fill(&mut key).map_err(|_| CliError::Usage("Máy không tạo được số ngẫu nhiên.".into()))?;
    write_private(file, &key).map_err(|e| CliError::Usage(format!("Không ghi được tệp khóa {}: {e}", file.display())))?;
    Ok(Output::new(serde_json::json!({ "key_file": file.display().to_string() }), format!("Đã tạo khóa dữ liệu mới: {}", file.display())))
}

#[cfg(unix)]
fn write_private(file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(file)?.write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(file, bytes)
}

/// Parse an id argument, with a Vietnamese error.
pub fn parse_id(s: &str) -> CliResult<Uuid> {
    Uuid::parse_str(s.trim()).map_err(|_| CliError::Usage(format!("Mã không hợp lệ: {s}")))
}

/// Parse a dd/mm/yyyy (or yyyy-mm-dd) date argument.
pub fn parse_date(s: &str) -> CliResult<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%d/%m/%Y")
        .or_else(|_| chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d"))
        .map_err(|_| CliError::Usage(format!("Ngày không hợp lệ: {s} (cần dạng dd/mm/yyyy)")))
}
