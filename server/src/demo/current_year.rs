//! The demo's plan for the current year: the 2023 seed plan brought forward by core's
//! copy-for-next-year (`Plan::copy_for_year`, the path of the dashboard's "from last year's
//! plan"), issued by the demo district to every unit below with `PlannedTask::into_task` (as the
//! dashboard's issue), and sample work done under it, so the overview shows a mix rather than a
//! wall of "late": Bình Chánh on schedule, Bình Dương behind in one village and late with a
//! report, Bình Hải behind.
//!
//! The year is today's in Vietnam (core's clock). Sample dates fall between the start of the
//! year and today. Every person's name and every free text says "mẫu" (sample). Loaded once a
//! year (a meta flag per year); record ids are derived from names.

use chrono::{Datelike, Days, NaiveDate, TimeZone};
use serde_json::{Value, json};
use sotay_core::checklist::{self, Evidence, EvidenceKind, TaskStatus};
use sotay_core::clock::{today_in_vietnam, vietnam};
use sotay_core::plans::Plan;
use sotay_core::pledges::PledgeKind;
use sotay_core::record::{self, Entity, RecordState, Seal, content_hash};
use sotay_core::units::UnitTree;
use uuid::Uuid;

use super::{COMMUNES, HOUSEHOLDS_PER_VILLAGE, VILLAGES_PER_COMMUNE, demo_id, district, pledge_templates, server_record, server_record_fields, template_id};
use crate::reports::{Milestone, Signer};
use crate::storage::{NewUser, ReportFiling, Role, Storage, StorageError, StorageResult};
use crate::web::context::Ctx;
use crate::web::{figures, progress, report_pages};

/// The demo district's plan for `year` (for 2023, the seed plan itself).
pub fn plan_id_for_year(year: i32) -> Uuid {
    demo_id(&format!("plan:{year}-binh-son"))
}

/// The demo plan of the year `now` falls in, in Vietnam.
pub fn current_plan_id(now: i64) -> Uuid {
    plan_id_for_year(today_in_vietnam(now).year())
}

const HEAD: &str = "Trưởng ban công tác Mặt trận thôn (mẫu)";
/// Households pledged by now in each village, in percent: Bình Chánh, Bình Dương, Bình Hải.
/// None in Bình Chánh's village 1, the village whose head gets the printed enrollment code: a
/// phone enrolled there starts its door-to-door round from the beginning.
const PLEDGED_PCT: [[u64; VILLAGES_PER_COMMUNE]; 3] = [[0, 85, 70], [55, 40, 25], [20, 10, 0]];
/// Villages whose model (key task 3.3) is built: (commune, village).
const MODELS: [(usize, usize); 4] = [(0, 1), (0, 2), (0, 3), (1, 1)];

fn core_err(e: sotay_core::Error) -> StorageError {
    StorageError::Backend(e.to_string())
}

fn commune_id(ci: usize) -> Uuid {
    demo_id(&format!("unit:DEMO-BS-{}", COMMUNES[ci].0))
}

fn village_id(ci: usize, v: usize) -> Uuid {
    demo_id(&format!("unit:DEMO-BS-{}-{v}", COMMUNES[ci].0))
}

/// Issue the current year's plan with its sample work, unless this year's is there already or
/// the year is the seed plan's own (or the demo district is missing).
pub(super) fn load(storage: &dyn Storage, now: i64) -> StorageResult<()> {
    let today = today_in_vietnam(now);
    let year = today.year();
    let seed = sotay_core::seed::plan_2023_binh_son().map_err(core_err)?;
    let flag = format!("demo_year_{year}");
    if year <= seed.period.from.year() || storage.meta(&flag)?.is_some() {
        return Ok(());
    }
    let tree = UnitTree::from_records(&storage.records(Entity::Unit, None)?);
    if !tree.contains(district()) {
        return Ok(());
    }
    let mut plan = seed.copy_for_year(year);
    plan.id = plan_id_for_year(year);
    plan.issuer = district();
    plan.number = "01/KH-MTTQ-BTT".into();
    plan.issued_on = plan.issued_on.min(today).max(plan.period.from);
    let sample = Sample { plan: &plan, tree: &tree, today, now };
    let records = sample.records(storage)?;
    storage.put_records(&records)?;
    sample.file_reports(storage)?;
    storage.set_meta(&flag, &now.to_string())?;
    tracing::info!(year, records = records.len(), "demo plan of the current year issued");
    Ok(())
}

struct Sample<'a> {
    plan: &'a Plan,
    tree: &'a UnitTree,
    today: NaiveDate,
    now: i64,
}

impl Sample<'_> {
    fn year(&self) -> i32 {
        self.plan.period.from.year()
    }

    /// The day `permille`/1000 of the way from the start of the plan to today.
    fn along(&self, permille: u64) -> NaiveDate {
        let elapsed = (self.today - self.plan.period.from).num_days().max(0) as u64;
        self.plan.period.from + Days::new(elapsed * permille.min(1000) / 1000)
    }

    /// Milliseconds at `hour` o'clock in Vietnam on `day`, never after now.
    fn at(&self, day: NaiveDate, hour: u32) -> i64 {
        let ms = day.and_hms_opt(hour, 0, 0).and_then(|t| vietnam().from_local_datetime(&t).single()).map(|t| t.timestamp_millis());
        ms.unwrap_or(self.now).min(self.now)
    }

    /// How far into the year's work we are, in permille: a quarter at New Year, all by late August.
    fn season(&self) -> u64 {
        let elapsed = (self.today - self.plan.period.from).num_days().max(0) as u64;
        (250 + elapsed * 750 / 240).min(1000)
    }

    fn id(&self, name: &str) -> Uuid {
        demo_id(&format!("y{}:{name}", self.year()))
    }

    fn record(&self, entity: Entity, name: &str, unit: Uuid, fields: Value) -> RecordState {
        server_record(entity, self.id(name), unit, fields, self.now)
    }

    fn sealed(&self, entity: Entity, name: &str, unit: Uuid, fields: Value, at: i64) -> RecordState {
        let mut r = self.record(entity, name, unit, fields);
        r.seal = Some(Seal { by: HEAD.into(), at, hash: content_hash(entity, r.id, &r.fields) });
        r
    }

    fn records(&self, storage: &dyn Storage) -> StorageResult<Vec<RecordState>> {
        let plan = self.plan;
        let year = self.year();
        let mut fields = record::to_fields(plan).map_err(core_err)?;
        // Marked issued, as the dashboard marks a plan it issues.
        fields.insert("issued_at".into(), json!(self.now));
        let mut out = vec![server_record_fields(Entity::Plan, plan.id, plan.issuer, fields, self.now)];
        out.extend(pledge_templates(year, self.now).map_err(core_err)?);
        let templates = sotay_core::pledges::shipped_pledge_templates().map_err(core_err)?;
        let commitments = |kind: PledgeKind| templates.iter().find(|t| t.kind == kind).map(|t| t.commitments.clone()).unwrap_or_default();

        // Village conferences (sealed minutes), in the villages of the two communes on the move.
        let mut minutes = std::collections::HashMap::new();
        for ci in 0..2 {
            for v in 1..=VILLAGES_PER_COMMUNE {
                let village = village_id(ci, v);
                let held_at = self.at(self.along(120 + 40 * v as u64), 19);
                let task = checklist::task_id(plan.id, village, "V-conference");
                let fields = json!({
                    "held_at": held_at, "place": format!("Nhà văn hóa thôn {v} (mẫu)"), "kind": "village_conference",
                    "chair": HEAD, "secretary": "Thư ký hội nghị (mẫu)", "attendee_count": 35 + 5 * v,
                    "attendees": [{"name": "Đại diện các hộ gia đình (mẫu)", "role": "household_representative"},
                                  {"name": "Công an viên (mẫu)", "role": "police"}],
                    "agenda": "Phổ biến kế hoạch phòng, chống xâm hại trẻ em năm nay (mẫu)",
                    "contents": "Quán triệt nội dung kế hoạch; phát động đăng ký cam kết hộ gia đình, tộc họ (mẫu).",
                    "conclusions": "Các hộ thống nhất đăng ký cam kết (mẫu).",
                    "assigned_tasks": [], "attachments": [], "plan": plan.id, "task": task, "amends": null,
                });
                let r = self.sealed(Entity::Minutes, &format!("minutes:{ci}-{v}"), village, fields, held_at);
                minutes.insert(village, r.id);
                out.push(r);
            }
        }

        // Every unit's checklist, with a status by the sample's pace.
        for unit in self.tree.subtree(plan.issuer) {
            let (ci, v) = self.position(unit);
            for p in checklist::planned_tasks(plan, self.tree, unit).map_err(core_err)? {
                let mut task = p.into_task(plan.id, unit);
                let lagging = match (ci, v) {
                    (Some(2), _) => true,
                    (Some(1), Some(3)) => task.code == "V-pledges",
                    _ => false,
                };
                let model = ci.zip(v).is_some_and(|cv| MODELS.contains(&cv)) && task.code == sotay_core::progress::MODEL_TASK_CODE;
                if (task.due < self.today && !lagging) || model {
                    task.status = TaskStatus::Done;
                    task.evidence.push(match minutes.get(&unit).filter(|_| task.code == "V-conference") {
                        Some(m) => Evidence { kind: EvidenceKind::Meeting, reference: Some(m.to_string()), note: "Biên bản hội nghị (mẫu)".into() },
                        None => Evidence { kind: EvidenceKind::Note, reference: None, note: "Đã thực hiện (dữ liệu mẫu)".into() },
                    });
                } else if ci != Some(2) && (task.due - self.today).num_days() < 90 {
                    task.status = TaskStatus::Doing;
                }
                out.push(server_record_fields(Entity::Task, task.id, unit, record::to_fields(&task).map_err(core_err)?, self.now));
            }
        }

        // Household pledges (sealed) and door-to-door visits.
        let household_template = template_id(year, PledgeKind::Household).map_err(core_err)?;
        for (ci, (code, _)) in COMMUNES.iter().enumerate() {
            for v in 1..=VILLAGES_PER_COMMUNE {
                let village = village_id(ci, v);
                let households = storage.records(Entity::Household, Some(village))?;
                let pledged = HOUSEHOLDS_PER_VILLAGE as u64 * PLEDGED_PCT[ci][v - 1] * self.season() / 100_000;
                for h in 0..HOUSEHOLDS_PER_VILLAGE {
                    let id = demo_id(&format!("household:{code}-{v}-{h}"));
                    // A household erased on request stays erased.
                    let Some(household) = households.iter().find(|r| r.id == id) else { continue };
                    let head = household.fields.get("head_name").and_then(Value::as_str).unwrap_or("Chủ hộ (mẫu)");
                    let name = format!("{code}-{v}-{h}");
                    if (h as u64) < pledged {
                        let signed_on = self.along(100 + 850 * h as u64 / HOUSEHOLDS_PER_VILLAGE as u64);
                        let fields = json!({
                            "kind": "household", "subject": id, "template": household_template, "commitments": commitments(PledgeKind::Household),
                            "signed_by": head, "witness": HEAD, "signed_on": signed_on, "signature": null, "amends": null,
                        });
                        out.push(self.sealed(Entity::Pledge, &format!("pledge:{name}"), village, fields, self.at(signed_on, 10)));
                        out.push(self.record(Entity::Visit, &format!("visit:{name}"), village, json!({
                            "household": id, "visited_on": signed_on, "outcome": "pledged", "revisit_on": null, "note": "Đã ký cam kết (mẫu)",
                        })));
                    } else if ci < 2 && village != super::demo_village() && h % 3 != 2 {
                        let visited_on = self.along(700);
                        let (outcome, revisit_on, note) = if h % 4 == 1 {
                            ("refused", None, "Hộ chưa đồng ý, hẹn vận động lại sau (mẫu)")
                        } else {
                            ("not_home", Some((visited_on + Days::new(7)).min(plan.period.to)), "Vắng nhà, hẹn quay lại (mẫu)")
                        };
                        out.push(self.record(Entity::Visit, &format!("visit:{name}"), village, json!({
                            "household": id, "visited_on": visited_on, "outcome": outcome, "revisit_on": revisit_on, "note": note,
                        })));
                    }
                }
            }
        }
        // Bình Chánh's village 1 signs as a residential area.
        let village = village_id(0, 1);
        let signed_on = self.along(400);
        let fields = json!({
            "kind": "residential_area", "subject": village, "template": template_id(year, PledgeKind::ResidentialArea).map_err(core_err)?,
            "commitments": commitments(PledgeKind::ResidentialArea), "signed_by": "Đại diện khu dân cư thôn 1 (mẫu)", "witness": HEAD,
            "signed_on": signed_on, "signature": null, "amends": null,
        });
        out.push(self.sealed(Entity::Pledge, "pledge:area-BC-1", village, fields, self.at(signed_on, 10)));

        // Awareness activities: on the new law in Bình Chánh and Bình Dương (target 1), others too.
        let activities = [
            (commune_id(0), 150, "conference", "Hội nghị tuyên truyền Luật Trẻ em và các quy định mới về bảo vệ trẻ em (mẫu)", 180, true),
            (commune_id(1), 450, "loudspeaker", "Phát thanh quy định mới về phòng, chống xâm hại trẻ em (mẫu)", 600, true),
            (commune_id(2), 500, "posters_banners", "Băng rôn hưởng ứng Tháng hành động vì trẻ em (mẫu)", 0, false),
            (village_id(0, 1), 300, "school_talk", "Nói chuyện kỹ năng phòng, chống xâm hại tại trường tiểu học (mẫu)", 250, false),
            (village_id(1, 2), 600, "leaflets", "Phát tờ rơi phòng, chống xâm hại trẻ em đến từng hộ (mẫu)", 120, false),
        ];
        for (i, (unit, permille, kind, topic, audience, new_law)) in activities.into_iter().enumerate() {
            out.push(self.record(Entity::Activity, &format!("activity:{i}"), unit, json!({
                "date": self.along(permille), "kind": kind, "topic": topic, "audience": audience,
                "plan": plan.id, "task": null, "new_law": new_law,
            })));
        }
        Ok(out)
    }

    /// (commune index, village number) of a demo unit; None for what is neither.
    fn position(&self, unit: Uuid) -> (Option<usize>, Option<usize>) {
        for ci in 0..COMMUNES.len() {
            if unit == commune_id(ci) {
                return (Some(ci), None);
            }
            if let Some(v) = (1..=VILLAGES_PER_COMMUNE).find(|v| unit == village_id(ci, *v)) {
                return (Some(ci), Some(v));
            }
        }
        (None, None)
    }

    /// Milestone reports filed through the server: Bình Chánh on time, Bình Dương on time for
    /// the first and three days late after that, Bình Hải not at all.
    fn file_reports(&self, storage: &dyn Storage) -> StorageResult<()> {
        for (ci, (_, commune_name)) in COMMUNES.iter().enumerate().take(2) {
            let commune = commune_id(ci);
            let name = format!("Cán bộ Ủy ban MTTQ xã {commune_name} (mẫu)");
            let staff = match storage.users_at_unit(commune)?.into_iter().find(|u| u.role == Role::CommuneStaff && u.name == name) {
                Some(u) => u,
                None => storage.create_user(NewUser { login: None, name, role: Role::CommuneStaff, unit: commune, password_hash: None }, self.now)?,
            };
            let ctx = Ctx { tree: self.tree.clone(), today: self.today, now_ms: self.now };
            for (n, m) in Milestone::ALL.into_iter().enumerate() {
                let Some(due) = figures::deadline_for(&ctx, self.plan, commune, m) else { continue };
                let filed_on = if ci == 0 || n == 0 { due - Days::new(2) } else { due + Days::new(3) };
                if filed_on >= self.today {
                    continue;
                }
                let filed_at = self.at(filed_on, 15);
                let ctx = Ctx { tree: self.tree.clone(), today: filed_on, now_ms: filed_at };
                let rows = figures::row_units(&ctx, self.plan, commune);
                let (_, rows_level) = figures::rows_level(&ctx, &rows);
                let figures = progress::compute(storage, self.tree, self.plan.id, commune, &rows, filed_on)?;
                let mut report = report_pages::report_of(&ctx, self.plan, commune, m, rows_level, figures);
                report.number = format!("{:02}/BC-MTTQ", n + 1);
                report.signer = Signer { on_behalf: "TM. Ban Thường trực".into(), title: "Chủ tịch".into(), name: "Nguyễn Văn Mẫu (mẫu)".into() };
                storage.file_report(&ReportFiling {
                    id: self.id(&format!("filing:{ci}:{}", m.code())),
                    unit: commune,
                    plan: self.plan.id,
                    milestone: m.code().to_string(),
                    filed_at,
                    filed_by: staff.id,
                    filed_by_name: staff.name.clone(),
                    due: Some(due),
                    late: figures::is_late(filed_at, due),
                    report: serde_json::to_string(&report).map_err(|e| StorageError::Backend(e.to_string()))?,
                })?;
            }
        }
        Ok(())
    }
}
