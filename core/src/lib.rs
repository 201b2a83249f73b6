//! sotay-core: the domain, encrypted offline store, sync client, progress and reports that every
//! phone runs and the server shares. Knows nothing of FFI, HTTP servers or UI.

pub mod activities;
pub mod attachments;
pub mod checklist;
pub mod clock;
pub mod error;
pub mod households;
mod lookup;
pub mod minutes;
pub mod outbox;
pub mod percent;
pub mod plans;
pub mod pledges;
pub mod progress;
pub mod record;
pub mod schema;
pub mod search;
pub mod seed;
pub mod store;
pub mod sync;
pub mod text;
pub mod units;
pub mod validate;
pub mod visits;

// Links SQLCipher, built with a small crypto provider, for rusqlite (see sqlcipher/src/lib.rs).
use sotay_sqlcipher as _;

pub use clock::{Hlc, WallClock};
pub use error::{Error, Result, Rule};
pub use record::{Change, Entity, Fields, RecordState, Seal};
pub use store::Store;
