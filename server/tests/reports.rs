//! The generated DOCX and XLSX are opened and read back: layout of Decree 30, and the figures.

use std::io::Read;

use chrono::NaiveDate;
use sotay_server::reports::{
    self, Milestone, MilestoneReport, ReportFigures, Signer, TargetFigure, TaskLine, UnitFigures,
};

fn commune(name: &str, households: u64, pledged: u64, kdc: u64, kdc_ok: u64, new_law: u64) -> UnitFigures {
    UnitFigures {
        unit: None,
        name: name.into(),
        activities: new_law + 2,
        new_law_activities: new_law,
        audience: 120,
        meetings: 3,
        households,
        households_pledged: pledged,
        clans_pledged: 2,
        residential_areas: kdc,
        residential_areas_achieved: kdc_ok,
        visits: pledged + 5,
        overdue_tasks: 0,
    }
}

fn sample() -> MilestoneReport {
    MilestoneReport {
        upper_body: "Ủy ban MTTQ Việt Nam tỉnh Quảng Ngãi".into(),
        issuing_body: "Ban Thường trực Ủy ban MTTQ Việt Nam huyện Bình Sơn".into(),
        number: "15/BC-MTTQ-BTT".into(),
        place: "Bình Sơn".into(),
        date: NaiveDate::from_ymd_opt(2023, 6, 5).unwrap(),
        milestone: Milestone::SixMonth,
        subject: "thực hiện Chương trình phòng, chống tội phạm xâm hại trẻ em năm 2023".into(),
        plan_reference: "Kế hoạch số 12/KH-MTTQ-BTT ngày 29/3/2023".into(),
        reporting_body: "Ban Thường trực Ủy ban MTTQ Việt Nam huyện Bình Sơn".into(),
        rows_level: "xã, thị trấn".into(),
        figures: ReportFigures {
            targets: vec![
                TargetFigure {
                    code: "1".into(),
                    text: "100% đơn vị MTTQ cấp xã tổ chức tuyên truyền pháp luật mới".into(),
                    threshold_pct: 100,
                    measured_over: "đơn vị MTTQ cấp xã".into(),
                    achieved: 2,
                    total: 3,
                },
                TargetFigure {
                    code: "2".into(),
                    text: "80% KDC xây dựng mô hình hoặc lồng ghép nội dung".into(),
                    threshold_pct: 80,
                    measured_over: "khu dân cư".into(),
                    achieved: 9,
                    total: 11,
                },
            ],
            rows: vec![
                commune("Bình Hải", 1200, 1000, 5, 4, 1),
                commune("Bình Chánh <&> \"Tây\"", 800, 400, 4, 3, 0),
                commune("Thị trấn Châu Ổ", 2000, 1734, 2, 2, 3),
            ],
            tasks: vec![TaskLine {
                code: "3.2".into(),
                title: "Đẩy mạnh tuyên truyền tại cộng đồng".into(),
                due: NaiveDate::from_ymd_opt(2023, 5, 30),
                status: "Đã hoàn thành".into(),
                done: true,
            }],
        },
        narrative: reports::default_narrative(),
        recipients: vec!["Ủy ban MTTQVN tỉnh (B/c)".into(), "Thường trực Huyện ủy (B/c)".into(), "Lưu.".into()],
        signer: Signer { on_behalf: "TM. Ban Thường trực".into(), title: "Phó Chủ tịch".into(), name: "Lê Văn Thành".into() },
    }
}

fn unzip(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut file = zip.by_name(name).unwrap();
    let mut s = String::new();
    file.read_to_string(&mut s).unwrap();
    s
}

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

/// A paragraph of the document body: its text and whether its runs are bold / italic.
#[derive(Debug)]
struct Para {
    text: String,
    bold: bool,
    italic: bool,
    size: Option<String>,
}

fn paragraphs(xml: &str) -> Vec<Para> {
    let doc = roxmltree::Document::parse(xml).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name((W, "p")))
        .map(|p| {
            let text: String =
                p.descendants().filter(|n| n.has_tag_name((W, "t"))).filter_map(|t| t.text()).collect();
            // Bold and italic of the text itself: run properties, not the paragraph mark's.
            let runs: Vec<_> = p.children().filter(|n| n.has_tag_name((W, "r"))).collect();
            let has = |tag: &str| {
                !runs.is_empty()
                    && runs.iter().all(|r| {
                        r.children().filter(|c| c.has_tag_name((W, "rPr"))).any(|pr| pr.children().any(|c| c.has_tag_name((W, tag))))
                    })
            };
            let size = p
                .descendants()
                .find(|n| n.has_tag_name((W, "sz")))
                .and_then(|n| n.attribute((W, "val")))
                .map(str::to_string);
            Para { text, bold: has("b"), italic: has("i"), size }
        })
        .collect()
}

fn find<'a>(paras: &'a [Para], needle: &str) -> &'a Para {
    paras.iter().find(|p| p.text.contains(needle)).unwrap_or_else(|| panic!("no paragraph with {needle:?}"))
}

#[test]
fn docx_follows_the_administrative_format() {
    let bytes = reports::docx::render(&sample()).unwrap();
    let xml = unzip(&bytes, "word/document.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap();

    // A4 with margins inside the ranges of Decree 30 (twips; 1 mm ≈ 56.7).
    let sz = doc.descendants().find(|n| n.has_tag_name((W, "pgSz"))).unwrap();
    assert_eq!(sz.attribute((W, "w")), Some("11906"));
    assert_eq!(sz.attribute((W, "h")), Some("16838"));
    let mar = doc.descendants().find(|n| n.has_tag_name((W, "pgMar"))).unwrap();
    let mm = |side: &str| (mar.attribute((W, side)).unwrap().parse::<f64>().unwrap() * 25.4 / 1440.0 * 10.0).round() / 10.0;
    assert!((20.0..=25.0).contains(&mm("top")), "top {}", mm("top"));
    assert!((20.0..=25.0).contains(&mm("bottom")));
    assert!((30.0..=35.0).contains(&mm("left")));
    assert!((15.0..=20.0).contains(&mm("right")));
    // Times New Roman everywhere, 13–14 pt for the text.
    let fonts: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name((W, "rFonts")))
        .filter_map(|n| n.attribute((W, "ascii")))
        .collect();
    assert!(!fonts.is_empty());
    assert!(fonts.iter().all(|f| *f == "Times New Roman"), "{fonts:?}");

    let paras = paragraphs(&xml);
    // Header: the issuing body in bold capitals, the motto, number, the italic date line.
    let upper = find(&paras, "ỦY BAN MTTQ VIỆT NAM TỈNH QUẢNG NGÃI");
    assert!(!upper.bold);
    assert!(find(&paras, "BAN THƯỜNG TRỰC ỦY BAN MTTQ VIỆT NAM HUYỆN BÌNH SƠN").bold);
    assert!(find(&paras, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM").bold);
    assert!(find(&paras, "Độc lập - Tự do - Hạnh phúc").bold);
    assert_eq!(find(&paras, "Số: ").text, "Số: 15/BC-MTTQ-BTT");
    let date = find(&paras, "ngày 05 tháng 6 năm 2023");
    assert_eq!(date.text, "Bình Sơn, ngày 05 tháng 6 năm 2023");
    assert!(date.italic);
    assert_eq!(date.size.as_deref(), Some("28"));
    // Title.
    assert!(paras.iter().any(|p| p.text == "BÁO CÁO" && p.bold));
    assert!(find(&paras, "Sơ kết 6 tháng thực hiện Chương trình").bold);

    // Figures from the data: targets, totals, rows (escaped text comes back intact).
    assert_eq!(
        find(&paras, "- Chỉ tiêu 1").text,
        "- Chỉ tiêu 1 (100% đơn vị MTTQ cấp xã): đạt 2/3 đơn vị MTTQ cấp xã (66,6%), chưa đạt chỉ tiêu."
    );
    assert!(find(&paras, "- Chỉ tiêu 2").text.contains("đạt 9/11 khu dân cư (81,8%), đạt chỉ tiêu."));
    assert!(find(&paras, "hộ gia đình đăng ký cam kết").text.contains("3.134/4.000 hộ gia đình đăng ký cam kết (78,3%)"));
    assert!(find(&paras, "hoạt động tuyên truyền với").text.starts_with("Tổ chức 10 hoạt động tuyên truyền với 360 lượt"));
    assert!(paras.iter().any(|p| p.text == "Bình Chánh <&> \"Tây\""));
    assert!(paras.iter().any(|p| p.text == "Tổng cộng"));
    assert!(paras.iter().any(|p| p.text == "3.134/4.000 (78,3%)"));
    assert!(find(&paras, "- 3.2 Đẩy mạnh").text.ends_with("hạn 30/05/2023: Đã hoàn thành."));

    // Narrative to edit, recipients, signature block.
    assert!(find(&paras, "II. ĐÁNH GIÁ CHUNG").bold);
    assert!(find(&paras, "1. Ưu điểm: [").text.ends_with(']'));
    let to = find(&paras, "Nơi nhận:");
    assert!(to.bold && to.italic);
    assert!(paras.iter().any(|p| p.text == "- Ủy ban MTTQVN tỉnh (B/c)"));
    assert!(paras.iter().any(|p| p.text == "TM. BAN THƯỜNG TRỰC" && p.bold));
    assert!(paras.iter().any(|p| p.text == "PHÓ CHỦ TỊCH" && p.bold));
    let signer = paras.iter().position(|p| p.text == "Lê Văn Thành").unwrap();
    let title = paras.iter().position(|p| p.text == "PHÓ CHỦ TỊCH").unwrap();
    assert!(signer > title + 2, "room to sign between the title and the name");
}

#[test]
fn xlsx_holds_the_same_figures() {
    use calamine::{Data, Reader, Xlsx};
    let report = sample();
    let bytes = reports::xlsx::render(&report).unwrap();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(
        book.sheet_names(),
        vec![reports::xlsx::TARGETS_SHEET, reports::xlsx::UNITS_SHEET, reports::xlsx::TASKS_SHEET]
    );

    let targets = book.worksheet_range(reports::xlsx::TARGETS_SHEET).unwrap();
    let row = |r: u32| -> Vec<Data> { (0..7).map(|c| targets.get_value((r, c)).cloned().unwrap_or(Data::Empty)).collect() };
    assert_eq!(row(4)[0], Data::String("1".into()));
    assert_eq!(row(4)[3], Data::Float(2.0));
    assert_eq!(row(4)[4], Data::Float(3.0));
    assert_eq!(row(4)[6], Data::String("Chưa đạt".into()));
    assert_eq!(row(5)[2], Data::Float(0.8));
    // The shown figure (81,8%), not 9/11 to the last digit, so the sheet says what the DOCX says.
    assert_eq!(row(5)[5], Data::Float(0.818));
    assert_eq!(row(4)[5], Data::Float(0.666), "2/3 floored like everywhere else");
    assert_eq!(row(5)[6], Data::String("Đạt".into()));

    let units = book.worksheet_range(reports::xlsx::UNITS_SHEET).unwrap();
    let header: Vec<String> = (0..14).map(|c| units.get_value((2, c)).unwrap().to_string()).collect();
    assert_eq!(header, reports::xlsx::UNIT_COLUMNS);
    assert_eq!(units.get_value((4, 1)), Some(&Data::String("Bình Chánh <&> \"Tây\"".into())));
    assert_eq!(units.get_value((4, 7)), Some(&Data::Float(400.0)));
    assert_eq!(units.get_value((4, 8)), Some(&Data::Float(0.5)));
    // The total row matches the report's total.
    let total = report.figures.total();
    assert_eq!(units.get_value((6, 6)), Some(&Data::Float(total.households as f64)));
    assert_eq!(units.get_value((6, 7)), Some(&Data::Float(total.households_pledged as f64)));
    assert_eq!(units.get_value((6, 10)), Some(&Data::Float(9.0)));
    assert_eq!(units.get_value((6, 8)), Some(&Data::Float(0.783)), "3.134/4.000 as the DOCX shows it: 78,3%");

    let tasks = book.worksheet_range(reports::xlsx::TASKS_SHEET).unwrap();
    assert_eq!(tasks.get_value((3, 0)), Some(&Data::String("3.2".into())));
    assert_eq!(tasks.get_value((3, 2)), Some(&Data::String("30/05/2023".into())));
}

#[test]
fn file_names_carry_no_diacritics() {
    assert_eq!(sample().file_stem(), "bao-cao-6-month-2023-ban-thuong-truc-uy-ban-mttq-viet-nam-huyen-binh-son");
}
