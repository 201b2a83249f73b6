//! Three phones in two villages of one commune enroll, capture offline, sync in interleaved
//! order, and converge.

use chrono::NaiveDate;
use sotay_core::households::HouseholdDetails;
use sotay_core::minutes::MinutesContent;
use sotay_core::pledges::{PledgeInput, PledgeKind};
use sotay_core::record::Entity;
use sotay_core::visits::{VisitInput, VisitOutcome};
use sotay_e2e::*;

fn household(name: &str, members: u32) -> HouseholdDetails {
    HouseholdDetails { head_name: name.into(), address: "Xóm 2".into(), members, children_under_18: 1, phone: None, clan: None }
}

#[test]
fn three_phones_in_two_villages_converge() {
    let server = Server::start();
    let a1 = Phone::enrolled(&server, village_a());
    let a2 = Phone::enrolled(&server, village_a());
    let b = Phone::enrolled(&server, village_b());
    for p in [&a1, &a2, &b] {
        p.sync().expect("first sync");
    }
    // Each phone holds its own village's households and none of the other village's.
    let a_households = a1.records(Entity::Household);
    assert!(!a_households.is_empty());
    assert!(a_households.iter().all(|h| h.unit == village_a()));
    assert!(b.records(Entity::Household).iter().all(|h| h.unit == village_b()));
    assert_eq!(snapshot(&a1), snapshot(&a2));
    // What the demo's sample work of the year already counts.
    let plan = seed_plan();
    let done_before = |p: &Phone, village| p.store.progress(village, Some(plan)).unwrap().households.done;
    let (a_done, b_done) = (done_before(&a1, village_a()), done_before(&b, village_b()));

    // Offline capture on all three.
    let shared = a_households[0].id;
    // The district's household pledge template came with the first sync.
    let template = a1.store.pledge_templates(Some(PledgeKind::Household)).unwrap()[0].id;
    let new_a1 = a1.store.add_household(village_a(), &household("Nguyễn Văn Mới", 4)).unwrap();
    let signed_on = NaiveDate::from_ymd_opt(2023, 4, 12).unwrap();
    let pledge = PledgeInput { kind: PledgeKind::Household, subject: new_a1.id, template, signed_by: "Nguyễn Văn Mới".into(), witness: "Trưởng ban".into(), signed_on, signature: None };
    a1.store.record_pledge(&pledge, "Trưởng ban").unwrap();
    let mut d = a1.store.household(shared).unwrap().details;
    d.phone = Some("0905123456".into());
    a1.store.edit_household(shared, &d).unwrap();

    let mut d = a2.store.household(shared).unwrap().details;
    d.address = "Xóm 4".into();
    a2.store.edit_household(shared, &d).unwrap();
    a2.store.record_visit(shared, &VisitInput { visited_on: signed_on, outcome: VisitOutcome::NotHome, revisit_on: NaiveDate::from_ymd_opt(2023, 4, 15), note: String::new() }).unwrap();
    let m = a2
        .store
        .create_minutes(village_a(), &MinutesContent { place: "Nhà văn hóa thôn".into(), chair: "A".into(), secretary: "B".into(), attendee_count: 40, held_at: Some(1_681_300_000_000), contents: "Phổ biến kế hoạch".into(), ..Default::default() })
        .unwrap();
    a2.store.seal_minutes(m.id, "Trưởng ban").unwrap();

    let new_b = b.store.add_household(village_b(), &household("Trần Thị Bê", 3)).unwrap();
    let demo_b = b
        .records(Entity::Household)
        .into_iter()
        .find(|h| h.id != new_b.id && b.store.pledges_of_subject(h.id).unwrap().is_empty())
        .unwrap()
        .id;
    for subject in [new_b.id, demo_b] {
        b.store.record_pledge(&PledgeInput { subject, signed_by: "Chủ hộ".into(), ..pledge.clone() }, "Trưởng ban").unwrap();
    }

    // Interleaved syncs.
    a1.sync().unwrap();
    b.sync().unwrap();
    a2.sync().unwrap();
    a1.sync().unwrap();
    b.sync().unwrap();

    for p in [&a1, &a2, &b] {
        assert_eq!(p.pending(), 0);
        assert!(p.store.outbox_set_aside_items().unwrap().is_empty());
    }
    let (s1, s2, sb) = (snapshot(&a1), snapshot(&a2), snapshot(&b));
    assert_eq!(s1, s2, "the two phones of village A hold the same records");
    // Both edits of the shared household survive (different fields).
    let merged = a2.store.household(shared).unwrap().details;
    assert_eq!((merged.phone.as_deref(), merged.address.as_str()), (Some("0905123456"), "Xóm 4"));
    assert_eq!(a2.store.pledges_of_subject(new_a1.id).unwrap().len(), 1);
    assert!(a1.store.minutes(m.id).unwrap().is_sealed());
    // Village B sees its own household and nothing of village A.
    assert!(sb.contains_key(&new_b.id));
    assert!(!sb.contains_key(&new_a1.id) && !sb.contains_key(&m.id));
    assert!(!s1.contains_key(&new_b.id));

    // A fresh phone of village A gets exactly what the two others hold.
    let a3 = Phone::enrolled(&server, village_a());
    a3.sync().unwrap();
    assert_eq!(snapshot(&a3), s1);

    // The commune's progress on the server (the core's progress over the server's database)
    // equals what the village phones compute for themselves.
    let today = a1.store.today();
    let on_server = server.progress(commune(), Some(plan), today);
    let phone_a = a1.store.progress(village_a(), Some(plan)).unwrap();
    let phone_b = b.store.progress(village_b(), Some(plan)).unwrap();
    assert_eq!(phone_a.households.done, a_done + 1);
    assert_eq!(phone_b.households.done, b_done + 2);
    for phone in [&phone_a, &phone_b] {
        let line = on_server.areas.iter().find(|a| a.unit == phone.unit).expect("a line per village");
        assert_eq!(line.households, phone.households);
        assert_eq!(line.meetings, phone.meetings);
        assert_eq!(line.checklist, phone.checklist);
    }
    let villages_sum: u32 = on_server.areas.iter().map(|a| a.households.done).sum();
    assert_eq!(on_server.households.done, villages_sum);
    assert!(on_server.households.done >= 3);
}
