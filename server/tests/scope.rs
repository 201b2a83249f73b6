//! A device reads and writes only its unit's subtree, and reads the unit, plan and pledge
//! template records of the units above it.
mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::json;
use sotay_core::record::Entity;
use sotay_core::sync::protocol::{PushStatus, reason};
use sotay_server::storage::{Role, Storage};
use uuid::Uuid;

#[tokio::test]
async fn villages_of_one_commune_cannot_read_each_other_either_way() {
    let fx = Fixture::new();
    let a = fx.village_phone("DEMO-BS-BC-1").await;
    let b = fx.village_phone("DEMO-BS-BC-2").await;
    for (reader, other) in [(&a, &b), (&b, &a)] {
        let records = fx.pull_all(reader).await;
        assert!(records.iter().all(|r| r.unit != other.unit), "no record of the other village");
        assert!(records.iter().any(|r| r.entity == Entity::Household && r.unit == reader.unit));
        let res = fx.pull(reader, &format!("?unit={}", other.unit)).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        assert_eq!(res.error().error, "out_of_scope");
    }
}

#[tokio::test]
async fn villages_of_one_commune_cannot_write_each_other_either_way() {
    let fx = Fixture::new();
    let a = fx.village_phone("DEMO-BS-BC-1").await;
    let b = fx.village_phone("DEMO-BS-BC-2").await;
    for (writer, other) in [(&a, &b), (&b, &a)] {
        let intrusion = writer.change_in(other.unit, Entity::Household, Uuid::now_v7(), household_fields("Hộ lạ"));
        let res = fx.push_ok(writer, vec![intrusion.clone()]).await;
        assert_eq!(res.results[0].status, PushStatus::Rejected);
        assert_eq!(res.results[0].reason.as_deref(), Some(reason::OUT_OF_SCOPE));
        assert!(fx.storage.record(intrusion.record).unwrap().is_none());
    }
    // Nor can a village take over the other's record by claiming it for itself.
    let theirs = b.change(Entity::Household, Uuid::now_v7(), household_fields("Hộ của thôn 2"));
    fx.push_ok(&b, vec![theirs.clone()]).await;
    let hijack = a.change(Entity::Household, theirs.record, json!({"head_name": "Đổi tên"}));
    let res = fx.push_ok(&a, vec![hijack]).await;
    assert_eq!(res.results[0].reason.as_deref(), Some(reason::UNIT_MISMATCH));
    assert_eq!(fx.storage.record(theirs.record).unwrap().unwrap().fields["head_name"], json!("Hộ của thôn 2"));
}

#[tokio::test]
async fn a_village_reads_the_plan_and_templates_above_it_but_not_its_siblings() {
    let fx = Fixture::new();
    let a = fx.village_phone("DEMO-BS-BC-1").await;
    let records = fx.pull_all(&a).await;
    let units: Vec<Uuid> = records.iter().filter(|r| r.entity == Entity::Unit).map(|r| r.id).collect();
    for code in ["DEMO-QN", "DEMO-BS", "DEMO-BS-BC", "DEMO-BS-BC-1"] {
        assert!(units.contains(&unit(code)), "{code} is readable");
    }
    for code in ["DEMO-BS-BC-2", "DEMO-BS-BD", "DEMO-BS-BD-1"] {
        assert!(!units.contains(&unit(code)), "{code} is not");
    }
    assert_eq!(records.iter().filter(|r| r.entity == Entity::Plan).count(), 1);
    assert!(records.iter().any(|r| r.entity == Entity::PledgeTemplate));
    // Read, never write: a village may not edit the district's plan.
    let plan = records.iter().find(|r| r.entity == Entity::Plan).unwrap();
    let edit = a.change_in(plan.unit, Entity::Plan, plan.id, json!({"title": "Sửa"}));
    assert_eq!(fx.push_ok(&a, vec![edit]).await.results[0].reason.as_deref(), Some(reason::OUT_OF_SCOPE));
}

#[tokio::test]
async fn a_commune_device_reads_every_village_of_its_commune_only() {
    let fx = Fixture::new();
    let commune = fx.phone(unit("DEMO-BS-BC"), Role::CommuneStaff).await;
    let records = fx.pull_all(&commune).await;
    let households = |code: &str| records.iter().filter(|r| r.entity == Entity::Household && r.unit == unit(code)).count();
    assert_eq!(households("DEMO-BS-BC-1"), 20);
    assert_eq!(households("DEMO-BS-BC-3"), 20);
    assert_eq!(households("DEMO-BS-BD-1"), 0);
    let narrowed = fx.pull_ok(&commune, &format!("?unit={}", unit("DEMO-BS-BC-2"))).await;
    assert!(narrowed.records.iter().filter(|r| r.entity == Entity::Household).all(|r| r.unit == unit("DEMO-BS-BC-2")));
    assert!(fx.storage.records(Entity::Household, Some(unit("DEMO-BS-BD-1"))).unwrap().len() == 20);
}
