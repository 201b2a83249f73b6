//! The web dashboard (owned by the dashboard work, issue #5): pages and report exports for
//! commune and district staff. Merged into `app()` beside the device API.

use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}
