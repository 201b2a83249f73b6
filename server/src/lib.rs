//! sotay-server: the district server. The device sync API (`api`), the web dashboard (`web`),
//! report exports (`reports`), storage behind one trait (`storage`), and the admin side of
//! enrollment.

pub mod api;
pub mod auth;
pub mod demo;
pub mod enrollment;
pub mod error;
pub mod nonce;
pub mod reports;
pub mod scope;
pub mod state;
pub mod storage;
pub mod validate;
pub mod web;

use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::middleware::{self, Next};
use axum::response::Response;

pub use error::{AppError, AppResult};
pub use state::AppState;

/// The whole HTTP application: device API, dashboard, request logging.
pub fn app(state: AppState) -> Router {
    Router::new().merge(api::router()).merge(web::router()).layer(middleware::from_fn(log_request)).with_state(state)
}

/// One log line per request: method, route template (never the concrete path, which may carry
/// ids of people's records), status and time. No bodies, no headers.
async fn log_request(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let route = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string()).unwrap_or_else(|| "unmatched".into());
    let started = Instant::now();
    let response = next.run(req).await;
    tracing::info!(%method, route, status = response.status().as_u16(), ms = started.elapsed().as_millis() as u64, "request");
    response
}
