//! Reports: download a unit's milestone report (DOCX, XLSX), file it upward (recorded with the
//! time, late after the deadline in Vietnam), and, for the level above, who has filed, who is
//! late, and each filed report to read.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use maud::{Markup, html};
use serde::Deserialize;
use sotay_core::plans::Plan;
use uuid::Uuid;

use crate::reports::{self, Milestone, MilestoneReport, Narrative, ReportFigures, Signer, format_count};
use crate::state::AppState;
use crate::storage::ReportFiling;

use super::context::Ctx;
use super::error::{WebError, WebResult};
use super::figures;
use super::layout::{Nav, csrf_field, date_vi, datetime_vi, page};
use super::session::Session;

#[derive(Deserialize, Default)]
pub struct ReportsQuery {
    pub plan: Option<Uuid>,
}

/// The report of `unit` for `milestone` of `plan`, with today's figures and default narrative.
pub async fn build(state: &AppState, ctx: &Ctx, plan: &Plan, unit: Uuid, milestone: Milestone) -> WebResult<MilestoneReport> {
    let view = figures::unit_view(state, ctx, plan, unit).await?;
    Ok(report_of(ctx, plan, unit, milestone, view.rows_level, view.figures))
}

/// The report of `unit` for `milestone` of `plan` around figures already computed, dated
/// `ctx.today`, with the default narrative.
pub fn report_of(ctx: &Ctx, plan: &Plan, unit: Uuid, milestone: Milestone, rows_level: String, figures: ReportFigures) -> MilestoneReport {
    let tree = &ctx.tree;
    let parent = tree.get(unit).and_then(|u| u.parent);
    let committee = |u: Uuid| format!("Ủy ban MTTQ Việt Nam {}", lower_level(&ctx.full_name(u)));
    // Decree 30: the body above (the unit's committee) over the issuing body (its standing board).
    let upper_body = committee(unit);
    let reporting_body = format!("Ban Thường trực {}", committee(unit));
    let subject = {
        let t = plan.title.trim();
        let t = t.strip_prefix("Triển khai ").unwrap_or(t);
        format!("thực hiện {t}")
    };
    let plan_reference = format!(
        "Kế hoạch {}ngày {} của {}",
        if plan.number.is_empty() { String::new() } else { format!("số {} ", plan.number) },
        plan.issued_on.format("%d/%m/%Y"),
        plan.issuer_name
    );
    let mut recipients = Vec::new();
    if let Some(p) = parent {
        recipients.push(format!("Ban Thường trực {} (B/c)", committee(p)));
    }
    recipients.push(format!("Cấp ủy, chính quyền {} (B/c)", lower_level(&ctx.full_name(unit))));
    recipients.push("Lưu.".into());
    MilestoneReport {
        upper_body,
        issuing_body: "Ban Thường trực".into(),
        number: "      /BC-MTTQ-BTT".into(),
        place: bare_name(&ctx.name(unit), ctx.tree.get(unit).map(|u| u.level.as_str()).unwrap_or("")),
        date: ctx.today,
        milestone,
        subject,
        plan_reference,
        reporting_body,
        rows_level,
        figures,
        narrative: reports::default_narrative(),
        recipients,
        // The plan's signer signs the issuing unit's reports; others fill in their own.
        signer: if plan.issuer == unit {
            Signer {
                on_behalf: if plan.signer.on_behalf_of.is_empty() { "TM. Ban Thường trực".into() } else { plan.signer.on_behalf_of.clone() },
                title: plan.signer.title.clone(),
                name: plan.signer.name.clone(),
            }
        } else {
            Signer { on_behalf: "TM. Ban Thường trực".into(), title: "Chủ tịch".into(), name: "[Họ và tên]".into() }
        },
    }
}

/// "Huyện Bình Sơn" → "Bình Sơn": the place line names the place without its level.
fn bare_name(name: &str, level: &str) -> String {
    let folded_level = sotay_core::text::fold(level);
    let words: Vec<&str> = name.split_whitespace().collect();
    let n = level.split_whitespace().count();
    if n > 0 && words.len() > n && sotay_core::text::fold(&words[..n].join(" ")) == folded_level {
        words[n..].join(" ")
    } else {
        name.to_string()
    }
}

/// "Huyện Bình Sơn" → "huyện Bình Sơn" inside a sentence.
fn lower_level(name: &str) -> String {
    let mut c = name.chars();
    match c.next() {
        Some(first) => first.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

fn milestone_path(code: &str) -> WebResult<Milestone> {
    Milestone::from_code(code).ok_or_else(|| WebError::not_found("Không có kỳ báo cáo này."))
}

/// `GET /reports/{unit}/{milestone}/{format}`: the report as DOCX or XLSX.
pub async fn download(
    State(state): State<AppState>,
    session: Session,
    Path((unit, milestone, format)): Path<(Uuid, String, String)>,
    Query(q): Query<ReportsQuery>,
) -> WebResult<Response> {
    let ctx = Ctx::load(&state).await?;
    ctx.require_visible(&session, unit)?;
    let milestone = milestone_path(&milestone)?;
    let plan = figures::current_plan(&state, &ctx, unit, q.plan).await?.ok_or_else(|| WebError::not_found("Chưa có kế hoạch."))?;
    let report = build(&state, &ctx, &plan, unit, milestone).await?;
    send(&report, &format)
}

fn send(report: &MilestoneReport, format: &str) -> WebResult<Response> {
    let (bytes, mime, ext) = match format {
        "docx" => (
            reports::docx::render(report).map_err(WebError::internal)?,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
        ),
        "xlsx" => (
            reports::xlsx::render(report).map_err(WebError::internal)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        _ => return Err(WebError::not_found("Chỉ có bản DOCX và XLSX.")),
    };
    let disposition = format!("attachment; filename=\"{}.{ext}\"", report.file_stem());
    Ok(([(header::CONTENT_TYPE, mime.to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response())
}

/// `GET /reports`: downloads, the filing form for the viewer's unit, and who below has filed.
pub async fn index(State(state): State<AppState>, session: Session, Query(q): Query<ReportsQuery>) -> WebResult<Html<String>> {
    let ctx = Ctx::load(&state).await?;
    let unit = session.unit();
    let own = ctx.full_name(unit);
    let viewer = ctx.viewer(&session, &own);
    let Some(plan) = figures::current_plan(&state, &ctx, unit, q.plan).await? else {
        let body = html! { h1 { "Báo cáo" } div.card { p { "Chưa có kế hoạch nào." } } };
        return Ok(Html(page(&viewer, "Báo cáo", Nav::Reports, None, body).into_string()));
    };
    let plan_id = plan.id;
    let filings = state.db(move |s| s.report_filings(plan_id)).await?;
    let own_deadlines = figures::deadlines_of(&ctx, &plan, unit);
    let children: Vec<Uuid> = figures::row_units(&ctx, &plan, unit);
    let body = html! {
        h1 { "Báo cáo sơ kết, tổng kết" }
        p.sub { "Kế hoạch " (plan.number) ": " (plan.title) }
        h2 { "Báo cáo của " (own) }
        div.table-wrap {
            table #own-reports {
                thead { tr { th { "Kỳ báo cáo" } th { "Hạn nộp" } th { "Tải về" } th { "Tình trạng" } } }
                tbody {
                    @for (m, due) in &own_deadlines {
                        @let filed = latest_filing(&filings, unit, *m);
                        tr {
                            td { (m.name_vi()) }
                            td { (due.map(date_vi).unwrap_or_else(|| "—".into())) }
                            td {
                                a href=(format!("/reports/{unit}/{}/docx?plan={plan_id}", m.code())) { "Word (DOCX)" } " · "
                                a href=(format!("/reports/{unit}/{}/xlsx?plan={plan_id}", m.code())) { "Excel (XLSX)" }
                            }
                            td { (filing_badge(filed, *due, ctx.today)) }
                        }
                    }
                }
            }
        }
        @if session.user.role == crate::storage::Role::CommuneStaff || ctx.tree.get(unit).and_then(|u| u.parent).is_some() {
            (file_form(&session, &plan, unit, &own_deadlines, &ctx))
        }
        @if !children.is_empty() {
            h2 { "Các đơn vị cấp dưới nộp báo cáo" }
            div.table-wrap {
                table #filings {
                    thead { tr { th { "Đơn vị" } @for m in Milestone::ALL { th { (m.name_vi()) } } } }
                    tbody {
                        @for c in &children {
                            tr {
                                td { a href=(format!("/units/{c}")) { (ctx.full_name(*c)) } }
                                @for m in Milestone::ALL {
                                    @let due = figures::deadline_for(&ctx, &plan, *c, m);
                                    td { (filing_badge(latest_filing(&filings, *c, m), due, ctx.today)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(Html(page(&viewer, "Báo cáo", Nav::Reports, None, body).into_string()))
}

fn latest_filing(filings: &[ReportFiling], unit: Uuid, m: Milestone) -> Option<&ReportFiling> {
    filings.iter().filter(|f| f.unit == unit && f.milestone == m.code()).max_by_key(|f| f.filed_at)
}

fn filing_badge(filed: Option<&ReportFiling>, due: Option<NaiveDate>, today: NaiveDate) -> Markup {
    html! {
        @match filed {
            Some(f) => {
                a href=(format!("/reports/filed/{}", f.id)) {
                    @if f.late { span.badge.warn { "Nộp muộn " (datetime_vi(f.filed_at)) } }
                    @else { span.badge.ok { "Đã nộp " (datetime_vi(f.filed_at)) } }
                }
            }
            None => {
                @match due {
                    Some(d) if d < today => span.badge.late { "Chưa nộp, quá hạn" },
                    Some(_) => span.badge.muted { "Chưa đến hạn" },
                    None => span.muted { "—" },
                }
            }
        }
    }
}

fn file_form(session: &Session, plan: &Plan, unit: Uuid, deadlines: &[(Milestone, Option<NaiveDate>)], ctx: &Ctx) -> Markup {
    let next = deadlines.iter().find(|(_, d)| d.is_none_or(|d| d >= ctx.today)).or(deadlines.last()).map(|(m, _)| *m);
    let narrative = reports::default_narrative();
    html! {
        h2 { "Nộp báo cáo lên cấp trên" }
        div.card {
            p.muted { "Số liệu được lấy từ dữ liệu đã đồng bộ tại thời điểm nộp. Hãy viết phần đánh giá, phương hướng và kiến nghị." }
            form #file-report method="post" action=(format!("/reports/{unit}/file")) {
                (csrf_field(&session.csrf))
                input type="hidden" name="plan" value=(plan.id);
                label for="milestone" { "Kỳ báo cáo" }
                select #milestone name="milestone" {
                    @for (m, due) in deadlines {
                        option value=(m.code()) selected[Some(*m) == next] {
                            (m.name_vi()) @if let Some(d) = due { " (hạn " (date_vi(*d)) ")" }
                        }
                    }
                }
                label for="number" { "Số, ký hiệu" }
                input #number type="text" name="number" value="   /BC-MTTQ-BTT" maxlength="50";
                @for (i, n) in narrative.iter().enumerate() {
                    label for=(format!("n{i}")) { (n.heading) }
                    textarea id=(format!("n{i}")) name=(format!("n{i}")) maxlength="20000" { (n.paragraphs.join("\n")) }
                }
                label for="signer_title" { "Chức vụ người ký" }
                input #signer_title type="text" name="signer_title" value="Chủ tịch" maxlength="100";
                label for="signer_name" { "Họ và tên người ký" }
                input #signer_name type="text" name="signer_name" maxlength="100";
                div.actions { button type="submit" { "Nộp báo cáo" } }
            }
        }
    }
}

#[derive(Deserialize)]
pub struct FileForm {
    csrf: String,
    plan: Uuid,
    milestone: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    n0: String,
    #[serde(default)]
    n1: String,
    #[serde(default)]
    n2: String,
    #[serde(default)]
    signer_title: String,
    #[serde(default)]
    signer_name: String,
}

/// `POST /reports/{unit}/file`: freeze today's figures with the narrative and record the filing.
pub async fn file(State(state): State<AppState>, session: Session, Path(unit): Path<Uuid>, Form(form): Form<FileForm>) -> WebResult<Response> {
    session.check_csrf(&form.csrf)?;
    let ctx = Ctx::load(&state).await?;
    ctx.require_visible(&session, unit)?;
    let milestone = milestone_path(&form.milestone)?;
    let plan = figures::current_plan(&state, &ctx, unit, Some(form.plan)).await?.ok_or_else(|| WebError::not_found("Chưa có kế hoạch."))?;
    for (field, text, max) in [("Số, ký hiệu", &form.number, 50), ("Người ký", &form.signer_name, 100), ("Chức vụ", &form.signer_title, 100)] {
        if text.chars().count() > max {
            return Err(WebError::bad_request(format!("{field}: dài quá {max} ký tự.")));
        }
    }
    let mut report = build(&state, &ctx, &plan, unit, milestone).await?;
    if !form.number.trim().is_empty() {
        report.number = form.number.trim().to_string();
    }
    let texts = [&form.n0, &form.n1, &form.n2];
    if texts.iter().any(|t| t.chars().count() > 20_000) {
        return Err(WebError::bad_request("Phần viết dài quá 20.000 ký tự."));
    }
    report.narrative = report
        .narrative
        .iter()
        .zip(texts)
        .map(|(n, t)| Narrative {
            heading: n.heading.clone(),
            paragraphs: t.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect(),
        })
        .collect();
    report.signer = Signer {
        on_behalf: "TM. Ban Thường trực".into(),
        title: form.signer_title.trim().to_string(),
        name: form.signer_name.trim().to_string(),
    };
    let now = ctx.now_ms;
    let due = figures::deadline_for(&ctx, &plan, unit, milestone);
    let filing = ReportFiling {
        id: Uuid::now_v7(),
        unit,
        plan: plan.id,
        milestone: milestone.code().to_string(),
        filed_at: now,
        filed_by: session.user.id,
        filed_by_name: session.user.name.clone(),
        due,
        late: due.is_some_and(|d| figures::is_late(now, d)),
        report: serde_json::to_string(&report).map_err(WebError::internal)?,
    };
    let id = filing.id;
    state.db(move |s| s.file_report(&filing)).await?;
    Ok(Redirect::to(&format!("/reports/filed/{id}")).into_response())
}

async fn load_filing(state: &AppState, ctx: &Ctx, session: &Session, id: Uuid) -> WebResult<(ReportFiling, MilestoneReport)> {
    let f = state.db(move |s| s.report_filing(id)).await?.ok_or_else(WebError::out_of_scope)?;
    ctx.require_visible(session, f.unit)?;
    let report: MilestoneReport = serde_json::from_str(&f.report).map_err(WebError::internal)?;
    Ok((f, report))
}

/// `GET /reports/filed/{id}`: a filed report as it was filed.
pub async fn filed(State(state): State<AppState>, session: Session, Path(id): Path<Uuid>) -> WebResult<Html<String>> {
    let ctx = Ctx::load(&state).await?;
    let (f, report) = load_filing(&state, &ctx, &session, id).await?;
    let own = ctx.full_name(session.unit());
    let viewer = ctx.viewer(&session, &own);
    let body = html! {
        p.crumbs { a href="/reports" { "Báo cáo" } " › " (ctx.full_name(f.unit)) }
        h1 { "Báo cáo " (report.milestone.name_vi().to_lowercase()) " của " (ctx.full_name(f.unit)) }
        p {
            "Nộp lúc " strong { (datetime_vi(f.filed_at)) } " bởi " (f.filed_by_name) ". "
            @if let Some(d) = f.due { "Hạn nộp " (date_vi(d)) ". " }
            @if f.late { span.badge.warn { "Nộp muộn" } } @else { span.badge.ok { "Đúng hạn" } }
        }
        div.actions {
            a.button href=(format!("/reports/filed/{id}/docx")) { "Tải bản Word (DOCX)" }
            a.button.secondary href=(format!("/reports/filed/{id}/xlsx")) { "Tải bảng số liệu (XLSX)" }
        }
        (report_html(&report))
    };
    Ok(Html(page(&viewer, "Báo cáo đã nộp", Nav::Reports, None, body).into_string()))
}

pub async fn filed_download(State(state): State<AppState>, session: Session, Path((id, format)): Path<(Uuid, String)>) -> WebResult<Response> {
    let ctx = Ctx::load(&state).await?;
    let (_, report) = load_filing(&state, &ctx, &session, id).await?;
    send(&report, &format)
}

/// The report on screen, with the same figures as the DOCX.
fn report_html(r: &MilestoneReport) -> Markup {
    let f = &r.figures;
    let total = f.total();
    html! {
        div.doc {
            p style="text-align:center" { strong { "BÁO CÁO" } br; strong { (r.subtitle()) } }
            p style="text-align:right" { em { (r.place_and_date()) } }
            h3 { "I. KẾT QUẢ THỰC HIỆN" }
            ul {
                @for t in &f.targets {
                    li { "Chỉ tiêu " (t.code) " (" (t.threshold_pct) "% " (t.measured_over) "): đạt " (format_count(t.achieved)) "/" (format_count(t.total)) " (" (t.percent()) "), "
                        @if t.met() { "đạt chỉ tiêu." } @else { "chưa đạt chỉ tiêu." } }
                }
                li { (format_count(total.activities)) " hoạt động tuyên truyền, " (format_count(total.new_law_activities)) " về pháp luật mới; " (format_count(total.audience)) " lượt người dự." }
                li { (format_count(total.meetings)) " hội nghị; " (format_count(total.households_pledged)) "/" (format_count(total.households)) " hộ cam kết (" (total.pledge_percent()) ")." }
            }
            @for n in &r.narrative {
                h3 { (n.heading) }
                @for p in &n.paragraphs { p { (p) } }
            }
            p style="text-align:right" { strong { (r.signer.on_behalf.to_uppercase()) br; (r.signer.title.to_uppercase()) } br; br; (r.signer.name) }
        }
    }
}
