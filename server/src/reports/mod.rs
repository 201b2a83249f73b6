//! Milestone reports a committee files upward: the figures (filled in from synced data through
//! core's progress), the narrative the committee edits, and the two renderings (DOCX, XLSX).
//! Pages and reports show the same `ReportFigures`, so their numbers cannot disagree.

pub mod docx;
pub mod xlsx;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sotay_core::percent::Percent;

/// The three reviews of a plan year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Milestone {
    #[serde(rename = "6_month")]
    SixMonth,
    #[serde(rename = "9_month")]
    NineMonth,
    Annual,
}

impl Milestone {
    pub const ALL: [Milestone; 3] = [Milestone::SixMonth, Milestone::NineMonth, Milestone::Annual];

    /// The code plans use in `milestones[].code`.
    pub fn code(self) -> &'static str {
        match self {
            Milestone::SixMonth => "6_month",
            Milestone::NineMonth => "9_month",
            Milestone::Annual => "annual",
        }
    }

    pub fn from_code(code: &str) -> Option<Milestone> {
        Milestone::ALL.into_iter().find(|m| m.code() == code)
    }

    /// "Sơ kết 6 tháng", as it starts a report's subtitle.
    pub fn name_vi(self) -> &'static str {
        match self {
            Milestone::SixMonth => "Sơ kết 6 tháng",
            Milestone::NineMonth => "Sơ kết 9 tháng",
            Milestone::Annual => "Tổng kết năm",
        }
    }
}

/// One target of the plan and how far the units reached it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetFigure {
    pub code: String,
    pub text: String,
    pub threshold_pct: u32,
    /// What is counted, in words: "đơn vị MTTQ cấp xã", "khu dân cư".
    pub measured_over: String,
    pub achieved: u64,
    pub total: u64,
}

impl TargetFigure {
    pub fn percent(&self) -> Percent {
        Percent::of(self.achieved, self.total)
    }

    /// Met when the share reaches the threshold (nothing to count is not "met"); exact, and the
    /// same answer as the shown figure gives (`Percent::reaches`).
    pub fn met(&self) -> bool {
        self.total > 0 && self.percent().reaches(self.threshold_pct)
    }
}

/// The figures of one unit (a commune in a district report, a village in a commune report).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UnitFigures {
    /// The unit the row is about (links on the pages; not printed).
    #[serde(default)]
    pub unit: Option<uuid::Uuid>,
    pub name: String,
    /// Awareness activities held, and how many of them were on new child-protection law.
    pub activities: u64,
    pub new_law_activities: u64,
    /// People reached by those activities.
    pub audience: u64,
    /// Conferences with sealed minutes.
    pub meetings: u64,
    pub households: u64,
    pub households_pledged: u64,
    pub clans_pledged: u64,
    pub residential_areas: u64,
    /// Residential areas that built a model or folded the content in (target 2).
    pub residential_areas_achieved: u64,
    /// Door-to-door visits recorded.
    pub visits: u64,
    /// Checklist tasks past their due date and not done (in the unit or below).
    #[serde(default)]
    pub overdue_tasks: u64,
}

impl UnitFigures {
    pub fn pledge_percent(&self) -> Percent {
        Percent::of(self.households_pledged, self.households)
    }

    pub fn residential_area_percent(&self) -> Percent {
        Percent::of(self.residential_areas_achieved, self.residential_areas)
    }

    /// Sum of several units (the "Tổng cộng" row).
    pub fn total(name: &str, rows: &[UnitFigures]) -> UnitFigures {
        let mut t = UnitFigures { name: name.to_string(), ..Default::default() };
        for r in rows {
            t.activities += r.activities;
            t.new_law_activities += r.new_law_activities;
            t.audience += r.audience;
            t.meetings += r.meetings;
            t.households += r.households;
            t.households_pledged += r.households_pledged;
            t.clans_pledged += r.clans_pledged;
            t.residential_areas += r.residential_areas;
            t.residential_areas_achieved += r.residential_areas_achieved;
            t.visits += r.visits;
            t.overdue_tasks += r.overdue_tasks;
        }
        t
    }
}

/// One item of the unit's checklist as the report lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskLine {
    pub code: String,
    pub title: String,
    pub due: Option<NaiveDate>,
    /// Vietnamese status label ("Đã hoàn thành", ...).
    pub status: String,
    pub done: bool,
}

/// Everything measured for one unit at one milestone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportFigures {
    pub targets: Vec<TargetFigure>,
    /// One row per unit directly below the reporting unit.
    pub rows: Vec<UnitFigures>,
    pub tasks: Vec<TaskLine>,
}

impl ReportFigures {
    pub fn total(&self) -> UnitFigures {
        UnitFigures::total("Tổng cộng", &self.rows)
    }
}

/// A heading and the paragraphs under it, which the committee writes or edits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Narrative {
    pub heading: String,
    pub paragraphs: Vec<String>,
}

/// Who signs: "TM. BAN THƯỜNG TRỰC" / "PHÓ CHỦ TỊCH" / "Lê Văn Thành".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signer {
    pub on_behalf: String,
    pub title: String,
    pub name: String,
}

/// A milestone report in the administrative format of Decree 30/2020/NĐ-CP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MilestoneReport {
    /// Upper body, e.g. "ỦY BAN MTTQ VIỆT NAM TỈNH QUẢNG NGÃI".
    pub upper_body: String,
    /// Issuing body, e.g. "BAN THƯỜNG TRỰC ỦY BAN MTTQ VIỆT NAM HUYỆN BÌNH SƠN".
    pub issuing_body: String,
    /// Number and symbol, e.g. "15/BC-MTTQ-BTT" (left blank to fill by hand: "   /BC-MTTQ-BTT").
    pub number: String,
    pub place: String,
    pub date: NaiveDate,
    pub milestone: Milestone,
    /// The programme, e.g. "thực hiện Chương trình phòng, chống ... năm 2023".
    pub subject: String,
    /// The plan being reported on, e.g. "Kế hoạch số 12/KH-MTTQ-BTT ngày 29/3/2023 của ...".
    pub plan_reference: String,
    /// Who the report speaks for, e.g. "Ban Thường trực Ủy ban MTTQ Việt Nam xã Bình Hải".
    pub reporting_body: String,
    /// The level of the rows ("xã, thị trấn" or "thôn, tổ dân phố").
    pub rows_level: String,
    pub figures: ReportFigures,
    pub narrative: Vec<Narrative>,
    pub recipients: Vec<String>,
    pub signer: Signer,
}

impl MilestoneReport {
    /// "Báo cáo sơ kết 6 tháng thực hiện ..." without the word "Báo cáo".
    pub fn subtitle(&self) -> String {
        format!("{} {}", self.milestone.name_vi(), self.subject)
    }

    /// "Bình Sơn, ngày 05 tháng 6 năm 2023" (day with two digits, month without, as usual).
    pub fn place_and_date(&self) -> String {
        place_and_date(&self.place, self.date)
    }

    /// A file name without diacritics, safe in a Content-Disposition header.
    pub fn file_stem(&self) -> String {
        let unit: String = sotay_core::text::fold(&self.reporting_body)
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let unit = unit.split('-').filter(|s| !s.is_empty()).collect::<Vec<_>>().join("-");
        format!("bao-cao-{}-{}-{}", self.milestone.code().replace('_', "-"), self.date.format("%Y"), unit)
    }
}

/// The narrative headings of a report with placeholders the committee replaces.
pub fn default_narrative() -> Vec<Narrative> {
    let hint = |s: &str| format!("[{s}]");
    vec![
        Narrative {
            heading: "II. ĐÁNH GIÁ CHUNG".into(),
            paragraphs: vec![
                format!("1. Ưu điểm: {}", hint("nêu những kết quả nổi bật, cách làm hay, mô hình hiệu quả")),
                format!("2. Hạn chế và nguyên nhân: {}", hint("nêu những việc chưa làm được, nguyên nhân chủ quan, khách quan")),
            ],
        },
        Narrative {
            heading: "III. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI".into(),
            paragraphs: vec![hint("nêu các nhiệm vụ trọng tâm trong thời gian tới")],
        },
        Narrative {
            heading: "IV. KIẾN NGHỊ, ĐỀ XUẤT".into(),
            paragraphs: vec![hint("nêu kiến nghị với cấp trên, nếu có")],
        },
    ]
}

/// "12.345": thousands separated by dots, as Vietnamese documents write numbers.
pub fn format_count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// "Bình Sơn, ngày 05 tháng 6 năm 2023": Decree 30 writes days and months below 10 with a
/// leading zero only for days 1–9 and months 1–2 ("ngày 05 tháng 02"); other months plain.
pub fn place_and_date(place: &str, d: NaiveDate) -> String {
    use chrono::Datelike;
    let month = if d.month() < 3 { format!("{:02}", d.month()) } else { d.month().to_string() };
    format!("{place}, ngày {:02} tháng {month} năm {}", d.day(), d.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_the_vietnamese_way() {
        assert_eq!(format_count(100_000), "100.000");
        assert_eq!(format_count(999), "999");
        assert_eq!(format_count(1_234_567), "1.234.567");
    }

    #[test]
    fn the_date_line_follows_decree_30() {
        let d = NaiveDate::from_ymd_opt(2023, 6, 5).unwrap();
        assert_eq!(place_and_date("Bình Sơn", d), "Bình Sơn, ngày 05 tháng 6 năm 2023");
        let d = NaiveDate::from_ymd_opt(2023, 2, 14).unwrap();
        assert_eq!(place_and_date("Bình Sơn", d), "Bình Sơn, ngày 14 tháng 02 năm 2023");
    }

    #[test]
    fn a_target_is_met_at_its_threshold_and_not_below() {
        let mut t = TargetFigure {
            code: "2".into(),
            text: "80% KDC".into(),
            threshold_pct: 80,
            measured_over: "khu dân cư".into(),
            achieved: 8,
            total: 10,
        };
        assert!(t.met());
        assert_eq!(t.percent().text(), "80%");
        (t.achieved, t.total) = (7996, 10_000);
        assert!(!t.met());
        assert_eq!(t.percent().text(), "79,9%", "floored: never shown as 80% while below it");
        t.achieved = 7;
        assert!(!t.met());
        t.total = 0;
        t.achieved = 0;
        assert!(!t.met());
    }
}
