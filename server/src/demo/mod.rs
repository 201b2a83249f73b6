//! The demo district loaded by `serve --demo`: Bình Sơn with three communes, their villages and
//! invented households (every name says "mẫu", demo), an admin login and a village head whose
//! phone can enroll. Loaded once (ids are derived from names, and a meta flag guards the load);
//! later runs only print a fresh enrollment code.
//!
//! Since 1 July 2025 districts are abolished and communes merged: such changes are data (a
//! unit's `renames` and `merged_into`), never code. The demo keeps the 2023 units of the seed plan.
//!
//! The seed plan (`core::seed`) is issued by the demo district, with the shipped pledge
//! templates for 2023 and every unit's checklist derived from the plan by the core
//! (`checklist::planned_tasks`, task ids from `checklist::task_id`, as the phones derive them).
//! It stays the 2023 plan it is; the current year's copy, with sample work done under it, is
//! added by `current_year` (once a year, on the first run of that year).

mod current_year;

pub use current_year::{current_plan_id, plan_id_for_year};

use serde_json::{Value, json};
use sotay_core::Hlc;
use sotay_core::checklist;
use sotay_core::units::UnitTree;
use sotay_core::record::{self, Entity, Fields, RecordState};
use uuid::Uuid;

use crate::auth;
use crate::enrollment::{self, IssuedCode};
use crate::storage::{NewUser, Role, Storage, StorageError, StorageResult};

const LOADED_FLAG: &str = "demo_loaded";
pub const ADMIN_LOGIN: &str = "admin";
const HOUSEHOLDS_PER_VILLAGE: usize = 20;

/// What a `--demo` run has to tell the operator.
pub struct DemoOutcome {
    /// Set only on the run that created the admin: printed once, never stored in clear.
    pub admin_password: Option<String>,
    pub enrollment: IssuedCode,
    pub village_name: String,
    pub households: usize,
}

/// A stable id for a demo record, so a second load cannot duplicate anything.
pub fn demo_id(name: &str) -> Uuid {
    const NAMESPACE: Uuid = Uuid::from_u128(0x5f7a_6a1e_8c2b_4d3e_9a10_0b1d_e4f0_2023);
    Uuid::new_v5(&NAMESPACE, name.as_bytes())
}

/// A record written by the server itself, every field at one clock reading (node 0).
pub fn server_record(entity: Entity, id: Uuid, unit: Uuid, fields: Value, now: i64) -> RecordState {
    server_record_fields(entity, id, unit, fields.as_object().cloned().unwrap_or_default(), now)
}

pub fn server_record_fields(entity: Entity, id: Uuid, unit: Uuid, fields: Fields, now: i64) -> RecordState {
    let hlc = Hlc { millis: now.max(0) as u64, counter: 0, node: 0 };
    let clocks = fields.keys().map(|k| (k.clone(), hlc)).collect();
    RecordState { entity, id, unit, fields, clocks, seal: None }
}

fn unit(code: &str, name: &str, level: &str, parent: Option<Uuid>, now: i64) -> RecordState {
    let id = demo_id(&format!("unit:{code}"));
    let residential = matches!(level, "thôn" | "tổ dân phố");
    server_record(
        Entity::Unit,
        id,
        id,
        json!({
            "code": code, "name": name, "level": level, "parent": parent,
            "residential_area": residential, "renames": [], "merged_into": null,
        }),
        now,
    )
}

const COMMUNES: [(&str, &str); 3] = [("BC", "Bình Chánh"), ("BD", "Bình Dương"), ("BH", "Bình Hải")];
const VILLAGES_PER_COMMUNE: usize = 3;
const FAMILY: [&str; 10] = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ"];
const GIVEN: [&str; 12] = ["An", "Bình", "Cường", "Dũng", "Hà", "Hoa", "Lan", "Minh", "Nam", "Phúc", "Sơn", "Thảo"];

/// The id of the demo village whose head gets the printed enrollment code.
pub fn demo_village() -> Uuid {
    demo_id("unit:DEMO-BS-BC-1")
}

pub fn district() -> Uuid {
    demo_id("unit:DEMO-BS")
}

/// The seed plan issued by the demo district, the shipped pledge templates for its year, and
/// the checklist of every unit the plan addresses.
pub fn plan_records(units: &[RecordState], now: i64) -> sotay_core::Result<Vec<RecordState>> {
    let mut plan = sotay_core::seed::plan_2023_binh_son()?;
    plan.id = demo_id("plan:2023-binh-son");
    plan.issuer = district();
    let year = chrono::Datelike::year(&plan.issued_on);
    let mut out = vec![server_record_fields(Entity::Plan, plan.id, plan.issuer, record::to_fields(&plan)?, now)];
    let tree = UnitTree::from_records(units);
    for unit in tree.subtree(plan.issuer) {
        for p in checklist::planned_tasks(&plan, &tree, unit)? {
            let task = p.into_task(plan.id, unit);
            out.push(server_record_fields(Entity::Task, task.id, unit, record::to_fields(&task)?, now));
        }
    }
    out.extend(pledge_templates(year, now)?);
    Ok(out)
}

/// The id of the demo district's pledge template of `kind` for `year`.
fn template_id(year: i32, kind: sotay_core::pledges::PledgeKind) -> sotay_core::Result<Uuid> {
    let kind = serde_json::to_string(&kind)?;
    Ok(demo_id(&format!("pledge_template:{year}:{kind}")))
}

/// The shipped pledge templates, issued by the demo district for `year`.
fn pledge_templates(year: i32, now: i64) -> sotay_core::Result<Vec<RecordState>> {
    let mut out = Vec::new();
    for t in sotay_core::pledges::shipped_pledge_templates()? {
        let content = sotay_core::pledges::PledgeTemplateContent { year, ..t };
        let id = template_id(year, content.kind)?;
        out.push(server_record_fields(Entity::PledgeTemplate, id, district(), record::to_fields(&content)?, now));
    }
    Ok(out)
}

/// Every demo record: units, then households, then the plan and pledge templates.
pub fn records(now: i64) -> sotay_core::Result<Vec<RecordState>> {
    let mut out = Vec::new();
    let province = unit("DEMO-QN", "Tỉnh Quảng Ngãi", "tỉnh", None, now);
    let district = unit("DEMO-BS", "Huyện Bình Sơn", "huyện", Some(province.id), now);
    let district_id = district.id;
    out.push(province);
    out.push(district);
    for (code, name) in COMMUNES {
        let commune = unit(&format!("DEMO-BS-{code}"), &format!("Xã {name}"), "xã", Some(district_id), now);
        let commune_id = commune.id;
        out.push(commune);
        for v in 1..=VILLAGES_PER_COMMUNE {
            let village = unit(&format!("DEMO-BS-{code}-{v}"), &format!("Thôn {v}"), "thôn", Some(commune_id), now);
            let village_id = village.id;
            out.push(village);
            for h in 0..HOUSEHOLDS_PER_VILLAGE {
                let n = h + v * 7;
                let middle = if h % 3 == 0 { "Thị" } else { "Văn" };
                let members = 2 + (n % 5) as i64;
                out.push(server_record(
                    Entity::Household,
                    demo_id(&format!("household:{code}-{v}-{h}")),
                    village_id,
                    json!({
                        "head_name": format!("{} {} {} (hộ mẫu {:02})", FAMILY[n % FAMILY.len()], middle, GIVEN[(n / 2) % GIVEN.len()], h + 1),
                        "address": format!("Xóm {}", 1 + h % 4),
                        "members": members,
                        "children_under_18": (n % 3) as i64 % members,
                        "phone": null,
                        "clan": null,
                    }),
                    now,
                ));
            }
        }
    }
    let plan = plan_records(&out, now)?;
    out.extend(plan);
    Ok(out)
}

/// Load the demo district once, and the current year's plan with its sample work once a year;
/// on every run issue a fresh enrollment code for the demo village's head.
pub fn load(storage: &dyn Storage, now: i64) -> StorageResult<DemoOutcome> {
    let records = records(now).map_err(|e| StorageError::Backend(e.to_string()))?;
    let households = records.iter().filter(|r| r.entity == Entity::Household).count();
    if storage.meta(LOADED_FLAG)?.is_none() {
        storage.put_records(&records)?;
        storage.set_meta(LOADED_FLAG, &now.to_string())?;
        tracing::info!(records = records.len(), "demo district loaded");
    }
    current_year::load(storage, now)?;
    let mut admin_password = None;
    if storage.user_by_login(ADMIN_LOGIN)?.is_none() {
        let password = auth::random_secret(16);
        let hash = auth::hash_password(&password).map_err(StorageError::Backend)?;
        storage.create_user(
            NewUser {
                login: Some(ADMIN_LOGIN.into()),
                name: "Quản trị viên huyện (mẫu)".into(),
                role: Role::DistrictAdmin,
                unit: district(),
                password_hash: Some(hash),
            },
            now,
        )?;
        admin_password = Some(password);
    }
    let village = demo_village();
    let head = match storage.users_at_unit(village)?.into_iter().find(|u| u.role == Role::VillageHead && u.active) {
        Some(u) => u,
        None => storage.create_user(
            NewUser {
                login: None,
                name: "Trưởng ban công tác Mặt trận thôn (mẫu)".into(),
                role: Role::VillageHead,
                unit: village,
                password_hash: None,
            },
            now,
        )?,
    };
    let enrollment = enrollment::issue_code(storage, &head, now)?;
    Ok(DemoOutcome { admin_password, enrollment, village_name: "Thôn 1, xã Bình Chánh".into(), households })
}
