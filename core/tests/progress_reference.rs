//! Progress as computed (facts indexed by unit once, shared across units by `compute_each`)
//! equals a straightforward computation that rescans every fact for every question, on a
//! random-ish district: amended and stray pledges, residential-area pledges kept by the area or
//! by its commune, a merged village, meetings and activities inside and outside the period,
//! checklists in every state.

use std::collections::HashSet;

use chrono::NaiveDate;
use sotay_core::checklist::{Task, TaskStatus};
use sotay_core::plans::{INDICATOR_NEW_LAW_ACTIVITY, INDICATOR_RESIDENTIAL_AREA_MODEL, Plan};
use sotay_core::progress::{
    self, ActivityFact, AreaProgress, ChecklistSummary, DUE_SOON_DAYS, Facts, MODEL_TASK_CODE, PledgeFact, Progress, Ratio, TargetProgress,
    TaskItem, UPCOMING_LIMIT,
};
use sotay_core::units::{Merge, Unit, UnitTree};
use uuid::Uuid;

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A small deterministic generator (xorshift), so the fixture is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
    /// A day of 2022–2024 (the plan covers 2023).
    fn day(&mut self) -> NaiveDate {
        ymd(2022, 1, 1) + chrono::Days::new(self.below(3 * 365))
    }
}

fn unit(id: Uuid, name: &str, level: &str, parent: Option<Uuid>) -> Unit {
    Unit {
        id,
        code: String::new(),
        name: name.into(),
        level: level.into(),
        parent,
        residential_area: matches!(level, "thôn" | "tổ dân phố"),
        renames: Vec::new(),
        merged_into: None,
        established_on: None,
    }
}

struct Fixture {
    tree: UnitTree,
    facts: Facts,
    units: Vec<Uuid>,
}

fn fixture(seed: u64, with_plan: bool) -> Fixture {
    let mut rng = Rng(seed);
    let id = |rng: &mut Rng| Uuid::from_u64_pair(rng.next(), rng.next());
    let province = id(&mut rng);
    let district = id(&mut rng);
    let mut units = vec![unit(province, "Quảng Ngãi", "tỉnh", None), unit(district, "Bình Sơn", "huyện", Some(province))];
    let mut communes = Vec::new();
    let mut villages = Vec::new();
    for c in 0..5 {
        let commune = id(&mut rng);
        units.push(unit(commune, &format!("Xã {c}"), if c == 4 { "thị trấn" } else { "xã" }, Some(district)));
        communes.push(commune);
        for v in 0..(2 + rng.below(4)) {
            let village = id(&mut rng);
            let level = if c == 4 { "tổ dân phố" } else { "thôn" };
            units.push(unit(village, &format!("Thôn {c}-{v}"), level, Some(commune)));
            villages.push(village);
        }
    }
    // A village merged into its neighbour in mid-2023: its records count for the successor.
    let (gone, into) = (villages[1], villages[0]);
    units.iter_mut().find(|u| u.id == gone).unwrap().merged_into = Some(Merge { unit: into, effective_from: ymd(2023, 7, 1) });
    let tree = UnitTree::from_units(units.clone());
    let all: Vec<Uuid> = units.iter().map(|u| u.id).collect();

    let plan = with_plan.then(|| {
        let mut p = sotay_core::seed::plan_2023_binh_son().unwrap();
        p.id = id(&mut rng);
        p.issuer = district;
        p
    });
    let mut facts = Facts { plan: plan.clone(), ..Default::default() };
    for _ in 0..400 {
        facts.households.push((id(&mut rng), rng.pick(&villages)));
    }
    for _ in 0..40 {
        facts.clans.push((id(&mut rng), rng.pick(&villages)));
    }
    let households = facts.households.clone();
    for (h, village) in &households {
        if rng.chance(60) {
            // Usually kept by the household's village; now and then amended, or filed elsewhere.
            let unit = if rng.chance(90) { *village } else { rng.pick(&all) };
            for _ in 0..(1 + u64::from(rng.chance(10))) {
                facts.pledges.push(PledgeFact { unit, kind: "household".into(), subject: *h });
            }
        }
    }
    for _ in 0..20 {
        facts.pledges.push(PledgeFact { unit: rng.pick(&villages), kind: "household".into(), subject: id(&mut rng) });
    }
    let clans = facts.clans.clone();
    for (c, village) in &clans {
        if rng.chance(50) {
            facts.pledges.push(PledgeFact { unit: *village, kind: "clan".into(), subject: *c });
        }
    }
    for _ in 0..6 {
        // Kept by the area itself, or by its commune naming the area.
        let area = rng.pick(&villages);
        let keeper = if rng.chance(50) { area } else { tree.get(area).and_then(|u| u.parent).unwrap() };
        facts.pledges.push(PledgeFact { unit: keeper, kind: "residential_area".into(), subject: area });
    }
    for _ in 0..60 {
        facts.meetings.push((rng.pick(&all), rng.day()));
    }
    for _ in 0..50 {
        facts.activities.push(ActivityFact { unit: rng.pick(&all), date: rng.day(), new_law: rng.chance(30), audience: rng.below(300) as u32 });
    }
    if let Some(plan) = &plan {
        let statuses = [TaskStatus::Todo, TaskStatus::Doing, TaskStatus::Done, TaskStatus::NotApplicable];
        for u in &all {
            for code in ["3.1", "3.2", MODEL_TASK_CODE, "M-6_month", "M-annual", "V-pledges"] {
                if rng.chance(70) {
                    facts.tasks.push(Task {
                        id: id(&mut rng),
                        unit: *u,
                        plan: plan.id,
                        code: code.into(),
                        title: format!("Nhiệm vụ {code}"),
                        due: ymd(2023, 1, 1) + chrono::Days::new(rng.below(365)),
                        status: rng.pick(&statuses),
                        reason: None,
                        evidence: Vec::new(),
                    });
                }
            }
        }
    }
    Fixture { tree, facts, units: all }
}

// ---- the straightforward computation: every question rescans the facts ----

fn reference(tree: &UnitTree, facts: &Facts, unit: Uuid, today: NaiveDate) -> Progress {
    let period = facts.plan.as_ref().map(|p| p.period);
    let in_period = |d: NaiveDate| period.is_none_or(|p| p.contains(d));
    let subtree = |u: Uuid| -> HashSet<Uuid> { tree.subtree(u).into_iter().collect() };
    let pledged = |kind: &str, subject: Uuid| facts.pledges.iter().any(|p| p.kind == kind && p.subject == subject);
    let ratio = |list: &[(Uuid, Uuid)], kind: &str, units: &HashSet<Uuid>| {
        let inside: Vec<_> = list.iter().filter(|(_, u)| units.contains(u)).collect();
        Ratio::new(inside.iter().filter(|(id, _)| pledged(kind, *id)).count(), inside.len())
    };
    let meetings = |units: &HashSet<Uuid>| facts.meetings.iter().filter(|(u, d)| units.contains(u) && in_period(*d)).count() as u32;
    let activities = |units: &HashSet<Uuid>| -> Vec<&ActivityFact> {
        facts.activities.iter().filter(|a| units.contains(&a.unit) && in_period(a.date)).collect()
    };
    let model = |area: Uuid, units: &HashSet<Uuid>| {
        facts.tasks.iter().any(|t| units.contains(&t.unit) && t.code == MODEL_TASK_CODE && t.status == TaskStatus::Done)
            || facts.pledges.iter().any(|p| {
                p.kind == "residential_area" && (p.subject == area || units.contains(&p.unit) || units.contains(&p.subject))
            })
    };
    let tasks_of = |u: Uuid| -> Vec<&Task> { facts.tasks.iter().filter(|t| t.unit == u).collect() };
    let summary = |tasks: &[&Task]| {
        let mut s = ChecklistSummary { total: tasks.len() as u32, ..Default::default() };
        for t in tasks {
            if t.status == TaskStatus::Done {
                s.done += 1;
            } else if t.status == TaskStatus::NotApplicable {
                s.not_applicable += 1;
            } else if t.due < today {
                s.overdue += 1;
            } else {
                s.open += 1;
                s.due_soon += u32::from((t.due - today).num_days() < DUE_SOON_DAYS);
            }
        }
        s
    };
    let item = |t: &Task| TaskItem {
        task: t.id,
        unit: t.unit,
        code: t.code.clone(),
        title: t.title.clone(),
        status: t.status,
        due: t.due,
        due_text: t.due.format("%d/%m/%Y").to_string(),
        days_left: (t.due - today).num_days(),
    };

    let units = subtree(unit);
    let own = tasks_of(unit);
    let mut upcoming: Vec<TaskItem> = own.iter().filter(|t| t.status.is_open() && t.due >= today).map(|t| item(t)).collect();
    upcoming.sort_by(|a, b| (a.due, &a.code).cmp(&(b.due, &b.code)));
    upcoming.truncate(UPCOMING_LIMIT);
    let areas = if tree.is_residential_area(unit) {
        Vec::new()
    } else {
        tree.residential_areas(unit, today)
            .into_iter()
            .map(|a| {
                let au = subtree(a.id);
                AreaProgress {
                    unit: a.id,
                    name: a.name_on(today).to_string(),
                    households: ratio(&facts.households, "household", &au),
                    meetings: meetings(&au),
                    activities: activities(&au).len() as u32,
                    checklist: summary(&tasks_of(a.id)),
                    model: model(a.id, &au),
                }
            })
            .collect()
    };
    let targets = facts
        .plan
        .iter()
        .flat_map(|p: &Plan| &p.targets)
        .map(|t| {
            let measured: Vec<Uuid> = tree
                .subtree(unit)
                .into_iter()
                .filter(|u| tree.matches_level(*u, &t.measured_over) && tree.get(*u).is_some_and(|x| x.is_active_on(today)))
                .collect();
            let mut met = 0;
            let mut missing = Vec::new();
            for m in &measured {
                let mu = subtree(*m);
                let ok = match t.indicator.as_str() {
                    INDICATOR_NEW_LAW_ACTIVITY => activities(&mu).iter().any(|a| a.new_law),
                    INDICATOR_RESIDENTIAL_AREA_MODEL => model(*m, &mu),
                    _ => false,
                };
                if ok {
                    met += 1;
                } else {
                    missing.push(tree.name_on(*m, today).unwrap().to_string());
                }
            }
            let n = measured.len();
            TargetProgress {
                code: t.code.clone(),
                text: t.text.clone(),
                indicator: t.indicator.clone(),
                threshold_pct: t.threshold_pct,
                measured: n as u32,
                met,
                value: (n > 0).then(|| Ratio::new(met as usize, n)),
                reached: (n > 0).then(|| met as usize * 100 >= t.threshold_pct as usize * n),
                missing,
            }
        })
        .collect();
    let acts = activities(&units);
    Progress {
        unit,
        name: tree.name_on(unit, today).unwrap().to_string(),
        plan: facts.plan.as_ref().map(|p| p.id),
        today,
        today_text: today.format("%d/%m/%Y").to_string(),
        households: ratio(&facts.households, "household", &units),
        clans: ratio(&facts.clans, "clan", &units),
        residential_area_pledges: facts.pledges.iter().filter(|p| p.kind == "residential_area" && units.contains(&p.unit)).count() as u32,
        meetings: meetings(&units),
        activities: acts.len() as u32,
        new_law_activities: acts.iter().filter(|a| a.new_law).count() as u32,
        audience: acts.iter().map(|a| u64::from(a.audience)).sum(),
        checklist: summary(&own),
        targets,
        upcoming,
        areas,
    }
}

#[test]
fn indexed_progress_equals_the_straightforward_computation() {
    for (seed, with_plan) in [(0x5eed_0001, true), (0x5eed_0002, true), (0x5eed_0003, false)] {
        let fx = fixture(seed, with_plan);
        for today in [ymd(2023, 6, 10), ymd(2023, 11, 20)] {
            let expected: Vec<Progress> = fx.units.iter().map(|u| reference(&fx.tree, &fx.facts, *u, today)).collect();
            for (u, e) in fx.units.iter().zip(&expected) {
                assert_eq!(&progress::compute(&fx.tree, &fx.facts, *u, today), e, "unit {u}, seed {seed:x}, {today}");
            }
            assert_eq!(progress::compute_each(&fx.tree, &fx.facts, &fx.units, today), expected, "seed {seed:x}, {today}");
        }
    }
}

#[test]
fn the_fixture_exercises_every_path() {
    // Guards the test above against a fixture too tame to tell anything apart.
    let fx = fixture(0x5eed_0001, true);
    let district = fx.units[1];
    let p = progress::compute(&fx.tree, &fx.facts, district, ymd(2023, 11, 20));
    assert!(p.households.done > 0 && p.households.done < p.households.total);
    assert!(p.residential_area_pledges > 0);
    assert!(p.areas.iter().any(|a| a.model) && p.areas.iter().any(|a| !a.model));
    let t2 = &p.targets[1];
    assert!(t2.met > 0 && t2.met < t2.measured, "{t2:?}");
    assert!(p.meetings > 0 && (p.meetings as usize) < fx.facts.meetings.len(), "some meetings fall outside the period");
}
