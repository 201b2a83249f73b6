mod common;

use common::*;
use sotay_core::pledges::{PledgeInput, PledgeKind};
use sotay_core::visits::{VisitInput, VisitOutcome};
use sotay_core::{Error, Rule};
use uuid::Uuid;

fn visit(on: &str, outcome: VisitOutcome, back: Option<&str>) -> VisitInput {
    VisitInput { visited_on: date(on), outcome, revisit_on: back.map(date), note: String::new() }
}

fn names(list: Vec<sotay_core::visits::HouseholdToVisit>) -> Vec<String> {
    list.into_iter().map(|h| h.household.details.head_name).collect()
}

#[test]
fn the_village_head_sees_who_is_left_and_who_to_revisit_today() {
    // NOW is 2023-06-15 10:00 in Vietnam.
    let (store, clock) = store();
    let village = Uuid::now_v7();
    let templates = store.install_pledge_templates(village, 2023).unwrap();
    let an = household(&store, village, "Bùi Văn An");
    let binh = household(&store, village, "Cao Thị Bình");
    let chi = household(&store, village, "Đỗ Văn Chí");
    let dung = household(&store, village, "Âu Thị Dung");
    let em = household(&store, village, "Lý Văn Em");
    household(&store, Uuid::now_v7(), "Ở Thôn Khác");

    // An pledged (sealed pledge); Bình was out, come back today; Chí refused, come back
    // next week; Dung moved away; Em not visited yet.
    store
        .record_pledge(
            &PledgeInput {
                kind: PledgeKind::Household,
                subject: an.id,
                template: templates[0].id,
                signed_by: "Bùi Văn An".into(),
                witness: "Trưởng thôn".into(),
                signed_on: date("2023-06-10"),
                signature: None,
            },
            "Trưởng thôn",
        )
        .unwrap();
    store.record_visit(an.id, &visit("2023-06-10", VisitOutcome::Pledged, None)).unwrap();
    store.record_visit(binh.id, &visit("2023-06-01", VisitOutcome::Refused, Some("2023-06-05"))).unwrap();
    store.record_visit(binh.id, &visit("2023-06-10", VisitOutcome::NotHome, Some("2023-06-15"))).unwrap();
    store.record_visit(chi.id, &visit("2023-06-12", VisitOutcome::Refused, Some("2023-06-22"))).unwrap();
    store.record_visit(dung.id, &visit("2023-06-12", VisitOutcome::MovedAway, None)).unwrap();

    assert_eq!(names(store.households_left(village).unwrap()), ["Cao Thị Bình", "Đỗ Văn Chí", "Lý Văn Em"]);
    let left = store.households_left(village).unwrap();
    assert_eq!(left[0].last_visit.as_ref().unwrap().content.visited_on, date("2023-06-10"), "the latest visit");
    assert!(left[2].last_visit.is_none());
    assert_eq!(names(store.revisits_due_today(village).unwrap()), ["Cao Thị Bình"]);

    // 22/06 04:00 in Vietnam is still 21/06 in UTC: Chí is due by Vietnam's calendar.
    clock.set(NOW + 6 * 86_400_000 + 18 * 3_600_000);
    assert_eq!(names(store.revisits_due_today(village).unwrap()), ["Cao Thị Bình", "Đỗ Văn Chí"]);
    store.record_visit(chi.id, &visit("2023-06-22", VisitOutcome::NotHome, Some("2023-06-25"))).unwrap();
    assert_eq!(names(store.revisits_due_today(village).unwrap()), ["Cao Thị Bình"]);

    let visits = store.visits_of_household(binh.id).unwrap();
    assert_eq!(visits.iter().map(|v| v.content.visited_on).collect::<Vec<_>>(), [date("2023-06-10"), date("2023-06-01")]);
    let _ = em;
}

#[test]
fn bad_visits_are_refused() {
    let (store, _) = store();
    let village = Uuid::now_v7();
    let h = household(&store, village, "Hà Văn Một");
    let cases = [
        (Uuid::now_v7(), visit("2023-06-10", VisitOutcome::NotHome, None), "household", Rule::UnknownReference { entity: "household" }),
        (h.id, visit("2023-06-16", VisitOutcome::NotHome, None), "visited_on", Rule::InFuture),
        (h.id, visit("2023-06-10", VisitOutcome::NotHome, Some("2023-06-09")), "revisit_on", Rule::Invalid { expected: "on or after the day of the visit" }),
        (h.id, visit("2023-06-10", VisitOutcome::Pledged, Some("2023-06-20")), "revisit_on", Rule::Invalid { expected: "empty once the household pledged or moved away" }),
        (h.id, VisitInput { note: "x".repeat(1001), ..visit("2023-06-10", VisitOutcome::Other, None) }, "note", Rule::TooLong { max: 1000 }),
    ];
    for (household, input, field, rule) in cases {
        match store.record_visit(household, &input).unwrap_err() {
            Error::Validation { field: f, rule: r } => assert_eq!((f.as_str(), r), (field, rule)),
            e => panic!("{e:?}"),
        }
    }
    assert!(store.visits_of_household(h.id).unwrap().is_empty());
    assert!(matches!(store.visits_of_household(Uuid::now_v7()), Err(Error::NotFound { .. })));
}

#[test]
fn erasing_a_household_erases_its_visits_and_pledges() {
    let (store, _) = store();
    let village = Uuid::now_v7();
    let templates = store.install_pledge_templates(village, 2023).unwrap();
    let h = household(&store, village, "Hà Văn Xóa");
    store.record_visit(h.id, &visit("2023-06-10", VisitOutcome::Refused, Some("2023-06-12"))).unwrap();
    store.record_visit(h.id, &visit("2023-06-12", VisitOutcome::Pledged, None)).unwrap();
    let input = PledgeInput {
        kind: PledgeKind::Household,
        subject: h.id,
        template: templates[0].id,
        signed_by: "Hà Văn Xóa".into(),
        witness: "Trưởng thôn".into(),
        signed_on: date("2023-06-12"),
        signature: None,
    };
    let p = store.record_pledge(&input, "Trưởng thôn").unwrap();
    store.amend_pledge(p.id, &input, "Trưởng thôn").unwrap();
    let erased = store.erase_household(h.id).unwrap();
    assert_eq!((erased.visits, erased.pledges), (2, 2));
    assert!(store.pledges_of_unit(village).unwrap().is_empty());
    assert!(store.outbox_batch(1000, 1 << 24).unwrap().iter().all(|c| !serde_json::to_string(c).unwrap().contains("Xóa")));
}

#[test]
fn erasing_a_household_takes_its_signature_images_but_keeps_one_another_record_names() {
    let (store, _) = store();
    let village = Uuid::now_v7();
    let templates = store.install_pledge_templates(village, 2023).unwrap();
    let gone = household(&store, village, "Hà Văn Xóa");
    let kept = household(&store, village, "Lê Văn Giữ");
    let own = store.put_attachment(b"chu ky cua ho xoa", "image/png").unwrap().sha256;
    let shared = store.put_attachment(b"anh dung chung", "image/png").unwrap().sha256;
    let pledge = |subject: Uuid, signed_by: &str, signature: &str| PledgeInput {
        kind: PledgeKind::Household,
        subject,
        template: templates[0].id,
        signed_by: signed_by.into(),
        witness: "Trưởng thôn".into(),
        signed_on: date("2023-06-12"),
        signature: Some(signature.into()),
    };
    let first = store.record_pledge(&pledge(gone.id, "Hà Văn Xóa", &own), "Trưởng thôn").unwrap();
    store.amend_pledge(first.id, &pledge(gone.id, "Hà Văn Xóa", &shared), "Trưởng thôn").unwrap();
    store.record_pledge(&pledge(kept.id, "Lê Văn Giữ", &shared), "Trưởng thôn").unwrap();

    assert_eq!(store.erase_household(gone.id).unwrap().pledges, 2);
    assert!(matches!(store.attachment(&own), Err(Error::NotFound { .. })));
    assert_eq!(store.attachment(&shared).unwrap(), b"anh dung chung");
    assert_eq!(store.pledges_of_unit(village).unwrap().len(), 1);
}
