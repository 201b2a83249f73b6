//! sotay-ffi: the uniffi layer the Android and iOS shells call. Thin newtypes over `sotay-core`
//! at the level of the phone's screens: coarse calls on one `SotayStore` object, records that
//! mirror core types, one error type. Nothing is decided here that the core does not already
//! decide; see bindings/README.md.

uniffi::setup_scaffolding!();

pub mod attachments;
pub mod checklist;
pub mod dates;
pub mod error;
pub mod home;
pub mod households;
pub mod ids;
pub mod minutes;
pub mod pledges;
pub mod queue;
pub mod seal;
pub mod store;
pub mod sync;
pub mod visits;

pub use error::SotayError;
pub use store::SotayStore;

/// Convert a list of core values into their boundary records.
pub(crate) fn items<T, U: From<T>>(v: Vec<T>) -> Vec<U> {
    v.into_iter().map(U::from).collect()
}
