//! One module per group of use cases.

pub mod households;
pub mod sync;
