//! The web dashboard: server-rendered pages in Vietnamese for commune and district staff, the
//! report exports, and the SVG charts. No script on any page; every form carries a CSRF token.

pub mod admin_units;
pub mod charts;
pub mod checklist;
pub mod context;
pub mod documents;
pub mod entry;
pub mod error;
pub mod figures;
pub mod households;
pub mod layout;
pub mod login;
pub mod overview;
pub mod people;
pub mod plan_pages;
pub mod progress;
pub mod qr;
pub mod report_pages;
pub mod session;
pub mod unit;
pub mod writer;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::state::AppState;

/// What the dashboard keeps in memory beside the storage.
#[derive(Default)]
pub struct WebState {
    pub figures: progress::FiguresCache,
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login::login_page).post(login::login))
        .route("/logout", post(login::logout))
        .route("/", get(overview::overview))
        .route("/units", get(unit::index))
        .route("/units/{id}", get(unit::show))
        .route("/units/{id}/activities/new", get(entry::new_activity))
        .route("/units/{id}/activities", post(entry::create_activity))
        .route("/units/{id}/meetings/new", get(entry::new_meeting))
        .route("/units/{id}/meetings", post(entry::create_meeting))
        .route("/units/{id}/tasks/{task}", post(entry::set_task_status))
        .route("/minutes/{id}", get(documents::minutes))
        .route("/pledges/{id}", get(documents::pledge))
        .route("/households/{id}/export", get(households::export))
        .route("/households/{id}/erase", get(households::confirm_erase).post(households::erase))
        .route("/plans", get(plan_pages::index).post(plan_pages::create))
        .route("/plans/{id}", get(plan_pages::show).post(plan_pages::update))
        .route("/people", get(people::list))
        .route("/people/users", post(people::create))
        .route("/people/users/{id}/code", post(people::issue_code))
        .route("/people/devices/{id}/revoke", post(people::revoke))
        .route("/admin/units", get(admin_units::index))
        .route("/admin/units/add", post(admin_units::add))
        .route("/admin/units/rename", post(admin_units::rename))
        .route("/admin/units/merge", post(admin_units::merge))
        .route("/reports", get(report_pages::index))
        .route("/reports/{unit}/file", post(report_pages::file))
        .route("/reports/{unit}/{milestone}/{format}", get(report_pages::download))
        .route("/reports/filed/{id}", get(report_pages::filed))
        .route("/reports/filed/{id}/{format}", get(report_pages::filed_download))
        .route(layout::ASSET_CSS, get(css))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
}

async fn css() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=604800, immutable")],
        layout::CSS,
    )
}
