//! Dates at the boundary: shells send ISO text (`2023-05-30`) and receive both ISO and the
//! dd/mm/yyyy form people read.

use chrono::NaiveDate;
use sotay_core::clock::{format_date_vi, to_datetime, vietnam};
use sotay_core::{Error, Rule};

/// A calendar date as the UI needs it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DateText {
    /// `YYYY-MM-DD`, for pickers and for sending back.
    pub iso: String,
    /// `dd/mm/yyyy`, for display.
    pub shown: String,
}

impl From<NaiveDate> for DateText {
    fn from(d: NaiveDate) -> Self {
        DateText { iso: d.format("%Y-%m-%d").to_string(), shown: format_date_vi(d) }
    }
}

pub fn format_date_vi_opt(d: Option<NaiveDate>) -> Option<String> {
    d.map(format_date_vi)
}

/// An instant (Unix ms) as people in Vietnam read it: `30/05/2023 14:05`.
pub fn format_instant_vi(millis: i64) -> String {
    to_datetime(millis).with_timezone(&vietnam()).format("%d/%m/%Y %H:%M").to_string()
}

/// Parse an ISO date typed or picked in the shell; a bad one names `field`.
pub fn parse_iso(field: &str, text: &str) -> sotay_core::Result<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| Error::validation(field, Rule::Invalid { expected: "a date YYYY-MM-DD" }))
}

pub fn parse_optional_iso(field: &str, text: Option<String>) -> sotay_core::Result<Option<NaiveDate>> {
    text.filter(|t| !t.trim().is_empty()).map(|t| parse_iso(field, &t)).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_cross_as_iso_and_as_shown() {
        let d = parse_iso("signed_on", "2023-05-30").unwrap();
        assert_eq!(DateText::from(d), DateText { iso: "2023-05-30".into(), shown: "30/05/2023".into() });
        let e = parse_iso("signed_on", "30/05/2023").unwrap_err();
        assert_eq!(e.kind(), "validation");
        assert_eq!(parse_optional_iso("revisit_on", Some(" ".into())).unwrap(), None);
        // 2023-05-29 18:30 UTC is already the 30th in Vietnam.
        assert_eq!(format_instant_vi(1_685_385_000_000), "30/05/2023 01:30");
    }
}
