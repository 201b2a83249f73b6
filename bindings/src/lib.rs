//! sotay-ffi: the uniffi layer the Android and iOS shells call. Thin newtypes over `sotay-core`
//! at the level of the phone's screens: coarse calls, records that mirror core types, one error
//! type. No logic lives here that the core does not already decide; see bindings/README.md.

uniffi::setup_scaffolding!();

mod dates;
mod error;
mod households;
mod ids;
mod queue;
mod store;
mod sync;

pub use dates::DateText;
pub use error::SotayError;
pub use households::{ClanInput, ClanItem, ErasedCounts, HouseholdInput, HouseholdItem};
pub use queue::{QueueStatus, SetAsideItem};
pub use store::SotayStore;
pub use sync::{SyncCancel, SyncListener, SyncProgress};
