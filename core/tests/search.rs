mod common;

use common::*;
use sotay_core::households::ClanDetails;
use uuid::Uuid;

fn names(hs: Vec<sotay_core::households::Household>) -> Vec<String> {
    hs.into_iter().map(|h| h.details.head_name).collect()
}

#[test]
fn typing_without_accents_finds_names_with_them() {
    let (store, _) = store();
    let village = Uuid::now_v7();
    for name in ["Nguyễn Văn A", "Nguyễn Văn Ánh", "Đặng Thị Lan", "Dương Văn Nguyên", "Trần Thị Ngà", "Lê Văn Ân"] {
        household(&store, village, name);
    }
    assert_eq!(names(store.search_households(Some(village), "nguyen van a", 10).unwrap()), ["Nguyễn Văn A", "Nguyễn Văn Ánh"]);
    assert_eq!(names(store.search_households(Some(village), "dang", 10).unwrap()), ["Đặng Thị Lan"]);
    assert_eq!(names(store.search_households(Some(village), "ĐẶNG", 10).unwrap()), ["Đặng Thị Lan"]);
    assert_eq!(names(store.search_households(Some(village), "ng v", 10).unwrap()), ["Nguyễn Văn A", "Nguyễn Văn Ánh"]);
    // Word prefixes only: "guyen" starts no word.
    assert!(store.search_households(Some(village), "guyen", 10).unwrap().is_empty());
    // Any word of the name, in order: the given name alone finds people.
    assert_eq!(names(store.search_households(Some(village), "an", 10).unwrap()), ["Lê Văn Ân", "Nguyễn Văn Ánh"]);
    assert_eq!(names(store.search_households(Some(village), "ng", 10).unwrap()), ["Dương Văn Nguyên", "Nguyễn Văn A", "Nguyễn Văn Ánh", "Trần Thị Ngà"]);
}

#[test]
fn results_are_alphabetical_limited_and_scoped() {
    let (store, _) = store();
    let village = Uuid::now_v7();
    let other = Uuid::now_v7();
    for name in ["Võ Văn Út", "Vũ Thị Ưng", "Vũ Thị Ứng", "Vĩnh An", "Văn Bá"] {
        household(&store, village, name);
    }
    household(&store, other, "Vũ Văn Khác");
    assert_eq!(names(store.search_households(Some(village), "v", 10).unwrap()), ["Văn Bá", "Vĩnh An", "Võ Văn Út", "Vũ Thị Ưng", "Vũ Thị Ứng"]);
    assert_eq!(names(store.search_households(Some(village), "v", 2).unwrap()), ["Văn Bá", "Vĩnh An"]);
    assert_eq!(store.search_households(None, "vu", 10).unwrap().len(), 3);
    // Nothing typed yet: the first names in order.
    assert_eq!(names(store.search_households(Some(village), "  ", 3).unwrap()), ["Văn Bá", "Vĩnh An", "Võ Văn Út"]);
    // LIKE wildcards typed by the user are plain characters.
    assert!(store.search_households(Some(village), "%", 10).unwrap().is_empty());
    assert!(store.search_households(Some(village), "v_", 10).unwrap().is_empty());
}

#[test]
fn a_renamed_household_is_found_under_its_new_name() {
    let (store, _) = store();
    let village = Uuid::now_v7();
    let h = household(&store, village, "Phan Văn Cũ");
    let mut d = h.details.clone();
    d.head_name = "Phan Văn Mới".into();
    store.edit_household(h.id, &d).unwrap();
    assert!(store.search_households(Some(village), "cu", 10).unwrap().is_empty());
    assert_eq!(names(store.search_households(Some(village), "phan van moi", 10).unwrap()), ["Phan Văn Mới"]);
}

#[test]
fn clans_are_searched_the_same_way() {
    let (store, _) = store();
    let village = Uuid::now_v7();
    for name in ["Tộc Đặng", "Tộc Lê", "Họ Đỗ"] {
        store.add_clan(village, &ClanDetails { name: name.into(), head_name: None }).unwrap();
    }
    let found: Vec<_> = store.search_clans(Some(village), "d", 10).unwrap().into_iter().map(|c| c.details.name).collect();
    assert_eq!(found, ["Họ Đỗ", "Tộc Đặng"]);
    let found: Vec<_> = store.search_clans(None, "toc", 10).unwrap().into_iter().map(|c| c.details.name).collect();
    assert_eq!(found, ["Tộc Đặng", "Tộc Lê"]);
}
