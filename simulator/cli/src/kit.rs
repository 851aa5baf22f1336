//! `twinwall-sim conformance`: the kit's command line.

use std::path::PathBuf;

use anyhow::Context;
use twinwall_sim::conformance::{self, Options, Tier};

/// What `conformance` takes.
#[derive(clap::Args)]
pub struct Args {
    /// The driver component (`.wasm`).
    #[arg(long)]
    pub driver: PathBuf,
    /// The family to run: fire-panel, sensor, camera, face-gate,
    /// barrier-gate, speed-camera, perimeter, panic-post, speaker.
    #[arg(long)]
    pub family: String,
    /// The device-profiles folder (default: ./device-profiles, else this source tree's).
    #[arg(long)]
    pub profiles: Option<PathBuf>,
    /// A profile instead of the family's, e.g. `fire-panel/vendor-x`.
    #[arg(long)]
    pub profile: Option<String>,
    /// A device setting for your driver, `key=value`, replacing the
    /// family's of that key (`key` alone removes it); repeatable.
    #[arg(long = "setting")]
    pub settings: Vec<String>,
    /// Rounds of the replayed session in the long run.
    #[arg(long, default_value_t = 20)]
    pub rounds: u32,
    /// Budget for a driver call at the 99th percentile, ms.
    #[arg(long, default_value_t = 10)]
    pub call_budget_ms: u64,
    /// Also write the report as JSON here.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Also write the report as JUnit XML here.
    #[arg(long)]
    pub junit: Option<PathBuf>,
    /// The tier to reach: bronze, silver or gold.
    #[arg(long, default_value = "gold")]
    pub require: String,
}

/// Run the kit as `args` say; print the table, write the reports, exit 1
/// below the required tier.
pub async fn run(args: Args) -> anyhow::Result<()> {
    let Args {
        driver,
        family,
        profiles,
        profile,
        settings,
        rounds,
        call_budget_ms,
        json,
        junit,
        require,
    } = args;
    let (family, require) = (family.as_str(), require.as_str());
    let require = match require {
        "bronze" => Tier::Bronze,
        "silver" => Tier::Silver,
        "gold" => Tier::Gold,
        other => anyhow::bail!("--require `{other}`: one of bronze, silver, gold"),
    };
    let mut options = Options::new(driver, family)?;
    if let Some(p) = profiles {
        options.profiles = p;
    }
    options.profile = profile;
    options.settings = settings
        .iter()
        .map(|s| match s.split_once('=') {
            Some((k, v)) => (k.trim().to_owned(), Some(v.trim().to_owned())),
            None => (s.trim().to_owned(), None),
        })
        .collect();
    options.rounds = rounds;
    options.call_budget = std::time::Duration::from_millis(call_budget_ms);
    let report = conformance::run(options).await;
    print!("{}", report.table());
    if let Some(path) = json {
        std::fs::write(&path, format!("{:#}\n", report.json()))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = junit {
        std::fs::write(&path, report.junit())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if report.tier().is_none_or(|t| t < require) {
        eprintln!(
            "the driver does not reach {}: {} check(s) failed",
            require.name(),
            report.failures().count()
        );
        std::process::exit(1);
    }
    Ok(())
}
