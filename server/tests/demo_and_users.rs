//! `serve --demo` data loads once, and the users, sessions and codes the dashboard builds on.
mod common;

use std::sync::Arc;

use axum::http::StatusCode;
use common::*;
use sotay_core::record::Entity;
use sotay_core::sync::signing::DeviceKey;
use sotay_server::storage::{Role, SqliteStorage, Storage};
use sotay_server::{AppState, auth, demo};
use tempfile::TempDir;

fn counts(s: &dyn Storage) -> Vec<usize> {
    Entity::ALL.iter().map(|e| s.records(*e, None).unwrap().len()).collect()
}

#[tokio::test]
async fn the_demo_loads_once_and_prints_a_fresh_code_each_run() {
    let dir = TempDir::new().unwrap();
    let storage = Arc::new(SqliteStorage::open(dir.path().join("sotay.db")).unwrap());
    let first = demo::load(storage.as_ref(), T0).unwrap();
    let password = first.admin_password.clone().expect("the first run creates the admin");
    let after_first = counts(storage.as_ref());
    assert_eq!(storage.records(Entity::Household, None).unwrap().len(), first.households);
    assert!(!storage.records(Entity::Task, None).unwrap().is_empty(), "checklists are there");

    let second = demo::load(storage.as_ref(), T0 + 1000).unwrap();
    assert!(second.admin_password.is_none(), "the password is shown only once");
    assert_eq!(counts(storage.as_ref()), after_first, "no duplicate demo data");
    assert_ne!(first.enrollment.code, second.enrollment.code);

    let (admin, hash) = storage.user_by_login(demo::ADMIN_LOGIN).unwrap().unwrap();
    assert_eq!(admin.role, Role::DistrictAdmin);
    assert!(auth::verify_password(&password, &hash.unwrap()));

    // Both printed codes enroll a phone of the demo village.
    let fx_state = AppState::with_clock(storage.clone(), sotay_core::clock::ManualClock::at(T0 + 2000));
    for code in [&first.enrollment.code, &second.enrollment.code] {
        let body = serde_json::json!({"code": code, "public_key": DeviceKey::generate().unwrap().public_key_hex(), "device_name": "x"});
        let res = tower::ServiceExt::oneshot(
            sotay_server::app(fx_state.clone()),
            axum::http::Request::post("/api/v1/enroll").body(axum::body::Body::from(body.to_string())).unwrap(),
        )
        .await
        .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
}

#[test]
fn sessions_expire_and_can_be_ended() {
    let fx = Fixture::new();
    let user = fx
        .storage
        .create_user(
            sotay_server::storage::NewUser {
                login: Some("xa.binhchanh".into()),
                name: "Cán bộ xã (mẫu)".into(),
                role: Role::CommuneStaff,
                unit: unit("DEMO-BS-BC"),
                password_hash: Some(auth::hash_password("mật khẩu").unwrap()),
            },
            T0,
        )
        .unwrap();
    let taken = fx.storage.create_user(
        sotay_server::storage::NewUser { login: Some("xa.binhchanh".into()), name: "Khác".into(), role: Role::CommuneStaff, unit: user.unit, password_hash: None },
        T0,
    );
    assert!(taken.is_err(), "a login is unique");

    fx.storage.create_session("token-hash", user.id, T0, T0 + 1000).unwrap();
    assert_eq!(fx.storage.session_user("token-hash", T0 + 999).unwrap().map(|u| u.id), Some(user.id));
    assert!(fx.storage.session_user("token-hash", T0 + 1000).unwrap().is_none());
    fx.storage.create_session("other", user.id, T0, T0 + 1000).unwrap();
    fx.storage.delete_session("other").unwrap();
    assert!(fx.storage.session_user("other", T0).unwrap().is_none());
    fx.storage.create_session("third", user.id, T0, T0 + 1000).unwrap();
    fx.storage.set_user_active(user.id, false).unwrap();
    assert!(fx.storage.session_user("third", T0).unwrap().is_none(), "an inactive user's sessions stop working");
}

/// Milliseconds of an RFC 3339 instant.
fn vn(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339).unwrap().timestamp_millis()
}

/// A session of the demo's admin, as its cookie.
fn admin_cookie(storage: &SqliteStorage) -> String {
    let (admin, _) = storage.user_by_login(demo::ADMIN_LOGIN).unwrap().unwrap();
    let token = "demo-test-session";
    storage.create_session(&sotay_server::web::session::token_hash(token), admin.id, 0, i64::MAX).unwrap();
    format!("{}={token}", sotay_server::web::session::COOKIE)
}

async fn page(state: &AppState, cookie: &str, path: &str) -> String {
    use http_body_util::BodyExt;
    let req = axum::http::Request::get(path)
        .header(axum::http::header::COOKIE, cookie)
        .body(axum::body::Body::empty())
        .unwrap();
    let res = tower::ServiceExt::oneshot(sotay_server::app(state.clone()), req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap()
}

/// The cards of the overview from "Đơn vị chậm" (late units) to the next heading.
fn late_card(html: &str) -> &str {
    let start = html.find("Đơn vị chậm").expect("the late units card");
    let rest = &html[start..];
    &rest[..rest.find("<h2").unwrap_or(rest.len())]
}

#[tokio::test]
async fn the_demo_issues_the_current_year_plan_and_the_overview_opens_on_it() {
    let dir = TempDir::new().unwrap();
    let storage = Arc::new(SqliteStorage::open(dir.path().join("sotay.db")).unwrap());
    let now = vn("2026-11-29T09:00:00+07:00");
    demo::load(storage.as_ref(), now).unwrap();

    // The 2023 plan stays as it was; this year's copy is issued beside it.
    let plans = storage.records(Entity::Plan, None).unwrap();
    assert_eq!(plans.len(), 2);
    let current = demo::current_plan_id(now);
    assert_eq!(current, demo::plan_id_for_year(2026));
    let plan = plans.iter().find(|p| p.id == current).expect("this year's plan");
    assert_eq!(plan.fields["period"]["from"], "2026-01-01");
    assert!(plan.fields["title"].as_str().unwrap().ends_with("năm 2026"));
    assert!(plan.fields["issued_at"].is_i64(), "marked issued, as the dashboard marks it");
    assert!(plans.iter().any(|p| p.id == demo::plan_id_for_year(2023) && p.fields["period"]["from"] == "2023-01-01"));

    // Issued to every unit of the district: each has its checklist under this year's plan.
    let tasks = storage.records(Entity::Task, None).unwrap();
    let units: Vec<_> = storage.records(Entity::Unit, None).unwrap().into_iter().filter(|u| u.id != unit("DEMO-QN")).collect();
    assert_eq!(units.len(), 13, "district, 3 communes, 9 villages");
    for u in &units {
        assert!(tasks.iter().any(|t| t.unit == u.id && t.fields["plan"] == current.to_string()), "no checklist for {}", u.fields["name"]);
    }
    let this_year: Vec<_> = tasks.iter().filter(|t| t.fields["plan"] == current.to_string()).collect();
    assert!(this_year.iter().any(|t| t.fields["status"] == "done") && this_year.iter().any(|t| t.fields["status"] != "done"));

    // The overview opens on it by default, with a mix: not every commune is late.
    let state = AppState::with_clock(storage.clone(), sotay_core::clock::ManualClock::at(now));
    let cookie = admin_cookie(&storage);
    let html = page(&state, &cookie, "/").await;
    assert!(html.contains("năm 2026"), "the current plan");
    assert!(!html.contains("năm 2023"));
    let late = late_card(&html);
    assert!(!late.contains(&unit("DEMO-BS-BC").to_string()), "Bình Chánh is on schedule: {late}");
    assert!(late.contains(&unit("DEMO-BS-BH").to_string()), "Bình Hải is behind: {late}");
    assert!(html.contains("Đã nộp") && html.contains("Nộp muộn"), "filed reports, one of them late");
    // Sample data says so; the 2023 plan is still there to open.
    let village = page(&state, &cookie, &format!("/units/{}", unit("DEMO-BS-BC-1"))).await;
    assert!(village.contains("mẫu"));
    let old = page(&state, &cookie, &format!("/?plan={}", demo::plan_id_for_year(2023))).await;
    assert!(old.contains("năm 2023"));

    // Idempotent on restart; on the first run of the next year in Vietnam (still 31/12 in UTC)
    // that year's plan is added and this one stays.
    let before = counts(storage.as_ref());
    demo::load(storage.as_ref(), now + 60_000).unwrap();
    assert_eq!(counts(storage.as_ref()), before);
    demo::load(storage.as_ref(), vn("2026-12-31T17:30:00Z")).unwrap();
    let plans = storage.records(Entity::Plan, None).unwrap();
    assert_eq!(plans.len(), 3);
    assert!(plans.iter().any(|p| p.id == demo::plan_id_for_year(2027)));
}
