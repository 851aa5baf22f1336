//! The ANPR profile: ISAPI paths, lanes, lists, the duplicate window.

use std::collections::BTreeMap;

use serde::Deserialize;
use twinwall_plugin_sdk::isapi::Endpoints;
use twinwall_plugin_sdk::{DriverError, ProfileMeta};

/// A barrier-gate or speed-camera profile (`device-profiles/vehicle/*.toml`).
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Who made it.
    #[allow(dead_code, reason = "schema fields for people and tools")]
    pub profile: ProfileMeta,
    /// Event paths and limits.
    pub isapi: Endpoints,
    /// Barrier control (none: a camera without a barrier).
    #[serde(default)]
    pub barrier: Option<Barrier>,
    /// Reading.
    pub anpr: Anpr,
    /// lane → `entry` / `exit`.
    #[serde(default)]
    pub lanes: BTreeMap<String, String>,
    /// vehicleListName → category.
    #[serde(default)]
    pub lists: BTreeMap<String, String>,
}

/// Barrier control.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Barrier {
    /// `PUT` path taking a `BarrierGate` document.
    pub control: String,
}

/// Reading.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Anpr {
    pub duplicate_window_ms: i64,
    #[serde(default)]
    pub speed_limit_kmh: Option<u32>,
}

impl Profile {
    /// Parse and check profile text.
    pub fn parse(text: &str) -> Result<Self, DriverError> {
        let p: Profile = toml::from_str(text)
            .map_err(|e| DriverError::bad_config(format!("vehicle profile: {e}")))?;
        for (lane, what) in &p.lanes {
            if lane.parse::<u32>().is_err() || !matches!(what.as_str(), "entry" | "exit") {
                return Err(DriverError::bad_config(format!(
                    "vehicle profile: lanes: `{lane} = \"{what}\"` must map a lane number to \"entry\" or \"exit\""
                )));
            }
        }
        Ok(p)
    }

    /// `entry` or `exit` for a lane (none: a road camera).
    pub fn passage(&self, lane: u32) -> Option<&str> {
        self.lanes.get(&lane.to_string()).map(String::as_str)
    }

    /// The category of a list name (`unknown` when not listed).
    pub fn category(&self, list: Option<&str>) -> String {
        list.and_then(|l| self.lists.get(l))
            .cloned()
            .unwrap_or_else(|| "unknown".into())
    }

    /// The barrier's control path, if the camera has one.
    pub fn barrier(&self) -> Option<&str> {
        self.barrier.as_ref().map(|b| b.control.as_str())
    }
}

twinwall_plugin_sdk::family_schema_test!(Profile, "vehicle");
