//! sotay-server: the district server (sync API, web dashboard, report exports).

pub mod reports;
pub mod web;
