//! The devices of `hub.toml`: `[[devices]]`, `[[device_groups]]` (expanded
//! when the file is read), and the secrets they carry.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// `[[devices]]`
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Device {
    /// Id, unique; letters, digits, `-`, `_`. Required.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// Driver name, as the driver describes itself (e.g. `modbus-fire-panel`). Required.
    #[schemars(with = "String")]
    pub driver: Spanned<String>,
    /// Profile `family/model` under the profiles folder. Default none.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub profile: Option<Spanned<String>>,
    /// Zone id. Required.
    #[schemars(with = "String")]
    pub zone: Spanned<String>,
    /// What people call it (`化学北楼消防主机`): the console shows it
    /// instead of the id. Default none (the id is shown).
    #[serde(default)]
    pub name: Option<String>,
    /// Network address, `host:port`. Required for wire transports.
    #[serde(default)]
    pub address: Option<String>,
    /// Modbus unit id. Default 1.
    #[serde(default = "default_unit")]
    pub unit: u8,
    /// Account on the device (HTTP Digest, WS-Security). Default none.
    #[serde(default)]
    pub username: Option<String>,
    /// Its password. Never logged, never shown to drivers.
    #[serde(default)]
    pub password: Option<Secret>,
    /// Per-request timeout, ms. Default 1000.
    #[serde(default = "default_request_timeout")]
    pub request_timeout_ms: u64,
    /// A device that has not answered for this long is offline, ms. Default 3000.
    #[serde(default = "default_offline_after")]
    pub offline_after_ms: u64,
    /// Settings handed to the driver as strings.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, serde_json::Value>")]
    pub settings: BTreeMap<String, toml::Value>,
    /// Keys the hub holds for the driver's crypto (e.g. a DC-09 AES key), by
    /// name, as hex. The driver sees only the names. Never logged.
    #[serde(default)]
    pub keys: BTreeMap<String, Secret>,
    /// Where it is on its zone's plan (or the nearest enclosing zone's, or
    /// the site's), `[x, y]` in that plan's units. Default: not on the map.
    #[serde(default)]
    pub at: Option<[f64; 2]>,
}

/// `[[device_groups]]`: one model, one zone, one account, many addresses.
/// Every key of `[[devices]]` but `id` and `address` applies to each.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceGroup {
    /// Id of each device, with `{n}` for its 1-based number in the group
    /// (`{n:3}` pads it to 3 digits): `fp-dorm-{n:3}` → `fp-dorm-001`.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// The addresses: a range in the last octet or in the port
    /// (`10.30.1.10-209:502`, `127.0.0.1:5020-5219`), or a list.
    #[schemars(with = "Addresses")]
    pub addresses: Spanned<Addresses>,
    /// Driver name. Required.
    #[schemars(with = "String")]
    pub driver: Spanned<String>,
    /// Profile `family/model`. Default none.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub profile: Option<Spanned<String>>,
    /// Zone id. Required.
    #[schemars(with = "String")]
    pub zone: Spanned<String>,
    /// Modbus unit id. Default 1.
    #[serde(default = "default_unit")]
    pub unit: u8,
    /// Account on each device. Default none.
    #[serde(default)]
    pub username: Option<String>,
    /// Its password.
    #[serde(default)]
    pub password: Option<Secret>,
    /// Per-request timeout, ms. Default 1000.
    #[serde(default = "default_request_timeout")]
    pub request_timeout_ms: u64,
    /// Offline after this long without an answer, ms. Default 3000.
    #[serde(default = "default_offline_after")]
    pub offline_after_ms: u64,
    /// Settings handed to each device's driver.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, serde_json::Value>")]
    pub settings: BTreeMap<String, toml::Value>,
}

/// A group's addresses.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum Addresses {
    /// A range: `a.b.c.FIRST-LAST:port` or `host:FIRST-LAST`.
    Range(String),
    /// Each address.
    List(Vec<String>),
}

fn default_unit() -> u8 {
    1
}
fn default_request_timeout() -> u64 {
    1000
}
fn default_offline_after() -> u64 {
    3000
}

impl Device {
    /// Settings as the strings drivers receive.
    pub fn settings_as_strings(&self) -> Vec<(String, String)> {
        self.settings
            .iter()
            .map(|(k, v)| {
                let s = match v {
                    toml::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), s)
            })
            .collect()
    }
}

/// A secret string: never shown by `Debug` (configs get logged).
#[derive(Clone, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(transparent)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("\"***\"")
    }
}
