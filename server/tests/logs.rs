//! Logs carry ids and counts, never names, household details, keys, codes or signatures.
mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::*;
use serde_json::json;
use sotay_core::record::Entity;
use sotay_core::sync::signing::DeviceKey;
use sotay_server::storage::Role;
use uuid::Uuid;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_sync_session_logs_no_personal_data() {
    let captured = Captured::default();
    let sink = captured.clone();
    let subscriber = tracing_subscriber::fmt().with_ansi(false).with_writer(move || sink.clone()).with_max_level(tracing::Level::TRACE).finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let fx = Fixture::new();
    let code = fx.code_for(unit("DEMO-BS-BC-1"), Role::VillageHead);
    let key = DeviceKey::generate().unwrap();
    let enrolled: sotay_core::sync::protocol::EnrollResponse = fx.post_enroll(&code, &key).await.json();
    let phone = Phone::from_enrollment(key, enrolled.device_id, unit("DEMO-BS-BC-1"));
    let secret_name = "Nguyễn Văn Bímật";
    let change = phone.change(Entity::Household, Uuid::now_v7(), json!({"head_name": secret_name, "members": 3, "phone": "0905123456"}));
    fx.push_ok(&phone, vec![change]).await;
    fx.pull_ok(&phone, "").await;
    fx.pull(&phone, &format!("?unit={}", unit("DEMO-BS-BC-2"))).await;

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains(&phone.id.to_string()), "the device id is logged: {logs}");
    assert!(logs.contains("applied=1"), "counts are logged: {logs}");
    for secret in [secret_name, "0905123456", &phone.key.public_key_hex(), &code, "Người thử"] {
        assert!(!logs.contains(secret), "{secret} leaked into the logs");
    }
}
