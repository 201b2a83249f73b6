//! The home screen and the checklist through the FFI surface, on a store whose clock is fixed
//! in 2023 (the seed plan's year). The store is prepared with core, as sync would fill it.

use chrono::NaiveDate;
use sotay_core::Store;
use sotay_core::checklist::{Evidence, EvidenceKind, TaskStatus};
use sotay_core::households::HouseholdDetails;
use sotay_core::pledges::PledgeKind;
use sotay_core::units::NewUnit;
use sotay_ffi::SotayStore;
use sotay_ffi::pledges::PledgeForm;
use uuid::Uuid;

const KEY: [u8; 32] = [3; 32];

struct Village {
    _dir: tempfile::TempDir,
    path: String,
    village: Uuid,
    plan: Uuid,
    households: Vec<Uuid>,
}

/// A district with one commune and one village, the seed plan and its checklists, two households.
fn prepared() -> Village {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("home.db").to_string_lossy().into_owned();
    let store = Store::open(&path, &KEY).unwrap();
    let unit = |code: &str, name: &str, level: &str, parent: Option<Uuid>, residential_area: bool| {
        let new = NewUnit { code: code.into(), name: name.into(), level: level.into(), parent, residential_area, established_on: None };
        store.add_unit(new).unwrap().id
    };
    let district = unit("524", "Bình Sơn", "huyện", None, false);
    let commune = unit("21", "Bình Trị", "xã", Some(district), false);
    let village = unit("21-1", "Thôn Phú Lộc", "thôn", Some(commune), true);
    let plan = store.install_seed_plan(district).unwrap().id;
    store.instantiate_plan(plan).unwrap();
    store.install_pledge_templates(district, 2023).unwrap();
    let households = ["Nguyễn Văn Ánh", "Trần Thị Bích"]
        .into_iter()
        .map(|name| {
            let d = HouseholdDetails { head_name: name.into(), address: "Xóm 1".into(), members: 4, children_under_18: 1, phone: None, clan: None };
            store.add_household(village, &d).unwrap().id
        })
        .collect();
    Village { _dir: dir, path, village, plan, households }
}

/// 09:00 in Vietnam on the given day.
fn morning(y: i32, m: u32, d: u32) -> i64 {
    NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(2, 0, 0).unwrap().and_utc().timestamp_millis()
}

#[test]
fn the_home_screen_shows_the_plan_in_force_what_is_due_and_pledges_counted() {
    let v = prepared();
    let phone = SotayStore::open_at_time(v.path.clone(), KEY.to_vec(), morning(2023, 5, 20)).unwrap();
    let village = v.village.to_string();

    let plan = phone.current_plan(village.clone()).unwrap().expect("the seed plan is in force in May 2023");
    assert_eq!(plan.id, v.plan.to_string());
    assert!(plan.period_from.iso.starts_with("2023-") && plan.period_to.shown.ends_with("/2023"), "{plan:?}");
    assert_eq!(phone.plans(village.clone()).unwrap().len(), 1);

    let home = phone.home(village.clone()).unwrap();
    assert_eq!(home.progress.plan_id.as_deref(), Some(plan.id.as_str()));
    assert_eq!(home.progress.today.shown, "20/05/2023");
    assert_eq!((home.progress.households.done, home.progress.households.total), (0, 2));
    assert_eq!(home.households_left, 2);
    let checklist = phone.checklist(village.clone(), plan.id.clone()).unwrap();
    assert!(!checklist.is_empty());
    assert_eq!(home.progress.checklist.total as usize, checklist.len());
    // Everything due within two weeks is on the home screen, with its date as people read it.
    for line in &home.due_soon {
        assert!((0..14).contains(&line.days_left), "{line:?}");
        assert_eq!(line.due.shown.len(), 10);
    }

    let template = phone.pledge_templates(Some(PledgeKind::Household)).unwrap().remove(0);
    let form = PledgeForm {
        kind: PledgeKind::Household,
        subject_id: v.households[0].to_string(),
        template_id: template.id,
        signed_by: "Nguyễn Văn Ánh".into(),
        witness: "Trưởng thôn".into(),
        signed_on: "2023-05-20".into(),
        signature: None,
    };
    phone.record_pledge(form, "Trưởng thôn".into()).unwrap();
    let home = phone.home(village).unwrap();
    assert_eq!((home.progress.households.done, home.progress.households.pct_tenths), (1, 500));
    assert_eq!(home.progress.households.pct_text, "50%");
    assert_eq!(home.households_left, 1);
}

#[test]
fn a_task_moves_through_its_statuses_with_evidence_and_a_reason_when_not_applicable() {
    let v = prepared();
    let phone = SotayStore::open_at_time(v.path.clone(), KEY.to_vec(), morning(2023, 5, 20)).unwrap();
    let task = phone.checklist(v.village.to_string(), v.plan.to_string()).unwrap().remove(0);
    assert_eq!((task.status, task.status_vi.as_str()), (TaskStatus::Todo, "Chưa làm"));

    let e = phone.set_task_status(task.id.clone(), TaskStatus::NotApplicable, None).unwrap_err();
    assert_eq!(e.kind(), "validation");
    let done = phone.set_task_status(task.id.clone(), TaskStatus::Done, None).unwrap();
    assert_eq!(done.status_vi, "Đã xong");
    let note = Evidence { kind: EvidenceKind::Note, reference: None, note: "Đã họp dân ngày 15/5".into() };
    let with = phone.attach_evidence(task.id.clone(), note.clone()).unwrap();
    assert_eq!(with.evidence, vec![note]);
    assert_eq!(phone.task(task.id).unwrap(), with);
}

#[test]
fn a_task_past_due_is_overdue_on_the_home_screen() {
    let v = prepared();
    // After the village's deadlines but still within the plan's period.
    let phone = SotayStore::open_at_time(v.path.clone(), KEY.to_vec(), morning(2023, 12, 20)).unwrap();
    let home = phone.home(v.village.to_string()).unwrap();
    let checklist = phone.checklist(v.village.to_string(), v.plan.to_string()).unwrap();
    assert_eq!(home.overdue.len(), checklist.iter().filter(|t| t.overdue).count());
    assert!(!home.overdue.is_empty());
    assert!(home.overdue.iter().all(|t| t.days_left < 0));
}
