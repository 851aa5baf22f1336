//! Decoding a point word into the conditions it reports.

use twinwall_plugin_sdk::{Level, kinds};

use crate::profile::Points;

/// The conditions a point can be in, as flags in a fixed order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Conditions {
    pub alarm: bool,
    pub supervisory: bool,
    pub prealarm: bool,
    pub fault: bool,
    pub disabled: bool,
}

/// Each condition with its event kind and level.
pub const CONDITION_KINDS: [(&str, Level); 5] = [
    (kinds::FIRE_ALARM, Level::Red),
    (kinds::FIRE_SUPERVISORY, Level::Yellow),
    (kinds::FIRE_PREALARM, Level::Orange),
    (kinds::FIRE_FAULT, Level::Yellow),
    (kinds::FIRE_DISABLED, Level::Blue),
];

impl Conditions {
    /// `None` for a point that is not programmed.
    pub fn decode(word: u16, map: &Points) -> Option<Self> {
        let bit = |n: u8| word & (1 << n) != 0;
        let event_type = (word & 0xff) as u8;
        if event_type == map.event_types.not_programmed {
            return None;
        }
        let active = bit(map.bits.active);
        Some(Conditions {
            alarm: active && event_type == map.event_types.fire,
            supervisory: active && event_type == map.event_types.supervisory,
            prealarm: bit(map.bits.prealarm),
            fault: bit(map.bits.trouble),
            disabled: bit(map.bits.disabled),
        })
    }

    /// The flags in the order of [`CONDITION_KINDS`].
    pub fn flags(&self) -> [bool; 5] {
        [
            self.alarm,
            self.supervisory,
            self.prealarm,
            self.fault,
            self.disabled,
        ]
    }
}

/// A readable name for a GB/T 26875.3 component type code.
pub fn component_name(code: u16) -> &'static str {
    match code {
        23 => "manual call point",
        30 => "heat detector",
        40 => "smoke detector",
        41 => "beam smoke detector",
        42 => "aspirating smoke detector",
        50 => "flame detector",
        85 => "input module",
        86 => "output module",
        _ => "component",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Profile;

    fn map() -> Points {
        Profile::parse(include_str!(
            "../../../device-profiles/fire-panel/twinwall-fp1.toml"
        ))
        .unwrap()
        .points
    }

    #[test]
    fn words_decode_as_the_map_documents() {
        let m = map();
        // Enabled (bit 10) + inactive (bit 12), type fire: normal.
        assert_eq!(Conditions::decode(0x1401, &m), Some(Conditions::default()));
        // Enabled + active (bit 11), type fire: alarm.
        let c = Conditions::decode(0x0c01, &m).unwrap();
        assert!(c.alarm && !c.supervisory);
        // Active, type supervisory.
        let c = Conditions::decode(0x0c02, &m).unwrap();
        assert!(c.supervisory && !c.alarm);
        // Trouble (bit 13) and prealarm (bit 14) at once.
        let c = Conditions::decode(0x7401, &m).unwrap();
        assert!(c.fault && c.prealarm && !c.alarm);
        // Disabled (bit 9).
        assert!(Conditions::decode(0x1201, &m).unwrap().disabled);
        // Not programmed.
        assert_eq!(Conditions::decode(0x00ff, &m), None);
    }
}
