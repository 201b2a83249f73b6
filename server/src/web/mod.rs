//! The web dashboard: server-rendered pages for commune and district staff (owned by the
//! dashboard work, issue #5). `router()` is merged into `app()` beside the device API.

pub mod charts;

use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}
