mod common;

use common::*;
use sotay_core::minutes::{AssignedTask, Attendee, AttendeeRole, MeetingKind, MinutesContent};
use sotay_core::record::{Entity, sha256_hex};
use sotay_core::Error;
use uuid::Uuid;

fn complete() -> MinutesContent {
    MinutesContent {
        held_at: Some(NOW - 3_600_000),
        place: "Nhà văn hóa thôn Tây".into(),
        kind: MeetingKind::VillageConference,
        chair: "Nguyễn Văn Trưởng".into(),
        secretary: "Trần Thị Thư".into(),
        attendee_count: 45,
        attendees: vec![
            Attendee { name: "Lê Văn Tộc".into(), role: AttendeeRole::ClanHead },
            Attendee { name: "Phạm Thị Hội".into(), role: AttendeeRole::Women },
        ],
        agenda: "Phổ biến Kế hoạch phòng, chống xâm hại trẻ em năm 2023".into(),
        contents: "…".into(),
        conclusions: "Phát động đăng ký cam kết".into(),
        assigned_tasks: vec![AssignedTask { what: "Vận động hộ gia đình ký cam kết".into(), who: "Chi hội Phụ nữ".into(), due: Some(date("2023-07-30")) }],
        attachments: vec![],
        plan: None,
        task: None,
    }
}

fn field_of(e: Error) -> String {
    match e {
        Error::Validation { field, .. } => field,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[test]
fn a_draft_is_edited_then_sealed_and_is_immutable_after() {
    let (store, _) = store();
    let village = Uuid::now_v7();
    let draft = store.create_minutes(village, &MinutesContent { chair: "Nguyễn Văn Trưởng".into(), ..Default::default() }).unwrap();
    assert!(!draft.is_sealed());
    let edited = store.edit_minutes(draft.id, &complete()).unwrap();
    assert_eq!(edited.content, complete());
    let sealed = store.seal_minutes(draft.id, "Nguyễn Văn Trưởng").unwrap();
    let seal = sealed.seal.clone().unwrap();
    assert_eq!((seal.by.as_str(), seal.at), ("Nguyễn Văn Trưởng", NOW));
    assert_eq!(seal.hash.len(), 64);
    assert_eq!(store.minutes(draft.id).unwrap(), sealed);

    assert!(matches!(store.edit_minutes(draft.id, &complete()), Err(Error::Sealed { .. })));
    let mut changed = complete();
    changed.conclusions = "Khác".into();
    assert!(matches!(store.edit_minutes(draft.id, &changed), Err(Error::Sealed { .. })));
    assert!(matches!(store.seal_minutes(draft.id, "x"), Err(Error::Sealed { .. })));
    assert_eq!(store.minutes(draft.id).unwrap(), sealed);
    assert!(matches!(store.edit_minutes(Uuid::now_v7(), &complete()), Err(Error::NotFound { entity: "minutes", .. })));
}

#[test]
fn sealing_checks_the_minutes_are_complete() {
    let (store, _) = store();
    let village = Uuid::now_v7();
    let missing_photo = sha256_hex(b"photo not on this phone");
    let cases: Vec<(MinutesContent, &str)> = vec![
        (MinutesContent { chair: "".into(), ..complete() }, "chair"),
        (MinutesContent { secretary: " ".into(), ..complete() }, "secretary"),
        (MinutesContent { place: "".into(), ..complete() }, "place"),
        (MinutesContent { held_at: None, ..complete() }, "held_at"),
        (MinutesContent { held_at: Some(NOW + 2 * 86_400_000), ..complete() }, "held_at"),
        (MinutesContent { attendee_count: 0, attendees: vec![], ..complete() }, "attendee_count"),
        (MinutesContent { attendee_count: 1, ..complete() }, "attendees"),
        (MinutesContent { attendees: vec![Attendee { name: "".into(), role: AttendeeRole::Youth }], ..complete() }, "attendees[0].name"),
        (MinutesContent { assigned_tasks: vec![AssignedTask::default()], ..complete() }, "assigned_tasks[0].what"),
        (MinutesContent { attachments: vec![missing_photo], ..complete() }, "attachments"),
    ];
    for (content, field) in cases {
        let draft = store.create_minutes(village, &content).unwrap();
        assert_eq!(field_of(store.seal_minutes(draft.id, "Trưởng ban").unwrap_err()), field, "{content:?}");
        assert!(!store.minutes(draft.id).unwrap().is_sealed());
    }
    // A draft citing a photo this phone lacks tells the sync engine what to fetch.
    assert_eq!(store.attachments_missing().unwrap(), vec![sha256_hex(b"photo not on this phone")]);
    let e = store.seal_minutes(store.create_minutes(village, &MinutesContent { chair: "".into(), ..complete() }).unwrap().id, "x").unwrap_err();
    assert_eq!(e.message_vi(), "Chủ trì: không được để trống");
    let draft = store.create_minutes(village, &complete()).unwrap();
    assert_eq!(field_of(store.seal_minutes(draft.id, "  ").unwrap_err()), "sealed_by");
    // With the photo on the phone, the same minutes seal.
    let photo = store.put_attachment(b"sheet", "image/jpeg").unwrap();
    let draft = store.create_minutes(village, &MinutesContent { attachments: vec![photo.sha256], ..complete() }).unwrap();
    assert!(store.seal_minutes(draft.id, "Trưởng ban").unwrap().is_sealed());
}

#[test]
fn drafts_refuse_malformed_references() {
    let (store, _) = store();
    let village = Uuid::now_v7();
    let bad = [
        (MinutesContent { attachments: vec!["abc".into()], ..complete() }, "attachments"),
        (MinutesContent { plan: Some(Uuid::now_v7()), ..complete() }, "plan"),
        (MinutesContent { task: Some(Uuid::now_v7()), ..complete() }, "task"),
        (MinutesContent { place: "x".repeat(301), ..complete() }, "place"),
    ];
    for (content, field) in bad {
        assert_eq!(field_of(store.create_minutes(village, &content).unwrap_err()), field);
    }
    assert_eq!(store.outbox_pending_count().unwrap(), 0);
}

#[test]
fn a_correction_is_a_sealable_amendment_listed_with_its_original() {
    let (store, _) = store();
    let village = Uuid::now_v7();
    let draft = store.create_minutes(village, &complete()).unwrap();
    let err = store.amend_minutes(draft.id, &complete()).unwrap_err();
    assert_eq!(field_of(err), "amends");
    store.seal_minutes(draft.id, "Trưởng ban").unwrap();
    let fix = store.amend_minutes(draft.id, &MinutesContent { attendee_count: 47, ..complete() }).unwrap();
    assert_eq!((fix.amends, fix.unit), (Some(draft.id), village));
    store.seal_minutes(fix.id, "Trưởng ban").unwrap();
    let fix2 = store.amend_minutes(fix.id, &MinutesContent { attendee_count: 48, ..complete() }).unwrap();
    let later = store.create_minutes(village, &MinutesContent { held_at: Some(NOW), ..complete() }).unwrap();
    store.create_minutes(Uuid::now_v7(), &complete()).unwrap(); // another village

    let list = store.minutes_of_unit(village).unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].minutes.id, later.id, "newest meeting first");
    assert_eq!(list[1].minutes.id, draft.id);
    let ids: Vec<_> = list[1].amendments.iter().map(|m| m.id).collect();
    assert_eq!(ids, [fix.id, fix2.id]);
    assert!(list[1].amendments[0].is_sealed() && !list[1].amendments[1].is_sealed());
    assert!(matches!(store.amend_minutes(Uuid::now_v7(), &complete()), Err(Error::NotFound { .. })));
    // The record kept on the phone follows the contract.
    let r = store.record(fix.id).unwrap().unwrap();
    assert_eq!(r.entity, Entity::Minutes);
    assert_eq!(r.fields["amends"], serde_json::json!(draft.id.to_string()));
    assert_eq!(r.fields["attendees"][0]["role"], serde_json::json!("clan_head"));
}

#[test]
fn minutes_from_a_newer_app_with_an_unknown_attendee_role_still_open() {
    let (store, _) = store();
    let village = unit(&store, "Thôn Tây", "village", None, true);
    let id = Uuid::now_v7();
    // As a newer version might send it: a role this build does not know.
    let mut remote = sotay_core::RecordState::new(Entity::Minutes, id, village);
    remote.fields = sotay_core::record::to_fields(&complete()).unwrap();
    remote.fields["attendees"][0]["role"] = serde_json::json!("elder");
    let clock = sotay_core::Hlc { millis: NOW as u64, counter: 0, node: 99 };
    remote.clocks = remote.fields.keys().map(|k| (k.clone(), clock)).collect();
    store.write(|tx| tx.apply_remote(&remote)).unwrap();

    let minutes = store.minutes(id).unwrap();
    assert_eq!(minutes.content.attendees[0], Attendee { name: "Lê Văn Tộc".into(), role: AttendeeRole::Other });
    assert_eq!(minutes.content.attendees[1].role, AttendeeRole::Women);
    assert_eq!(store.minutes_of_unit(village).unwrap().len(), 1);
}
