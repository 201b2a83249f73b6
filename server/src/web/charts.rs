//! SVG charts drawn by the server: one horizontal band per unit with a bar per series (share in
//! percent) against the target lines (100%, 80%). No script, a few kilobytes, readable printed.
//! Built with maud so every label is escaped.

use maud::{Markup, html};

use sotay_core::percent::Percent;

/// One kind of bar, e.g. "KDC đạt chỉ tiêu 2".
pub struct Series {
    pub name: String,
    pub color: &'static str,
}

/// One unit: its name, where it links, a yes/no mark (e.g. target 1 reached) and one share per
/// series.
pub struct ChartRow {
    pub label: String,
    pub href: Option<String>,
    pub flag: Option<bool>,
    pub values: Vec<Percent>,
}

/// A vertical line at a target share, e.g. 80% "Chỉ tiêu 2".
pub struct ReferenceLine {
    pub pct: f64,
    pub label: String,
    pub color: &'static str,
    pub dashed: bool,
}

/// Colours that stay apart for people with red-green colour blindness and on grey printers.
pub const BLUE: &str = "#1f5fa8";
pub const TEAL: &str = "#2a9d8f";
pub const ORANGE: &str = "#d9822b";
pub const DARK: &str = "#333333";
const GREEN: &str = "#1b7f3b";
const RED: &str = "#b42318";

const WIDTH: f64 = 720.0;
const LABEL_W: f64 = 190.0;
const PLOT_W: f64 = 460.0;
const BAR_H: f64 = 11.0;
const BAR_GAP: f64 = 3.0;
const ROW_PAD: f64 = 10.0;
const TOP: f64 = 58.0;

fn x_of(pct: f64) -> f64 {
    LABEL_W + PLOT_W * pct.clamp(0.0, 100.0) / 100.0
}

fn fmt(v: f64) -> String {
    format!("{v:.1}")
}

/// Where each legend entry starts, then where the flag's entry goes after them.
fn legend_offsets(series: &[Series]) -> Vec<f64> {
    let mut x = 8.0;
    let mut out = vec![x];
    for s in series {
        x += 28.0 + s.name.chars().count() as f64 * 7.0;
        out.push(x);
    }
    out
}

/// The chart as an inline `<svg>` element (also valid as a standalone SVG document).
pub fn bar_chart(title: &str, series: &[Series], rows: &[ChartRow], lines: &[ReferenceLine], flag_legend: Option<&str>) -> Markup {
    let row_h = series.len().max(1) as f64 * (BAR_H + BAR_GAP) + ROW_PAD;
    let height = TOP + row_h * rows.len().max(1) as f64 + 26.0;
    let plot_bottom = height - 22.0;
    html! {
        svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label=(title)
            viewBox=(format!("0 0 {WIDTH} {}", fmt(height))) width="100%"
            font-family="system-ui, sans-serif" font-size="13" {
            title { (title) }
            // Legend.
            @let offsets = legend_offsets(series);
            @for (s, lx) in series.iter().zip(offsets.iter().copied()) {
                rect x=(fmt(lx)) y="6" width="12" height="12" fill=(s.color) {}
                text x=(fmt(lx + 17.0)) y="17" { (s.name) }
            }
            @let lx = offsets.last().copied().unwrap_or(8.0);
            @if let Some(legend) = flag_legend {
                circle cx=(fmt(lx + 6.0)) cy="12" r="5" fill=(GREEN) {}
                text x=(fmt(lx + 17.0)) y="17" { (legend) }
            }
            // Grid and axis labels every 20%.
            @for tick in [0, 20, 40, 60, 80, 100] {
                line x1=(fmt(x_of(tick as f64))) x2=(fmt(x_of(tick as f64))) y1=(fmt(TOP - 8.0)) y2=(fmt(plot_bottom))
                    stroke="#e3e3e3" {}
                text x=(fmt(x_of(tick as f64))) y=(fmt(height - 6.0)) text-anchor="middle" fill="#666" font-size="11" { (tick) "%" }
            }
            @for (i, row) in rows.iter().enumerate() {
                @let y = TOP + i as f64 * row_h;
                g {
                    title { (row.label) @for (s, v) in series.iter().zip(&row.values) { " — " (s.name) ": " (v.text()) } }
                    @if let Some(flag) = row.flag {
                        circle cx="10" cy=(fmt(y + row_h / 2.0 - ROW_PAD / 2.0)) r="5" fill=(if flag { GREEN } else { RED }) {}
                    }
                    @let label_y = fmt(y + row_h / 2.0 - ROW_PAD / 2.0 + 4.0);
                    @if let Some(href) = &row.href {
                        a href=(href) {
                            text x=(fmt(LABEL_W - 8.0)) y=(label_y) text-anchor="end" fill=(BLUE) { (truncate(&row.label, 24)) }
                        }
                    } @else {
                        text x=(fmt(LABEL_W - 8.0)) y=(label_y) text-anchor="end" { (truncate(&row.label, 24)) }
                    }
                    @for (j, (s, v)) in series.iter().zip(&row.values).enumerate() {
                        @let by = y + j as f64 * (BAR_H + BAR_GAP);
                        rect x=(fmt(LABEL_W)) y=(fmt(by)) width=(fmt(x_of(v.value()) - LABEL_W)) height=(fmt(BAR_H)) fill=(s.color) {}
                        text x=(fmt(x_of(v.value()) + 4.0)) y=(fmt(by + BAR_H - 1.0)) font-size="11" fill="#333" { (v.text()) }
                    }
                }
            }
            // Target lines on top of the bars.
            @for l in lines {
                line x1=(fmt(x_of(l.pct))) x2=(fmt(x_of(l.pct))) y1=(fmt(TOP - 14.0)) y2=(fmt(plot_bottom))
                    stroke=(l.color) stroke-width="2" stroke-dasharray=[l.dashed.then_some("6 4")] {}
                text x=(fmt(x_of(l.pct))) y=(fmt(TOP - 18.0)) text-anchor="middle" fill=(l.color) font-size="12" font-weight="bold" { (l.label) }
            }
        }
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(rows: Vec<ChartRow>) -> String {
        bar_chart(
            "Tiến độ theo xã",
            &[Series { name: "KDC đạt".into(), color: BLUE }, Series { name: "Hộ cam kết".into(), color: TEAL }],
            &rows,
            &[
                ReferenceLine { pct: 100.0, label: "100%".into(), color: DARK, dashed: false },
                ReferenceLine { pct: 80.0, label: "80%".into(), color: ORANGE, dashed: true },
            ],
            Some("Đã tuyên truyền pháp luật mới"),
        )
        .into_string()
    }

    #[test]
    fn bars_are_proportional_and_lines_sit_at_their_share() {
        let svg = chart(vec![ChartRow { label: "Bình Hải".into(), href: Some("/don-vi/1".into()), flag: Some(true), values: vec![Percent::of(1, 2), Percent::of(1, 1)] }]);
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let rects: Vec<f64> = doc
            .descendants()
            .filter(|n| n.has_tag_name("rect") && n.attribute("height") == Some("11.0"))
            .map(|n| n.attribute("width").unwrap().parse().unwrap())
            .collect();
        assert_eq!(rects, vec![PLOT_W / 2.0, PLOT_W]);
        let line_at = |label: &str| {
            let text = doc.descendants().find(|n| n.has_tag_name("text") && n.text() == Some(label)).unwrap();
            text.attribute("x").unwrap().parse::<f64>().unwrap()
        };
        assert_eq!(line_at("80%"), LABEL_W + PLOT_W * 0.8);
        assert_eq!(line_at("100%"), LABEL_W + PLOT_W);
        assert!(svg.contains("href=\"/don-vi/1\""));
    }

    #[test]
    fn labels_are_escaped() {
        let svg = chart(vec![ChartRow { label: "<script>x</script>".into(), href: None, flag: None, values: vec![Percent::default(), Percent::default()] }]);
        assert!(!svg.contains("<script>"));
        assert!(roxmltree::Document::parse(&svg).is_ok());
    }
}
