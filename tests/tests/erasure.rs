//! A household erased on request on the dashboard leaves every phone that held it at the next
//! sync: the household, its visits and pledges, their search entries and signature images, and
//! any change to it still waiting on a phone (discarded, not stuck as a rejected item).

use sotay_core::{Entity, Error};
use sotay_core::households::{Household, HouseholdDetails};
use sotay_core::pledges::{PledgeInput, PledgeKind};
use sotay_core::sync::{CancelToken, NoProgress, SyncReport};
use sotay_core::visits::{VisitInput, VisitOutcome};
use sotay_e2e::*;

fn details(name: &str) -> HouseholdDetails {
    HouseholdDetails { head_name: name.into(), address: "Xóm 2".into(), members: 5, children_under_18: 2, phone: None, clan: None }
}

fn date(s: &str) -> chrono::NaiveDate {
    s.parse().unwrap()
}

/// What a phone still holds of the household.
fn traces(phone: &Phone, h: &Household, signature: &str) -> Vec<&'static str> {
    let mut found = Vec::new();
    if !matches!(phone.store.household(h.id), Err(Error::NotFound { .. })) {
        found.push("household");
    }
    if !phone.store.search_households(None, "phan van xoa", 10).unwrap().is_empty() {
        found.push("search entry");
    }
    let about = |entity: Entity, field: &str| phone.records(entity).iter().any(|r| r.fields.get(field).and_then(|v| v.as_str()) == Some(&h.id.to_string()));
    if about(Entity::Pledge, "subject") {
        found.push("pledge");
    }
    if about(Entity::Visit, "household") {
        found.push("visit");
    }
    if phone.store.attachment(signature).is_ok() {
        found.push("signature image");
    }
    if !phone.store.outbox_set_aside_items().unwrap().is_empty() {
        found.push("set-aside change");
    }
    if phone.pending() > 0 {
        found.push("pending change");
    }
    found
}

#[test]
fn a_household_erased_on_the_dashboard_leaves_every_phone_that_held_it() {
    let server = Server::start();
    let head = Phone::enrolled(&server, village_a());
    head.sync().unwrap();
    let templates = head.store.pledge_templates(Some(PledgeKind::Household)).unwrap();
    let h = head.store.add_household(village_a(), &details("Phan Văn Xóa")).unwrap();
    let kept = head.store.add_household(village_a(), &details("Phan Văn Giữ")).unwrap();
    head.store.record_visit(h.id, &VisitInput { visited_on: date("2023-06-10"), outcome: VisitOutcome::Pledged, revisit_on: None, note: "Gặp chủ hộ".into() }).unwrap();
    let signature = head.store.put_attachment(b"net chu ky cua ho", "image/png").unwrap().sha256;
    let input = PledgeInput {
        kind: PledgeKind::Household,
        subject: h.id,
        template: templates[0].id,
        signed_by: "Phan Văn Xóa".into(),
        witness: "Trưởng thôn".into(),
        signed_on: date("2023-06-10"),
        signature: Some(signature.clone()),
    };
    head.store.record_pledge(&input, "Trưởng thôn").unwrap();
    let report = head.sync().unwrap();
    assert_eq!((report.pushed, report.set_aside, report.attachments_uploaded), (4, 0, 1));

    // A second phone of the village and one of another village sync it (or not: not theirs).
    let deputy = Phone::enrolled(&server, village_a());
    deputy.sync().unwrap();
    assert_eq!(traces(&deputy, &h, &signature), ["household", "search entry", "pledge", "visit", "signature image"]);
    let neighbour = Phone::enrolled(&server, village_b());
    neighbour.sync().unwrap();

    // Both phones of the village edit the household offline, before they hear of the erasure.
    head.store.edit_household(h.id, &HouseholdDetails { phone: Some("0905 111 222".into()), ..details("Phan Văn Xóa") }).unwrap();
    deputy.store.edit_household(h.id, &HouseholdDetails { members: 6, ..details("Phan Văn Xóa") }).unwrap();

    let dashboard = server.dashboard_admin();
    let page = format!("/households/{}/erase", h.id);
    let status = dashboard.submit(&page, &page, &[("reason", "Đơn đề nghị ngày 12/06/2023 của ông Phan Văn Xóa")]);
    assert_eq!(status, 303, "the erasure redirects back to the village");

    // The deputy pulls first: the erasure arrives with the page and takes the waiting edit.
    let mut report = SyncReport::default();
    deputy.client().pull(&NoProgress, &CancelToken::new(), &mut report).unwrap();
    assert_eq!(report.erased, 3, "household, visit and pledge");
    assert!(traces(&deputy, &h, &signature).is_empty(), "{:?}", traces(&deputy, &h, &signature));
    let report = deputy.sync().unwrap();
    assert_eq!((report.pushed, report.set_aside, report.erased), (0, 0, 0));

    // The head pushes first: the server refuses the edit as erased, the phone erases the record
    // then and there, and the pull's erasures find nothing left to remove.
    let report = head.sync().unwrap();
    assert_eq!((report.pushed, report.set_aside), (0, 0));
    assert_eq!(report.erased, 3);
    assert!(traces(&head, &h, &signature).is_empty(), "{:?}", traces(&head, &h, &signature));
    let report = head.sync().unwrap();
    assert_eq!((report.pushed, report.set_aside, report.erased), (0, 0, 0));

    // The other household is untouched, everywhere.
    for phone in [&head, &deputy] {
        assert_eq!(phone.store.household(kept.id).unwrap().details.head_name, "Phan Văn Giữ");
        assert_eq!(phone.store.search_households(None, "phan van", 10).unwrap().len(), 1);
    }
    // Another village's phone never held it and hears nothing; a new phone gets none of it.
    assert_eq!(neighbour.sync().unwrap().erased, 0);
    let newcomer = Phone::enrolled(&server, village_a());
    newcomer.sync().unwrap();
    assert!(traces(&newcomer, &h, &signature).is_empty());
    assert!(newcomer.store.household(kept.id).is_ok());
}
