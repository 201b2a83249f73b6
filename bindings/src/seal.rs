//! The seal of signed minutes and pledges, as the UI shows it.

use sotay_core::Seal;

use crate::dates::format_instant_vi;

/// Who sealed a record and when; a sealed record is immutable (correct it with an amendment).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SealInfo {
    pub by: String,
    pub at_millis: i64,
    /// `dd/mm/yyyy HH:MM`, Vietnam time.
    pub at_shown: String,
    /// SHA-256 of the sealed content, lowercase hex.
    pub hash: String,
}

impl From<Seal> for SealInfo {
    fn from(s: Seal) -> Self {
        SealInfo { at_shown: format_instant_vi(s.at), by: s.by, at_millis: s.at, hash: s.hash }
    }
}
