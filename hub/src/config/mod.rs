//! `hub.toml`: DESIGN contract 4. Strict: an unknown key, a bad value or a
//! dangling reference is an error naming the file, line and key.
//!
//! Defaults are given on each field; `hub/hub.example.toml` is a commented example.

mod alarms;
mod devices;
mod error;
mod groups;
pub mod jetstream;
pub mod lint;
pub mod map;
mod model;
mod options;
pub mod program;
pub mod statistics;
mod validate;

use std::collections::BTreeMap;
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
        let zone_plans = self.zones.iter_mut().filter_map(|z| z.plan.as_mut());
        for plan in self.map.plan.iter_mut().chain(zone_plans) {
            fix(&mut plan.file);
        }
        for p in [&mut self.http.tls_cert, &mut self.http.tls_key]
            .into_iter()
            .flatten()
        {
            fix(p);
        }
        if let Some(js) = &mut self.jetstream {
            for p in [
                &mut js.ca_file,
                &mut js.client_cert_file,
                &mut js.client_key_file,
                &mut js.credentials_file,
            ]
            .into_iter()
            .flatten()
            {
                fix(p);
            }
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

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_map;
