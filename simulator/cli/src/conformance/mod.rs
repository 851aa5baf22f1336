//! The conformance kit: run one driver through its family's checks.
//!
//! Three groups, one per tier. A driver reaches a tier when every check of
//! that tier and of the tiers below passes; a check that does not apply to
//! the family (no condition kinds, no commands) says why and counts as
//! passed.
//! - bronze, the contract (`contract.rs`): what `describe()` declares.
//! - silver, behaviour (`behaviour.rs`): a real hub with the driver and a
//!   simulated device of the family (`rig.rs`), scripted.
//! - gold, robustness (`robustness.rs`): the inputs the driver was given in
//!   the behaviour run, replayed into a fresh instance for many rounds, each
//!   frame also cut short, garbled and emptied.

mod behaviour;
mod contract;
mod report;
mod rig;
mod robustness;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

pub use rig::FAMILIES;

/// The tiers, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// The contract.
    Bronze,
    /// Behaviour against a simulated device.
    Silver,
    /// Robustness under replayed, damaged traffic.
    Gold,
}

impl Tier {
    /// Lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            Tier::Bronze => "bronze",
            Tier::Silver => "silver",
            Tier::Gold => "gold",
        }
    }
}

/// How a check ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", content = "detail", rename_all = "lowercase")]
pub enum Verdict {
    /// It passed; what was seen.
    Pass(String),
    /// It failed; why, with the evidence.
    Fail(String),
    /// It does not apply to this family or driver; why.
    NotApplicable(String),
}

impl Verdict {
    /// Whether it counts towards its tier.
    pub fn ok(&self) -> bool {
        !matches!(self, Verdict::Fail(_))
    }

    /// The detail text.
    pub fn detail(&self) -> &str {
        match self {
            Verdict::Pass(s) | Verdict::Fail(s) | Verdict::NotApplicable(s) => s,
        }
    }

    /// `pass`, `FAIL` or `n/a`.
    pub fn label(&self) -> &'static str {
        match self {
            Verdict::Pass(_) => "pass",
            Verdict::Fail(_) => "FAIL",
            Verdict::NotApplicable(_) => "n/a",
        }
    }
}

/// One check's result.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// Stable id, e.g. `behaviour.begin-end`.
    pub id: &'static str,
    /// The tier it belongs to.
    pub tier: Tier,
    /// What it asks, in a line.
    pub title: &'static str,
    /// How it ended.
    pub verdict: Verdict,
    /// How long it took, ms.
    pub ms: u64,
}

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// The driver component.
    pub driver: PathBuf,
    /// The device family whose scenarios run (see [`FAMILIES`]).
    pub family: String,
    /// The `device-profiles` folder.
    pub profiles: PathBuf,
    /// Rounds of the replayed session in the long run.
    pub rounds: u32,
    /// Longest a driver call may take at the 99th percentile.
    pub call_budget: Duration,
    /// Linear memory cap of the instance, bytes (the hub's default is 64 MiB).
    pub memory_cap: usize,
    /// A profile to use instead of the family's (`fire-panel/vendor-x`).
    pub profile: Option<String>,
    /// Device settings replacing the family's, by key; `None` removes one.
    pub settings: Vec<(String, Option<String>)>,
}

impl Options {
    /// Defaults for `driver` and `family`: 20 rounds, a 10 ms p99 budget,
    /// 64 MiB, the profiles of this source tree (or `./device-profiles`).
    pub fn new(driver: impl Into<PathBuf>, family: &str) -> Result<Self, KitError> {
        if !FAMILIES.iter().any(|(f, _)| *f == family) {
            return Err(KitError::UnknownFamily(family.to_owned()));
        }
        Ok(Options {
            driver: driver.into(),
            family: family.to_owned(),
            profiles: default_profiles(),
            rounds: 20,
            call_budget: Duration::from_millis(10),
            memory_cap: 64 << 20,
            profile: None,
            settings: Vec::new(),
        })
    }
}

/// Why the kit could not run at all (a driver that runs but fails is a
/// report, not an error).
#[derive(Debug, thiserror::Error)]
pub enum KitError {
    /// No such family.
    #[error(
        "unknown family `{0}`; the kit has scenarios for: {known}",
        known = FAMILIES.iter().map(|(f, _)| *f).collect::<Vec<_>>().join(", ")
    )]
    UnknownFamily(String),
}

/// The kit's findings for one driver.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The driver file.
    pub driver: String,
    /// `name@version`, once loaded.
    pub label: Option<String>,
    /// The family run.
    pub family: String,
    /// Every check, in order.
    pub checks: Vec<Check>,
}

impl Report {
    /// The highest tier whose checks, and those of every tier below, all
    /// passed; `None` when a bronze check failed.
    pub fn tier(&self) -> Option<Tier> {
        [Tier::Bronze, Tier::Silver, Tier::Gold]
            .into_iter()
            .take_while(|t| {
                self.checks
                    .iter()
                    .filter(|c| c.tier == *t)
                    .all(|c| c.verdict.ok())
            })
            .last()
    }

    /// The checks that failed.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| !c.verdict.ok())
    }
}

/// Run every check on `options.driver`.
pub async fn run(options: Options) -> Report {
    let mut report = Report {
        driver: options.driver.display().to_string(),
        label: None,
        family: options.family.clone(),
        checks: Vec::new(),
    };
    let Some(driver) = contract::run(&options, &mut report) else {
        return report;
    };
    let recorded = behaviour::run(&options, &driver, &mut report).await;
    robustness::run(&options, &driver, recorded, &mut report).await;
    report
}

fn default_profiles() -> PathBuf {
    let here = Path::new("device-profiles");
    if here.is_dir() {
        return here.to_owned();
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../device-profiles")
}

/// Time a check and add it.
pub(crate) fn add(
    report: &mut Report,
    id: &'static str,
    tier: Tier,
    title: &'static str,
    started: std::time::Instant,
    verdict: Verdict,
) {
    report.checks.push(Check {
        id,
        tier,
        title,
        verdict,
        ms: started.elapsed().as_millis() as u64,
    });
}
