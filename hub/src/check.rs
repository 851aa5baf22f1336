//! `twinwall check`: read a hub's config, its profiles and its drivers, and
//! open every device in its driver, without starting anything (no sockets,
//! no store). Every problem found is reported, each naming where it is.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::config::HubConfig;
use crate::runtime::{DriverInstance, LoadedDriver, Runtime, RuntimeOptions};

/// One thing wrong, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// A file (with line and key when known) or a device.
    pub at: String,
    /// What is wrong.
    pub what: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.at, self.what)
    }
}

/// What a check found: the problems, and what was looked at.
#[derive(Debug, Default)]
pub struct Report {
    /// Everything wrong.
    pub problems: Vec<Problem>,
    /// Drivers that loaded (`name@version`).
    pub drivers: Vec<String>,
    /// Devices opened in their driver without complaint.
    pub devices_ok: usize,
}

impl Report {
    fn problem(&mut self, at: impl Into<String>, what: impl Into<String>) {
        self.problems.push(Problem {
            at: at.into(),
            what: what.into(),
        });
    }
}

/// Check the hub whose config is `path`.
pub fn check(path: &Path) -> Report {
    let mut r = Report::default();
    let config = match HubConfig::load(path) {
        Ok(c) => c,
        Err(e) => {
            // The parser stops at the first problem; the schema walk finds
            // them all, each with its line and key.
            let text = std::fs::read_to_string(path).unwrap_or_default();
            let all = crate::config::lint::problems(&text);
            if all.is_empty() {
                r.problem(path.display().to_string(), e.to_string());
            }
            for l in all {
                r.problem(l.at(&path.display().to_string()), l.message);
            }
            return r;
        }
    };
    let specs = match crate::hub::device_specs(&config) {
        Ok(s) => s,
        Err(e) => {
            r.problem(config.source.clone(), e.to_string());
            return r;
        }
    };
    lint_profiles(&config, &specs, &mut r);
    let drivers = load_drivers(&config, &mut r);
    for s in &specs {
        let at = format!("device `{}`", s.id);
        let Some(d) = drivers.get(&s.driver) else {
            let mut have: Vec<&str> = drivers.keys().map(String::as_str).collect();
            have.sort_unstable();
            let have = if have.is_empty() {
                "nothing".into()
            } else {
                have.join(", ")
            };
            r.problem(
                at,
                format!(
                    "driver `{}` is not in the plugins folder {} (it has: {have})",
                    s.driver,
                    config.plugins.dir.display(),
                ),
            );
            continue;
        };
        let known: Vec<&str> = d
            .info()
            .map(|i| i.settings.iter().map(|x| x.key.as_str()).collect())
            .unwrap_or_default();
        for (key, _) in &s.settings {
            if !known.contains(&key.as_str()) {
                r.problem(
                    at.clone(),
                    format!(
                        "setting `{key}` is not one {} reads (it reads: {})",
                        d.label(),
                        known.join(", ")
                    ),
                );
            }
        }
        let cfg = s.driver_config();
        match DriverInstance::new(d.clone()).and_then(|mut i| i.open(&cfg, s.keys.clone())) {
            Ok(()) => r.devices_ok += 1,
            Err(e) => r.problem(at, format!("{} refuses it: {e}", d.label())),
        }
    }
    r
}

fn load_drivers(config: &HubConfig, r: &mut Report) -> HashMap<String, Arc<LoadedDriver>> {
    let mut out = HashMap::new();
    let cache = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => {
            r.problem("temporary folder", e.to_string());
            return out;
        }
    };
    let runtime = match Runtime::new(RuntimeOptions {
        cache_dir: cache.path().to_owned(),
        call_timeout: Duration::from_millis(config.plugins.call_timeout_ms),
        memory_limit: (config.plugins.memory_limit_mb << 20) as usize,
    }) {
        Ok(rt) => rt,
        Err(e) => {
            r.problem("driver runtime", e.to_string());
            return out;
        }
    };
    let dir = &config.plugins.dir;
    let mut files: Vec<_> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "wasm"))
            .collect(),
        Err(e) => {
            r.problem(format!("[plugins] dir {}", dir.display()), e.to_string());
            return out;
        }
    };
    files.sort();
    for f in files {
        match runtime.load(&f) {
            Ok(d) => {
                r.drivers.push(d.label());
                out.insert(d.name.clone(), d);
            }
            Err(e) => r.problem(f.display().to_string(), e.to_string()),
        }
    }
    out
}

/// Every profile the devices name, walked against its family's JSON Schema
/// (`<profiles dir>/<family>/schema.json`, generated from the driver's
/// profile types), each problem with its file, line and key.
fn lint_profiles(config: &HubConfig, specs: &[crate::devices::DeviceSpec], r: &mut Report) {
    let mut seen = std::collections::BTreeSet::new();
    for s in specs {
        let (Some(name), Some(text)) = (&s.profile_name, &s.profile) else {
            continue;
        };
        if !seen.insert(name.clone()) {
            continue;
        }
        let family = name.split('/').next().unwrap_or(name);
        let schema_file = config.profiles.dir.join(family).join("schema.json");
        let Ok(schema) = std::fs::read_to_string(&schema_file) else {
            // A family without a schema is checked by its driver alone (below).
            continue;
        };
        let schema: serde_json::Value = match serde_json::from_str(&schema) {
            Ok(v) => v,
            Err(e) => {
                r.problem(schema_file.display().to_string(), format!("not JSON: {e}"));
                continue;
            }
        };
        let file = config.profiles.dir.join(format!("{name}.toml"));
        for l in crate::config::lint::problems_against(text, &schema) {
            r.problem(l.at(&file.display().to_string()), l.message);
        }
    }
}
