//! The web dashboard: server-rendered pages for commune and district staff.

pub mod charts;
pub mod layout;
