//! `[statistics]`: which of the program's six dimensions (the seed's
//! command centre: 人身安全, 环境安全, 主动防御, 专项治理, 运行管理, 安全机制)
//! each event kind counts in.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One of the six dimensions the program's command centre reports in.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// 人身安全: people on campus, visitors, one-key alarms, access.
    Personal,
    /// 环境安全: fire and environment sensors.
    Environment,
    /// 主动防御: perimeter, cameras, vehicles at the gates.
    ActiveDefence,
    /// 专项治理: the campaigns (traffic: speeding, violations, overstays).
    Special,
    /// 运行管理: the devices and drivers running, speakers, the bridge.
    Operation,
    /// 安全机制: how people answer: alarms handled, rules, broadcasts, accounts.
    Mechanism,
}

impl Dimension {
    /// All of them, in the seed's order.
    pub const ALL: [Dimension; 6] = [
        Dimension::Personal,
        Dimension::Environment,
        Dimension::ActiveDefence,
        Dimension::Special,
        Dimension::Operation,
        Dimension::Mechanism,
    ];
}

/// `[statistics]`
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct StatisticsConfig {
    /// Kinds (`vehicle.speeding`) and families (`fire.*`) to their
    /// dimension; a kind's own entry wins over its family's, and the
    /// entries given here over the defaults. Kinds named nowhere count as
    /// `other`. Default: `access.*`, `people.*`, `panic.*` personal;
    /// `fire.*`, `sensor.*` environment; `perimeter.*`, `camera.*`,
    /// `vehicle.*`, `barrier.*` active_defence; `vehicle.speeding`,
    /// `vehicle.violation`, `vehicle.overstay` special; `device.*`,
    /// `driver.*`, `speaker.*`, `bus.*`, `northbound.*`, `clip.*`
    /// operation; `alarm.*`, `rule.*`, `broadcast.*`, `session.*`,
    /// `user.*`, `token.*`, `unit.*`, and the program's `risk.*`,
    /// `inspection.*`, `hazard.*`, `assessment.*` mechanism.
    pub dimensions: BTreeMap<String, Dimension>,
    /// The longest range one query may ask, days. Default 366.
    pub max_days: u32,
}

impl Default for StatisticsConfig {
    fn default() -> Self {
        StatisticsConfig {
            dimensions: BTreeMap::new(),
            max_days: 366,
        }
    }
}

impl StatisticsConfig {
    /// The defaults with this config's entries over them.
    pub fn table(&self) -> BTreeMap<String, Dimension> {
        use Dimension::*;
        let defaults: &[(&str, Dimension)] = &[
            ("access.*", Personal),
            ("people.*", Personal),
            ("panic.*", Personal),
            ("fire.*", Environment),
            ("sensor.*", Environment),
            ("perimeter.*", ActiveDefence),
            ("camera.*", ActiveDefence),
            ("vehicle.*", ActiveDefence),
            ("barrier.*", ActiveDefence),
            ("vehicle.speeding", Special),
            ("vehicle.violation", Special),
            ("vehicle.overstay", Special),
            ("device.*", Operation),
            ("driver.*", Operation),
            ("speaker.*", Operation),
            ("bus.*", Operation),
            ("northbound.*", Operation),
            ("clip.*", Operation),
            ("alarm.*", Mechanism),
            ("rule.*", Mechanism),
            ("broadcast.*", Mechanism),
            ("session.*", Mechanism),
            ("user.*", Mechanism),
            ("token.*", Mechanism),
            ("unit.*", Mechanism),
            ("risk.*", Mechanism),
            ("inspection.*", Mechanism),
            ("hazard.*", Mechanism),
            ("assessment.*", Mechanism),
        ];
        let mut t: BTreeMap<String, Dimension> = defaults
            .iter()
            .map(|(k, d)| ((*k).to_owned(), *d))
            .collect();
        t.extend(self.dimensions.iter().map(|(k, d)| (k.clone(), *d)));
        t
    }
}
