mod common;

use common::*;
use sotay_core::seed::plan_2023_binh_son;

#[test]
fn the_seed_plan_keeps_every_figure_and_text() {
    let p = plan_2023_binh_son().unwrap();
    assert_eq!(p.issued_on, ymd(2023, 3, 29));
    assert_eq!(p.place, "Bình Sơn");
    assert!(
        p.implements.reference.starts_with("Kế hoạch số 267/KH-MTTQ-BTT, ngày 21/3/2023 của Ban Thường trực Ủy ban MTTQ Việt Nam tỉnh")
    );
    assert_eq!(p.signer.title, "PHÓ CHỦ TỊCH");
    assert_eq!(p.signer.name, "Lê Văn Thành");
    assert_eq!(p.signer.on_behalf_of, "TM. BAN THƯỜNG TRỰC");
    assert_eq!(p.purposes.len(), 2);
    assert!(p.purposes[0].starts_with("Nhằm nâng cao hiệu quả thực hiện nhiệm vụ chính trị"));
    assert!(p.purposes[1].ends_with("cơ sở bảo trợ xã hội..."));

    let thresholds: Vec<_> = p.targets.iter().map(|t| (t.threshold_pct, t.measured_over.as_str())).collect();
    assert_eq!(thresholds, [(100, "commune"), (80, "residential_area")]);
    assert!(p.targets[0].text.starts_with("100% đơn vị MTTQ cấp xã tổ chức các hoạt động tuyên truyền"));
    assert!(p.targets[1].text.starts_with("80% KDC phối hợp xây dựng mô hình hoặc lồng ghép"));
    assert!(p.other_targets[0].contains("là giải pháp mang tính trọng tâm, đột phá"), "page break joined");

    let codes: Vec<_> = p.key_tasks.iter().map(|k| k.code.as_str()).collect();
    assert_eq!(codes, ["3.1", "3.2", "3.3", "3.4"]);
    assert!(p.key_tasks[0].text.contains("Nghị quyết số 121/2020/QH14, ngày 19/6/2020"));
    assert!(p.key_tasks[1].text.contains("panô, áp phích, tờ rơi, băng rôn, khẩu hiệu"));
    assert!(p.key_tasks[2].text.contains("gắn với việc thực hiện mô hình “Khu dân cư 6 không”, “Hộ tộc 4 không”"));
    assert!(p.key_tasks[3].text.ends_with("chăm sóc và bảo vệ trẻ em."));

    assert_eq!(
        p.duties.iter().map(|d| (d.code.as_str(), d.level.as_str(), d.items.len())).collect::<Vec<_>>(),
        [("4.1", "huyện", 3), ("4.2", "commune", 5)]
    );
    assert!(p.duties[0].items[1].contains("Lê Văn Thành – Huyện ủy viên"));
    assert!(p.duties[1].items[2].contains("đăng ký cam kết thực hiện chương trình đối với hộ gia đình, tộc họ và khu dân cư"));
    assert!(p.duties[1].items[3].contains("thực hiện tốt, đồng thời rút kinh nghiệm"));

    let deadlines: Vec<_> =
        p.milestones.iter().map(|m| (m.code.as_str(), m.deadlines.iter().map(|d| (d.level.as_str(), d.due)).collect::<Vec<_>>())).collect();
    assert_eq!(
        deadlines,
        [
            ("6_month", vec![("commune", ymd(2023, 5, 30)), ("huyện", ymd(2023, 6, 5))]),
            ("9_month", vec![("commune", ymd(2023, 8, 30)), ("huyện", ymd(2023, 9, 5))]),
            ("annual", vec![("commune", ymd(2023, 11, 30)), ("huyện", ymd(2023, 12, 5))]),
        ]
    );
}

#[test]
fn installing_the_seed_creates_one_plan_record_for_the_district() {
    let store = store_at(2023, 3, 29);
    let t = seed_tree(&store);
    let plan = store.install_seed_plan(t.district).unwrap();
    assert_eq!(plan.issuer, t.district);
    assert_eq!(store.plan(plan.id).unwrap().targets[1].threshold_pct, 80);
    assert_eq!(store.install_seed_plan(t.district).unwrap().id, plan.id, "installing twice keeps one");
    assert_eq!(store.plans_for(t.district).unwrap().len(), 1);
    assert_eq!(store.outbox_pending_count().unwrap(), 7 + 1, "seven units and one plan queued for sync");
    assert_invalid(store.install_seed_plan(uuid::Uuid::now_v7()), "issuer", sotay_core::Rule::UnknownReference { entity: "unit" });
}
