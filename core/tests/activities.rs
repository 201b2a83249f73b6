mod common;

use common::*;
use sotay_core::Rule;
use sotay_core::activities::{Activity, ActivityKind};
use sotay_core::checklist::EvidenceKind;
use uuid::Uuid;

fn talk(date: chrono::NaiveDate) -> Activity {
    Activity {
        id: Uuid::nil(),
        unit: Uuid::nil(),
        date,
        kind: ActivityKind::Loudspeaker,
        topic: "Luật Trẻ em và các văn bản mới".into(),
        audience: 120,
        plan: None,
        task: None,
        new_law: true,
    }
}

#[test]
fn an_activity_is_recorded_and_becomes_evidence_for_its_task() {
    let store = store_at(2023, 6, 10);
    let t = seed_tree(&store);
    let plan = store.install_seed_plan(t.district).unwrap();
    store.instantiate_plan(plan.id).unwrap();
    let task = store.checklist(t.village1, plan.id).unwrap().into_iter().find(|t| t.code == "3.2").unwrap();
    let a = store.record_activity(t.village1, &Activity { task: Some(task.id), ..talk(ymd(2023, 6, 1)) }).unwrap();
    assert_eq!((a.unit, a.plan), (t.village1, Some(plan.id)), "the plan comes from the task");
    assert_eq!(store.activities(t.village1).unwrap(), std::slice::from_ref(&a));
    let task = store.task(task.id).unwrap();
    assert_eq!(task.evidence.len(), 1);
    assert_eq!((task.evidence[0].kind, task.evidence[0].reference.clone()), (EvidenceKind::Activity, Some(a.id.to_string())));
    // Editing keeps one piece of evidence.
    let edited = store.edit_activity(a.id, &Activity { audience: 150, ..a.clone() }).unwrap();
    assert_eq!(edited.audience, 150);
    assert_eq!(store.task(task.id).unwrap().evidence.len(), 1);
}

#[test]
fn activities_are_validated() {
    let store = store_at(2023, 6, 10);
    let t = seed_tree(&store);
    let plan = store.install_seed_plan(t.district).unwrap();
    store.instantiate_plan(plan.id).unwrap();
    let v = t.village1;
    assert_invalid(store.record_activity(v, &Activity { topic: " ".into(), ..talk(ymd(2023, 6, 1)) }), "topic", Rule::Required);
    assert_invalid(
        store.record_activity(v, &Activity { audience: 1_000_000, ..talk(ymd(2023, 6, 1)) }),
        "audience",
        Rule::OutOfRange { min: 0, max: 100_000 },
    );
    assert_invalid(store.record_activity(v, &talk(ymd(2023, 6, 11))), "date", Rule::NotAfter { date: "10/06/2023".into() });
    assert_invalid(store.record_activity(Uuid::now_v7(), &talk(ymd(2023, 6, 1))), "unit", Rule::UnknownReference { entity: "unit" });
    assert_invalid(
        store.record_activity(v, &Activity { plan: Some(Uuid::now_v7()), ..talk(ymd(2023, 6, 1)) }),
        "plan",
        Rule::UnknownReference { entity: "plan" },
    );
    assert_invalid(
        store.record_activity(v, &Activity { plan: Some(plan.id), ..talk(ymd(2022, 12, 1)) }),
        "date",
        Rule::DateOutsidePeriod { from: "01/01/2023".into(), to: "31/12/2023".into() },
    );
    let commune_plan = store.create_plan(t.township, &sotay_core::seed::plan_2023_binh_son().unwrap()).unwrap();
    assert_invalid(
        store.record_activity(v, &Activity { plan: Some(commune_plan.id), ..talk(ymd(2023, 6, 1)) }),
        "plan",
        Rule::Invalid { expected: "a plan of this unit or a unit above it" },
    );
    let other_village_task = store.checklist(t.village2, plan.id).unwrap()[0].id;
    assert_invalid(
        store.record_activity(v, &Activity { task: Some(other_village_task), ..talk(ymd(2023, 6, 1)) }),
        "task",
        Rule::Invalid { expected: "a task of this unit or a unit above it" },
    );
    assert_invalid(
        store.record_activity(v, &Activity { task: Some(Uuid::now_v7()), ..talk(ymd(2023, 6, 1)) }),
        "task",
        Rule::UnknownReference { entity: "task" },
    );
    assert!(store.activities(v).unwrap().is_empty(), "nothing half-written");
    assert!(matches!(store.edit_activity(Uuid::now_v7(), &talk(ymd(2023, 6, 1))), Err(sotay_core::Error::NotFound { .. })));
}
