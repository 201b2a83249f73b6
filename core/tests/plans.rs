mod common;

use common::*;
use sotay_core::Rule;
use sotay_core::seed::plan_2023_binh_son;

#[test]
fn a_plan_is_created_read_back_and_edited() {
    let store = store_at(2023, 4, 1);
    let t = seed_tree(&store);
    let mut draft = plan_2023_binh_son().unwrap();
    draft.number = "45/KH-MTTQ-BTT".into();
    let plan = store.create_plan(t.district, &draft).unwrap();
    assert_eq!(plan.issuer, t.district);
    let read = store.plan(plan.id).unwrap();
    assert_eq!(read, plan);
    let mut edited = read.clone();
    edited.targets[1].threshold_pct = 85;
    edited.other_targets.clear();
    let saved = store.edit_plan(plan.id, &edited).unwrap();
    assert_eq!(saved.targets[1].threshold_pct, 85);
    assert!(saved.other_targets.is_empty());
    assert_eq!(store.plan(plan.id).unwrap(), saved);
    // Villages and communes below see the plan; a sibling branch's village does too only if below.
    let ids: Vec<_> = store.plans_for(t.village1).unwrap().iter().map(|p| p.id).collect();
    assert_eq!(ids, [plan.id]);
    assert_eq!(store.current_plan_for(t.village1, ymd(2023, 6, 1)).unwrap().map(|p| p.id), Some(plan.id));
    assert_eq!(store.current_plan_for(t.village1, ymd(2024, 6, 1)).unwrap(), None);
}

#[test]
fn plan_fields_are_validated_by_path_and_rule() {
    let store = store_at(2023, 4, 1);
    let t = seed_tree(&store);
    let seed = plan_2023_binh_son().unwrap();
    let check = |edit: &dyn Fn(&mut sotay_core::plans::Plan), field: &str, rule: Rule| {
        let mut p = seed.clone();
        edit(&mut p);
        assert_invalid(store.create_plan(t.district, &p), field, rule);
    };
    check(&|p| p.title = " ".into(), "title", Rule::Required);
    check(&|p| p.number = "KH 267".into(), "number", Rule::Invalid { expected: "a number and symbol such as 267/KH-MTTQ-BTT" });
    check(&|p| p.period.to = ymd(2022, 12, 1), "period.to", Rule::NotBefore { date: "01/01/2023".into() });
    check(&|p| p.targets[1].threshold_pct = 120, "targets[1].threshold_pct", Rule::OutOfRange { min: 0, max: 100 });
    check(
        &|p| p.targets[0].indicator = "vibes".into(),
        "targets[0].indicator",
        Rule::Invalid { expected: "new_law_activity or residential_area_model" },
    );
    check(&|p| p.key_tasks[3].code = "3.1".into(), "key_tasks[3].code", Rule::Duplicate);
    check(&|p| p.duties[1].items.clear(), "duties[1].items", Rule::Required);
    check(&|p| p.signer.name.clear(), "signer.name", Rule::Required);
    check(
        &|p| p.milestones[2].deadlines[1].due = ymd(2024, 1, 5),
        "milestones[2].deadlines[1].due",
        Rule::DateOutsidePeriod { from: "01/01/2023".into(), to: "31/12/2023".into() },
    );
    check(&|p| p.implements.plan = Some(uuid::Uuid::now_v7()), "implements.plan", Rule::UnknownReference { entity: "plan" });
    assert_invalid(store.create_plan(uuid::Uuid::now_v7(), &seed), "issuer", Rule::UnknownReference { entity: "unit" });
    assert_invalid(store.create_plan(t.village1, &seed), "issuer", Rule::WrongUnitLevel);
    let err = {
        let mut p = seed.clone();
        p.targets[1].threshold_pct = 120;
        store.create_plan(t.district, &p).unwrap_err()
    };
    assert_eq!(err.message_vi(), "Chỉ tiêu thứ 2, ngưỡng (%): phải trong khoảng 0 đến 100");
}

#[test]
fn next_years_plan_is_a_copy_with_dates_shifted_and_no_number() {
    let store = store_at(2023, 12, 20);
    let t = seed_tree(&store);
    let mut seed = plan_2023_binh_son().unwrap();
    seed.number = "45/KH-MTTQ-BTT".into();
    let this_year = store.create_plan(t.district, &seed).unwrap();
    let next = store.copy_plan_for_next_year(this_year.id).unwrap();
    assert_ne!(next.id, this_year.id);
    assert_eq!(next.issuer, t.district);
    assert_eq!(next.number, "");
    assert_eq!(next.implements.plan, None);
    assert_eq!(next.issued_on, ymd(2024, 3, 29));
    assert_eq!((next.period.from, next.period.to), (ymd(2024, 1, 1), ymd(2024, 12, 31)));
    assert!(next.title.ends_with("năm 2024"));
    let annual = next.milestones.iter().find(|m| m.code == "annual").unwrap();
    assert_eq!(annual.deadlines.iter().map(|d| d.due).collect::<Vec<_>>(), [ymd(2024, 11, 30), ymd(2024, 12, 5)]);
    assert_eq!(next.key_tasks, this_year.key_tasks);
    assert_eq!(next.targets[0].threshold_pct, 100);
    // The district then gives it the number the province office assigns.
    let mut numbered = next.clone();
    numbered.number = "12/KH-MTTQ-BTT".into();
    assert_eq!(store.edit_plan(next.id, &numbered).unwrap().number, "12/KH-MTTQ-BTT");
}

#[test]
fn a_leap_day_moves_to_the_28th() {
    let mut p = plan_2023_binh_son().unwrap();
    p.period.from = ymd(2024, 1, 1);
    p.period.to = ymd(2024, 12, 31);
    p.issued_on = ymd(2024, 2, 29);
    assert_eq!(p.copy_for_next_year().issued_on, ymd(2025, 2, 28));
}

#[test]
fn the_seed_plan_is_brought_to_a_later_year_one_year_at_a_time() {
    let seed = plan_2023_binh_son().unwrap();
    let p = seed.copy_for_year(2026);
    assert_eq!((p.period.from, p.period.to), (ymd(2026, 1, 1), ymd(2026, 12, 31)));
    assert_eq!(p.issued_on, ymd(2026, 3, 29));
    assert!(p.title.ends_with("năm 2026"), "{}", p.title);
    assert_eq!(p, seed.copy_for_next_year().copy_for_next_year().copy_for_next_year());
    assert!(p.validate().is_ok());
    assert_eq!(seed.copy_for_year(2023), seed, "already that year");
    assert_eq!(seed.copy_for_year(2020), seed, "never moved back");
}
