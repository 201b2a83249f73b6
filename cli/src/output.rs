//! What a command prints: one JSON value for `--json`, or Vietnamese text for people.

use serde_json::Value;

pub struct Output {
    pub json: Value,
    pub human: String,
}

impl Output {
    pub fn new(json: Value, human: impl Into<String>) -> Output {
        Output { json, human: human.into() }
    }

    pub fn print(&self, json: bool) {
        if json {
            println!("{}", self.json);
        } else if !self.human.is_empty() {
            println!("{}", self.human);
        }
    }
}

/// dd/mm/yyyy for a date.
pub fn date_vi(d: chrono::NaiveDate) -> String {
    sotay_core::clock::format_date_vi(d)
}

/// dd/mm/yyyy HH:MM (Vietnam time) for an instant in milliseconds.
pub fn datetime_vi(millis: i64) -> String {
    sotay_core::clock::to_datetime(millis).with_timezone(&sotay_core::clock::vietnam()).format("%d/%m/%Y %H:%M").to_string()
}

/// A byte count for people: "12,3 KB".
pub fn bytes_vi(n: u64) -> String {
    match n {
        0..1024 => format!("{n} B"),
        1024..1_048_576 => format!("{:.1} KB", n as f64 / 1024.0).replace('.', ","),
        _ => format!("{:.1} MB", n as f64 / 1_048_576.0).replace('.', ","),
    }
}
