//! The perimeter profile: the DC-09 port and time window, the vendor control
//! paths, and the meaning of each Contact ID code.

use serde::Deserialize;
use twinwall_plugin_sdk::{DriverError, Level};

/// A perimeter-host profile (`device-profiles/perimeter/*.toml`).
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Who made it.
    #[allow(dead_code, reason = "schema fields for people and tools")]
    pub profile: twinwall_plugin_sdk::ProfileMeta,
    /// DC-09 settings.
    pub dc09: Dc09,
    /// Vendor control paths.
    pub control: Control,
    /// SIA code → Contact ID `QEEE`.
    #[serde(default)]
    pub sia: std::collections::BTreeMap<String, String>,
    /// Code table.
    pub codes: Vec<Code>,
}

/// DC-09 settings.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Dc09 {
    pub port: String,
    pub max_frame: u32,
    pub behind_s: i64,
    pub ahead_s: i64,
}

/// Vendor control paths.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Control {
    pub arm: String,
    pub disarm: String,
    pub bypass: String,
    pub unbypass: String,
    pub fence_hv: String,
}

/// One Contact ID code.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Code {
    pub code: u16,
    /// Kind for qualifier 1 (empty: no event, supervision only).
    pub kind: String,
    /// Kind for qualifier 3, when it is another fact (armed vs disarmed).
    #[serde(default)]
    pub restore_kind: Option<String>,
    #[serde(default)]
    pub subtype: Option<String>,
    #[serde(default)]
    pub level: Option<String>,
    /// An instant fact, not a condition.
    #[serde(default)]
    pub instant: bool,
    /// ZZZ is a user number, not a zone.
    #[serde(default)]
    pub user: bool,
}

const KINDS: [&str; 8] = [
    "perimeter.intrusion",
    "perimeter.tamper",
    "perimeter.fault",
    "perimeter.armed",
    "perimeter.disarmed",
    "perimeter.bypassed",
    "panic.pressed",
    "panic.cancelled",
];

impl Profile {
    /// Parse and check profile text.
    pub fn parse(text: &str) -> Result<Self, DriverError> {
        let p: Profile = toml::from_str(text)
            .map_err(|e| DriverError::bad_config(format!("perimeter profile: {e}")))?;
        for c in &p.codes {
            for k in std::iter::once(&c.kind).chain(c.restore_kind.iter()) {
                if !k.is_empty() && !KINDS.contains(&k.as_str()) {
                    return Err(DriverError::bad_config(format!(
                        "perimeter profile: code {} maps to `{k}`; this driver emits {}",
                        c.code,
                        KINDS.join(", ")
                    )));
                }
            }
            if let Some(l) = &c.level
                && Level::parse(l).is_none()
            {
                return Err(DriverError::bad_config(format!(
                    "perimeter profile: code {}: level `{l}` is not info, blue, yellow, orange or red",
                    c.code
                )));
            }
        }
        for (k, v) in &p.sia {
            let ok = k.len() == 2
                && k.bytes().all(|b| b.is_ascii_uppercase())
                && v.len() == 4
                && matches!(v.as_bytes()[0], b'1' | b'3' | b'6')
                && v.bytes().all(|b| b.is_ascii_digit());
            if !ok {
                return Err(DriverError::bad_config(format!(
                    "perimeter profile: sia: `{k} = \"{v}\"` must map a two-letter SIA code to a Contact ID qualifier and code like \"1131\""
                )));
            }
        }
        Ok(p)
    }

    /// The Contact ID qualifier and code of SIA code `sia`.
    pub fn sia(&self, sia: &str) -> Option<(u8, u16)> {
        let v = self.sia.get(sia)?;
        Some((v[..1].parse().ok()?, v[1..].parse().ok()?))
    }

    /// The meaning of `code`.
    pub fn code(&self, code: u16) -> Option<&Code> {
        self.codes.iter().find(|c| c.code == code)
    }

    /// Every kind the profile can emit.
    pub fn kinds() -> &'static [&'static str] {
        &KINDS
    }
}

twinwall_plugin_sdk::family_schema_test!(Profile, "perimeter");
