mod common;

use common::*;
use serde_json::{Value, json};
use sotay_core::Store;
use sotay_core::activities::{Activity, ActivityKind};
use sotay_core::checklist::TaskStatus;
use sotay_core::progress::{self, Progress};
use sotay_core::record::Entity;
use uuid::Uuid;

/// Write a record per the data contract, as the field modules do.
fn put(store: &Store, entity: Entity, unit: Uuid, fields: Value) -> Uuid {
    let id = Uuid::now_v7();
    store.write(|tx| tx.put(entity, id, unit, fields.as_object().cloned().unwrap())).unwrap();
    id
}

fn sealed(store: &Store, entity: Entity, unit: Uuid, fields: Value) -> Uuid {
    let id = put(store, entity, unit, fields);
    store.write(|tx| tx.seal(entity, id, "Trưởng ban")).unwrap();
    id
}

fn household(store: &Store, village: Uuid, name: &str) -> Uuid {
    put(
        store,
        Entity::Household,
        village,
        json!({"head_name": name, "address": "Xóm 1", "members": 4, "children_under_18": 1, "phone": null, "clan": null}),
    )
}

fn pledge(kind: &str, subject: Uuid, amends: Option<Uuid>) -> Value {
    json!({"kind": kind, "subject": subject, "template": Uuid::nil(), "commitments": ["Không để trẻ em bị xâm hại"],
           "signed_by": "Chủ hộ", "witness": "Trưởng thôn", "signed_on": "2023-05-20", "signature": null, "amends": amends})
}

fn minutes(held_on: (i32, u32, u32), amends: Option<Uuid>) -> Value {
    json!({"held_at": vn_morning(held_on.0, held_on.1, held_on.2), "place": "Nhà văn hóa thôn", "kind": "village_conference",
           "chair": "Trưởng ban", "secretary": "Thư ký", "attendee_count": 40, "attendees": [], "agenda": "", "contents": "",
           "conclusions": "", "assigned_tasks": [], "attachments": [], "plan": null, "task": null, "amends": amends})
}

fn activity(date: chrono::NaiveDate, new_law: bool) -> Activity {
    Activity {
        id: Uuid::nil(),
        unit: Uuid::nil(),
        date,
        kind: ActivityKind::Conference,
        topic: "Tuyên truyền Luật Trẻ em".into(),
        audience: 50,
        plan: None,
        task: None,
        new_law,
    }
}

/// A target's share as shown.
fn pct(t: &progress::TargetProgress) -> Option<&str> {
    t.value.as_ref().map(|v| v.pct_text.as_str())
}

struct World {
    store: Store,
    t: Tree,
    plan: Uuid,
}

/// On 10/06/2023: Thôn Một has 4 households (3 pledged, one of them amended; one draft
/// pledge), 2 clans (1 pledged), a conference (sealed, then amended), a new-law activity and
/// task 3.3 done; Thôn Hai has 2 households and a residential-area pledge; Châu Ổ has nothing.
fn world() -> World {
    let store = store_at(2023, 6, 10);
    let t = seed_tree(&store);
    let plan = store.install_seed_plan(t.district).unwrap().id;
    store.instantiate_plan(plan).unwrap();
    let hs: Vec<_> =
        ["Nguyễn Văn An", "Lê Thị Ba", "Trần Văn Cư", "Phạm Thị Dung"].iter().map(|n| household(&store, t.village1, n)).collect();
    let first = sealed(&store, Entity::Pledge, t.village1, pledge("household", hs[0], None));
    sealed(&store, Entity::Pledge, t.village1, pledge("household", hs[0], Some(first)));
    sealed(&store, Entity::Pledge, t.village1, pledge("household", hs[1], None));
    sealed(&store, Entity::Pledge, t.village1, pledge("household", hs[2], None));
    put(&store, Entity::Pledge, t.village1, pledge("household", hs[3], None)); // draft, not signed
    let clan = put(&store, Entity::Clan, t.village1, json!({"name": "Tộc Nguyễn", "head_name": null}));
    put(&store, Entity::Clan, t.village1, json!({"name": "Tộc Lê", "head_name": null}));
    sealed(&store, Entity::Pledge, t.village1, pledge("clan", clan, None));
    let m = sealed(&store, Entity::Minutes, t.village1, minutes((2023, 4, 20), None));
    sealed(&store, Entity::Minutes, t.village1, minutes((2023, 4, 20), Some(m)));
    put(&store, Entity::Minutes, t.village1, minutes((2023, 6, 1), None)); // draft
    store.record_activity(t.village1, &activity(ymd(2023, 6, 1), true)).unwrap();
    store.record_activity(t.township, &activity(ymd(2023, 6, 2), false)).unwrap();
    let tasks = store.checklist(t.village1, plan).unwrap();
    for code in ["3.3", "V-conference"] {
        let task = tasks.iter().find(|x| x.code == code).unwrap();
        store.set_task_status(task.id, TaskStatus::Done, None).unwrap();
    }
    household(&store, t.village2, "Võ Văn Em");
    household(&store, t.village2, "Đặng Thị Gấm");
    sealed(&store, Entity::Pledge, t.village2, pledge("residential_area", t.village2, None));
    World { store, t, plan }
}

#[test]
fn village_progress_counts_what_the_store_holds() {
    let w = world();
    let p = w.store.progress(w.t.village1, Some(w.plan)).unwrap();
    assert_eq!((p.households.done, p.households.total, p.households.pct_tenths), (3, 4, 750));
    assert_eq!(p.households.pct_text, "75%");
    assert_eq!((p.clans.done, p.clans.total), (1, 2));
    assert_eq!(p.meetings, 1, "an amendment is the same meeting; drafts do not count");
    assert_eq!((p.activities, p.new_law_activities, p.audience), (1, 1, 50));
    let c = p.checklist;
    assert_eq!((c.total, c.done, c.overdue, c.open, c.due_soon), (4, 2, 1, 1, 0));
    assert_eq!(p.today_text, "10/06/2023");
    // Target 1 is measured over communes: nothing to measure at a village.
    assert_eq!((p.targets[0].measured, &p.targets[0].value), (0, &None));
    assert_eq!((p.targets[1].measured, p.targets[1].met, p.targets[1].reached), (1, 1, Some(true)));
    assert_eq!(p.upcoming.iter().map(|u| (u.code.as_str(), u.due_text.as_str())).collect::<Vec<_>>(), [("3.2", "30/11/2023")]);
    assert!(p.areas.is_empty());
}

#[test]
fn commune_progress_has_a_line_per_village_and_the_targets() {
    let w = world();
    let p = w.store.progress(w.t.commune, Some(w.plan)).unwrap();
    assert_eq!((p.households.done, p.households.total), (3, 6));
    assert_eq!(p.residential_area_pledges, 1);
    let lines: Vec<_> = p.areas.iter().map(|a| (a.name.as_str(), a.households.done, a.households.total, a.model)).collect();
    assert_eq!(lines, [("Thôn Hai", 0, 2, true), ("Thôn Một", 3, 4, true)]);
    let t1 = &p.targets[0];
    assert_eq!((t1.measured, t1.met, pct(t1), t1.reached), (1, 1, Some("100%"), Some(true)));
    let t2 = &p.targets[1];
    assert_eq!((t2.measured, t2.met, pct(t2), t2.reached), (2, 2, Some("100%"), Some(true)));
    // The commune's own reports: 30/05 is past, 30/08 comes next.
    assert_eq!(p.checklist.overdue, 1);
    assert_eq!(p.upcoming[0].code, "M-9_month");
    assert_eq!(p.upcoming[0].due_text, "30/08/2023");
    assert_eq!(p.upcoming[0].days_left, 81);
    assert_eq!(p.upcoming.len(), progress::UPCOMING_LIMIT);
}

#[test]
fn the_district_sees_targets_against_thresholds() {
    let w = world();
    let p = w.store.progress(w.t.district, Some(w.plan)).unwrap();
    let t1 = &p.targets[0];
    assert_eq!((t1.measured, t1.met, pct(t1), t1.reached), (2, 1, Some("50%"), Some(false)));
    assert_eq!(t1.missing, ["Châu Ổ"], "its activity was not on the new law");
    let t2 = &p.targets[1];
    assert_eq!((t2.measured, t2.met, pct(t2), t2.reached), (3, 2, Some("66,6%"), Some(false)), "2 of 3 is under 80%, floored");
    assert_eq!(t2.missing, ["Tổ dân phố 1"]);
}

#[test]
fn the_home_screen_shows_what_is_overdue_and_due_soon() {
    let w = world();
    let home = w.store.home(w.t.village1).unwrap();
    assert_eq!(home.households_left, 1);
    assert_eq!(home.progress.plan, Some(w.plan), "the plan in force today");
    let overdue: Vec<_> = home.overdue.iter().map(|t| (t.code.as_str(), t.due_text.as_str(), t.days_left)).collect();
    assert_eq!(overdue, [("V-pledges", "30/05/2023", -11)]);
    assert!(home.due_soon.is_empty());
    // The commune then issues its own plan for the year (no checklist for the village under
    // it): the village keeps seeing the checklist it has.
    let mut own = sotay_core::seed::plan_2023_binh_son().unwrap();
    own.issued_on = ymd(2023, 6, 10);
    w.store.create_plan(w.t.commune, &own).unwrap();
    assert_eq!(w.store.home(w.t.village1).unwrap().progress.plan, Some(w.plan));
}

#[test]
fn due_soon_is_reckoned_in_vietnam() {
    let clock = sotay_core::clock::ManualClock::at(vn_morning(2023, 11, 15));
    let store = Store::open_in_memory(&KEY, clock.clone()).unwrap();
    let t = seed_tree(&store);
    let plan = store.install_seed_plan(t.district).unwrap().id;
    store.instantiate_plan(plan).unwrap();
    // 16/11 17:30 UTC is already 17/11 in Vietnam: 30/11 is 13 days away, so due soon.
    clock.set(chrono::DateTime::parse_from_rfc3339("2023-11-16T17:30:00Z").unwrap().timestamp_millis());
    let home = store.home(t.village1).unwrap();
    assert_eq!(home.progress.today_text, "17/11/2023");
    let soon: Vec<_> = home.due_soon.iter().map(|t| (t.code.as_str(), t.days_left)).collect();
    assert_eq!(soon, [("3.2", 13), ("3.3", 13)]);
    assert_eq!(home.overdue.len(), 2);
}

#[test]
fn the_server_computes_the_same_from_its_own_records_table() {
    let w = world();
    // A bare database with only the records table, as the server keeps it.
    let server = rusqlite::Connection::open_in_memory().unwrap();
    server
        .execute_batch(
            "CREATE TABLE records (id TEXT PRIMARY KEY, entity TEXT NOT NULL, unit_id TEXT NOT NULL, doc TEXT NOT NULL,
                                   clocks TEXT NOT NULL, updated TEXT NOT NULL, seal TEXT) STRICT;",
        )
        .unwrap();
    type Row = (String, String, String, String, String, String, Option<String>);
    let rows: Vec<Row> = w
        .store
        .read(|c| {
            let mut stmt = c.prepare("SELECT id, entity, unit_id, doc, clocks, updated, seal FROM records")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .unwrap();
    for r in rows {
        server
            .execute("INSERT INTO records VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", rusqlite::params![r.0, r.1, r.2, r.3, r.4, r.5, r.6])
            .unwrap();
    }
    let on_server: Progress = progress::progress_from(&server, w.t.commune, Some(w.plan), ymd(2023, 6, 10)).unwrap();
    assert_eq!(on_server, w.store.progress(w.t.commune, Some(w.plan)).unwrap());
}

#[test]
fn records_written_by_the_field_modules_count() {
    use sotay_core::households::HouseholdDetails;
    use sotay_core::pledges::{PledgeInput, PledgeKind};
    let store = store_at(2023, 6, 10);
    let t = seed_tree(&store);
    let details = |name: &str| HouseholdDetails {
        head_name: name.into(),
        address: "Xóm 2".into(),
        members: 3,
        children_under_18: 1,
        phone: None,
        clan: None,
    };
    let a = store.add_household(t.village1, &details("Nguyễn Văn An")).unwrap();
    store.add_household(t.village1, &details("Lê Thị Ba")).unwrap();
    let templates = store.install_pledge_templates(t.commune, 2023).unwrap();
    let template = templates.iter().find(|x| x.content.kind == PledgeKind::Household).unwrap().id;
    let input = PledgeInput {
        kind: PledgeKind::Household,
        subject: a.id,
        template,
        signed_by: "Nguyễn Văn An".into(),
        witness: "Trưởng thôn".into(),
        signed_on: ymd(2023, 6, 9),
        signature: None,
    };
    store.record_pledge(&input, "Trưởng thôn").unwrap();
    let p = store.progress(t.village1, None).unwrap();
    assert_eq!((p.households.done, p.households.total), (1, 2));
}

#[test]
fn progress_of_an_unknown_unit_is_not_found() {
    let store = store_at(2023, 6, 10);
    assert!(matches!(store.progress(Uuid::now_v7(), None), Err(sotay_core::Error::NotFound { .. })));
    assert!(matches!(store.home(Uuid::now_v7()), Err(sotay_core::Error::NotFound { .. })));
}

#[test]
fn counting_a_commune_reads_indexes_not_documents() {
    let store = store_at(2023, 6, 10);
    let plans: Vec<String> = store
        .read(|c| {
            let mut out = Vec::new();
            for sql in [progress::IDS_BY_KIND_SQL, progress::SEALED_PLEDGES_SQL] {
                let mut stmt = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
                let params: &[&dyn rusqlite::ToSql] = if sql.contains("?2") { &[&"household", &"[]"] } else { &[&"[]"] };
                let rows = stmt.query_map(params, |r| r.get::<_, String>(3))?;
                out.push(rows.collect::<Result<Vec<_>, _>>()?.join("; "));
            }
            Ok(out)
        })
        .unwrap();
    assert!(plans[0].contains("COVERING INDEX records_by_entity_unit_id"), "{}", plans[0]);
    assert!(plans[1].contains("COVERING INDEX records_pledge_subjects"), "{}", plans[1]);
}
