//! The overview of a plan for the viewer's unit: each target against its threshold, progress per
//! unit below (chart and table), reporting deadlines coming up, and units that are late.

use axum::extract::{Query, State};
use axum::response::Html;
use chrono::NaiveDate;
use maud::{Markup, html};
use serde::Deserialize;
use uuid::Uuid;

use crate::reports::{ReportFigures, format_count};
use crate::state::AppState;

use super::charts::{self, ChartRow, ReferenceLine, Series};
use super::context::Ctx;
use super::error::WebResult;
use super::figures::{self, Deadline, FilingStatus};
use super::layout::{Nav, date_vi, meter, page};
use super::session::Session;

#[derive(Deserialize, Default)]
pub struct PlanQuery {
    pub plan: Option<Uuid>,
}

pub async fn overview(State(state): State<AppState>, session: Session, Query(q): Query<PlanQuery>) -> WebResult<Html<String>> {
    let ctx = Ctx::load(&state).await?;
    let unit = session.unit();
    let unit_name = ctx.full_name(unit);
    let viewer = ctx.viewer(&session, &unit_name);
    let Some(plan) = figures::current_plan(&state, &ctx, unit, q.plan).await? else {
        let body = html! {
            h1 { "Tổng quan" }
            div.card {
                p { "Chưa có kế hoạch nào áp dụng cho " (unit_name) "." }
                @if session.is_admin() { p { a.button href="/plans" { "Lập kế hoạch năm" } } }
            }
        };
        return Ok(Html(page(&viewer, "Tổng quan", Nav::Overview, None, body).into_string()));
    };
    let view = figures::unit_view(&state, &ctx, &plan, unit).await?;
    let body = html! { h1 { "Tổng quan: " (unit_name) } (render(&ctx, &plan, &view)) };
    Ok(Html(page(&viewer, "Tổng quan", Nav::Overview, None, body).into_string()))
}

/// The figures of one unit under a plan (the overview, and the top of a unit's page).
pub fn render(ctx: &Ctx, plan: &sotay_core::plans::Plan, view: &figures::UnitView) -> Markup {
    let f = &view.figures;
    html! {
        p.sub {
            "Kế hoạch " @if !plan.number.is_empty() { "số " (plan.number) " " } "ngày " (date_vi(plan.issued_on)) ": " (plan.title)
            " · Số liệu đến ngày " (date_vi(ctx.today))
        }
        (targets(f))
        (deadlines_and_late(ctx, &view.deadlines, &view.late))
        @if !f.rows.is_empty() {
            h2 { "Tiến độ theo " (view.rows_level) }
            div.card { (chart(f, view.rows_are_communes)) }
            (unit_table(f, &view.filing, view.rows_are_communes))
        }
    }
}

fn targets(f: &ReportFigures) -> Markup {
    html! {
        div.grid {
            @for t in &f.targets {
                div.kpi {
                    div.label { "Chỉ tiêu " (t.code) ": " (t.text) }
                    div.value {
                        (t.percent()) " "
                        small { (format_count(t.achieved)) "/" (format_count(t.total)) " " (t.measured_over) }
                    }
                    (meter(t.percent(), Some(t.threshold_pct)))
                    @if t.met() { span.badge.ok { "Đạt chỉ tiêu " (t.threshold_pct) "%" } }
                    @else { span.badge.warn { "Chưa đạt, cần " (t.threshold_pct) "%" } }
                }
            }
            @let total = f.total();
            div.kpi {
                div.label { "Hộ gia đình đăng ký cam kết" }
                div.value { (total.pledge_percent()) " " small { (format_count(total.households_pledged)) "/" (format_count(total.households)) " hộ" } }
                (meter(total.pledge_percent(), None))
                span.muted { (format_count(total.visits)) " lượt đến hộ · " (format_count(total.clans_pledged)) " tộc họ cam kết" }
            }
        }
    }
}

fn deadlines_and_late(ctx: &Ctx, deadlines: &[Deadline], late: &[figures::Late]) -> Markup {
    html! {
        div.two {
            div.card {
                h2 style="margin-top:0" { "Hạn sắp tới" }
                @if deadlines.is_empty() { p.muted { "Không có hạn nào trong thời gian tới." } }
                ul {
                    @for d in deadlines {
                        li {
                            strong { (date_vi(d.due)) } " — " (d.what)
                            " " (days_left(ctx.today, d.due))
                        }
                    }
                }
            }
            div.card {
                h2 style="margin-top:0" { "Đơn vị chậm" }
                @if late.is_empty() { p.ok { "Không có đơn vị nào chậm." } }
                ul {
                    @for (unit, items) in group_late(late) {
                        li {
                            a href=(format!("/units/{}", unit.unit)) { (unit.unit_name) } ": "
                            @for (i, l) in items.iter().enumerate() {
                                @if i > 0 { "; " }
                                (l.what)
                                @if l.due < ctx.today { " " span.badge.late { "hạn " (date_vi(l.due)) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Late items of the same unit together, in the order the units first appear.
fn group_late(late: &[figures::Late]) -> Vec<(&figures::Late, Vec<&figures::Late>)> {
    let mut out: Vec<(&figures::Late, Vec<&figures::Late>)> = Vec::new();
    for l in late {
        match out.iter_mut().find(|(first, _)| first.unit == l.unit) {
            Some((_, items)) => items.push(l),
            None => out.push((l, vec![l])),
        }
    }
    out
}

fn days_left(today: NaiveDate, due: NaiveDate) -> Markup {
    let days = (due - today).num_days();
    html! {
        @if days < 0 { span.badge.late { "quá hạn " (-days) " ngày" } }
        @else if days == 0 { span.badge.warn { "hôm nay" } }
        @else if days <= 14 { span.badge.warn { "còn " (days) " ngày" } }
        @else { span.badge.muted { "còn " (days) " ngày" } }
    }
}

fn chart(f: &ReportFigures, communes: bool) -> Markup {
    let rows: Vec<ChartRow> = f
        .rows
        .iter()
        .map(|r| ChartRow {
            label: r.name.clone(),
            href: r.unit.map(|u| format!("/units/{u}")),
            flag: communes.then_some(r.new_law_activities > 0),
            values: vec![r.residential_area_percent(), r.pledge_percent()],
        })
        .collect();
    charts::bar_chart(
        "Tiến độ theo đơn vị",
        &[
            Series { name: "KDC xây dựng mô hình (chỉ tiêu 80%)".into(), color: charts::BLUE },
            Series { name: "Hộ đăng ký cam kết".into(), color: charts::TEAL },
        ],
        &rows,
        &[
            ReferenceLine { pct: 100.0, label: "100%".into(), color: charts::DARK, dashed: false },
            ReferenceLine { pct: 80.0, label: "80%".into(), color: charts::ORANGE, dashed: true },
        ],
        communes.then_some("Đã tuyên truyền pháp luật mới"),
    )
}

fn unit_table(f: &ReportFigures, filing: &[FilingStatus], communes: bool) -> Markup {
    let total = f.total();
    html! {
        div.table-wrap {
            table #units {
                thead {
                    tr {
                        th { "Đơn vị" }
                        @if communes { th { "Tuyên truyền pháp luật mới" } }
                        th.num { "Hoạt động" }
                        th.num { "Hội nghị" }
                        th.num { "Hộ cam kết" }
                        th.num { "KDC đạt" }
                        th.num { "Lượt đến hộ" }
                        @if !filing.is_empty() { th { "Báo cáo" } }
                    }
                }
                tbody {
                    @for (i, r) in f.rows.iter().enumerate() {
                        tr {
                            td { @if let Some(u) = r.unit { a href=(format!("/units/{u}")) { (r.name) } } @else { (r.name) } }
                            @if communes {
                                td { @if r.new_law_activities > 0 { span.badge.ok { "Đã tổ chức" } } @else { span.badge.late { "Chưa" } } }
                            }
                            td.num { (format_count(r.activities)) }
                            td.num { (format_count(r.meetings)) }
                            td.num { (format_count(r.households_pledged)) "/" (format_count(r.households)) " (" (r.pledge_percent()) ")" }
                            td.num { (format_count(r.residential_areas_achieved)) "/" (format_count(r.residential_areas)) " (" (r.residential_area_percent()) ")" }
                            td.num { (format_count(r.visits)) }
                            @if let Some(s) = filing.get(i) { td { (s.badge()) } }
                        }
                    }
                    tr.total {
                        td { "Tổng cộng" }
                        @if communes { td { (f.rows.iter().filter(|r| r.new_law_activities > 0).count()) "/" (f.rows.len()) } }
                        td.num { (format_count(total.activities)) }
                        td.num { (format_count(total.meetings)) }
                        td.num { (format_count(total.households_pledged)) "/" (format_count(total.households)) " (" (total.pledge_percent()) ")" }
                        td.num { (format_count(total.residential_areas_achieved)) "/" (format_count(total.residential_areas)) " (" (total.residential_area_percent()) ")" }
                        td.num { (format_count(total.visits)) }
                        @if !filing.is_empty() { td {} }
                    }
                }
            }
        }
    }
}
