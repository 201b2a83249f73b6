//! The milestone report as a Word document in the administrative format of Decree 30/2020/NĐ-CP:
//! A4, Times New Roman, the issuing body on the left and the national motto on the right, number
//! and symbol, the place-and-date line in italics, title, body, recipients and signature block.

use docx_rs::{
    AlignmentType, BorderType, Docx, LineSpacing, PageMargin, Paragraph, RunFonts, Run,
    SpecialIndentType, Table, TableBorder, TableBorderPosition, TableBorders, TableCell,
    TableCellBorder, TableCellBorderPosition, TableCellBorders, TableRow, VAlignType, WidthType,
};

use super::{MilestoneReport, UnitFigures, format_count};

/// Twentieths of a point per millimetre (1 mm = 56.7 twips).
fn mm(v: f64) -> i32 {
    (v * 1440.0 / 25.4).round() as i32
}

/// A4 in twips.
const A4_WIDTH: u32 = 11906;
const A4_HEIGHT: u32 = 16838;
/// Margins inside the ranges Decree 30 allows (top/bottom 20–25, left 30–35, right 15–20 mm).
const MARGIN_TOP_MM: f64 = 20.0;
const MARGIN_BOTTOM_MM: f64 = 20.0;
const MARGIN_LEFT_MM: f64 = 30.0;
const MARGIN_RIGHT_MM: f64 = 15.0;
const FONT: &str = "Times New Roman";
/// Sizes in half-points.
const BODY: usize = 28; // 14 pt
const HEADER: usize = 26; // 13 pt
const TABLE: usize = 24; // 12 pt
const RECIPIENTS: usize = 22; // 11 pt

#[derive(Debug, thiserror::Error)]
#[error("the report could not be written: {0}")]
pub struct DocxError(String);

/// The report as DOCX bytes.
pub fn render(report: &MilestoneReport) -> Result<Vec<u8>, DocxError> {
    let text_width = text_width();
    let mut doc = Docx::new()
        .page_size(A4_WIDTH, A4_HEIGHT)
        .page_margin(
            PageMargin::new()
                .top(mm(MARGIN_TOP_MM))
                .bottom(mm(MARGIN_BOTTOM_MM))
                .left(mm(MARGIN_LEFT_MM))
                .right(mm(MARGIN_RIGHT_MM))
                .header(mm(10.0))
                .footer(mm(10.0)),
        )
        .default_fonts(fonts())
        .default_size(BODY)
        .add_table(header_block(report, text_width))
        .add_paragraph(blank())
        .add_paragraph(centered("BÁO CÁO", BODY, Style::Bold))
        .add_paragraph(centered(&report.subtitle(), BODY, Style::Bold))
        .add_paragraph(centered("—————", BODY, Style::Plain));

    for p in body(report) {
        doc = doc.add_paragraph(p);
    }
    doc = doc.add_table(unit_table(report, text_width));
    doc = doc.add_paragraph(blank());
    for section in &report.narrative {
        doc = doc.add_paragraph(heading(&section.heading));
        for text in &section.paragraphs {
            doc = doc.add_paragraph(body_paragraph(text));
        }
    }
    doc = doc
        .add_paragraph(body_paragraph(&format!(
            "Trên đây là báo cáo {} {} của {}./.",
            report.milestone.name_vi().to_lowercase(),
            report.subject,
            report.reporting_body
        )))
        .add_paragraph(blank())
        .add_table(closing_block(report, text_width));

    let mut out = std::io::Cursor::new(Vec::new());
    doc.build().pack(&mut out).map_err(|e| DocxError(e.to_string()))?;
    Ok(out.into_inner())
}

fn text_width() -> usize {
    (A4_WIDTH as i32 - mm(MARGIN_LEFT_MM) - mm(MARGIN_RIGHT_MM)).max(1) as usize
}

fn fonts() -> RunFonts {
    RunFonts::new().ascii(FONT).hi_ansi(FONT).cs(FONT).east_asia(FONT)
}

fn run(text: &str, size: usize) -> Run {
    Run::new().add_text(text).size(size).fonts(fonts())
}

/// How a run of text is set: Word applies bold and italic per run, not per paragraph.
#[derive(Clone, Copy, PartialEq)]
enum Style {
    Plain,
    Bold,
    Italic,
    BoldItalic,
}

fn styled(text: &str, size: usize, style: Style) -> Run {
    let r = run(text, size);
    match style {
        Style::Plain => r,
        Style::Bold => r.bold(),
        Style::Italic => r.italic(),
        Style::BoldItalic => r.bold().italic(),
    }
}

/// Single line spacing with a little room after, as official documents are set.
fn spacing(after: u32) -> LineSpacing {
    LineSpacing::new().before(0).after(after).line(276)
}

fn blank() -> Paragraph {
    Paragraph::new().add_run(run("", BODY)).line_spacing(spacing(0))
}

fn centered(text: &str, size: usize, style: Style) -> Paragraph {
    Paragraph::new().add_run(styled(text, size, style)).align(AlignmentType::Center).line_spacing(spacing(0))
}

/// A justified body paragraph with a first-line indent of 1 cm.
fn body_paragraph(text: &str) -> Paragraph {
    body_styled(text, Style::Plain)
}

fn body_styled(text: &str, style: Style) -> Paragraph {
    Paragraph::new()
        .add_run(styled(text, BODY, style))
        .align(AlignmentType::Both)
        .indent(None, Some(SpecialIndentType::FirstLine(mm(10.0))), None, None)
        .line_spacing(spacing(120))
}

fn heading(text: &str) -> Paragraph {
    body_styled(text, Style::Bold)
}

fn no_borders() -> TableBorders {
    TableBorders::with_empty()
        .set(TableBorder::new(TableBorderPosition::Top).border_type(BorderType::None))
        .set(TableBorder::new(TableBorderPosition::Bottom).border_type(BorderType::None))
        .set(TableBorder::new(TableBorderPosition::Left).border_type(BorderType::None))
        .set(TableBorder::new(TableBorderPosition::Right).border_type(BorderType::None))
        .set(TableBorder::new(TableBorderPosition::InsideH).border_type(BorderType::None))
        .set(TableBorder::new(TableBorderPosition::InsideV).border_type(BorderType::None))
}

fn plain_cell(width: usize, paragraphs: Vec<Paragraph>) -> TableCell {
    let mut cell = TableCell::new().width(width, WidthType::Dxa).set_borders(TableCellBorders::with_empty());
    for p in paragraphs {
        cell = cell.add_paragraph(p);
    }
    cell
}

/// The two columns at the top: issuing body and number on the left, motto and date on the right.
fn header_block(report: &MilestoneReport, width: usize) -> Table {
    // The motto line needs about 105 mm at 13 pt bold.
    let left_w = width * 9 / 25;
    let right_w = width - left_w;
    let left = vec![
        centered(&report.upper_body.to_uppercase(), HEADER, Style::Plain),
        centered(&report.issuing_body.to_uppercase(), HEADER, Style::Bold),
        centered("———", HEADER, Style::Plain),
        centered(&format!("Số: {}", report.number), HEADER, Style::Plain),
    ];
    let right = vec![
        centered("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", HEADER, Style::Bold),
        centered("Độc lập - Tự do - Hạnh phúc", BODY, Style::Bold),
        centered("———————————", HEADER, Style::Plain),
        centered(&report.place_and_date(), BODY, Style::Italic),
    ];
    Table::new(vec![TableRow::new(vec![plain_cell(left_w, left), plain_cell(right_w, right)])])
        .set_grid(vec![left_w, right_w])
        .width(width, WidthType::Dxa)
        .set_borders(no_borders())
}

/// Section I: the figures, in sentences a committee would write.
fn body(report: &MilestoneReport) -> Vec<Paragraph> {
    let f = &report.figures;
    let total = f.total();
    let mut out = vec![
        body_paragraph(&format!(
            "Thực hiện {}, {} báo cáo kết quả {} {} như sau:",
            report.plan_reference,
            report.reporting_body,
            report.milestone.name_vi().to_lowercase(),
            report.subject
        )),
        heading("I. KẾT QUẢ THỰC HIỆN"),
        heading("1. Kết quả thực hiện các chỉ tiêu"),
    ];
    for t in &f.targets {
        out.push(body_paragraph(&format!(
            "- Chỉ tiêu {} ({}% {}): đạt {}/{} {} ({}), {}.",
            t.code,
            t.threshold_pct,
            t.measured_over,
            format_count(t.achieved),
            format_count(t.total),
            t.measured_over,
            t.percent(),
            if t.met() { "đạt chỉ tiêu" } else { "chưa đạt chỉ tiêu" }
        )));
    }
    out.push(heading("2. Công tác tuyên truyền"));
    out.push(body_paragraph(&format!(
        "Tổ chức {} hoạt động tuyên truyền với {} lượt người tham dự; trong đó {} hoạt động tuyên truyền chính sách, pháp luật mới ban hành, có hiệu lực liên quan đến bảo vệ trẻ em.",
        format_count(total.activities),
        format_count(total.audience),
        format_count(total.new_law_activities)
    )));
    out.push(heading("3. Hội nghị và đăng ký cam kết"));
    out.push(body_paragraph(&format!(
        "Tổ chức {} hội nghị có biên bản; {}/{} hộ gia đình đăng ký cam kết ({}); {} tộc họ đăng ký cam kết; {}/{} khu dân cư xây dựng mô hình hoặc lồng ghép nội dung ({}); {} lượt đến hộ vận động.",
        format_count(total.meetings),
        format_count(total.households_pledged),
        format_count(total.households),
        total.pledge_percent(),
        format_count(total.clans_pledged),
        format_count(total.residential_areas_achieved),
        format_count(total.residential_areas),
        total.residential_area_percent(),
        format_count(total.visits)
    )));
    if !f.tasks.is_empty() {
        let done = f.tasks.iter().filter(|t| t.done).count();
        out.push(heading("4. Thực hiện các nhiệm vụ theo kế hoạch"));
        out.push(body_paragraph(&format!("Hoàn thành {}/{} nhiệm vụ:", done, f.tasks.len())));
        for t in &f.tasks {
            let due = t.due.map(|d| format!(", hạn {}", d.format("%d/%m/%Y"))).unwrap_or_default();
            out.push(body_paragraph(&format!("- {} {}{}: {}.", t.code, t.title, due, t.status)));
        }
    }
    out.push(body_paragraph(&format!("Kết quả cụ thể theo từng {}:", report.rows_level)));
    out
}

fn bordered_cell(text: &str, width: usize, bold: bool, align: AlignmentType) -> TableCell {
    let border = |pos| TableCellBorder::new(pos).border_type(BorderType::Single).size(4).color("000000");
    let borders = TableCellBorders::new()
        .set(border(TableCellBorderPosition::Top))
        .set(border(TableCellBorderPosition::Bottom))
        .set(border(TableCellBorderPosition::Left))
        .set(border(TableCellBorderPosition::Right));
    let p = Paragraph::new()
        .add_run(styled(text, TABLE, if bold { Style::Bold } else { Style::Plain }))
        .align(align)
        .line_spacing(spacing(0));
    TableCell::new()
        .width(width, WidthType::Dxa)
        .vertical_align(VAlignType::Center)
        .set_borders(borders)
        .add_paragraph(p)
}

/// The table of figures per unit, with a total row.
fn unit_table(report: &MilestoneReport, width: usize) -> Table {
    const HEADINGS: [&str; 7] = [
        "TT",
        "Đơn vị",
        "Hoạt động tuyên truyền (pháp luật mới)",
        "Hội nghị",
        "Hộ cam kết / tổng số hộ",
        "KDC đạt / tổng số KDC",
        "Tộc họ cam kết",
    ];
    // Relative widths of the columns.
    let weights = [6usize, 21, 17, 10, 18, 16, 12];
    let sum: usize = weights.iter().sum();
    let widths: Vec<usize> = weights.iter().map(|w| width * w / sum).collect();
    let head = TableRow::new(
        HEADINGS.iter().zip(&widths).map(|(h, w)| bordered_cell(h, *w, true, AlignmentType::Center)).collect(),
    );
    let row = |index: String, u: &UnitFigures, bold: bool| {
        let cells = [
            index,
            u.name.clone(),
            format!("{} ({})", format_count(u.activities), format_count(u.new_law_activities)),
            format_count(u.meetings),
            format!("{}/{} ({})", format_count(u.households_pledged), format_count(u.households), u.pledge_percent()),
            format!(
                "{}/{} ({})",
                format_count(u.residential_areas_achieved),
                format_count(u.residential_areas),
                u.residential_area_percent()
            ),
            format_count(u.clans_pledged),
        ];
        TableRow::new(
            cells
                .iter()
                .zip(&widths)
                .enumerate()
                .map(|(i, (c, w))| {
                    let align = if i == 1 { AlignmentType::Left } else { AlignmentType::Center };
                    bordered_cell(c, *w, bold, align)
                })
                .collect(),
        )
    };
    let mut rows = vec![head];
    for (i, u) in report.figures.rows.iter().enumerate() {
        rows.push(row((i + 1).to_string(), u, false));
    }
    rows.push(row(String::new(), &report.figures.total(), true));
    Table::new(rows).set_grid(widths).width(width, WidthType::Dxa)
}

/// Recipients on the left, the signature block on the right.
fn closing_block(report: &MilestoneReport, width: usize) -> Table {
    let left_w = width / 2;
    let right_w = width - left_w;
    let mut left = vec![
        Paragraph::new()
            .add_run(styled("Nơi nhận:", 24, Style::BoldItalic))
            .line_spacing(spacing(0)),
    ];
    for r in &report.recipients {
        left.push(Paragraph::new().add_run(run(&format!("- {r}"), RECIPIENTS)).line_spacing(spacing(0)));
    }
    let mut right = vec![
        centered(&report.signer.on_behalf.to_uppercase(), BODY, Style::Bold),
        centered(&report.signer.title.to_uppercase(), BODY, Style::Bold),
    ];
    for _ in 0..4 {
        right.push(blank());
    }
    right.push(centered(&report.signer.name, BODY, Style::Bold));
    Table::new(vec![TableRow::new(vec![plain_cell(left_w, left), plain_cell(right_w, right)])])
        .set_grid(vec![left_w, right_w])
        .width(width, WidthType::Dxa)
        .set_borders(no_borders())
}
