mod common;

use common::*;
use sotay_core::Rule;
use sotay_core::checklist::{Evidence, EvidenceKind, TaskStatus};

fn codes_and_dues(tasks: &[sotay_core::checklist::Task]) -> Vec<(String, String)> {
    tasks.iter().map(|t| (t.code.clone(), sotay_core::clock::format_date_vi(t.due))).collect()
}

#[test]
fn the_seed_plan_gives_each_level_its_checklist() {
    let store = store_at(2023, 4, 1);
    let t = seed_tree(&store);
    let plan = store.install_seed_plan(t.district).unwrap();
    let done = store.instantiate_plan(plan.id).unwrap();
    // District: 4 key tasks + 3 duties of 4.1 + 3 reports; each of 2 communes: 4 + 5 + 3;
    // each of 3 residential areas: 4.
    assert_eq!((done.units, done.created, done.existing), (6, 10 + 2 * 12 + 3 * 4, 0));

    let commune = store.checklist(t.commune, plan.id).unwrap();
    let reports: Vec<_> = codes_and_dues(&commune).into_iter().filter(|(c, _)| c.starts_with("M-")).collect();
    assert_eq!(
        reports,
        [
            ("M-6_month".to_string(), "30/05/2023".to_string()),
            ("M-9_month".into(), "30/08/2023".into()),
            ("M-annual".into(), "30/11/2023".into()),
        ]
    );
    assert!(commune.iter().any(|t| t.code == "4.2.3" && t.title.contains("đăng ký cam kết")));
    assert!(commune.iter().all(|t| t.status == TaskStatus::Todo));
    // A thị trấn is commune-level too and gets the same deadlines.
    assert_eq!(store.checklist(t.township, plan.id).unwrap().len(), 12);

    let district = store.checklist(t.district, plan.id).unwrap();
    let reports: Vec<_> = codes_and_dues(&district).into_iter().filter(|(c, _)| c.starts_with("M-")).collect();
    assert_eq!(
        reports,
        [
            ("M-6_month".to_string(), "05/06/2023".to_string()),
            ("M-9_month".into(), "05/09/2023".into()),
            ("M-annual".into(), "05/12/2023".into()),
        ]
    );
    assert!(district.iter().any(|t| t.code == "4.1.2" && t.title.contains("Lê Văn Thành")));

    let village = store.checklist(t.village1, plan.id).unwrap();
    assert_eq!(
        codes_and_dues(&village),
        [
            ("V-conference".to_string(), "30/05/2023".to_string()),
            ("V-pledges".into(), "30/05/2023".into()),
            ("3.2".into(), "30/11/2023".into()),
            ("3.3".into(), "30/11/2023".into()),
        ]
    );
    assert!(store.checklist(t.province, plan.id).unwrap().is_empty(), "the province is above the plan");
}

#[test]
fn instantiating_twice_keeps_one_checklist_and_its_progress() {
    let store = store_at(2023, 4, 1);
    let t = seed_tree(&store);
    let plan = store.install_seed_plan(t.district).unwrap();
    let first = store.instantiate_plan(plan.id).unwrap();
    let task = store.checklist(t.village1, plan.id).unwrap()[0].clone();
    store.set_task_status(task.id, TaskStatus::Done, None).unwrap();
    // A village added later gets its checklist on the next run; nothing else changes.
    let v3 = store.add_unit(new_unit("", "Thôn Ba", "thôn", Some(t.commune), true)).unwrap().id;
    let second = store.instantiate_plan(plan.id).unwrap();
    assert_eq!((second.created, second.existing), (4, first.created));
    assert_eq!(store.task(task.id).unwrap().status, TaskStatus::Done);
    assert_eq!(store.checklist(v3, plan.id).unwrap().len(), 4);
    assert_eq!(store.checklist(t.village1, plan.id).unwrap().len(), 4);
}

#[test]
fn status_changes_need_a_reason_to_set_a_task_aside() {
    let store = store_at(2023, 4, 1);
    let t = seed_tree(&store);
    let plan = store.install_seed_plan(t.district).unwrap();
    store.instantiate_plan(plan.id).unwrap();
    let task = store.checklist(t.village1, plan.id).unwrap()[0].id;
    assert_invalid(store.set_task_status(task, TaskStatus::NotApplicable, None), "reason", Rule::ReasonRequired);
    assert_invalid(store.set_task_status(task, TaskStatus::NotApplicable, Some("  ")), "reason", Rule::ReasonRequired);
    let aside = store.set_task_status(task, TaskStatus::NotApplicable, Some("Đã họp chung với thôn Hai")).unwrap();
    assert_eq!(aside.reason.as_deref(), Some("Đã họp chung với thôn Hai"));
    let doing = store.set_task_status(task, TaskStatus::Doing, None).unwrap();
    assert_eq!((doing.status, doing.reason), (TaskStatus::Doing, None));
    assert!(matches!(store.set_task_status(uuid::Uuid::now_v7(), TaskStatus::Done, None), Err(sotay_core::Error::NotFound { .. })));
}

#[test]
fn evidence_is_checked_by_kind() {
    let store = store_at(2023, 4, 1);
    let t = seed_tree(&store);
    let plan = store.install_seed_plan(t.district).unwrap();
    store.instantiate_plan(plan.id).unwrap();
    let task = store.checklist(t.village1, plan.id).unwrap()[0].id;
    let ev = |kind, reference: Option<&str>, note: &str| Evidence { kind, reference: reference.map(Into::into), note: note.into() };
    assert_invalid(store.attach_evidence(task, ev(EvidenceKind::Meeting, None, "")), "evidence.ref", Rule::Required);
    assert_invalid(
        store.attach_evidence(task, ev(EvidenceKind::Meeting, Some(&uuid::Uuid::now_v7().to_string()), "")),
        "evidence.ref",
        Rule::UnknownReference { entity: "minutes" },
    );
    assert_invalid(
        store.attach_evidence(task, ev(EvidenceKind::Photo, Some("not-a-hash"), "")),
        "evidence.ref",
        Rule::Invalid { expected: "the SHA-256 of the photo" },
    );
    assert_invalid(store.attach_evidence(task, ev(EvidenceKind::Note, None, " ")), "evidence.note", Rule::Required);
    let photo = sotay_core::record::sha256_hex(b"anh hoi nghi");
    store.attach_evidence(task, ev(EvidenceKind::Photo, Some(&photo), "Ảnh hội nghị")).unwrap();
    store.attach_evidence(task, ev(EvidenceKind::Photo, Some(&photo), "lần nữa")).unwrap();
    let saved = store.attach_evidence(task, ev(EvidenceKind::Note, None, "Đã họp ngày 12/4")).unwrap();
    assert_eq!(saved.evidence.len(), 2, "the same photo is attached once");
    assert_eq!(saved.evidence[0].reference.as_deref(), Some(photo.as_str()));
}

#[test]
fn due_dates_stay_within_the_plan_period() {
    let store = store_at(2023, 4, 1);
    let t = seed_tree(&store);
    let plan = store.install_seed_plan(t.district).unwrap();
    store.instantiate_plan(plan.id).unwrap();
    let period = Rule::DateOutsidePeriod { from: "01/01/2023".into(), to: "31/12/2023".into() };
    let task = store.checklist(t.commune, plan.id).unwrap()[0].id;
    assert_invalid(store.set_task_due(task, ymd(2024, 1, 15)), "due", period.clone());
    assert_eq!(store.set_task_due(task, ymd(2023, 7, 1)).unwrap().due, ymd(2023, 7, 1));
    assert_invalid(store.add_task(t.commune, plan.id, "5.1", "Họp giao ban", ymd(2022, 12, 31)), "due", period);
    let own = store.add_task(t.commune, plan.id, "5.1", "Họp giao ban quý", ymd(2023, 6, 15)).unwrap();
    assert_eq!(own.status, TaskStatus::Todo);
    assert_invalid(store.add_task(t.commune, plan.id, "5.1", "Lặp", ymd(2023, 6, 15)), "code", Rule::Duplicate);
    assert_invalid(store.add_task(t.commune, plan.id, "5.2", " ", ymd(2023, 6, 15)), "title", Rule::Required);
    assert_invalid(
        store.add_task(t.province, plan.id, "5.3", "Ngoài phạm vi", ymd(2023, 6, 15)),
        "unit",
        Rule::Invalid { expected: "a unit under the issuer of the plan" },
    );
}

#[test]
fn after_the_2025_reform_a_province_plan_reaches_communes_directly() {
    let store = store_at(2026, 1, 10);
    let t = seed_tree(&store);
    let mut new = new_unit("", "Bình Sơn", "xã", Some(t.province), false);
    new.established_on = Some(ymd(2025, 7, 1));
    let new_commune = store.add_unit(new).unwrap().id;
    store.merge_unit(t.commune, new_commune, ymd(2025, 7, 1)).unwrap();
    store.merge_unit(t.township, new_commune, ymd(2025, 7, 1)).unwrap();
    // The province issues next year's plan: its own duty and deadlines are for "tỉnh".
    let mut plan = sotay_core::seed::plan_2023_binh_son().unwrap();
    for _ in 0..3 {
        plan = plan.copy_for_next_year();
    }
    plan.duties[0].level = "tỉnh".into();
    for m in &mut plan.milestones {
        m.deadlines[1].level = "tỉnh".into();
    }
    let plan = store.create_plan(t.province, &plan).unwrap();
    store.instantiate_plan(plan.id).unwrap();
    let reports = |unit| -> Vec<String> {
        store
            .checklist(unit, plan.id)
            .unwrap()
            .iter()
            .filter(|t| t.code.starts_with("M-"))
            .map(|t| sotay_core::clock::format_date_vi(t.due))
            .collect()
    };
    assert_eq!(reports(new_commune), ["30/05/2026", "30/08/2026", "30/11/2026"]);
    assert_eq!(reports(t.province), ["05/06/2026", "05/09/2026", "05/12/2026"]);
    assert!(store.checklist(t.commune, plan.id).unwrap().is_empty(), "merged away before the plan's year");
    assert!(store.checklist(t.district, plan.id).unwrap().is_empty(), "no district tier in this plan");
    // The villages of the old communes now belong to the new one and get their tasks.
    assert_eq!(store.checklist(t.village1, plan.id).unwrap().len(), 4);
    assert_eq!(store.checklist(t.group1, plan.id).unwrap().len(), 4);
}
