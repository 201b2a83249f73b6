//! Built-in data: the 2023 plan of the Bình Sơn district front committee (the seed document,
//! transcribed as written), ready to install for a district and copy for later years.

use uuid::Uuid;

use crate::plans::{Plan, create_plan_in, plans_for};
use crate::units::UnitTree;
use crate::{Result, Store};

const PLAN_2023_BINH_SON: &str = include_str!("../data/plan-2023-binh-son.json");

/// The seed plan as data (no id or issuer yet).
pub fn plan_2023_binh_son() -> Result<Plan> {
    let plan: Plan = serde_json::from_str(PLAN_2023_BINH_SON)?;
    plan.validate()?;
    Ok(plan)
}

impl Store {
    /// Install the seed plan as a plan issued by `district`. Installing it again for the same
    /// unit returns the plan already there.
    pub fn install_seed_plan(&self, district: Uuid) -> Result<Plan> {
        let seed = plan_2023_binh_son()?;
        self.write(|tx| {
            let tree = UnitTree::load(tx.conn())?;
            let existing = plans_for(tx.conn(), &tree, district)?
                .into_iter()
                .find(|p| p.issuer == district && p.title == seed.title && p.issued_on == seed.issued_on);
            match existing {
                Some(p) => Ok(p),
                None => create_plan_in(tx, district, &seed),
            }
        })
    }
}
