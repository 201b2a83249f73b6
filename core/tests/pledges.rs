mod common;

use common::*;
use sotay_core::households::ClanDetails;
use sotay_core::pledges::{PledgeInput, PledgeKind, PledgeTemplateContent, shipped_pledge_templates};
use sotay_core::record::{Entity, sha256_hex};
use sotay_core::{Error, Rule};
use uuid::Uuid;

fn rule_of(e: Error) -> (String, Rule) {
    match e {
        Error::Validation { field, rule } => (field, rule),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

struct Village {
    commune: Uuid,
    village: Uuid,
    templates: Vec<sotay_core::pledges::PledgeTemplate>,
}

fn setup(store: &sotay_core::Store) -> Village {
    let commune = unit(store, "Xã Bình Thạnh", "xã", None, false);
    let village = unit(store, "Thôn Tây", "thôn", Some(commune), true);
    let templates = store.install_pledge_templates(commune, 2023).unwrap();
    Village { commune, village, templates }
}

fn template(v: &Village, kind: PledgeKind) -> Uuid {
    v.templates.iter().find(|t| t.content.kind == kind).unwrap().id
}

fn input(kind: PledgeKind, subject: Uuid, template: Uuid) -> PledgeInput {
    PledgeInput {
        kind,
        subject,
        template,
        signed_by: "Hồ Văn Chủ".into(),
        witness: "Nguyễn Văn Trưởng".into(),
        signed_on: date("2023-06-15"),
        signature: None,
    }
}

#[test]
fn one_template_per_kind_ships_worded_from_the_plan() {
    let shipped = shipped_pledge_templates().unwrap();
    let kinds: Vec<_> = shipped.iter().map(|t| t.kind).collect();
    assert_eq!(kinds, [PledgeKind::Household, PledgeKind::Clan, PledgeKind::ResidentialArea]);
    for t in &shipped {
        assert!(t.commitments.len() >= 3);
        assert!(t.title.contains("người dưới 18 tuổi"));
    }
    assert!(shipped[1].commitments.iter().any(|c| c.contains("Hộ tộc 4 không")));
    assert!(shipped[2].commitments.iter().any(|c| c.contains("Khu dân cư 6 không")));
    assert!(shipped[0].commitments.iter().any(|c| c.contains("gia đình là trung tâm") || c.contains("Gia đình là trung tâm")));
}

#[test]
fn templates_install_once_and_stay_editable() {
    let (store, _) = store();
    let v = setup(&store);
    assert_eq!(v.templates.len(), 3);
    assert_eq!(store.install_pledge_templates(v.commune, 2023).unwrap(), v.templates, "installing twice changes nothing");
    assert_eq!(store.pledge_templates(Some(PledgeKind::Clan)).unwrap().len(), 1);
    let hh = template(&v, PledgeKind::Household);
    let mut edited = v.templates[0].content.clone();
    edited.commitments.push("Giữ gìn an ninh trật tự thôn xóm.".into());
    let t = store.edit_pledge_template(hh, &edited).unwrap();
    assert_eq!(t.content.commitments.len(), v.templates[0].content.commitments.len() + 1);
    let next_year = store.add_pledge_template(v.commune, &PledgeTemplateContent { year: 2024, ..edited.clone() }).unwrap();
    assert_eq!(store.pledge_templates(Some(PledgeKind::Household)).unwrap()[0].id, next_year.id, "newest year first");
    let (field, rule) = rule_of(store.add_pledge_template(v.commune, &PledgeTemplateContent { commitments: vec![], ..edited.clone() }).unwrap_err());
    assert_eq!((field.as_str(), rule), ("commitments", Rule::Required));
    let (field, _) = rule_of(store.add_pledge_template(v.commune, &PledgeTemplateContent { commitments: vec!["A".into(), " ".into()], ..edited.clone() }).unwrap_err());
    assert_eq!(field, "commitments[1].text");
    assert!(matches!(store.edit_pledge_template(Uuid::now_v7(), &edited), Err(Error::NotFound { .. })));
}

#[test]
fn a_household_pledge_copies_the_commitments_and_is_sealed() {
    let (store, _) = store();
    let v = setup(&store);
    let h = household(&store, v.village, "Hồ Văn Chủ");
    let sig = store.put_attachment(b"signature strokes", "image/png").unwrap();
    let before = store.outbox_pending_count().unwrap();
    let p = store
        .record_pledge(&PledgeInput { signature: Some(sig.sha256.clone()), ..input(PledgeKind::Household, h.id, template(&v, PledgeKind::Household)) }, "Nguyễn Văn Trưởng")
        .unwrap();
    assert_eq!(store.outbox_pending_count().unwrap(), before + 1, "one change carries the pledge and its seal");
    assert_eq!(p.unit, v.village);
    assert_eq!(p.content.commitments, v.templates[0].content.commitments);
    assert_eq!(p.seal.as_ref().unwrap().by, "Nguyễn Văn Trưởng");
    assert_eq!(store.pledge(p.id).unwrap(), p);
    assert_eq!(store.pledges_of_subject(h.id).unwrap(), vec![p.clone()]);
    assert_eq!(store.pledges_of_unit(v.village).unwrap(), vec![p.clone()]);
    // Editing the template later does not touch what was signed.
    let mut t = v.templates[0].content.clone();
    t.commitments = vec!["Khác".into()];
    store.edit_pledge_template(template(&v, PledgeKind::Household), &t).unwrap();
    assert_eq!(store.pledge(p.id).unwrap().content.commitments, v.templates[0].content.commitments);
    // Sealed: the store refuses any change to it.
    let err = store.write(|tx| tx.put(Entity::Pledge, p.id, p.unit, serde_json::Map::new())).unwrap_err();
    assert!(matches!(err, Error::Sealed { .. }));
    // A second original pledge of the same household on the same template is a duplicate.
    let (field, rule) = rule_of(store.record_pledge(&input(PledgeKind::Household, h.id, template(&v, PledgeKind::Household)), "x").unwrap_err());
    assert_eq!((field.as_str(), rule), ("subject", Rule::Duplicate));
}

#[test]
fn clan_and_residential_area_pledges() {
    let (store, _) = store();
    let v = setup(&store);
    let clan = store.add_clan(v.village, &ClanDetails { name: "Tộc Hồ".into(), head_name: None }).unwrap();
    let p = store.record_pledge(&input(PledgeKind::Clan, clan.id, template(&v, PledgeKind::Clan)), "Trưởng ban").unwrap();
    assert_eq!(p.unit, v.village);
    let kdc = store.record_pledge(&input(PledgeKind::ResidentialArea, v.village, template(&v, PledgeKind::ResidentialArea)), "Trưởng ban").unwrap();
    assert_eq!(kdc.unit, v.village);
    let (field, rule) = rule_of(store.record_pledge(&input(PledgeKind::ResidentialArea, v.commune, template(&v, PledgeKind::ResidentialArea)), "x").unwrap_err());
    assert_eq!((field.as_str(), rule), ("subject", Rule::WrongUnitLevel));
}

#[test]
fn bad_pledges_name_the_field_and_the_rule() {
    let (store, _) = store();
    let v = setup(&store);
    let h = household(&store, v.village, "Hồ Văn Chủ");
    let hh = template(&v, PledgeKind::Household);
    let cases: Vec<(PledgeInput, &str, Rule)> = vec![
        (input(PledgeKind::Household, Uuid::now_v7(), hh), "subject", Rule::UnknownReference { entity: "household" }),
        (input(PledgeKind::Clan, h.id, template(&v, PledgeKind::Clan)), "subject", Rule::UnknownReference { entity: "clan" }),
        (input(PledgeKind::Household, h.id, template(&v, PledgeKind::Clan)), "template", Rule::Invalid { expected: "a template for this kind of pledge" }),
        (input(PledgeKind::Household, h.id, Uuid::now_v7()), "template", Rule::UnknownReference { entity: "pledge_template" }),
        (PledgeInput { signed_by: " ".into(), ..input(PledgeKind::Household, h.id, hh) }, "signed_by", Rule::Required),
        (PledgeInput { witness: "".into(), ..input(PledgeKind::Household, h.id, hh) }, "witness", Rule::Required),
        // 2023-06-15 10:00 in Vietnam: tomorrow is in the future.
        (PledgeInput { signed_on: date("2023-06-16"), ..input(PledgeKind::Household, h.id, hh) }, "signed_on", Rule::InFuture),
        (PledgeInput { signature: Some(sha256_hex(b"absent")), ..input(PledgeKind::Household, h.id, hh) }, "signature", Rule::UnknownReference { entity: "attachment" }),
        (PledgeInput { signature: Some("zz".into()), ..input(PledgeKind::Household, h.id, hh) }, "signature", Rule::Invalid { expected: "a SHA-256 in lowercase hex" }),
    ];
    for (p, field, rule) in cases {
        assert_eq!(rule_of(store.record_pledge(&p, "Trưởng ban").unwrap_err()), (field.to_string(), rule));
    }
    assert_eq!(rule_of(store.record_pledge(&input(PledgeKind::Household, h.id, hh), "").unwrap_err()).0, "sealed_by");
    assert!(store.pledges_of_subject(h.id).unwrap().is_empty());
    let e = store.record_pledge(&input(PledgeKind::Household, Uuid::now_v7(), hh), "x").unwrap_err();
    assert_eq!(e.message_vi(), "Đối tượng cam kết: không tìm thấy hộ gia đình");
}

#[test]
fn an_amendment_corrects_a_sealed_pledge_of_the_same_subject() {
    let (store, clock) = store();
    let v = setup(&store);
    let h = household(&store, v.village, "Hồ Văn Chủ");
    let other = household(&store, v.village, "Lê Văn Khác");
    let hh = template(&v, PledgeKind::Household);
    let p = store.record_pledge(&input(PledgeKind::Household, h.id, hh), "Trưởng ban").unwrap();
    clock.advance(60_000);
    let fix = store.amend_pledge(p.id, &PledgeInput { signed_by: "Hồ Thị Vợ".into(), ..input(PledgeKind::Household, h.id, hh) }, "Trưởng ban").unwrap();
    assert_eq!(fix.content.amends, Some(p.id));
    assert!(fix.seal.is_some());
    assert_eq!(store.pledges_of_subject(h.id).unwrap().len(), 2);
    let (field, _) = rule_of(store.amend_pledge(p.id, &input(PledgeKind::Household, other.id, hh), "x").unwrap_err());
    assert_eq!(field, "subject");
    assert!(matches!(store.amend_pledge(Uuid::now_v7(), &input(PledgeKind::Household, h.id, hh), "x"), Err(Error::NotFound { .. })));
}
