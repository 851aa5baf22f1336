//! The host's control commands' arguments: each a type whose JSON Schema
//! (in `describe`) and parsing come from one definition; ranges the schema
//! states are checked here too, since serde does not.

use serde::Deserialize;
use twinwall_plugin_sdk::{DriverError, command};

/// `arm`, `disarm`: a partition.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Partition {
    /// Partition number (default 1).
    #[serde(default = "first")]
    #[schemars(range(min = 1, max = 99))]
    pub partition: u16,
}

/// `bypass`, `unbypass`: a zone.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ZoneNumber {
    /// Zone number.
    #[schemars(range(min = 1, max = 999))]
    pub zone: u16,
}

/// `fence.hv`: the pulse fence's high voltage on or off.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FenceVoltage {
    /// On (`true`) or off.
    pub on: bool,
}

fn first() -> u16 {
    1
}

fn within(name: &str, key: &str, v: u16, max: u16) -> Result<u16, DriverError> {
    if (1..=max).contains(&v) {
        Ok(v)
    } else {
        Err(DriverError::bad_args(format!(
            "{name}: `{key}` must be an integer 1..={max}, got {v}"
        )))
    }
}

/// The partition of an `arm` or `disarm`.
pub fn partition(name: &str, args: &str) -> Result<u16, DriverError> {
    let p: Partition = command::args(name, args)?;
    within(name, "partition", p.partition, 99)
}

/// The zone of a `bypass` or `unbypass`.
pub fn zone(name: &str, args: &str) -> Result<u16, DriverError> {
    let z: ZoneNumber = command::args(name, args)?;
    within(name, "zone", z.zone, 999)
}

/// Whether `fence.hv` switches on.
pub fn fence_on(name: &str, args: &str) -> Result<bool, DriverError> {
    command::args::<FenceVoltage>(name, args).map(|f| f.on)
}
