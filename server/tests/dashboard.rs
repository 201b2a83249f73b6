//! The dashboard through `app(state)` with `oneshot`: login and sessions, CSRF, scope by role,
//! pages and their figures, reports (the same numbers as the pages), filing late or on time,
//! browser writes, enrollment codes, and a household's data exported or erased.

use std::io::Read;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::json;
use sotay_core::clock::ManualClock;
use sotay_core::record::{Entity, Seal, content_hash};
use sotay_server::demo::{self, server_record};
use sotay_server::storage::{NewUser, Role, SqliteStorage, Storage};
use sotay_server::{AppState, app, auth};
use tempfile::TempDir;
use tower::ServiceExt;
use uuid::Uuid;

/// 10/06/2023 09:00 in Vietnam: after the communes' 6-month deadline (30/05), before the
/// district's (05/06 has passed too), before the 9-month ones.
const NOW: i64 = 1_686_362_400_000;
const PASSWORD: &str = "mat-khau-rat-dai-2023";

fn unit(code: &str) -> Uuid {
    demo::demo_id(&format!("unit:{code}"))
}

struct Fx {
    state: AppState,
    storage: Arc<SqliteStorage>,
    clock: Arc<ManualClock>,
    plan: Uuid,
    _dir: TempDir,
}

struct Res {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Res {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
}

fn sealed(entity: Entity, id: Uuid, unit: Uuid, fields: serde_json::Value, now: i64) -> sotay_core::RecordState {
    let mut r = server_record(entity, id, unit, fields, now);
    r.seal = Some(Seal { by: "Trưởng thôn (mẫu)".into(), at: now, hash: content_hash(entity, id, &r.fields) });
    r
}

impl Fx {
    /// The demo district (3 communes × 3 villages × 20 households), the seed plan issued by the
    /// district, and some work done: in Bình Chánh a new-law activity, 10 pledges in village 1,
    /// task 3.3 done in village 2; a commune staff login for Bình Chánh.
    fn new() -> Fx {
        let dir = TempDir::new().unwrap();
        let storage = Arc::new(SqliteStorage::open(dir.path().join("sotay.db")).unwrap());
        let t = NOW - 30 * 86_400_000;
        let mut records = demo::records(t).unwrap();
        // The demo's seed plan, given its number.
        let plan = demo::demo_id("plan:2023-binh-son");
        let seed = records.iter_mut().find(|r| r.id == plan).unwrap();
        seed.fields.insert("number".into(), json!("12/KH-MTTQ-BTT"));
        let bc = unit("DEMO-BS-BC");
        let v1 = unit("DEMO-BS-BC-1");
        let v2 = unit("DEMO-BS-BC-2");
        records.push(server_record(
            Entity::Activity,
            Uuid::now_v7(),
            bc,
            json!({"date": "2023-04-02", "kind": "conference", "topic": "Luật Trẻ em sửa đổi", "audience": 150, "plan": plan, "task": null, "new_law": true}),
            t,
        ));
        for h in 0..10 {
            let household = demo::demo_id(&format!("household:BC-1-{h}"));
            records.push(sealed(
                Entity::Pledge,
                Uuid::now_v7(),
                v1,
                json!({"kind": "household", "subject": household, "template": Uuid::nil(), "commitments": ["Không để trẻ em bị xâm hại"],
                       "signed_by": format!("Chủ hộ {h}"), "witness": "Trưởng thôn", "signed_on": "2023-04-10", "signature": null, "amends": null}),
                t,
            ));
        }
        records.push(server_record(
            Entity::Task,
            Uuid::now_v7(),
            v2,
            json!({"plan": plan, "code": "3.3", "title": "Xây dựng mô hình", "due": "2023-12-31", "status": "done", "reason": "", "evidence": []}),
            t,
        ));
        records.push(sealed(
            Entity::Minutes,
            Uuid::now_v7(),
            v1,
            json!({"held_at": t, "place": "Nhà văn hóa thôn 1", "kind": "village_conference", "chair": "Trưởng thôn", "secretary": "Thư ký",
                   "attendee_count": 45, "attendees": [], "agenda": "Phổ biến kế hoạch", "contents": "Nội dung", "conclusions": "Kết luận",
                   "assigned_tasks": [], "attachments": [], "plan": plan, "task": null, "amends": null}),
            t,
        ));
        storage.put_records(&records).unwrap();
        let hash = auth::hash_password(PASSWORD).unwrap();
        for (login, role, unit_id) in [("huyen", Role::DistrictAdmin, unit("DEMO-BS")), ("binhchanh", Role::CommuneStaff, bc)] {
            storage
                .create_user(
                    NewUser { login: Some(login.into()), name: format!("Cán bộ {login}"), role, unit: unit_id, password_hash: Some(hash.clone()) },
                    t,
                )
                .unwrap();
        }
        let clock = ManualClock::at(NOW);
        let state = AppState::with_clock(storage.clone(), clock.clone());
        Fx { state, storage, clock, plan, _dir: dir }
    }

    async fn send(&self, req: Request<Body>) -> Res {
        let res = app(self.state.clone()).oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        Res { status, headers, body }
    }

    async fn get(&self, path: &str, cookie: Option<&str>) -> Res {
        let mut req = Request::get(path);
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    async fn post(&self, path: &str, cookie: Option<&str>, form: &[(&str, &str)]) -> Res {
        let body = serde_urlencoded::to_string(form).unwrap();
        let mut req = Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    /// Log in; returns the cookie header value and the CSRF token of the session.
    async fn login(&self, login: &str) -> (String, String) {
        let res = self.post("/login", None, &[("login", login), ("password", PASSWORD)]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
        let set = res.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().to_string();
        let cookie = set.split(';').next().unwrap().to_string();
        let page = self.get("/", Some(&cookie)).await.text();
        let csrf = page.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        (cookie, csrf)
    }
}

#[tokio::test]
async fn pages_need_a_login_and_a_wrong_password_is_refused() {
    let fx = Fx::new();
    let res = fx.get("/", None).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), "/login");
    let res = fx.post("/login", None, &[("login", "huyen"), ("password", "sai mật khẩu")]).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert!(res.text().contains("Tên đăng nhập hoặc mật khẩu không đúng."));
    let res = fx.post("/login", None, &[("login", "không có ai"), ("password", PASSWORD)]).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);

    let res = fx.post("/login", None, &[("login", "huyen"), ("password", PASSWORD)]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let cookie = res.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    for attr in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attr), "{cookie}");
    }
    // A forged cookie is no session.
    assert_eq!(fx.get("/", Some("sotay_sid=forged")).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn forms_without_the_session_token_or_from_another_site_are_refused() {
    let fx = Fx::new();
    let (cookie, csrf) = fx.login("huyen").await;
    let res = fx.post("/logout", Some(&cookie), &[("csrf", "not-the-token")]).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let body = serde_urlencoded::to_string([("csrf", csrf.as_str())]).unwrap();
    let req = Request::post("/logout")
        .header(header::COOKIE, &cookie)
        .header(header::ORIGIN, "https://evil.example")
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    assert_eq!(fx.send(req).await.status, StatusCode::FORBIDDEN);
    // The session still works; a proper logout ends it.
    assert_eq!(fx.get("/", Some(&cookie)).await.status, StatusCode::OK);
    let res = fx.post("/logout", Some(&cookie), &[("csrf", &csrf)]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(fx.get("/", Some(&cookie)).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_overview_shows_each_target_against_its_threshold_and_who_is_late() {
    let fx = Fx::new();
    let (cookie, _) = fx.login("huyen").await;
    let page = fx.get("/", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    // Target 1: Bình Chánh of 3 communes ran a new-law activity. Target 2: 1 of 9 KDC.
    assert!(html.contains("33,3%"), "{html}");
    assert!(html.contains("1/3 đơn vị MTTQ cấp xã"));
    assert!(html.contains("1/9 khu dân cư"));
    // Pledges: 10 of 180 households.
    assert!(html.contains("10/180"));
    // Every commune has a row linking to its page, and each missed the 30/05 deadline.
    for code in ["DEMO-BS-BC", "DEMO-BS-BD", "DEMO-BS-BH"] {
        assert!(html.contains(&format!("/units/{}", unit(code))));
    }
    assert!(html.contains("chưa nộp báo cáo sơ kết 6 tháng"));
    assert!(html.contains("<svg"), "the chart is drawn by the server");
}

#[tokio::test]
async fn commune_staff_see_only_their_commune() {
    let fx = Fx::new();
    let (cookie, _) = fx.login("binhchanh").await;
    let html = fx.get("/", Some(&cookie)).await.text();
    assert!(html.contains("Xã Bình Chánh"));
    assert!(html.contains(&format!("/units/{}", unit("DEMO-BS-BC-1"))));
    assert!(!html.contains(&format!("/units/{}", unit("DEMO-BS-BD"))));
    assert_eq!(fx.get(&format!("/units/{}", unit("DEMO-BS-BD")), Some(&cookie)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(fx.get(&format!("/units/{}", unit("DEMO-BS-BC-1")), Some(&cookie)).await.status, StatusCode::OK);
    assert_eq!(fx.get("/admin/units", Some(&cookie)).await.status, StatusCode::FORBIDDEN);
    let other_household = demo::demo_id("household:BD-1-0");
    assert_eq!(fx.get(&format!("/households/{other_household}/export"), Some(&cookie)).await.status, StatusCode::NOT_FOUND);
}

fn docx_text(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml").unwrap().read_to_string(&mut xml).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
    doc.descendants()
        .filter(|n| n.has_tag_name((w, "p")))
        .map(|p| p.descendants().filter(|n| n.has_tag_name((w, "t"))).filter_map(|t| t.text()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn the_report_carries_the_numbers_of_the_page() {
    let fx = Fx::new();
    let (cookie, _) = fx.login("huyen").await;
    let district = unit("DEMO-BS");
    let res = fx.get(&format!("/reports/{district}/6_month/docx?plan={}", fx.plan), Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.headers[header::CONTENT_TYPE].to_str().unwrap().contains("wordprocessingml"));
    assert!(res.headers[header::CONTENT_DISPOSITION].to_str().unwrap().contains(".docx"));
    let text = docx_text(&res.body);
    assert!(text.contains("- Chỉ tiêu 1 (100% đơn vị MTTQ cấp xã): đạt 1/3 đơn vị MTTQ cấp xã (33,3%), chưa đạt chỉ tiêu."), "{text}");
    assert!(text.contains("đạt 1/9 khu dân cư (11,1%)"));
    assert!(text.contains("10/180 hộ gia đình đăng ký cam kết (5,5%)"), "5.56% floored to a tenth");
    assert!(text.contains("Kế hoạch số 12/KH-MTTQ-BTT"));
    assert!(text.contains("\nBình Sơn, ngày 10 tháng 6 năm 2023"), "the place without its level");
    assert!(text.contains("ỦY BAN MTTQ VIỆT NAM HUYỆN BÌNH SƠN\nBAN THƯỜNG TRỰC\n"), "{text}");
    // The page shows the same figures: the district's, and Bình Chánh's 10/60 = 16,6%.
    let page = fx.get("/", Some(&cookie)).await.text();
    assert!(page.contains("10/180 (5,5%)"), "{page}");
    assert!(page.contains("33,3%") && page.contains("10/60 (16,6%)"));
    assert!(text.contains("10/60 (16,6%)"), "the DOCX row of Bình Chánh");

    let res = fx.get(&format!("/reports/{district}/annual/xlsx?plan={}", fx.plan), Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::OK);
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(res.body)).unwrap();
    let units = book.worksheet_range(sotay_server::reports::xlsx::UNITS_SHEET).unwrap();
    assert_eq!(units.get_value((3, 1)), Some(&calamine::Data::String("Xã Bình Chánh".into())));
    assert_eq!(units.get_value((3, 7)), Some(&calamine::Data::Float(10.0)));
    // The percent cells hold the shown figure: 16,6% and 33,3%, not 1/6 and 1/3.
    assert_eq!(units.get_value((3, 8)), Some(&calamine::Data::Float(0.166)));
    let targets = book.worksheet_range(sotay_server::reports::xlsx::TARGETS_SHEET).unwrap();
    assert_eq!(targets.get_value((4, 5)), Some(&calamine::Data::Float(0.333)));
    assert_eq!(fx.get(&format!("/reports/{district}/quarter/docx"), Some(&cookie)).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_commune_files_its_report_and_the_district_sees_it_late() {
    let fx = Fx::new();
    let bc = unit("DEMO-BS-BC");
    let (cookie, csrf) = fx.login("binhchanh").await;
    let plan = fx.plan.to_string();
    let res = fx
        .post(
            &format!("/reports/{bc}/file"),
            Some(&cookie),
            &[("csrf", &csrf), ("plan", &plan), ("milestone", "6_month"), ("number", "07/BC-MTTQ"), ("n0", "Ưu điểm: <b>tốt</b>"), ("n1", ""), ("n2", ""),
              ("signer_title", "Chủ tịch"), ("signer_name", "Nguyễn Văn Mẫu")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let filed = res.location().to_string();
    let page = fx.get(&filed, Some(&cookie)).await.text();
    assert!(page.contains("Nộp muộn"), "due 30/05, filed 10/06");
    assert!(page.contains("Ưu điểm: &lt;b&gt;tốt&lt;/b&gt;"), "narrative is escaped");

    // The district sees who filed, late, and reads it; the DOCX is the filed one.
    let (admin, _) = fx.login("huyen").await;
    let reports = fx.get("/reports", Some(&admin)).await.text();
    assert!(reports.contains(&filed));
    assert!(reports.contains("Nộp muộn"));
    assert!(reports.contains("Chưa nộp, quá hạn"), "the two other communes");
    let docx = fx.get(&format!("{filed}/docx"), Some(&admin)).await;
    let text = docx_text(&docx.body);
    assert!(text.contains("Số: 07/BC-MTTQ"));
    assert!(text.contains("Nguyễn Văn Mẫu"));

    // Filed on the due day (Vietnam time) is on time.
    fx.clock.set(1_690_736_400_000); // 31/07/2023 00:00 Vietnam... then back to 30/08 23:00
    fx.clock.set(1_693_411_200_000); // 30/08/2023 23:00 in Vietnam
    let (cookie, csrf) = fx.login("binhchanh").await;
    let res = fx
        .post(&format!("/reports/{bc}/file"), Some(&cookie), &[("csrf", &csrf), ("plan", &plan), ("milestone", "9_month"), ("n0", "x")])
        .await;
    let page = fx.get(res.location(), Some(&cookie)).await.text();
    assert!(page.contains("Đúng hạn"), "{page}");
}

#[tokio::test]
async fn commune_staff_record_an_activity_and_the_target_moves() {
    let fx = Fx::new();
    let bd = unit("DEMO-BS-BD");
    let bc = unit("DEMO-BS-BC");
    let (cookie, csrf) = fx.login("binhchanh").await;
    // Not for another commune.
    let res = fx.post(&format!("/units/{bd}/activities"), Some(&cookie), &[("csrf", &csrf), ("date", "2023-06-01"), ("kind", "leaflets"), ("topic", "x")]).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    // A bad value is a 400 with the reason.
    let res = fx.post(&format!("/units/{bc}/activities"), Some(&cookie), &[("csrf", &csrf), ("date", "2023-06-01"), ("kind", "leaflets"), ("topic", "  ")]).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert!(res.text().contains("Chủ đề: không được để trống"));
    let res = fx
        .post(&format!("/units/{bc}/activities"), Some(&cookie), &[("csrf", &csrf), ("date", "2023-06-01"), ("kind", "school_talk"), ("topic", "Nói chuyện <script>alert(1)</script>"), ("audience", "300"), ("new_law", "1")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let page = fx.get(&format!("/units/{bc}"), Some(&cookie)).await.text();
    assert!(page.contains("Nói chuyện &lt;script&gt;"));
    assert!(!page.contains("<script>alert"));
    let stored = fx.storage.records(Entity::Activity, Some(bc)).unwrap();
    assert_eq!(stored.len(), 2);
    assert!(stored.iter().all(|r| !r.clocks.is_empty()), "written as a change with clocks");

    // A district admin records one for Bình Dương: target 1 goes to 2 of 3.
    let (admin, csrf) = fx.login("huyen").await;
    let res = fx.post(&format!("/units/{bd}/activities"), Some(&admin), &[("csrf", &csrf), ("date", "2023-06-02"), ("kind", "loudspeaker"), ("topic", "Luật mới"), ("new_law", "1")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(fx.get("/", Some(&admin)).await.text().contains("2/3 đơn vị MTTQ cấp xã"));
}

#[tokio::test]
async fn an_enrollment_code_comes_with_a_qr_code_and_a_phone_can_be_revoked() {
    let fx = Fx::new();
    let (cookie, csrf) = fx.login("binhchanh").await;
    let village = unit("DEMO-BS-BC-1");
    let res = fx.post("/people/users", Some(&cookie), &[("csrf", &csrf), ("name", "Trưởng thôn Mẫu"), ("role", "village_head"), ("unit", &village.to_string())]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    // Commune staff cannot make a district admin.
    let res = fx.post("/people/users", Some(&cookie), &[("csrf", &csrf), ("name", "X"), ("role", "district_admin"), ("unit", &village.to_string())]).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    let head = fx.storage.users_at_unit(village).unwrap().into_iter().find(|u| u.name == "Trưởng thôn Mẫu").unwrap();
    let res = fx.post(&format!("/people/users/{}/code", head.id), Some(&cookie), &[("csrf", &csrf)]).await;
    assert_eq!(res.status, StatusCode::OK);
    let html = res.text();
    let code = html.split("id=\"enrollment-code\"").nth(1).unwrap().split('>').nth(1).unwrap().split('<').next().unwrap().to_string();
    assert_eq!(code.len(), 14);
    assert!(html.contains("<svg") && html.contains("Mã QR đăng ký thiết bị"));
    // The code enrolls a device; the page lists it; revoking marks it revoked.
    let enrolled = fx
        .storage
        .enroll(sotay_server::storage::EnrollDevice {
            code_hash: sotay_server::enrollment::code_hash(&code),
            public_key: "ab".repeat(32),
            device_name: "Điện thoại".into(),
            now: NOW,
        })
        .unwrap()
        .unwrap();
    assert!(fx.get("/people", Some(&cookie)).await.text().contains("Đang dùng"));
    let res = fx.post(&format!("/people/devices/{}/revoke", enrolled.device), Some(&cookie), &[("csrf", &csrf)]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(fx.storage.device(enrolled.device).unwrap().unwrap().revoked);
}

#[tokio::test]
async fn a_household_is_exported_then_erased_with_an_audit_entry() {
    let fx = Fx::new();
    let (cookie, csrf) = fx.login("binhchanh").await;
    let household = demo::demo_id("household:BC-1-0");
    let res = fx.get(&format!("/households/{household}/export"), Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::OK);
    let doc: serde_json::Value = serde_json::from_slice(&res.body).unwrap();
    assert_eq!(doc["household"]["id"], json!(household));
    assert_eq!(doc["pledges"].as_array().unwrap().len(), 1);
    let res = fx.post(&format!("/households/{household}/erase"), Some(&cookie), &[("csrf", &csrf), ("reason", "Đơn đề nghị ngày 09/06/2023")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    assert!(fx.storage.record(household).unwrap().is_none());
    let pledges = fx.storage.records(Entity::Pledge, Some(unit("DEMO-BS-BC-1"))).unwrap();
    assert_eq!(pledges.len(), 9);
    let audit = fx.storage.audit_entries(10).unwrap();
    assert_eq!(audit.iter().map(|a| a.action.as_str()).collect::<Vec<_>>(), vec!["household_erase", "household_export"]);
    assert!(audit.iter().all(|a| a.subject == household));
}

#[tokio::test]
async fn a_plan_made_from_the_template_is_issued_to_the_units_below() {
    let fx = Fx::new();
    let (cookie, csrf) = fx.login("huyen").await;
    let res = fx.post("/plans", Some(&cookie), &[("csrf", &csrf), ("source", &fx.plan.to_string())]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let path = res.location().to_string();
    let page = fx.get(&path, Some(&cookie)).await.text();
    assert!(page.contains("năm 2024"), "next year's copy");
    // Issuing needs a number.
    let res = fx.post(&path, Some(&cookie), &[("csrf", &csrf), ("action", "issue"), ("number", "")]).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    let res = fx.post(&path, Some(&cookie), &[("csrf", &csrf), ("action", "issue"), ("number", "3/KH-MTTQ-BTT"), ("target_pct_1", "85")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let id: Uuid = path.trim_start_matches("/plans/").parse().unwrap();
    let plan = fx.storage.record(id).unwrap().unwrap();
    assert_eq!(plan.fields["number"], json!("3/KH-MTTQ-BTT"));
    assert_eq!(plan.fields["targets"][1]["threshold_pct"], json!(85));
    let tasks: Vec<_> = fx.storage.records(Entity::Task, Some(unit("DEMO-BS-BC"))).unwrap().into_iter().filter(|t| t.fields["plan"] == json!(id)).collect();
    assert!(tasks.iter().any(|t| t.fields["code"] == json!("3.3")));
    assert!(tasks.iter().any(|t| t.fields["code"] == json!("M-6_month") && t.fields["due"] == json!("2024-05-30")));
    // Commune staff cannot create plans.
    let (staff, staff_csrf) = fx.login("binhchanh").await;
    assert_eq!(fx.post("/plans", Some(&staff), &[("csrf", &staff_csrf), ("source", "template")]).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn minutes_and_pledges_read_in_full_with_their_seal() {
    let fx = Fx::new();
    let (cookie, _) = fx.login("binhchanh").await;
    let minutes = fx.storage.records(Entity::Minutes, Some(unit("DEMO-BS-BC-1"))).unwrap();
    let html = fx.get(&format!("/minutes/{}", minutes[0].id), Some(&cookie)).await.text();
    assert!(html.contains("Nhà văn hóa thôn 1"));
    assert!(html.contains("nội dung nguyên vẹn"));
    let pledge = &fx.storage.records(Entity::Pledge, Some(unit("DEMO-BS-BC-1"))).unwrap()[0];
    let html = fx.get(&format!("/pledges/{}", pledge.id), Some(&cookie)).await.text();
    assert!(html.contains("Không để trẻ em bị xâm hại"));
    assert!(html.contains("Hộ ông/bà"));
}

#[tokio::test]
async fn commune_staff_mark_a_checklist_task_and_the_model_target_moves() {
    let fx = Fx::new();
    let v3 = unit("DEMO-BS-BC-3");
    let plan = demo::demo_id("plan:2023-binh-son");
    let task = sotay_core::checklist::task_id(plan, v3, "3.3");
    assert!(fx.storage.record(task).unwrap().is_some(), "the demo gave every unit its checklist");
    let (cookie, csrf) = fx.login("binhchanh").await;
    let path = format!("/units/{v3}/tasks/{task}");
    // Commune staff keep the commune's own checklist; a village's is its head's (or the district's).
    let res = fx.post(&path, Some(&cookie), &[("csrf", &csrf), ("status", "done"), ("note", "")]).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let bc = unit("DEMO-BS-BC");
    let own = sotay_core::checklist::task_id(plan, bc, "3.4");
    let res = fx.post(&format!("/units/{bc}/tasks/{own}"), Some(&cookie), &[("csrf", &csrf), ("status", "not_applicable"), ("note", "")]).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "not applicable needs a reason");
    assert!(res.text().contains("Lý do"));
    let res = fx.post(&format!("/units/{bc}/tasks/{own}"), Some(&cookie), &[("csrf", &csrf), ("status", "not_applicable"), ("note", "Đã lồng ghép vào 3.2")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    assert_eq!(fx.storage.record(own).unwrap().unwrap().fields["reason"], json!("Đã lồng ghép vào 3.2"));

    let (admin, csrf) = fx.login("huyen").await;
    let res = fx.post(&path, Some(&admin), &[("csrf", &csrf), ("status", "done"), ("note", "Ra mắt mô hình ngày 20/5")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let t = fx.storage.record(task).unwrap().unwrap();
    assert_eq!(t.fields["status"], json!("done"));
    assert_eq!(t.fields["evidence"][0]["note"], json!("Ra mắt mô hình ngày 20/5"));
    assert!(fx.get(&format!("/units/{bc}"), Some(&admin)).await.text().contains("2/3 khu dân cư"), "Bình Chánh: village 2 and now village 3");
}
