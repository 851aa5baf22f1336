//! `[alarms]`: which events are alarms, how long each level may wait for a
//! person, escalation, shelving, floods and what needs a note to close.

use serde::Deserialize;

/// `[alarms]`
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AlarmsConfig {
    /// Instant events (no begin/end) that are alarms: `kind`, `kind:flag`
    /// (the attribute is true, or `reason` names it) or `kind:attr=value`.
    /// Every `begin` of level blue or above is an alarm anyway. Default
    /// `access.denied:abnormal_temperature`, `access.door:state=forced`,
    /// `vehicle.violation`, `panic.pressed`, `device.offline`,
    /// `device.quarantined`, `driver.quarantined`.
    pub instant: Vec<String>,
    /// Instant kinds paired as one condition: `[raise, clear]`. Default
    /// `[["device.offline", "device.online"]]`.
    pub pairs: Vec<[String; 2]>,
    /// How long an alarm may wait unacknowledged before `alarm.escalated`,
    /// seconds, per level. Default red 60, orange 300, yellow 900, blue 1800.
    pub ack_within_s: AckWithin,
    /// Between repeated escalations of an alarm nobody answers, seconds.
    /// Default 120.
    pub escalate_every_s: u64,
    /// The longest a person may shelve an alarm, seconds. Default 28800 (8 h).
    pub max_shelve_s: u64,
    /// More alarms than this opening within 10 minutes is a flood
    /// (`alarm.flood`; ISA-18.2 counts 10 per 10 minutes per operator).
    /// Default 10.
    pub flood_above: usize,
    /// Levels (`red`), kinds (`panic.pressed`) and families (`fire.*`)
    /// whose alarms close only with a note. Default `red`, `fire.*`, `panic.*`.
    pub note_required: Vec<String>,
    /// How often escalations, floods and shelving expiry are judged, ms.
    /// Default 1000.
    pub tick_ms: u64,
}

/// `[alarms.ack_within_s]`, seconds per level.
#[derive(Debug, Clone, Copy, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AckWithin {
    /// Red (I 特别严重). Default 60.
    pub red: u64,
    /// Orange (II 严重). Default 300.
    pub orange: u64,
    /// Yellow (III 较重). Default 900.
    pub yellow: u64,
    /// Blue (IV 一般). Default 1800.
    pub blue: u64,
}

impl Default for AckWithin {
    fn default() -> Self {
        AckWithin {
            red: 60,
            orange: 300,
            yellow: 900,
            blue: 1800,
        }
    }
}

impl Default for AlarmsConfig {
    fn default() -> Self {
        AlarmsConfig {
            instant: [
                "access.denied:abnormal_temperature",
                "access.door:state=forced",
                "vehicle.violation",
                "panic.pressed",
                "device.offline",
                "device.quarantined",
                "driver.quarantined",
            ]
            .map(String::from)
            .to_vec(),
            pairs: vec![["device.offline".into(), "device.online".into()]],
            ack_within_s: AckWithin::default(),
            escalate_every_s: 120,
            max_shelve_s: 8 * 3600,
            flood_above: 10,
            note_required: ["red", "fire.*", "panic.*"].map(String::from).to_vec(),
            tick_ms: 1000,
        }
    }
}
