//! The device API (`/api/v1/...`) and the health check. Paths, headers, limits and bodies come
//! from `sotay_core::sync::protocol`, the one source of truth shared with the phones.

mod attachments;
mod body;
mod enroll;
mod health;
mod pull;
mod push;
pub mod signed;

use axum::Router;
use axum::routing::{get, post};
use sotay_core::sync::protocol::{PATH_ATTACHMENTS_MISSING, PATH_ENROLL, PATH_HEALTH, PATH_PULL, PATH_PUSH};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(PATH_HEALTH, get(health::health))
        .route(PATH_ENROLL, post(enroll::enroll))
        .route(PATH_PUSH, post(push::push))
        .route(PATH_PULL, get(pull::pull))
        .route(PATH_ATTACHMENTS_MISSING, get(attachments::missing))
        .route(
            &format!("{}/{{sha256}}", sotay_core::sync::protocol::PATH_ATTACHMENTS),
            get(attachments::status).head(attachments::exists).put(attachments::upload_chunk),
        )
        .route(&format!("{}/{{sha256}}/content", sotay_core::sync::protocol::PATH_ATTACHMENTS), get(attachments::content))
}
