//! The field CLI scripted end to end with `--json`: enroll, capture, sync, and the errors.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use sotay_e2e::*;

fn sotay(dir: &Path, args: &[&str]) -> Output {
    Command::new(cli_binary())
        .args(["--store", dir.join("phone.db").to_str().unwrap(), "--json"])
        .args(args)
        .env("SOTAY_KEY", "11".repeat(32))
        .env_remove("SOTAY_KEY_FILE")
        .output()
        .expect("run sotay")
}

fn ok(dir: &Path, args: &[&str]) -> Value {
    let out = sotay(dir, args);
    assert!(out.status.success(), "sotay {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("json output")
}

#[test]
fn a_village_head_enrolls_captures_and_syncs_from_the_terminal() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let code = server.enrollment_code(village_a());
    let enrolled = ok(dir.path(), &["enroll", "--server", &server.url, "--code", &code]);
    assert_eq!(enrolled["unit"], village_a().to_string());

    let first = ok(dir.path(), &["sync"]);
    assert!(first["pulled"].as_u64().unwrap() > 0);
    let before = ok(dir.path(), &["households", "list"])["households"].as_array().unwrap().len();

    let added = ok(dir.path(), &["households", "add", "--head-name", "Nguyễn Thị Dòng Lệnh", "--members", "5", "--children", "2"]);
    let id = added["id"].as_str().unwrap().to_string();
    assert_eq!(ok(dir.path(), &["pending"])["pending"], 1);
    let synced = ok(dir.path(), &["sync"]);
    assert_eq!(synced["pushed"], 1);
    assert_eq!(ok(dir.path(), &["pending"])["pending"], 0);

    let found = ok(dir.path(), &["households", "search", "dong lenh"]);
    assert_eq!(found["households"][0]["id"], id.as_str());
    assert_eq!(ok(dir.path(), &["households", "list"])["households"].as_array().unwrap().len(), before + 1);

    // A pledge signed at the door, sealed as it is saved, counts in the village's progress (on
    // top of the demo's sample pledges of the year).
    let done = ok(dir.path(), &["progress"])["households"]["done"].as_u64().unwrap();
    let left_before = ok(dir.path(), &["visits", "left"])["households"].as_array().unwrap().len();
    let pledged = ok(dir.path(), &["pledges", "capture", "--subject", &id, "--signed-by", "Nguyễn Thị Dòng Lệnh", "--witness", "Trưởng ban", "--signed-on", "12/04/2023"]);
    assert_eq!(pledged["sealed"], true);
    let progress = ok(dir.path(), &["progress"]);
    assert_eq!(progress["households"]["done"], done + 1);
    assert_eq!(progress["households"]["total"].as_u64().unwrap() as usize, before + 1);
    let left = ok(dir.path(), &["visits", "left"])["households"].as_array().unwrap().len();
    assert_eq!(left, left_before - 1);
    ok(dir.path(), &["sync"]);

    // A second phone of the same village gets the household.
    let other = tempfile::tempdir().unwrap();
    ok(other.path(), &["enroll", "--server", &server.url, "--code", &server.enrollment_code(village_a())]);
    ok(other.path(), &["sync"]);
    assert_eq!(ok(other.path(), &["households", "search", "dong lenh"])["households"][0]["id"], id.as_str());
    assert_eq!(ok(other.path(), &["progress"])["households"]["done"], done + 1);

    // Erased on request on the dashboard: it leaves the phone at the next sync, pledge and all.
    let page = format!("/households/{id}/erase");
    assert_eq!(server.dashboard_admin().submit(&page, &page, &[("reason", "Đơn đề nghị của chủ hộ")]), 303);
    let synced = ok(other.path(), &["sync"]);
    assert_eq!(synced["erased"], 2, "the household and its pledge");
    assert!(ok(other.path(), &["households", "search", "dong lenh"])["households"].as_array().unwrap().is_empty());
    assert_eq!(ok(other.path(), &["progress"])["households"]["done"], done);
}

#[test]
fn errors_exit_non_zero_with_a_vietnamese_message() {
    let dir = tempfile::tempdir().unwrap();
    let out = sotay(dir.path(), &["sync"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("đăng ký"), "{}", String::from_utf8_lossy(&out.stderr));

    let unit = village_a().to_string();
    let out = sotay(dir.path(), &["households", "add", "--unit", &unit, "--head-name", "", "--members", "2"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Tên chủ hộ: không được để trống"));
    let body: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(body["error"], "validation");

    let out = Command::new(cli_binary()).args(["--store", dir.path().join("x.db").to_str().unwrap(), "status"]).env("SOTAY_KEY", "zz").output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("SOTAY_KEY"));
}
