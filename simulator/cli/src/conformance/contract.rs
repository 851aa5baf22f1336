//! Bronze: what the driver declares in `describe()`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use twinwall_hub::runtime::{DriverInfo, LoadedDriver, Runtime, RuntimeOptions};
use twinwall_plugin_sdk::kinds;

use super::{Options, Report, Tier, Verdict, add};

/// A driver loaded for the kit, with the folder its compiled code is cached in.
pub(crate) struct Loaded {
    pub driver: Arc<LoadedDriver>,
    pub info: DriverInfo,
    _cache: tempfile::TempDir,
}

/// A contract rule: the driver's description and the family asked for.
type Rule = fn(&Loaded, &str) -> Verdict;

pub(crate) fn run(options: &Options, report: &mut Report) -> Option<Loaded> {
    let started = Instant::now();
    let loaded = load(options);
    let verdict = match &loaded {
        Ok(l) => Verdict::Pass(format!(
            "{} (contract twinwall:driver@{}; imports {})",
            l.driver.label(),
            l.driver.contract,
            if l.driver.capabilities.is_empty() {
                "no capability".to_owned()
            } else {
                l.driver.capabilities.join(", ")
            }
        )),
        Err(why) => Verdict::Fail(why.clone()),
    };
    add(
        report,
        "contract.loads",
        Tier::Bronze,
        "the component loads in the hub's runtime",
        started,
        verdict,
    );
    let loaded = loaded.ok()?;
    report.label = Some(loaded.driver.label());
    let checks: [(&'static str, &'static str, Rule); 4] = [
        (
            "contract.describe",
            "describe() is complete and serves the family",
            describe,
        ),
        (
            "contract.command-schemas",
            "every command has a description and a JSON Schema for its arguments",
            command_schemas,
        ),
        (
            "contract.kinds",
            "every declared event kind is in the kind table, and none is the hub's",
            declared_kinds,
        ),
        (
            "contract.settings",
            "every setting is documented, named in snake_case, once",
            settings,
        ),
    ];
    for (id, title, check) in checks {
        let started = Instant::now();
        let verdict = check(&loaded, &options.family);
        add(report, id, Tier::Bronze, title, started, verdict);
    }
    Some(loaded)
}

fn load(options: &Options) -> Result<Loaded, String> {
    let cache = tempfile::tempdir().map_err(|e| format!("temporary folder: {e}"))?;
    let runtime = Runtime::new(RuntimeOptions {
        cache_dir: cache.path().to_owned(),
        call_timeout: Duration::from_millis(200),
        memory_limit: options.memory_cap,
    })
    .map_err(|e| e.to_string())?;
    let driver = runtime.load(&options.driver).map_err(|e| e.to_string())?;
    let info = driver
        .info()
        .cloned()
        .ok_or_else(|| format!("{}: describe() gave nothing", driver.label()))?;
    Ok(Loaded {
        driver,
        info,
        _cache: cache,
    })
}

fn describe(loaded: &Loaded, family: &str) -> Verdict {
    let info = &loaded.info;
    let mut wrong = Vec::new();
    if info.name.is_empty() {
        wrong.push("empty name".to_owned());
    }
    let numeric = info.version.split('.').collect::<Vec<_>>();
    if numeric.len() != 3
        || numeric.iter().any(|p| {
            p.split(['-', '+'])
                .next()
                .unwrap_or("")
                .parse::<u32>()
                .is_err()
        })
    {
        wrong.push(format!("version `{}` is not semver", info.version));
    }
    if !info.families.iter().any(|f| f == family) {
        wrong.push(format!(
            "family `{family}` is not among the families it serves ({})",
            info.families.join(", ")
        ));
    }
    if loaded.driver.capabilities.is_empty() {
        wrong.push("imports no capability (only timers): it cannot reach a device".into());
    }
    if info.kinds.is_empty() {
        wrong.push("no event kinds declared".into());
    }
    if wrong.is_empty() {
        Verdict::Pass(format!(
            "families {}; {} kinds, {} commands, {} settings",
            info.families.join(", "),
            info.kinds.len(),
            info.commands.len(),
            info.settings.len()
        ))
    } else {
        Verdict::Fail(wrong.join("; "))
    }
}

fn command_schemas(loaded: &Loaded, _: &str) -> Verdict {
    let info = &loaded.info;
    if info.commands.is_empty() {
        return Verdict::NotApplicable("the driver declares no commands".into());
    }
    let wrong: Vec<String> = info
        .commands
        .iter()
        .filter_map(|c| {
            if c.description.trim().is_empty() {
                return Some(format!("`{}` has no description", c.name));
            }
            if c.args_schema.trim().is_empty() {
                return Some(format!("`{}` has no argument schema", c.name));
            }
            match serde_json::from_str::<serde_json::Value>(&c.args_schema) {
                Err(e) => Some(format!("`{}`: the schema is not JSON: {e}", c.name)),
                Ok(v) if v["type"] != "object" => Some(format!(
                    "`{}`: the schema's type is {} (arguments are a JSON object)",
                    c.name, v["type"]
                )),
                Ok(_) => None,
            }
        })
        .collect();
    if wrong.is_empty() {
        let names: Vec<&str> = info.commands.iter().map(|c| c.name.as_str()).collect();
        Verdict::Pass(names.join(", "))
    } else {
        Verdict::Fail(wrong.join("; "))
    }
}

fn declared_kinds(loaded: &Loaded, _: &str) -> Verdict {
    let info = &loaded.info;
    if info.kinds.is_empty() {
        return Verdict::NotApplicable(
            "the driver declares no kinds (contract.describe fails for that)".into(),
        );
    }
    let wrong: Vec<String> = info
        .kinds
        .iter()
        .filter_map(|k| {
            if kinds::hub_only(k) {
                Some(format!("`{k}` is a kind only the hub emits"))
            } else if kinds::lookup(k).is_none() {
                Some(format!(
                    "`{k}` is not in the kind table (plugin-sdk/src/kinds.rs)"
                ))
            } else {
                None
            }
        })
        .collect();
    if wrong.is_empty() {
        Verdict::Pass(info.kinds.join(", "))
    } else {
        Verdict::Fail(wrong.join("; "))
    }
}

fn settings(loaded: &Loaded, _: &str) -> Verdict {
    let info = &loaded.info;
    if info.settings.is_empty() {
        return Verdict::NotApplicable("the driver reads no settings".into());
    }
    let mut seen = std::collections::HashSet::new();
    let wrong: Vec<String> = info
        .settings
        .iter()
        .filter_map(|s| {
            if !seen.insert(s.key.as_str()) {
                Some(format!("`{}` is declared twice", s.key))
            } else if s.description.trim().is_empty() {
                Some(format!("`{}` has no description", s.key))
            } else if s.key.is_empty()
                || !s
                    .key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                Some(format!("`{}` is not snake_case", s.key))
            } else {
                None
            }
        })
        .collect();
    if wrong.is_empty() {
        Verdict::Pass(format!("{} settings", info.settings.len()))
    } else {
        Verdict::Fail(wrong.join("; "))
    }
}
