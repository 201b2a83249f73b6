//! Values a newer app may add to a closed list read as "other" here, so records synced from it
//! still open on an older phone or server.

use sotay_core::activities::ActivityKind;
use sotay_core::minutes::{AttendeeRole, MeetingKind};
use sotay_core::visits::VisitOutcome;

fn read<T: serde::de::DeserializeOwned>(value: &str) -> T {
    serde_json::from_value(serde_json::json!(value)).unwrap()
}

#[test]
fn unknown_values_read_as_other_and_known_ones_as_themselves() {
    assert_eq!(read::<MeetingKind>("youth_union_meeting"), MeetingKind::Other);
    assert_eq!(read::<MeetingKind>("commune_conference"), MeetingKind::CommuneConference);
    assert_eq!(read::<AttendeeRole>("elder"), AttendeeRole::Other);
    assert_eq!(read::<AttendeeRole>("police"), AttendeeRole::Police);
    assert_eq!(read::<ActivityKind>("radio_drama"), ActivityKind::Other);
    assert_eq!(read::<ActivityKind>("leaflets"), ActivityKind::Leaflets);
    assert_eq!(read::<VisitOutcome>("phoned_instead"), VisitOutcome::Other);
    assert_eq!(read::<VisitOutcome>("refused"), VisitOutcome::Refused);
}

#[test]
fn writing_a_value_this_build_does_not_know_is_still_refused() {
    use sotay_core::record::Entity;
    use sotay_core::validate::record_fields;
    let fields = |v: serde_json::Value| v.as_object().cloned().unwrap();
    let refused = |entity, v| match record_fields(entity, &fields(v)) {
        Err(sotay_core::Error::Validation { field, .. }) => field,
        other => panic!("expected a validation error, got {other:?}"),
    };
    assert_eq!(refused(Entity::Visit, serde_json::json!({"outcome": "phoned_instead"})), "outcome");
    assert_eq!(refused(Entity::Minutes, serde_json::json!({"attendees": [{"name": "Lê Văn Tộc", "role": "elder"}]})), "attendees");
    assert!(record_fields(Entity::Visit, &fields(serde_json::json!({"outcome": "other"}))).is_ok());
    assert!(record_fields(Entity::Minutes, &fields(serde_json::json!({"attendees": [{"name": "Lê Văn Tộc", "role": "police"}]}))).is_ok());
    // A row may leave out what has a default, as before.
    assert!(record_fields(Entity::Minutes, &fields(serde_json::json!({"attendees": [{"name": "Lê Văn Tộc"}]}))).is_ok());
}
