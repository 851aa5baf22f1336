//! `hub.toml`: DESIGN contract 4. Strict: an unknown key, a bad value or a
//! dangling reference is an error naming the file, line and key.
//!
//! Defaults are given on each field; `hub/hub.example.toml` is a commented example.

mod error;
mod groups;
pub mod lint;
mod model;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

pub use error::ConfigError;
pub use model::*;

/// The JSON Schema of `hub.toml` (2020-12), generated from the types the
/// hub reads it into: editors and CI can check a config with it.
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(HubConfig)).unwrap_or_default()
}

impl HubConfig {
    /// Read and validate `path`. Relative paths inside are taken from the file's folder.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
            file: path.display().to_string(),
            message: e.to_string(),
        })?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Self::parse(&text, &path.display().to_string(), &base)
    }

    /// Parse config text. `file` names it in errors; `base` resolves relative paths.
    pub fn parse(text: &str, file: &str, base: &Path) -> Result<Self, ConfigError> {
        let mut cfg: HubConfig =
            toml::from_str(text).map_err(|e| ConfigError::from_toml(file, text, &e))?;
        cfg.source = file.to_owned();
        for g in std::mem::take(&mut cfg.device_groups) {
            let devices = groups::expand(&g)
                .map_err(|(span, m)| ConfigError::at(file, text, Some(span), "device_groups", m))?;
            cfg.devices.extend(devices);
        }
        cfg.resolve_paths(base);
        cfg.validate(text)?;
        Ok(cfg)
    }

    fn resolve_paths(&mut self, base: &Path) {
        let fix = |p: &mut PathBuf| {
            if p.is_relative() && !p.as_os_str().is_empty() {
                *p = base.join(&*p);
            }
        };
        fix(&mut self.site.data_dir);
        fix(&mut self.plugins.dir);
        fix(&mut self.profiles.dir);
        if let Some(f) = &mut self.linkage.file {
            fix(f);
        }
        for p in [&mut self.http.tls_cert, &mut self.http.tls_key]
            .into_iter()
            .flatten()
        {
            fix(p);
        }
        if let Some(nb) = &mut self.northbound {
            for p in [
                &mut nb.ca_file,
                &mut nb.client_cert_file,
                &mut nb.client_key_file,
            ]
            .into_iter()
            .flatten()
            {
                fix(p);
            }
        }
    }

    fn validate(&self, text: &str) -> Result<(), ConfigError> {
        let err = |span: Option<std::ops::Range<usize>>, key: &str, message: String| {
            ConfigError::at(&self.source, text, span, key, message)
        };
        if self.http.tls_cert.is_some() != self.http.tls_key.is_some() {
            return Err(err(
                None,
                "http.tls_cert",
                "give both `tls_cert` and `tls_key` for TLS, or neither".into(),
            ));
        }
        let mut zones = HashSet::new();
        for z in &self.zones {
            if !valid_id(z.id.get_ref()) {
                return Err(err(
                    Some(z.id.span()),
                    "zones.id",
                    format!(
                        "`{}` is not a valid id (letters, digits, `-`, `_`)",
                        z.id.get_ref()
                    ),
                ));
            }
            if !zones.insert(z.id.get_ref().as_str()) {
                return Err(err(
                    Some(z.id.span()),
                    "zones.id",
                    format!("zone `{}` is declared twice", z.id.get_ref()),
                ));
            }
        }
        for z in &self.zones {
            if let Some(p) = &z.parent
                && !zones.contains(p.get_ref().as_str())
            {
                return Err(err(
                    Some(p.span()),
                    "zones.parent",
                    format!(
                        "zone `{}` names unknown parent `{}`",
                        z.id.get_ref(),
                        p.get_ref()
                    ),
                ));
            }
        }
        // A parent cycle would make zone paths endless.
        for z in &self.zones {
            self.zone_path(z.id.get_ref())
                .map_err(|m| err(Some(z.id.span()), "zones.parent", m))?;
        }
        let mut devices = HashSet::new();
        for d in &self.devices {
            if !valid_id(d.id.get_ref()) {
                return Err(err(
                    Some(d.id.span()),
                    "devices.id",
                    format!(
                        "`{}` is not a valid id (letters, digits, `-`, `_`)",
                        d.id.get_ref()
                    ),
                ));
            }
            if !devices.insert(d.id.get_ref().as_str()) {
                return Err(err(
                    Some(d.id.span()),
                    "devices.id",
                    format!("device `{}` is declared twice", d.id.get_ref()),
                ));
            }
            if !zones.contains(d.zone.get_ref().as_str()) {
                return Err(err(
                    Some(d.zone.span()),
                    "devices.zone",
                    format!(
                        "device `{}` is in unknown zone `{}`",
                        d.id.get_ref(),
                        d.zone.get_ref()
                    ),
                ));
            }
            for (name, key) in &d.keys {
                let ok = key.0.len() % 2 == 0
                    && matches!(key.0.len(), 32 | 48 | 64)
                    && key.0.chars().all(|c| c.is_ascii_hexdigit());
                if !ok {
                    return Err(err(
                        Some(d.id.span()),
                        "devices.keys",
                        format!(
                            "device `{}`: key `{name}` must be 32, 48 or 64 hex digits (an AES-128, -192 or -256 key)",
                            d.id.get_ref()
                        ),
                    ));
                }
            }
            if let Some(p) = &d.profile {
                let file = self.profile_path(p.get_ref());
                if !file.is_file() {
                    return Err(err(
                        Some(p.span()),
                        "devices.profile",
                        format!(
                            "device `{}`: profile `{}` not found at {}",
                            d.id.get_ref(),
                            p.get_ref(),
                            file.display()
                        ),
                    ));
                }
            }
        }
        for l in &self.vehicles.limits {
            if let Some(z) = &l.zone
                && !zones.contains(z.as_str())
            {
                return Err(err(
                    None,
                    "vehicles.limits.zone",
                    format!(
                        "vehicle limit for `{}` names unknown zone `{z}`",
                        l.category
                    ),
                ));
            }
        }
        if let Some(nb) = &self.northbound {
            let scheme = nb.url.split("://").next().unwrap_or("");
            if !nb.url.contains("://") || !matches!(scheme, "mqtt" | "mqtts") {
                return Err(err(
                    None,
                    "northbound.url",
                    format!("`{}` must be mqtt://host:port or mqtts://host:port", nb.url),
                ));
            }
            if scheme == "mqtts" && nb.ca_file.is_none() {
                return Err(err(
                    None,
                    "northbound.ca_file",
                    "mqtts needs the CA certificate of the broker".into(),
                ));
            }
            if nb.client_cert_file.is_some() != nb.client_key_file.is_some() {
                return Err(err(
                    None,
                    "northbound.client_key_file",
                    "client_cert_file and client_key_file go together".into(),
                ));
            }
            if nb.max_inflight == 0 {
                return Err(err(
                    None,
                    "northbound.max_inflight",
                    "must be at least 1".into(),
                ));
            }
            if nb.commands.enabled && nb.commands.allow.is_empty() {
                return Err(err(
                    None,
                    "northbound.commands.allow",
                    "commands over MQTT are enabled: list the commands the channel may send, e.g. allow = [\"reset\", \"acknowledge\"]".into(),
                ));
            }
            if nb.topic_prefix.is_empty() || nb.topic_prefix.contains(['+', '#']) {
                return Err(err(
                    None,
                    "northbound.topic_prefix",
                    "must be non-empty, without `+` or `#`".into(),
                ));
            }
        }
        if self.plugins.max_crashes == 0 {
            return Err(err(
                None,
                "plugins.max_crashes",
                "must be at least 1".into(),
            ));
        }
        if !self.rules.is_empty() {
            crate::rules::parse(text, &self.source, &self.zone_paths()).map_err(|e| {
                ConfigError::Invalid {
                    file: e.file,
                    line: Some(e.line),
                    column: None,
                    key: Some("rules".into()),
                    message: e.message,
                }
            })?;
        }
        Ok(())
    }

    /// Every zone id with its path.
    pub fn zone_paths(&self) -> std::collections::HashMap<String, String> {
        self.zones
            .iter()
            .filter_map(|z| {
                let id = z.id.get_ref().clone();
                self.zone_path(&id).ok().map(|p| (id, p))
            })
            .collect()
    }

    /// The zone path of zone `id`: its ancestors' ids joined with `/`.
    pub fn zone_path(&self, id: &str) -> Result<String, String> {
        let by_id: BTreeMap<&str, &Zone> = self
            .zones
            .iter()
            .map(|z| (z.id.get_ref().as_str(), z))
            .collect();
        let mut parts = vec![id.to_owned()];
        let mut cur = by_id
            .get(id)
            .copied()
            .ok_or_else(|| format!("unknown zone `{id}`"))?;
        while let Some(p) = &cur.parent {
            if parts.len() > by_id.len() {
                return Err(format!("zone `{id}` is its own ancestor (parent cycle)"));
            }
            parts.push(p.get_ref().clone());
            cur = by_id
                .get(p.get_ref().as_str())
                .copied()
                .ok_or_else(|| format!("unknown zone `{}`", p.get_ref()))?;
        }
        parts.reverse();
        Ok(parts.join("/"))
    }

    /// Where profile `name` (`family/model`) lives.
    pub fn profile_path(&self, name: &str) -> PathBuf {
        self.profiles.dir.join(format!("{name}.toml"))
    }
}

fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests;
