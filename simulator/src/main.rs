//! `twinwall-sim`: run simulated devices from the command line.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use twinwall_simulator::fire_panel::FirePanel;
use twinwall_simulator::scenario::{self, Scenario};

#[derive(Parser)]
#[command(
    name = "twinwall-sim",
    version,
    about = "Simulated campus safety devices on real protocols"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Fire-alarm panels over Modbus TCP (register map TW-FP1).
    FirePanels {
        /// How many panels (ignored with --scenario, which declares its own).
        #[arg(long, default_value_t = 1)]
        count: u32,
        /// Points per panel.
        #[arg(long, default_value_t = 32)]
        points: u16,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1")]
        host: IpAddr,
        /// First port; panel i listens on base-port + i. 0 picks free ports.
        #[arg(long, default_value_t = 0)]
        base_port: u16,
        /// A scenario file (TOML) declaring panels and scripted steps.
        #[arg(long)]
        scenario: Option<PathBuf>,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let Cli {
        command:
            Command::FirePanels {
                count,
                points,
                host,
                base_port,
                scenario,
            },
    } = Cli::parse();
    let (panels, scenario) = match scenario {
        Some(path) => {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            let s = Scenario::parse(&text, &path.display().to_string())?;
            (scenario::start_panels(&s, host).await?, Some(s))
        }
        None => {
            let mut panels = HashMap::new();
            for i in 0..count {
                let port = if base_port == 0 {
                    0
                } else {
                    base_port
                        .checked_add(i as u16)
                        .context("port out of range")?
                };
                let id = format!("fp-{}", i + 1);
                let p = FirePanel::start(&id, std::net::SocketAddr::new(host, port), points)
                    .await
                    .with_context(|| format!("starting {id}"))?;
                panels.insert(id, p);
            }
            (panels, None)
        }
    };
    let mut ids: Vec<_> = panels
        .values()
        .map(|p| (p.id().to_owned(), p.addr()))
        .collect();
    ids.sort();
    for (id, addr) in &ids {
        println!("{id} modbus-tcp {addr}");
    }
    println!("{} fire panel(s) running; Ctrl-C to stop", ids.len());
    let play = async {
        match &scenario {
            Some(s) => s.play(&panels).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = play => { tokio::signal::ctrl_c().await?; }
        r = tokio::signal::ctrl_c() => r?,
    }
    Ok(())
}
