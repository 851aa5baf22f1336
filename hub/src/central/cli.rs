//! `twinwall central`: run the centre (from `--config central.toml`, or
//! from flags alone), or make its API tokens.

use std::path::PathBuf;

use anyhow::Context;

use super::{Central, CentralConfig};
use crate::auth::{Role, Tokens};

/// `twinwall central …`
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    /// The config file; flags given too override it.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// NATS servers (repeat for a cluster), when there is no config file.
    #[arg(long = "jetstream")]
    pub servers: Vec<String>,
    /// Where the API and console listen.
    #[arg(long)]
    pub http: Option<std::net::SocketAddr>,
    /// The tokens' folder.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// This centre's id (its consumers' name).
    #[arg(long)]
    pub id: Option<String>,
    /// Token management.
    #[command(subcommand)]
    pub action: Option<TokenCommand>,
}

/// `twinwall central token …`
#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Make a token of the centre and print it (once). Its name is the
    /// login the campuses act for: give it the name of a person each campus
    /// has, with the role there that the actions need.
    Token {
        /// The centre's data folder.
        #[arg(long, default_value = "central-data")]
        data: PathBuf,
        /// The person's login.
        #[arg(long)]
        name: String,
        /// What it may do at the centre.
        #[arg(long, value_enum)]
        role: Role,
    },
}

fn config(a: &Args) -> anyhow::Result<CentralConfig> {
    let mut c = match &a.config {
        Some(p) => CentralConfig::load(p).map_err(anyhow::Error::msg)?,
        None if a.servers.is_empty() => {
            anyhow::bail!("give --config central.toml or --jetstream nats://host:port")
        }
        None => CentralConfig::with_servers(a.servers.clone()),
    };
    if a.config.is_some() && !a.servers.is_empty() {
        c.nats.servers = a.servers.clone();
    }
    if let Some(h) = a.http {
        c.central.http = h;
    }
    if let Some(d) = &a.data {
        c.central.data_dir = d.clone();
    }
    if let Some(i) = &a.id {
        c.central.id = i.clone();
    }
    c.check().map_err(anyhow::Error::msg)?;
    Ok(c)
}

/// Run it.
pub async fn run(a: Args) -> anyhow::Result<()> {
    if let Some(TokenCommand::Token { data, name, role }) = &a.action {
        std::fs::create_dir_all(data).with_context(|| format!("{}", data.display()))?;
        let tokens =
            Tokens::open(data).with_context(|| format!("the tokens of {}", data.display()))?;
        let made = tokens.create(name, *role, "cli")?;
        eprintln!(
            "central token {} for `{}` with role {role}; it is shown once, keep it now:",
            made.view.id, made.view.name
        );
        println!("{}", made.secret);
        return Ok(());
    }
    let c = config(&a)?;
    let central = Central::start(c).await?;
    eprintln!("central: http://{}/", central.addr);
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    drop(central);
    Ok(())
}
