//! Sync on the wire, measured through a counting TCP proxy in front of a real server:
//! 1. bytes per pledge in a 500-pledge push, against the same pledges as ODK-style OpenRosa
//!    submissions (one multipart POST each) — goal ≤ 120 B and ≥ 10× fewer;
//! 2. round trips to sync 500 pledges and 20 minutes — goal one push and one pull;
//! 3. first sync of a newly enrolled village phone (500 households, the plan, the checklist):
//!    bytes downloaded — goal under 100 KB.
//!
//! Run: `cargo bench -p sotay-e2e --bench sync_wire`

use std::sync::atomic::Ordering;

use chrono::NaiveDate;
use sotay_core::households::HouseholdDetails;
use sotay_core::minutes::MinutesContent;
use sotay_core::pledges::{Pledge, PledgeInput, PledgeKind};
use sotay_core::sync::protocol::PushRequest;
use sotay_core::sync::{CancelToken, NoProgress, SyncReport};
use sotay_e2e::proxy::Proxy;
use sotay_e2e::*;
use uuid::Uuid;

const PLEDGES: usize = 500;
const MINUTES: usize = 20;

const FAMILY: [&str; 10] = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ"];
const MIDDLE: [&str; 4] = ["Văn", "Thị", "Minh", "Ngọc"];
const GIVEN: [&str; 16] = ["An", "Bình", "Cường", "Dũng", "Hà", "Hoa", "Lan", "Minh", "Nam", "Phúc", "Sơn", "Thảo", "Tùng", "Vy", "Xuân", "Yến"];

fn name(i: usize) -> String {
    format!("{} {} {}", FAMILY[i % 10], MIDDLE[(i / 10) % 4], GIVEN[(i * 7 + i / 40) % 16])
}

/// Give `phone`'s village `n` households in all (demo ones included), pushed to the server.
fn fill_village(phone: &Phone, n: usize) -> Vec<Uuid> {
    let have = phone.store.households(village_a()).unwrap().len();
    for i in have..n {
        let d = HouseholdDetails {
            head_name: name(i),
            address: format!("Xóm {}", 1 + i % 6),
            members: 2 + (i % 5) as u32,
            children_under_18: (i % 3) as u32,
            phone: (i % 3 == 0).then(|| format!("09{:08}", (i * 7_919_123) % 100_000_000)),
            clan: None,
        };
        phone.store.add_household(village_a(), &d).unwrap();
    }
    phone.sync().unwrap();
    phone.store.households(village_a()).unwrap().into_iter().map(|h| h.id).collect()
}

fn household_template(phone: &Phone) -> Uuid {
    // The district's template, received at the first sync.
    phone.store.pledge_templates(Some(PledgeKind::Household)).unwrap()[0].id
}

fn capture_pledges(phone: &Phone, households: &[Uuid]) -> Vec<Pledge> {
    let template = household_template(phone);
    households
        .iter()
        .take(PLEDGES)
        .enumerate()
        .map(|(i, h)| {
            let input = PledgeInput {
                kind: PledgeKind::Household,
                subject: *h,
                template,
                signed_by: name(i + 3),
                witness: "Trần Văn Tổ".into(),
                signed_on: NaiveDate::from_ymd_opt(2023, 4, 1 + (i % 28) as u32).unwrap(),
                signature: None,
            };
            phone.store.record_pledge(&input, "Trần Văn Tổ").unwrap()
        })
        .collect()
}

fn push_only(phone: &Phone, proxy: &Proxy) -> (SyncReport, u64, u64) {
    proxy.reset_counters();
    let client = phone.client_via(&proxy.url());
    let mut report = SyncReport::default();
    client.push(&NoProgress, &CancelToken::new(), &mut report).unwrap();
    (report, proxy.up.load(Ordering::SeqCst), proxy.down.load(Ordering::SeqCst))
}

/// One OpenRosa submission as ODK Collect sends it: POST to /submission, multipart/form-data
/// with the XML instance as `xml_submission_file`.
fn openrosa_request(p: &Pledge, form_version: &str) -> Vec<u8> {
    let c = &p.content;
    let commitments: String = c.commitments.iter().enumerate().map(|(i, t)| format!("<commitment_{}>{}</commitment_{}>", i + 1, xml_escape(t), i + 1)).collect();
    let xml = format!(
        "<?xml version='1.0' ?><data id=\"household_pledge_2023\" version=\"{form_version}\" xmlns:jr=\"http://openrosa.org/javarosa\" xmlns:orx=\"http://openrosa.org/xforms\"><village>{village}</village><household>{household}</household><template>{template}</template><commitments>{commitments}</commitments><signed_by>{signed_by}</signed_by><witness>{witness}</witness><signed_on>{signed_on}</signed_on><signature/><meta><instanceID>uuid:{instance}</instanceID><orx:timeEnd>{signed_on}T09:30:00.000+07:00</orx:timeEnd></meta></data>",
        village = p.unit,
        household = c.subject,
        template = c.template,
        signed_by = xml_escape(&c.signed_by),
        witness = xml_escape(&c.witness),
        signed_on = c.signed_on,
        instance = p.id,
    );
    let boundary = format!("{:032x}", p.id.as_u128());
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"xml_submission_file\"; filename=\"submission.xml\"\r\nContent-Type: text/xml; charset=utf-8\r\n\r\n{xml}\r\n--{boundary}--\r\n"
    );
    let head = format!(
        "POST /submission?deviceID=collect%3Aq1w2e3r4t5y6u7i8 HTTP/1.1\r\nX-OpenRosa-Version: 1.0\r\nX-OpenRosa-Accept-Content-Length: 10485760\r\nDate: Wed, 12 Apr 2023 02:30:00 GMT\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nUser-Agent: org.odk.collect.android/v2023.2.4 Dalvik/2.1.0 (Linux; U; Android 11; SM-A125F Build/RP1A.200720.012)\r\nHost: odk.example.vn\r\nConnection: Keep-Alive\r\nAccept-Encoding: gzip\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    [head.into_bytes(), body.into_bytes()].concat()
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The same push body with every id replaced by a fully random one: the worst case for ids
/// made far apart in time (here they are all made within a second and share more bytes).
fn push_body_with_random_ids(changes: &[sotay_core::Change]) -> usize {
    let mut map = std::collections::HashMap::new();
    let mut json = serde_json::to_string(&PushRequest { changes: changes.to_vec() }).unwrap();
    for c in changes {
        for id in [c.id, c.record, c.unit] {
            map.entry(id).or_insert_with(random_uuid);
        }
        for v in c.fields.values() {
            if let Some(id) = v.as_str().and_then(|s| Uuid::parse_str(s).ok()) {
                map.entry(id).or_insert_with(random_uuid);
            }
        }
    }
    for (from, to) in &map {
        json = json.replace(&from.to_string(), &to.to_string());
    }
    zstd::bulk::compress(json.as_bytes(), sotay_core::sync::transport::ZSTD_LEVEL).unwrap().len()
}

fn random_uuid() -> Uuid {
    Uuid::from_u128(u128::from_str_radix(&sotay_core::sync::signing::new_nonce(), 16).unwrap_or(0))
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let server = Server::start();
    let proxy = Proxy::start(server.addr);

    // 1. Bytes per pledge.
    let phone = Phone::enrolled(&server, village_a());
    phone.sync().unwrap();
    let households = fill_village(&phone, PLEDGES);
    let pledges = capture_pledges(&phone, &households);
    let pending = phone.store.outbox_batch(10_000, usize::MAX).unwrap();
    let random_ids = push_body_with_random_ids(&pending);
    let (report, up, down) = push_only(&phone, &proxy);
    assert_eq!(report.pushed as usize, PLEDGES);
    let openrosa: usize = pledges.iter().map(|p| openrosa_request(p, "2023041201").len()).sum();
    println!("1. 500-pledge push: {} request(s), {up} B up (request lines, headers, zstd JSON), {down} B down", report.wire.requests);
    println!("   per pledge: {:.1} B up ({:.1} B up+down); body alone {:.1} B; body with fully random ids {:.1} B",
        up as f64 / PLEDGES as f64, (up + down) as f64 / PLEDGES as f64, report.wire.bytes_sent as f64 / PLEDGES as f64, random_ids as f64 / PLEDGES as f64);
    println!("   OpenRosa (one multipart POST each): {openrosa} B up, {:.1} B per pledge -> {:.1}x more than sotay (goal <= 120 B, >= 10x)",
        openrosa as f64 / PLEDGES as f64, openrosa as f64 / up as f64);

    // 2. Round trips for 500 pledges and 20 minutes, on a phone of village B: 500 new households
    // (pushed beforehand; the demo's own sample households there may have pledged already).
    let b = Phone::enrolled(&server, village_b());
    b.sync().unwrap();
    let b_households: Vec<Uuid> = (0..PLEDGES)
        .map(|i| {
            let d = HouseholdDetails { head_name: name(i), address: "Xóm 1".into(), members: 3, children_under_18: 1, phone: None, clan: None };
            b.store.add_household(village_b(), &d).unwrap().id
        })
        .collect();
    b.sync().unwrap();
    capture_pledges(&b, &b_households);
    for i in 0..MINUTES {
        let content = MinutesContent {
            held_at: Some(1_681_300_000_000 + i as i64 * 86_400_000),
            place: "Nhà văn hóa thôn".into(),
            chair: "Trần Văn Tổ".into(),
            secretary: "Lê Thị Thư".into(),
            attendee_count: 40 + i as u32,
            agenda: "Phổ biến Kế hoạch 267/KH-MTTQ-BTT".into(),
            contents: format!("Hội nghị lần {} triển khai ký cam kết hộ gia đình.", i + 1),
            conclusions: "Các hộ thống nhất ký cam kết.".into(),
            ..Default::default()
        };
        let m = b.store.create_minutes(village_b(), &content).unwrap();
        b.store.seal_minutes(m.id, "Trần Văn Tổ").unwrap();
    }
    proxy.reset_counters();
    let client = b.client_via(&proxy.url());
    let mut push = SyncReport::default();
    client.push(&NoProgress, &CancelToken::new(), &mut push).unwrap();
    let mut pull = SyncReport::default();
    client.pull(&NoProgress, &CancelToken::new(), &mut pull).unwrap();
    println!("2. 500 pledges + 20 minutes ({} outbox changes): {} push request(s), {} pull request(s) (goal 1 and 1); {} B up, {} B down",
        push.pushed, push.wire.requests, pull.wire.requests, proxy.up.load(Ordering::SeqCst), proxy.down.load(Ordering::SeqCst));

    // 3. First sync of a newly enrolled phone of village A: 500 households, the plan, the checklist.
    let plan = phone.store.read(|c| sotay_core::store::list_records(c, sotay_core::record::Entity::Plan, None)).unwrap();
    if let Some(plan) = plan.first() {
        phone.store.instantiate_plan(plan.id).unwrap();
        phone.sync().unwrap();
    }
    let fresh = Phone::new();
    fresh.enroll(&proxy.url(), &server.enrollment_code(village_a()));
    proxy.reset_counters();
    let report = fresh.client().sync(&NoProgress, &CancelToken::new()).unwrap();
    let count = |e| fresh.records(e).len();
    use sotay_core::record::Entity as E;
    println!("3. first sync of a new village phone: {} B down ({:.1} KB; goal < 100 KB), {} B up, {} requests; received {} households, {} pledges, {} plans, {} tasks, {} templates, {} units",
        proxy.down.load(Ordering::SeqCst), proxy.down.load(Ordering::SeqCst) as f64 / 1024.0, proxy.up.load(Ordering::SeqCst), report.wire.requests,
        count(E::Household), count(E::Pledge), count(E::Plan), count(E::Task), count(E::PledgeTemplate), count(E::Unit));
}
