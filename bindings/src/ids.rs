//! Record ids cross the boundary as UUID text.

use sotay_core::{Error, Rule};
use uuid::Uuid;

/// Parse an id sent by the shell; a bad one names `field`.
pub fn parse_id(field: &str, text: &str) -> sotay_core::Result<Uuid> {
    Uuid::parse_str(text.trim()).map_err(|_| Error::validation(field, Rule::Invalid { expected: "a record id" }))
}

pub fn parse_optional_id(field: &str, text: Option<String>) -> sotay_core::Result<Option<Uuid>> {
    text.filter(|t| !t.trim().is_empty()).map(|t| parse_id(field, &t)).transpose()
}
