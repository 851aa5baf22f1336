//! The device profile: where a panel model keeps its points, LEDs, counters
//! and command coils. Parsed from `device-profiles/fire-panel/<model>.toml`.

use serde::Deserialize;
use twinwall_plugin_sdk::{DriverError, ModbusTable};

/// A fire-panel profile.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub profile: Meta,
    pub poll: Poll,
    pub identity: Identity,
    pub points: Points,
    pub summary: Summary,
    pub counters: Counters,
    pub commands: Commands,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(
    dead_code,
    reason = "schema fields for people and tools; the driver reads only some"
)]
pub struct Meta {
    pub family: String,
    pub vendor: String,
    pub model: String,
    pub map_version: u16,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Poll {
    pub interval_ms: u32,
    pub counters_interval_ms: u32,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    pub table: Table,
    pub map_version: u16,
    pub point_count: u16,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Points {
    pub table: Table,
    pub base: u16,
    pub count: u16,
    pub type_table: Table,
    pub type_base: u16,
    pub bits: PointBits,
    pub event_types: EventTypes,
}

/// Bit positions in a point word (Notifier style).
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PointBits {
    pub ack_block: u8,
    pub prealarm: u8,
    pub trouble: u8,
    pub inactive: u8,
    pub active: u8,
    pub enabled: u8,
    pub disabled: u8,
    pub ack_fire: u8,
}

/// Low-byte values of a point word.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(
    dead_code,
    reason = "schema fields for people and tools; the driver reads only some"
)]
pub struct EventTypes {
    pub fire: u8,
    pub supervisory: u8,
    pub security: u8,
    pub not_programmed: u8,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    pub table: Table,
    pub base: u16,
    pub count: u16,
    pub main_power_fault: u16,
    pub battery_fault: u16,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Counters {
    pub table: Table,
    pub base: u16,
    pub reset: u16,
    pub silence: u16,
    pub acknowledge: u16,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Commands {
    pub table: Table,
    pub reset: u16,
    pub silence: u16,
    pub acknowledge: u16,
}

/// A Modbus table as profiles spell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Table {
    Coils,
    DiscreteInputs,
    HoldingRegisters,
    InputRegisters,
}

impl From<Table> for ModbusTable {
    fn from(t: Table) -> Self {
        match t {
            Table::Coils => ModbusTable::Coils,
            Table::DiscreteInputs => ModbusTable::DiscreteInputs,
            Table::HoldingRegisters => ModbusTable::HoldingRegisters,
            Table::InputRegisters => ModbusTable::InputRegisters,
        }
    }
}

impl Profile {
    /// Parse profile text; errors name the profile key at fault.
    pub fn parse(text: &str) -> Result<Self, DriverError> {
        let p: Profile = toml::from_str(text)
            .map_err(|e| DriverError::bad_config(format!("device profile: {}", e.message())))?;
        if p.profile.family != "fire-panel" {
            return Err(DriverError::bad_config(format!(
                "device profile: profile.family is `{}`, this driver serves `fire-panel`",
                p.profile.family
            )));
        }
        let bits = &p.points.bits;
        for (name, bit) in [
            ("ack_block", bits.ack_block),
            ("prealarm", bits.prealarm),
            ("trouble", bits.trouble),
            ("inactive", bits.inactive),
            ("active", bits.active),
            ("enabled", bits.enabled),
            ("disabled", bits.disabled),
            ("ack_fire", bits.ack_fire),
        ] {
            if !(8..16).contains(&bit) {
                return Err(DriverError::bad_config(format!(
                    "device profile: points.bits.{name} = {bit}, must be 8..=15 (the low byte holds the event type)"
                )));
            }
        }
        if p.poll.interval_ms < 50 || p.poll.counters_interval_ms < 50 {
            return Err(DriverError::bad_config(
                "device profile: poll intervals must be at least 50 ms",
            ));
        }
        if p.commands.table != Table::Coils {
            return Err(DriverError::bad_config(
                "device profile: commands.table must be `coils`",
            ));
        }
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FP1: &str = include_str!("../../../device-profiles/fire-panel/twinwall-fp1.toml");

    #[test]
    fn shipped_profile_parses() {
        let p = Profile::parse(FP1).unwrap();
        assert_eq!(p.profile.model, "TW-FP1");
        assert_eq!(p.points.bits.active, 11);
    }

    #[test]
    fn unknown_key_is_named() {
        let bad = FP1.replace("[poll]", "[poll]\nintervall = 3");
        let e = Profile::parse(&bad).unwrap_err();
        assert_eq!(e.code, "bad-config");
        assert!(e.message.contains("intervall"), "{}", e.message);
    }

    #[test]
    fn bit_in_low_byte_is_refused() {
        let bad = FP1.replace("active = 11", "active = 3");
        let e = Profile::parse(&bad).unwrap_err();
        assert!(e.message.contains("points.bits.active"), "{}", e.message);
    }
}

twinwall_plugin_sdk::family_schema_test!(Profile, "fire-panel");
