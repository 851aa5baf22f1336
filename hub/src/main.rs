//! The `twinwall` command: parses the command line and nothing else.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use twinwall_hub::Hub;
use twinwall_hub::config::HubConfig;

#[derive(Parser)]
#[command(
    name = "twinwall",
    version,
    about = "Campus safety IoT integration hub"
)]
struct Cli {
    /// Log lines as `text` (colours only on a terminal) or `json` (one
    /// object per line, for collectors).
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

/// How log lines are written (to stderr).
#[derive(Clone, Copy, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

fn init_logging(format: LogFormat) {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,tokio_modbus=warn".into());
    let fmt = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => fmt.json().init(),
        // Colour escapes only where a person reads them, never in a log file.
        LogFormat::Text => fmt.with_ansi(std::io::stderr().is_terminal()).init(),
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run the hub from a config file.
    Run {
        /// The config file.
        #[arg(long, default_value = "hub.toml")]
        config: PathBuf,
    },
    /// Speak to zones now: upload the clip if it is a file, start the job,
    /// show progress until every speaker answered, then each one's outcome.
    Broadcast(twinwall_hub::broadcast::cli::Args),
    /// Check a config, its profiles and drivers, and open every device in
    /// its driver, without starting anything; every problem is listed.
    Check {
        /// The config file.
        #[arg(long, default_value = "hub.toml")]
        config: PathBuf,
    },
    /// Print the JSON Schema of `hub.toml`, generated from the code.
    Schema,
    /// The alarms of a running hub as a table (`--state wall` for what waits).
    Alarms(twinwall_hub::alarms::cli::ListArgs),
    /// Act on one alarm of a running hub: show, ack, assign, close.
    Alarm(twinwall_hub::alarms::cli::ActArgs),
    /// The hazards of a running hub as a table (`--overdue`, `--unit chem`).
    Hazards(twinwall_hub::program::cli::HazardsArgs),
    /// A hazard of a running hub: show it, or take a step of its loop.
    Hazard(twinwall_hub::program::cli::HazardArgs),
    /// The program's six lists: export as XLSX or CSV, import the register.
    Lists(twinwall_hub::program::cli::ListsArgs),
    /// Each unit's score for a term, every deduction with its article.
    Assessment(twinwall_hub::program::cli::AssessmentArgs),
    /// Add people who sign in, change their passwords, disable them.
    User(twinwall_hub::accounts::cli::UserArgs),
    /// Add and list the university's units.
    Unit(twinwall_hub::accounts::cli::UnitArgs),
    /// Make, list and revoke API tokens (on the data folder of `--config`).
    Token(twinwall_hub::auth::cli::Args),
    /// The command centre over several campuses' JetStream streams.
    Central(twinwall_hub::central::cli::Args),
    /// Find devices on the network.
    Discover {
        /// What to look for.
        #[command(subcommand)]
        what: Discover,
    },
    /// Print events from a running hub, oldest first, as JSON lines.
    Events {
        /// The hub's API.
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        api: String,
        /// Keep printing new events as they arrive.
        #[arg(long)]
        follow: bool,
        /// Only this kind (`fire.alarm`, or `fire.*`).
        #[arg(long)]
        kind: Option<String>,
        /// Only this zone and below.
        #[arg(long)]
        zone: Option<String>,
        /// Only this device.
        #[arg(long)]
        device: Option<String>,
        /// An API token with role viewer or above.
        #[arg(long, env = "TWINWALL_TOKEN", hide_env_values = true)]
        token: String,
    },
}

#[derive(Subcommand)]
enum Discover {
    /// ONVIF cameras, by WS-Discovery Probe.
    Onvif {
        /// Where to send the Probe (a camera or responder at host:port, or the multicast group).
        #[arg(long, default_value = twinwall_hub::discovery::MULTICAST)]
        target: std::net::SocketAddr,
        /// How long to wait for answers, ms.
        #[arg(long, default_value_t = 2000)]
        wait_ms: u64,
    },
}

fn main() -> anyhow::Result<()> {
    // Before any thread allocates.
    twinwall_hub::memory::limit_malloc_arenas();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?
        .block_on(run())
}

/// One arm per subcommand, each only calling into the library.
async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_logging(cli.log_format);
    match cli.command {
        Command::Run { config: path } => {
            let config = HubConfig::load(&path).map_err(|e| {
                // The parser names the first problem; list the rest too.
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                let all = twinwall_hub::config::lint::problems(&text);
                let rest: Vec<String> = all
                    .iter()
                    .map(|l| format!("  {}: {}", l.at(&path.display().to_string()), l.message))
                    .collect();
                if rest.len() > 1 {
                    anyhow::anyhow!("{e}\nevery problem in the file:\n{}", rest.join("\n"))
                } else {
                    e.into()
                }
            })?;
            let hub = Hub::start(config).await?;
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = hub.wait() => {}
            }
            Ok(())
        }
        Command::Discover {
            what: Discover::Onvif { target, wait_ms },
        } => {
            let found =
                twinwall_hub::discovery::probe(target, std::time::Duration::from_millis(wait_ms))
                    .await?;
            for f in &found {
                println!(
                    "{}  {}  {}",
                    f.endpoint,
                    f.xaddrs.join(" "),
                    f.scopes
                        .iter()
                        .filter(|s| s.contains("/name/") || s.contains("/hardware/"))
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(" ")
                );
            }
            eprintln!("{} device(s) answered", found.len());
            Ok(())
        }
        Command::Events {
            api,
            follow,
            kind,
            zone,
            device,
            token,
        } => events(&api, &token, follow, kind, zone, device).await,
        Command::Alarms(args) => twinwall_hub::alarms::cli::list(args).await,
        Command::Alarm(args) => twinwall_hub::alarms::cli::act(args).await,
        Command::Hazards(args) => twinwall_hub::program::cli::hazards(args).await,
        Command::Hazard(args) => twinwall_hub::program::cli::hazard(args).await,
        Command::Lists(args) => twinwall_hub::program::cli::lists(args).await,
        Command::Assessment(args) => twinwall_hub::program::cli::assessment(args).await,
        Command::Broadcast(args) => twinwall_hub::broadcast::cli::run(args).await,
        Command::Token(args) => twinwall_hub::auth::cli::run(args),
        Command::Central(args) => twinwall_hub::central::cli::run(args).await,
        Command::User(args) => twinwall_hub::accounts::cli::user(args),
        Command::Unit(args) => twinwall_hub::accounts::cli::unit(args),
        Command::Schema => {
            println!("{:#}", twinwall_hub::config::json_schema());
            Ok(())
        }
        Command::Check { config } => {
            let r = twinwall_hub::check::check(&config);
            for p in &r.problems {
                println!("{p}");
            }
            eprintln!(
                "{}: {} driver(s) loaded ({}), {} device(s) open cleanly, {} problem(s)",
                config.display(),
                r.drivers.len(),
                r.drivers.join(", "),
                r.devices_ok,
                r.problems.len()
            );
            anyhow::ensure!(
                r.problems.is_empty(),
                "{} problem(s) in {}",
                r.problems.len(),
                config.display()
            );
            Ok(())
        }
    }
}

async fn events(
    api: &str,
    token: &str,
    follow: bool,
    kind: Option<String>,
    zone: Option<String>,
    device: Option<String>,
) -> anyhow::Result<()> {
    let client = twinwall_hub::auth::cli::api_client(token)?;
    let mut params: Vec<(&str, String)> = Vec::new();
    for (k, v) in [("kind", kind), ("zone", zone), ("device", device)] {
        if let Some(v) = v {
            params.push((k, v));
        }
    }
    let mut after: Option<u64> = None;
    loop {
        let mut q = params.clone();
        q.push(("limit", "1000".into()));
        if let Some(a) = after {
            q.push(("after", a.to_string()));
        }
        let resp = client
            .get(format!("{api}/api/v1/events"))
            .query(&q)
            .send()
            .await
            .with_context(|| format!("asking {api}"))?;
        let status = resp.status();
        let body: serde_json::Value = resp.json().await?;
        anyhow::ensure!(
            status.is_success(),
            "{api}: {}",
            body["error"]["message"].as_str().unwrap_or("error")
        );
        let events = body["events"].as_array().cloned().unwrap_or_default();
        for e in &events {
            println!("{e}");
            after = e["seq"].as_u64().or(after);
        }
        if body["next_after"].is_null() {
            if !follow {
                return Ok(());
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
    }
}
