//! The page shell every dashboard page shares: top bar, navigation, flash message.

use maud::{DOCTYPE, Markup, PreEscaped, html};
use sotay_core::percent::Percent;

/// The stylesheet, served at `ASSET_CSS` with a long cache lifetime (its path changes with it).
pub const CSS: &str = include_str!("assets/app.css");
pub const ASSET_CSS: &str = "/assets/app-1.css";

/// What the shell needs to know about the person looking.
pub struct Viewer<'a> {
    pub name: &'a str,
    pub role_label: &'a str,
    pub unit_name: &'a str,
    pub csrf: &'a str,
    pub is_admin: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Overview,
    Units,
    Plans,
    Reports,
    People,
    Admin,
    None,
}

/// A message shown once at the top of the page (after a form was sent).
pub enum Flash {
    Ok(String),
    Err(String),
}

pub fn page(viewer: &Viewer<'_>, title: &str, active: Nav, flash: Option<&Flash>, body: Markup) -> Markup {
    let links: &[(Nav, &str, &str, bool)] = &[
        (Nav::Overview, "/", "Tổng quan", false),
        (Nav::Units, "/units", "Đơn vị", false),
        (Nav::Plans, "/plans", "Kế hoạch", false),
        (Nav::Reports, "/reports", "Báo cáo", false),
        (Nav::People, "/people", "Người dùng & thiết bị", false),
        (Nav::Admin, "/admin/units", "Địa giới hành chính", true),
    ];
    html! {
        (DOCTYPE)
        html lang="vi" {
            (head(title))
            body {
                header.top {
                    div.bar {
                        a.brand href="/" { "Sổ tay Mặt trận" small { (viewer.unit_name) } }
                        div.who {
                            span { (viewer.name) " · " (viewer.role_label) }
                            form method="post" action="/logout" {
                                input type="hidden" name="csrf" value=(viewer.csrf);
                                button type="submit" { "Đăng xuất" }
                            }
                        }
                    }
                }
                nav.main aria-label="Chức năng" {
                    ul {
                        @for (nav, href, label, admin_only) in links {
                            @if !admin_only || viewer.is_admin {
                                li { a href=(href) class=[(*nav == active).then_some("on")] { (label) } }
                            }
                        }
                    }
                }
                main {
                    @if let Some(f) = flash {
                        @match f {
                            Flash::Ok(m) => div.flash.ok role="status" { (m) },
                            Flash::Err(m) => div.flash.err role="alert" { (m) },
                        }
                    }
                    (body)
                }
            }
        }
    }
}

/// The `<head>` every page shares.
fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " · Sổ tay Mặt trận" }
            link rel="stylesheet" href=(ASSET_CSS);
        }
    }
}

/// A page without the shell (login, errors before login).
pub fn bare(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="vi" {
            (head(title))
            body { main { (body) } }
        }
    }
}

/// The hidden CSRF field every form carries.
pub fn csrf_field(token: &str) -> Markup {
    html! { input type="hidden" name="csrf" value=(token); }
}

/// A percentage bar with a mark at the threshold.
pub fn meter(pct: Percent, threshold: Option<u32>) -> Markup {
    let width = pct.value().clamp(0.0, 100.0);
    let met = threshold.is_none_or(|t| pct.reaches(t));
    html! {
        div.meter role="img" aria-label=(pct.text()) {
            span style=(PreEscaped(format!("width:{width:.1}%;background:{}", if met { "#1b7f3b" } else { "#1f5fa8" }))) {}
            @if let Some(t) = threshold {
                i style=(PreEscaped(format!("left:{}%", t.min(100)))) title=(format!("Chỉ tiêu {}%", t)) {}
            }
        }
    }
}

/// dd/mm/yyyy.
pub fn date_vi(d: chrono::NaiveDate) -> String {
    sotay_core::clock::format_date_vi(d)
}

/// dd/mm/yyyy HH:MM in Vietnam time.
pub fn datetime_vi(millis: i64) -> String {
    sotay_core::clock::to_datetime(millis).with_timezone(&sotay_core::clock::vietnam()).format("%d/%m/%Y %H:%M").to_string()
}
