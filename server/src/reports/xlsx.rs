//! The tables underneath a milestone report as a workbook: targets, figures per unit, checklist.
//! Percentages are real numbers with a percent format, so the sheet can be summed and charted;
//! their value is the figure the pages and the DOCX show (`sotay_core::percent`, floored to a
//! tenth of a percent), so the three never disagree.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use super::{MilestoneReport, UnitFigures};

pub const TARGETS_SHEET: &str = "Chỉ tiêu";
pub const UNITS_SHEET: &str = "Theo đơn vị";
pub const TASKS_SHEET: &str = "Nhiệm vụ";

pub const UNIT_COLUMNS: [&str; 14] = [
    "TT",
    "Đơn vị",
    "Hoạt động tuyên truyền",
    "Về pháp luật mới",
    "Lượt người dự",
    "Hội nghị",
    "Số hộ",
    "Hộ cam kết",
    "Tỷ lệ hộ cam kết",
    "Số KDC",
    "KDC đạt",
    "Tỷ lệ KDC đạt",
    "Tộc họ cam kết",
    "Lượt đến hộ",
];

/// The workbook as bytes.
pub fn render(report: &MilestoneReport) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let title = Format::new().set_bold().set_font_size(13);
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin)
        .set_background_color("DDEBF7");
    let cell = Format::new().set_border(FormatBorder::Thin);
    let pct = Format::new().set_border(FormatBorder::Thin).set_num_format("0.0%");
    let bold = Format::new().set_border(FormatBorder::Thin).set_bold();
    let bold_pct = Format::new().set_border(FormatBorder::Thin).set_bold().set_num_format("0.0%");

    let heading = format!("{} — {} {}", report.reporting_body, report.milestone.name_vi(), report.subject);

    let sheet = book.add_worksheet();
    sheet.set_name(TARGETS_SHEET)?;
    sheet.write_string_with_format(0, 0, &heading, &title)?;
    sheet.write_string(1, 0, report.place_and_date())?;
    let cols = ["Chỉ tiêu", "Nội dung", "Ngưỡng", "Đạt", "Tổng số", "Tỷ lệ", "Kết quả"];
    write_header(sheet, 3, &cols, &head)?;
    for (i, t) in report.figures.targets.iter().enumerate() {
        let r = 4 + i as u32;
        sheet.write_string_with_format(r, 0, &t.code, &cell)?;
        sheet.write_string_with_format(r, 1, &t.text, &cell)?;
        sheet.write_number_with_format(r, 2, f64::from(t.threshold_pct) / 100.0, &pct)?;
        sheet.write_number_with_format(r, 3, t.achieved as f64, &cell)?;
        sheet.write_number_with_format(r, 4, t.total as f64, &cell)?;
        sheet.write_number_with_format(r, 5, t.percent().fraction(), &pct)?;
        sheet.write_string_with_format(r, 6, if t.met() { "Đạt" } else { "Chưa đạt" }, &cell)?;
    }
    sheet.set_column_width(0, 9)?;
    sheet.set_column_width(1, 70)?;
    for c in 2..=6 {
        sheet.set_column_width(c, 11)?;
    }

    let sheet = book.add_worksheet();
    sheet.set_name(UNITS_SHEET)?;
    sheet.write_string_with_format(0, 0, &heading, &title)?;
    write_header(sheet, 2, &UNIT_COLUMNS, &head)?;
    sheet.set_row_height(2, 45)?;
    let rows = &report.figures.rows;
    for (i, u) in rows.iter().enumerate() {
        write_unit(sheet, 3 + i as u32, &(i + 1).to_string(), u, &cell, &pct)?;
    }
    write_unit(sheet, 3 + rows.len() as u32, "", &report.figures.total(), &bold, &bold_pct)?;
    sheet.set_column_width(0, 5)?;
    sheet.set_column_width(1, 28)?;
    for c in 2..UNIT_COLUMNS.len() as u16 {
        sheet.set_column_width(c, 12)?;
    }
    sheet.set_freeze_panes(3, 2)?;

    let sheet = book.add_worksheet();
    sheet.set_name(TASKS_SHEET)?;
    sheet.write_string_with_format(0, 0, &heading, &title)?;
    write_header(sheet, 2, &["Mã", "Nhiệm vụ", "Hạn", "Trạng thái"], &head)?;
    for (i, t) in report.figures.tasks.iter().enumerate() {
        let r = 3 + i as u32;
        sheet.write_string_with_format(r, 0, &t.code, &cell)?;
        sheet.write_string_with_format(r, 1, &t.title, &cell)?;
        let due = t.due.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default();
        sheet.write_string_with_format(r, 2, due, &cell)?;
        sheet.write_string_with_format(r, 3, &t.status, &cell)?;
    }
    sheet.set_column_width(0, 10)?;
    sheet.set_column_width(1, 60)?;
    sheet.set_column_width(2, 12)?;
    sheet.set_column_width(3, 18)?;

    book.save_to_buffer()
}

fn write_header(sheet: &mut Worksheet, row: u32, cols: &[&str], format: &Format) -> Result<(), XlsxError> {
    for (c, name) in cols.iter().enumerate() {
        sheet.write_string_with_format(row, c as u16, *name, format)?;
    }
    Ok(())
}

fn write_unit(
    sheet: &mut Worksheet,
    row: u32,
    index: &str,
    u: &UnitFigures,
    cell: &Format,
    pct: &Format,
) -> Result<(), XlsxError> {
    sheet.write_string_with_format(row, 0, index, cell)?;
    sheet.write_string_with_format(row, 1, &u.name, cell)?;
    let counts = [u.activities, u.new_law_activities, u.audience, u.meetings, u.households, u.households_pledged];
    for (i, n) in counts.iter().enumerate() {
        sheet.write_number_with_format(row, 2 + i as u16, *n as f64, cell)?;
    }
    sheet.write_number_with_format(row, 8, u.pledge_percent().fraction(), pct)?;
    sheet.write_number_with_format(row, 9, u.residential_areas as f64, cell)?;
    sheet.write_number_with_format(row, 10, u.residential_areas_achieved as f64, cell)?;
    sheet.write_number_with_format(row, 11, u.residential_area_percent().fraction(), pct)?;
    sheet.write_number_with_format(row, 12, u.clans_pledged as f64, cell)?;
    sheet.write_number_with_format(row, 13, u.visits as f64, cell)?;
    Ok(())
}
