//! A hub `[[devices]]` entry for a simulated device: the one way the demo,
//! scale mode and the conformance kit name the devices they start in a hub
//! config, values written as TOML (quoted and escaped by the toml crate).
//!
//! ```
//! use twinwall_simulator::hub_entry::DeviceEntry;
//! let e = DeviceEntry::new("fp-1", "modbus-fire-panel", "campus", "127.0.0.1:5020")
//!     .profile("fire-panel/twinwall-fp1")
//!     .offline_after_ms(1500)
//!     .setting("points", 16);
//! assert!(e.to_toml().contains("settings = { points = 16 }"));
//! ```

use toml::Value;

/// One `[[devices]]` entry.
#[derive(Debug, Clone)]
pub struct DeviceEntry {
    id: String,
    /// Keys after `id`, in order: driver, profile, zone, address, account, …
    keys: Vec<(String, Value)>,
    settings: Vec<(String, Value)>,
}

impl DeviceEntry {
    /// A device `id` of `driver` in `zone` at `address`.
    pub fn new(id: &str, driver: &str, zone: &str, address: impl ToString) -> Self {
        DeviceEntry {
            id: id.to_owned(),
            keys: vec![
                ("driver".into(), driver.into()),
                ("zone".into(), zone.into()),
                ("address".into(), address.to_string().into()),
            ],
            settings: Vec::new(),
        }
    }

    /// Its device profile (`family/model`).
    pub fn profile(self, profile: &str) -> Self {
        self.key("profile", profile)
    }

    /// The account the hub logs in with.
    pub fn account(self, username: &str, password: &str) -> Self {
        self.key("username", username).key("password", password)
    }

    /// Silence after which the hub reports it offline.
    pub fn offline_after_ms(self, ms: u64) -> Self {
        self.key("offline_after_ms", ms as i64)
    }

    /// Any other key of the entry (`request_timeout_ms`, `unit`), replacing one of that name.
    pub fn key(mut self, key: &str, value: impl Into<Value>) -> Self {
        set(&mut self.keys, key, Some(value.into()));
        self
    }

    /// A driver setting, replacing one of that name.
    pub fn setting(mut self, key: &str, value: impl Into<Value>) -> Self {
        set(&mut self.settings, key, Some(value.into()));
        self
    }

    /// Replace (`Some`) or remove (`None`) a driver setting.
    pub fn set_setting(&mut self, key: &str, value: Option<Value>) {
        set(&mut self.settings, key, value);
    }

    /// The settings of an inline table's body (`a = 1, b = "x"`), as a
    /// command line takes them.
    pub fn settings_text(mut self, body: &str) -> Result<Self, toml::de::Error> {
        let t: toml::Table = toml::from_str(&format!("s = {{ {body} }}"))?;
        if let Some(Value::Table(s)) = t.get("s") {
            for (k, v) in s {
                set(&mut self.settings, k, Some(v.clone()));
            }
        }
        Ok(self)
    }

    /// The device id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The zone it is in, if the entry names one.
    pub fn zone(&self) -> Option<&str> {
        self.keys
            .iter()
            .find(|(k, _)| k == "zone")
            .and_then(|(_, v)| v.as_str())
    }

    /// The entry as `hub.toml` text, ending with a blank line.
    pub fn to_toml(&self) -> String {
        let mut out = format!("[[devices]]\nid = {}\n", Value::from(self.id.as_str()));
        for (k, v) in &self.keys {
            out.push_str(&format!("{k} = {v}\n"));
        }
        if !self.settings.is_empty() {
            let s: Vec<String> = self
                .settings
                .iter()
                .map(|(k, v)| format!("{k} = {v}"))
                .collect();
            out.push_str(&format!("settings = {{ {} }}\n", s.join(", ")));
        }
        out.push('\n');
        out
    }
}

fn set(list: &mut Vec<(String, Value)>, key: &str, value: Option<Value>) {
    match (list.iter().position(|(k, _)| k == key), value) {
        (Some(i), Some(v)) => list[i].1 = v,
        (Some(i), None) => {
            list.remove(i);
        }
        (None, Some(v)) => list.push((key.to_owned(), v)),
        (None, None) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::DeviceEntry;

    #[test]
    fn an_entry_parses_back_with_its_values_escaped() {
        let e = DeviceEntry::new("g-1", "face-gate", "gate \"north\"", "127.0.0.1:80")
            .profile("face-gate/twinwall-fg1")
            .account("admin", "p\\w")
            .offline_after_ms(12000)
            .setting("mode", "push")
            .setting("doors", 2)
            .settings_text("mode = \"stream\", summary = false")
            .unwrap();
        let t: toml::Table = toml::from_str(&e.to_toml()).unwrap();
        let d = &t["devices"][0];
        assert_eq!(d["zone"].as_str(), Some("gate \"north\""));
        assert_eq!(d["password"].as_str(), Some("p\\w"));
        assert_eq!(d["offline_after_ms"].as_integer(), Some(12000));
        assert_eq!(d["settings"]["mode"].as_str(), Some("stream"));
        assert_eq!(d["settings"]["doors"].as_integer(), Some(2));
        assert_eq!(d["settings"]["summary"].as_bool(), Some(false));
        let mut e = e;
        e.set_setting("doors", None);
        assert!(!e.to_toml().contains("doors"));
    }
}
