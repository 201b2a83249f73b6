//! One module per group of use cases.

pub mod checklist;
pub mod households;
pub mod minutes;
pub mod pledges;
pub mod sync;
pub mod visits;
