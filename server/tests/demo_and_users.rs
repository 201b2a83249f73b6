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
